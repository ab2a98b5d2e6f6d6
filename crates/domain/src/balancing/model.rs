//! The instance with indices, sorted by id, and the driver of the levels:
//! [`Model::solve`] runs level 1, level 2, levels 3 and 4, then hands people
//! out.

use std::collections::{BTreeMap, BTreeSet};

use super::costs::Plan;
use super::evaluate::first_occurrences;
use super::flow::{Num, Overflow};
use super::Instance;

/// A preference as far as costs go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Pref {
    None,
    /// A slot the person is available for and that has groups.
    Slot(usize),
    /// Unmet wherever the person is placed.
    Unmeetable,
}

impl Pref {
    pub(super) fn unmet_in(self, slot: usize) -> bool {
        match self {
            Pref::None => false,
            Pref::Slot(s) => s != slot,
            Pref::Unmeetable => true,
        }
    }
}

pub(super) struct Group<'a> {
    pub(super) id: &'a str,
    pub(super) slot: usize,
    pub(super) confirmed: i64,
    /// Places free for pending registrations: `max(0, capacity - confirmed)`.
    pub(super) room: i64,
    /// Confirmed per bracket index.
    pub(super) base: Vec<i64>,
}

pub(super) struct Registration<'a> {
    pub(super) id: &'a str,
    /// Available slots that have groups, ascending.
    pub(super) slots: Vec<usize>,
    pub(super) pref: Pref,
    pub(super) bracket: Option<usize>,
}

/// Interchangeable registrations.
pub(super) struct Class {
    pub(super) slots: Vec<usize>,
    pub(super) pref: Pref,
    /// Bracket index; `brackets` (one past the last) for none.
    pub(super) bracket: usize,
    /// Registration indices, ascending (id order).
    pub(super) members: Vec<usize>,
}

pub(super) struct Model<'a> {
    pub(super) groups: Vec<Group<'a>>,
    /// Group indices of each slot, ascending.
    pub(super) slot_groups: Vec<Vec<usize>>,
    pub(super) brackets: usize,
    /// Only registrations with at least one slot that has groups.
    pub(super) registrations: Vec<Registration<'a>>,
    /// Registrations per available slot and bracket (last: none).
    pub(super) reach: Vec<Vec<i64>>,
}

pub(super) enum CostType {
    Small,
    Large,
}

/// Group bounds on the number assigned, for one (L, d).
pub(super) type Bounds = Vec<(i64, i64)>;

impl<'a> Model<'a> {
    pub(super) fn new(instance: &'a Instance) -> Self {
        let groups = first_occurrences(&instance.groups, |g| &g.id);
        let registrations = first_occurrences(&instance.registrations, |r| &r.id);
        let slots: Vec<&str> = groups
            .values()
            .map(|g| g.slot.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let bracket_names: Vec<&str> = groups
            .values()
            .flat_map(|g| g.confirmed_brackets.keys().map(String::as_str))
            .chain(registrations.values().filter_map(|r| r.bracket.as_deref()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let brackets = bracket_names.len();
        let bracket_index = |b: &str| bracket_names.binary_search(&b).expect("collected above");
        let slot_index = |s: &str| slots.binary_search(&s).ok();
        let groups: Vec<Group> = groups
            .values()
            .map(|&g| {
                let mut base = vec![0; brackets];
                for (b, &c) in &g.confirmed_brackets {
                    base[bracket_index(b)] = i64::from(c);
                }
                Group {
                    id: &g.id,
                    slot: slot_index(&g.slot).expect("collected above"),
                    confirmed: i64::from(g.confirmed),
                    room: i64::from(g.capacity.saturating_sub(g.confirmed)),
                    base,
                }
            })
            .collect();
        let mut slot_groups = vec![Vec::new(); slots.len()];
        for (i, g) in groups.iter().enumerate() {
            slot_groups[g.slot].push(i);
        }
        let registrations: Vec<Registration> = registrations
            .values()
            .filter_map(|&r| {
                let available: Vec<usize> = r
                    .available_slots
                    .iter()
                    .filter_map(|s| slot_index(s))
                    .collect();
                if available.is_empty() {
                    return None;
                }
                let pref = match r.preferred_slot.as_deref().map(slot_index) {
                    None => Pref::None,
                    Some(Some(s)) if available.contains(&s) => Pref::Slot(s),
                    Some(_) => Pref::Unmeetable,
                };
                Some(Registration {
                    id: &r.id,
                    slots: available,
                    pref,
                    bracket: r.bracket.as_deref().map(bracket_index),
                })
            })
            .collect();
        let mut reach = vec![vec![0; brackets + 1]; slots.len()];
        for r in &registrations {
            for &s in &r.slots {
                reach[s][r.bracket.unwrap_or(brackets)] += 1;
            }
        }
        Model {
            groups,
            slot_groups,
            brackets,
            registrations,
            reach,
        }
    }

    /// An upper bound of `W` (module docs) over every level-3/4 network: the sum
    /// of the unit-arc costs with the widest bounds, plus one.
    pub(super) fn max_weight(&self) -> i128 {
        let mut sum = 1i128;
        for g in &self.groups {
            for (b, &c0) in g.base.iter().enumerate() {
                let x = g.room.min(self.reach[g.slot][b]);
                let (c0, x) = (i128::from(c0), i128::from(x));
                sum = sum.saturating_add((c0 + x) * (c0 + x) - c0 * c0);
            }
        }
        sum
    }

    /// `i64` when the scaled costs leave ample room; prices are watched anyway
    /// (`Overflow`).
    pub(super) fn cost_type(&self) -> CostType {
        // Generous count of the nodes of the level-3/4 network.
        let nodes = 6
            + self.registrations.len() as i128
            + (self.slot_groups.len() as i128 + self.groups.len() as i128)
                * (self.brackets as i128 + 1);
        let bound = self
            .max_weight()
            .checked_mul(nodes + 1)
            .and_then(|x| x.checked_mul(nodes + 2));
        match bound {
            Some(b) if b < i128::from(i64::MAX / 4) => CostType::Small,
            _ => CostType::Large,
        }
    }

    pub(super) fn solve<C: Num>(&self) -> Result<BTreeMap<String, String>, Overflow> {
        let mut avail: BTreeMap<&[usize], i64> = BTreeMap::new();
        for r in &self.registrations {
            *avail.entry(r.slots.as_slice()).or_default() += 1;
        }
        let avail: Vec<(&[usize], i64)> = avail.into_iter().collect();
        let placed = self.max_placed(&avail);
        if placed == 0 {
            return Ok(BTreeMap::new());
        }
        let (gap, feasible) = self.min_gap(&avail, placed);
        let classes = self.classes();
        // One L in practice (module docs); the smallest best one otherwise.
        let mut best: Option<Plan> = None;
        for l in feasible {
            let bounds = self.bounds(l, gap).expect("feasible bounds");
            let plan = self.plan::<C>(&classes, &bounds, placed)?;
            match &best {
                Some(b) if b.key <= plan.key => {}
                _ => best = Some(plan),
            }
        }
        let best = best.expect("some L is feasible at the optimal gap");
        Ok(self.hand_out(&classes, &best))
    }

    /// People from flows: lower ids first within a class, to lower group ids.
    pub(super) fn hand_out(&self, classes: &[Class], plan: &Plan) -> BTreeMap<String, String> {
        let nb = self.brackets;
        let mut pools: Vec<Vec<Vec<usize>>> =
            vec![vec![Vec::new(); nb + 1]; self.slot_groups.len()];
        for (class, to_slots) in classes.iter().zip(&plan.class_slot) {
            let mut members = class.members.iter();
            for &(s, x) in to_slots {
                pools[s][class.bracket].extend(members.by_ref().take(x as usize));
            }
        }
        let mut assignments = BTreeMap::new();
        for (s, by_bracket) in pools.iter_mut().enumerate() {
            for (b, pool) in by_bracket.iter_mut().enumerate() {
                pool.sort_unstable();
                let mut people = pool.iter();
                for &g in &self.slot_groups[s] {
                    for &r in people.by_ref().take(plan.group_bracket[g][b] as usize) {
                        assignments.insert(
                            self.registrations[r].id.to_string(),
                            self.groups[g].id.to_string(),
                        );
                    }
                }
            }
        }
        assignments
    }
}
