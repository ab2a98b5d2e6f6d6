//! The office's registrations and payments (issue 15; POL-6, POL-7, POL-10,
//! POL-35): a family registered by the office, payments received by hand
//! and their refunds, and a processor's payment matched by hand.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::intake::Registration;
use domain::Actor;
use serde::{Deserialize, Serialize};
use store::schema::{participants, payments};
use store::{Store, StoreError};

use super::office::enrolment_subject;
use super::Op;

/// A family registered by the office (phone, paper, walk-in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RegisterFamily {
    pub registration: Registration,
}

impl Op for RegisterFamily {
    type Output = store::registration::Registered;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::registration::register(store.connection(), actor, &self.registration, at)
    }
    /// A known person (same e-mail) is the subject: an erased one's
    /// tombstone refuses it, like any operation about them.
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        let Some(email) = domain::intake::normalise_email(&self.registration.email) else {
            return Ok(None);
        };
        Ok(participants::table
            .filter(participants::email.eq(email))
            .select(participants::id)
            .first(conn)
            .optional()?)
    }
}

/// A payment received by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RecordPayment {
    pub payment: store::payments::ManualPayment,
}

impl Op for RecordPayment {
    /// The payment's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::payments::record_manual(store.connection(), actor, &self.payment, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.payment.enrolment_id)
    }
}

/// The refund of a payment received by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RefundPayment {
    pub payment_id: String,
}

impl Op for RefundPayment {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::payments::refund(store.connection(), actor, &self.payment_id, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(payments::table
            .find(&self.payment_id)
            .select(payments::participant_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten())
    }
}

/// A processor's payment the office matched to a registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MatchPayment {
    pub unmatched_id: String,
    pub enrolment_id: String,
}

impl Op for MatchPayment {
    /// The payment's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::payments::match_unmatched(
            store.connection(),
            actor,
            &self.unmatched_id,
            &self.enrolment_id,
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}
