//! Registrations and places (ROLE-3, POL-10): the office's inbox of requests,
//! the enrolment states requested → waitlisted / confirmed → cancelled, the
//! payment gate on confirmation, the waitlist, and moves between groups.
//! Every read of a participant's data and every change is audited (POL-21).

use crate::audit::{self, Outcome};
use crate::schema::{enrolments, participants, payments, programmes, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{authorize, Access, Category};
use domain::time::to_rfc3339;
use domain::Actor;
use serde::Serialize;

/// Longest waiver reason accepted, in characters.
pub const MAX_REASON: usize = 500;

fn check(
    conn: &mut SqliteConnection,
    actor: &Actor,
    category: Category,
    need: Access,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Err(denied) = authorize(actor, category, need) {
        audit::record_for(conn, actor, action, &[], Outcome::Denied, now)?;
        return Err(denied.into());
    }
    Ok(())
}

/// Payment status of an enrolment as the office sees it (never bank details).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Confirmed,
    Pending,
    Refunded,
    None,
}

impl PaymentState {
    fn from_statuses(statuses: &[String]) -> Self {
        if statuses.iter().any(|s| s == "confirmed") {
            PaymentState::Confirmed
        } else if statuses.iter().any(|s| s == "pending") {
            PaymentState::Pending
        } else if statuses.iter().any(|s| s == "refunded") {
            PaymentState::Refunded
        } else {
            PaymentState::None
        }
    }
}

/// The payment state of an enrolment from its payments' statuses.
pub fn payment_state_of(statuses: &[String]) -> PaymentState {
    PaymentState::from_statuses(statuses)
}

/// One registration in the office's inbox or a group's list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
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
    pub status: String,
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
    Ok(PaymentState::from_statuses(&statuses))
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
    const ACTION: &str = "registration.list";
    check(conn, actor, Category::Enrolments, Access::Read, ACTION, now)?;
    check(
        conn,
        actor,
        Category::PaymentStatus,
        Access::Read,
        ACTION,
        now,
    )?;
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
            query = query.filter(enrolments::status.eq_any(["requested", "waitlisted"]));
        }
        Listing::Group(group) => {
            query = query
                .filter(enrolments::group_id.eq(group.to_owned()))
                .filter(enrolments::status.ne("cancelled"));
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
    let people: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    audit::record_for(conn, actor, ACTION, &people, Outcome::Allowed, now)?;
    Ok(rows
        .iter()
        .map(|r| {
            let statuses: Vec<String> = pays
                .iter()
                .filter(|(e, _)| e.as_deref() == Some(r.0.as_str()))
                .map(|(_, s)| s.clone())
                .collect();
            RegistrationRow {
                enrolment_id: r.0.clone(),
                participant_id: r.1.clone(),
                given_name: r.2.clone(),
                family_name: r.3.clone(),
                email: r.4.clone(),
                programme_id: r.5.clone(),
                programme: r.6.clone(),
                group_id: r.7.clone(),
                group: r.8.clone(),
                status: r.9.clone(),
                available_slots: split_slots(&r.10),
                preferred_slot: r.11.clone(),
                requested_at: to_rfc3339(r.12),
                payment: PaymentState::from_statuses(&statuses),
                waiver_reason: r.13.clone(),
            }
        })
        .collect())
}

struct EnrolmentState {
    participant: String,
    programme: String,
    group: Option<String>,
    status: String,
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
        status,
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
        .filter(enrolments::status.eq("confirmed"))
        .count()
        .get_result(conn)?;
    Ok((capacity, confirmed, programme))
}

fn refused(code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Refused {
        code,
        message: message.into(),
    }
}

fn set_state(
    conn: &mut SqliteConnection,
    actor: &Actor,
    enrolment: &str,
    group: Option<&str>,
    status: &str,
    waiver: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = now.naive_utc();
    diesel::update(enrolments::table.filter(enrolments::id.eq(enrolment)))
        .set((
            enrolments::group_id.eq(group),
            enrolments::status.eq(status),
            enrolments::decided_at.eq(Some(at)),
            enrolments::decided_by.eq(Some(actor.staff_id.as_str())),
            enrolments::waiver_reason.eq(waiver),
            enrolments::updated_at.eq(at),
            enrolments::updated_device.eq(actor.device_id.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What became of a confirmation request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
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
    const ACTION: &str = "enrolment.confirm";
    check(
        conn,
        actor,
        Category::Enrolments,
        Access::Write,
        ACTION,
        now,
    )?;
    let waiver = waiver_reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(reason) = waiver {
        if reason.chars().count() > MAX_REASON {
            return Err(StoreError::InvalidInput(format!(
                "the waiver reason is longer than {MAX_REASON} characters"
            )));
        }
    }
    let result = crate::tx::immediate(conn, |conn| {
        let state = load(conn, enrolment)?;
        if !matches!(state.status.as_str(), "requested" | "waitlisted") {
            return Err(refused(
                "wrong_state",
                format!(
                    "enrolment {enrolment} is {}, not requested or waitlisted",
                    state.status
                ),
            ));
        }
        let (capacity, confirmed, programme) = group_load(conn, group)?;
        if programme != state.programme {
            return Err(refused(
                "wrong_programme",
                format!("group {group} belongs to another programme"),
            ));
        }
        let paid = payment_state(conn, enrolment)? == PaymentState::Confirmed;
        if !paid && waiver.is_none() {
            return Err(refused(
                "payment_required",
                format!("enrolment {enrolment} has no confirmed payment: record a waiver with its reason"),
            ));
        }
        if confirmed >= i64::from(capacity) {
            set_state(conn, actor, enrolment, Some(group), "waitlisted", None, now)?;
            audit::record_for(
                conn,
                actor,
                "enrolment.waitlist",
                &[&state.participant],
                Outcome::Allowed,
                now,
            )?;
            let position = waitlist_position(conn, group, enrolment)?;
            return Ok(Placement::Waitlisted { position });
        }
        set_state(
            conn,
            actor,
            enrolment,
            Some(group),
            "confirmed",
            if paid { None } else { waiver },
            now,
        )?;
        audit::record_for(
            conn,
            actor,
            ACTION,
            &[&state.participant],
            Outcome::Allowed,
            now,
        )?;
        Ok(Placement::Confirmed)
    });
    audit::record_refusal(conn, actor, ACTION, &result, now)?;
    result
}

/// The waitlist of a group, first come first served (by the time the person
/// was put on it, then by request time).
fn waitlist(conn: &mut SqliteConnection, group: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(enrolments::table
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq("waitlisted"))
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
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Offer {
    pub enrolment_id: String,
    pub participant_id: String,
    pub group_id: String,
}

/// When a confirmed place in `group` was freed, the offer to the first person
/// on that group's waitlist.
fn offer_freed_place(
    conn: &mut SqliteConnection,
    previous_status: &str,
    group: Option<String>,
) -> Result<Option<Offer>, StoreError> {
    let Some(group) = group.filter(|_| previous_status == "confirmed") else {
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
    const ACTION: &str = "enrolment.cancel";
    check(
        conn,
        actor,
        Category::Enrolments,
        Access::Write,
        ACTION,
        now,
    )?;
    crate::tx::immediate(conn, |conn| {
        let state = load(conn, enrolment)?;
        if state.status == "cancelled" {
            return Err(refused(
                "wrong_state",
                format!("enrolment {enrolment} is already cancelled"),
            ));
        }
        set_state(
            conn,
            actor,
            enrolment,
            state.group.as_deref(),
            "cancelled",
            None,
            now,
        )?;
        audit::record_for(
            conn,
            actor,
            ACTION,
            &[&state.participant],
            Outcome::Allowed,
            now,
        )?;
        offer_freed_place(conn, &state.status, state.group)
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
    const ACTION: &str = "enrolment.move";
    check(
        conn,
        actor,
        Category::Enrolments,
        Access::Write,
        ACTION,
        now,
    )?;
    crate::tx::immediate(conn, |conn| {
        let state = load(conn, enrolment)?;
        if state.group.as_deref() == Some(group) {
            return Err(refused("same_group", "the person is already in that group"));
        }
        let (capacity, confirmed, programme) = group_load(conn, group)?;
        if programme != state.programme {
            return Err(refused(
                "wrong_programme",
                format!("group {group} belongs to another programme"),
            ));
        }
        match state.status.as_str() {
            "confirmed" => {
                if confirmed >= i64::from(capacity) {
                    return Err(refused(
                        "group_full",
                        format!("group {group} has no free place"),
                    ));
                }
            }
            "waitlisted" | "requested" => {}
            _ => {
                return Err(refused(
                    "wrong_state",
                    format!("enrolment {enrolment} is {}", state.status),
                ))
            }
        }
        let at = now.naive_utc();
        diesel::update(enrolments::table.filter(enrolments::id.eq(enrolment)))
            .set((
                enrolments::group_id.eq(Some(group)),
                enrolments::updated_at.eq(at),
                enrolments::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        audit::record_for(
            conn,
            actor,
            ACTION,
            &[&state.participant],
            Outcome::Allowed,
            now,
        )?;
        offer_freed_place(conn, &state.status, state.group)
    })
}
