//! Payments (issue 15; POL-6, POL-10, POL-14): received by hand at the
//! office (cheque, transfer, cash) and refunded there, or reported by the
//! payment processor (HelloAsso, on the server). A confirmed payment row of
//! an enrolment opens the payment gate (`crate::enrolment::confirm_place`)
//! like any other.
//!
//! The office writes payment rows and reads their status, method and dates
//! (PaymentStatus); amounts and references are Payments, which only the DPO
//! reads: no function here answers them to the office, and the office's
//! laptop holds them masked after its next sync (`docs/decisions/031-the-office-records-payments-by-hand.md`).

use crate::gate::{self, Gate};
use crate::models::NewPayment;
use crate::schema::{enrolments, participants, payments, payments_unmatched};
use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::enrolment::{EnrolmentStatus, PaymentStatus};
use domain::payments::{HelloAssoOutcome, PaymentMethod, MAX_MANUAL_CENTS, MAX_REFERENCE};
use domain::time::to_rfc3339;
use domain::{new_id, Action, Actor, ErrorCode};
use serde::{Deserialize, Serialize};

/// A payment received by hand, as the office records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ManualPayment {
    pub enrolment_id: String,
    pub method: PaymentMethod,
    /// The day the money was received (Europe/Paris calendar day).
    #[ts(type = "string")]
    pub received_on: NaiveDate,
    pub amount_cents: i64,
    /// The cheque's number or the transfer's label; empty for cash.
    pub reference: String,
}

/// One payment of a registration as the office sees it: never an amount or
/// a reference (POL-6, ROLE-3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PaymentRow {
    pub payment_id: String,
    pub method: PaymentMethod,
    pub status: PaymentStatus,
    pub paid_at: Option<String>,
    pub refunded_at: Option<String>,
    /// Recorded by hand (the office may refund it); processor payments are
    /// refunded at the processor.
    pub manual: bool,
}

/// A processor's payment, as re-fetched from the processor (never as the
/// notification said it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessorPayment {
    pub method: PaymentMethod,
    pub processor_ref: String,
    pub outcome: HelloAssoOutcome,
    pub amount_cents: i64,
    pub paid_at: Option<DateTime<Utc>>,
    pub payer_name: String,
    pub payer_email: String,
    /// The enrolment the checkout named in its metadata, if any.
    pub enrolment_hint: Option<String>,
}

/// Where a processor's payment went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProcessorRecorded {
    /// Recorded (or updated) on a registration.
    Matched {
        payment_id: String,
        enrolment_id: String,
        status: PaymentStatus,
    },
    /// No registration found: it waits in the office's list.
    Unmatched { unmatched_id: String },
}

/// A processor's payment no registration was found for, as the office sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct UnmatchedPayment {
    pub unmatched_id: String,
    pub method: PaymentMethod,
    pub payer_name: String,
    pub payer_email: String,
    pub status: PaymentStatus,
    pub paid_at: Option<String>,
    pub received_at: String,
}

fn enrolment_participant(
    conn: &mut SqliteConnection,
    enrolment: &str,
) -> Result<(String, EnrolmentStatus), StoreError> {
    let row: Option<(String, String)> = enrolments::table
        .find(enrolment)
        .select((enrolments::participant_id, enrolments::status))
        .first(conn)
        .optional()?;
    let (participant, status) =
        row.ok_or_else(|| StoreError::NotFound(format!("enrolment {enrolment}")))?;
    let status = EnrolmentStatus::parse(&status)
        .ok_or_else(|| StoreError::Database("unknown value in enrolments.status".into()))?;
    Ok((participant, status))
}

fn stored<T>(parse: impl Fn(&str) -> Option<T>, text: &str, column: &str) -> Result<T, StoreError> {
    parse(text).ok_or_else(|| StoreError::Database(format!("unknown value in {column}")))
}

/// Records a payment received by hand (POL-6): a confirmed payment row of
/// the registration, which opens its payment gate. Answers the payment's id.
pub fn record_manual(
    conn: &mut SqliteConnection,
    actor: &Actor,
    payment: &ManualPayment,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    if !payment.method.is_manual() {
        return Err(StoreError::InvalidInput(
            "method is not recorded by hand".into(),
        ));
    }
    if !(1..=MAX_MANUAL_CENTS).contains(&payment.amount_cents) {
        return Err(StoreError::InvalidInput("amount out of range".into()));
    }
    let reference = payment.reference.trim();
    if reference.chars().count() > MAX_REFERENCE || reference.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(
            "reference too long or malformed".into(),
        ));
    }
    if payment.received_on > domain::time::paris_date(now) {
        return Err(ErrorCode::ReceivedInFuture.into());
    }
    gate::run(conn, actor, Action::PaymentRecord, now, |gate| {
        let (participant, status) = enrolment_participant(gate.conn(), &payment.enrolment_id)?;
        if status == EnrolmentStatus::Cancelled {
            return Err(StoreError::refused(ErrorCode::WrongState).with("status", status.as_str()));
        }
        gate.reach(&participant)?;
        let paid_at = payment
            .received_on
            .and_hms_opt(12, 0, 0)
            .unwrap_or_default();
        let id = insert_payment(
            gate,
            &participant,
            &payment.enrolment_id,
            payment.method,
            payment.amount_cents,
            PaymentStatus::Confirmed,
            reference,
            Some(paid_at),
        )?;
        let staff = gate.actor().staff_id.as_str().to_owned();
        diesel::update(payments::table.find(&id))
            .set(payments::recorded_by.eq(staff))
            .execute(gate.conn())?;
        gate.show([&participant]);
        Ok(id)
    })
}

#[allow(clippy::too_many_arguments)]
fn insert_payment(
    gate: &mut Gate<'_>,
    participant: &str,
    enrolment: &str,
    method: PaymentMethod,
    amount_cents: i64,
    status: PaymentStatus,
    reference: &str,
    paid_at: Option<NaiveDateTime>,
) -> Result<String, StoreError> {
    let id = new_id();
    let at = gate.at();
    diesel::insert_into(payments::table)
        .values(NewPayment {
            id: id.clone(),
            participant_id: Some(participant.to_owned()),
            enrolment_id: Some(enrolment.to_owned()),
            amount_cents,
            currency: "EUR".into(),
            status: status.as_str().into(),
            processor_ref: reference.to_owned(),
            paid_at,
            updated_at: at,
            updated_device: gate.device().to_owned(),
        })
        .execute(gate.conn())?;
    diesel::update(payments::table.find(&id))
        .set(payments::method.eq(method.as_str()))
        .execute(gate.conn())?;
    Ok(id)
}

/// Records the refund of a payment received by hand: confirmed → refunded.
/// A processor's payment is refunded at the processor, and its state comes
/// back from there.
pub fn refund(
    conn: &mut SqliteConnection,
    actor: &Actor,
    payment_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::PaymentRefund, now, |gate| {
        let row: Option<(Option<String>, String, String)> = payments::table
            .find(payment_id)
            .select((payments::participant_id, payments::status, payments::method))
            .first(gate.conn())
            .optional()?;
        let (participant, status, method) =
            row.ok_or_else(|| StoreError::NotFound(format!("payment {payment_id}")))?;
        let participant =
            participant.ok_or_else(|| StoreError::NotFound(format!("payment {payment_id}")))?;
        gate.reach(&participant)?;
        let method = stored(PaymentMethod::parse, &method, "payments.method")?;
        if !method.is_manual() {
            return Err(
                StoreError::refused(ErrorCode::NotRefundable).with("method", method.as_str())
            );
        }
        if status != PaymentStatus::Confirmed.as_str() {
            return Err(StoreError::refused(ErrorCode::NotRefundable).with("status", status));
        }
        let stamp = gate.stamp(payments::updated_at, payments::updated_device);
        diesel::update(payments::table.find(payment_id))
            .set((
                payments::status.eq(PaymentStatus::Refunded.as_str()),
                payments::refunded_at.eq(gate.at()),
                stamp,
            ))
            .execute(gate.conn())?;
        gate.show([&participant]);
        Ok(())
    })
}

/// The payments of one registration: status, method and dates.
pub fn list(
    conn: &mut SqliteConnection,
    actor: &Actor,
    enrolment_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<PaymentRow>, StoreError> {
    gate::run(conn, actor, Action::PaymentList, now, |gate| {
        let (participant, _) = enrolment_participant(gate.conn(), enrolment_id)?;
        gate.reach(&participant)?;
        type Row = (
            String,
            String,
            String,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        );
        let rows: Vec<Row> = payments::table
            .filter(payments::enrolment_id.eq(enrolment_id))
            .select((
                payments::id,
                payments::method,
                payments::status,
                payments::paid_at,
                payments::refunded_at,
            ))
            .order((payments::paid_at.desc(), payments::id))
            .load(gate.conn())?;
        gate.show([&participant]);
        rows.into_iter()
            .map(|(payment_id, method, status, paid_at, refunded_at)| {
                let method = stored(PaymentMethod::parse, &method, "payments.method")?;
                Ok(PaymentRow {
                    payment_id,
                    manual: method.is_manual(),
                    method,
                    status: stored(PaymentStatus::parse, &status, "payments.status")?,
                    paid_at: paid_at.map(to_rfc3339),
                    refunded_at: refunded_at.map(to_rfc3339),
                })
            })
            .collect()
    })
}

/// Records a processor's payment from its re-fetched state (the server's
/// processor account): updates the row it already made, or matches a
/// registration (the checkout's metadata first, then the payer's e-mail:
/// their one registration waiting for payment), or leaves it for the
/// office. Applying the same state twice changes nothing more.
pub fn record_processor(
    conn: &mut SqliteConnection,
    actor: &Actor,
    payment: &ProcessorPayment,
    now: DateTime<Utc>,
) -> Result<ProcessorRecorded, StoreError> {
    gate::run(conn, actor, Action::PaymentProcessor, now, |gate| {
        let existing: Option<(String, Option<String>, Option<String>, String)> = payments::table
            .filter(payments::method.eq(payment.method.as_str()))
            .filter(payments::processor_ref.eq(&payment.processor_ref))
            .select((
                payments::id,
                payments::participant_id,
                payments::enrolment_id,
                payments::status,
            ))
            .first(gate.conn())
            .optional()?;
        let paid_at = payment.paid_at.map(|at| at.naive_utc());
        if let Some((id, participant, enrolment, current)) = existing {
            let current = stored(PaymentStatus::parse, &current, "payments.status")?;
            let status = payment.outcome.status(Some(current));
            if status != current {
                let stamp = gate.stamp(payments::updated_at, payments::updated_device);
                let refunded_at = (status == PaymentStatus::Refunded).then(|| gate.at());
                diesel::update(payments::table.find(&id))
                    .set((
                        payments::status.eq(status.as_str()),
                        payments::amount_cents.eq(payment.amount_cents),
                        payments::paid_at.eq(paid_at),
                        payments::refunded_at.eq(refunded_at),
                        stamp,
                    ))
                    .execute(gate.conn())?;
                if let Some(participant) = &participant {
                    gate.show([participant]);
                }
            }
            return Ok(ProcessorRecorded::Matched {
                payment_id: id,
                enrolment_id: enrolment.unwrap_or_default(),
                status,
            });
        }
        let status = payment.outcome.status(None);
        match find_registration(gate.conn(), payment)? {
            Some((enrolment, participant)) => {
                let id = insert_payment(
                    gate,
                    &participant,
                    &enrolment,
                    payment.method,
                    payment.amount_cents,
                    status,
                    &payment.processor_ref,
                    paid_at,
                )?;
                // A payment found again later supersedes its unmatched row.
                diesel::delete(
                    payments_unmatched::table
                        .filter(payments_unmatched::method.eq(payment.method.as_str()))
                        .filter(payments_unmatched::processor_ref.eq(&payment.processor_ref)),
                )
                .execute(gate.conn())?;
                gate.show([&participant]);
                Ok(ProcessorRecorded::Matched {
                    payment_id: id,
                    enrolment_id: enrolment,
                    status,
                })
            }
            None => {
                let at = gate.at();
                let device = gate.device().to_owned();
                let id: Option<String> = payments_unmatched::table
                    .filter(payments_unmatched::method.eq(payment.method.as_str()))
                    .filter(payments_unmatched::processor_ref.eq(&payment.processor_ref))
                    .select(payments_unmatched::id)
                    .first(gate.conn())
                    .optional()?;
                let id = match id {
                    Some(id) => {
                        diesel::update(payments_unmatched::table.find(&id))
                            .set((
                                payments_unmatched::status.eq(status.as_str()),
                                payments_unmatched::amount_cents.eq(payment.amount_cents),
                                payments_unmatched::paid_at.eq(paid_at),
                                payments_unmatched::updated_at.eq(at),
                                payments_unmatched::updated_device.eq(&device),
                            ))
                            .execute(gate.conn())?;
                        id
                    }
                    None => {
                        let id = new_id();
                        diesel::insert_into(payments_unmatched::table)
                            .values((
                                payments_unmatched::id.eq(&id),
                                payments_unmatched::method.eq(payment.method.as_str()),
                                payments_unmatched::processor_ref.eq(&payment.processor_ref),
                                payments_unmatched::payer_name.eq(&payment.payer_name),
                                payments_unmatched::payer_email.eq(&payment.payer_email),
                                payments_unmatched::amount_cents.eq(payment.amount_cents),
                                payments_unmatched::status.eq(status.as_str()),
                                payments_unmatched::paid_at.eq(paid_at),
                                payments_unmatched::received_at.eq(at),
                                payments_unmatched::updated_at.eq(at),
                                payments_unmatched::updated_device.eq(&device),
                            ))
                            .execute(gate.conn())?;
                        id
                    }
                };
                Ok(ProcessorRecorded::Unmatched { unmatched_id: id })
            }
        }
    })
}

/// (enrolment, participant) the processor's payment is for: the checkout's
/// metadata when it names a registration that exists, otherwise the payer's
/// only registration waiting in the inbox.
fn find_registration(
    conn: &mut SqliteConnection,
    payment: &ProcessorPayment,
) -> Result<Option<(String, String)>, StoreError> {
    if let Some(hint) = &payment.enrolment_hint {
        if let Ok((participant, status)) = enrolment_participant(conn, hint) {
            if status != EnrolmentStatus::Cancelled {
                return Ok(Some((hint.clone(), participant)));
            }
        }
    }
    let Some(email) = domain::intake::normalise_email(&payment.payer_email) else {
        return Ok(None);
    };
    let waiting: Vec<(String, String)> = enrolments::table
        .inner_join(participants::table)
        .filter(participants::email.eq(&email))
        .filter(enrolments::status.eq_any(EnrolmentStatus::INBOX.map(EnrolmentStatus::as_str)))
        .select((enrolments::id, participants::id))
        .load(conn)?;
    Ok(match waiting.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    })
}

/// The processor's payments waiting for the office (no amounts).
pub fn unmatched(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<UnmatchedPayment>, StoreError> {
    gate::run(conn, actor, Action::PaymentUnmatchedList, now, |gate| {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            Option<NaiveDateTime>,
            NaiveDateTime,
        );
        let rows: Vec<Row> = payments_unmatched::table
            .select((
                payments_unmatched::id,
                payments_unmatched::method,
                payments_unmatched::payer_name,
                payments_unmatched::payer_email,
                payments_unmatched::status,
                payments_unmatched::paid_at,
                payments_unmatched::received_at,
            ))
            .order((payments_unmatched::received_at, payments_unmatched::id))
            .limit(1000)
            .load(gate.conn())?;
        rows.into_iter()
            .map(
                |(id, method, payer_name, payer_email, status, paid_at, received_at)| {
                    Ok(UnmatchedPayment {
                        unmatched_id: id,
                        method: stored(PaymentMethod::parse, &method, "payments_unmatched.method")?,
                        payer_name,
                        payer_email,
                        status: stored(PaymentStatus::parse, &status, "payments_unmatched.status")?,
                        paid_at: paid_at.map(to_rfc3339),
                        received_at: to_rfc3339(received_at),
                    })
                },
            )
            .collect()
    })
}

/// The office matches a waiting processor payment to a registration: it
/// becomes that registration's payment, and leaves the list.
pub fn match_unmatched(
    conn: &mut SqliteConnection,
    actor: &Actor,
    unmatched_id: &str,
    enrolment_id: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::PaymentMatch, now, |gate| {
        type Row = (String, String, i64, String, Option<NaiveDateTime>);
        let row: Option<Row> = payments_unmatched::table
            .find(unmatched_id)
            .select((
                payments_unmatched::method,
                payments_unmatched::processor_ref,
                payments_unmatched::amount_cents,
                payments_unmatched::status,
                payments_unmatched::paid_at,
            ))
            .first(gate.conn())
            .optional()?;
        let (method, reference, amount, status, paid_at) =
            row.ok_or_else(|| StoreError::refused(ErrorCode::AlreadyMatched))?;
        let (participant, enrolment_status) = enrolment_participant(gate.conn(), enrolment_id)?;
        if enrolment_status == EnrolmentStatus::Cancelled {
            return Err(StoreError::refused(ErrorCode::WrongState)
                .with("status", enrolment_status.as_str()));
        }
        gate.reach(&participant)?;
        let id = insert_payment(
            gate,
            &participant,
            enrolment_id,
            stored(PaymentMethod::parse, &method, "payments_unmatched.method")?,
            amount,
            stored(PaymentStatus::parse, &status, "payments_unmatched.status")?,
            &reference,
            paid_at,
        )?;
        diesel::delete(payments_unmatched::table.find(unmatched_id)).execute(gate.conn())?;
        gate.show([&participant]);
        Ok(id)
    })
}
