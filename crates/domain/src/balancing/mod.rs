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
//!
//! # Layout
//!
//! This file holds the instance, the score and [`propose`]; `evaluate` checks
//! and scores an assignment (the objective above); `model` indexes the instance
//! and drives the levels; `headcounts` solves levels 1 and 2, `costs` levels 3
//! and 4 and the disaggregation; `flow` holds the flow networks (maximum flow,
//! lower bounds) and `cost_scaling` the minimum-cost circulation solver.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod cost_scaling;
mod costs;
mod evaluate;
mod flow;
mod headcounts;
mod model;
#[cfg(test)]
mod tests;

pub use evaluate::evaluate;

use model::{CostType, Model};

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
