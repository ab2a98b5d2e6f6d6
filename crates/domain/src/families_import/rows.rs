//! Rows to registrations: each mapped cell read, then the registration
//! checked by the one rule set; every problem located by row and column.

use super::{
    cells, check_mapping, ImportRow, Layout, Mapped, Programme, RowProblem, Sheet, Target,
};
use crate::intake::{Channel, ConsentChoice, Field, FieldProblem, Problem, Registration};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Finds the column that holds a field, to locate a problem the rules (or
/// the store) found in a registration.
#[derive(Clone, Debug)]
pub struct Locator {
    /// For each field, the first column that feeds it: letter and header.
    columns: Vec<(Field, String, Option<String>)>,
}

impl Locator {
    pub fn new(layout: &Layout, mapping: &[Target]) -> Locator {
        let mut columns: Vec<(Field, String, Option<String>)> = Vec::new();
        for (column, target) in layout.columns.iter().zip(mapping) {
            let Some(field) = target.field() else {
                continue;
            };
            if columns.iter().all(|(f, _, _)| *f != field) {
                let header = Some(column.label.clone()).filter(|l| !l.is_empty());
                columns.push((field, column.letter.clone(), header));
            }
        }
        Locator { columns }
    }

    /// The problem at `row`, in the column of its field (none when no
    /// column feeds it, e.g. the policy version).
    pub fn problem(&self, row: u32, problem: FieldProblem) -> RowProblem {
        let found = self.columns.iter().find(|(f, _, _)| *f == problem.field);
        RowProblem {
            row,
            column: found.map(|(_, letter, _)| letter.clone()),
            header: found.and_then(|(_, _, header)| header.clone()),
            field: problem.field,
            problem: problem.problem,
        }
    }
}

fn empty_registration() -> Registration {
    Registration {
        given_name: String::new(),
        family_name: String::new(),
        email: String::new(),
        phone: None,
        children_count: None,
        age_brackets: Vec::new(),
        programme_id: None,
        preferred_slots: Vec::new(),
        consents: Vec::new(),
        policy_version: None,
        certified_16_plus_at: None,
        channel: Channel::Import,
    }
}

/// Reads one cell into the registration.
fn read_cell(
    registration: &mut Registration,
    target: Target,
    cell: &super::Cell,
    programmes: &[Programme],
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let r = registration;
    match target {
        Target::Ignore => {}
        Target::GivenName => r.given_name = cells::text(cell)?.unwrap_or_default(),
        Target::FamilyName => r.family_name = cells::text(cell)?.unwrap_or_default(),
        Target::Email => r.email = cells::text(cell)?.unwrap_or_default(),
        Target::Phone => r.phone = cells::phone(cell)?,
        Target::ChildrenCount => r.children_count = cells::count(cell)?,
        Target::AgeBrackets => r.age_brackets.extend(cells::ages(cell)?),
        Target::Programme => r.programme_id = cells::programme(cell, programmes)?,
        Target::PreferredSlots => r.preferred_slots.extend(cells::slots(cell)?),
        Target::ConsentNewsletter | Target::ConsentTestimonials | Target::ConsentStudies => {
            // POL-7: an empty cell is no answer, and no answer is not a consent.
            if let (Some(purpose), Some(granted)) = (target.consent(), cells::yes_no(cell)?) {
                r.consents.push(ConsentChoice { purpose, granted });
            }
        }
        Target::Certified16Plus => r.certified_16_plus_at = cells::certification(cell, now)?,
    }
    Ok(())
}

/// Reads every row under the header with `mapping` (one target per column
/// of `layout`). Rows without problems become [`ImportRow`]s; the others
/// are listed in [`Mapped::problems`]. With a problem in the mapping itself
/// no row is read (every row would have the same problem).
pub fn map_rows(
    sheet: &Sheet,
    layout: &Layout,
    mapping: &[Target],
    programmes: &[Programme],
    now: DateTime<Utc>,
) -> Mapped {
    let mut mapped = Mapped {
        mapping_problems: check_mapping(layout, mapping),
        ..Mapped::default()
    };
    let locator = Locator::new(layout, mapping);
    let used: Vec<(usize, Target, &super::Column)> = layout
        .columns
        .iter()
        .zip(mapping)
        .filter(|(_, target)| **target != Target::Ignore)
        .map(|(column, target)| (column.index as usize, *target, column))
        .collect();
    let mut emails = HashSet::new();
    for index in layout.header_row + 1..sheet.rows.len() {
        if used
            .iter()
            .all(|(col, _, _)| sheet.cell(index, *col).is_blank())
        {
            continue;
        }
        mapped.data_rows += 1;
        if !mapped.mapping_problems.is_empty() {
            continue;
        }
        let row = index as u32 + 1;
        let mut registration = empty_registration();
        let mut problems = Vec::new();
        for (col, target, column) in &used {
            let cell = sheet.cell(index, *col);
            if let Err(problem) = read_cell(&mut registration, *target, cell, programmes, now) {
                problems.push(RowProblem {
                    row,
                    column: Some(column.letter.clone()),
                    header: Some(column.label.clone()).filter(|l| !l.is_empty()),
                    field: target.field().unwrap_or(Field::Consents),
                    problem,
                });
            }
        }
        for problem in registration.check(now) {
            // A field whose cell could not be read has its problem already.
            if problems.iter().all(|p| p.field != problem.field) {
                problems.push(locator.problem(row, problem));
            }
        }
        if problems.iter().all(|p| p.field != Field::Email)
            && !emails.insert(registration.email.to_ascii_lowercase())
        {
            problems
                .push(locator.problem(row, FieldProblem::new(Field::Email, Problem::Duplicate)));
        }
        if problems.is_empty() {
            mapped.rows.push(ImportRow { row, registration });
        } else {
            problems.sort_by_key(|p| p.column.as_ref().map(|c| (c.len(), c.clone())));
            mapped.problems.extend(problems);
        }
    }
    mapped
}
