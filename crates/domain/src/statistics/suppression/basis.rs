//! A semi-echelon basis of a component's published rows, and the residuals
//! of its sensitive vectors against it (see the module doc of
//! `suppression`, "The pass").
//!
//! Variables are local to a component and numbered by pivot priority: a
//! row's pivot is its *last* (highest) variable. Every basis row is fully
//! reduced against the rows inserted before it (it contains none of their
//! pivots), so a non-zero combination of basis rows is non-zero at the
//! highest pivot involved: the pivots certify independence, and reducing a
//! vector (eliminating every pivot it contains, highest first) gives a
//! canonical residual: `red(v) = 0` exactly when `v` is in the span.

use super::row::{add, coefficient, eliminate, gcd, mul, normalise, sub, Overflow, Row};
use std::collections::BinaryHeap;

/// The basis: for each local variable, the row whose pivot it is.
#[derive(Clone, Debug)]
pub(crate) struct Basis {
    rows: Vec<Option<Row>>,
}

/// Scratch space of [`Basis::reduce`], reused across calls (a dense
/// accumulator over the component's variables and a max-heap of the
/// variables still to visit).
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    acc: Vec<i128>,
    /// Whether a variable is in `touched` (once, even if it cancels and
    /// comes back: scaling must multiply it once).
    listed: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<u32>,
}

impl Scratch {
    pub(crate) fn new(vars: usize) -> Self {
        Self {
            acc: vec![0; vars],
            listed: vec![false; vars],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn clear(&mut self) {
        for &v in &self.touched {
            self.acc[v as usize] = 0;
            self.listed[v as usize] = false;
        }
        self.touched.clear();
        self.heap.clear();
    }

    /// `acc[v] += delta`, queueing `v` when it becomes non-zero.
    fn add(&mut self, v: u32, delta: i128) -> Result<(), Overflow> {
        let old = self.acc[v as usize];
        let new = add(old, delta)?;
        self.acc[v as usize] = new;
        if old == 0 && new != 0 {
            if !self.listed[v as usize] {
                self.listed[v as usize] = true;
                self.touched.push(v);
            }
            self.heap.push(v);
        }
        Ok(())
    }
}

impl Basis {
    pub(crate) fn new(vars: usize) -> Self {
        Self {
            rows: vec![None; vars],
        }
    }

    pub(crate) fn is_pivot(&self, v: u32) -> bool {
        self.rows[v as usize].is_some()
    }

    /// Adds a reduced, normalised, non-empty row (its last variable, not yet
    /// a pivot, becomes one).
    pub(crate) fn insert(&mut self, row: Row) {
        let Some(&(pivot, _)) = row.last() else {
            return;
        };
        debug_assert!(!self.is_pivot(pivot), "a reduced row");
        self.rows[pivot as usize] = Some(row);
    }

    /// The residual of `row`: every pivot eliminated, highest first (a basis
    /// row holds variables up to its pivot only, so each elimination brings
    /// lower variables and the loop ends), normalised. Empty exactly when
    /// `row` is in the span of the basis.
    pub(crate) fn reduce(&self, row: &[(u32, i128)], s: &mut Scratch) -> Result<Row, Overflow> {
        if !row.iter().any(|&(v, _)| self.is_pivot(v)) {
            let mut out = row.to_vec();
            normalise(&mut out);
            return Ok(out);
        }
        let result = self.reduce_slow(row, s);
        s.clear();
        result
    }

    fn reduce_slow(&self, row: &[(u32, i128)], s: &mut Scratch) -> Result<Row, Overflow> {
        for &(v, c) in row {
            s.add(v, c)?;
        }
        // Variables found not to be pivots, in decreasing order.
        let mut out: Vec<(u32, i128)> = Vec::new();
        while let Some(v) = s.heap.pop() {
            let a = s.acc[v as usize];
            if a == 0 {
                continue; // cancelled, or queued twice
            }
            let Some(b) = &self.rows[v as usize] else {
                out.push((v, a));
                s.acc[v as usize] = 0;
                continue;
            };
            let bp = b.last().map_or(1, |&(_, c)| c);
            let mut a = a;
            if a % bp != 0 {
                // Fraction-free: scale everything by bp / gcd first.
                let f = bp / gcd(a, bp);
                for &u in &s.touched {
                    let x = s.acc[u as usize];
                    if x != 0 {
                        s.acc[u as usize] = mul(x, f)?;
                    }
                }
                for entry in out.iter_mut() {
                    entry.1 = mul(entry.1, f)?;
                }
                a = s.acc[v as usize];
            }
            let q = a / bp;
            for &(u, c) in b {
                if u == v {
                    s.acc[v as usize] = 0;
                } else {
                    s.add(u, sub(0, mul(q, c)?)?)?;
                }
            }
        }
        out.reverse();
        normalise(&mut out);
        Ok(out)
    }
}

/// Why a candidate cannot be added to the basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blocked {
    /// A sensitive vector would be in the span.
    Discloses,
    Overflow,
}

/// The residuals of the sensitive vectors against the current basis
/// (`None`: not checked, e.g. already in the ledger's span), and for each
/// variable the vectors whose residual may hold it (kept lazily: entries are
/// checked when used).
#[derive(Clone, Debug)]
pub(crate) struct Residuals {
    res: Vec<Option<Row>>,
    holders: Vec<Vec<u32>>,
    mark: Vec<u32>,
    generation: u32,
}

impl Residuals {
    pub(crate) fn new(vars: usize, res: Vec<Option<Row>>) -> Self {
        let mut holders: Vec<Vec<u32>> = vec![Vec::new(); vars];
        for (sid, row) in res.iter().enumerate() {
            for &(v, _) in row.iter().flatten() {
                holders[v as usize].push(sid as u32);
            }
        }
        let mark = vec![0; res.len()];
        Self {
            res,
            holders,
            mark,
            generation: 0,
        }
    }

    /// The residuals after adding `r` (reduced, normalised, non-empty, its
    /// pivot `p` its last variable) to the basis: each residual holding `p`
    /// loses it (the others hold no variable the change affects). A
    /// sensitive `s` is in `span(B ∪ {r})` exactly when `res(s)` is a
    /// multiple of `r`, i.e. when this elimination gives zero: then
    /// [`Blocked::Discloses`].
    pub(crate) fn try_add(&mut self, r: &[(u32, i128)]) -> Result<Vec<(u32, Row)>, Blocked> {
        let Some(&(p, _)) = r.last() else {
            return Ok(Vec::new());
        };
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.mark.iter_mut().for_each(|m| *m = u32::MAX);
            self.generation = 1;
        }
        let mut updates = Vec::new();
        for &sid in &self.holders[p as usize] {
            if self.mark[sid as usize] == self.generation {
                continue;
            }
            self.mark[sid as usize] = self.generation;
            let Some(res) = &self.res[sid as usize] else {
                continue;
            };
            if coefficient(res, p) == 0 {
                continue; // stale entry
            }
            let new = eliminate(res, r, p).map_err(|Overflow| Blocked::Overflow)?;
            if new.is_empty() {
                return Err(Blocked::Discloses);
            }
            updates.push((sid, new));
        }
        Ok(updates)
    }

    /// Applies the updates of a successful [`Residuals::try_add`] of a row
    /// with pivot `p`.
    pub(crate) fn commit(&mut self, p: u32, updates: Vec<(u32, Row)>) {
        for (sid, new) in updates {
            let old = self.res[sid as usize].take().unwrap_or_default();
            for &(v, _) in &new {
                if coefficient(&old, v) == 0 {
                    self.holders[v as usize].push(sid);
                }
            }
            self.res[sid as usize] = Some(new);
        }
        // No residual holds a pivot.
        self.holders[p as usize] = Vec::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_11_reduce_gives_zero_exactly_on_the_span() {
        // Prefix sums x0, x0+x1, x0+x1+x2 (pivots 0, 1, 2).
        let mut basis = Basis::new(4);
        let mut s = Scratch::new(4);
        for row in [
            vec![(0, 1)],
            vec![(0, 1), (1, 1)],
            vec![(0, 1), (1, 1), (2, 1)],
        ] {
            let r = basis.reduce(&row, &mut s).unwrap();
            assert_eq!(r.len(), 1, "each prefix adds its last variable");
            basis.insert(r);
        }
        assert!(basis.reduce(&[(1, 2), (2, -2)], &mut s).unwrap().is_empty());
        assert_eq!(
            basis.reduce(&[(2, 3), (3, -6)], &mut s).unwrap(),
            vec![(3, 1)],
            "x2 is known, x3 is not: the residual is a multiple of x3"
        );
    }

    #[test]
    fn pol_11_reduce_scales_when_the_pivot_does_not_divide() {
        let mut basis = Basis::new(3);
        let mut s = Scratch::new(3);
        basis.insert(vec![(0, 1), (2, 3)]); // x0 + 3 x2
                                            // 2 x2 + x1: scaled by 3 then x0 + 3x2 removed: 3x1 - 2x0.
        let r = basis.reduce(&[(1, 1), (2, 2)], &mut s).unwrap();
        assert_eq!(r, vec![(0, -2), (1, 3)]);
    }

    #[test]
    fn pol_11_a_variable_that_cancels_and_returns_is_scaled_once() {
        // Found by the property test: x2 and x3 cancel (x6's row), come back
        // (x0's row), then x3's pivot row (x2 + 2 x3) forces a scaling.
        let mut basis = Basis::new(5);
        let mut s = Scratch::new(5);
        basis.insert(vec![(0, 1), (1, 1), (2, 1)]);
        basis.insert(vec![(0, 1), (1, 1), (3, 1)]);
        basis.insert(vec![(0, 1), (1, 2)]);
        let r = basis
            .reduce(&[(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)], &mut s)
            .unwrap();
        assert_eq!(r, vec![(0, -1), (4, 2)]);
    }

    #[test]
    fn pol_11_a_sensitive_residual_blocks_its_multiple() {
        let mut res = Residuals::new(3, vec![Some(vec![(0, 1), (1, 1)]), None]);
        assert_eq!(res.try_add(&[(0, 2), (1, 2)]), Err(Blocked::Discloses));
        let updates = res.try_add(&[(0, 1), (1, -1)]).unwrap();
        assert_eq!(updates, vec![(0, vec![(0, 1)])]);
        res.commit(1, updates);
        assert_eq!(res.try_add(&[(0, 5)]), Err(Blocked::Discloses));
        assert!(res.try_add(&[(2, 1)]).unwrap().is_empty());
    }
}
