//! Disclosure control of the monthly statistics (POL-11, k = 5).
//!
//! PLACEHOLDER (issue 16, being written): primary suppression only. The
//! secondary suppression over the ledger, with its proof, replaces the body
//! of [`suppress`]; the types are the interface.

use super::is_sensitive;

/// A linear combination of inner cells: (inner cell index, coefficient),
/// sorted by index, no zero coefficient, no index twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Combination(pub Vec<(usize, i64)>);

impl Combination {
    /// Its value for the inner cells' `values`.
    pub fn value(&self, values: &[u64]) -> i64 {
        self.0.iter().map(|&(i, c)| c * values[i] as i64).sum()
    }
}

/// A cell that may be published this month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub row: Combination,
    /// Candidates whose rows add up to this one's (a total and its parts):
    /// when this one is published, its hidden parts together must describe
    /// 0 or at least K people.
    pub parts: Vec<usize>,
}

/// One month's decision problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problem {
    /// The count of each inner cell (distinct people).
    pub values: Vec<u64>,
    /// Every cell published in earlier months that shares inner cells with
    /// this month's: frozen, published, known to everyone.
    pub ledger: Vec<Combination>,
    /// This month's cells, in priority order (the first is the last hidden).
    pub candidates: Vec<Candidate>,
    /// Further groups of people (e.g. drop-outs at a step): derivable only
    /// when their value is 0 or at least K.
    pub groups: Vec<Combination>,
}

/// What happened to a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Published,
    /// Describes 1 to K-1 people.
    Primary,
    /// Hidden so that no sensitive count can be recomputed.
    Secondary,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Published => "published",
            Outcome::Primary => "primary",
            Outcome::Secondary => "secondary",
        }
    }
}

/// The decision: one outcome per candidate, and the number of sensitive
/// combinations the ledger alone already determines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    pub outcomes: Vec<Outcome>,
    pub ledger_discloses: usize,
}

/// Chooses the cells to publish.
pub fn suppress(problem: &Problem) -> Solution {
    let outcomes = problem
        .candidates
        .iter()
        .map(|c| {
            let v = c.row.value(&problem.values).max(0) as u64;
            if is_sensitive(v) {
                Outcome::Primary
            } else {
                Outcome::Published
            }
        })
        .collect();
    Solution {
        outcomes,
        ledger_discloses: 0,
    }
}
