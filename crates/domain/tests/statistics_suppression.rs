//! POL-11 / POL-12 (k = 5): the disclosure control of the monthly statistics.
//! An attacker who knows every published cell of every month, every zero
//! inner cell and (second run) their own contribution cannot determine any
//! count of 1 to 4 people.
//!
//! Checked independently of the engine: a dense, fraction-free rank test
//! written here ([`Span`]) over everything published so far, and, on tiny
//! tables, the enumeration of every table consistent with it. Inputs are
//! random tables (with row, column and grand totals as totals with parts,
//! cumulative over months, two tables linked by groups) and random funnels
//! released month after month through `release()` with the ledger of the
//! earlier months.

use chrono::NaiveDate;
use domain::statistics::{
    first_reaches, release, suppress, Candidate, Cell, Combination, Facts, Format, FormatPart,
    GroupInfo, Inner, LedgerCell, Month, Outcome, Problem, Step, Universe,
};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

const K: u64 = 5;

fn sensitive(v: i64) -> bool {
    (1..K as i64).contains(&v)
}

// ---------------------------------------------------------------------------
// The attacker's linear algebra, written independently of the engine: dense
// rows over ℤ, echelon form by column order, gcd-normalised, checked i128.

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The span over ℚ of known rows.
struct Span {
    n: usize,
    /// (leading column, row), by leading column.
    rows: Vec<(usize, Vec<i128>)>,
}

impl Span {
    fn new(n: usize) -> Self {
        Self {
            n,
            rows: Vec::new(),
        }
    }

    fn reduce(&self, mut v: Vec<i128>) -> Vec<i128> {
        for (p, row) in &self.rows {
            if v[*p] == 0 {
                continue;
            }
            let (a, b) = (v[*p], row[*p]);
            let g = gcd(a, b);
            let (fa, fb) = (b / g, a / g);
            for j in 0..self.n {
                v[j] = fa
                    .checked_mul(v[j])
                    .and_then(|x| x.checked_sub(fb.checked_mul(row[j])?))
                    .expect("the test's arithmetic fits i128");
            }
            let g = v.iter().fold(0, |g, &x| gcd(g, x));
            if g > 1 {
                v.iter_mut().for_each(|x| *x /= g);
            }
        }
        v
    }

    fn add(&mut self, v: Vec<i128>) {
        let r = self.reduce(v);
        if let Some(p) = r.iter().position(|&x| x != 0) {
            let at = self.rows.partition_point(|(q, _)| *q < p);
            self.rows.insert(at, (p, r));
        }
    }

    fn add_sparse(&mut self, row: &[(usize, i64)]) {
        self.add(dense(self.n, row));
    }

    fn contains(&self, row: &[(usize, i64)]) -> bool {
        self.reduce(dense(self.n, row)).iter().all(|&x| x == 0)
    }
}

fn dense(n: usize, row: &[(usize, i64)]) -> Vec<i128> {
    let mut v = vec![0i128; n];
    for &(i, c) in row {
        v[i] += i128::from(c);
    }
    v
}

fn value(row: &[(usize, i64)], x: &[u64]) -> i64 {
    row.iter().map(|&(i, c)| c * x[i] as i64).sum()
}

// ---------------------------------------------------------------------------
// Tables: `tables` tables of rows × cols, cumulative over `months`; inner
// cell (month, table, r, c). Candidates of month M: for each table its grand
// total (parts: the row totals), row totals and column totals (parts: their
// cells), and cells, in a random priority order; groups: random pairs of
// cells, possibly of two tables (sensitive vectors spread over components).

#[derive(Clone, Debug)]
struct Tables {
    tables: usize,
    rows: usize,
    cols: usize,
    months: usize,
    x: Vec<u64>,
    seed: u64,
}

/// One candidate of a month, in the test's terms.
#[derive(Clone, Debug)]
struct Cand {
    row: Vec<(usize, i64)>,
    parts: Vec<usize>,
}

/// What a month published, for the checks.
struct Month_ {
    candidates: Vec<Cand>,
    outcomes: Vec<Outcome>,
    groups: Vec<Vec<(usize, i64)>>,
    ledger_discloses: usize,
}

impl Tables {
    fn per_month(&self) -> usize {
        self.tables * self.rows * self.cols
    }

    fn inner(&self, m: usize, t: usize, r: usize, c: usize) -> usize {
        m * self.per_month() + (t * self.rows + r) * self.cols + c
    }

    fn cell(&self, month: usize, t: usize, r: usize, c: usize) -> Vec<(usize, i64)> {
        (0..=month).map(|m| (self.inner(m, t, r, c), 1)).collect()
    }

    fn sum(&self, cells: &[Vec<(usize, i64)>]) -> Vec<(usize, i64)> {
        let mut all: Vec<(usize, i64)> = cells.iter().flatten().copied().collect();
        all.sort_unstable();
        all
    }

    /// The candidates of `month`, in a random priority order, and its groups.
    fn month(&self, month: usize, rng: &mut StdRng) -> (Vec<Cand>, Vec<Vec<(usize, i64)>>) {
        let mut cands: Vec<Cand> = Vec::new();
        for t in 0..self.tables {
            let base = cands.len();
            let cells: Vec<usize> = (0..self.rows * self.cols).map(|i| base + i).collect();
            for r in 0..self.rows {
                for c in 0..self.cols {
                    cands.push(Cand {
                        row: self.cell(month, t, r, c),
                        parts: vec![],
                    });
                }
            }
            let mut row_totals = Vec::new();
            for r in 0..self.rows {
                let parts: Vec<usize> = (0..self.cols).map(|c| cells[r * self.cols + c]).collect();
                let rows: Vec<_> = parts.iter().map(|&p| cands[p].row.clone()).collect();
                row_totals.push(cands.len());
                cands.push(Cand {
                    row: self.sum(&rows),
                    parts,
                });
            }
            for c in 0..self.cols {
                let parts: Vec<usize> = (0..self.rows).map(|r| cells[r * self.cols + c]).collect();
                let rows: Vec<_> = parts.iter().map(|&p| cands[p].row.clone()).collect();
                cands.push(Cand {
                    row: self.sum(&rows),
                    parts,
                });
            }
            let rows: Vec<_> = row_totals.iter().map(|&p| cands[p].row.clone()).collect();
            cands.push(Cand {
                row: self.sum(&rows),
                parts: row_totals,
            });
        }
        // A random priority order.
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.shuffle(rng);
        let mut position = vec![0; cands.len()];
        for (p, &i) in order.iter().enumerate() {
            position[i] = p;
        }
        let ordered: Vec<Cand> = order
            .iter()
            .map(|&i| Cand {
                row: cands[i].row.clone(),
                parts: cands[i].parts.iter().map(|&p| position[p]).collect(),
            })
            .collect();
        let mut groups = Vec::new();
        let cells = self.per_month();
        for _ in 0..rng.gen_range(0..=3) {
            let (a, b) = (rng.gen_range(0..cells), rng.gen_range(0..cells));
            if a != b {
                let (ta, ra, ca) = (
                    a / (self.rows * self.cols),
                    (a / self.cols) % self.rows,
                    a % self.cols,
                );
                let (tb, rb, cb) = (
                    b / (self.rows * self.cols),
                    (b / self.cols) % self.rows,
                    b % self.cols,
                );
                groups
                    .push(self.sum(&[self.cell(month, ta, ra, ca), self.cell(month, tb, rb, cb)]));
            }
        }
        (ordered, groups)
    }

    /// Releases every month in turn, each with the ledger of the earlier
    /// ones and, as groups, every earlier candidate (an earlier hidden cell
    /// stays protected) and group.
    fn run(&self) -> Vec<Month_> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut ledger: Vec<Combination> = Vec::new();
        let mut earlier: Vec<Combination> = Vec::new();
        let mut out = Vec::new();
        for month in 0..self.months {
            let (cands, groups) = self.month(month, &mut rng);
            let values = self.x[..(month + 1) * self.per_month()].to_vec();
            let problem = Problem {
                values,
                ledger: ledger.clone(),
                candidates: cands
                    .iter()
                    .map(|c| Candidate {
                        row: Combination(c.row.clone()),
                        parts: c.parts.clone(),
                    })
                    .collect(),
                groups: earlier
                    .iter()
                    .cloned()
                    .chain(groups.iter().map(|g| Combination(g.clone())))
                    .collect(),
            };
            let solution = suppress(&problem);
            assert_eq!(solution.outcomes.len(), cands.len());
            for (c, o) in cands.iter().zip(&solution.outcomes) {
                if *o == Outcome::Published {
                    ledger.push(Combination(c.row.clone()));
                }
                earlier.push(Combination(c.row.clone()));
            }
            earlier.extend(groups.iter().map(|g| Combination(g.clone())));
            out.push(Month_ {
                candidates: cands,
                outcomes: solution.outcomes,
                groups,
                ledger_discloses: solution.ledger_discloses,
            });
        }
        out
    }
}

/// The attacker's span: the published rows of `months`, and the zero inner
/// cells among the first `cells` columns.
fn known_span(n: usize, x: &[u64], cells: usize, months: &[Month_]) -> Span {
    let mut span = Span::new(n);
    for (i, &v) in x.iter().enumerate().take(cells) {
        if v == 0 {
            span.add_sparse(&[(i, 1)]);
        }
    }
    for month in months {
        for (c, o) in month.candidates.iter().zip(&month.outcomes) {
            if *o == Outcome::Published {
                span.add_sparse(&c.row);
            }
        }
    }
    span
}

/// What the checks saw.
#[derive(Default, Debug)]
struct Seen {
    /// Sensitive vectors checked (G1).
    sensitive: usize,
    /// Sensitive vectors (a group, a hidden-parts sum) that were already
    /// derivable when first declared (limit N3 of the module doc: counted
    /// in `ledger_discloses`).
    known_before: usize,
}

/// G1 and G2 after each month of a table sequence. A vector is declared
/// sensitive at month `d` (the inner cells of `d`, its cells and groups);
/// from then on it is never derivable, unless it already was before `d`
/// (then `ledger_discloses` of month `d` counts it).
fn check_tables(t: &Tables, seen: &mut Seen) -> Result<(), TestCaseError> {
    let months = t.run();
    let n = t.months * t.per_month();
    let x = &t.x[..];
    // before[d]: the ledger of month d and the zeros it knows.
    let before: Vec<Span> = (0..t.months)
        .map(|d| known_span(n, x, (d + 1) * t.per_month(), &months[..d]))
        .collect();
    let mut declared: Vec<(usize, Vec<(usize, i64)>)> = Vec::new();
    for (d, month) in months.iter().enumerate() {
        for i in d * t.per_month()..(d + 1) * t.per_month() {
            declared.push((d, vec![(i, 1)]));
        }
        let rows = month
            .candidates
            .iter()
            .map(|c| &c.row)
            .chain(month.groups.iter());
        declared.extend(rows.map(|r| (d, r.clone())));
    }
    declared.retain(|(_, row)| sensitive(value(row, x)));
    for (d, row) in &declared {
        if before[*d].contains(row) {
            seen.known_before += 1;
            prop_assert!(
                months[*d].ledger_discloses > 0,
                "month {} counts what its ledger disclosed",
                d
            );
        }
    }
    for upto in 0..t.months {
        let span = known_span(n, x, (upto + 1) * t.per_month(), &months[..=upto]);
        for (d, row) in declared.iter().filter(|(d, _)| *d <= upto) {
            seen.sensitive += 1;
            prop_assert!(
                !span.contains(row) || before[*d].contains(row),
                "a sensitive vector of month {} is derivable after month {}",
                d,
                upto
            );
        }
        let month = &months[upto];
        check_hidden_parts(
            &span,
            &before[upto],
            x,
            &month.candidates,
            &month.outcomes,
            month.ledger_discloses,
            seen,
        )?;
    }
    Ok(())
}

/// G2: every total in the span has its parts outside it summing to 0 or at
/// least K; and (what it implies) the hidden parts of a published total too
/// ... unless that sum was already in the span before the month (`before`:
/// the ledger and the zeros; the engine counts it in `ledger_discloses`).
fn check_hidden_parts(
    span: &Span,
    before: &Span,
    x: &[u64],
    cands: &[Cand],
    outcomes: &[Outcome],
    ledger_discloses: usize,
    seen: &mut Seen,
) -> Result<(), TestCaseError> {
    for (k, total) in cands.iter().enumerate() {
        if total.parts.is_empty() || !span.contains(&total.row) {
            continue;
        }
        let mut outside_row: Vec<(usize, i64)> = Vec::new();
        let mut outside = 0;
        for &p in &total.parts {
            if !span.contains(&cands[p].row) {
                outside += value(&cands[p].row, x);
                outside_row.extend(&cands[p].row);
            }
        }
        if sensitive(outside) {
            prop_assert!(
                before.contains(&outside_row),
                "total {}: its underivable parts describe {}",
                k,
                outside
            );
            prop_assert!(
                ledger_discloses > 0,
                "a sum the ledger disclosed is counted"
            );
            seen.known_before += 1;
            continue;
        }
        if outcomes[k] == Outcome::Published {
            let hidden: i64 = total
                .parts
                .iter()
                .filter(|&&p| outcomes[p] != Outcome::Published)
                .map(|&p| value(&cands[p].row, x))
                .sum();
            prop_assert!(
                !sensitive(hidden),
                "total {}: its hidden parts describe {}",
                k,
                hidden
            );
        }
    }
    Ok(())
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![3 => Just(0u64), 4 => 1..=4u64, 3 => 5..=8u64]
}

fn tables(max_tables: usize, max_side: usize, max_months: usize) -> impl Strategy<Value = Tables> {
    (
        1..=max_tables,
        2..=max_side,
        2..=max_side,
        1..=max_months,
        any::<u64>(),
    )
        .prop_flat_map(|(tables, rows, cols, months, seed)| {
            proptest::collection::vec(count(), tables * rows * cols * months).prop_map(move |x| {
                Tables {
                    tables,
                    rows,
                    cols,
                    months,
                    x,
                    seed,
                }
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// G1 and G2 by exact rank tests over random tables (2-4 × 2-4, one or
    /// two tables linked by groups, 1-3 cumulative months).
    #[test]
    fn pol_11_tables_over_months_disclose_no_count_of_1_to_4(t in tables(2, 4, 3)) {
        check_tables(&t, &mut Seen::default())?;
    }
}

// ---------------------------------------------------------------------------
// Funnels released month after month through `release()`: programmes of 1-3
// groups (1-3 sessions), people who enrol and attend over 2-4 months, two
// sections and the three formats' parts each month; each month's cells go
// into the ledger of the next.

fn month(i: usize) -> Month {
    let mut m = Month::of_date(NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date"));
    for _ in 0..i {
        m = m.next();
    }
    m
}

/// A generated history.
#[derive(Clone, Debug)]
struct History {
    months: usize,
    universe: Universe,
    /// (group, step, month) → people who first reached it then.
    reached: BTreeMap<(String, Step, Month), u64>,
    /// Per month: section → viewers.
    sections: Vec<BTreeMap<String, u64>>,
    /// Per month: format parts.
    parts: Vec<BTreeMap<(Format, FormatPart), u64>>,
}

fn history(seed: u64, months: usize, size: u64) -> History {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut universe = Universe {
        groups: BTreeMap::new(),
        first_month: Some(month(0)),
    };
    let mut reached: BTreeMap<(String, Step, Month), u64> = BTreeMap::new();
    let programmes = rng.gen_range(1..=2);
    for p in 0..programmes {
        let format = Format::ALL[rng.gen_range(0..3)];
        for g in 0..rng.gen_range(1..=3) {
            let id = format!("g{p}{g}");
            let sessions = rng.gen_range(1..=3u16);
            universe.groups.insert(
                id.clone(),
                GroupInfo {
                    programme: format!("p{p}"),
                    format,
                    sessions,
                },
            );
            for _ in 0..rng.gen_range(0..=size) {
                let enrolled = rng.gen_range(0..months);
                let mut attended = Vec::new();
                for s in 1..=sessions {
                    if rng.gen_bool(0.6) {
                        attended.push((s, month(enrolled + rng.gen_range(0..=2))));
                    }
                }
                for (step, m) in first_reaches(month(enrolled), &attended, sessions) {
                    if m <= month(months - 1) {
                        *reached.entry((id.clone(), step, m)).or_default() += 1;
                    }
                }
            }
        }
    }
    let small = |rng: &mut StdRng| -> u64 {
        match rng.gen_range(0..10) {
            0..=2 => 0,
            3..=6 => rng.gen_range(1..=4),
            _ => rng.gen_range(5..=9),
        }
    };
    let mut sections = Vec::new();
    let mut parts = Vec::new();
    for _ in 0..months {
        let mut s = BTreeMap::new();
        for name in ["accueil", "ecoute-active"] {
            s.insert(name.to_owned(), small(&mut rng));
        }
        sections.push(s);
        let mut f = BTreeMap::new();
        for format in Format::ALL {
            for part in [FormatPart::Absent, FormatPart::Silent, FormatPart::Asked] {
                f.insert((format, part), small(&mut rng));
            }
        }
        parts.push(f);
    }
    History {
        months,
        universe,
        reached,
        sections,
        parts,
    }
}

impl History {
    fn facts(&self, t: usize) -> Facts {
        Facts {
            universe: self.universe.clone(),
            section_viewers: self.sections[t].clone(),
            reached: self
                .reached
                .iter()
                .filter(|((_, _, m), _)| *m <= month(t))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            format_parts: self.parts[t].clone(),
            questions: Format::ALL.iter().map(|f| (*f, 7)).collect(),
        }
    }

    /// The true count of an inner cell, from the history (not the facts).
    fn count(&self, inner: &Inner) -> u64 {
        match inner {
            Inner::SectionViewers { month: m, section } => (0..self.months)
                .find(|&t| month(t) == *m)
                .and_then(|t| self.sections[t].get(section).copied())
                .unwrap_or(0),
            Inner::Reached {
                month: m,
                group,
                step,
            } => self
                .reached
                .get(&(group.clone(), *step, *m))
                .copied()
                .unwrap_or(0),
            Inner::FormatPart {
                month: m,
                format,
                part,
            } => (0..self.months)
                .find(|&t| month(t) == *m)
                .and_then(|t| self.parts[t].get(&(*format, *part)).copied())
                .unwrap_or(0),
        }
    }

    /// Releases months `0..months` in turn; each month's cells join the
    /// ledger of the next.
    fn run(&self) -> Vec<domain::statistics::Release> {
        let mut ledger: Vec<LedgerCell> = Vec::new();
        let mut out = Vec::new();
        for t in 0..self.months {
            let r = release(month(t), &self.facts(t), &ledger);
            ledger.extend(r.cells.iter().map(|c| LedgerCell {
                key: c.cell.key(),
                published: c.value.is_some(),
            }));
            out.push(r);
        }
        out
    }
}

/// Columns for the inner cells the test meets, with their true counts.
struct Columns<'h> {
    history: &'h History,
    index: BTreeMap<Inner, usize>,
    x: Vec<u64>,
}

impl<'h> Columns<'h> {
    fn row(&mut self, combination: &[(Inner, i64)]) -> Vec<(usize, i64)> {
        combination
            .iter()
            .map(|(inner, c)| {
                let next = self.index.len();
                let i = *self.index.entry(inner.clone()).or_insert(next);
                if i == self.x.len() {
                    self.x.push(self.history.count(inner));
                }
                (i, *c)
            })
            .collect()
    }
}

/// The funnels of a release's month: per (programme or group), its steps'
/// cells in order.
fn funnels(cells: &[Cell]) -> BTreeMap<(u8, String), Vec<(Step, Cell)>> {
    let mut out: BTreeMap<(u8, String), Vec<(Step, Cell)>> = BTreeMap::new();
    for cell in cells {
        match cell {
            Cell::ProgrammeFunnel {
                programme, step, ..
            } => out
                .entry((0, programme.clone()))
                .or_default()
                .push((*step, cell.clone())),
            Cell::GroupFunnel { group, step, .. } => out
                .entry((1, group.clone()))
                .or_default()
                .push((*step, cell.clone())),
            _ => {}
        }
    }
    for steps in out.values_mut() {
        steps.sort_by_key(|(s, _)| *s);
    }
    out
}

/// Rows of one month.
type Rows = Vec<Vec<(usize, i64)>>;

/// The attacker's columns (every inner cell of every month, zeros included)
/// and, per month, the rows of the cells it published.
fn attacker<'h>(
    h: &'h History,
    releases: &[domain::statistics::Release],
) -> (Columns<'h>, Vec<Rows>) {
    let mut cols = Columns {
        history: h,
        index: BTreeMap::new(),
        x: Vec::new(),
    };
    for t in 0..h.months {
        for (g, info) in &h.universe.groups {
            for step in Step::all(info.sessions) {
                cols.row(&[(
                    Inner::Reached {
                        month: month(t),
                        group: g.clone(),
                        step,
                    },
                    1,
                )]);
            }
        }
        for s in h.sections[t].keys() {
            cols.row(&[(
                Inner::SectionViewers {
                    month: month(t),
                    section: s.clone(),
                },
                1,
            )]);
        }
        for (format, part) in h.parts[t].keys() {
            cols.row(&[(
                Inner::FormatPart {
                    month: month(t),
                    format: *format,
                    part: *part,
                },
                1,
            )]);
        }
    }
    let mut published = Vec::new();
    for r in releases {
        let mut rows = Vec::new();
        for c in &r.cells {
            if let (Some(_), Some(combination)) = (c.value, c.cell.combination(&h.universe)) {
                rows.push(cols.row(&combination));
            }
        }
        published.push(rows);
    }
    (cols, published)
}

/// What is known after month `upto`: its published rows and every zero.
fn span_at(cols: &Columns, published: &[Rows], upto: usize) -> Span {
    let mut span = Span::new(cols.x.len());
    for (i, &v) in cols.x.iter().enumerate() {
        if v == 0 {
            span.add_sparse(&[(i, 1)]);
        }
    }
    for rows in &published[..=upto] {
        for row in rows {
            span.add_sparse(row);
        }
    }
    span
}

/// G1 after each month of a history: every inner cell, cell (published or
/// not) and drop-out of 1 to 4 people of any month so far is not in the
/// span. The attacker's own contribution is a known offset: the rows, hence
/// the span and this check, are the same for the others' counts. G2 for the
/// programme totals at publication.
fn check_history(h: &History, seen: &mut Seen) -> Result<(), TestCaseError> {
    let releases = h.run();
    let (mut cols, published) = attacker(h, &releases);
    // Sensitive rows of every month: cells (published or not) and drop-outs.
    let mut sensitive_rows: Vec<(usize, Vec<(usize, i64)>)> = Vec::new();
    for (t, r) in releases.iter().enumerate() {
        prop_assert_eq!(r.ledger_discloses, 0);
        for c in &r.cells {
            let Some(combination) = c.cell.combination(&h.universe) else {
                continue;
            };
            let row = cols.row(&combination);
            if let Some(v) = c.value {
                prop_assert_eq!(
                    v as i64,
                    value(&row, &cols.x),
                    "published value of {}",
                    c.cell.key()
                );
                prop_assert!(!sensitive(v as i64));
            }
            if sensitive(value(&row, &cols.x)) {
                sensitive_rows.push((t, row));
            }
        }
        let cells: Vec<Cell> = r.cells.iter().map(|c| c.cell.clone()).collect();
        for steps in funnels(&cells).values() {
            for pair in steps.windows(2) {
                let (Some(a), Some(b)) = (
                    pair[0].1.combination(&h.universe),
                    pair[1].1.combination(&h.universe),
                ) else {
                    continue;
                };
                let mut d = cols.row(&a);
                d.extend(cols.row(&b).into_iter().map(|(i, c)| (i, -c)));
                if sensitive(value(&d, &cols.x)) {
                    sensitive_rows.push((t, d));
                }
            }
        }
    }
    let month_of: Vec<Month> = {
        let mut m = vec![month(0); cols.x.len()];
        for (inner, &i) in &cols.index {
            m[i] = match inner {
                Inner::Reached { month, .. }
                | Inner::SectionViewers { month, .. }
                | Inner::FormatPart { month, .. } => *month,
            };
        }
        m
    };
    for (upto, r) in releases.iter().enumerate() {
        let span = span_at(&cols, &published, upto);
        for (i, &v) in cols.x.iter().enumerate() {
            if sensitive(v as i64) && month_of[i] <= month(upto) {
                seen.sensitive += 1;
                prop_assert!(
                    !span.contains(&[(i, 1)]),
                    "an inner cell is derivable after month {}",
                    upto
                );
            }
        }
        for (t, row) in &sensitive_rows {
            if *t <= upto {
                seen.sensitive += 1;
                prop_assert!(
                    !span.contains(row),
                    "a sensitive cell or drop-out of month {} is derivable after month {}",
                    t,
                    upto
                );
            }
        }
        // G2: a published programme cell's groups outside the span.
        for c in &r.cells {
            let (
                Cell::ProgrammeFunnel {
                    programme, step, ..
                },
                Some(_),
            ) = (&c.cell, c.value)
            else {
                continue;
            };
            let mut outside = 0;
            for part in &r.cells {
                let Cell::GroupFunnel { group, step: s, .. } = &part.cell else {
                    continue;
                };
                if s != step || h.universe.groups[group].programme != *programme {
                    continue;
                }
                let row = cols.row(&part.cell.combination(&h.universe).unwrap_or_default());
                if !span.contains(&row) {
                    outside += value(&row, &cols.x);
                }
            }
            prop_assert!(
                !sensitive(outside),
                "{}: its underivable groups describe {}",
                c.cell.key(),
                outside
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// G1 over random funnel histories released month after month by
    /// `release()` with the ledger of the earlier months: no inner cell,
    /// cell or drop-out of 1 to 4 people of any month is derivable.
    #[test]
    fn pol_11_funnels_released_month_after_month_disclose_no_count_of_1_to_4(
        seed in any::<u64>(), months in 2..=4usize, size in 0..=12u64,
    ) {
        check_history(&history(seed, months, size), &mut Seen::default())?;
    }
}

// ---------------------------------------------------------------------------
// Enumeration on tiny tables: every assignment of the unknown inner cells
// (the non-zero ones: zeros are known) consistent with every published value
// of every month; each count of 1 to 4 people must take at least two values.

/// A search over the unknowns `0..lo.len()`, each in `lo[v]..=hi`, for every
/// assignment meeting the equations; records the values each target takes.
struct Search<'a> {
    eqs: &'a [(Vec<(usize, i64)>, i64)],
    lo: &'a [i64],
    hi: i64,
    targets: &'a [Vec<(usize, i64)>],
    /// (min, max) of each target over the solutions so far.
    range: Vec<(i64, i64)>,
    solutions: u64,
    y: Vec<Option<i64>>,
}

impl Search<'_> {
    fn all_open(&self) -> bool {
        self.solutions > 0 && self.range.iter().all(|(a, b)| a < b)
    }

    fn run(&mut self) {
        if self.all_open() {
            return;
        }
        let mut assigned = Vec::new();
        if self.propagate(&mut assigned) {
            match self.y.iter().position(Option::is_none) {
                None => self.record(),
                Some(v) => {
                    for value in self.lo[v]..=self.hi {
                        self.y[v] = Some(value);
                        self.run();
                        self.y[v] = None;
                        if self.all_open() {
                            break;
                        }
                    }
                }
            }
        }
        for v in assigned {
            self.y[v] = None;
        }
    }

    /// Solves equations with one unknown left, checks the others; false on
    /// a contradiction.
    fn propagate(&mut self, assigned: &mut Vec<usize>) -> bool {
        loop {
            let mut changed = false;
            for (row, rhs) in self.eqs {
                let mut rest = *rhs;
                let mut free = None;
                let mut free_count = 0;
                let mut low = 0;
                let mut nonneg = true;
                for &(v, a) in row {
                    match self.y[v] {
                        Some(value) => rest -= a * value,
                        None => {
                            free_count += 1;
                            free = Some((v, a));
                            low += a * self.lo[v];
                            nonneg &= a > 0;
                        }
                    }
                }
                match (free_count, free) {
                    (0, _) if rest != 0 => return false,
                    (1, Some((v, a))) => {
                        if rest % a != 0 {
                            return false;
                        }
                        let value = rest / a;
                        if value < self.lo[v] || value > self.hi {
                            return false;
                        }
                        self.y[v] = Some(value);
                        assigned.push(v);
                        changed = true;
                    }
                    _ if nonneg && rest < low => return false,
                    _ => {}
                }
            }
            if !changed {
                return true;
            }
        }
    }

    fn record(&mut self) {
        self.solutions += 1;
        for (t, target) in self.targets.iter().enumerate() {
            let v: i64 = target
                .iter()
                .map(|&(i, a)| a * self.y[i].unwrap_or(0))
                .sum();
            let r = &mut self.range[t];
            if self.solutions == 1 {
                *r = (v, v);
            } else {
                *r = (r.0.min(v), r.1.max(v));
            }
        }
    }
}

/// Enumerates the tables consistent with everything `t` published; `own`:
/// the attacker's own contribution (0/1 per inner cell, `o ≤ x`), so every
/// unknown is at least it. Checks every inner cell, cell and group of 1 to 4
/// people that was not already derivable when declared (N3) takes two values.
fn check_enumeration(t: &Tables, own: Option<&[u64]>) -> Result<u64, TestCaseError> {
    let months = t.run();
    let n = t.months * t.per_month();
    let x = &t.x[..];
    let unknown: Vec<usize> = (0..n).filter(|&i| x[i] != 0).collect();
    let local: BTreeMap<usize, usize> = unknown.iter().enumerate().map(|(l, &i)| (i, l)).collect();
    let to_local = |row: &[(usize, i64)]| -> Vec<(usize, i64)> {
        row.iter()
            .filter_map(|&(i, a)| local.get(&i).map(|&l| (l, a)))
            .collect()
    };
    let mut eqs = Vec::new();
    for month in &months {
        for (c, o) in month.candidates.iter().zip(&month.outcomes) {
            if *o == Outcome::Published {
                eqs.push((to_local(&c.row), value(&c.row, x)));
            }
        }
    }
    let before: Vec<Span> = (0..t.months)
        .map(|d| known_span(n, x, (d + 1) * t.per_month(), &months[..d]))
        .collect();
    let mut targets = Vec::new();
    for (d, month) in months.iter().enumerate() {
        let mut rows: Vec<Vec<(usize, i64)>> = (d * t.per_month()..(d + 1) * t.per_month())
            .map(|i| vec![(i, 1)])
            .collect();
        rows.extend(month.candidates.iter().map(|c| c.row.clone()));
        rows.extend(month.groups.iter().cloned());
        for row in rows {
            // With their own contribution known, the attacker learns about
            // the others: a count they alone make up (the others' count is
            // 0, which describes no one) is not a disclosure.
            let others = own.map_or(1, |o| value(&row, x) - value(&row, o));
            if sensitive(value(&row, x)) && others > 0 && !before[d].contains(&row) {
                targets.push(to_local(&row));
            }
        }
    }
    let lo: Vec<i64> = unknown
        .iter()
        .map(|&i| own.map_or(0, |o| o[i] as i64))
        .collect();
    let mut search = Search {
        eqs: &eqs,
        lo: &lo,
        hi: 9,
        targets: &targets,
        range: vec![(0, 0); targets.len()],
        solutions: 0,
        y: vec![None; unknown.len()],
    };
    search.run();
    prop_assert!(search.solutions > 0, "the true table is consistent");
    for (target, (a, b)) in targets.iter().zip(&search.range) {
        prop_assert!(
            a < b,
            "a count of 1 to 4 people ({:?} over the unknowns) is determined: {}",
            target,
            a
        );
    }
    Ok(search.solutions)
}

/// Tiny tables: at most 6 unknown (non-zero) inner cells.
fn tiny_tables() -> impl Strategy<Value = Tables> {
    let shapes = prop_oneof![
        Just((2usize, 2usize, 1usize)),
        Just((2, 3, 1)),
        Just((3, 2, 1)),
        Just((3, 3, 1)),
        Just((2, 2, 2)),
        Just((1, 3, 2)),
        Just((1, 2, 3)),
        Just((2, 3, 2)),
    ];
    (shapes, any::<u64>())
        .prop_flat_map(|((rows, cols, months), seed)| {
            proptest::collection::vec(count(), rows * cols * months).prop_map(move |x| Tables {
                tables: 1,
                rows,
                cols,
                months,
                x,
                seed,
            })
        })
        .prop_filter("at most 6 unknown cells", |t| {
            t.x.iter().filter(|&&v| v != 0).count() <= 6
        })
}

/// One participant's own contribution: a person is counted in exactly one
/// inner cell of a table (one cell, the month they first appear), so `o` is
/// a unit vector at a non-zero cell. Single-month tables: a two-way table
/// with its margins is totally unimodular, so the directions of G1 can be
/// taken in {0, ±1}; `x + d` and `x − d` could only both leave the bounds
/// `x ≥ o` at two cells the attacker alone makes up, and there is one.
fn with_one_participant() -> impl Strategy<Value = (Tables, Vec<u64>)> {
    (
        tiny_tables().prop_filter("one month", |t| t.months == 1),
        any::<usize>(),
    )
        .prop_map(|(t, pick)| {
            let nonzero: Vec<usize> = (0..t.x.len()).filter(|&i| t.x[i] > 0).collect();
            let mut o = vec![0; t.x.len()];
            if !nonzero.is_empty() {
                o[nonzero[pick % nonzero.len()]] = 1;
            }
            (t, o)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every table consistent with what was published over the months
    /// (zeros known): each count of 1 to 4 people takes at least two values.
    #[test]
    fn pol_11_tiny_tables_enumerated_leave_every_count_of_1_to_4_open(t in tiny_tables()) {
        check_enumeration(&t, None)?;
    }

    /// The same when the attacker also knows their own contribution: the
    /// others' counts of 1 to 4 people stay open.
    #[test]
    fn pol_11_tiny_tables_enumerated_with_the_attackers_own_contribution(case in with_one_participant()) {
        let (t, o) = case;
        check_enumeration(&t, Some(&o))?;
    }
}

/// Limit N1 of the module doc, pinned down: over two cumulative months the
/// system is not totally unimodular, and the bounds `x ≥ o` of an attacker's
/// own contribution can narrow a count to one value although no linear
/// function of the published cells gives it (G1 holds). Found by the
/// enumeration (about 1 in 20,000 tiny tables with one participant, 16 with
/// a random coalition; none without an own contribution). Closing it needs
/// an integer audit of the bounds (shared/design/statistics.md).
#[test]
fn pol_11_limit_n1_bounds_with_an_own_contribution_can_pin_a_count_over_months() {
    // 2 × 2 table, months 0 and 1; the attacker is the one person of cell
    // (0, 0) in month 0.
    let t = Tables {
        tables: 1,
        rows: 2,
        cols: 2,
        months: 2,
        x: vec![1, 5, 1, 1, 0, 5, 7, 0],
        seed: 6634776641293127347,
    };
    let months = t.run();
    let span = known_span(8, &t.x, 8, &months);
    assert!(
        !span.contains(&[(2, 1)]),
        "G1: cell (1, 0) of month 0 is no linear function of what is known"
    );
    assert!(
        check_enumeration(&t, None).is_ok(),
        "without the own contribution it takes two values"
    );
    let own = [1, 0, 0, 0, 0, 0, 0, 0];
    assert!(
        check_enumeration(&t, Some(&own)).is_err(),
        "with it, the bounds pin it (x0 = x3 = a, x2 = 3 - 2a, a in {{0, 1}}, a >= 1): if this fails, N1 is closed: update the module doc"
    );
}

/// POL-11, the differencing the issue names: a group's cumulative "reached
/// session 1" is 10 at month N (published) and 13 at month N+1. Publishing
/// 13 would tell that 3 people first attended in N+1.
#[test]
fn pol_11_cumulative_months_n_and_n_plus_1_do_not_reveal_a_3() {
    let mut groups = BTreeMap::new();
    groups.insert(
        "g1".to_owned(),
        GroupInfo {
            programme: "p1".to_owned(),
            format: Format::Workshop,
            sessions: 2,
        },
    );
    let mut reached = BTreeMap::new();
    reached.insert(("g1".to_owned(), Step::Enrolled, month(0)), 20);
    reached.insert(("g1".to_owned(), Step::Session(1), month(0)), 10);
    reached.insert(("g1".to_owned(), Step::Session(1), month(1)), 3);
    let h = History {
        months: 2,
        universe: Universe {
            groups,
            first_month: Some(month(0)),
        },
        reached,
        sections: vec![BTreeMap::new(); 2],
        parts: vec![BTreeMap::new(); 2],
    };
    let releases = h.run();
    let key = |t: usize| Cell::GroupFunnel {
        month: month(t),
        group: "g1".into(),
        step: Step::Session(1),
    };
    let outcome = |t: usize, cell: &Cell| {
        releases[t]
            .cells
            .iter()
            .find(|c| &c.cell == cell)
            .map(|c| (c.outcome, c.value))
    };
    assert_eq!(
        outcome(0, &key(0)),
        Some((Outcome::Published, Some(10))),
        "month N publishes 10"
    );
    assert_eq!(
        outcome(1, &key(1)).map(|o| o.0),
        Some(Outcome::Secondary),
        "month N+1 hides 13"
    );
    let programme = Cell::ProgrammeFunnel {
        month: month(1),
        programme: "p1".into(),
        step: Step::Session(1),
    };
    assert_eq!(
        outcome(1, &programme).map(|o| o.0),
        Some(Outcome::Secondary),
        "and its programme's 13, the same people"
    );

    let (mut cols, published) = attacker(&h, &releases);
    let three = cols.row(&[(
        Inner::Reached {
            month: month(1),
            group: "g1".into(),
            step: Step::Session(1),
        },
        1,
    )]);
    assert_eq!(value(&three, &cols.x), 3);
    assert!(
        !span_at(&cols, &published, 1).contains(&three),
        "the 3 is not derivable"
    );

    // The placeholder (primary suppression only) published every count
    // outside 1..=4: then the 3 was derivable (the test failed before).
    let mut primary_only = published.clone();
    let rows: Vec<Vec<(usize, i64)>> = releases[1]
        .cells
        .iter()
        .filter_map(|c| c.cell.combination(&h.universe))
        .map(|combination| cols.row(&combination))
        .collect();
    primary_only[1] = rows
        .into_iter()
        .filter(|row| !sensitive(value(row, &cols.x)))
        .collect();
    assert!(
        span_at(&cols, &primary_only, 1).contains(&three),
        "primary suppression alone reveals the 3"
    );
}

/// A sensitive count the ledger already determines (a value changed after
/// publication, e.g. an erasure) cannot be unpublished: it is counted, and
/// the month goes on.
#[test]
fn pol_11_a_count_the_ledger_already_disclosed_is_counted() {
    // Published earlier: x0 + x1 = 9 and x1 = 7; now x0 is 2.
    let problem = Problem {
        values: vec![2, 7, 6],
        ledger: vec![Combination(vec![(0, 1), (1, 1)]), Combination(vec![(1, 1)])],
        candidates: vec![Candidate {
            row: Combination(vec![(1, 1), (2, 1)]),
            parts: vec![],
        }],
        groups: vec![],
    };
    let solution = suppress(&problem);
    assert_eq!(solution.ledger_discloses, 1);
    assert_eq!(solution.outcomes, vec![Outcome::Published]);
}

/// Zeros describe no one: a cell of 0 is published; a known zero is removed
/// from every row, so a total of a zero and a 3 is the 3 itself (primary).
#[test]
fn pol_11_zeros_are_published_and_known() {
    let problem = Problem {
        values: vec![0, 3, 8],
        ledger: vec![],
        candidates: vec![
            Candidate {
                row: Combination(vec![(0, 1)]),
                parts: vec![],
            },
            Candidate {
                row: Combination(vec![(2, 1)]),
                parts: vec![],
            },
            Candidate {
                row: Combination(vec![(0, 1), (1, 1), (2, 1)]),
                parts: vec![],
            },
            Candidate {
                row: Combination(vec![(0, 1), (1, 1)]),
                parts: vec![],
            },
        ],
        groups: vec![],
    };
    let solution = suppress(&problem);
    assert_eq!(
        solution.outcomes,
        vec![
            Outcome::Published,
            Outcome::Published,
            Outcome::Secondary,
            Outcome::Primary
        ],
        "0 and 8 published; 11 = 8 + the 3: hidden; the 0 + 3 is the 3"
    );
}

/// Exact arithmetic: when an elimination overflows `i128`, the engine hides
/// the candidate (conservative) and never panics. Nothing here is
/// sensitive, so with unbounded integers every cell would be published.
#[test]
fn pol_11_an_overflow_hides_the_cell_never_guesses() {
    let big = [
        i64::MAX,
        i64::MAX - 2,
        i64::MAX - 4,
        i64::MAX - 6,
        i64::MAX - 10,
        i64::MAX - 12,
    ];
    let candidates: Vec<Candidate> = (0..4)
        .map(|k| Candidate {
            row: Combination((0..=k + 1).map(|i| (i, big[(i + k) % big.len()])).collect()),
            parts: vec![],
        })
        .chain(std::iter::once(Candidate {
            row: Combination(vec![(0, 1)]),
            parts: vec![],
        }))
        .collect();
    let problem = Problem {
        values: vec![10; 6],
        ledger: vec![],
        candidates,
        groups: vec![],
    };
    let solution = suppress(&problem);
    assert!(solution.outcomes.iter().all(|o| *o != Outcome::Primary));
    assert!(
        solution.outcomes.contains(&Outcome::Secondary),
        "an overflow hid a cell: {:?}",
        solution.outcomes
    );
    assert_eq!(
        solution.outcomes[0],
        Outcome::Published,
        "the first row needs no elimination"
    );
}
