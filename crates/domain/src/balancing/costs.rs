//! Levels 3 and 4 of the objective: for the optimal gap, the minimum-cost flow
//! that minimises unmet preferences, then the age penalty, with the classes of
//! interchangeable registrations. See the module docs, # Method.

use std::collections::BTreeMap;

use super::flow::{Bounded, Num, Overflow};
use super::model::{Bounds, Class, Model, Pref};

impl<'a> Model<'a> {
    // --- levels 3 and 4

    pub(super) fn classes(&self) -> Vec<Class> {
        let mut classes: BTreeMap<(&[usize], Pref, usize), Vec<usize>> = BTreeMap::new();
        for (i, r) in self.registrations.iter().enumerate() {
            let key = (
                r.slots.as_slice(),
                r.pref,
                r.bracket.unwrap_or(self.brackets),
            );
            classes.entry(key).or_default().push(i);
        }
        classes
            .into_iter()
            .map(|((slots, pref, bracket), members)| Class {
                slots: slots.to_vec(),
                pref,
                bracket,
                members,
            })
            .collect()
    }

    /// The minimum-cost flow of levels 3 and 4 within `bounds`.
    pub(super) fn plan<C: Num>(
        &self,
        classes: &[Class],
        bounds: &Bounds,
        placed: i64,
    ) -> Result<Plan, Overflow> {
        let nb = self.brackets;
        let slots = self.slot_groups.len();
        let (source, sink) = (0, 1);
        let class_node = |c: usize| 2 + c;
        let sb_base = 2 + classes.len();
        let sb_node = |s: usize, b: usize| sb_base + s * (nb + 1) + b;
        let gb_base = sb_base + slots * (nb + 1);
        let gb_node = |g: usize, b: usize| gb_base + g * nb + b;
        let g_base = gb_base + self.groups.len() * nb;
        let g_node = |g: usize| g_base + g;
        let mut net = Bounded::<C>::new(g_base + self.groups.len());
        let zero = C::of(0);
        let open: Vec<bool> = self
            .slot_groups
            .iter()
            .map(|gs| gs.iter().any(|&g| bounds[g].1 > 0))
            .collect();
        net.supply(source, placed);
        net.supply(sink, -placed);
        let mut group_edges = Vec::new(); // (group, bracket, edge)
        let mut age_bound = 0i128; // no flow's age cost reaches it
        for (s, members) in self.slot_groups.iter().enumerate() {
            for b in 0..=nb {
                let reach = self.reach[s][b];
                if reach == 0 {
                    continue;
                }
                for &g in members.iter().filter(|&&g| bounds[g].1 > 0) {
                    let hi = bounds[g].1;
                    if b == nb {
                        let e = net.edge(sb_node(s, b), g_node(g), 0, hi, zero);
                        group_edges.push((g, b, e));
                        continue;
                    }
                    let e = net.edge(sb_node(s, b), gb_node(g, b), 0, hi, zero);
                    group_edges.push((g, b, e));
                    let c0 = i128::from(self.groups[g].base[b]);
                    for j in 0..hi.min(reach) {
                        let step = 2 * (c0 + i128::from(j)) + 1;
                        net.edge(gb_node(g, b), g_node(g), 0, 1, C::of(step));
                        age_bound += step;
                    }
                }
            }
        }
        // Above any difference of age cost: levels 3 then 4 (module docs).
        let weight = age_bound + 1;
        let mut class_edges = Vec::new(); // (class, slot, edge)
        for (c, class) in classes.iter().enumerate() {
            let size = class.members.len() as i64;
            net.edge(source, class_node(c), 0, size, zero);
            for &s in class.slots.iter().filter(|&&s| open[s]) {
                let cost = if class.pref.unmet_in(s) { weight } else { 0 };
                let e = net.edge(
                    class_node(c),
                    sb_node(s, class.bracket),
                    0,
                    size,
                    C::of(cost),
                );
                class_edges.push((c, s, e));
            }
        }
        for (g, &(lo, hi)) in bounds.iter().enumerate() {
            if hi > 0 {
                net.edge(g_node(g), sink, lo, hi, zero);
            }
        }
        let mut flow = net
            .feasible_flow()
            .expect("bounds checked feasible at the slot level");
        flow.graph.min_cost_circulation()?;
        let mut class_slot = vec![Vec::new(); classes.len()];
        let mut unmet = 0i64;
        for (c, s, e) in class_edges {
            let x = flow.flow(e);
            if x > 0 {
                class_slot[c].push((s, x));
                if classes[c].pref.unmet_in(s) {
                    unmet += x;
                }
            }
        }
        let mut group_bracket = vec![vec![0i64; nb + 1]; self.groups.len()];
        let mut age = 0i128;
        for (g, b, e) in group_edges {
            let x = flow.flow(e);
            group_bracket[g][b] = x;
            if b < nb {
                let c0 = i128::from(self.groups[g].base[b]);
                age += (c0 + i128::from(x)).pow(2) - c0 * c0;
            }
        }
        Ok(Plan {
            key: (unmet, age),
            class_slot,
            group_bracket,
        })
    }
}

pub(super) struct Plan {
    /// (unmet preferences, age penalty above the confirmed one): lower is better.
    pub(super) key: (i64, i128),
    /// Per class: (slot, number sent there).
    pub(super) class_slot: Vec<Vec<(usize, i64)>>,
    /// Per group: number received per bracket (last: none).
    pub(super) group_bracket: Vec<Vec<i64>>,
}
