//! The problem as the engine sees it: variables (inner cells, and any index
//! past `values`, an inner cell of unknown count), rows cleaned of known
//! zeros, and the connected components of the system.

use super::row::{add, mul, Row};
use super::{Combination, Problem};
use std::collections::HashMap;

/// Inner cells as variables `0..count`: an index below `values.len()` is
/// itself; an index past it (malformed input) gets a fresh variable whose
/// count is unknown (never a known zero, never valued).
pub(crate) struct Vars<'a> {
    values: &'a [u64],
    extra: HashMap<usize, u32>,
    pub(crate) count: usize,
}

/// A combination cleaned for the engine.
pub(crate) struct Cleaned {
    /// Known zeros removed, indices merged, sorted by variable.
    pub(crate) row: Row,
    /// Its count, when every variable's is known and it fits.
    pub(crate) value: Option<i128>,
    /// False when an index could not be given a variable (past `u32`).
    pub(crate) valid: bool,
}

impl<'a> Vars<'a> {
    pub(crate) fn new(problem: &'a Problem) -> Self {
        let values = problem.values.as_slice();
        let limit = values.len().min(u32::MAX as usize);
        let mut extra = HashMap::new();
        let mut next = limit;
        let combinations = problem
            .ledger
            .iter()
            .chain(problem.candidates.iter().map(|c| &c.row))
            .chain(problem.groups.iter());
        for combination in combinations {
            for &(index, _) in &combination.0 {
                if index >= limit && next < u32::MAX as usize && !extra.contains_key(&index) {
                    extra.insert(index, next as u32);
                    next += 1;
                }
            }
        }
        Self {
            values,
            extra,
            count: next,
        }
    }

    fn id(&self, index: usize) -> Option<u32> {
        if index < self.values.len() && index < u32::MAX as usize {
            Some(index as u32)
        } else {
            self.extra.get(&index).copied()
        }
    }

    /// The count of a variable, when known.
    pub(crate) fn known(&self, var: u32) -> Option<u64> {
        self.values.get(var as usize).copied()
    }

    /// The combination without its known zeros (step 1 of the module doc),
    /// as a sorted row, with its count.
    pub(crate) fn clean(&self, combination: &Combination) -> Cleaned {
        let mut row: Row = Vec::with_capacity(combination.0.len());
        let mut value = Some(0i128);
        let mut valid = true;
        for &(index, c) in &combination.0 {
            let Some(var) = self.id(index) else {
                valid = false;
                continue;
            };
            let count = self.known(var);
            if count == Some(0) || c == 0 {
                continue;
            }
            value = match (value, count) {
                (Some(v), Some(n)) => mul(i128::from(c), i128::from(n))
                    .and_then(|t| add(v, t))
                    .ok(),
                _ => None,
            };
            row.push((var, i128::from(c)));
        }
        if !row.windows(2).all(|w| w[0].0 < w[1].0) {
            row.sort_unstable_by_key(|&(v, _)| v);
            let mut merged: Row = Vec::with_capacity(row.len());
            for (v, c) in row {
                match merged.last_mut() {
                    Some(last) if last.0 == v => match add(last.1, c) {
                        Ok(sum) => last.1 = sum,
                        Err(_) => valid = false,
                    },
                    _ => merged.push((v, c)),
                }
            }
            merged.retain(|&(_, c)| c != 0);
            row = merged;
        }
        Cleaned { row, value, valid }
    }
}

impl Vars<'_> {
    /// The row of `combination` without its known zeros, keeping only the
    /// variables `keep` accepts (no count: the cheap path for rows already
    /// checked by [`Vars::clean`]).
    pub(crate) fn row(&self, combination: &Combination, keep: impl Fn(u32) -> bool) -> Row {
        let mut row: Row = Vec::with_capacity(combination.0.len());
        for &(index, c) in &combination.0 {
            match self.id(index) {
                Some(var) if c != 0 && self.known(var) != Some(0) && keep(var) => {
                    row.push((var, i128::from(c)));
                }
                _ => {}
            }
        }
        if !row.windows(2).all(|w| w[0].0 < w[1].0) {
            row.sort_unstable_by_key(|&(v, _)| v);
            let mut merged: Row = Vec::with_capacity(row.len());
            for (v, c) in row {
                match merged.last_mut() {
                    // A sum of two i64 fits in i128.
                    Some(last) if last.0 == v => last.1 += c,
                    _ => merged.push((v, c)),
                }
            }
            merged.retain(|&(_, c)| c != 0);
            row = merged;
        }
        row
    }
}

/// Union-find over the variables (path halving, union by index).
pub(crate) struct Components {
    parent: Vec<u32>,
}

impl Components {
    pub(crate) fn new(count: usize) -> Self {
        Self {
            parent: (0..count as u32).collect(),
        }
    }

    pub(crate) fn find(&mut self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            let grand = self.parent[self.parent[v as usize] as usize];
            self.parent[v as usize] = grand;
            v = grand;
        }
        v
    }

    pub(crate) fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[high as usize] = low;
        }
    }

    /// Links every variable of `row`.
    pub(crate) fn link(&mut self, row: &[(u32, i128)]) {
        if let Some(&(first, _)) = row.first() {
            for &(v, _) in &row[1..] {
                self.union(first, v);
            }
        }
    }
}

/// A fast hasher for the engine's transient sets of rows (FxHash's mix; the
/// sets are built from the problem, not from adversarial keys).
#[derive(Default)]
pub(crate) struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }

    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }

    fn write_i128(&mut self, v: i128) {
        self.add(v as u64);
        self.add((v >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A set of rows with [`Fx`].
pub(crate) type RowSet =
    std::collections::HashSet<super::row::Row, std::hash::BuildHasherDefault<Fx>>;
