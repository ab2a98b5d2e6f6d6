//! The account state machine (POL-29, POL-30): what the sweep sees of an
//! account and the one action, if any, it is due (the table of states is in
//! the module doc of `retention`, # Accounts).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::calendar::add_calendar_months;
use super::plan::Action;
use super::rules::RetentionRules;

crate::vocabulary! {
    /// `participants.account_status`.
    pub enum AccountStatus {
        Active => "active",
        /// No login for `inactive_after_months` (POL-29).
        Inactive => "inactive",
        /// Reminder queued at `reminded_at` (POL-30).
        Reminded => "reminded",
    }
}

/// One account as the sweep sees it: a pseudonymous id and dates, nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AccountFacts {
    /// Pseudonymous id (the participant's random id), never a name or an e-mail.
    pub participant_ref: String,
    /// Last login, or account creation when the person never logged in (UTC).
    pub last_activity: NaiveDateTime,
    pub status: AccountStatus,
    /// When the reminder was queued (UTC); meaningful when `status` is `Reminded`.
    pub reminded_at: Option<NaiveDateTime>,
}

/// An account's due action and the day its period expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DueAction {
    pub action: Action,
    pub due_since: NaiveDate,
}

impl RetentionRules {
    /// What one account needs at `now`, if anything (POL-29, POL-30; the state
    /// rules are in the module doc). At most one action; `due_since` is the
    /// day the period behind it expired (for [`Action::Reactivate`], the day
    /// of the activity that reactivated the account).
    pub fn classify_account(&self, facts: &AccountFacts, now: NaiveDateTime) -> Option<DueAction> {
        let today = now.date();
        let last_day = facts.last_activity.date();
        let inactive_due = add_calendar_months(last_day, self.inactive_after_months);
        let remind_due = add_calendar_months(last_day, self.reminder_after_months);
        let due = |action, due_since| Some(DueAction { action, due_since });

        if inactive_due > today {
            // Active by POL-29's definition: a login within the period.
            return match facts.status {
                AccountStatus::Active => None,
                // `min`: an activity stamped in the future (another device's
                // clock) does not make the item due in the future.
                AccountStatus::Inactive | AccountStatus::Reminded => {
                    due(Action::Reactivate, last_day.min(today))
                }
            };
        }
        if remind_due > today {
            // Idle, not yet due for a reminder. A `reminded` account here logged in
            // after its reminder (then went idle again) or the rules changed: either
            // way its reminder no longer stands.
            return match facts.status {
                AccountStatus::Inactive => None,
                AccountStatus::Active | AccountStatus::Reminded => {
                    due(Action::MarkInactive, inactive_due)
                }
            };
        }
        // Due for a reminder. Erasure only after a reminder sent since the last
        // activity, `erase_after_reminder_months` after it (POL-30).
        let standing_reminder = match (facts.status, facts.reminded_at) {
            (AccountStatus::Reminded, Some(reminded_at)) if facts.last_activity <= reminded_at => {
                Some(reminded_at)
            }
            _ => None,
        };
        match standing_reminder {
            None => due(Action::QueueReminder, remind_due),
            Some(reminded_at) => {
                let erase_due =
                    add_calendar_months(reminded_at.date(), self.erase_after_reminder_months);
                if erase_due <= today {
                    due(Action::EraseAccount, erase_due)
                } else {
                    None
                }
            }
        }
    }
}
