//! Minimum-cost circulation by cost scaling (Goldberg–Tarjan push-relabel,
//! factor 16, global price updates), watching its prices for overflow.

use std::collections::VecDeque;

use super::flow::{Graph, Num, Overflow};

impl<C: Num> Graph<C> {
    /// Turns the current (feasible) flow into a minimum-cost one with the same
    /// node balances: cost scaling with push-relabel refinement (Goldberg–Tarjan),
    /// with global price updates.
    pub(super) fn min_cost_circulation(&mut self) -> Result<(), Overflow> {
        self.min_cost_circulation_above(C::of(-C::PRICE_FLOOR))
    }

    /// As `min_cost_circulation`, with prices kept at or above `floor`.
    pub(super) fn min_cost_circulation_above(&mut self, floor: C) -> Result<(), Overflow> {
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
