//! Payments (POL-6, POL-10, POL-14; issue 15): how a payment arrived, and how
//! a payment processor's states map to the payment rows the gate reads.
//!
//! The organisation never holds bank details: a row records the method, the
//! date, the amount, the processor's or the office's reference, and a status
//! ([`crate::enrolment::PaymentStatus`]). The office records payments received
//! by hand and refunds (PaymentStatus: Write); amounts and references stay
//! with the roles the access table gives Payments to (their laptops' copies
//! are masked, `crates/sync/src/replica.rs`), see
//! `docs/decisions/031-the-office-records-payments-by-hand.md`.

use crate::enrolment::PaymentStatus;

crate::vocabulary! {
    /// How a payment arrived.
    pub enum PaymentMethod {
        /// Through HelloAsso (card, SEPA… as HelloAsso reports).
        HelloAsso => "helloasso",
        /// A cheque received at the office.
        Cheque => "cheque",
        /// A bank transfer seen on the statement.
        Transfer => "transfer",
        /// Cash at the desk.
        Cash => "cash",
        /// The processor of the first releases (seeded rows).
        Card => "card",
    }
}

impl PaymentMethod {
    /// Methods the office records by hand.
    pub const MANUAL: [PaymentMethod; 3] = [
        PaymentMethod::Cheque,
        PaymentMethod::Transfer,
        PaymentMethod::Cash,
    ];

    pub fn is_manual(self) -> bool {
        PaymentMethod::MANUAL.contains(&self)
    }
}

/// Longest reference the office may type (a cheque number, a transfer label).
pub const MAX_REFERENCE: usize = 64;
/// Largest amount recorded by hand, in cents (a sanity bound, 10,000 €).
pub const MAX_MANUAL_CENTS: i64 = 1_000_000;

/// The payment row's status for a HelloAsso payment `state` (its OpenAPI
/// enum `PaymentState`), or `None` for states that say nothing yet about
/// the money (the row is left as it is).
///
/// - `Authorized` (and the historical `Registered`): paid.
/// - `Refunded`: refunded. `Refunding` keeps the row as it is until done.
/// - `Canceled`, `Refused`, `Contested`, `Abandoned`, `Error`, `Deleted`,
///   `Inconsistent`: not paid, shown as refunded when it had been paid (the
///   place is no longer paid for), and kept pending otherwise.
/// - `Pending`, `Waiting`, `WaitingBankValidation`, `WaitingBankWithdraw`,
///   `WaitingAuthentication`, `Init`, `Unknown`: pending.
/// - `AuthorizedPreprod` (HelloAsso's test environment), `Corrected`,
///   `NoDonation` and any state not listed: the row is left as it is (a
///   sandbox payment never confirms a real place).
pub fn helloasso_status(state: &str) -> Option<HelloAssoOutcome> {
    Some(match state {
        "Authorized" | "Registered" => HelloAssoOutcome::Paid,
        "Refunded" => HelloAssoOutcome::Refunded,
        "Canceled" | "Refused" | "Contested" | "Abandoned" | "Error" | "Deleted"
        | "Inconsistent" => HelloAssoOutcome::Failed,
        "Pending"
        | "Waiting"
        | "WaitingBankValidation"
        | "WaitingBankWithdraw"
        | "WaitingAuthentication"
        | "Init"
        | "Unknown" => HelloAssoOutcome::Pending,
        "Refunding" => return None,
        _ => return None,
    })
}

/// What a processor's state means for the payment row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloAssoOutcome {
    Paid,
    Pending,
    Refunded,
    /// Canceled, refused or contested: never a confirmed payment.
    Failed,
}

impl HelloAssoOutcome {
    /// The row's new status, given its current one (`None` for a new row).
    pub fn status(self, current: Option<PaymentStatus>) -> PaymentStatus {
        match self {
            HelloAssoOutcome::Paid => PaymentStatus::Confirmed,
            HelloAssoOutcome::Pending => current
                .filter(|s| *s != PaymentStatus::Confirmed)
                .unwrap_or(PaymentStatus::Pending),
            HelloAssoOutcome::Refunded => PaymentStatus::Refunded,
            HelloAssoOutcome::Failed => match current {
                Some(PaymentStatus::Confirmed) | Some(PaymentStatus::Refunded) => {
                    PaymentStatus::Refunded
                }
                _ => PaymentStatus::Pending,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_6_helloasso_authorized_is_paid_and_refunded_is_refunded() {
        assert_eq!(
            helloasso_status("Authorized").unwrap().status(None),
            PaymentStatus::Confirmed
        );
        assert_eq!(
            helloasso_status("Refunded")
                .unwrap()
                .status(Some(PaymentStatus::Confirmed)),
            PaymentStatus::Refunded
        );
        assert_eq!(helloasso_status("Refunding"), None);
        assert_eq!(helloasso_status("SomethingNew"), None);
        assert_eq!(
            helloasso_status("AuthorizedPreprod"),
            None,
            "sandbox payments confirm nothing"
        );
    }

    #[test]
    fn pol_10_a_refused_or_pending_payment_never_opens_the_gate() {
        for state in [
            "Refused",
            "Canceled",
            "Contested",
            "Pending",
            "WaitingBankValidation",
        ] {
            let outcome = helloasso_status(state).unwrap();
            assert_ne!(outcome.status(None), PaymentStatus::Confirmed, "{state}");
            assert_ne!(
                outcome.status(Some(PaymentStatus::Confirmed)),
                PaymentStatus::Confirmed,
                "{state}"
            );
        }
    }

    #[test]
    fn only_cheque_transfer_and_cash_are_recorded_by_hand() {
        let manual: Vec<_> = PaymentMethod::ALL
            .iter()
            .filter(|m| m.is_manual())
            .collect();
        assert_eq!(
            manual,
            [
                &PaymentMethod::Cheque,
                &PaymentMethod::Transfer,
                &PaymentMethod::Cash
            ]
        );
    }
}
