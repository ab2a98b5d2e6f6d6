//! Importing videoconference reports into a session (POL-4, DC-7): the
//! attendance report (join and leave times) or the questions report, parsed
//! by `domain::attendance_import`, matched to participants by e-mail, stored
//! in UTC. All or nothing: a malformed file changes nothing and the error names
//! the line. Rows whose e-mail matches no one (in the importer's scope) wait
//! in `import_unmatched` for the office to match or discard them.

use crate::gate::{self, Gate};
use crate::schema::{attendance, import_unmatched, participants, questions, sessions};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::attendance_import::{parse_report_with, ImportOptions, Parsed, SlashDateOrder};
use domain::time::to_rfc3339;
use domain::{Action, Actor};
use serde::Serialize;
use std::collections::HashMap;

/// Largest report accepted (a participant report of a 1,000-person webinar is ~200 KB).
pub const MAX_REPORT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct UnmatchedRow {
    pub id: String,
    pub line: i32,
    pub kind: String,
    pub name: String,
    pub email: String,
    pub starts_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct ImportSummary {
    pub import_id: String,
    /// "attendance" or "questions".
    pub kind: String,
    pub rows: usize,
    pub matched: usize,
    /// Rows already imported earlier (same person, same time): not added twice.
    pub duplicates: usize,
    pub unmatched: Vec<UnmatchedRow>,
}

/// The session's group must be in the actor's scope (trainers import into
/// their own sessions only).
fn reach_session(gate: &mut Gate<'_>, session: &str) -> Result<(), StoreError> {
    let group: Option<String> = sessions::table
        .filter(sessions::id.eq(session))
        .select(sessions::group_id)
        .first(gate.conn())
        .optional()?;
    let Some(group) = group else {
        return Err(StoreError::NotFound(format!("session {session}")));
    };
    gate.reach_group(&group)
}

/// Parses `bytes` (times local to `zone` unless they carry an offset; slash
/// dates month-first as Zoom writes them, or day-first) and imports the report
/// into `session`.
pub fn import_report(
    conn: &mut SqliteConnection,
    actor: &Actor,
    session: &str,
    bytes: &[u8],
    zone: chrono_tz::Tz,
    day_first: bool,
    now: DateTime<Utc>,
) -> Result<ImportSummary, StoreError> {
    gate::run(conn, actor, Action::ReportImport, now, |gate| {
        reach_session(gate, session)?;
        import_in_gate(gate, session, bytes, zone, day_first)
    })
}

fn import_in_gate(
    gate: &mut Gate<'_>,
    session: &str,
    bytes: &[u8],
    zone: chrono_tz::Tz,
    day_first: bool,
) -> Result<ImportSummary, StoreError> {
    let actor = gate.actor().clone();
    let actor = &actor;
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(StoreError::InvalidInput(format!(
            "the file is larger than {} MB",
            MAX_REPORT_BYTES / (1024 * 1024)
        )));
    }
    let options = ImportOptions {
        zone,
        slash_dates: if day_first {
            SlashDateOrder::DayFirst
        } else {
            SlashDateOrder::MonthFirst
        },
    };
    // The parser's errors name the line and the column, never a cell's content.
    // The window names the line (`line`), in its language.
    let parsed = parse_report_with(bytes, &options).map_err(|error| {
        StoreError::refused(domain::ErrorCode::InvalidInput).with("line", error.line)
    })?;
    let import_id = domain::new_id();
    let filter = gate.scope()?;
    let at = gate.at();
    let conn = gate.conn();
    {
        let by_email: HashMap<String, String> = participants::table
            .select((participants::email, participants::id))
            .load::<(String, String)>(conn)?
            .into_iter()
            .filter(|(_, id)| filter.contains(id))
            .map(|(email, id)| (email.to_lowercase(), id))
            .collect();
        let device = actor.device_id.as_str();
        let mut summary = ImportSummary {
            import_id: import_id.clone(),
            kind: String::new(),
            rows: 0,
            matched: 0,
            duplicates: 0,
            unmatched: Vec::new(),
        };
        let mut people: Vec<String> = Vec::new();
        let unmatched = |conn: &mut SqliteConnection,
                         line: usize,
                         kind: &str,
                         name: &str,
                         email: &str,
                         starts: NaiveDateTime,
                         ends: Option<NaiveDateTime>,
                         question: Option<&str>|
         -> Result<UnmatchedRow, StoreError> {
            let id = domain::new_id();
            diesel::insert_into(import_unmatched::table)
                .values((
                    import_unmatched::id.eq(&id),
                    import_unmatched::import_id.eq(&import_id),
                    import_unmatched::session_id.eq(session),
                    import_unmatched::kind.eq(kind),
                    import_unmatched::line.eq(line as i32),
                    import_unmatched::name.eq(name),
                    import_unmatched::email.eq(email),
                    import_unmatched::starts_at.eq(starts),
                    import_unmatched::ends_at.eq(ends),
                    import_unmatched::question.eq(question),
                    import_unmatched::imported_at.eq(at),
                    import_unmatched::imported_by.eq(actor.staff_id.as_str()),
                    import_unmatched::updated_at.eq(at),
                    import_unmatched::updated_device.eq(device),
                ))
                .execute(conn)?;
            Ok(UnmatchedRow {
                id,
                line: line as i32,
                kind: kind.to_owned(),
                name: name.to_owned(),
                email: email.to_owned(),
                starts_at: to_rfc3339(starts),
            })
        };
        match parsed {
            Parsed::Attendance { rows, .. } => {
                summary.kind = "attendance".into();
                summary.rows = rows.len();
                for row in rows {
                    let (joined, left) = (row.joined_at.naive_utc(), row.left_at.naive_utc());
                    match by_email.get(&row.email.to_lowercase()) {
                        Some(participant) => {
                            let existing: i64 = attendance::table
                                .filter(attendance::session_id.eq(session))
                                .filter(attendance::participant_id.eq(participant))
                                .filter(attendance::joined_at.eq(joined))
                                .count()
                                .get_result(conn)?;
                            if existing > 0 {
                                summary.duplicates += 1;
                                continue;
                            }
                            diesel::insert_into(attendance::table)
                                .values((
                                    attendance::id.eq(domain::new_id()),
                                    attendance::session_id.eq(session),
                                    attendance::participant_id.eq(participant),
                                    attendance::joined_at.eq(joined),
                                    attendance::left_at.eq(Some(left)),
                                    attendance::updated_at.eq(at),
                                    attendance::updated_device.eq(device),
                                ))
                                .execute(conn)?;
                            summary.matched += 1;
                            people.push(participant.clone());
                        }
                        None => {
                            let row = unmatched(
                                conn,
                                row.line,
                                "attendance",
                                &row.name,
                                &row.email,
                                joined,
                                Some(left),
                                None,
                            )?;
                            summary.unmatched.push(row);
                        }
                    }
                }
            }
            Parsed::Questions { rows, .. } => {
                summary.kind = "questions".into();
                summary.rows = rows.len();
                for row in rows {
                    let asked = row.asked_at.naive_utc();
                    match by_email.get(&row.email.to_lowercase()) {
                        Some(participant) => {
                            let existing: i64 = questions::table
                                .filter(questions::session_id.eq(session))
                                .filter(questions::participant_id.eq(participant))
                                .filter(questions::asked_at.eq(asked))
                                .count()
                                .get_result(conn)?;
                            if existing > 0 {
                                summary.duplicates += 1;
                                continue;
                            }
                            diesel::insert_into(questions::table)
                                .values((
                                    questions::id.eq(domain::new_id()),
                                    questions::session_id.eq(session),
                                    questions::participant_id.eq(participant),
                                    questions::asked_at.eq(asked),
                                    questions::body.eq(&row.text),
                                    questions::updated_at.eq(at),
                                    questions::updated_device.eq(device),
                                ))
                                .execute(conn)?;
                            summary.matched += 1;
                            people.push(participant.clone());
                        }
                        None => {
                            let row = unmatched(
                                conn,
                                row.line,
                                "question",
                                &row.name,
                                &row.email,
                                asked,
                                None,
                                Some(&row.text),
                            )?;
                            summary.unmatched.push(row);
                        }
                    }
                }
            }
        }
        people.sort();
        people.dedup();
        gate.show(&people);
        Ok(summary)
    }
}

/// The rows of a session's reports still waiting for a decision.
pub fn unmatched_rows(
    conn: &mut SqliteConnection,
    actor: &Actor,
    session: &str,
    now: DateTime<Utc>,
) -> Result<Vec<UnmatchedRow>, StoreError> {
    gate::run(conn, actor, Action::ReportUnmatchedList, now, |gate| {
        reach_session(gate, session)?;
        rows_of(gate.conn(), session)
    })
}

fn rows_of(conn: &mut SqliteConnection, session: &str) -> Result<Vec<UnmatchedRow>, StoreError> {
    Ok(import_unmatched::table
        .filter(import_unmatched::session_id.eq(session))
        .order((import_unmatched::imported_at, import_unmatched::line))
        .select((
            import_unmatched::id,
            import_unmatched::line,
            import_unmatched::kind,
            import_unmatched::name,
            import_unmatched::email,
            import_unmatched::starts_at,
        ))
        .load::<(String, i32, String, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, line, kind, name, email, starts)| UnmatchedRow {
            id,
            line,
            kind,
            name,
            email,
            starts_at: to_rfc3339(starts),
        })
        .collect())
}

/// Resolves an unmatched row: matched to `participant` (its attendance or
/// question is stored) or, with `None`, discarded. The row is deleted either way.
pub fn resolve_unmatched(
    conn: &mut SqliteConnection,
    actor: &Actor,
    row: &str,
    participant: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::ReportUnmatchedResolve, now, |gate| {
        type Row = (
            String,
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<String>,
        );
        let found: Option<Row> = import_unmatched::table
            .filter(import_unmatched::id.eq(row))
            .select((
                import_unmatched::session_id,
                import_unmatched::kind,
                import_unmatched::starts_at,
                import_unmatched::ends_at,
                import_unmatched::question,
            ))
            .first(gate.conn())
            .optional()?;
        let Some((session, kind, starts, ends, question)) = found else {
            return Err(StoreError::NotFound(format!("unmatched row {row}")));
        };
        reach_session(gate, &session)?;
        if let Some(participant) = participant {
            gate.reach(participant)?;
            if kind == "attendance" {
                let stamp = gate.stamp(attendance::updated_at, attendance::updated_device);
                diesel::insert_into(attendance::table)
                    .values((
                        attendance::id.eq(domain::new_id()),
                        attendance::session_id.eq(&session),
                        attendance::participant_id.eq(participant),
                        attendance::joined_at.eq(starts),
                        attendance::left_at.eq(ends),
                        stamp,
                    ))
                    .execute(gate.conn())?;
            } else {
                let stamp = gate.stamp(questions::updated_at, questions::updated_device);
                diesel::insert_into(questions::table)
                    .values((
                        questions::id.eq(domain::new_id()),
                        questions::session_id.eq(&session),
                        questions::participant_id.eq(participant),
                        questions::asked_at.eq(starts),
                        questions::body.eq(question.unwrap_or_default()),
                        stamp,
                    ))
                    .execute(gate.conn())?;
            }
        }
        diesel::delete(import_unmatched::table.filter(import_unmatched::id.eq(row)))
            .execute(gate.conn())?;
        Ok(())
    })
}
