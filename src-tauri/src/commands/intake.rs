//! The office takes in families and payments (issue 15; POL-6, POL-7, POL-10,
//! POL-35, ROLE-3): the registration form with its known-person check,
//! payments received by hand and their refunds, and the processor's
//! payments waiting to be matched. The store decides and audits; changes
//! are sync operations.

use crate::error::UiError;
use crate::state::Ctx;
use sync::ops;

pub async fn registration_form(ctx: &Ctx) -> Result<store::registration::FormOptions, UiError> {
    ctx.read(store::registration::form_options).await
}

pub async fn lookup_person(
    ctx: &Ctx,
    email: String,
) -> Result<Option<store::registration::KnownPerson>, UiError> {
    ctx.read(move |conn, actor, now| store::registration::lookup(conn, actor, &email, now))
        .await
}

pub async fn register_family(
    ctx: &Ctx,
    registration: domain::intake::Registration,
) -> Result<store::registration::Registered, UiError> {
    ctx.apply(ops::RegisterFamily { registration }).await
}

pub async fn registration_payments(
    ctx: &Ctx,
    enrolment_id: String,
) -> Result<Vec<store::payments::PaymentRow>, UiError> {
    ctx.read(move |conn, actor, now| store::payments::list(conn, actor, &enrolment_id, now))
        .await
}

pub async fn record_payment(
    ctx: &Ctx,
    payment: store::payments::ManualPayment,
) -> Result<String, UiError> {
    ctx.apply(ops::RecordPayment { payment }).await
}

pub async fn refund_payment(ctx: &Ctx, payment_id: String) -> Result<(), UiError> {
    ctx.apply(ops::RefundPayment { payment_id }).await
}

pub async fn unmatched_payments(
    ctx: &Ctx,
) -> Result<Vec<store::payments::UnmatchedPayment>, UiError> {
    ctx.read(store::payments::unmatched).await
}

pub async fn match_payment(
    ctx: &Ctx,
    unmatched_id: String,
    enrolment_id: String,
) -> Result<String, UiError> {
    ctx.apply(ops::MatchPayment {
        unmatched_id,
        enrolment_id,
    })
    .await
}
