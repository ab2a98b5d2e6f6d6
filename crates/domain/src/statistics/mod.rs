//! Monthly statistics that cannot single anyone out (POL-11, POL-12, POL-3,
//! k = 5). Pure: the store counts the facts ([`Facts`]), this module turns
//! them into the month's tables and, with the ledger of everything published
//! before, decides which cells are published ([`release`]).
//!
//! Three tables per month `M`:
//! - **sections** (POL-11, "quelles sections sont les plus consultées"):
//!   distinct participants who viewed each section of the website in `M`;
//! - **funnel** (POL-11, "où les abandons se produisent"): per programme and
//!   per group, distinct participants who reached each step (enrolled,
//!   session 1, 2, …, completed) by the end of `M`, cumulative;
//! - **formats** (POL-12): per teaching format, the participants with a
//!   session in `M`, those who attended, those who asked a question, the
//!   questions asked (a magnitude, published only with its askers), and the
//!   enrolled and completed to date.
//!
//! Every published figure of every month is an exact sum of *inner cells*
//! ([`Inner`]): people who viewed a section in a month; people of a group
//! who first reached a step in a month (a cumulative funnel cell of `M` is
//! the sum of these over the months up to `M`, so this month's table minus
//! last month's is an inner cell and is protected like one); and the three
//! disjoint parts of a format's month (scheduled only, attended without
//! asking, asked). A cell's combination is rebuilt from its key
//! ([`Cell::combination`]), so the ledger stores keys and values only.
//! [`suppression::suppress`] chooses the pattern over the one system of
//! every table and every month (see its proof).

mod cells;
pub mod suppression;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use cells::{is_section_key, Cell, Inner, Table};
pub use suppression::{suppress, Candidate, Combination, Outcome, Problem, Solution};

/// No published cell describes fewer than this many people (POL-11,
/// decision in requirements.md). Zeros describe no one and are published
/// (decision 033).
pub const K: u64 = 5;

/// Whether a count of people must not be published or derivable: 1 to K-1.
pub const fn is_sensitive(count: u64) -> bool {
    count >= 1 && count < K
}

/// A calendar month (Europe/Paris), written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `year`-`month` (1..=12).
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Self { year, month })
    }

    /// The month of a calendar day.
    pub fn of_date(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month an instant falls in, in Paris.
    pub fn of(at: DateTime<Utc>) -> Self {
        Self::of_date(crate::time::paris_date(at))
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Self> {
        let (y, m) = text.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    /// The month after.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    pub fn previous(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl From<Month> for String {
    fn from(month: Month) -> Self {
        month.to_string()
    }
}

impl TryFrom<String> for Month {
    type Error = &'static str;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Month::parse(&text).ok_or("a month is written YYYY-MM")
    }
}

/// A teaching format (the programmes' `format` column, POL-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Workshop,
    Webinar,
    Forum,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Workshop, Format::Webinar, Format::Forum];

    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Workshop => "workshop",
            Format::Webinar => "webinar",
            Format::Forum => "forum",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// A step of a programme's funnel. Reaching a step means reaching every
/// step before it (see [`first_reaches`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Enrolled,
    /// The n-th session of the group (1-based), attended.
    Session(u16),
    /// The group's last session attended, once it has taken place.
    Completed,
}

impl Step {
    /// `enrolled`, `session-3`, `completed`.
    pub fn key(self) -> String {
        match self {
            Step::Enrolled => "enrolled".to_owned(),
            Step::Session(n) => format!("session-{n}"),
            Step::Completed => "completed".to_owned(),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "enrolled" => Some(Step::Enrolled),
            "completed" => Some(Step::Completed),
            _ => {
                let n: u16 = text.strip_prefix("session-")?.parse().ok()?;
                (n >= 1).then_some(Step::Session(n))
            }
        }
    }

    /// The steps of a group with `sessions` sessions, in order.
    pub fn all(sessions: u16) -> Vec<Step> {
        let mut steps = vec![Step::Enrolled];
        steps.extend((1..=sessions).map(Step::Session));
        steps.push(Step::Completed);
        steps
    }
}

/// The measures of the formats table (POL-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// People with a confirmed place in a group that had a session in `M`.
    Scheduled,
    /// Of those, people who attended at least one session in `M`.
    Attended,
    /// Of those, people who asked at least one question in `M`.
    Asked,
    /// Questions asked in `M` (a magnitude, published only with `Asked`).
    Questions,
    /// People enrolled in a group of the format, to date.
    EnrolledToDate,
    /// People who completed a group of the format, to date.
    CompletedToDate,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::Scheduled,
        Measure::Attended,
        Measure::Asked,
        Measure::Questions,
        Measure::EnrolledToDate,
        Measure::CompletedToDate,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Measure::Scheduled => "scheduled",
            Measure::Attended => "attended",
            Measure::Asked => "asked",
            Measure::Questions => "questions",
            Measure::EnrolledToDate => "enrolled_to_date",
            Measure::CompletedToDate => "completed_to_date",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// The three disjoint parts of the people scheduled in a format's month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FormatPart {
    /// Scheduled, did not attend.
    Absent,
    /// Attended, asked nothing.
    Silent,
    /// Attended and asked at least one question.
    Asked,
}

/// A group as the statistics know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    pub programme: String,
    pub format: Format,
    /// Its number of sessions (the funnel's steps).
    pub sessions: u16,
}

/// The groups and the first month with any fact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Universe {
    pub groups: BTreeMap<String, GroupInfo>,
    /// The first month any funnel fact falls in (none: no funnel yet).
    pub first_month: Option<Month>,
}

impl Universe {
    /// The months from the first one to `month`, included.
    pub fn months_to(&self, month: Month) -> Vec<Month> {
        let mut months = Vec::new();
        if let Some(mut m) = self.first_month {
            while m <= month {
                months.push(m);
                m = m.next();
            }
        }
        months
    }
}

/// What the store counted for the release of `month` (distinct people,
/// objectors to statistics and erased people already left out, POL-26).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub universe: Universe,
    /// People who viewed each section in the month.
    pub section_viewers: BTreeMap<String, u64>,
    /// People of a group who first reached a step in a month, every month
    /// up to the release's (absent: zero).
    pub reached: BTreeMap<(String, Step, Month), u64>,
    /// The parts of each format's month (absent: zero).
    pub format_parts: BTreeMap<(Format, FormatPart), u64>,
    /// Questions asked in the month, per format.
    pub questions: BTreeMap<Format, u64>,
}

/// The month a person first reached each step of a group's funnel, from
/// the month their place was confirmed and the months they attended each
/// session (1-based index, month). Reaching a step reaches the ones before
/// it, in the same month at the latest; `Completed` is reached with the
/// last session (`sessions`), once it has been attended.
pub fn first_reaches(
    enrolled: Month,
    attended: &[(u16, Month)],
    sessions: u16,
) -> Vec<(Step, Month)> {
    let mut first: BTreeMap<Step, Month> = BTreeMap::new();
    let mut note = |step: Step, month: Month| {
        first
            .entry(step)
            .and_modify(|m| *m = (*m).min(month))
            .or_insert(month);
    };
    note(Step::Enrolled, enrolled);
    for &(index, month) in attended {
        if index == 0 || index > sessions {
            continue;
        }
        note(Step::Session(index), month);
        if index == sessions {
            note(Step::Completed, month);
        }
    }
    // Monotone: a later step reached in month m reaches the earlier ones by m.
    let steps = Step::all(sessions);
    let mut reaches = Vec::new();
    let mut earliest_after: Option<Month> = None;
    for step in steps.iter().rev() {
        let own = first.get(step).copied();
        let month = match (own, earliest_after) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(month) = month {
            reaches.push((*step, month));
            earliest_after = Some(month);
        }
    }
    reaches.reverse();
    reaches
}

/// One cell of a release: its key and, if published, its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasedCell {
    pub cell: Cell,
    pub outcome: Outcome,
    /// The value, only when published.
    pub value: Option<u64>,
}

/// A previously published cell, as the ledger keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerCell {
    pub key: String,
    /// Published (a value was shown) or hidden.
    pub published: bool,
}

/// The month's release: every cell of the three tables, in a stable order,
/// and how many sensitive combinations the ledger already disclosed (a
/// value changed after publication, e.g. by an erasure: it cannot be
/// unpublished; the count is logged, never the cells).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub month: Month,
    pub cells: Vec<ReleasedCell>,
    pub ledger_discloses: usize,
}

/// The candidate cells of `month`, in priority order (the first is the
/// last to be hidden): programme funnels, formats, group funnels, sections;
/// within a table, larger values first.
pub fn candidates(month: Month, facts: &Facts) -> Vec<Cell> {
    let u = &facts.universe;
    let value = |cell: &Cell| value_of(cell, facts).unwrap_or(0);
    let mut programmes: BTreeMap<&str, u16> = BTreeMap::new();
    for g in u.groups.values() {
        let entry = programmes.entry(g.programme.as_str()).or_default();
        *entry = (*entry).max(g.sessions);
    }
    let mut funnel: Vec<Cell> = Vec::new();
    let mut groups: Vec<Cell> = Vec::new();
    let active: BTreeSet<&str> = facts
        .reached
        .keys()
        .filter(|(_, _, m)| *m <= month)
        .map(|(g, _, _)| g.as_str())
        .collect();
    for (programme, sessions) in &programmes {
        let any = u
            .groups
            .iter()
            .any(|(id, g)| g.programme == *programme && active.contains(id.as_str()));
        if !any {
            continue;
        }
        for step in Step::all(*sessions) {
            funnel.push(Cell::ProgrammeFunnel {
                month,
                programme: (*programme).to_owned(),
                step,
            });
        }
    }
    for (id, g) in &u.groups {
        if !active.contains(id.as_str()) {
            continue;
        }
        for step in Step::all(g.sessions) {
            groups.push(Cell::GroupFunnel {
                month,
                group: id.clone(),
                step,
            });
        }
    }
    let mut formats = Vec::new();
    for format in Format::ALL {
        for measure in Measure::ALL {
            formats.push(Cell::Format {
                month,
                format,
                measure,
            });
        }
    }
    let mut sections: Vec<Cell> = facts
        .section_viewers
        .keys()
        .map(|s| Cell::Section {
            month,
            section: s.clone(),
        })
        .collect();
    let by_value =
        |cells: &mut Vec<Cell>| cells.sort_by_cached_key(|c| std::cmp::Reverse(value(c)));
    by_value(&mut funnel);
    by_value(&mut groups);
    by_value(&mut sections);
    let mut all = funnel;
    all.extend(formats);
    all.extend(groups);
    all.extend(sections);
    all
}

/// The true value of a cell from the facts (`None` only for a cell whose
/// combination is not built from inner cells).
pub fn value_of(cell: &Cell, facts: &Facts) -> Option<u64> {
    if let Cell::Format {
        format,
        measure: Measure::Questions,
        ..
    } = cell
    {
        return Some(facts.questions.get(format).copied().unwrap_or(0));
    }
    let combination = cell.combination(&facts.universe)?;
    let total: i64 = combination
        .iter()
        .map(|(inner, coefficient)| coefficient * inner_value(inner, facts) as i64)
        .sum();
    Some(total.max(0) as u64)
}

/// The count of an inner cell.
pub fn inner_value(inner: &Inner, facts: &Facts) -> u64 {
    match inner {
        Inner::SectionViewers { section, .. } => {
            facts.section_viewers.get(section).copied().unwrap_or(0)
        }
        Inner::Reached { month, group, step } => facts
            .reached
            .get(&(group.clone(), *step, *month))
            .copied()
            .unwrap_or(0),
        Inner::FormatPart { format, part, .. } => facts
            .format_parts
            .get(&(*format, *part))
            .copied()
            .unwrap_or(0),
    }
}

/// The release of `month`: the candidates of the month checked against the
/// ledger (every cell published before, of earlier months; a month already
/// in the ledger is never released again, the store returns its frozen
/// cells). Section and format inner cells of other months are not in the
/// facts: no published cell links them to this month's (their combinations
/// are of their own month only), so the system is built over the inner cells
/// this month's candidates touch, and the ledger cells that share them.
pub fn release(month: Month, facts: &Facts, ledger: &[LedgerCell]) -> Release {
    let cells = candidates(month, facts);
    let mut index: BTreeMap<Inner, usize> = BTreeMap::new();
    let mut values: Vec<u64> = Vec::new();
    // Inner cells of 0 are known zeros: the engine removes them from every
    // row, so they are left out of the rows here (they stay in `index`).
    let mut row_of = |combination: &[(Inner, i64)], index: &mut BTreeMap<Inner, usize>| {
        let mut row: Vec<(usize, i64)> = combination
            .iter()
            .filter_map(|(inner, c)| {
                let next = index.len();
                let i = *index.entry(inner.clone()).or_insert_with(|| {
                    values.push(inner_value(inner, facts));
                    next
                });
                (values[i] != 0).then_some((i, *c))
            })
            .collect();
        row.sort_unstable();
        row
    };
    // Candidates (people counts) and their rows.
    let mut candidate_rows: Vec<Candidate> = Vec::new();
    let mut candidate_of_cell: Vec<Option<usize>> = Vec::new();
    for cell in &cells {
        match cell.combination(&facts.universe) {
            Some(combination) => {
                candidate_of_cell.push(Some(candidate_rows.len()));
                candidate_rows.push(Candidate {
                    row: Combination(row_of(&combination, &mut index)),
                    parts: Vec::new(),
                });
            }
            None => candidate_of_cell.push(None),
        }
    }
    // A programme's step is the sum of its groups' (the row/column rule).
    for (c, cell) in cells.iter().enumerate() {
        if let Cell::ProgrammeFunnel {
            programme, step, ..
        } = cell
        {
            let parts: Vec<usize> = cells
                .iter()
                .enumerate()
                .filter(|(_, other)| match other {
                    Cell::GroupFunnel { group, step: s, .. } => {
                        s == step
                            && facts
                                .universe
                                .groups
                                .get(group)
                                .is_some_and(|g| &g.programme == programme)
                    }
                    _ => false,
                })
                .filter_map(|(i, _)| candidate_of_cell[i])
                .collect();
            if let Some(own) = candidate_of_cell[c] {
                candidate_rows[own].parts = parts;
            }
        }
    }
    // Drop-outs (people whose furthest step is a given one) are groups of
    // people too; and what earlier months hid (a cell, a drop-out of 1 to
    // K-1 people) must stay underivable (see `suppression::history`).
    let groups: Vec<Combination> = suppression::dropouts(&cells, &facts.universe)
        .into_iter()
        .chain(suppression::earlier_sensitive(month, facts))
        .map(|combination| Combination(row_of(&combination, &mut index)))
        .collect();
    // The ledger's published cells that share inner cells with this month's.
    let touched: BTreeSet<Inner> = index.keys().cloned().collect();
    let mut ledger_rows: Vec<Combination> = Vec::new();
    for entry in ledger.iter().filter(|e| e.published) {
        let Some(cell) = Cell::parse(&entry.key) else {
            continue;
        };
        if cell.month() >= month {
            continue;
        }
        let Some(combination) = cell.combination(&facts.universe) else {
            continue;
        };
        if combination.iter().any(|(inner, _)| touched.contains(inner)) {
            ledger_rows.push(Combination(row_of(&combination, &mut index)));
        }
    }
    let solution = suppress(&Problem {
        values: values.clone(),
        ledger: ledger_rows,
        candidates: candidate_rows,
        groups,
    });
    let asked_published = |format: Format| {
        cells.iter().enumerate().any(|(i, c)| {
            matches!(c, Cell::Format { format: f, measure: Measure::Asked, .. } if *f == format)
                && candidate_of_cell[i].is_some_and(|k| solution.outcomes[k] == Outcome::Published)
        })
    };
    let released = cells
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let outcome = match candidate_of_cell[i] {
                Some(k) => solution.outcomes[k],
                // The questions go with their askers (a magnitude over
                // fewer than K people would describe them).
                None => match cell {
                    Cell::Format { format, .. } if asked_published(*format) => Outcome::Published,
                    _ => Outcome::Secondary,
                },
            };
            let value = (outcome == Outcome::Published).then(|| value_of(cell, facts).unwrap_or(0));
            ReleasedCell {
                cell: cell.clone(),
                outcome,
                value,
            }
        })
        .collect();
    Release {
        month,
        cells: released,
        ledger_discloses: solution.ledger_discloses,
    }
}

#[cfg(test)]
mod tests;
