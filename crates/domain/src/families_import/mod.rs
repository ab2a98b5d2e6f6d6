//! The office's spreadsheet of the families it already follows (issue 15,
//! item 4; POL-1, POL-2, POL-7, POL-35, ROLE-3). Pure: the sheets arrive as
//! typed cells (read from XLSX, ODS or CSV by `crates/sheets`), the rows
//! leave as [`Registration`]s with the channel [`Channel::Import`], checked
//! by the one rule set ([`Registration::check`]), or as problems that name
//! the row and the column as the office sees them in its spreadsheet, and
//! the field, never a cell's content (POL-22).
//!
//! # Layout ([`detect_layout`])
//!
//! - The header row is the row, among the first [`HEADER_SEARCH_ROWS`], whose
//!   labels name the most fields; title rows above it are skipped. A sheet
//!   whose labels name none takes its first fullest row as the header.
//! - Group headers: when the row above the header has two labels or more
//!   (e.g. "Consentements" merged over three sub-columns), a column's label
//!   is "parent — child". Where the file says which cells are merged (XLSX)
//!   that is used; otherwise (ODS, CSV) a group label covers the empty cells
//!   to its right, up to the next group label. A header merged down over both
//!   rows is its parent's label alone.
//! - Rows after the header whose mapped cells are all empty are not rows
//!   (trailing empty rows, blank separators).
//!
//! # Mapping ([`suggest`])
//!
//! Each column goes to one [`Target`]. The suggestion is the office's saved
//! mapping for a column of the same label ([`SavedMapping`], labels compared
//! without case, accents or punctuation), otherwise what the label says, in
//! French or English (`labels`). A single-valued target goes to its first
//! column only; several columns may feed the children's ages and the slots.
//! Given name, family name, e-mail and the certification must have a column
//! ([`MappingProblem`]).
//!
//! # Values
//!
//! - Consents, one column per purpose: `oui`/`non`, `x`, `1`/`0`,
//!   `vrai`/`faux`, `yes`/`no`, `true`/`false` or a checkbox cell. An empty
//!   cell is no answer, and no answer is not a consent (POL-7): nothing is
//!   recorded for that purpose.
//! - The 16+ certification (POL-35): a date cell, a date written
//!   `jj/mm/aaaa` (or `aaaa-mm-jj`), or a yes. A row without it (empty, `non`)
//!   is refused and listed. A date without a time is midnight in Paris.
//! - Children's ages: brackets as `4-6` (any range inside one bracket), or
//!   plain ages (`5`, `5 ans`, `8 mois`), several per cell separated by `,`,
//!   `;`, `/`, `et` or new lines, or one column per child.
//! - Programme: its name (without case or accents) or its id; optional.
//! - Slots: one per column, or several per cell separated by `;`, `,` or
//!   new lines.
//!
//! # Decisions
//!
//! - **A bare yes in the certification column is recorded at the time of the
//!   import.** The spreadsheet says the person certified, not when; the
//!   date the association recorded it is the only true one it has, and the
//!   consents' source (`import`) and the audit trail say where it came from.
//!   The wizard says so next to the mapping.
//! - A phone number the spreadsheet stored as a number of 9 digits gets its
//!   leading zero back (a French number typed into a number cell).
//! - The same e-mail twice in one file refuses the later row (the office
//!   decides which line is right): a known person is matched, never
//!   duplicated, and one file does not answer the same consent twice.

mod cells;
mod header;
mod labels;
mod rows;

use crate::intake::{Field, Problem, Registration};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use header::{detect_layout, HEADER_SEARCH_ROWS};
pub use labels::{normalise, recognise};
pub use rows::{map_rows, Locator};

/// Most data rows one import may hold.
pub const MAX_ROWS: usize = 100_000;

/// One cell as the spreadsheet holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date (and time) cell, as written (local time, no zone).
    Date(NaiveDateTime),
    /// A formula error (`#N/A`, `#REF!`…).
    Error,
}

impl Cell {
    /// Empty, or text of spaces only.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }
}

/// Cells merged into one, 0-based and inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Merge {
    fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }
}

/// One sheet: `rows[0][0]` is cell A1 (rows and columns are the
/// spreadsheet's own, so row numbers are the ones the office sees).
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    /// The merged cells, when the format says (XLSX); `None` otherwise.
    pub merges: Option<Vec<Merge>>,
}

const EMPTY: Cell = Cell::Empty;

impl Sheet {
    /// The cell at 0-based `row` and `col` (empty outside the data).
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|cells| cells.get(col))
            .unwrap_or(&EMPTY)
    }

    /// The number of columns of the widest row.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// The spreadsheet's name of a 0-based column: A, B, …, Z, AA, AB, …
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

crate::vocabulary! {
    /// What a column of the spreadsheet feeds: the fields of a
    /// [`Registration`], one column per consent purpose, or nothing.
    pub enum Target {
        Ignore => "ignore",
        GivenName => "given_name",
        FamilyName => "family_name",
        Email => "email",
        Phone => "phone",
        ChildrenCount => "children_count",
        /// Several columns may feed it (one per child).
        AgeBrackets => "age_brackets",
        Programme => "programme",
        /// Several columns may feed it.
        PreferredSlots => "preferred_slots",
        ConsentNewsletter => "consent_newsletter",
        ConsentTestimonials => "consent_testimonials",
        ConsentStudies => "consent_studies",
        Certified16Plus => "certified_16_plus",
    }
}

impl Target {
    /// The targets every import must map (POL-1 identity, POL-35).
    pub const REQUIRED: [Target; 4] = [
        Target::GivenName,
        Target::FamilyName,
        Target::Email,
        Target::Certified16Plus,
    ];

    /// Whether several columns may feed this target.
    pub fn is_multiple(self) -> bool {
        matches!(
            self,
            Target::Ignore | Target::AgeBrackets | Target::PreferredSlots
        )
    }

    /// The consent purpose a column answers, if it is a consent column.
    pub fn consent(self) -> Option<crate::rights::ConsentPurpose> {
        use crate::rights::ConsentPurpose;
        match self {
            Target::ConsentNewsletter => Some(ConsentPurpose::Newsletter),
            Target::ConsentTestimonials => Some(ConsentPurpose::Testimonials),
            Target::ConsentStudies => Some(ConsentPurpose::Studies),
            _ => None,
        }
    }

    /// The field of a registration this target feeds (`None` for `Ignore`).
    pub fn field(self) -> Option<Field> {
        Some(match self {
            Target::Ignore => return None,
            Target::GivenName => Field::GivenName,
            Target::FamilyName => Field::FamilyName,
            Target::Email => Field::Email,
            Target::Phone => Field::Phone,
            Target::ChildrenCount => Field::ChildrenCount,
            Target::AgeBrackets => Field::AgeBrackets,
            Target::Programme => Field::ProgrammeId,
            Target::PreferredSlots => Field::PreferredSlots,
            Target::ConsentNewsletter | Target::ConsentTestimonials | Target::ConsentStudies => {
                Field::Consents
            }
            Target::Certified16Plus => Field::Certified16Plus,
        })
    }
}

/// One column of the sheet under the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Column {
    /// 0-based.
    pub index: u32,
    /// As the spreadsheet names it (A, B, …).
    pub letter: String,
    /// The header's text, "group — column" under a group header; empty when
    /// the column has no header.
    pub label: String,
}

/// Where the header is and what each column is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// 0-based row of the header (the one the columns' own labels are on).
    pub header_row: usize,
    pub columns: Vec<Column>,
    /// What each column's label says, without a saved mapping.
    pub recognised: Vec<Target>,
}

impl Layout {
    /// The header's row as the office sees it (1-based).
    pub fn header_row_number(&self) -> u32 {
        self.header_row as u32 + 1
    }
}

/// The office's mapping, saved for next time: column label (normalised)
/// to target. Labels are the office's words, not personal data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMapping(pub BTreeMap<String, Target>);

impl SavedMapping {
    /// The mapping chosen for `layout`, to offer next time (ignored columns
    /// included, so a column the office ignored stays ignored).
    pub fn of(layout: &Layout, mapping: &[Target]) -> SavedMapping {
        SavedMapping(
            layout
                .columns
                .iter()
                .zip(mapping)
                .filter(|(column, _)| !normalise(&column.label).is_empty())
                .map(|(column, target)| (normalise(&column.label), *target))
                .collect(),
        )
    }

    /// Adds `newer` over this one (the columns of other files stay known).
    pub fn merge(&mut self, newer: SavedMapping) {
        self.0.extend(newer.0);
    }
}

/// The suggested target of each column of `layout`: the saved mapping's
/// choice for a label it knows, else what the label says; a single-valued
/// target goes to its first column only.
pub fn suggest(layout: &Layout, saved: Option<&SavedMapping>) -> Vec<Target> {
    let mut taken = Vec::new();
    layout
        .columns
        .iter()
        .zip(&layout.recognised)
        .map(|(column, recognised)| {
            let target = saved
                .and_then(|saved| saved.0.get(&normalise(&column.label)).copied())
                .unwrap_or(*recognised);
            if !target.is_multiple() {
                if taken.contains(&target) {
                    return Target::Ignore;
                }
                taken.push(target);
            }
            target
        })
        .collect()
}

/// A problem of the mapping itself: a required target without a column, or
/// a single-valued target given two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct MappingProblem {
    pub target: Target,
    /// `required` or `duplicate`.
    pub problem: Problem,
}

/// The problems of `mapping` for `layout` (empty when rows may be read).
pub fn check_mapping(layout: &Layout, mapping: &[Target]) -> Vec<MappingProblem> {
    let mut problems = Vec::new();
    for target in Target::REQUIRED {
        if !mapping.contains(&target) {
            problems.push(MappingProblem {
                target,
                problem: Problem::Required,
            });
        }
    }
    for target in Target::ALL.iter().filter(|t| !t.is_multiple()) {
        if mapping.iter().filter(|t| *t == target).count() > 1 {
            problems.push(MappingProblem {
                target: *target,
                problem: Problem::Duplicate,
            });
        }
    }
    if mapping.len() != layout.columns.len() {
        problems.push(MappingProblem {
            target: Target::Ignore,
            problem: Problem::Malformed,
        });
    }
    problems
}

/// A programme the spreadsheet may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Programme {
    pub id: String,
    pub name: String,
}

/// One row to import: its row number in the spreadsheet and the
/// registration it gives (checked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportRow {
    pub row: u32,
    pub registration: Registration,
}

/// One problem of one row: where it is, which field, what kind; never the
/// cell's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RowProblem {
    /// The row as the office sees it (1-based).
    pub row: u32,
    /// The column's letter, when one column holds the field.
    pub column: Option<String>,
    /// That column's header.
    pub header: Option<String>,
    pub field: Field,
    pub problem: Problem,
}

/// A sheet read with a mapping.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Mapped {
    /// The rows without problems, ready to import.
    pub rows: Vec<ImportRow>,
    /// Every problem of every row, by row then column.
    pub problems: Vec<RowProblem>,
    pub mapping_problems: Vec<MappingProblem>,
    /// The rows with data under the header (with or without problems).
    pub data_rows: usize,
}

impl Mapped {
    /// Whether the file may be imported as it is (all or nothing).
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.mapping_problems.is_empty()
    }

    /// The rows that have at least one problem.
    pub fn refused_rows(&self) -> usize {
        let mut rows: Vec<u32> = self.problems.iter().map(|p| p.row).collect();
        rows.dedup();
        rows.len()
    }
}

#[cfg(test)]
mod tests;
