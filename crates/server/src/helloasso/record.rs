//! From HelloAsso's answer to a payment row (POL-6, POL-10): each payment
//! as the API showed it, with its matching hint, recorded by HelloAsso's
//! service account through `store::payments::record_processor`
//! (idempotent by HelloAsso's payment id; it matches the checkout's
//! metadata, else the payer's e-mail, else leaves the payment for the
//! office).
//!
//! The hint: the checkout intent's `metadata.enrolment_id`, fetched from
//! the API when the payment's order names a `checkoutIntentId` and the
//! payment is not recorded yet (a recorded payment keeps its registration).
//! The API's metadata is preferred to a notification's because the API is
//! authenticated and a notification is not (unless signed); the
//! notification's metadata is used only when its signature was checked and
//! the API gave none (a client without the `Checkout` privilege).
//!
//! Only the payments of checkouts (`formType` `Checkout`, the website's) and
//! of the forms named in `[helloasso] form_slugs` are taken: a donation or a
//! membership paid to the association is none of this server's business, and
//! its payer's name and e-mail are not copied here.
//!
//! The store lock is taken to read whether a payment is known and to
//! record, never across an HTTP call.

use super::client::{CallError, Order, Payer, Payment};
use super::HelloAsso;
use crate::service::{self, Service};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::payments::{helloasso_status, HelloAssoOutcome, PaymentMethod};
use std::collections::hash_map::{Entry, HashMap};
use std::sync::Mutex;
use store::payments::{ProcessorPayment, ProcessorRecorded};
use store::schema::payments;
use store::{Store, StoreError};

/// Longest enrolment id taken from metadata (ids are UUIDs).
const MAX_HINT: usize = 64;

/// One payment as HelloAsso's API showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub id: i64,
    pub amount_cents: i64,
    pub date: Option<String>,
    pub state: String,
    pub payer: Payer,
    pub organization_slug: Option<String>,
    /// The form it was paid on (`Enums.FormType`, the form's slug).
    pub form_type: Option<String>,
    pub form_slug: Option<String>,
    pub checkout_intent_id: Option<i64>,
}

impl From<Payment> for Fetched {
    fn from(payment: Payment) -> Fetched {
        let order = payment.order;
        Fetched {
            id: payment.id,
            amount_cents: payment.amount,
            date: payment.date,
            state: payment.state.unwrap_or_default(),
            payer: payment.payer.unwrap_or_default(),
            organization_slug: order.as_ref().and_then(|o| o.organization_slug.clone()),
            form_type: order.as_ref().and_then(|o| o.form_type.clone()),
            form_slug: order.as_ref().and_then(|o| o.form_slug.clone()),
            checkout_intent_id: order.and_then(|o| o.checkout_intent_id),
        }
    }
}

/// The payments of an order, each with the order's payer.
pub fn of_order(order: Order) -> Vec<Fetched> {
    let payer = order.payer.unwrap_or_default();
    order
        .payments
        .unwrap_or_default()
        .into_iter()
        .map(|payment| Fetched {
            id: payment.id,
            amount_cents: payment.amount,
            date: payment.date,
            state: payment.state.unwrap_or_default(),
            payer: payer.clone(),
            organization_slug: order.organization_slug.clone(),
            form_type: order.form_type.clone(),
            form_slug: order.form_slug.clone(),
            checkout_intent_id: order.checkout_intent_id,
        })
        .collect()
}

/// What one recording did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Recorded on (or updated for) a registration.
    pub matched: usize,
    /// Left for the office (`payments_unmatched`).
    pub unmatched: usize,
    /// Not recorded: a state that says nothing yet (`Refunding`, a new
    /// state), a payment on another form (a donation, a membership), or
    /// another organisation's payment.
    pub skipped: usize,
}

/// Why a recording failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Api(#[from] CallError),
    #[error("store: {}", .0.code())]
    Store(#[from] StoreError),
    #[error("the store mutex is poisoned")]
    Poisoned,
}

impl Failure {
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Api(error) => error.code(),
            Failure::Store(error) => error.code().as_str(),
            Failure::Poisoned => "poisoned",
        }
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(error: diesel::result::Error) -> Self {
        Failure::Store(error.into())
    }
}

/// The enrolment id in checkout metadata (`{"enrolment_id": "..."}`), if
/// it is a plausible id.
pub fn enrolment_hint(metadata: Option<&serde_json::Value>) -> Option<String> {
    let id = metadata?.get("enrolment_id")?.as_str()?.trim();
    let plausible = !id.is_empty()
        && id.len() <= MAX_HINT
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible.then(|| id.to_owned())
}

/// The row to record for a payment, or `None` when its state says nothing
/// yet (`domain::payments::helloasso_status`).
pub fn processor_payment(fetched: &Fetched, hint: Option<String>) -> Option<ProcessorPayment> {
    let outcome = helloasso_status(&fetched.state)?;
    let paid_at = match outcome {
        HelloAssoOutcome::Paid | HelloAssoOutcome::Refunded => fetched
            .date
            .as_deref()
            .and_then(|date| DateTime::parse_from_rfc3339(date).ok())
            .map(|date| date.with_timezone(&Utc)),
        HelloAssoOutcome::Pending | HelloAssoOutcome::Failed => None,
    };
    let name = [&fetched.payer.first_name, &fetched.payer.last_name]
        .into_iter()
        .flatten()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Some(ProcessorPayment {
        method: PaymentMethod::HelloAsso,
        processor_ref: fetched.id.to_string(),
        outcome,
        amount_cents: fetched.amount_cents,
        paid_at,
        payer_name: name,
        payer_email: fetched.payer.email.clone().unwrap_or_default(),
        enrolment_hint: hint,
    })
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>, Failure> {
    store.lock().map_err(|_| Failure::Poisoned)
}

fn is_recorded(store: &mut Store, id: i64) -> Result<bool, Failure> {
    let found: i64 = payments::table
        .filter(payments::method.eq(PaymentMethod::HelloAsso.as_str()))
        .filter(payments::processor_ref.eq(id.to_string()))
        .count()
        .get_result(store.connection())?;
    Ok(found > 0)
}

/// The metadata hint of a checkout intent from the API: `Ok(None)` when the
/// API will not tell (404, or 403 without the `Checkout` privilege); other
/// failures stop the recording (a transient one must not lose the match).
fn intent_hint(helloasso: &HelloAsso, intent: i64) -> Result<Option<String>, CallError> {
    match helloasso.client.checkout_intent(intent) {
        Ok(intent) => Ok(enrolment_hint(intent.metadata.as_ref())),
        Err(CallError::NotFound(_)) | Err(CallError::Status(403)) => {
            tracing::info!(
                checkout_intent = intent,
                code = "no_metadata",
                "helloasso checkout intent not readable"
            );
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// Records `fetched` (see the module doc); `signed_hint` is a signed
/// notification's metadata hint, used only where the API gives none.
pub fn record_all(
    store: &Mutex<Store>,
    helloasso: &HelloAsso,
    fetched: Vec<Fetched>,
    signed_hint: Option<String>,
    now: DateTime<Utc>,
) -> Result<Tally, Failure> {
    let mut tally = Tally::default();
    let ours = helloasso.client.organization_slug();
    let mut todo = Vec::new();
    for payment in fetched {
        if payment
            .organization_slug
            .as_deref()
            .is_some_and(|slug| slug != ours)
        {
            tracing::warn!(
                payment = payment.id,
                code = "other_organization",
                "helloasso payment skipped"
            );
            tally.skipped += 1;
        } else if !helloasso.takes_form(payment.form_type.as_deref(), payment.form_slug.as_deref())
        {
            tracing::info!(
                payment = payment.id,
                code = "other_form",
                "helloasso payment skipped"
            );
            tally.skipped += 1;
        } else {
            todo.push(payment);
        }
    }
    let known: Vec<bool> = {
        let mut guard = lock(store)?;
        todo.iter()
            .map(|payment| is_recorded(&mut guard, payment.id))
            .collect::<Result<_, _>>()?
    };
    let mut intents: HashMap<i64, Option<String>> = HashMap::new();
    let mut rows = Vec::new();
    for (payment, known) in todo.into_iter().zip(known) {
        let mut hint = None;
        if !known {
            if let Some(intent) = payment.checkout_intent_id {
                hint = match intents.entry(intent) {
                    Entry::Occupied(known) => known.get().clone(),
                    Entry::Vacant(new) => new.insert(intent_hint(helloasso, intent)?).clone(),
                };
            }
            hint = hint.or_else(|| signed_hint.clone());
        }
        match processor_payment(&payment, hint) {
            Some(row) => rows.push((payment.id, row)),
            None => {
                tracing::info!(
                    payment = payment.id,
                    code = "state_says_nothing",
                    "helloasso payment left as it is"
                );
                tally.skipped += 1;
            }
        }
    }
    if rows.is_empty() {
        return Ok(tally);
    }
    let mut guard = lock(store)?;
    let actor = service::actor(&mut guard, Service::HelloAsso, now)?;
    for (id, row) in rows {
        match store::payments::record_processor(guard.connection(), &actor, &row, now)? {
            ProcessorRecorded::Matched {
                payment_id, status, ..
            } => {
                tally.matched += 1;
                tracing::info!(
                    payment = id,
                    payment_row = %payment_id,
                    status = status.as_str(),
                    "helloasso payment recorded"
                );
            }
            ProcessorRecorded::Unmatched { unmatched_id } => {
                tally.unmatched += 1;
                tracing::info!(
                    payment = id,
                    unmatched = %unmatched_id,
                    "helloasso payment left for the office"
                );
            }
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::enrolment::PaymentStatus;

    fn fetched(state: &str) -> Fetched {
        Fetched {
            id: 52001,
            amount_cents: 12000,
            date: Some("2026-12-09T14:11:15.0825381+01:00".into()),
            state: state.into(),
            payer: Payer {
                email: Some("camille.payeuse@exemple.test".into()),
                first_name: Some("Camille".into()),
                last_name: Some(" Exemple-Fictif ".into()),
            },
            organization_slug: Some("moniravique-exemple".into()),
            form_type: Some("Checkout".into()),
            form_slug: Some("default".into()),
            checkout_intent_id: Some(7001),
        }
    }

    #[test]
    fn pol_6_an_authorized_payment_is_paid_at_its_date_and_named_as_helloasso_names_the_payer() {
        let row = processor_payment(&fetched("Authorized"), Some("e-1".into())).unwrap();
        assert_eq!(row.outcome.status(None), PaymentStatus::Confirmed);
        assert_eq!(row.processor_ref, "52001");
        assert_eq!(row.payer_name, "Camille Exemple-Fictif");
        assert_eq!(
            row.paid_at.unwrap().to_rfc3339(),
            "2026-12-09T13:11:15.082538100+00:00"
        );
        assert_eq!(row.enrolment_hint.as_deref(), Some("e-1"));
        let refused = processor_payment(&fetched("Refused"), None).unwrap();
        assert_eq!(refused.paid_at, None);
        assert!(processor_payment(&fetched("Refunding"), None).is_none());
    }

    #[test]
    fn only_a_plausible_enrolment_id_is_a_hint() {
        let hint = |value: serde_json::Value| enrolment_hint(Some(&value));
        assert_eq!(
            hint(serde_json::json!({"enrolment_id": "0193-ab"})).as_deref(),
            Some("0193-ab")
        );
        assert_eq!(hint(serde_json::json!({"enrolment_id": 12})), None);
        assert_eq!(hint(serde_json::json!({"enrolment_id": "a b"})), None);
        assert_eq!(hint(serde_json::json!({"other": "x"})), None);
        assert_eq!(enrolment_hint(None), None);
    }
}
