//! Flow networks: the cost arithmetic, a residual graph with Dinic's maximum
//! flow, and networks with lower bounds and node supplies solved for
//! feasibility. The minimum-cost circulation is in `cost_scaling`.

use std::collections::VecDeque;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Cost arithmetic of the minimum-cost solver.
pub(super) trait Num:
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
pub(super) struct Overflow;

pub(super) struct Builder<C> {
    nodes: usize,
    edges: Vec<(usize, usize, i64, C)>,
}

impl<C: Num> Builder<C> {
    pub(super) fn new(nodes: usize) -> Self {
        Builder {
            nodes,
            edges: Vec::new(),
        }
    }

    pub(super) fn edge(&mut self, from: usize, to: usize, capacity: i64, cost: C) -> usize {
        self.edges.push((from, to, capacity, cost));
        self.edges.len() - 1
    }

    /// The residual graph (arcs grouped by tail) and each edge's forward arc.
    pub(super) fn build(self) -> (Graph<C>, Vec<usize>) {
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
pub(super) struct Bounded<C> {
    builder: Builder<C>,
    excess: Vec<i64>,
    lower: Vec<i64>,
}

impl<C: Num> Bounded<C> {
    pub(super) fn new(nodes: usize) -> Self {
        Bounded {
            builder: Builder::new(nodes),
            excess: vec![0; nodes],
            lower: Vec::new(),
        }
    }

    pub(super) fn supply(&mut self, node: usize, amount: i64) {
        self.excess[node] += amount;
    }

    pub(super) fn edge(&mut self, from: usize, to: usize, lo: i64, hi: i64, cost: C) -> usize {
        self.excess[from] -= lo;
        self.excess[to] += lo;
        self.lower.push(lo);
        self.builder.edge(from, to, hi - lo, cost)
    }

    /// A flow within the bounds meeting the supplies, if there is one.
    pub(super) fn feasible_flow(mut self) -> Option<Flow<C>> {
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

pub(super) struct Flow<C> {
    pub(super) graph: Graph<C>,
    pub(super) arc_of: Vec<usize>,
    pub(super) lower: Vec<i64>,
}

impl<C: Num> Flow<C> {
    pub(super) fn flow(&self, edge: usize) -> i64 {
        self.lower[edge] + self.graph.res[self.graph.rev[self.arc_of[edge]]]
    }
}

/// Residual graph: arc `a` goes from its tail (the node whose range holds it) to
/// `to[a]`; `rev[a]` is its reverse arc.
pub(super) struct Graph<C> {
    pub(super) first: Vec<usize>,
    pub(super) to: Vec<usize>,
    pub(super) rev: Vec<usize>,
    pub(super) res: Vec<i64>,
    pub(super) cost: Vec<C>,
}

impl<C: Num> Graph<C> {
    pub(super) fn nodes(&self) -> usize {
        self.first.len() - 1
    }

    pub(super) fn push(&mut self, a: usize, amount: i64) {
        self.res[a] -= amount;
        let r = self.rev[a];
        self.res[r] += amount;
    }

    /// Dinic's maximum flow from `s` to `t` on the residual capacities.
    pub(super) fn max_flow(&mut self, s: usize, t: usize) -> i64 {
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

    pub(super) fn blocking(
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
}
