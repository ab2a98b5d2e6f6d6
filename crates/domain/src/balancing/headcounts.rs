//! Levels 1 and 2 of the objective: the maximum number placed (maximum flow),
//! then the minimum gap between headcounts and the minimum headcounts `L` that
//! reach it (flows with lower bounds, binary searches). See the module docs,
//! # Method.

use super::flow::{Bounded, Builder};
use super::model::{Bounds, Group, Model};

impl<'a> Model<'a> {
    // --- level 1

    pub(super) fn max_placed(&self, avail: &[(&[usize], i64)]) -> i64 {
        let slots = self.slot_groups.len();
        let (source, sink) = (0, 1);
        let slot_node = |s: usize| 2 + avail.len() + s;
        let mut b = Builder::<i64>::new(2 + avail.len() + slots);
        for (i, (class_slots, count)) in avail.iter().enumerate() {
            b.edge(source, 2 + i, *count, 0);
            for &s in *class_slots {
                b.edge(2 + i, slot_node(s), *count, 0);
            }
        }
        for (s, members) in self.slot_groups.iter().enumerate() {
            let room: i64 = members.iter().map(|&g| self.groups[g].room).sum();
            b.edge(slot_node(s), sink, room, 0);
        }
        let (mut graph, _) = b.build();
        graph.max_flow(source, sink)
    }

    // --- level 2

    /// Bounds on `a(g)` for `L <= h(g) <= L + d`; `None` if some group cannot.
    pub(super) fn bounds(&self, l: i64, d: i64) -> Option<Bounds> {
        self.groups
            .iter()
            .map(|g| {
                let lo = (l - g.confirmed).max(0);
                let hi = g.room.min(l + d - g.confirmed);
                (lo <= hi).then_some((lo, hi))
            })
            .collect()
    }

    /// Candidate minimum headcounts `L` for gap `d`, ascending: `min h <= T/n <=
    /// max h`, `max k <= max h`, `min h <= min max(cap, k)`.
    pub(super) fn candidates(&self, e: &Extremes, d: i64) -> std::ops::RangeInclusive<i64> {
        let lo = 0.max(ceil_div(e.total, e.n) - d).max(e.max_k - d);
        let hi = (e.total / e.n).min(e.min_m);
        lo..=hi
    }

    /// Whether exactly `placed` people fit within `bounds`.
    pub(super) fn fits(&self, avail: &[(&[usize], i64)], bounds: &Bounds, placed: i64) -> bool {
        let slots = self.slot_groups.len();
        let mut lo_hi = vec![(0i64, 0i64); slots];
        for (g, &(lo, hi)) in self.groups.iter().zip(bounds) {
            lo_hi[g.slot].0 += lo;
            lo_hi[g.slot].1 += hi;
        }
        let lo_sum: i64 = lo_hi.iter().map(|x| x.0).sum();
        let hi_sum: i64 = lo_hi.iter().map(|x| x.1).sum();
        if lo_sum > placed || hi_sum < placed {
            return false;
        }
        let (source, sink) = (0, 1);
        let slot_node = |s: usize| 2 + avail.len() + s;
        let mut b = Bounded::<i64>::new(2 + avail.len() + slots);
        b.supply(source, placed);
        b.supply(sink, -placed);
        for (i, (class_slots, count)) in avail.iter().enumerate() {
            b.edge(source, 2 + i, 0, *count, 0);
            for &s in *class_slots {
                b.edge(2 + i, slot_node(s), 0, *count, 0);
            }
        }
        for (s, &(lo, hi)) in lo_hi.iter().enumerate() {
            b.edge(slot_node(s), sink, lo, hi, 0);
        }
        b.feasible_flow().is_some()
    }

    /// The largest `L` such that every headcount can be at least `L` (with `placed`
    /// people placed), by binary search: feasibility is monotone in `L`.
    pub(super) fn max_min_headcount(
        &self,
        avail: &[(&[usize], i64)],
        e: &Extremes,
        placed: i64,
    ) -> i64 {
        let (mut lo, mut hi) = (e.min_k, (e.total / e.n).min(e.min_m)); // lo is feasible
        while lo < hi {
            let mid = hi - (hi - lo) / 2;
            let bounds: Bounds = self
                .groups
                .iter()
                .map(|g| ((mid - g.confirmed).max(0), g.room))
                .collect();
            if self.fits(avail, &bounds, placed) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    }

    /// The smallest `M` such that every headcount can be at most `M`.
    pub(super) fn min_max_headcount(
        &self,
        avail: &[(&[usize], i64)],
        e: &Extremes,
        placed: i64,
    ) -> i64 {
        let (mut lo, mut hi) = (e.max_k.max(ceil_div(e.total, e.n)), e.max_m); // hi is feasible
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let bounds: Bounds = self
                .groups
                .iter()
                .map(|g| (0, g.room.min(mid - g.confirmed)))
                .collect();
            if self.fits(avail, &bounds, placed) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi
    }

    /// The minimum gap and every feasible `L` at that gap, ascending.
    pub(super) fn min_gap(&self, avail: &[(&[usize], i64)], placed: i64) -> (i64, Vec<i64>) {
        let e = Extremes::new(&self.groups, placed);
        // Any assignment has min h <= max-min and max h >= min-max: a lower bound,
        // which M-convexity makes exact (module docs); the loop does not rely on it.
        let mut d = (self.min_max_headcount(avail, &e, placed)
            - self.max_min_headcount(avail, &e, placed))
        .max(0);
        loop {
            let ls: Vec<i64> = self
                .candidates(&e, d)
                .filter(|&l| {
                    self.bounds(l, d)
                        .is_some_and(|bounds| self.fits(avail, &bounds, placed))
                })
                .collect();
            if !ls.is_empty() {
                return (d, ls);
            }
            // Terminates: d = max max(cap, k) - min k admits every level-1 optimum.
            d += 1;
        }
    }
}

/// Totals of the groups used by the level-2 searches.
pub(super) struct Extremes {
    /// Number of groups (> 0).
    pub(super) n: i64,
    /// Final total headcount: confirmed + placed.
    pub(super) total: i64,
    pub(super) max_k: i64,
    pub(super) min_k: i64,
    /// Largest and smallest possible headcount `max(cap, k)`.
    pub(super) max_m: i64,
    pub(super) min_m: i64,
}

impl Extremes {
    pub(super) fn new(groups: &[Group], placed: i64) -> Self {
        let k = || groups.iter().map(|g| g.confirmed);
        let m = || groups.iter().map(|g| g.confirmed + g.room);
        Extremes {
            n: groups.len() as i64,
            total: k().sum::<i64>() + placed,
            max_k: k().max().unwrap_or(0),
            min_k: k().min().unwrap_or(0),
            max_m: m().max().unwrap_or(0),
            min_m: m().min().unwrap_or(0),
        }
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}
