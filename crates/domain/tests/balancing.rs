//! POL-10 group balancing: `propose` is optimal for the lexicographic objective
//! (checked against exhaustive search with a scorer written here, independently of
//! the crate's), respects the hard constraints, and `evaluate` scores and rejects
//! edited proposals.

use domain::balancing::{
    evaluate, propose, GroupInput, Instance, Proposal, RegistrationInput, Score, Violation,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

fn group(
    id: &str,
    slot: &str,
    capacity: u32,
    confirmed: u32,
    brackets: &[(&str, u32)],
) -> GroupInput {
    GroupInput {
        id: id.to_string(),
        capacity,
        confirmed,
        slot: slot.to_string(),
        confirmed_brackets: brackets.iter().map(|(b, c)| (b.to_string(), *c)).collect(),
    }
}

fn registration(
    id: &str,
    slots: &[&str],
    preferred: Option<&str>,
    bracket: Option<&str>,
) -> RegistrationInput {
    RegistrationInput {
        id: id.to_string(),
        available_slots: slots.iter().map(|s| s.to_string()).collect(),
        preferred_slot: preferred.map(str::to_string),
        bracket: bracket.map(str::to_string),
    }
}

fn assignments(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(r, g)| (r.to_string(), g.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------
// Independent scorer and exhaustive search.

/// The instance as indices, for the oracle.
struct Indexed {
    confirmed: Vec<u32>,
    capacity: Vec<u32>,
    /// Confirmed per group and bracket index.
    base: Vec<Vec<u64>>,
    /// Groups each registration may join.
    options: Vec<Vec<usize>>,
    /// Whether registration r in group g has an unmet preference.
    unmet: Vec<Vec<bool>>,
    bracket: Vec<Option<usize>>,
}

impl Indexed {
    fn new(instance: &Instance) -> Self {
        let mut names: Vec<&str> = instance
            .groups
            .iter()
            .flat_map(|g| g.confirmed_brackets.keys().map(String::as_str))
            .chain(
                instance
                    .registrations
                    .iter()
                    .filter_map(|r| r.bracket.as_deref()),
            )
            .collect();
        names.sort_unstable();
        names.dedup();
        let index = |b: &str| names.iter().position(|n| *n == b).unwrap();
        let groups = &instance.groups;
        Indexed {
            confirmed: groups.iter().map(|g| g.confirmed).collect(),
            capacity: groups.iter().map(|g| g.capacity).collect(),
            base: groups
                .iter()
                .map(|g| {
                    let mut v = vec![0u64; names.len()];
                    for (b, c) in &g.confirmed_brackets {
                        v[index(b)] += u64::from(*c);
                    }
                    v
                })
                .collect(),
            options: instance
                .registrations
                .iter()
                .map(|r| {
                    (0..groups.len())
                        .filter(|&g| r.available_slots.contains(&groups[g].slot))
                        .collect()
                })
                .collect(),
            unmet: instance
                .registrations
                .iter()
                .map(|r| {
                    groups
                        .iter()
                        .map(|g| r.preferred_slot.as_ref().is_some_and(|p| *p != g.slot))
                        .collect()
                })
                .collect(),
            bracket: instance
                .registrations
                .iter()
                .map(|r| r.bracket.as_deref().map(index))
                .collect(),
        }
    }

    /// Score of a complete choice; `None` when a hard constraint is broken.
    fn score(&self, choice: &[Option<usize>]) -> Option<Score> {
        let n = self.confirmed.len();
        let mut added = vec![0u32; n];
        let mut by_bracket = self.base.clone();
        let mut unplaced = 0;
        let mut unmet = 0;
        for (r, c) in choice.iter().enumerate() {
            match *c {
                None => unplaced += 1,
                Some(g) => {
                    if !self.options[r].contains(&g) {
                        return None;
                    }
                    added[g] += 1;
                    if self.unmet[r][g] {
                        unmet += 1;
                    }
                    if let Some(b) = self.bracket[r] {
                        by_bracket[g][b] += 1;
                    }
                }
            }
        }
        let headcounts: Vec<u32> = (0..n).map(|g| self.confirmed[g] + added[g]).collect();
        if (0..n).any(|g| added[g] > 0 && headcounts[g] > self.capacity[g]) {
            return None;
        }
        let gap = match (headcounts.iter().max(), headcounts.iter().min()) {
            (Some(max), Some(min)) => max - min,
            _ => 0,
        };
        Some(Score {
            unplaced,
            gap,
            unmet_preferences: unmet,
            age_penalty: by_bracket.iter().flatten().map(|c| c * c).sum(),
        })
    }

    /// The minimum score over every assignment (each registration: nowhere or any
    /// group), by depth-first enumeration.
    fn exhaustive_minimum(&self) -> Score {
        let r = self.options.len();
        let mut choice = vec![None; r];
        let mut best = None;
        self.enumerate(0, &mut choice, &mut best);
        best.expect("leaving everyone unplaced is feasible")
    }

    fn enumerate(&self, r: usize, choice: &mut Vec<Option<usize>>, best: &mut Option<Score>) {
        if r == choice.len() {
            if let Some(score) = self.score(choice) {
                match best {
                    Some(b) if *b <= score => {}
                    _ => *best = Some(score),
                }
            }
            return;
        }
        choice[r] = None;
        self.enumerate(r + 1, choice, best);
        for g in 0..self.confirmed.len() {
            // Every group is tried; the scorer rejects the infeasible ones.
            choice[r] = Some(g);
            let count = choice.iter().filter(|c| **c == Some(g)).count() as u32;
            if self.confirmed[g] + count <= self.capacity[g] {
                self.enumerate(r + 1, choice, best);
            }
        }
        choice[r] = None;
    }
}

/// The proposal's assignment as a choice vector, scored by the oracle's scorer.
fn oracle_score_of(instance: &Instance, proposal: &Proposal) -> Option<Score> {
    let choice: Vec<Option<usize>> = instance
        .registrations
        .iter()
        .map(|r| {
            proposal.assignments.get(&r.id).map(|g| {
                instance
                    .groups
                    .iter()
                    .position(|x| x.id == *g)
                    .expect("known group")
            })
        })
        .collect();
    assert_eq!(
        proposal.assignments.len(),
        choice.iter().flatten().count(),
        "only known registrations are assigned"
    );
    Indexed::new(instance).score(&choice)
}

const SLOTS: [&str; 3] = ["mon-18:30", "wed-10:00", "sat-09:30"];
const BRACKETS: [&str; 3] = ["0-3", "4-6", "7-11"];

fn random_small_instance(rng: &mut StdRng) -> Instance {
    let slots = &SLOTS[..rng.gen_range(1..=3)];
    let groups = rng.gen_range(1..=4);
    let registrations = rng.gen_range(0..=7);
    let mut group_ids: Vec<usize> = (0..groups).collect();
    group_ids.shuffle(rng);
    let mut registration_ids: Vec<usize> = (0..registrations).collect();
    registration_ids.shuffle(rng);
    // A slot no group has, to be ignored.
    let mut offered: Vec<&str> = slots.to_vec();
    offered.push("sun-12:00");
    Instance {
        groups: group_ids
            .iter()
            .map(|i| {
                let confirmed = rng.gen_range(0..=3);
                let mut brackets = BTreeMap::new();
                for _ in 0..confirmed {
                    if rng.gen_bool(0.7) {
                        *brackets
                            .entry(BRACKETS[rng.gen_range(0..3)].to_string())
                            .or_insert(0) += 1;
                    }
                }
                GroupInput {
                    id: format!("g{i}"),
                    capacity: rng.gen_range(0..=4),
                    confirmed,
                    slot: slots[rng.gen_range(0..slots.len())].to_string(),
                    confirmed_brackets: brackets,
                }
            })
            .collect(),
        registrations: registration_ids
            .iter()
            .map(|i| RegistrationInput {
                id: format!("r{i}"),
                available_slots: offered
                    .iter()
                    .filter(|_| rng.gen_bool(0.55))
                    .map(|s| s.to_string())
                    .collect(),
                preferred_slot: rng
                    .gen_bool(0.7)
                    .then(|| offered[rng.gen_range(0..offered.len())].to_string()),
                bracket: rng
                    .gen_bool(0.75)
                    .then(|| BRACKETS[rng.gen_range(0..3)].to_string()),
            })
            .collect(),
    }
}

#[test]
fn pol_10_proposal_is_optimal_against_exhaustive_search() {
    let mut rng = StdRng::seed_from_u64(20_261_125);
    let mut nontrivial = 0;
    for case in 0..10_000 {
        let instance = random_small_instance(&mut rng);
        let oracle = Indexed::new(&instance);
        let best = oracle.exhaustive_minimum();
        let proposal = propose(&instance);
        assert_eq!(proposal.score, best, "case {case}: {instance:?}");
        assert_eq!(
            oracle_score_of(&instance, &proposal),
            Some(best.clone()),
            "case {case}: the oracle scores the proposal as announced"
        );
        let evaluated = evaluate(&instance, &proposal.assignments).expect("feasible proposal");
        assert_eq!(evaluated, proposal, "case {case}");
        if best.unmet_preferences > 0 || best.gap > 0 {
            nontrivial += 1;
        }
    }
    assert!(
        nontrivial > 1000,
        "the generator exercises levels 2-4: {nontrivial}"
    );
}

#[test]
fn pol_10_evaluate_scores_like_the_exhaustive_oracle() {
    // Random edited assignments (feasible or not) on random instances.
    let mut rng = StdRng::seed_from_u64(7);
    let mut feasible = 0;
    for _ in 0..3000 {
        let instance = random_small_instance(&mut rng);
        let groups = instance.groups.len();
        let choice: Vec<Option<usize>> = instance
            .registrations
            .iter()
            .map(|_| rng.gen_bool(0.7).then(|| rng.gen_range(0..groups)))
            .collect();
        let edited: BTreeMap<String, String> = instance
            .registrations
            .iter()
            .zip(&choice)
            .filter_map(|(r, c)| c.map(|g| (r.id.clone(), instance.groups[g].id.clone())))
            .collect();
        let expected = Indexed::new(&instance).score(&choice);
        match (evaluate(&instance, &edited), expected) {
            (Ok(p), Some(score)) => {
                assert_eq!(p.score, score);
                feasible += 1;
            }
            (Err(Violation::SlotNotAvailable { .. } | Violation::OverCapacity { .. }), None) => {}
            (got, expected) => panic!("evaluate {got:?}, oracle {expected:?}, {instance:?}"),
        }
    }
    assert!(feasible > 500, "{feasible}");
}

fn random_medium_instance(rng: &mut StdRng) -> Instance {
    let slots = &SLOTS[..rng.gen_range(1..=3)];
    Instance {
        groups: (0..rng.gen_range(2..=8))
            .map(|i| {
                let confirmed = rng.gen_range(0..=4);
                group(
                    &format!("g{i}"),
                    slots[rng.gen_range(0..slots.len())],
                    rng.gen_range(2..=9),
                    confirmed,
                    &[(BRACKETS[rng.gen_range(0..3)], rng.gen_range(0..=confirmed))],
                )
            })
            .collect(),
        registrations: (0..rng.gen_range(10..=40))
            .map(|i| RegistrationInput {
                id: format!("r{i:02}"),
                available_slots: slots
                    .iter()
                    .filter(|_| rng.gen_bool(0.5))
                    .map(|s| s.to_string())
                    .collect(),
                preferred_slot: rng
                    .gen_bool(0.7)
                    .then(|| slots[rng.gen_range(0..slots.len())].to_string()),
                bracket: rng
                    .gen_bool(0.8)
                    .then(|| BRACKETS[rng.gen_range(0..3)].to_string()),
            })
            .collect(),
    }
}

#[test]
fn pol_10_no_single_move_or_swap_improves_a_larger_proposal() {
    // Too big for exhaustive search: a necessary condition of optimality instead.
    let mut rng = StdRng::seed_from_u64(42);
    for _ in 0..25 {
        let instance = random_medium_instance(&mut rng);
        let proposal = propose(&instance);
        let current = &proposal.assignments;
        let ids: Vec<&String> = instance.registrations.iter().map(|r| &r.id).collect();
        let mut targets: Vec<Option<&String>> =
            instance.groups.iter().map(|g| Some(&g.id)).collect();
        targets.push(None);
        let better = |edited: &BTreeMap<String, String>| match evaluate(&instance, edited) {
            Ok(p) => p.score < proposal.score,
            Err(_) => false,
        };
        for r in &ids {
            for t in &targets {
                let mut edited = current.clone();
                match t {
                    Some(g) => edited.insert(r.to_string(), g.to_string()),
                    None => edited.remove(*r),
                };
                assert!(
                    !better(&edited),
                    "moving {r} to {t:?} improves {instance:?}"
                );
            }
        }
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                let mut edited = current.clone();
                let (ga, gb) = (current.get(*a).cloned(), current.get(*b).cloned());
                edited.remove(*a);
                edited.remove(*b);
                if let Some(g) = gb {
                    edited.insert(a.to_string(), g);
                }
                if let Some(g) = ga {
                    edited.insert(b.to_string(), g);
                }
                assert!(
                    !better(&edited),
                    "swapping {a} and {b} improves {instance:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Hand-written cases.

#[test]
fn pol_10_capacity_is_respected() {
    let instance = Instance {
        groups: vec![
            group("g1", "mon-18:30", 3, 1, &[]),
            group("g2", "mon-18:30", 2, 0, &[]),
        ],
        registrations: (0..7)
            .map(|i| registration(&format!("r{i}"), &["mon-18:30"], None, None))
            .collect(),
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.headcounts["g1"], 3);
    assert_eq!(proposal.headcounts["g2"], 2);
    assert_eq!(proposal.assignments.len(), 4);
    assert_eq!(
        proposal.unplaced,
        vec!["r4", "r5", "r6"],
        "lower ids placed first"
    );
    assert_eq!(proposal.score.unplaced, 3);
}

#[test]
fn pol_10_placing_more_people_wins_over_balance() {
    // Balance alone would leave r1 out of g1 (headcounts 2 and 2 with r0 in g2);
    // placing both comes first.
    let instance = Instance {
        groups: vec![
            group("g1", "mon-18:30", 5, 2, &[]),
            group("g2", "tue-18:30", 5, 1, &[]),
        ],
        registrations: vec![
            registration("r0", &["tue-18:30"], None, None),
            registration("r1", &["mon-18:30"], None, None),
        ],
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.score.unplaced, 0);
    assert_eq!(proposal.score.gap, 1);
}

#[test]
fn pol_10_confirmed_places_are_never_moved() {
    // g1 is over capacity in the data: it keeps its confirmed places and gets no one.
    let instance = Instance {
        groups: vec![
            group("g1", "mon-18:30", 3, 5, &[("4-6", 5)]),
            group("g2", "mon-18:30", 10, 0, &[]),
        ],
        registrations: (0..4)
            .map(|i| registration(&format!("r{i}"), &["mon-18:30"], None, Some("4-6")))
            .collect(),
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.headcounts["g1"], 5);
    assert_eq!(proposal.headcounts["g2"], 4);
    assert!(proposal.assignments.values().all(|g| g == "g2"));
    assert_eq!(proposal.score.gap, 1);
    assert_eq!(proposal.score.age_penalty, 25 + 16);
}

#[test]
fn pol_10_person_without_an_available_group_stays_unplaced() {
    let instance = Instance {
        groups: vec![group("g1", "mon-18:30", 10, 0, &[])],
        registrations: vec![
            registration("r-none", &[], None, None),
            registration("r-other-slot", &["fri-09:00"], Some("fri-09:00"), None),
            registration("r-ok", &["mon-18:30"], None, None),
        ],
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.assignments, assignments(&[("r-ok", "g1")]));
    assert_eq!(proposal.unplaced, vec!["r-none", "r-other-slot"]);
    assert_eq!(proposal.score.unplaced, 2);
}

#[test]
fn pol_10_no_group_means_everyone_unplaced() {
    let instance = Instance {
        groups: vec![],
        registrations: vec![registration("r1", &["mon-18:30"], None, None)],
    };
    let proposal = propose(&instance);
    assert!(proposal.assignments.is_empty());
    assert_eq!(
        proposal.score,
        Score {
            unplaced: 1,
            gap: 0,
            unmet_preferences: 0,
            age_penalty: 0
        }
    );
}

#[test]
fn pol_10_headcounts_are_evened() {
    let instance = Instance {
        groups: vec![
            group("g1", "mon-18:30", 10, 5, &[]),
            group("g2", "mon-18:30", 10, 2, &[]),
            group("g3", "mon-18:30", 10, 0, &[]),
        ],
        registrations: (0..7)
            .map(|i| registration(&format!("r{i}"), &["mon-18:30"], None, None))
            .collect(),
    };
    let proposal = propose(&instance);
    let mut counts: Vec<u32> = proposal.headcounts.values().copied().collect();
    counts.sort_unstable();
    assert_eq!(counts, vec![4, 5, 5]);
    assert_eq!(proposal.score.gap, 1);
    assert_eq!(
        proposal.headcounts["g1"], 5,
        "the fullest group gets no one"
    );
}

#[test]
fn pol_10_preference_is_honoured_when_it_costs_no_balance() {
    let instance = Instance {
        groups: vec![
            group("g-mon", "mon-18:30", 10, 0, &[]),
            group("g-sat", "sat-09:30", 10, 0, &[]),
        ],
        registrations: vec![
            registration("r1", &["mon-18:30", "sat-09:30"], Some("sat-09:30"), None),
            registration("r2", &["mon-18:30", "sat-09:30"], Some("mon-18:30"), None),
            registration("r3", &["mon-18:30", "sat-09:30"], Some("sat-09:30"), None),
            registration("r4", &["mon-18:30", "sat-09:30"], None, None),
        ],
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.score.gap, 0);
    assert_eq!(proposal.score.unmet_preferences, 0);
    assert_eq!(
        proposal.assignments,
        assignments(&[
            ("r1", "g-sat"),
            ("r2", "g-mon"),
            ("r3", "g-sat"),
            ("r4", "g-mon")
        ])
    );
}

#[test]
fn pol_10_balance_wins_over_preference() {
    let instance = Instance {
        groups: vec![
            group("g-mon", "mon-18:30", 10, 0, &[]),
            group("g-sat", "sat-09:30", 10, 0, &[]),
        ],
        registrations: (0..4)
            .map(|i| {
                registration(
                    &format!("r{i}"),
                    &["mon-18:30", "sat-09:30"],
                    Some("sat-09:30"),
                    None,
                )
            })
            .collect(),
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.score.gap, 0);
    assert_eq!(proposal.score.unmet_preferences, 2);
    assert_eq!(proposal.headcounts["g-mon"], 2);
}

#[test]
fn pol_10_preference_wins_over_age_mix() {
    // Age mix would put the 0-3 child in g-sat with the older ones; the preference
    // for g-mon comes first.
    let instance = Instance {
        groups: vec![
            group("g-mon", "mon-18:30", 10, 1, &[("0-3", 1)]),
            group("g-sat", "sat-09:30", 10, 1, &[("7-11", 1)]),
        ],
        registrations: vec![
            registration(
                "r1",
                &["mon-18:30", "sat-09:30"],
                Some("mon-18:30"),
                Some("0-3"),
            ),
            registration("r2", &["mon-18:30", "sat-09:30"], None, Some("7-11")),
        ],
    };
    let proposal = propose(&instance);
    assert_eq!(
        proposal.assignments,
        assignments(&[("r1", "g-mon"), ("r2", "g-sat")])
    );
    assert_eq!(proposal.score.unmet_preferences, 0);
    assert_eq!(proposal.score.age_penalty, 8);
}

#[test]
fn pol_10_age_mix_breaks_ties() {
    let instance = Instance {
        groups: vec![
            group("g1", "mon-18:30", 10, 2, &[("0-3", 2)]),
            group("g2", "mon-18:30", 10, 2, &[("7-11", 2)]),
        ],
        registrations: vec![
            registration("r1", &["mon-18:30"], None, Some("0-3")),
            registration("r2", &["mon-18:30"], None, Some("0-3")),
            registration("r3", &["mon-18:30"], None, Some("7-11")),
            registration("r4", &["mon-18:30"], None, Some("7-11")),
        ],
    };
    let proposal = propose(&instance);
    assert_eq!(
        proposal.assignments,
        assignments(&[("r1", "g2"), ("r2", "g2"), ("r3", "g1"), ("r4", "g1")])
    );
    assert_eq!(proposal.score.age_penalty, 4 * 4);
}

#[test]
fn pol_10_proposal_is_deterministic() {
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..50 {
        let instance = random_medium_instance(&mut rng);
        let first = propose(&instance);
        assert_eq!(propose(&instance), first, "same input, same output");
        let mut shuffled = instance.clone();
        shuffled.groups.shuffle(&mut rng);
        shuffled.registrations.shuffle(&mut rng);
        assert_eq!(propose(&shuffled), first, "input order does not matter");
    }
}

#[test]
fn pol_10_duplicate_ids_count_once() {
    let instance = Instance {
        groups: vec![
            group("g1", "mon-18:30", 1, 0, &[]),
            group("g1", "mon-18:30", 50, 0, &[]),
        ],
        registrations: vec![
            registration("r1", &["mon-18:30"], None, None),
            registration("r1", &["mon-18:30"], None, None),
            registration("r2", &["mon-18:30"], None, None),
        ],
    };
    let proposal = propose(&instance);
    assert_eq!(proposal.headcounts.len(), 1);
    assert_eq!(proposal.assignments, assignments(&[("r1", "g1")]));
    assert_eq!(proposal.unplaced, vec!["r2"]);
}

fn edited_instance() -> Instance {
    Instance {
        groups: vec![
            group("g-mon", "mon-18:30", 2, 1, &[("0-3", 1)]),
            group("g-sat", "sat-09:30", 3, 0, &[]),
        ],
        registrations: vec![
            registration("r1", &["mon-18:30"], Some("sat-09:30"), Some("0-3")),
            registration("r2", &["mon-18:30", "sat-09:30"], None, None),
            registration("r3", &["sat-09:30"], None, Some("0-3")),
        ],
    }
}

#[test]
fn pol_10_evaluate_scores_an_edited_proposal() {
    let instance = edited_instance();
    let proposal = evaluate(&instance, &assignments(&[("r1", "g-mon"), ("r3", "g-sat")])).unwrap();
    assert_eq!(proposal.unplaced, vec!["r2"]);
    assert_eq!(
        proposal.headcounts,
        BTreeMap::from([("g-mon".to_string(), 2), ("g-sat".to_string(), 1)])
    );
    assert_eq!(
        proposal.score,
        Score {
            unplaced: 1,
            gap: 1,
            unmet_preferences: 1,
            age_penalty: 4 + 1
        }
    );
}

#[test]
fn pol_10_evaluate_rejects_an_unknown_registration() {
    let error = evaluate(&edited_instance(), &assignments(&[("r9", "g-mon")])).unwrap_err();
    assert_eq!(error, Violation::UnknownRegistration("r9".to_string()));
    assert_eq!(error.to_string(), "unknown registration r9");
}

#[test]
fn pol_10_evaluate_rejects_an_unknown_group() {
    let error = evaluate(&edited_instance(), &assignments(&[("r1", "g-x")])).unwrap_err();
    assert_eq!(error, Violation::UnknownGroup("g-x".to_string()));
    assert_eq!(error.to_string(), "unknown group g-x");
}

#[test]
fn pol_10_evaluate_rejects_a_slot_the_person_is_not_available_for() {
    let error = evaluate(&edited_instance(), &assignments(&[("r1", "g-sat")])).unwrap_err();
    assert_eq!(
        error,
        Violation::SlotNotAvailable {
            registration: "r1".to_string(),
            group: "g-sat".to_string()
        }
    );
    assert_eq!(
        error.to_string(),
        "registration r1 is not available for the slot of group g-sat"
    );
}

#[test]
fn pol_10_evaluate_rejects_a_group_over_capacity() {
    let error = evaluate(
        &edited_instance(),
        &assignments(&[("r1", "g-mon"), ("r2", "g-mon")]),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Violation::OverCapacity {
            group: "g-mon".to_string(),
            headcount: 3,
            capacity: 2
        }
    );
    assert_eq!(
        error.to_string(),
        "group g-mon over capacity: headcount 3, capacity 2"
    );
}

#[test]
fn pol_10_evaluate_accepts_an_overfull_group_that_receives_no_one() {
    let instance = Instance {
        groups: vec![group("g1", "mon-18:30", 2, 4, &[])],
        registrations: vec![registration("r1", &["mon-18:30"], None, None)],
    };
    let proposal = evaluate(&instance, &BTreeMap::new()).unwrap();
    assert_eq!(proposal.headcounts["g1"], 4);
    assert_eq!(
        evaluate(&instance, &assignments(&[("r1", "g1")])).unwrap_err(),
        Violation::OverCapacity {
            group: "g1".to_string(),
            headcount: 5,
            capacity: 2
        }
    );
}
