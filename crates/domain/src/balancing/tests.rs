//! Unit tests of the solver internals: cost scaling against negative-cycle
//! cancelling, `i64` against `i128` costs, overflow reporting, and the exactness
//! of the level-2 lower bound.

use super::flow::{Bounded, Flow, Graph, Num};
use super::headcounts::Extremes;
use super::model::Model;
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
