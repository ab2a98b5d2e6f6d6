//! The register of rights requests (POL-23, POL-38): a request is registered
//! with its channel and date of receipt, read with its deadlines and its log,
//! and moved along by the DPO's steps (`domain::rights::next`).

use crate::gate::{self, Gate};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::deadlines::{deadlines, urgency, Deadlines, Urgency};
use domain::rights::{
    self, Channel, Decision, ObjectionPurpose, RequestFacts, RequestKind, RequestStatus, Step,
};
use domain::{new_id, Action, Actor, ErrorCode, ParticipantId};
use serde::{Deserialize, Serialize};

/// A new request as the DPO types it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct NewRequest {
    pub participant_id: ParticipantId,
    pub kind: RequestKind,
    pub channel: Channel,
    /// The date of receipt (Europe/Paris), from which deadlines count.
    pub received_on: NaiveDate,
    /// For an objection: the processing objected to.
    pub objection_purpose: Option<ObjectionPurpose>,
}

/// One row of the register, with its deadlines.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct RequestRow {
    pub id: String,
    /// A short reference to quote to the person, e.g. `DR-2026-3f9a1c`.
    pub reference: String,
    pub participant_id: Option<String>,
    /// The person's name while they exist (the register keeps no identity after erasure).
    pub person: Option<String>,
    pub kind: RequestKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub status: RequestStatus,
    pub identity_check_method: Option<String>,
    pub identity_checked_at: Option<String>,
    pub grounds: Option<String>,
    pub objection_purpose: Option<ObjectionPurpose>,
    pub decision: Option<Decision>,
    pub answered_at: Option<String>,
    pub deadlines: Deadlines,
    /// The date that applies now: the policy target, or the extended date.
    pub due: NaiveDate,
    /// `None` once the request is closed.
    pub urgency: Option<Urgency>,
    pub open: bool,
}

impl RequestRow {
    /// What the domain's rules need to know about this request.
    pub fn facts(&self) -> RequestFacts {
        RequestFacts {
            kind: self.kind,
            status: self.status,
            identity_checked: self.identity_checked_at.is_some(),
            decision: self.decision,
            names_a_person: self.participant_id.is_some(),
            legal_deadline: self.deadlines.legal,
        }
    }
}

/// One action taken on a request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct ActionRow {
    pub at: String,
    pub staff: String,
    pub action: String,
    pub field: Option<String>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct RequestDetail {
    pub request: RequestRow,
    pub actions: Vec<ActionRow>,
}

type RequestTuple = (
    String,
    Option<String>,
    String,
    String,
    NaiveDateTime,
    Option<String>,
    Option<NaiveDateTime>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

fn stored<T>(parsed: Option<T>, column: &str) -> Result<T, StoreError> {
    parsed.ok_or_else(|| StoreError::Database(format!("unknown value in rights_requests.{column}")))
}

fn row_from(
    tuple: RequestTuple,
    person: Option<String>,
    today: NaiveDate,
) -> Result<RequestRow, StoreError> {
    let (
        id,
        participant_id,
        kind,
        channel,
        received_at,
        method,
        checked_at,
        status,
        grounds,
        purpose,
        decision,
        answered_at,
    ) = tuple;
    let received_on = received_at.date();
    let dates = deadlines(received_on);
    let status = stored(RequestStatus::parse(&status), "status")?;
    let extended = status == RequestStatus::Extended;
    let open = status.is_open();
    Ok(RequestRow {
        reference: rights::reference_of(&id, received_on),
        id,
        participant_id,
        person,
        kind: stored(RequestKind::parse(&kind), "kind")?,
        channel: stored(Channel::parse(&channel), "channel")?,
        received_on,
        status,
        identity_check_method: method,
        identity_checked_at: checked_at.map(domain::time::to_rfc3339),
        grounds,
        objection_purpose: purpose.as_deref().and_then(ObjectionPurpose::parse),
        decision: decision.as_deref().and_then(Decision::parse),
        answered_at: answered_at.map(domain::time::to_rfc3339),
        due: if extended {
            dates.policy_extended
        } else {
            dates.policy_target
        },
        urgency: open.then(|| urgency(&dates, extended, today)),
        deadlines: dates,
        open,
    })
}

#[allow(clippy::type_complexity)]
fn select_request() -> (
    rights_requests::id,
    rights_requests::participant_id,
    rights_requests::kind,
    rights_requests::channel,
    rights_requests::received_at,
    rights_requests::identity_check_method,
    rights_requests::identity_checked_at,
    rights_requests::status,
    rights_requests::grounds,
    rights_requests::objection_purpose,
    rights_requests::decision,
    rights_requests::answered_at,
) {
    (
        rights_requests::id,
        rights_requests::participant_id,
        rights_requests::kind,
        rights_requests::channel,
        rights_requests::received_at,
        rights_requests::identity_check_method,
        rights_requests::identity_checked_at,
        rights_requests::status,
        rights_requests::grounds,
        rights_requests::objection_purpose,
        rights_requests::decision,
        rights_requests::answered_at,
    )
}

fn person_name(conn: &mut SqliteConnection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(participants::table
        .find(id)
        .select((participants::given_name, participants::family_name))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(given, family)| format!("{given} {family}")))
}

/// Today in Paris: deadlines count in the office's calendar.
pub fn paris_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

pub(crate) fn load_request(
    conn: &mut SqliteConnection,
    id: &str,
    today: NaiveDate,
) -> Result<RequestRow, StoreError> {
    let tuple: RequestTuple = rights_requests::table
        .find(id)
        .select(select_request())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("rights request {id}")))?;
    let person = match &tuple.1 {
        Some(p) => person_name(conn, p)?,
        None => None,
    };
    row_from(tuple, person, today)
}

/// Appends one line to a request's own log (POL-24, POL-38: what was done,
/// when, by whom; never an old value).
pub(crate) fn log_action(
    gate: &mut Gate<'_>,
    request_id: &str,
    action: &str,
    field: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    let staff = gate.actor().staff_id.as_str().to_owned();
    let at = gate.at();
    let stamp = gate.stamp(
        rights_request_actions::updated_at,
        rights_request_actions::updated_device,
    );
    diesel::insert_into(rights_request_actions::table)
        .values((
            rights_request_actions::id.eq(new_id()),
            rights_request_actions::request_id.eq(request_id),
            rights_request_actions::at.eq(at),
            rights_request_actions::staff_id.eq(staff),
            rights_request_actions::action.eq(action),
            rights_request_actions::field.eq(field),
            rights_request_actions::detail.eq(detail),
            stamp,
        ))
        .execute(gate.conn())?;
    Ok(())
}

/// Registers a request (POL-38: channel, date of receipt; the identity check comes next).
pub fn register_request(
    conn: &mut SqliteConnection,
    actor: &Actor,
    new: &NewRequest,
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    gate::run(conn, actor, Action::RightsRequestRegister, now, |gate| {
        let today = paris_today(now);
        if new.received_on > today {
            return Err(ErrorCode::ReceivedInFuture.into());
        }
        let purpose = match (new.kind, new.objection_purpose) {
            (RequestKind::Objection, Some(purpose)) => Some(purpose),
            (RequestKind::Objection, None) => {
                return Err(ErrorCode::ObjectionPurposeRequired.into())
            }
            _ => None,
        };
        let person = new.participant_id.as_str();
        let exists = participants::table
            .find(person)
            .select(participants::id)
            .first::<String>(gate.conn())
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("participant {person}")));
        }
        gate.reach(person)?;
        let id = new_id();
        let stamp = gate.stamp(rights_requests::updated_at, rights_requests::updated_device);
        diesel::insert_into(rights_requests::table)
            .values((
                rights_requests::id.eq(&id),
                rights_requests::participant_id.eq(person),
                rights_requests::kind.eq(new.kind.as_str()),
                rights_requests::channel.eq(new.channel.as_str()),
                rights_requests::received_at.eq(new.received_on.and_hms_opt(0, 0, 0).unwrap()),
                rights_requests::status.eq(RequestStatus::Received.as_str()),
                rights_requests::objection_purpose.eq(purpose.map(ObjectionPurpose::as_str)),
                stamp,
            ))
            .execute(gate.conn())?;
        log_action(gate, &id, "registered", None, None)?;
        load_request(gate.conn(), &id, today)
    })
}

/// The register: open requests first, soonest due first; then closed ones,
/// newest first. Audited per person shown.
pub fn list_requests(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<RequestRow>, StoreError> {
    gate::run(conn, actor, Action::RightsRequestList, now, |gate| {
        let today = paris_today(now);
        let tuples: Vec<RequestTuple> = rights_requests::table
            .select(select_request())
            .order(rights_requests::received_at.desc())
            .limit(500)
            .load(gate.conn())?;
        let mut rows = Vec::with_capacity(tuples.len());
        for tuple in tuples {
            let person = match &tuple.1 {
                Some(p) => person_name(gate.conn(), p)?,
                None => None,
            };
            rows.push(row_from(tuple, person, today)?);
        }
        rows.sort_by(|a, b| {
            b.open
                .cmp(&a.open)
                .then_with(|| {
                    if a.open {
                        a.due.cmp(&b.due)
                    } else {
                        b.received_on.cmp(&a.received_on)
                    }
                })
                .then_with(|| a.id.cmp(&b.id))
        });
        gate.show(rows.iter().filter_map(|r| r.participant_id.as_deref()));
        Ok(rows)
    })
}

/// One request with every action taken on it.
pub fn request_detail(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RequestDetail, StoreError> {
    gate::run(conn, actor, Action::RightsRequestRead, now, |gate| {
        let request = load_request(gate.conn(), id, paris_today(now))?;
        let actions = rights_request_actions::table
            .inner_join(staff::table)
            .filter(rights_request_actions::request_id.eq(id))
            .order((rights_request_actions::at, rights_request_actions::id))
            .select((
                rights_request_actions::at,
                staff::display_name,
                rights_request_actions::action,
                rights_request_actions::field,
                rights_request_actions::detail,
            ))
            .load::<(
                NaiveDateTime,
                String,
                String,
                Option<String>,
                Option<String>,
            )>(gate.conn())?
            .into_iter()
            .map(|(at, staff, action, field, detail)| ActionRow {
                at: domain::time::to_rfc3339(at),
                staff,
                action,
                field,
                detail,
            })
            .collect();
        gate.show(request.participant_id.as_deref());
        Ok(RequestDetail { request, actions })
    })
}

/// Moves a request along (`domain::rights::next`): received → identity
/// checked → in progress → answered, or refused / extended with grounds.
/// A refused step names its rule and is audited as an attempt.
pub fn advance(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: &str,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    gate::run(conn, actor, Action::RightsRequestUpdate, now, |gate| {
        let today = paris_today(now);
        let request = load_request(gate.conn(), id, today)?;
        let transition = rights::next(&request.facts(), step, today)
            .map_err(|code| StoreError::refused(code).with("request", id))?;
        let at = gate.at();
        let me = gate.actor().staff_id.as_str().to_owned();
        let stamp = gate.stamp(rights_requests::updated_at, rights_requests::updated_device);
        let status = rights_requests::status.eq(transition.status.as_str());
        let target = rights_requests::table.find(id);
        let text = transition.text.as_deref();
        match step {
            Step::CheckIdentity { .. } => diesel::update(target)
                .set((
                    status,
                    rights_requests::identity_check_method.eq(text),
                    rights_requests::identity_checked_by.eq(me),
                    rights_requests::identity_checked_at.eq(at),
                    stamp,
                ))
                .execute(gate.conn())?,
            Step::Start => diesel::update(target)
                .set((status, stamp))
                .execute(gate.conn())?,
            Step::Extend { .. } => diesel::update(target)
                .set((
                    status,
                    rights_requests::grounds.eq(text),
                    rights_requests::extended_at.eq(at),
                    stamp,
                ))
                .execute(gate.conn())?,
            Step::Answer { .. } => diesel::update(target)
                .set((status, rights_requests::answered_at.eq(at), stamp))
                .execute(gate.conn())?,
            Step::Refuse { .. } => diesel::update(target)
                .set((
                    status,
                    rights_requests::grounds.eq(text),
                    rights_requests::answered_at.eq(at),
                    stamp,
                ))
                .execute(gate.conn())?,
        };
        log_action(gate, id, transition.logged_as, None, text)?;
        gate.show(request.participant_id.as_deref());
        load_request(gate.conn(), id, today)
    })
}

/// An open request of one of `kinds` whose identity was checked: the gate
/// before any data leaves or changes on a request (POL-38). Called inside
/// the caller's gated action.
pub(crate) fn actionable(
    conn: &mut SqliteConnection,
    id: &str,
    kinds: &[RequestKind],
    now: DateTime<Utc>,
) -> Result<RequestRow, StoreError> {
    let request = load_request(conn, id, paris_today(now))?;
    rights::actionable(&request.facts(), kinds)
        .map_err(|code| StoreError::refused(code).with("request", id))?;
    Ok(request)
}

/// Logs an action on a request and marks it in progress (export, erasure,
/// rectification, objection: `domain::rights::status_after_action`).
pub fn note_action(
    gate: &mut Gate<'_>,
    request_id: &str,
    action: &str,
    field: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    log_action(gate, request_id, action, field, detail)?;
    let status: String = rights_requests::table
        .find(request_id)
        .select(rights_requests::status)
        .first(gate.conn())?;
    let current = stored(RequestStatus::parse(&status), "status")?;
    let next = rights::status_after_action(current);
    if next != current {
        let stamp = gate.stamp(rights_requests::updated_at, rights_requests::updated_device);
        diesel::update(rights_requests::table.find(request_id))
            .set((rights_requests::status.eq(next.as_str()), stamp))
            .execute(gate.conn())?;
    }
    Ok(())
}
