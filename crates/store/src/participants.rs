//! Participants as staff see them (ROLE-1..5, POL-9, POL-20): the list and
//! search of the people in the actor's scope, and one person's profile with
//! the sections the role may read. Every row shown is audited (POL-21).

use crate::gate::{self, Gate};
use crate::schema::*;
use crate::scope;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{access, Access, Category};
use domain::enrolment::{EnrolmentStatus, PaymentState};
use domain::time::to_rfc3339;
use domain::{Action, Actor};
use serde::Serialize;
use std::collections::HashMap;

/// One row of a participant list, limited to what the role may see.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct ParticipantRow {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    /// `None` when the role may not read identity beyond name and e-mail.
    pub phone: Option<String>,
    pub groups: Vec<String>,
}

/// At most this many rows per list or search answer.
pub const LIST_LIMIT: i64 = 200;

/// The half-open range of strings that start with `text`: `[text, text+U+10FFFF)`.
/// Compared under the columns' NOCASE collation this is a case-insensitive
/// prefix match that SQLite answers from the indexes (a bound `LIKE` pattern
/// defeats the LIKE optimisation and scans the table: 60 ms at 100k people).
fn prefix_range(text: &str) -> (String, String) {
    let low = text.to_owned();
    let mut high = low.clone();
    high.push(char::MAX);
    (low, high)
}

/// The participants in the actor's scope, optionally filtered by a prefix of
/// the given name, family name or e-mail. Audited: one entry per row shown.
pub fn list_participants(
    conn: &mut SqliteConnection,
    actor: &Actor,
    query: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<ParticipantRow>, StoreError> {
    gate::run(conn, actor, Action::ParticipantList, now, |gate| {
        let mut select = participants::table
            .select((
                participants::id,
                participants::given_name,
                participants::family_name,
                participants::email,
                participants::phone,
            ))
            .order((participants::family_name, participants::given_name))
            .limit(LIST_LIMIT)
            .into_boxed();
        if let Some(reached) = scope::participants_condition(actor, now) {
            select = select.filter(reached);
        }
        if let Some(text) = query.map(str::trim).filter(|t| !t.is_empty()) {
            let (low, high) = prefix_range(text);
            select = select.filter(
                (participants::family_name.ge(low.clone()))
                    .and(participants::family_name.lt(high.clone()))
                    .or(participants::given_name
                        .ge(low.clone())
                        .and(participants::given_name.lt(high.clone())))
                    .or(participants::email
                        .ge(low)
                        .and(participants::email.lt(high))),
            );
        }
        let rows: Vec<(String, String, String, String, Option<String>)> =
            select.load(gate.conn())?;
        let show_phone = can_read(actor, Category::Identity);
        let ids: Vec<&str> = rows.iter().map(|row| row.0.as_str()).collect();
        let groups = group_names(gate.conn(), actor, &ids)?;
        gate.show(&ids);
        Ok(rows
            .into_iter()
            .map(
                |(id, given_name, family_name, email, phone)| ParticipantRow {
                    groups: groups.get(&id).cloned().unwrap_or_default(),
                    id,
                    given_name,
                    family_name,
                    email,
                    phone: phone.filter(|_| show_phone),
                },
            )
            .collect())
    })
}

/// Names of the live groups of these participants that the actor can see.
fn group_names(
    conn: &mut SqliteConnection,
    actor: &Actor,
    ids: &[&str],
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let query = enrolments::table
        .inner_join(workshop_groups::table)
        .filter(scope::one_of("enrolments.participant_id", ids))
        .filter(enrolments::status.ne(EnrolmentStatus::Cancelled.as_str()))
        .filter(scope::groups_condition(actor))
        .select((enrolments::participant_id, workshop_groups::name))
        .order(workshop_groups::name);
    let pairs: Vec<(String, String)> = query.load(conn)?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (participant, group) in pairs {
        map.entry(participant).or_default().push(group);
    }
    Ok(map)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct FamilyDto {
    pub children_count: i32,
    pub age_brackets: Vec<String>,
    /// `None` for roles that see age brackets only (ROLE-3).
    pub challenges: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct TextEntry {
    pub id: String,
    pub body: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct NoteDto {
    pub id: String,
    pub body: String,
    pub written_at: String,
    pub author: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct ObjectiveDto {
    pub id: String,
    pub body: String,
    pub declared_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct QuestionDto {
    pub id: String,
    pub body: String,
    pub asked_at: String,
    pub session: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct AttendanceDto {
    pub session: String,
    pub joined_at: String,
    pub left_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct EnrolmentDto {
    pub group: String,
    pub status: String,
    /// `None` for roles that may not see payment status.
    pub payment_status: Option<String>,
}

/// A participant's profile. A `None` section is one the role may not read.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Profile {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub certified_16_plus_at: Option<String>,
    pub last_login_at: Option<String>,
    pub family: Option<FamilyDto>,
    pub objectives: Option<Vec<ObjectiveDto>>,
    pub progress_notes: Option<Vec<NoteDto>>,
    pub questions: Option<Vec<QuestionDto>>,
    pub attendance: Option<Vec<AttendanceDto>>,
    pub enrolments: Option<Vec<EnrolmentDto>>,
    /// POL-7, POL-26: current consents and objections (DPO only).
    pub preferences: Option<crate::rights::Preferences>,
}

fn can_read(actor: &Actor, category: Category) -> bool {
    access(actor.role, category) >= Access::Read
}

/// One participant's profile, with the sections the actor's role may read,
/// for a participant in the actor's scope (POL-9). Audited, refusals included.
pub fn participant_profile(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    now: DateTime<Utc>,
) -> Result<Profile, StoreError> {
    // Names and e-mails only is not a profile: external trainers are refused (ROLE-2).
    gate::run(conn, actor, Action::ParticipantProfileRead, now, |gate| {
        profile_in_gate(gate, participant)
    })
}

fn profile_in_gate(gate: &mut Gate<'_>, participant: &str) -> Result<Profile, StoreError> {
    let actor = gate.actor().clone();
    let actor = &actor;
    // Scope first: out of scope and unknown read the same to a trainer, and
    // the attempt is recorded either way (POL-21).
    gate.reach(participant)?;
    type IdentityRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let identity: Option<IdentityRow> = participants::table
        .filter(participants::id.eq(participant))
        .select((
            participants::id,
            participants::given_name,
            participants::family_name,
            participants::email,
            participants::phone,
            participants::certified_16_plus_at,
            participants::last_login_at,
        ))
        .first(gate.conn())
        .optional()?;
    let Some((id, given_name, family_name, email, phone, certified, last_login)) = identity else {
        return Err(StoreError::NotFound(format!("participant {participant}")));
    };
    let conn = gate.conn();

    let family = if can_read(actor, Category::AgeBrackets) {
        family_situations::table
            .filter(family_situations::participant_id.eq(&id))
            .select((
                family_situations::children_count,
                family_situations::age_brackets,
                family_situations::challenges,
            ))
            .first::<(i32, String, Option<String>)>(conn)
            .optional()?
            .map(|(children_count, brackets, challenges)| FamilyDto {
                children_count,
                age_brackets: brackets
                    .split(',')
                    .filter(|b| !b.is_empty())
                    .map(str::to_owned)
                    .collect(),
                challenges: challenges.filter(|_| can_read(actor, Category::FamilySituation)),
            })
    } else {
        None
    };

    let objectives = if can_read(actor, Category::Objectives) {
        Some(
            objectives::table
                .filter(objectives::participant_id.eq(&id))
                .order(objectives::declared_at.desc())
                .select((objectives::id, objectives::body, objectives::declared_at))
                .load::<(String, String, NaiveDateTime)>(conn)?
                .into_iter()
                .map(|(id, body, at)| ObjectiveDto {
                    id,
                    body,
                    declared_at: to_rfc3339(at),
                })
                .collect(),
        )
    } else {
        None
    };

    let progress_notes = if can_read(actor, Category::ProgressNotes) {
        Some(
            progress_notes::table
                .inner_join(staff::table)
                .filter(progress_notes::participant_id.eq(&id))
                .order(progress_notes::written_at.desc())
                .select((
                    progress_notes::id,
                    progress_notes::body,
                    progress_notes::written_at,
                    staff::display_name,
                ))
                .load::<(String, String, NaiveDateTime, String)>(conn)?
                .into_iter()
                .map(|(id, body, at, author)| NoteDto {
                    id,
                    body,
                    written_at: to_rfc3339(at),
                    author,
                })
                .collect(),
        )
    } else {
        None
    };

    let questions = if can_read(actor, Category::Questions) {
        Some(
            questions::table
                .inner_join(sessions::table)
                .filter(questions::participant_id.eq(&id))
                .order(questions::asked_at.desc())
                .select((
                    questions::id,
                    questions::body,
                    questions::asked_at,
                    sessions::title,
                ))
                .load::<(String, String, NaiveDateTime, String)>(conn)?
                .into_iter()
                .map(|(id, body, at, session)| QuestionDto {
                    id,
                    body,
                    asked_at: to_rfc3339(at),
                    session,
                })
                .collect(),
        )
    } else {
        None
    };

    let attendance = if can_read(actor, Category::Attendance) {
        let query = attendance::table
            .inner_join(sessions::table.inner_join(workshop_groups::table))
            .filter(attendance::participant_id.eq(&id))
            .order(attendance::joined_at.desc())
            .filter(scope::groups_condition(actor))
            .select((sessions::title, attendance::joined_at, attendance::left_at));
        Some(
            query
                .load::<(String, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
                .into_iter()
                .map(|(session, joined, left)| AttendanceDto {
                    session,
                    joined_at: to_rfc3339(joined),
                    left_at: left.map(to_rfc3339),
                })
                .collect(),
        )
    } else {
        None
    };

    let enrolments = if can_read(actor, Category::Enrolments) {
        let show_payment = can_read(actor, Category::PaymentStatus);
        let query = enrolments::table
            .inner_join(workshop_groups::table)
            .filter(enrolments::participant_id.eq(&id))
            .order(enrolments::requested_at.desc())
            .filter(scope::groups_condition(actor))
            .select((enrolments::id, workshop_groups::name, enrolments::status));
        let rows: Vec<(String, String, String)> = query.load(conn)?;
        let mut out = Vec::with_capacity(rows.len());
        for (enrolment, group, status) in rows {
            let payment_status = if show_payment {
                let statuses: Vec<String> = payments::table
                    .filter(payments::enrolment_id.eq(&enrolment))
                    .select(payments::status)
                    .load(conn)?;
                Some(PaymentState::of(&statuses).as_str().to_owned())
            } else {
                None
            };
            out.push(EnrolmentDto {
                group,
                status,
                payment_status,
            });
        }
        Some(out)
    } else {
        None
    };

    let preferences = if can_read(actor, Category::Consents) {
        Some(crate::rights::preferences_of(conn, &id)?)
    } else {
        None
    };

    let show_identity = can_read(actor, Category::Identity);
    Ok(Profile {
        id,
        given_name,
        family_name,
        email,
        phone: phone.filter(|_| show_identity),
        certified_16_plus_at: Some(to_rfc3339(certified)).filter(|_| show_identity),
        last_login_at: last_login.map(to_rfc3339).filter(|_| show_identity),
        family,
        objectives,
        progress_notes,
        questions,
        attendance,
        enrolments,
        preferences,
    })
}
