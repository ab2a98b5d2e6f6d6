//! Consents and objections (POL-7, POL-26): an objection decided by the DPO
//! stops the processing at once; a marketing unsubscribe is immediate, with no
//! procedure; consents are dated rows, the history kept, each revocable.

use super::register::{actionable, load_request, log_action, paris_today, RequestRow};
use crate::gate::{self, Gate};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::rights::{
    self, ConsentPurpose, ConsentSource, Decision, ObjectionPurpose, RequestKind, RequestStatus,
};
use domain::{new_id, Action, Actor, ErrorCode};
use serde::Serialize;

/// The message templates a processing objection or an unsubscribe stops.
const SUGGESTIONS: [&str; 1] = ["module_suggestion"];

/// Decides an objection (POL-26): accepted, the processing stops at once for
/// the person; rejected, the compelling legitimate grounds are recorded.
pub fn decide_objection(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: &str,
    accepted: bool,
    grounds: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    gate::run(conn, actor, Action::ParticipantObjection, now, |gate| {
        let request = actionable(gate.conn(), request_id, &[RequestKind::Objection], now)?;
        let (decision, grounds) = rights::decide_objection(&request.facts(), accepted, grounds)
            .map_err(|code| StoreError::refused(code).with("request", request_id))?;
        let person = request.participant_id.clone().unwrap_or_default();
        gate.reach(&person)?;
        let purpose = request
            .objection_purpose
            .ok_or_else(|| StoreError::InvalidInput("the objection names no processing".into()))?;
        if decision == Decision::Accepted {
            stop_processing(gate, &person, purpose)?;
        }
        let stamp = gate.stamp(rights_requests::updated_at, rights_requests::updated_device);
        diesel::update(rights_requests::table.find(request_id))
            .set((
                rights_requests::decision.eq(decision.as_str()),
                rights_requests::grounds.eq(&grounds),
                rights_requests::status.eq(RequestStatus::InProgress.as_str()),
                stamp,
            ))
            .execute(gate.conn())?;
        let logged_as = match decision {
            Decision::Accepted => "objection_accepted",
            Decision::Rejected => "objection_rejected",
        };
        log_action(
            gate,
            request_id,
            logged_as,
            Some(purpose.as_str()),
            grounds.as_deref(),
        )?;
        load_request(gate.conn(), request_id, paris_today(now))
    })
}

/// Stops one processing for one person (POL-26).
fn stop_processing(
    gate: &mut Gate<'_>,
    person: &str,
    purpose: ObjectionPurpose,
) -> Result<(), StoreError> {
    let stamp = gate.stamp(participants::updated_at, participants::updated_device);
    let p = participants::table.find(person);
    match purpose {
        ObjectionPurpose::ModuleSuggestions => {
            diesel::update(p)
                .set((participants::objects_to_suggestions.eq(true), stamp))
                .execute(gate.conn())?;
            cancel_queued(gate, person)?;
        }
        ObjectionPurpose::Statistics => {
            diesel::update(p)
                .set((participants::objects_to_statistics.eq(true), stamp))
                .execute(gate.conn())?;
        }
    }
    Ok(())
}

/// Cancels the person's queued suggestions (POL-13, POL-26).
fn cancel_queued(gate: &mut Gate<'_>, person: &str) -> Result<usize, StoreError> {
    let stamp = gate.stamp(outbox_messages::updated_at, outbox_messages::updated_device);
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::participant_id.eq(person))
            .filter(outbox_messages::status.eq("queued"))
            .filter(outbox_messages::template.eq_any(SUGGESTIONS)),
    )
    .set((outbox_messages::status.eq("cancelled"), stamp))
    .execute(gate.conn())?)
}

/// Marketing unsubscribe (POL-26): immediate, no procedure. Opts out of
/// marketing, withdraws the newsletter consent, cancels queued suggestions.
/// With a request, the request is answered at once. Returns the person's
/// preferences as they now stand.
pub fn unsubscribe(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    source: ConsentSource,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Preferences, StoreError> {
    gate::run(conn, actor, Action::ParticipantUnsubscribe, now, |gate| {
        gate.reach(participant)?;
        let stamp = gate.stamp(participants::updated_at, participants::updated_device);
        let changed = diesel::update(participants::table.find(participant))
            .set((participants::marketing_opt_out.eq(true), stamp))
            .execute(gate.conn())?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        if current_consent(gate.conn(), participant, ConsentPurpose::Newsletter)? == Some(true) {
            insert_consent(gate, participant, ConsentPurpose::Newsletter, false, source)?;
        }
        cancel_queued(gate, participant)?;
        if let Some(request_id) = request_id {
            let request = load_request(gate.conn(), request_id, paris_today(now))?;
            if request.kind != RequestKind::Unsubscribe
                || request.participant_id.as_deref() != Some(participant)
            {
                return Err(
                    StoreError::refused(ErrorCode::WrongRequestType).with("request", request_id)
                );
            }
            log_action(gate, request_id, "unsubscribed", None, None)?;
            if request.open {
                let stamp =
                    gate.stamp(rights_requests::updated_at, rights_requests::updated_device);
                diesel::update(rights_requests::table.find(request_id))
                    .set((
                        rights_requests::status.eq(RequestStatus::Answered.as_str()),
                        rights_requests::answered_at.eq(gate.at()),
                        stamp,
                    ))
                    .execute(gate.conn())?;
            }
        }
        preferences_of(gate.conn(), participant)
    })
}

fn current_consent(
    conn: &mut SqliteConnection,
    participant: &str,
    purpose: ConsentPurpose,
) -> Result<Option<bool>, StoreError> {
    Ok(consents::table
        .filter(consents::participant_id.eq(participant))
        .filter(consents::purpose.eq(purpose.as_str()))
        .order((consents::recorded_at.desc(), consents::id.desc()))
        .select(consents::granted)
        .first::<bool>(conn)
        .optional()?)
}

fn insert_consent(
    gate: &mut Gate<'_>,
    participant: &str,
    purpose: ConsentPurpose,
    granted: bool,
    source: ConsentSource,
) -> Result<(), StoreError> {
    let at = gate.at();
    let stamp = gate.stamp(consents::updated_at, consents::updated_device);
    diesel::insert_into(consents::table)
        .values((
            consents::id.eq(new_id()),
            consents::participant_id.eq(participant),
            consents::purpose.eq(purpose.as_str()),
            consents::granted.eq(granted),
            consents::recorded_at.eq(at),
            consents::source.eq(source.as_str()),
            stamp,
        ))
        .execute(gate.conn())?;
    Ok(())
}

/// Records a consent given or withdrawn (POL-7): a new row, the history kept.
pub fn record_consent(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    purpose: ConsentPurpose,
    granted: bool,
    source: ConsentSource,
    now: DateTime<Utc>,
) -> Result<Preferences, StoreError> {
    gate::run(conn, actor, Action::ParticipantConsent, now, |gate| {
        let exists = participants::table
            .find(participant)
            .count()
            .get_result::<i64>(gate.conn())?;
        if exists == 0 {
            return Err(StoreError::NotFound(format!("participant {participant}")));
        }
        gate.reach(participant)?;
        if current_consent(gate.conn(), participant, purpose)? == Some(granted) {
            return Err(StoreError::refused(ErrorCode::ConsentUnchanged).with("purpose", purpose));
        }
        insert_consent(gate, participant, purpose, granted, source)?;
        // Giving the newsletter consent is an opt-in again.
        if purpose == ConsentPurpose::Newsletter && granted {
            let stamp = gate.stamp(participants::updated_at, participants::updated_device);
            diesel::update(participants::table.find(participant))
                .set((participants::marketing_opt_out.eq(false), stamp))
                .execute(gate.conn())?;
        }
        preferences_of(gate.conn(), participant)
    })
}

/// One consent decision.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct ConsentEvent {
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub recorded_at: String,
    pub source: ConsentSource,
}

/// A person's consents and objections as they stand, with the history.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Preferences {
    /// Purpose → current state (`None`: never asked).
    pub current: Vec<(ConsentPurpose, Option<bool>)>,
    pub history: Vec<ConsentEvent>,
    pub marketing_opt_out: bool,
    pub objects_to_suggestions: bool,
    pub objects_to_statistics: bool,
}

/// A person's preferences, as the DPO reads them (audited).
pub fn preferences(
    conn: &mut SqliteConnection,
    actor: &Actor,
    participant: &str,
    now: DateTime<Utc>,
) -> Result<Preferences, StoreError> {
    gate::run(
        conn,
        actor,
        Action::ParticipantPreferencesRead,
        now,
        |gate| {
            gate.reach(participant)?;
            preferences_of(gate.conn(), participant)
        },
    )
}

/// Reads a person's preferences inside an action that was authorised for
/// them (the profile, a consent or an unsubscribe).
pub(crate) fn preferences_of(
    conn: &mut SqliteConnection,
    participant: &str,
) -> Result<Preferences, StoreError> {
    let history: Vec<ConsentEvent> = consents::table
        .filter(consents::participant_id.eq(participant))
        .order((consents::recorded_at.desc(), consents::id.desc()))
        .select((
            consents::purpose,
            consents::granted,
            consents::recorded_at,
            consents::source,
        ))
        .load::<(String, bool, NaiveDateTime, String)>(conn)?
        .into_iter()
        .filter_map(|(purpose, granted, at, source)| {
            Some(ConsentEvent {
                purpose: ConsentPurpose::parse(&purpose)?,
                granted,
                recorded_at: domain::time::to_rfc3339(at),
                source: ConsentSource::parse(&source)?,
            })
        })
        .collect();
    let current = ConsentPurpose::ALL
        .iter()
        .map(|purpose| {
            let state = history
                .iter()
                .find(|e| e.purpose == *purpose)
                .map(|e| e.granted);
            (*purpose, state)
        })
        .collect();
    let (marketing_opt_out, objects_to_suggestions, objects_to_statistics) = participants::table
        .find(participant)
        .select((
            participants::marketing_opt_out,
            participants::objects_to_suggestions,
            participants::objects_to_statistics,
        ))
        .first::<(bool, bool, bool)>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("participant {participant}")))?;
    Ok(Preferences {
        current,
        history,
        marketing_opt_out,
        objects_to_suggestions,
        objects_to_statistics,
    })
}
