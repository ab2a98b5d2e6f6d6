//! Registrations and places (ROLE-3, POL-10): the office's inbox of requests,
//! the enrolment states requested → waitlisted / confirmed → cancelled, the
//! payment gate on confirmation, the waitlist, and moves between groups.
//! Every read of a participant's data and every change is audited (POL-21).

use crate::gate::{self, Gate};
use crate::schema::{enrolments, participants, payments, programmes, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::enrolment::{EnrolmentStatus, PaymentState};
use domain::time::to_rfc3339;
use domain::{Action, Actor, ErrorCode};
use serde::Serialize;

/// Longest waiver reason accepted, in characters.
pub const MAX_REASON: usize = 500;

/// One registration in the office's inbox or a group's list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct RegistrationRow {
    pub enrolment_id: String,
    pub participant_id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub programme_id: String,
    pub programme: String,
    pub group_id: Option<String>,
    pub group: Option<String>,
    pub status: EnrolmentStatus,
    pub available_slots: Vec<String>,
    pub preferred_slot: Option<String>,
    pub requested_at: String,
    pub payment: PaymentState,
    pub waiver_reason: Option<String>,
}

fn payment_state(conn: &mut SqliteConnection, enrolment: &str) -> Result<PaymentState, StoreError> {
    let statuses: Vec<String> = payments::table
        .filter(payments::enrolment_id.eq(enrolment))
        .select(payments::status)
        .load(conn)?;
    Ok(PaymentState::of(&statuses))
}

fn split_slots(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Which registrations to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing<'a> {
    /// Requests and waitlisted people of every programme: the office's inbox.
    Inbox,
    /// Everyone not cancelled in one group.
    Group(&'a str),
}

/// Registrations for the office (ROLE-3), audited one entry per person shown.
pub fn registrations(
    conn: &mut SqliteConnection,
    actor: &Actor,
    listing: Listing<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<RegistrationRow>, StoreError> {
    gate::run(conn, actor, Action::RegistrationList, now, |gate| {
        let rows = registration_rows(gate.conn(), listing)?;
        gate.show(rows.iter().map(|r| &r.participant_id));
        Ok(rows)
    })
}

fn registration_rows(
    conn: &mut SqliteConnection,
    listing: Listing<'_>,
) -> Result<Vec<RegistrationRow>, StoreError> {
    let mut query = enrolments::table
        .inner_join(participants::table)
        .inner_join(programmes::table)
        .left_join(workshop_groups::table)
        .select((
            enrolments::id,
            participants::id,
            participants::given_name,
            participants::family_name,
            participants::email,
            programmes::id,
            programmes::name,
            enrolments::group_id,
            workshop_groups::name.nullable(),
            enrolments::status,
            enrolments::available_slots,
            enrolments::preferred_slot,
            enrolments::requested_at,
            enrolments::waiver_reason,
        ))
        .order((enrolments::requested_at, enrolments::id))
        .into_boxed();
    match listing {
        Listing::Inbox => {
            query = query.filter(
                enrolments::status.eq_any(EnrolmentStatus::INBOX.map(EnrolmentStatus::as_str)),
            );
        }
        Listing::Group(group) => {
            query = query
                .filter(enrolments::group_id.eq(group.to_owned()))
                .filter(enrolments::status.ne(EnrolmentStatus::Cancelled.as_str()));
        }
    }
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
        NaiveDateTime,
        Option<String>,
    );
    let rows: Vec<Row> = query.limit(1000).load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let pays: Vec<(Option<String>, String)> = payments::table
        .filter(payments::enrolment_id.eq_any(&ids))
        .select((payments::enrolment_id, payments::status))
        .load(conn)?;
    rows.iter()
        .map(|r| {
            let statuses: Vec<String> = pays
                .iter()
                .filter(|(e, _)| e.as_deref() == Some(r.0.as_str()))
                .map(|(_, s)| s.clone())
                .collect();
            Ok(RegistrationRow {
                enrolment_id: r.0.clone(),
                participant_id: r.1.clone(),
                given_name: r.2.clone(),
                family_name: r.3.clone(),
                email: r.4.clone(),
                programme_id: r.5.clone(),
                programme: r.6.clone(),
                group_id: r.7.clone(),
                group: r.8.clone(),
                status: stored_status(&r.9)?,
                available_slots: split_slots(&r.10),
                preferred_slot: r.11.clone(),
                requested_at: to_rfc3339(r.12),
                payment: PaymentState::of(&statuses),
                waiver_reason: r.13.clone(),
            })
        })
        .collect()
}

fn stored_status(text: &str) -> Result<EnrolmentStatus, StoreError> {
    EnrolmentStatus::parse(text)
        .ok_or_else(|| StoreError::Database("unknown value in enrolments.status".into()))
}

struct EnrolmentState {
    participant: String,
    programme: String,
    group: Option<String>,
    status: EnrolmentStatus,
}

fn load(conn: &mut SqliteConnection, enrolment: &str) -> Result<EnrolmentState, StoreError> {
    let row: Option<(String, String, Option<String>, String)> = enrolments::table
        .filter(enrolments::id.eq(enrolment))
        .select((
            enrolments::participant_id,
            enrolments::programme_id,
            enrolments::group_id,
            enrolments::status,
        ))
        .first(conn)
        .optional()?;
    let (participant, programme, group, status) =
        row.ok_or_else(|| StoreError::NotFound(format!("enrolment {enrolment}")))?;
    Ok(EnrolmentState {
        participant,
        programme,
        group,
        status: stored_status(&status)?,
    })
}

/// (capacity, confirmed places) of a group, and its programme.
fn group_load(conn: &mut SqliteConnection, group: &str) -> Result<(i32, i64, String), StoreError> {
    let (capacity, programme): (i32, String) = workshop_groups::table
        .filter(workshop_groups::id.eq(group))
        .select((workshop_groups::capacity, workshop_groups::programme_id))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("group {group}")))?;
    let confirmed: i64 = enrolments::table
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
        .count()
        .get_result(conn)?;
    Ok((capacity, confirmed, programme))
}

fn set_state(
    gate: &mut Gate<'_>,
    enrolment: &str,
    group: Option<&str>,
    status: EnrolmentStatus,
    waiver: Option<&str>,
) -> Result<(), StoreError> {
    let at = gate.at();
    let me = gate.actor().staff_id.as_str().to_owned();
    let stamp = gate.stamp(enrolments::updated_at, enrolments::updated_device);
    diesel::update(enrolments::table.filter(enrolments::id.eq(enrolment)))
        .set((
            enrolments::group_id.eq(group),
            enrolments::status.eq(status.as_str()),
            enrolments::decided_at.eq(Some(at)),
            enrolments::decided_by.eq(Some(me)),
            enrolments::waiver_reason.eq(waiver),
            stamp,
        ))
        .execute(gate.conn())?;
    Ok(())
}

/// What became of a confirmation request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Placement {
    Confirmed,
    /// The group was full: the person is on its waitlist, at this position.
    Waitlisted {
        position: i64,
    },
}

/// Confirms a place in `group` (POL-10): only with a confirmed payment, or a
/// waiver with its reason. A full group waitlists the person instead.
pub fn confirm_place(
    conn: &mut SqliteConnection,
    actor: &Actor,
    enrolment: &str,
    group: &str,
    waiver_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Placement, StoreError> {
    gate::run(conn, actor, Action::EnrolmentConfirm, now, |gate| {
        let waiver = waiver_reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(reason) = waiver {
            if reason.chars().count() > MAX_REASON {
                return Err(StoreError::InvalidInput(format!(
                    "the waiver reason is longer than {MAX_REASON} characters"
                )));
            }
        }
        let state = load(gate.conn(), enrolment)?;
        if !state.status.may_confirm() {
            return Err(StoreError::refused(ErrorCode::WrongState)
                .with("enrolment", enrolment)
                .with("status", state.status));
        }
        let (capacity, confirmed, programme) = group_load(gate.conn(), group)?;
        if programme != state.programme {
            return Err(StoreError::refused(ErrorCode::WrongProgramme).with("group", group));
        }
        gate.reach(&state.participant)?;
        // POL-10: a place is confirmed only when the payment is, or waived with a reason.
        let paid = payment_state(gate.conn(), enrolment)? == PaymentState::Confirmed;
        if !paid && waiver.is_none() {
            return Err(
                StoreError::refused(ErrorCode::PaymentRequired).with("enrolment", enrolment)
            );
        }
        if confirmed >= i64::from(capacity) {
            set_state(
                gate,
                enrolment,
                Some(group),
                EnrolmentStatus::Waitlisted,
                None,
            )?;
            gate.record_as(Action::EnrolmentWaitlist);
            let position = waitlist_position(gate.conn(), group, enrolment)?;
            return Ok(Placement::Waitlisted { position });
        }
        set_state(
            gate,
            enrolment,
            Some(group),
            EnrolmentStatus::Confirmed,
            if paid { None } else { waiver },
        )?;
        Ok(Placement::Confirmed)
    })
}

/// The waitlist of a group, first come first served (by the time the person
/// was put on it, then by request time).
fn waitlist(conn: &mut SqliteConnection, group: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(enrolments::table
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq(EnrolmentStatus::Waitlisted.as_str()))
        .order((
            enrolments::decided_at.asc(),
            enrolments::requested_at.asc(),
            enrolments::id,
        ))
        .select((enrolments::id, enrolments::participant_id))
        .load(conn)?)
}

fn waitlist_position(
    conn: &mut SqliteConnection,
    group: &str,
    enrolment: &str,
) -> Result<i64, StoreError> {
    Ok(waitlist(conn, group)?
        .iter()
        .position(|(id, _)| id == enrolment)
        .map(|p| p as i64 + 1)
        .unwrap_or(0))
}

/// The place freed by a cancellation, offered to the first waitlisted person.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Offer {
    pub enrolment_id: String,
    pub participant_id: String,
    pub group_id: String,
}

/// When a confirmed place in `group` was freed, the offer to the first person
/// on that group's waitlist.
fn offer_freed_place(
    conn: &mut SqliteConnection,
    previous_status: EnrolmentStatus,
    group: Option<String>,
) -> Result<Option<Offer>, StoreError> {
    let Some(group) = group.filter(|_| previous_status == EnrolmentStatus::Confirmed) else {
        return Ok(None);
    };
    Ok(waitlist(conn, &group)?
        .into_iter()
        .next()
        .map(|(id, participant)| Offer {
            enrolment_id: id,
            participant_id: participant,
            group_id: group,
        }))
}

/// Cancels an enrolment. When it held a confirmed place, the place is offered
/// to the first person on the group's waitlist (the office confirms it, and
/// the payment gate applies).
pub fn cancel(
    conn: &mut SqliteConnection,
    actor: &Actor,
    enrolment: &str,
    now: DateTime<Utc>,
) -> Result<Option<Offer>, StoreError> {
    gate::run(conn, actor, Action::EnrolmentCancel, now, |gate| {
        let state = load(gate.conn(), enrolment)?;
        if state.status == EnrolmentStatus::Cancelled {
            return Err(StoreError::refused(ErrorCode::WrongState)
                .with("enrolment", enrolment)
                .with("status", state.status));
        }
        gate.reach(&state.participant)?;
        set_state(
            gate,
            enrolment,
            state.group.as_deref(),
            EnrolmentStatus::Cancelled,
            None,
        )?;
        offer_freed_place(gate.conn(), state.status, state.group)
    })
}

/// Moves a confirmed or waitlisted person to another group of the same
/// programme. A confirmed place moves only into a group with a free place.
pub fn move_to_group(
    conn: &mut SqliteConnection,
    actor: &Actor,
    enrolment: &str,
    group: &str,
    now: DateTime<Utc>,
) -> Result<Option<Offer>, StoreError> {
    gate::run(conn, actor, Action::EnrolmentMove, now, |gate| {
        let state = load(gate.conn(), enrolment)?;
        if state.group.as_deref() == Some(group) {
            return Err(StoreError::refused(ErrorCode::SameGroup).with("group", group));
        }
        let (capacity, confirmed, programme) = group_load(gate.conn(), group)?;
        if programme != state.programme {
            return Err(StoreError::refused(ErrorCode::WrongProgramme).with("group", group));
        }
        match state.status {
            EnrolmentStatus::Confirmed => {
                if confirmed >= i64::from(capacity) {
                    return Err(StoreError::refused(ErrorCode::GroupFull).with("group", group));
                }
            }
            EnrolmentStatus::Waitlisted | EnrolmentStatus::Requested => {}
            EnrolmentStatus::Cancelled => {
                return Err(StoreError::refused(ErrorCode::WrongState)
                    .with("enrolment", enrolment)
                    .with("status", state.status))
            }
        }
        gate.reach(&state.participant)?;
        let stamp = gate.stamp(enrolments::updated_at, enrolments::updated_device);
        diesel::update(enrolments::table.filter(enrolments::id.eq(enrolment)))
            .set((enrolments::group_id.eq(Some(group)), stamp))
            .execute(gate.conn())?;
        offer_freed_place(gate.conn(), state.status, state.group)
    })
}
