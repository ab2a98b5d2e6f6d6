//! The office's spreadsheet of families, into the store (issue 15, item 4;
//! POL-1, POL-7, POL-21, POL-35, ROLE-3). The rows were read and checked by
//! `domain::families_import`; here each one goes through
//! [`crate::registration::insert`], the one place a registration writes, in
//! ONE gated action ([`Action::RegistrationImport`]):
//!
//! - **all or nothing**: every row is tried, so that every refused row is
//!   listed; if any was refused, the import is refused whole
//!   ([`ErrorCode::ImportHasProblems`]) and its transaction rolled back;
//! - **dry run** ([`Mode::DryRun`], what the window's preview asks for): the
//!   same code runs in a savepoint that is always undone
//!   ([`Gate::rehearse`]), answering the counts (new people, known people
//!   matched, requests added) and the problems; it is recorded in the trail
//!   as a lookup of the known people it revealed;
//! - a known person (same e-mail, without case) is matched, never
//!   duplicated; consents absent from the row are not recorded (POL-7); the
//!   16+ certification is required of every row (POL-35);
//! - each row is checked again here ([`Registration::check`]) with the
//!   channel forced to `import`: the server runs this function again for
//!   the laptop's operation and trusts nothing it sends.
//!
//! The office's column mapping is kept for next time in `app_meta`
//! ([`saved_mapping`], [`save_mapping`]): column labels and targets, no
//! personal data.

use crate::gate::{self, Gate};
use crate::schema::{app_meta, programmes};
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::families_import::{
    map_rows, ImportRow, Layout, Locator, MappingProblem, Programme, RowProblem, SavedMapping,
    Sheet, Target,
};
use domain::intake::{Channel, Field, FieldProblem, Problem};
use domain::{Action, Actor, ErrorCode};
use serde::{Deserialize, Serialize};

const MAPPING_KEY: &str = "families_import.mapping";

/// Whether the rows are written or only tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Everything computed, nothing written.
    DryRun,
    Apply,
}

/// What an import did (or would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportCounts {
    /// Rows imported (or that would be).
    pub rows: u32,
    /// People created.
    pub new_people: u32,
    /// Rows whose e-mail was a known person's (matched, not duplicated).
    pub known_people: u32,
    /// Requests added to the registrations inbox.
    pub requests_added: u32,
    /// Rows whose programme the person had already requested or held.
    pub already_requested: u32,
}

impl ImportCounts {
    /// Adds another part's counts (an import sent in several operations).
    pub fn add(&mut self, other: ImportCounts) {
        self.rows += other.rows;
        self.new_people += other.new_people;
        self.known_people += other.known_people;
        self.requests_added += other.requests_added;
        self.already_requested += other.already_requested;
    }
}

/// A row the store refused: its row number and the field's problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RefusedRow {
    pub row: u32,
    pub problem: FieldProblem,
}

/// The store's answer to a dry run or an import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportReport {
    pub counts: ImportCounts,
    /// Refused rows (a dry run lists them; an import with any is refused).
    pub refused: Vec<RefusedRow>,
}

/// The refusal of a whole import: counts and where the first problem is,
/// never a value.
fn has_problems(
    problems: usize,
    rows: usize,
    first: Option<(u32, Option<&str>, FieldProblem)>,
) -> StoreError {
    let mut error = StoreError::refused(ErrorCode::ImportHasProblems)
        .with("problems", problems)
        .with("rows", rows);
    if let Some((row, column, problem)) = first {
        error = error
            .with("row", row)
            .with("field", problem.field.as_str())
            .with("problem", problem.problem.as_str());
        if let Some(column) = column {
            error = error.with("column", column);
        }
    }
    error
}

/// The refusal for a mapping problem (no row was read).
fn mapping_refusal(problems: &[MappingProblem]) -> StoreError {
    let mut error = StoreError::refused(ErrorCode::ImportHasProblems)
        .with("problems", problems.len())
        .with("rows", 0);
    if let Some(first) = problems.first() {
        error = error
            .with("target", first.target.as_str())
            .with("problem", first.problem.as_str());
    }
    error
}

/// The field problem a row's refusal names, if it is one.
fn row_problem(error: &StoreError) -> Option<FieldProblem> {
    let StoreError::Refused { details, .. } = error else {
        return None;
    };
    let field = Field::parse(details.get("field")?)?;
    let problem = Problem::parse(details.get("problem")?)?;
    Some(FieldProblem::new(field, problem))
}

/// Imports `rows` as `actor` (see the module documentation).
/// `progress` is called with the number of rows done, before each row and
/// at the end.
pub fn import(
    conn: &mut SqliteConnection,
    actor: &Actor,
    rows: &[ImportRow],
    mode: Mode,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportReport, StoreError> {
    gate::run(
        conn,
        actor,
        Action::RegistrationImport,
        now,
        |gate| match mode {
            Mode::Apply => {
                let (report, _) = import_rows(gate, rows, progress)?;
                refuse_any(&report)?;
                Ok(report)
            }
            Mode::DryRun => {
                // Rehearsed a slice at a time: SQLite's in-memory
                // sub-journal makes each statement's cost grow with the
                // savepoint around it. The rows of a file are independent
                // (one e-mail per row: the domain refuses a repeated one),
                // so the slices answer what the whole would.
                let mut report = ImportReport::default();
                let mut known = Vec::new();
                for (index, slice) in rows.chunks(REHEARSAL_ROWS).enumerate() {
                    let offset = index * REHEARSAL_ROWS;
                    let (part, people) = gate.rehearse(|gate| {
                        import_rows(gate, slice, &mut |done| progress(offset + done))
                    })?;
                    report.counts.add(part.counts);
                    report.refused.extend(part.refused);
                    known.extend(people);
                }
                // POL-21: the preview revealed who is already known.
                gate.record_as(Action::RegistrationLookup);
                gate.show(known);
                Ok(report)
            }
        },
    )
}

/// One part of an import as the laptop queues it: its rows, and the seed
/// of the ids they create (the id of the part's operation).
pub struct SeededPart<'a> {
    pub seed: &'a str,
    pub rows: &'a [ImportRow],
}

/// The laptop's import of a whole file (see `sync::ops::import_families`):
/// every part in ONE gated action, each part's rows with ids seeded as the
/// server's run of that part alone seeds them (the same people, with the
/// same ids, on both), and `after_part` called inside the transaction after
/// each part (the sync layer queues the part's operation there). All or
/// nothing, like [`import`]: every refused row is tried and the first
/// named.
pub fn import_seeded(
    conn: &mut SqliteConnection,
    actor: &Actor,
    parts: &[SeededPart<'_>],
    now: DateTime<Utc>,
    after_part: &mut dyn FnMut(&mut SqliteConnection, usize) -> Result<(), StoreError>,
) -> Result<ImportReport, StoreError> {
    let millis = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    gate::run(conn, actor, Action::RegistrationImport, now, |gate| {
        let mut report = ImportReport::default();
        for (index, part) in parts.iter().enumerate() {
            let (done, _) = domain::ids::with_seeded_ids(part.seed, millis, || {
                import_rows(gate, part.rows, &mut |_| {})
            })?;
            report.counts.add(done.counts);
            report.refused.extend(done.refused);
            after_part(gate.conn(), index)?;
        }
        refuse_any(&report)?;
        Ok(report)
    })
}

/// The refusal of an import whose report lists refused rows.
fn refuse_any(report: &ImportReport) -> Result<(), StoreError> {
    let Some(first) = report.refused.first() else {
        return Ok(());
    };
    let mut refused_rows: Vec<u32> = report.refused.iter().map(|r| r.row).collect();
    refused_rows.dedup();
    Err(has_problems(
        report.refused.len(),
        refused_rows.len(),
        Some((first.row, None, first.problem)),
    ))
}

/// How many rows a dry run tries in one savepoint.
const REHEARSAL_ROWS: usize = 250;

/// Every row through `insert`; answers the report and the known people
/// matched.
fn import_rows(
    gate: &mut Gate<'_>,
    rows: &[ImportRow],
    progress: &mut dyn FnMut(usize),
) -> Result<(ImportReport, Vec<String>), StoreError> {
    let mut report = ImportReport::default();
    let mut known = Vec::new();
    let now = gate.now();
    for (done, row) in rows.iter().enumerate() {
        let mut registration = row.registration.clone();
        registration.channel = Channel::Import;
        progress(done);
        let problems = registration.check(now);
        if !problems.is_empty() {
            report
                .refused
                .extend(problems.into_iter().map(|problem| RefusedRow {
                    row: row.row,
                    problem,
                }));
            continue;
        }
        // `insert` checks before it writes (programme, policy version,
        // certification), so a refused row leaves nothing behind and the
        // next rows go on; a savepoint per row cost more than the rows
        // themselves (SQLite's savepoints grow with the transaction).
        match crate::registration::insert(gate, &registration) {
            Ok(registered) => {
                let counts = &mut report.counts;
                counts.rows += 1;
                if registered.known {
                    counts.known_people += 1;
                    known.push(registered.participant_id.clone());
                } else {
                    counts.new_people += 1;
                }
                if registered.already_requested {
                    counts.already_requested += 1;
                } else if registered.enrolment_id.is_some() {
                    counts.requests_added += 1;
                }
                gate.show([&registered.participant_id]);
            }
            Err(error) => match row_problem(&error) {
                Some(problem) => report.refused.push(RefusedRow {
                    row: row.row,
                    problem,
                }),
                None => return Err(error),
            },
        }
    }
    progress(rows.len());
    known.sort();
    known.dedup();
    Ok((report, known))
}

/// The programmes a sheet may name, for whoever may import (a refusal is
/// audited).
pub fn programmes(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Programme>, StoreError> {
    gate::run(
        conn,
        actor,
        Action::RegistrationImportPrepare,
        now,
        |gate| {
            let found: Vec<(String, String)> = programmes::table
                .select((programmes::id, programmes::name))
                .order(programmes::id)
                .load(gate.conn())?;
            Ok(found
                .into_iter()
                .map(|(id, name)| Programme { id, name })
                .collect())
        },
    )
}

/// The rows of `sheet` read with `mapping`, refused whole when any row or
/// the mapping has a problem (nothing is imported: all or nothing).
pub fn clean_rows(
    conn: &mut SqliteConnection,
    actor: &Actor,
    sheet: &Sheet,
    layout: &Layout,
    mapping: &[Target],
    now: DateTime<Utc>,
) -> Result<Vec<ImportRow>, StoreError> {
    let known = programmes(conn, actor, now)?;
    let mapped = map_rows(sheet, layout, mapping, &known, now);
    if !mapped.mapping_problems.is_empty() {
        return Err(mapping_refusal(&mapped.mapping_problems));
    }
    if let Some(first) = mapped.problems.first() {
        return Err(has_problems(
            mapped.problems.len(),
            mapped.refused_rows(),
            Some((
                first.row,
                first.column.as_deref(),
                FieldProblem::new(first.field, first.problem),
            )),
        ));
    }
    Ok(mapped.rows)
}

/// The window's preview: every problem by row and column, and what the
/// import would do (a dry run of the rows without problems).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ImportPreview {
    /// Rows with data under the header.
    pub data_rows: u32,
    pub counts: ImportCounts,
    /// Rows refused (with at least one problem).
    pub refused_rows: u32,
    /// Every problem, by row then column.
    pub problems: Vec<RowProblem>,
    pub mapping_problems: Vec<MappingProblem>,
}

/// Reads `sheet` with `mapping` and runs the import as a dry run.
pub fn preview(
    conn: &mut SqliteConnection,
    actor: &Actor,
    sheet: &Sheet,
    layout: &Layout,
    mapping: &[Target],
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportPreview, StoreError> {
    let known = programmes(conn, actor, now)?;
    let mapped = map_rows(sheet, layout, mapping, &known, now);
    let mut preview = ImportPreview {
        data_rows: mapped.data_rows as u32,
        refused_rows: mapped.refused_rows() as u32,
        mapping_problems: mapped.mapping_problems.clone(),
        problems: mapped.problems.clone(),
        ..ImportPreview::default()
    };
    if !mapped.mapping_problems.is_empty() {
        return Ok(preview);
    }
    let report = import(conn, actor, &mapped.rows, Mode::DryRun, now, progress)?;
    preview.counts = report.counts;
    let locator = Locator::new(layout, mapping);
    let mut refused_here: Vec<u32> = report.refused.iter().map(|r| r.row).collect();
    refused_here.dedup();
    preview.refused_rows += refused_here.len() as u32;
    preview.problems.extend(
        report
            .refused
            .iter()
            .map(|refused| locator.problem(refused.row, refused.problem)),
    );
    preview.problems.sort_by(|a, b| {
        let column = |p: &RowProblem| p.column.as_ref().map(|c| (c.len(), c.clone()));
        (a.row, column(a)).cmp(&(b.row, column(b)))
    });
    Ok(preview)
}

/// The mapping the office saved last time, if any.
pub fn saved_mapping(conn: &mut SqliteConnection) -> Result<Option<SavedMapping>, StoreError> {
    let text: Option<String> = app_meta::table
        .find(MAPPING_KEY)
        .select(app_meta::value)
        .first(conn)
        .optional()?;
    Ok(text.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Keeps `mapping` for next time, over what was saved (other files'
/// columns stay known).
pub fn save_mapping(conn: &mut SqliteConnection, mapping: SavedMapping) -> Result<(), StoreError> {
    let mut saved = saved_mapping(conn)?.unwrap_or_default();
    saved.merge(mapping);
    let text = serde_json::to_string(&saved)
        .map_err(|e| StoreError::Database(format!("mapping not serialisable: {e}")))?;
    diesel::replace_into(app_meta::table)
        .values((app_meta::key.eq(MAPPING_KEY), app_meta::value.eq(text)))
        .execute(conn)?;
    Ok(())
}
