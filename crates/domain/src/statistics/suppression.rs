//! Disclosure control of the monthly statistics (POL-11, POL-12, k = 5):
//! which of this month's cells are published so that no count of 1 to 4
//! people can be recomputed from everything ever published.
//!
//! # The system
//!
//! Every figure is a sum of *inner cells* (distinct people, `x ∈ ℕⁿ`, the
//! problem's `values`): a cell, a ledger entry or a group is an integer
//! vector `a` and describes `a·x` people ([`Combination`]). The ledger holds
//! every cell published in earlier months (frozen: it can only grow).
//!
//! **What the attacker knows.** (a) Every published cell of every month:
//! the ledger rows `L` and this month's published candidates `P`, with
//! their values. (b) Every inner cell of value 0 (structural zeros
//! included): *zeros are not sensitive* (decision, issue 16: a zero
//! describes no one, and cannot single anyone out), so the engine assumes
//! the attacker knows them all, which only enlarges what is known. (c)
//! Optionally their own contribution `o` (a 0/1 vector, `o ≤ x`): the
//! published values `a·x = a·(x − o) + a·o` then carry a known offset; the
//! rows, hence every span below, are the same, so the guarantee holds for
//! the other people's counts `x − o` as it does for `x`.
//!
//! Let `V = span_ℚ(L ∪ P ∪ {e_z : x_z = 0})`: the linear functions of `x`
//! whose value the attacker can compute. Removing the known zeros from
//! every row (step 1) turns membership of `V` into membership of the span
//! of the cleaned rows, over the unknown cells only.
//!
//! **Sensitive vectors `S`** (counts of 1 to K-1 people; a count that
//! cannot be valued is treated as sensitive): every inner cell of value
//! 1..=4; every candidate of value 1..=4 (after the zeros are removed a row
//! may equal another one or a single inner cell: vectors are compared once
//! normalised, so it does not matter); every `groups` row of value 1..=4
//! (e.g. the drop-outs between two steps); and the *hidden-parts sums* of
//! step 5, added as they appear.
//!
//! # Guarantee
//!
//! - **G1 (no exact recomputation).** For every `s ∈ S`: `s ∉ V`, unless
//!   `s` was already in `span(L ∪ zeros)` before this month (the ledger
//!   disclosed it, e.g. an erasure changed a value after publication;
//!   nothing can be unpublished: [`Solution::ledger_discloses`] counts these
//!   vectors, the caller logs the count, never the cells). Consequence:
//!   since `s ∉ V` there is an integer `d` with `a·d = 0` for every known
//!   row `a`, `d_z = 0` on the zeros, and `s·d ≠ 0`; `x` and `x + t·d`
//!   agree on everything known and differ on `s·x`, so `s·x` is not a
//!   function of the known values alone (over the rationals).
//! - **G2 (hidden parts describe 0 or at least K).** For every candidate
//!   with `parts` (a total) that is in `V` (published, or derivable), the
//!   parts outside `V` together describe 0 or at least K people.
//!
//! **Across months.** G1 holds for the vectors the engine is given, this
//! month. A cell hidden in an earlier month (a cumulative 3) or an earlier
//! drop-out must stay underivable once this month's cells are published:
//! [`super::release`] gives them as `groups` (module `history`: every
//! earlier month's funnel cell, formats' to-date cell and drop-out of 1 to
//! K-1 people), and the inner cells of every earlier month it touches are in
//! `values`. So, month after month, no declared count of 1 to K-1 people of
//! any month is derivable from all the months published.
//!
//! **Not guaranteed.** (N1) *Bounds*: the attacker also knows `x ≥ 0` (and
//! `x ≥ o`); with the published equations this can narrow a hidden count to
//! an interval, in odd systems to a single value. Preventing that needs an
//! (integer) programming audit (`shared/design/statistics.md`). Where the
//! directions `d` of G1 can be taken in `{0, ±1}` (a two-way table with its
//! margins: a totally unimodular system), `x ± d` stays non-negative
//! because every unknown cell is at least 1 (zeros are known), so the count
//! still takes two values, and one participant's own contribution blocks
//! at most one of the two directions; the enumeration tests check this. A
//! table cumulated over months is not totally unimodular: there, an
//! attacker's own contribution can pin a count (the test
//! `pol_11_limit_n1_bounds_with_an_own_contribution_can_pin_a_count_over_months`
//! keeps one such case; about 1 tiny table in 20,000). (N2) *Dominance* of
//! a magnitude (the questions count: the caller publishes it only with its
//! askers). (N3) *Sums outside `S`*: a linear function of hidden cells that
//! is neither an inner cell, a cell, a group nor a hidden-parts sum may be
//! derivable: in the 3 × 2 table `[[0, 1], [4, 1], [3, 2]]` with the totals
//! of rows 2 and 3 (5, 5) and of column 1 (7) published, the hidden cells of
//! column 2 in rows 2 and 3 add up to 5 + 5 − 7 = 3 (found by the property
//! tests). `S` is what the caller declares; a vector declared
//! later that the ledger already determines is counted in
//! `ledger_discloses`.
//!
//! # The method (Langsrud's Gaussian elimination, Statistics Norway)
//!
//! 1. **Known zeros** are removed from every row.
//! 2. **`S`** is built as above (each vector checked once per component).
//! 3. **Primary**: a candidate of value 1..=4 is [`Outcome::Primary`], never
//!    published (it is in `S`).
//! 4. **Secondary**, per connected component (below): start from a basis of
//!    the ledger rows; a sensitive vector already in its span is counted in
//!    `ledger_discloses` and not checked further. Then, for each candidate
//!    in priority order that is not primary: reduce it by the current basis
//!    to `r`. If `r = 0` it adds nothing: published. Otherwise, if some
//!    sensitive residual is a multiple of `r`, publishing it would disclose:
//!    [`Outcome::Secondary`]; else published, and `r` joins the basis.
//! 5. **Hidden parts**: after the pass, for each total in the span, the sum
//!    `t` of its parts outside the span is derivable (the total minus the
//!    parts in the span); if it describes 1..=4 people, `t` joins `S` and
//!    the pass runs again, to a fixpoint.
//!
//! **Basis and residuals (lemma 1).** Variables are numbered; a row's pivot
//! is its highest variable. Each basis row is reduced against the rows
//! inserted before it, so it contains none of their pivots; a non-zero
//! combination of basis rows is then non-zero at the highest pivot among
//! the rows it uses (the rows inserted earlier hold only variables below
//! their own, lower, pivots; the later ones do not hold it), so the rows
//! are independent, and a vector of the span with no pivot variable is 0.
//! Reducing `v` (eliminating the highest pivot variable it holds, again and
//! again: a basis row brings only lower variables, so this ends) gives
//! `red(v) ≡ v` modulo the span, with no pivot variable: `red` is linear
//! with kernel exactly the span. Hence, for `r = red(c) ≠ 0`,
//! `s ∈ span(B ∪ {c})` iff `red(s) ∈ ℚ·r` (if `s = b + λc` then
//! `red(s) = λr`; conversely `s − λc ∈ ker red`). The residuals of `S` are
//! kept reduced: when `r` (pivot `p`, its highest variable, not a pivot)
//! joins the basis, each residual holding `p` eliminates it with `r`; the
//! result holds no pivot of the new basis. That elimination gives 0 exactly
//! when the residual is a multiple of `r`: this *is* the test of step 4,
//! done before the row is committed.
//!
//! **Invariant.** Before and after each candidate, no checked `s ∈ S` is in
//! the span of the basis (ledger ∪ published so far): it holds after the
//! ledger (the vectors in its span are set aside and counted), a published
//! `r = 0` leaves the span unchanged, and a row is added only when no
//! residual is a multiple of it. At the end of the pass the basis spans
//! exactly `L ∪ P` (cleaned): G1.
//!
//! **Fixpoint (G2).** `S` only grows, by distinct vectors among finitely
//! many (sums of rows), so the loop ends. At the fixpoint, let `T` be a
//! total in the span and `t` = `T` minus its parts in the span: `t` is in
//! the span; were it sensitive it would be in `S` (added at the last round,
//! or earlier), contradicting the invariant (or it was in the ledger's span
//! already, counted). So its value is 0 or at least K. "Parts in the span"
//! includes parts hidden but derivable, which is stronger than "published
//! parts": the hidden parts that are derivable are each 0 or at least K (a
//! sensitive part is in `S`, never derivable), so the published-parts
//! version follows.
//!
//! **Components.** Variables linked by a ledger row, a candidate row, or a
//! total and its parts form components. Every row lies in one component, so
//! `V` is the direct sum of the components' spans, and a vector is in `V`
//! iff each of its projections is in its component's span. Components are
//! processed one at a time (in the order of their first candidate; within
//! one, candidates keep their priority), each to its own fixpoint: a
//! total's parts are in its component, so step 5 stays local. A sensitive
//! vector `s` spread over components `C₁ < … < C_k` (a drop-out spans two
//! steps) is checked in `Cᵢ` as its projection `sᵢ` when every `sⱼ` with
//! `j < i` ended in `Cⱼ`'s final span and every `sⱼ` with `j > i` is in
//! `Cⱼ`'s ledger span (computed first); if every `sⱼ` is in its ledger span,
//! `s` is counted in `ledger_discloses`. Proof that `s ∉ V` otherwise:
//! suppose `s ∈ V`; take the largest `i` with `sᵢ` outside `Cᵢ`'s ledger
//! span. Every `sⱼ`, `j < i`, is in its final span (as `s ∈ V`), every
//! `sⱼ`, `j > i`, in its ledger span: so `sᵢ` was checked in `Cᵢ`, and the
//! invariant keeps it out of `Cᵢ`'s final span: contradiction.
//!
//! **Exact arithmetic.** Coefficients are `i128`, every operation checked
//! (`i128::MIN` refused so that every value can be negated); eliminations
//! are fraction-free (`(b_p/g)·a − (a_p/g)·b`, `g = gcd`), every row is
//! divided by the gcd of its coefficients (the rows of the funnel keep
//! coefficients ±1). On overflow the engine is conservative, never wrong:
//! a candidate whose reduction or whose residual updates overflow is
//! [`Outcome::Secondary`] (the basis is unchanged, so it stays exact); if
//! the ledger's basis, a residual against it or a hidden-parts check
//! overflows, every pending candidate of the component is secondary (its
//! span is then the ledger's) and its cross projections are assumed in the
//! span (so that the other components protect theirs).
//!
//! **Cost.** Variables are numbered so that pivots cause little fill-in:
//! the fewer ledger rows a variable is in, the higher it is (then the later
//! its last candidate): the inner cell a cumulative cell adds this month is
//! the pivot of that cell, so the funnel's prefix sums reduce to single
//! variables. Rows are sparse; components are opened one at a time (the
//! memory is that of the largest); a sensitive vector is kept as a
//! reference to its source, its row rebuilt when its component is opened.
//! `crates/domain/benches/suppression_bench.rs` measures a year of a large
//! association (8,000 groups, 14 steps, 12 months, the ledger written by
//! the engine month after month): a few seconds and some 50 MB beyond the
//! problem itself.
//!
//! Inputs are trusted to be well formed (`values` covers every index); an
//! index past `values` is an inner cell of unknown count (never a known
//! zero; a candidate or group holding one is sensitive and the candidate
//! secondary).

use super::K;

mod basis;
mod engine;
mod history;
mod prepare;
mod row;

pub(crate) use history::{dropouts, earlier_sensitive};

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

/// Chooses the cells to publish: primary suppression, then secondary
/// suppression by Gaussian elimination over the ledger and this month's
/// cells, so that no sensitive count is a linear function of what is
/// published (see the module doc for the rules, the guarantee and its
/// proof). Pure and deterministic; never panics (an arithmetic overflow
/// hides cells, never guesses).
pub fn suppress(problem: &Problem) -> Solution {
    engine::run(problem)
}
