//! Group balancing (POL-10): proposes where the pending registrations of a
//! programme go, so that headcounts are balanced (« équilibrer les effectifs »),
//! and scores an assignment an administrator edited. Pure: no I/O, no clock.
//!
//! # Instance
//!
//! Groups `g` have a capacity `cap(g)`, a number of confirmed places `k(g)` (they
//! stay where they are; `k(g) > cap(g)` is accepted as odd data), a time slot and
//! the age brackets of their confirmed participants (`confirmed_brackets`, taken as
//! given). Pending registrations `r` have a set of available slots, an optional
//! preferred slot and an optional age bracket. Ids are unique; should an id occur
//! twice, only its first occurrence is part of the instance (in [`propose`] and in
//! [`evaluate`] alike).
//!
//! # Objective (exact definition)
//!
//! An assignment sends each registration either to one group whose slot is in the
//! registration's available slots, or nowhere (unplaced). Let `a(g)` be the number
//! of registrations sent to `g` and `h(g) = k(g) + a(g)` its final headcount. Hard
//! constraint: `a(g) > 0` implies `h(g) <= cap(g)` (a group already at or over its
//! capacity receives no one; its confirmed places are never moved). Among feasible
//! assignments the [`Score`] is minimised lexicographically, in this order:
//!
//! 1. `unplaced`: the number of registrations not placed (so: place as many as
//!    possible);
//! 2. `gap`: `max h(g) - min h(g)` over **all** groups of the instance (0 when
//!    there is no group);
//! 3. `unmet_preferences`: the number of *placed* registrations that have a
//!    preferred slot and are in a group of another slot (unplaced people are counted
//!    by level 1 only; a preference for a slot the person is not available for, or
//!    that no group has, is unmet whenever that person is placed);
//! 4. `age_penalty`: `sum over groups g and brackets b of c(g, b)^2`, where
//!    `c(g, b)` = confirmed participants of `g` in bracket `b` + registrations of
//!    bracket `b` sent to `g`; people without a bracket do not count. Squares reward
//!    spreading each bracket over the groups (mixing ages within the groups).
//!
//! [`propose`] returns an assignment of minimum score (optimal, not a heuristic);
//! [`evaluate`] checks an edited assignment against the hard constraints and
//! computes its score with the same definition.
//!
//! # Method (exact)
//!
//! Registrations with the same (relevant available slots, preference, bracket) are
//! interchangeable: they are aggregated into classes, and the groups of one slot are
//! reached through one slot node, so every network below is small. `room(g) =
//! max(0, cap - k)`, `n` groups.
//!
//! * **Level 1.** Maximum flow (Dinic) source → class (its size) → slot → sink
//!   (capacity: the room summed over the slot's groups). Any per-slot total splits
//!   among the slot's groups, so the value `P` is the maximum number placed. The
//!   total final headcount `T = sum k + P` is then fixed.
//! * **Level 2.** "Exactly `P` placed with `L <= h(g) <= L + d` for every group" is
//!   a flow with lower bounds, `a(g)` in `[max(0, L - k), min(room, L + d - k)]`
//!   (per slot: summed over its groups), of value exactly `P`; its feasibility is
//!   one maximum flow (circulation with lower bounds: super source and sink). Binary
//!   searches give the largest feasible minimum headcount `L*` and the smallest
//!   feasible maximum `M*`: every assignment has `min h <= L*` and `max h >= M*`,
//!   so `gap >= M* - L*`. That bound is attained: the headcount vectors of the
//!   level-1 optima are the integer points of a base polyhedron (M-convex set: the
//!   in-degrees of maximum bipartite b-matchings), where a decreasingly-minimal
//!   element minimises the maximum and maximises the minimum at once (Fujishige;
//!   Frank and Murota). The code does not rely on it: it checks `d = M* - L*` and
//!   goes on with `d + 1`, ... until some `L` with `max(0, ceil(T/n) - d, max k - d)
//!   <= L <= min(floor(T/n), min max(cap, k))` (as `min h <= T/n <= max h`) is
//!   feasible, and keeps every feasible `L` of that `d*` (a unit test checks there is
//!   one, `L*`). This costs `O(log)` maximum flows on a network of about (distinct
//!   availability sets + slots) nodes.
//! * **Levels 3 and 4.** For `d*` and each feasible `L` (the union of their
//!   feasible sets is exactly "gap <= d*"), one minimum-cost flow of value `P`:
//!   source → class → (slot, bracket) → (group, bracket) → group → sink, group →
//!   sink bounded by `[max(0, L - k), min(room, L + d* - k)]`. A class → slot arc
//!   costs `W` when the class's preference is unmet in that slot. The convex age
//!   cost is exact with unit arcs (group, bracket) → group, the `j`-th costing
//!   `(c0 + j + 1)^2 - (c0 + j)^2 = 2 (c0 + j) + 1`, `c0` the confirmed count: for a
//!   given split a minimum-cost flow fills the cheap ones first, so its age part is
//!   the age penalty minus the confirmed one. `W` = 1 + the sum of all unit-arc
//!   costs, more than the age part of any flow, so minimising `W * unmet + age` is
//!   the lexicographic (level 3, then level 4) minimum. The solver is cost scaling
//!   (Goldberg–Tarjan push-relabel, factor 16, with global price updates; costs
//!   multiplied by `nodes + 1` so that 1-optimality in scaled costs is exact
//!   optimality), started from a feasible flow found by maximum flow. It computes in
//!   `i64` when the scaled costs leave ample room and watches its prices: should one
//!   leave the safe range, the whole solve is redone in `i128`.
//! * **Disaggregation.** Flows give how many of each class go to each slot and how
//!   many of each bracket to each group; people are then handed out in id order.
//!
//! Determinism: groups and registrations are sorted by id first, classes and nodes
//! are built in that order and the solvers have no randomness, so the same instance
//! (in any input order) gives the same proposal. Ties are broken by ids: within a
//! class, lower ids are placed first; within a slot and bracket, lower registration
//! ids go to lower group ids; among optimal `L` (if ever several), the smallest.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A group of the programme being balanced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GroupInput {
    pub id: String,
    pub capacity: u32,
    /// Confirmed places: they stay in this group.
    pub confirmed: u32,
    /// Time slot code, e.g. `mon-18:30`.
    pub slot: String,
    /// Confirmed participants per age bracket.
    pub confirmed_brackets: BTreeMap<String, u32>,
}

/// A pending registration to place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RegistrationInput {
    pub id: String,
    /// Slots the person can attend; empty: the person cannot be placed.
    pub available_slots: BTreeSet<String>,
    pub preferred_slot: Option<String>,
    /// Age bracket (e.g. the youngest child's: `0-3`, `4-6`, `7-11`, `12-15`).
    pub bracket: Option<String>,
}

/// The groups of a programme and its pending registrations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Instance {
    pub groups: Vec<GroupInput>,
    pub registrations: Vec<RegistrationInput>,
}

/// The objective: lexicographic in field order, lower is better (module docs).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
pub struct Score {
    pub unplaced: u32,
    pub gap: u32,
    pub unmet_preferences: u32,
    pub age_penalty: u64,
}

/// An assignment with its consequences and its score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Proposal {
    /// Registration id → group id.
    pub assignments: BTreeMap<String, String>,
    /// Registration ids left unplaced, in id order.
    pub unplaced: Vec<String>,
    /// Group id → final headcount (confirmed + assigned), for every group.
    pub headcounts: BTreeMap<String, u32>,
    pub score: Score,
}

/// A hard constraint broken by an edited assignment. Messages hold ids only.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
pub enum Violation {
    #[error("unknown registration {0}")]
    UnknownRegistration(String),
    #[error("unknown group {0}")]
    UnknownGroup(String),
    #[error("registration {registration} is not available for the slot of group {group}")]
    SlotNotAvailable { registration: String, group: String },
    #[error("group {group} over capacity: headcount {headcount}, capacity {capacity}")]
    OverCapacity {
        group: String,
        headcount: u32,
        capacity: u32,
    },
}

/// The optimal assignment for the objective of the module docs.
pub fn propose(instance: &Instance) -> Proposal {
    let model = Model::new(instance);
    let narrow = match model.cost_type() {
        CostType::Small => model.solve::<i64>().ok(),
        CostType::Large => None,
    };
    let assignments = narrow.unwrap_or_else(|| {
        model
            .solve::<i128>()
            .expect("prices stay far within i128 for any instance with u32 counts")
    });
    evaluate(instance, &assignments).expect("a proposal satisfies the hard constraints")
}

/// Checks an (edited) assignment against the hard constraints and computes its
/// score. Registrations absent from `assignments` are unplaced.
pub fn evaluate(
    instance: &Instance,
    assignments: &BTreeMap<String, String>,
) -> Result<Proposal, Violation> {
    let groups = first_occurrences(&instance.groups, |g| &g.id);
    let registrations = first_occurrences(&instance.registrations, |r| &r.id);
    let mut assigned: BTreeMap<&str, Vec<&RegistrationInput>> = BTreeMap::new();
    let mut unmet = 0u32;
    for (registration_id, group_id) in assignments {
        let registration = registrations
            .get(registration_id.as_str())
            .ok_or_else(|| Violation::UnknownRegistration(registration_id.clone()))?;
        let group = groups
            .get(group_id.as_str())
            .ok_or_else(|| Violation::UnknownGroup(group_id.clone()))?;
        if !registration.available_slots.contains(&group.slot) {
            return Err(Violation::SlotNotAvailable {
                registration: registration_id.clone(),
                group: group_id.clone(),
            });
        }
        if matches!(&registration.preferred_slot, Some(p) if *p != group.slot) {
            unmet += 1;
        }
        assigned
            .entry(group.id.as_str())
            .or_default()
            .push(registration);
    }
    let mut headcounts = BTreeMap::new();
    let mut age_penalty = 0u64;
    for (id, group) in &groups {
        let people = assigned.get(id).map_or(&[][..], Vec::as_slice);
        let headcount = group.confirmed.saturating_add(people.len() as u32);
        if !people.is_empty() && headcount > group.capacity {
            return Err(Violation::OverCapacity {
                group: id.to_string(),
                headcount,
                capacity: group.capacity,
            });
        }
        headcounts.insert(id.to_string(), headcount);
        let mut brackets: BTreeMap<&str, u64> = group
            .confirmed_brackets
            .iter()
            .map(|(b, &c)| (b.as_str(), u64::from(c)))
            .collect();
        for person in people {
            if let Some(b) = &person.bracket {
                *brackets.entry(b.as_str()).or_default() += 1;
            }
        }
        for c in brackets.values() {
            age_penalty = age_penalty.saturating_add(c.saturating_mul(*c));
        }
    }
    let gap = match (headcounts.values().max(), headcounts.values().min()) {
        (Some(max), Some(min)) => max - min,
        _ => 0,
    };
    let unplaced: Vec<String> = registrations
        .keys()
        .filter(|id| !assignments.contains_key(**id))
        .map(|id| id.to_string())
        .collect();
    let score = Score {
        unplaced: unplaced.len() as u32,
        gap,
        unmet_preferences: unmet,
        age_penalty,
    };
    Ok(Proposal {
        assignments: assignments.clone(),
        unplaced,
        headcounts,
        score,
    })
}

fn first_occurrences<T>(items: &[T], id: impl Fn(&T) -> &String) -> BTreeMap<&str, &T> {
    let mut map = BTreeMap::new();
    for item in items {
        map.entry(id(item).as_str()).or_insert(item);
    }
    map
}

// ---------------------------------------------------------------------------
// Model: the instance with indices, sorted by id.

/// A preference as far as costs go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pref {
    None,
    /// A slot the person is available for and that has groups.
    Slot(usize),
    /// Unmet wherever the person is placed.
    Unmeetable,
}

impl Pref {
    fn unmet_in(self, slot: usize) -> bool {
        match self {
            Pref::None => false,
            Pref::Slot(s) => s != slot,
            Pref::Unmeetable => true,
        }
    }
}

struct Group<'a> {
    id: &'a str,
    slot: usize,
    confirmed: i64,
    /// Places free for pending registrations: `max(0, capacity - confirmed)`.
    room: i64,
    /// Confirmed per bracket index.
    base: Vec<i64>,
}

struct Registration<'a> {
    id: &'a str,
    /// Available slots that have groups, ascending.
    slots: Vec<usize>,
    pref: Pref,
    bracket: Option<usize>,
}

/// Interchangeable registrations.
struct Class {
    slots: Vec<usize>,
    pref: Pref,
    /// Bracket index; `brackets` (one past the last) for none.
    bracket: usize,
    /// Registration indices, ascending (id order).
    members: Vec<usize>,
}

struct Model<'a> {
    groups: Vec<Group<'a>>,
    /// Group indices of each slot, ascending.
    slot_groups: Vec<Vec<usize>>,
    brackets: usize,
    /// Only registrations with at least one slot that has groups.
    registrations: Vec<Registration<'a>>,
    /// Registrations per available slot and bracket (last: none).
    reach: Vec<Vec<i64>>,
}

enum CostType {
    Small,
    Large,
}

/// Group bounds on the number assigned, for one (L, d).
type Bounds = Vec<(i64, i64)>;

impl<'a> Model<'a> {
    fn new(instance: &'a Instance) -> Self {
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
    fn max_weight(&self) -> i128 {
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
    fn cost_type(&self) -> CostType {
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

    fn solve<C: Num>(&self) -> Result<BTreeMap<String, String>, Overflow> {
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

    // --- level 1

    fn max_placed(&self, avail: &[(&[usize], i64)]) -> i64 {
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
    fn bounds(&self, l: i64, d: i64) -> Option<Bounds> {
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
    fn candidates(&self, e: &Extremes, d: i64) -> std::ops::RangeInclusive<i64> {
        let lo = 0.max(ceil_div(e.total, e.n) - d).max(e.max_k - d);
        let hi = (e.total / e.n).min(e.min_m);
        lo..=hi
    }

    /// Whether exactly `placed` people fit within `bounds`.
    fn fits(&self, avail: &[(&[usize], i64)], bounds: &Bounds, placed: i64) -> bool {
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
    fn max_min_headcount(&self, avail: &[(&[usize], i64)], e: &Extremes, placed: i64) -> i64 {
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
    fn min_max_headcount(&self, avail: &[(&[usize], i64)], e: &Extremes, placed: i64) -> i64 {
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
    fn min_gap(&self, avail: &[(&[usize], i64)], placed: i64) -> (i64, Vec<i64>) {
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

    // --- levels 3 and 4

    fn classes(&self) -> Vec<Class> {
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
    fn plan<C: Num>(
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

    /// People from flows: lower ids first within a class, to lower group ids.
    fn hand_out(&self, classes: &[Class], plan: &Plan) -> BTreeMap<String, String> {
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

/// Totals of the groups used by the level-2 searches.
struct Extremes {
    /// Number of groups (> 0).
    n: i64,
    /// Final total headcount: confirmed + placed.
    total: i64,
    max_k: i64,
    min_k: i64,
    /// Largest and smallest possible headcount `max(cap, k)`.
    max_m: i64,
    min_m: i64,
}

impl Extremes {
    fn new(groups: &[Group], placed: i64) -> Self {
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

struct Plan {
    /// (unmet preferences, age penalty above the confirmed one): lower is better.
    key: (i64, i128),
    /// Per class: (slot, number sent there).
    class_slot: Vec<Vec<(usize, i64)>>,
    /// Per group: number received per bracket (last: none).
    group_bracket: Vec<Vec<i64>>,
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

// ---------------------------------------------------------------------------
// Flow networks: maximum flow (Dinic), lower bounds, minimum-cost circulation.

/// Cost arithmetic of the minimum-cost solver.
trait Num:
    Copy
    + Ord
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Conversion; callers make sure the value fits (`Model::cost_type`).
    fn of(x: i128) -> Self;
    /// Back to an index; only called on small non-negative values.
    fn small(self) -> usize;
    /// Prices below minus this are reported as `Overflow` before arithmetic
    /// on them could overflow.
    const PRICE_FLOOR: i128;
}

impl Num for i64 {
    const PRICE_FLOOR: i128 = (i64::MAX / 4) as i128;
    fn of(x: i128) -> Self {
        i64::try_from(x).expect("cost fits in i64 (checked by cost_type)")
    }
    fn small(self) -> usize {
        usize::try_from(self).expect("small non-negative value")
    }
}

impl Num for i128 {
    const PRICE_FLOOR: i128 = i128::MAX / 4;
    fn of(x: i128) -> Self {
        x
    }
    fn small(self) -> usize {
        usize::try_from(self).expect("small non-negative value")
    }
}

const INFINITE: i64 = i64::MAX / 4;

/// The cost-scaling prices left the safe range of the cost type.
#[derive(Debug)]
struct Overflow;

struct Builder<C> {
    nodes: usize,
    edges: Vec<(usize, usize, i64, C)>,
}

impl<C: Num> Builder<C> {
    fn new(nodes: usize) -> Self {
        Builder {
            nodes,
            edges: Vec::new(),
        }
    }

    fn edge(&mut self, from: usize, to: usize, capacity: i64, cost: C) -> usize {
        self.edges.push((from, to, capacity, cost));
        self.edges.len() - 1
    }

    /// The residual graph (arcs grouped by tail) and each edge's forward arc.
    fn build(self) -> (Graph<C>, Vec<usize>) {
        let n = self.nodes;
        let mut first = vec![0usize; n + 1];
        for &(u, v, _, _) in &self.edges {
            first[u + 1] += 1;
            first[v + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let m = first[n];
        let mut next = first.clone();
        let zero = C::of(0);
        let mut graph = Graph {
            first,
            to: vec![0; m],
            rev: vec![0; m],
            res: vec![0; m],
            cost: vec![zero; m],
        };
        let mut arc_of = Vec::with_capacity(self.edges.len());
        for (u, v, capacity, cost) in self.edges {
            let a = next[u];
            next[u] += 1;
            let r = next[v];
            next[v] += 1;
            graph.to[a] = v;
            graph.to[r] = u;
            graph.rev[a] = r;
            graph.rev[r] = a;
            graph.res[a] = capacity;
            graph.cost[a] = cost;
            graph.cost[r] = -cost;
            arc_of.push(a);
        }
        (graph, arc_of)
    }
}

/// A network with lower bounds and node supplies, solved for feasibility with a
/// super source and a super sink.
struct Bounded<C> {
    builder: Builder<C>,
    excess: Vec<i64>,
    lower: Vec<i64>,
}

impl<C: Num> Bounded<C> {
    fn new(nodes: usize) -> Self {
        Bounded {
            builder: Builder::new(nodes),
            excess: vec![0; nodes],
            lower: Vec::new(),
        }
    }

    fn supply(&mut self, node: usize, amount: i64) {
        self.excess[node] += amount;
    }

    fn edge(&mut self, from: usize, to: usize, lo: i64, hi: i64, cost: C) -> usize {
        self.excess[from] -= lo;
        self.excess[to] += lo;
        self.lower.push(lo);
        self.builder.edge(from, to, hi - lo, cost)
    }

    /// A flow within the bounds meeting the supplies, if there is one.
    fn feasible_flow(mut self) -> Option<Flow<C>> {
        let n = self.builder.nodes;
        let (ss, tt) = (n, n + 1);
        self.builder.nodes += 2;
        let real_edges = self.builder.edges.len();
        let mut needed = 0;
        for (v, &x) in self.excess.iter().enumerate() {
            if x > 0 {
                self.builder.edge(ss, v, x, C::of(0));
                needed += x;
            } else if x < 0 {
                self.builder.edge(v, tt, -x, C::of(0));
            }
        }
        let (mut graph, arc_of) = self.builder.build();
        if graph.max_flow(ss, tt) != needed {
            return None;
        }
        for &a in &arc_of[real_edges..] {
            let r = graph.rev[a];
            graph.res[a] = 0;
            graph.res[r] = 0;
        }
        Some(Flow {
            graph,
            arc_of,
            lower: self.lower,
        })
    }
}

struct Flow<C> {
    graph: Graph<C>,
    arc_of: Vec<usize>,
    lower: Vec<i64>,
}

impl<C: Num> Flow<C> {
    fn flow(&self, edge: usize) -> i64 {
        self.lower[edge] + self.graph.res[self.graph.rev[self.arc_of[edge]]]
    }
}

/// Residual graph: arc `a` goes from its tail (the node whose range holds it) to
/// `to[a]`; `rev[a]` is its reverse arc.
struct Graph<C> {
    first: Vec<usize>,
    to: Vec<usize>,
    rev: Vec<usize>,
    res: Vec<i64>,
    cost: Vec<C>,
}

impl<C: Num> Graph<C> {
    fn nodes(&self) -> usize {
        self.first.len() - 1
    }

    fn push(&mut self, a: usize, amount: i64) {
        self.res[a] -= amount;
        let r = self.rev[a];
        self.res[r] += amount;
    }

    /// Dinic's maximum flow from `s` to `t` on the residual capacities.
    fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let n = self.nodes();
        let mut level = vec![-1i64; n];
        let mut current = vec![0usize; n];
        let mut queue = VecDeque::new();
        let mut total = 0;
        loop {
            level.fill(-1);
            level[s] = 0;
            queue.push_back(s);
            while let Some(u) = queue.pop_front() {
                for a in self.first[u]..self.first[u + 1] {
                    let v = self.to[a];
                    if self.res[a] > 0 && level[v] < 0 {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[t] < 0 {
                return total;
            }
            current.copy_from_slice(&self.first[..n]);
            loop {
                let pushed = self.blocking(s, t, INFINITE, &level, &mut current);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
    }

    fn blocking(
        &mut self,
        u: usize,
        t: usize,
        limit: i64,
        level: &[i64],
        current: &mut [usize],
    ) -> i64 {
        if u == t {
            return limit;
        }
        let mut pushed = 0;
        while current[u] < self.first[u + 1] {
            let a = current[u];
            let v = self.to[a];
            if self.res[a] > 0 && level[v] == level[u] + 1 {
                let d = self.blocking(v, t, (limit - pushed).min(self.res[a]), level, current);
                if d > 0 {
                    self.push(a, d);
                    pushed += d;
                    if pushed == limit {
                        return pushed;
                    }
                }
            }
            current[u] += 1;
        }
        pushed
    }

    /// Turns the current (feasible) flow into a minimum-cost one with the same
    /// node balances: cost scaling with push-relabel refinement (Goldberg–Tarjan),
    /// with global price updates.
    fn min_cost_circulation(&mut self) -> Result<(), Overflow> {
        self.min_cost_circulation_above(C::of(-C::PRICE_FLOOR))
    }

    /// As `min_cost_circulation`, with prices kept at or above `floor`.
    fn min_cost_circulation_above(&mut self, floor: C) -> Result<(), Overflow> {
        const ALPHA: i128 = 16;
        let n = self.nodes();
        let zero = C::of(0);
        let scale = C::of(n as i128 + 1);
        let cost: Vec<C> = self.cost.iter().map(|&c| c * scale).collect();
        let mut eps = cost.iter().fold(zero, |m, &c| m.max(c));
        if eps == zero {
            return Ok(());
        }
        let mut state = Scaling {
            graph: self,
            cost,
            price: vec![zero; n],
            excess: vec![0; n],
            current: vec![0; n],
            active: VecDeque::new(),
            distance: vec![0; n],
            buckets: vec![Vec::new(); n + 1],
            floor,
            overflow: false,
        };
        loop {
            eps = (eps / C::of(ALPHA)).max(C::of(1));
            state.refine(eps);
            if state.overflow {
                return Err(Overflow);
            }
            if eps == C::of(1) {
                return Ok(());
            }
        }
    }
}

/// Working state of the cost-scaling solver. Reduced cost of arc `a` from `u`:
/// `cost[a] + price[u] - price[to[a]]`; eps-optimal: at least `-eps` on every
/// arc with residual capacity.
struct Scaling<'g, C> {
    graph: &'g mut Graph<C>,
    /// Costs multiplied by `nodes + 1`.
    cost: Vec<C>,
    price: Vec<C>,
    excess: Vec<i64>,
    current: Vec<usize>,
    active: VecDeque<usize>,
    distance: Vec<usize>,
    buckets: Vec<Vec<usize>>,
    /// Lowest safe price; going below sets `overflow` and stops.
    floor: C,
    overflow: bool,
}

impl<C: Num> Scaling<'_, C> {
    fn reduced(&self, u: usize, a: usize) -> C {
        self.cost[a] + self.price[u] - self.price[self.graph.to[a]]
    }

    /// From an (eps * ALPHA)-optimal circulation to an eps-optimal one.
    fn refine(&mut self, eps: C) {
        let n = self.graph.nodes();
        let zero = C::of(0);
        for u in 0..n {
            for a in self.graph.first[u]..self.graph.first[u + 1] {
                if self.graph.res[a] > 0 && self.reduced(u, a) < zero {
                    let d = self.graph.res[a];
                    self.graph.push(a, d);
                    self.excess[u] -= d;
                    self.excess[self.graph.to[a]] += d;
                }
            }
        }
        self.update_prices(eps);
        for u in 0..n {
            if self.excess[u] > 0 {
                self.active.push_back(u);
            }
        }
        let mut relabels = 0;
        while let Some(u) = self.active.pop_front() {
            while self.excess[u] > 0 {
                if self.overflow {
                    self.active.clear();
                    return;
                }
                if relabels > n {
                    relabels = 0;
                    self.update_prices(eps);
                }
                if self.current[u] == self.graph.first[u + 1] {
                    self.relabel(u, eps);
                    relabels += 1;
                    continue;
                }
                let a = self.current[u];
                if self.graph.res[a] > 0 && self.reduced(u, a) < zero {
                    let v = self.graph.to[a];
                    let d = self.excess[u].min(self.graph.res[a]);
                    self.graph.push(a, d);
                    self.excess[u] -= d;
                    let before = self.excess[v];
                    self.excess[v] += d;
                    if before <= 0 && self.excess[v] > 0 {
                        self.active.push_back(v);
                    }
                } else {
                    self.current[u] += 1;
                }
            }
        }
    }

    /// The largest price keeping every residual arc of `u` eps-optimal: one of
    /// them becomes admissible.
    fn relabel(&mut self, u: usize, eps: C) {
        let g = &self.graph;
        let mut best: Option<C> = None;
        for a in g.first[u]..g.first[u + 1] {
            if g.res[a] > 0 {
                let candidate = self.price[g.to[a]] - self.cost[a];
                best = Some(best.map_or(candidate, |b| b.max(candidate)));
            }
        }
        self.price[u] = best.expect("a node with excess has a residual arc") - eps;
        self.overflow |= self.price[u] < self.floor;
        self.current[u] = g.first[u];
    }

    /// Global price update (Goldberg): with `d(v)` the shortest distance from `v`
    /// to a node with a deficit, arc lengths `floor(reduced / eps) + 1` (Dial's
    /// buckets, searched backwards from the deficits), lowers each price by
    /// `eps * d(v)`. Keeps eps-optimality and makes a shortest path from every
    /// excess admissible. The search stops once every excess is reached (level
    /// `D`); nodes not scanned by then get `D`, which keeps eps-optimality too.
    fn update_prices(&mut self, eps: C) {
        let n = self.graph.nodes();
        let limit = n;
        let unreached = usize::MAX;
        self.distance.fill(unreached);
        let mut waiting = 0;
        for v in 0..n {
            if self.excess[v] < 0 {
                self.distance[v] = 0;
                self.buckets[0].push(v);
            } else if self.excess[v] > 0 {
                waiting += 1;
            }
        }
        let mut stop = limit + 1;
        'search: for level in 0..=limit {
            while let Some(w) = self.buckets[level].pop() {
                if self.distance[w] != level {
                    continue; // reached again at a lower level
                }
                if self.excess[w] > 0 {
                    waiting -= 1;
                    if waiting == 0 {
                        stop = level;
                        break 'search;
                    }
                }
                for a in self.graph.first[w]..self.graph.first[w + 1] {
                    let r = self.graph.rev[a];
                    if self.graph.res[r] == 0 {
                        continue;
                    }
                    let v = self.graph.to[a]; // r goes from v to w
                    let reduced = self.reduced(v, r);
                    let length = if reduced < C::of(0) {
                        0
                    } else {
                        let steps = reduced / eps;
                        if steps >= C::of(limit as i128) {
                            continue;
                        }
                        steps.small() + 1
                    };
                    let candidate = level + length;
                    if candidate <= limit && candidate < self.distance[v] {
                        self.distance[v] = candidate;
                        self.buckets[candidate].push(v);
                    }
                }
            }
        }
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        for v in 0..n {
            let d = self.distance[v].min(stop);
            if d > 0 {
                self.price[v] = self.price[v] - eps * C::of(d as i128);
                self.overflow |= self.price[v] < self.floor;
            }
            self.current[v] = self.graph.first[v];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Reference: cancel negative cycles (Bellman-Ford) until there is none.
    fn cancel_negative_cycles(graph: &mut Graph<i64>) {
        let n = graph.nodes();
        loop {
            let mut dist = vec![0i64; n];
            let mut pred = vec![usize::MAX; n];
            let mut last = None;
            for _ in 0..n {
                last = None;
                for u in 0..n {
                    for a in graph.first[u]..graph.first[u + 1] {
                        let v = graph.to[a];
                        if graph.res[a] > 0 && dist[u] + graph.cost[a] < dist[v] {
                            dist[v] = dist[u] + graph.cost[a];
                            pred[v] = a;
                            last = Some(v);
                        }
                    }
                }
                if last.is_none() {
                    return;
                }
            }
            let mut v = last.expect("relaxed in round n");
            for _ in 0..n {
                v = graph.to[graph.rev[pred[v]]];
            }
            let mut cycle = Vec::new();
            let start = v;
            loop {
                let a = pred[v];
                cycle.push(a);
                v = graph.to[graph.rev[a]];
                if v == start {
                    break;
                }
            }
            let amount = cycle.iter().map(|&a| graph.res[a]).min().expect("cycle");
            for a in cycle {
                graph.push(a, amount);
            }
        }
    }

    fn total_cost<C: Num>(flow: &Flow<C>, costs: &[i64]) -> i64 {
        (0..costs.len()).map(|e| flow.flow(e) * costs[e]).sum()
    }

    /// Random networks (lower bounds, supplies, negative costs, self-loops): cost
    /// scaling in `i64` and `i128` against cycle cancelling. Returns how many were
    /// feasible.
    fn compare_on_random_networks(
        seed: u64,
        rounds: usize,
        nodes: std::ops::Range<usize>,
        edges: std::ops::Range<usize>,
        supply_rate: f64,
    ) -> usize {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut checked = 0;
        for _ in 0..rounds {
            let n = rng.gen_range(nodes.clone());
            let edges: Vec<(usize, usize, i64, i64, i64)> = (0..rng.gen_range(edges.clone()))
                .map(|_| {
                    let lo = if rng.gen_bool(0.1) {
                        rng.gen_range(0..3)
                    } else {
                        0
                    };
                    (
                        rng.gen_range(0..n),
                        rng.gen_range(0..n),
                        lo,
                        lo + rng.gen_range(0..6),
                        rng.gen_range(-30..60),
                    )
                })
                .collect();
            let supply: Vec<i64> = (0..n)
                .map(|_| {
                    if rng.gen_bool(supply_rate) {
                        rng.gen_range(-3..4)
                    } else {
                        0
                    }
                })
                .collect();
            let total: i64 = supply.iter().sum();
            let make = || {
                let mut b = Bounded::<i64>::new(n);
                for (v, &s) in supply.iter().enumerate() {
                    b.supply(v, if v == 0 { s - total } else { s });
                }
                for &(u, v, lo, hi, c) in &edges {
                    b.edge(u, v, lo, hi, c);
                }
                b.feasible_flow()
            };
            let Some(mut fast) = make() else { continue };
            let mut slow = make().expect("same network");
            let mut wide = {
                let mut b = Bounded::<i128>::new(n);
                for (v, &s) in supply.iter().enumerate() {
                    b.supply(v, if v == 0 { s - total } else { s });
                }
                for &(u, v, lo, hi, c) in &edges {
                    b.edge(u, v, lo, hi, i128::from(c));
                }
                b.feasible_flow().expect("same network")
            };
            fast.graph.min_cost_circulation().expect("small costs");
            wide.graph.min_cost_circulation().expect("small costs");
            cancel_negative_cycles(&mut slow.graph);
            let costs: Vec<i64> = edges.iter().map(|e| e.4).collect();
            let reference = total_cost(&slow, &costs);
            assert_eq!(total_cost(&fast, &costs), reference);
            assert_eq!(total_cost(&wide, &costs), reference);
            let mut balance = vec![0i64; n];
            for (e, &(u, v, lo, hi, _)) in edges.iter().enumerate() {
                let x = fast.flow(e);
                assert!(lo <= x && x <= hi, "bounds kept");
                balance[u] -= x;
                balance[v] += x;
            }
            for (v, &s) in supply.iter().enumerate() {
                let s = if v == 0 { s - total } else { s };
                assert_eq!(balance[v], -s, "supplies met");
            }
            checked += 1;
        }
        checked
    }

    #[test]
    fn cost_scaling_matches_negative_cycle_cancelling_on_small_networks() {
        let checked = compare_on_random_networks(10, 6000, 2..9, 1..20, 0.6);
        assert!(checked > 1500, "enough feasible networks: {checked}");
    }

    #[test]
    fn cost_scaling_matches_negative_cycle_cancelling_on_larger_networks() {
        let checked = compare_on_random_networks(13, 150, 15..45, 30..200, 0.15);
        assert!(checked > 40, "enough feasible networks: {checked}");
    }

    fn random_instance(rng: &mut StdRng, groups: usize, registrations: usize) -> Instance {
        let slots = ["mon-18:30", "tue-10:00", "sat-09:30"];
        let brackets = ["0-3", "4-6", "7-11"];
        Instance {
            groups: (0..rng.gen_range(1..=groups))
                .map(|i| GroupInput {
                    id: format!("g{i}"),
                    capacity: rng.gen_range(0..10),
                    confirmed: rng.gen_range(0..5),
                    slot: slots[rng.gen_range(0..3)].to_string(),
                    confirmed_brackets: BTreeMap::from([(
                        brackets[rng.gen_range(0..3)].to_string(),
                        rng.gen_range(0..3),
                    )]),
                })
                .collect(),
            registrations: (0..rng.gen_range(0..=registrations))
                .map(|i| RegistrationInput {
                    id: format!("r{i:02}"),
                    available_slots: slots
                        .iter()
                        .filter(|_| rng.gen_bool(0.5))
                        .map(|s| s.to_string())
                        .collect(),
                    preferred_slot: rng
                        .gen_bool(0.6)
                        .then(|| slots[rng.gen_range(0..3)].to_string()),
                    bracket: rng
                        .gen_bool(0.7)
                        .then(|| brackets[rng.gen_range(0..3)].to_string()),
                })
                .collect(),
        }
    }

    #[test]
    fn wide_and_narrow_costs_give_the_same_proposal() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..100 {
            let instance = random_instance(&mut rng, 6, 25);
            let model = Model::new(&instance);
            let narrow = model.solve::<i64>().expect("small costs");
            let wide = model.solve::<i128>().expect("small costs");
            assert_eq!(narrow, wide);
        }
    }

    #[test]
    fn prices_below_the_floor_are_reported_as_overflow() {
        // A negative cycle of cost -30 (0 -> 1 -> 2 -> 0) to cancel.
        let network = || {
            let mut b = Bounded::<i64>::new(3);
            b.edge(0, 1, 0, 5, -10);
            b.edge(1, 2, 0, 5, -10);
            b.edge(2, 0, 0, 5, -10);
            b.feasible_flow().expect("zero flow")
        };
        let mut low = network();
        assert!(low.graph.min_cost_circulation_above(-1).is_err());
        let mut normal = network();
        normal.graph.min_cost_circulation().expect("small costs");
        assert_eq!(normal.flow(0), 5);
    }

    #[test]
    fn the_gap_lower_bound_is_exact_with_a_single_minimum_headcount() {
        // M-convexity (module docs): some assignment has both the largest possible
        // minimum headcount and the smallest possible maximum one.
        let mut rng = StdRng::seed_from_u64(12);
        let mut spread = 0;
        for _ in 0..1500 {
            let instance = random_instance(&mut rng, 8, 40);
            let model = Model::new(&instance);
            let mut avail: BTreeMap<&[usize], i64> = BTreeMap::new();
            for r in &model.registrations {
                *avail.entry(r.slots.as_slice()).or_default() += 1;
            }
            let avail: Vec<(&[usize], i64)> = avail.into_iter().collect();
            let placed = model.max_placed(&avail);
            if placed == 0 {
                continue;
            }
            let e = Extremes::new(&model.groups, placed);
            let max_min = model.max_min_headcount(&avail, &e, placed);
            let min_max = model.min_max_headcount(&avail, &e, placed);
            let (gap, ls) = model.min_gap(&avail, placed);
            assert_eq!(gap, (min_max - max_min).max(0));
            assert_eq!(ls, vec![max_min]);
            if gap >= 2 {
                spread += 1;
            }
        }
        assert!(spread > 100, "instances with several candidate L: {spread}");
    }
}
