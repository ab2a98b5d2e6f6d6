//! Registrations and places (POL-10): the enrolment states, the payment
//! states the office sees (never bank details), and the payment gate.
//!
//! ```text
//! requested --confirm (paid or waived)--> confirmed
//! requested --confirm, group full-------> waitlisted --confirm--> confirmed
//! any but cancelled --cancel--> cancelled
//! ```

crate::vocabulary! {
    /// Where a registration stands.
    pub enum EnrolmentStatus {
        Requested => "requested",
        Waitlisted => "waitlisted",
        Confirmed => "confirmed",
        Cancelled => "cancelled",
    }
}

impl EnrolmentStatus {
    /// States a confirmation may start from.
    pub fn may_confirm(self) -> bool {
        matches!(
            self,
            EnrolmentStatus::Requested | EnrolmentStatus::Waitlisted
        )
    }

    /// States that put a participant in their trainer's scope (ROLE-1
    /// decision: confirmed places only; requested and waitlisted people are
    /// the office's until their place is confirmed).
    pub const IN_TRAINER_SCOPE: EnrolmentStatus = EnrolmentStatus::Confirmed;

    /// The office's inbox: requests and waitlisted people.
    pub const INBOX: [EnrolmentStatus; 2] =
        [EnrolmentStatus::Requested, EnrolmentStatus::Waitlisted];
}

crate::vocabulary! {
    /// The state of one payment row (POL-6).
    pub enum PaymentStatus {
        Confirmed => "confirmed",
        Pending => "pending",
        Refunded => "refunded",
    }
}

crate::vocabulary! {
    /// The payment state of an enrolment as the office sees it (POL-10):
    /// confirmed wins, then pending, then refunded.
    pub enum PaymentState {
        Confirmed => "confirmed",
        Pending => "pending",
        Refunded => "refunded",
        None => "none",
    }
}

impl PaymentState {
    /// The state of an enrolment from its payments' statuses (as stored).
    pub fn of<S: AsRef<str>>(statuses: &[S]) -> PaymentState {
        let has = |status: PaymentStatus| statuses.iter().any(|s| s.as_ref() == status.as_str());
        if has(PaymentStatus::Confirmed) {
            PaymentState::Confirmed
        } else if has(PaymentStatus::Pending) {
            PaymentState::Pending
        } else if has(PaymentStatus::Refunded) {
            PaymentState::Refunded
        } else {
            PaymentState::None
        }
    }
}

crate::vocabulary! {
    /// How a session is held.
    pub enum SessionKind {
        Webinar => "webinar",
        InPerson => "in_person",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_10_confirmed_payment_wins_then_pending_then_refunded() {
        assert_eq!(
            PaymentState::of(&["refunded", "confirmed"]),
            PaymentState::Confirmed
        );
        assert_eq!(
            PaymentState::of(&["refunded", "pending"]),
            PaymentState::Pending
        );
        assert_eq!(PaymentState::of(&["refunded"]), PaymentState::Refunded);
        assert_eq!(PaymentState::of::<&str>(&[]), PaymentState::None);
    }

    #[test]
    fn only_requested_and_waitlisted_places_may_be_confirmed() {
        let may: Vec<_> = EnrolmentStatus::ALL
            .iter()
            .filter(|s| s.may_confirm())
            .collect();
        assert_eq!(
            may,
            [&EnrolmentStatus::Requested, &EnrolmentStatus::Waitlisted]
        );
    }
}
