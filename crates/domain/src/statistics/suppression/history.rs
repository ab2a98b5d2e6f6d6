//! The sensitive groups of the funnel, for [`super::super::release`]: this
//! month's drop-outs, and what earlier months published or hid that still
//! describes 1 to K-1 people. G1 of the module doc holds for the vectors
//! the engine is given: a cell hidden in an earlier month (a cumulative
//! count of 3, say) or an earlier drop-out must stay underivable once this
//! month's cells are published, so they are given too.

use super::super::{
    candidates, inner_value, is_sensitive, Cell, Facts, Inner, Measure, Month, Step, Universe,
};
use std::collections::{BTreeMap, BTreeSet};

/// A funnel's steps with their combinations.
type Steps = Vec<(Step, Vec<(Inner, i64)>)>;

/// Drop-outs (POL-11, "où les abandons se produisent"): in each funnel (a
/// programme's or a group's) among `cells`, the people whose furthest step
/// is a given one (reached it, not the next): that step's cell minus the
/// next one's. They are groups of people too.
pub(crate) fn dropouts(cells: &[Cell], u: &Universe) -> Vec<Vec<(Inner, i64)>> {
    let mut funnels: BTreeMap<(u8, &str), Steps> = BTreeMap::new();
    for cell in cells {
        let (kind, id, step) = match cell {
            Cell::ProgrammeFunnel {
                programme, step, ..
            } => (0u8, programme, step),
            Cell::GroupFunnel { group, step, .. } => (1u8, group, step),
            _ => continue,
        };
        if let Some(combination) = cell.combination(u) {
            funnels
                .entry((kind, id.as_str()))
                .or_default()
                .push((*step, combination));
        }
    }
    let mut out = Vec::new();
    for steps in funnels.values_mut() {
        steps.sort_by_key(|(step, _)| *step);
        for pair in steps.windows(2) {
            let mut combination = pair[0].1.clone();
            combination.extend(pair[1].1.iter().map(|(inner, c)| (inner.clone(), -c)));
            out.push(combination);
        }
    }
    out
}

/// Every cell of an earlier month (from the universe's first month) that
/// counts funnel facts (the funnel, the formats' enrolled and completed to
/// date), and every drop-out of those months, that describes 1 to K-1
/// people: without their inner cells of 0 (known zeros), each once (a month
/// without news repeats the month before). The sections' and the formats'
/// monthly parts of other months share no inner cell with this month's, so
/// nothing published now can reach them.
pub(crate) fn earlier_sensitive(month: Month, facts: &Facts) -> Vec<Vec<(Inner, i64)>> {
    let u = &facts.universe;
    let mut out: BTreeSet<Vec<(Inner, i64)>> = BTreeSet::new();
    let mut keep = |combination: Vec<(Inner, i64)>| {
        let mut count = 0i64;
        let mut row = Vec::with_capacity(combination.len());
        for (inner, c) in combination {
            let v = inner_value(&inner, facts) as i64;
            if v != 0 {
                count += c * v;
                row.push((inner, c));
            }
        }
        if count > 0 && is_sensitive(count as u64) {
            row.sort();
            out.insert(row);
        }
    };
    for m in u.months_to(month).into_iter().filter(|m| *m < month) {
        let cells: Vec<Cell> = candidates(m, facts)
            .into_iter()
            .filter(|cell| match cell {
                Cell::ProgrammeFunnel { .. } | Cell::GroupFunnel { .. } => true,
                Cell::Format { measure, .. } => {
                    matches!(measure, Measure::EnrolledToDate | Measure::CompletedToDate)
                }
                Cell::Section { .. } => false,
            })
            .collect();
        cells
            .iter()
            .filter_map(|c| c.combination(u))
            .for_each(&mut keep);
        dropouts(&cells, u).into_iter().for_each(&mut keep);
    }
    out.into_iter().collect()
}
