//! The trainer's workspace (ROLE-1, POL-9): upcoming sessions, the preparation
//! sheet of a session, and progress notes and objectives written by the trainer.
//! Every read of a participant's data and every change is audited (POL-21).

use crate::gate::{self, Gate};
use crate::schema::{
    attendance, enrolments, objectives, participants, progress_notes, questions, rooms, sessions,
    staff, workshop_groups,
};
use crate::scope;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::Scope;
use domain::enrolment::EnrolmentStatus;
use domain::time::to_rfc3339;
use domain::{Action, Actor, ErrorCode};
use serde::Serialize;
use std::collections::HashMap;

/// Longest note or objective accepted, in characters.
pub const MAX_TEXT: usize = 4000;

/// One session in a list: no personal data.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct SessionRow {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub title: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub room: Option<String>,
    pub enrolled: i64,
}

/// Sessions from `now` on (and those started in the last 3 hours) of the groups
/// the actor leads; the office and the DPO see every group's.
pub fn upcoming_sessions(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, StoreError> {
    gate::run(conn, actor, Action::SessionList, now, |gate| {
        sessions_from(gate.conn(), actor, now)
    })
}

fn sessions_from(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, StoreError> {
    let from = (now - chrono::Duration::hours(3)).naive_utc();
    let query = sessions::table
        .inner_join(workshop_groups::table)
        .left_join(rooms::table.on(sessions::room_id.eq(rooms::id.nullable())))
        .filter(sessions::ends_at.ge(from))
        .filter(scope::groups_condition(actor))
        .select((
            sessions::id,
            workshop_groups::id,
            workshop_groups::name,
            sessions::title,
            sessions::kind,
            sessions::starts_at,
            sessions::ends_at,
            rooms::name.nullable(),
        ))
        .order(sessions::starts_at)
        .limit(200);
    type Row = (
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
        Option<String>,
    );
    let rows: Vec<Row> = query.load(conn)?;
    let group_ids: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let counts: HashMap<String, i64> = enrolments::table
        .filter(enrolments::group_id.eq_any(&group_ids))
        .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
        .group_by(enrolments::group_id)
        .select((
            enrolments::group_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(
            |(id, group_id, group_name, title, kind, starts, ends, room)| SessionRow {
                enrolled: counts.get(&group_id).copied().unwrap_or(0),
                id,
                group_id,
                group_name,
                title,
                kind,
                starts_at: to_rfc3339(starts),
                ends_at: to_rfc3339(ends),
                room,
            },
        )
        .collect())
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct SheetNote {
    pub id: String,
    pub body: String,
    pub written_at: String,
    pub author: String,
    pub mine: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct SheetObjective {
    pub id: String,
    pub body: String,
    pub declared_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct SheetQuestion {
    pub text: String,
    pub asked_at: String,
}

/// One participant's part of a preparation sheet.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct SheetEntry {
    pub participant_id: String,
    pub given_name: String,
    pub family_name: String,
    pub objectives: Vec<SheetObjective>,
    /// The latest notes first (at most 5).
    pub notes: Vec<SheetNote>,
    pub questions: Vec<SheetQuestion>,
    /// Past sessions of the group the person attended, out of `past_sessions`.
    pub attended: i64,
    /// Whether attendance is recorded for this very session.
    pub present: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct PreparationSheet {
    pub session: SessionRow,
    pub past_sessions: i64,
    pub participants: Vec<SheetEntry>,
}

/// Session id, group id, group name, title, kind, start, end, room.
type SheetHead = (
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
);

/// The preparation sheet of a session (POL-9): for each confirmed participant
/// of the session's group, their declared objectives, latest progress notes,
/// earlier questions and attendance so far. Only for the group's trainer and
/// the DPO; one audit entry per participant shown.
pub fn preparation_sheet(
    conn: &mut SqliteConnection,
    actor: &Actor,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<PreparationSheet, StoreError> {
    gate::run(conn, actor, Action::SessionSheetRead, now, |gate| {
        sheet_in_gate(gate, session_id)
    })
}

fn sheet_in_gate(gate: &mut Gate<'_>, session_id: &str) -> Result<PreparationSheet, StoreError> {
    let actor = gate.actor().clone();
    let actor = &actor;
    let found: Option<SheetHead> = sessions::table
        .inner_join(workshop_groups::table)
        .left_join(rooms::table.on(sessions::room_id.eq(rooms::id.nullable())))
        .filter(sessions::id.eq(session_id))
        .select((
            sessions::id,
            workshop_groups::id,
            workshop_groups::name,
            sessions::title,
            sessions::kind,
            sessions::starts_at,
            sessions::ends_at,
            rooms::name.nullable(),
        ))
        .first(gate.conn())
        .optional()?;
    let Some((id, group_id, group_name, title, kind, starts, ends, room)) = found else {
        return Err(StoreError::NotFound(format!("session {session_id}")));
    };
    gate.reach_group(&group_id)?;
    let filter = gate.scope()?;
    let conn = gate.conn();
    let mut people: Vec<(String, String, String)> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(&group_id))
        .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
        .select((
            participants::id,
            participants::given_name,
            participants::family_name,
        ))
        .order((participants::family_name, participants::given_name))
        .load(conn)?;
    people.retain(|(pid, _, _)| filter.contains(pid));
    let ids: Vec<&str> = people.iter().map(|p| p.0.as_str()).collect();

    let past: Vec<String> = sessions::table
        .filter(sessions::group_id.eq(&group_id))
        .filter(sessions::starts_at.lt(starts))
        .select(sessions::id)
        .load(conn)?;
    let mut attended: HashMap<String, i64> = HashMap::new();
    for (pid, _sid) in attendance::table
        .filter(attendance::session_id.eq_any(&past))
        .filter(attendance::participant_id.eq_any(&ids))
        .select((attendance::participant_id, attendance::session_id))
        .distinct()
        .load::<(String, String)>(conn)?
    {
        *attended.entry(pid).or_default() += 1;
    }
    let present: Vec<String> = attendance::table
        .filter(attendance::session_id.eq(&id))
        .filter(attendance::participant_id.eq_any(&ids))
        .select(attendance::participant_id)
        .distinct()
        .load(conn)?;
    let mut objectives_by: HashMap<String, Vec<SheetObjective>> = HashMap::new();
    for (pid, oid, body, at) in objectives::table
        .filter(objectives::participant_id.eq_any(&ids))
        .order(objectives::declared_at.desc())
        .select((
            objectives::participant_id,
            objectives::id,
            objectives::body,
            objectives::declared_at,
        ))
        .load::<(String, String, String, NaiveDateTime)>(conn)?
    {
        objectives_by.entry(pid).or_default().push(SheetObjective {
            id: oid,
            body,
            declared_at: to_rfc3339(at),
        });
    }
    let names: HashMap<String, String> = staff::table
        .select((staff::id, staff::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut notes_by: HashMap<String, Vec<SheetNote>> = HashMap::new();
    for (pid, nid, body, at, author) in progress_notes::table
        .filter(progress_notes::participant_id.eq_any(&ids))
        .order(progress_notes::written_at.desc())
        .select((
            progress_notes::participant_id,
            progress_notes::id,
            progress_notes::body,
            progress_notes::written_at,
            progress_notes::author_id,
        ))
        .load::<(String, String, String, NaiveDateTime, String)>(conn)?
    {
        let list = notes_by.entry(pid).or_default();
        if list.len() < 5 {
            list.push(SheetNote {
                id: nid,
                body,
                written_at: to_rfc3339(at),
                mine: author == actor.staff_id.as_str(),
                author: names.get(&author).cloned().unwrap_or_default(),
            });
        }
    }
    let mut questions_by: HashMap<String, Vec<SheetQuestion>> = HashMap::new();
    for (pid, text, at) in questions::table
        .filter(questions::participant_id.eq_any(&ids))
        .order(questions::asked_at.desc())
        .select((
            questions::participant_id,
            questions::body,
            questions::asked_at,
        ))
        .load::<(String, String, NaiveDateTime)>(conn)?
    {
        questions_by.entry(pid).or_default().push(SheetQuestion {
            text,
            asked_at: to_rfc3339(at),
        });
    }
    let shown: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    gate.show(&shown);
    let enrolled = people.len() as i64;
    Ok(PreparationSheet {
        session: SessionRow {
            id,
            group_id,
            group_name,
            title,
            kind,
            starts_at: to_rfc3339(starts),
            ends_at: to_rfc3339(ends),
            room,
            enrolled,
        },
        past_sessions: past.len() as i64,
        participants: people
            .into_iter()
            .map(|(pid, given_name, family_name)| SheetEntry {
                objectives: objectives_by.remove(&pid).unwrap_or_default(),
                notes: notes_by.remove(&pid).unwrap_or_default(),
                questions: questions_by.remove(&pid).unwrap_or_default(),
                attended: attended.get(&pid).copied().unwrap_or(0),
                present: present.contains(&pid),
                participant_id: pid,
                given_name,
                family_name,
            })
            .collect(),
    })
}

fn clean_text(text: &str) -> Result<String, StoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::InvalidInput("the text is empty".into()));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(StoreError::InvalidInput(format!(
            "the text is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(text.to_owned())
}

/// A participant who exists and is in the actor's scope (refused otherwise,
/// and the refusal audited by the gate).
fn reach_existing(gate: &mut Gate<'_>, participant: &str) -> Result<(), StoreError> {
    let exists: i64 = participants::table
        .filter(participants::id.eq(participant))
        .count()
        .get_result(gate.conn())?;
    if exists == 0 {
        return Err(StoreError::NotFound(format!("participant {participant}")));
    }
    gate.reach(participant)
}

/// Adds a progress note about a participant of the actor's groups (ROLE-1).
pub fn add_progress_note(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::ProgressNoteAdd, now, |gate| {
        let body = clean_text(body)?;
        reach_existing(gate, participant)?;
        let id = domain::new_id();
        let at = gate.at();
        let stamp = gate.stamp(progress_notes::updated_at, progress_notes::updated_device);
        diesel::insert_into(progress_notes::table)
            .values((
                progress_notes::id.eq(&id),
                progress_notes::participant_id.eq(participant),
                progress_notes::author_id.eq(actor.staff_id.as_str()),
                progress_notes::body.eq(&body),
                progress_notes::written_at.eq(at),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id)
    })
}

/// Rewrites a progress note. A trainer edits only their own notes.
pub fn edit_progress_note(
    conn: &mut SqliteConnection,
    actor: &Actor,
    note: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::ProgressNoteEdit, now, |gate| {
        let body = clean_text(body)?;
        let found: Option<(String, String)> = progress_notes::table
            .filter(progress_notes::id.eq(note))
            .select((progress_notes::participant_id, progress_notes::author_id))
            .first(gate.conn())
            .optional()?;
        let Some((participant, author)) = found else {
            return Err(StoreError::NotFound(format!("note {note}")));
        };
        reach_existing(gate, &participant)?;
        if actor.scope() == Scope::LedGroups && author != actor.staff_id.as_str() {
            return Err(StoreError::refused(ErrorCode::NotAuthor).with("note", note));
        }
        let stamp = gate.stamp(progress_notes::updated_at, progress_notes::updated_device);
        diesel::update(progress_notes::table.filter(progress_notes::id.eq(note)))
            .set((progress_notes::body.eq(&body), stamp))
            .execute(gate.conn())?;
        Ok(())
    })
}

/// Records an objective the participant declared (ROLE-1, POL-9).
pub fn add_objective(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::ObjectiveAdd, now, |gate| {
        let body = clean_text(body)?;
        reach_existing(gate, participant)?;
        let id = domain::new_id();
        let at = gate.at();
        let stamp = gate.stamp(objectives::updated_at, objectives::updated_device);
        diesel::insert_into(objectives::table)
            .values((
                objectives::id.eq(&id),
                objectives::participant_id.eq(participant),
                objectives::body.eq(&body),
                objectives::declared_at.eq(at),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id)
    })
}

/// Rewrites an objective of a participant in the actor's scope.
pub fn edit_objective(
    conn: &mut SqliteConnection,
    actor: &Actor,
    objective: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::ObjectiveEdit, now, |gate| {
        let body = clean_text(body)?;
        let participant: Option<String> = objectives::table
            .filter(objectives::id.eq(objective))
            .select(objectives::participant_id)
            .first(gate.conn())
            .optional()?;
        let Some(participant) = participant else {
            return Err(StoreError::NotFound(format!("objective {objective}")));
        };
        reach_existing(gate, &participant)?;
        let stamp = gate.stamp(objectives::updated_at, objectives::updated_device);
        diesel::update(objectives::table.filter(objectives::id.eq(objective)))
            .set((objectives::body.eq(&body), stamp))
            .execute(gate.conn())?;
        Ok(())
    })
}

/// Records (or removes) a participant's presence at a session of a group the
/// trainer leads (ROLE-1: attendance of their sessions). Present: one
/// attendance row spanning the session, unless the person already has one
/// (imported from a report); absent: the session's rows for the person go.
pub fn set_attendance(
    conn: &mut SqliteConnection,
    actor: &Actor,
    session: &str,
    participant: &str,
    present: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::AttendanceSet, now, |gate| {
        let found: Option<(NaiveDateTime, NaiveDateTime, String)> = sessions::table
            .filter(sessions::id.eq(session))
            .select((sessions::starts_at, sessions::ends_at, sessions::group_id))
            .first(gate.conn())
            .optional()?;
        let Some((starts, ends, group)) = found else {
            return Err(StoreError::NotFound(format!("session {session}")));
        };
        gate.reach_group(&group)?;
        reach_existing(gate, participant)?;
        let existing: i64 = attendance::table
            .filter(attendance::session_id.eq(session))
            .filter(attendance::participant_id.eq(participant))
            .count()
            .get_result(gate.conn())?;
        if present && existing == 0 {
            let stamp = gate.stamp(attendance::updated_at, attendance::updated_device);
            diesel::insert_into(attendance::table)
                .values((
                    attendance::id.eq(domain::new_id()),
                    attendance::session_id.eq(session),
                    attendance::participant_id.eq(participant),
                    attendance::joined_at.eq(starts),
                    attendance::left_at.eq(Some(ends)),
                    stamp,
                ))
                .execute(gate.conn())?;
        } else if !present && existing > 0 {
            diesel::delete(
                attendance::table
                    .filter(attendance::session_id.eq(session))
                    .filter(attendance::participant_id.eq(participant)),
            )
            .execute(gate.conn())?;
        }
        Ok(())
    })
}
