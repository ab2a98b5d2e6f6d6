//! Messages from templates (POL-13), queued in the outbox for the server to
//! send (issue 5). A module suggestion is never queued for a person who
//! objected to suggestions or unsubscribed from marketing (POL-26).

use crate::gate;
use crate::schema::{
    enrolments, outbox_messages, participants, programmes, sessions, workshop_groups,
};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::enrolment::EnrolmentStatus;
use domain::messages::{render, Rendered, Template};
use domain::time::{paris_fr, to_rfc3339};
use domain::{Action, Actor};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the message is about: the session (reminders), the group
/// (confirmations) and the programme (suggestions).
#[derive(Clone, Debug, Default)]
pub struct MessageContext<'a> {
    pub session: Option<&'a str>,
    pub group: Option<&'a str>,
    pub programme: Option<&'a str>,
}

fn missing(what: &str) -> StoreError {
    StoreError::InvalidInput(format!("this template needs a {what}"))
}

/// The values shared by every recipient.
fn context_values(
    conn: &mut SqliteConnection,
    template: Template,
    context: &MessageContext<'_>,
) -> Result<BTreeMap<&'static str, String>, StoreError> {
    let mut values = BTreeMap::new();
    match template {
        Template::WebinarReminder => {
            let session = context.session.ok_or_else(|| missing("session"))?;
            let (title, starts, group): (String, NaiveDateTime, String) = sessions::table
                .inner_join(workshop_groups::table)
                .filter(sessions::id.eq(session))
                .select((sessions::title, sessions::starts_at, workshop_groups::name))
                .first(conn)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("session {session}")))?;
            values.insert("seance", title);
            values.insert("date", paris_fr(starts.and_utc()));
            values.insert("groupe", group);
        }
        Template::RegistrationConfirmation => {
            let group = context.group.ok_or_else(|| missing("group"))?;
            let (name, schedule, programme): (String, String, String) = workshop_groups::table
                .inner_join(programmes::table)
                .filter(workshop_groups::id.eq(group))
                .select((
                    workshop_groups::name,
                    workshop_groups::schedule,
                    programmes::name,
                ))
                .first(conn)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("group {group}")))?;
            values.insert("groupe", name);
            values.insert("horaire", schedule);
            values.insert("programme", programme);
        }
        Template::ModuleSuggestion => {
            let programme = context.programme.ok_or_else(|| missing("programme"))?;
            let name: String = programmes::table
                .filter(programmes::id.eq(programme))
                .select(programmes::name)
                .first(conn)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("programme {programme}")))?;
            values.insert("programme", name);
        }
    }
    Ok(values)
}

/// (given name, objects to suggestions, unsubscribed from marketing).
fn person(
    conn: &mut SqliteConnection,
    participant: &str,
) -> Result<(String, bool, bool), StoreError> {
    participants::table
        .filter(participants::id.eq(participant))
        .select((
            participants::given_name,
            participants::objects_to_suggestions,
            participants::marketing_opt_out,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("participant {participant}")))
}

/// The filled message for one participant, without queuing it. Audited (the
/// preview shows the person's first name).
pub fn preview(
    conn: &mut SqliteConnection,
    actor: &Actor,
    template: Template,
    participant: &str,
    context: &MessageContext<'_>,
    now: DateTime<Utc>,
) -> Result<Rendered, StoreError> {
    gate::run(conn, actor, Action::MessagePreview, now, |gate| {
        let mut values = context_values(gate.conn(), template, context)?;
        let (given, ..) = person(gate.conn(), participant)?;
        gate.reach(participant)?;
        values.insert("prenom", given);
        render(template, &values).map_err(|e| StoreError::InvalidInput(e.to_string()))
    })
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Skipped {
    pub participant_id: String,
    /// "objected" (POL-26) or "unsubscribed".
    pub reason: &'static str,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Queued {
    pub queued: usize,
    pub skipped: Vec<Skipped>,
}

/// Queues the template for each confirmed participant of `group`, in one
/// transaction (suggestions skip those who objected or unsubscribed).
pub fn queue(
    conn: &mut SqliteConnection,
    actor: &Actor,
    template: Template,
    group: &str,
    context: &MessageContext<'_>,
    now: DateTime<Utc>,
) -> Result<Queued, StoreError> {
    gate::run(conn, actor, Action::MessageQueue, now, |gate| {
        let recipients = group_recipients(gate.conn(), group)?;
        if recipients.is_empty() {
            return Err(StoreError::InvalidInput("no recipient".into()));
        }
        let shared = context_values(gate.conn(), template, context)?;
        let at = gate.at();
        let mut result = Queued {
            queued: 0,
            skipped: Vec::new(),
        };
        for participant in &recipients {
            let (given, objected, unsubscribed) = person(gate.conn(), participant)?;
            if template.needs_no_objection() && (objected || unsubscribed) {
                result.skipped.push(Skipped {
                    participant_id: participant.clone(),
                    reason: if objected { "objected" } else { "unsubscribed" },
                });
                continue;
            }
            let mut values = shared.clone();
            values.insert("prenom", given);
            let rendered =
                render(template, &values).map_err(|e| StoreError::InvalidInput(e.to_string()))?;
            let stamp = gate.stamp(outbox_messages::updated_at, outbox_messages::updated_device);
            diesel::insert_into(outbox_messages::table)
                .values((
                    outbox_messages::id.eq(domain::new_id()),
                    outbox_messages::participant_id.eq(participant),
                    outbox_messages::template.eq(template.as_str()),
                    outbox_messages::session_id.eq(context.session),
                    outbox_messages::subject.eq(&rendered.subject),
                    outbox_messages::body.eq(&rendered.body),
                    outbox_messages::queued_at.eq(at),
                    outbox_messages::queued_by.eq(actor.staff_id.as_str()),
                    stamp,
                ))
                .execute(gate.conn())?;
            result.queued += 1;
            gate.show([participant]);
        }
        Ok(result)
    })
}

/// The confirmed participants of a group: the recipients of its messages.
fn group_recipients(conn: &mut SqliteConnection, group: &str) -> Result<Vec<String>, StoreError> {
    Ok(enrolments::table
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
        .select(enrolments::participant_id)
        .order(enrolments::participant_id)
        .load(conn)?)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct OutboxRow {
    pub id: String,
    pub participant_id: String,
    pub given_name: String,
    pub family_name: String,
    pub template: String,
    pub subject: String,
    pub queued_at: String,
    pub status: String,
}

/// The queued messages, newest first (office and DPO). Audited per person shown.
pub fn outbox(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<OutboxRow>, StoreError> {
    gate::run(conn, actor, Action::MessageOutboxRead, now, |gate| {
        outbox_rows(gate)
    })
}

fn outbox_rows(gate: &mut gate::Gate<'_>) -> Result<Vec<OutboxRow>, StoreError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
        String,
    );
    let rows: Vec<Row> = outbox_messages::table
        .inner_join(participants::table)
        .order(outbox_messages::queued_at.desc())
        .limit(500)
        .select((
            outbox_messages::id,
            participants::id,
            participants::given_name,
            participants::family_name,
            outbox_messages::template,
            outbox_messages::subject,
            outbox_messages::queued_at,
            outbox_messages::status,
        ))
        .load(gate.conn())?;
    let mut people: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    people.sort();
    people.dedup();
    gate.show(people);
    Ok(rows
        .into_iter()
        .map(
            |(id, participant_id, given_name, family_name, template, subject, at, status)| {
                OutboxRow {
                    id,
                    participant_id,
                    given_name,
                    family_name,
                    template,
                    subject,
                    queued_at: to_rfc3339(at),
                    status,
                }
            },
        )
        .collect())
}
