//! Retention engine, pure core (POL-29 to POL-33, POL-21, POL-25a, POL-31): the
//! rules the DPO reads and changes, the sweep that says what is due (a plan: the
//! dry-run preview and the work list are the same value) and the quarterly
//! compliance report. Time is passed in; nothing here reads the clock, the
//! database or the disk.
//!
//! # Time
//!
//! Every timestamp is a UTC `NaiveDateTime`, as stored. Retention periods are
//! counted in whole **days**: a period of `n` months that starts on day `d` (the
//! UTC date of the fact) expires on [`add_calendar_months`]`(d, n)`, plain
//! calendar months clamped to the month's last day (31 January + 1 month = 28 or
//! 29 February; 31 August + 6 months = 28 or 29 February). Unlike
//! [`crate::deadlines::add_months`] (Regulation 1182/71, for rights requests) the
//! end is **not** moved to the next working day: a retention period that ends on
//! a Sunday ends on that Sunday, and keeping data longer would need a reason.
//! The item is due from that day on (`due_since`), and must be executed within
//! [`RetentionRules::execution_grace_days`] days (POL-33): its `deadline` is
//! `due_since + grace`, and it is `overdue` when today is after the deadline.
//!
//! # Accounts (POL-29, POL-30)
//!
//! An account's last activity is its last login, or its creation when it never
//! logged in. The engine derives where the account should be and emits at most
//! one action per account; the store applies it:
//!
//! | action | when | the store sets |
//! |---|---|---|
//! | [`Action::MarkInactive`] | idle ≥ 18 months (POL-29), not yet inactive | `status = inactive`, `reminded_at = NULL` |
//! | [`Action::QueueReminder`] | idle ≥ 24 months (POL-30), no reminder sent since the last activity | reminder queued, `status = reminded`, `reminded_at = now` |
//! | [`Action::EraseAccount`] | reminded, no activity since, 3 months after `reminded_at` (POL-30) | the account erased (erasure map, legal holds) |
//! | [`Action::Reactivate`] | not active but active again (login within 18 months, or a login after the reminder) | `status = active`, `reminded_at = NULL` |
//!
//! An account is **never erased without a reminder sent since its last
//! activity**: an account idle for 30 months that was never reminded (or an
//! `active` one the sweep never saw) gets the reminder first, and is erased 3
//! months after the reminder, so the person always has the 3 months the policy
//! promises. An `active` account is never erased directly. A login after the
//! reminder is the answer: the reminder is void and the account active again.
//! The store is expected to reset `status` on login too; [`Action::Reactivate`]
//! is the sweep's catch-up for an account whose status was not reset.
//!
//! # Traces, audit entries, legal holds
//!
//! Technical traces (POL-32: connection logs and usage statistics, 13 months at
//! most) are **deleted**, not anonymised: POL-32 allows either, but a row-level
//! trace (who, when, from which address) is hard to anonymise fully (the
//! timestamp alone can single a person out), while deleting it is certain and
//! simple; aggregated statistics, already anonymous, are not traces (POL-25c).
//! Traces and audit entries (POL-21, 12 months) come in as counts per UTC
//! recording day ([`DayCount`]), not one row each: the store groups with SQL
//! (`WHERE recorded_at < :traces_before GROUP BY date(recorded_at)`) and
//! deletes with one statement on the same cutoff ([`Cutoffs`]), so a million
//! traces cost a few hundred rows, and the plan holds one item per day. A legal
//! hold (POL-25a, POL-31) is released when its `held_until` has passed: the
//! record it kept is then deleted.
//!
//! # Efficiency
//!
//! [`RetentionRules::cutoffs`] gives the SQL bounds that select exactly the rows
//! the engine would act on, so the store need not load every account:
//! `WHERE account_status <> 'active' OR last_activity < :inactive_before` holds
//! every account [`RetentionRules::classify_account`] can return an action for
//! (the tests check it). Plans over 100,000 accounts are linear plus one sort.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::time::{paris_fr, to_rfc3339, utc};

// ---------------------------------------------------------------------------
// Calendar arithmetic
// ---------------------------------------------------------------------------

/// `date` plus `months` plain calendar months, clamped to the last day of the
/// target month (31 January + 1 = end of February). No working-day rule.
/// Saturates at `NaiveDate::MAX` instead of overflowing.
pub fn add_calendar_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The last start day whose period of `months` has expired on `today`: the
/// greatest `d` with `add_calendar_months(d, months) <= today`. Month ends make
/// this differ from a plain subtraction: on 28 February 2025, six-month periods
/// started on 29, 30 and 31 August 2024 have all expired.
fn last_expired_start(today: NaiveDate, months: u32) -> NaiveDate {
    let mut start = today
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN);
    // The subtraction clamps backwards, so `start` has expired; at most three
    // further days (29, 30, 31 of a longer month) map to the same end.
    while let Some(next) = start.succ_opt() {
        if add_calendar_months(next, months) <= today {
            start = next;
        } else {
            break;
        }
    }
    start
}

/// The start of the day after `day` (exclusive bound for `column < bound`).
fn start_of_next_day(day: NaiveDate) -> NaiveDateTime {
    day.succ_opt()
        .unwrap_or(NaiveDate::MAX)
        .and_time(NaiveTime::MIN)
}

fn add_days(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_signed(Duration::days(i64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

fn years_to_months(years: u32) -> u32 {
    years.saturating_mul(12)
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

/// The retention durations, as the DPO sets them (defaults from
/// requirements.md). Loaded settings should be checked with
/// [`RetentionRules::validate`]; a missing field takes its default, an unknown
/// one is ignored (settings written by another version still load).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct RetentionRules {
    /// POL-29: an account with no login for this many months is inactive.
    pub inactive_after_months: u32,
    /// POL-30: after this many months without login, a reminder offers reactivation.
    pub reminder_after_months: u32,
    /// POL-30: without an answer this many months after the reminder, the account is erased.
    pub erase_after_reminder_months: u32,
    /// POL-32: connection logs and usage statistics, at most this many months.
    pub technical_traces_months: u32,
    /// POL-21 (Decision, CNIL 2021: 6 months to 1 year): audit trail entries.
    pub audit_months: u32,
    /// POL-25a: data tied to financial transactions, legal accounting period.
    pub payment_hold_years: u32,
    /// POL-31: invoices, receipts and accounting documents.
    pub invoice_hold_years: u32,
    /// POL-33: a due deletion is executed within this many days.
    pub execution_grace_days: u32,
}

impl Default for RetentionRules {
    fn default() -> Self {
        RetentionRules {
            inactive_after_months: 18,
            reminder_after_months: 24,
            erase_after_reminder_months: 3,
            technical_traces_months: 13,
            audit_months: 12,
            payment_hold_years: 6,
            invoice_hold_years: 7,
            execution_grace_days: 30,
        }
    }
}

/// Unit of a rule's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Months,
    Years,
    Days,
}

/// One rule as the settings screen shows and edits it. `minimum` and `maximum`
/// are the bounds [`RetentionRules::validate`] enforces for this value alone
/// (the reminder must also come after inactivity).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RuleEntry {
    /// Stable key, the field name (`inactive_after_months`…), used by [`RetentionRules::set`].
    pub key: &'static str,
    pub value: u32,
    pub unit: Unit,
    /// The requirement the rule comes from, e.g. `"POL-29"`.
    pub rule_id: &'static str,
    pub minimum: u32,
    pub maximum: u32,
}

/// Sanity ceiling of a duration in months that the policy does not bound
/// (10 years): far above any sensible setting, low enough to stay clear of
/// calendar overflow.
pub const MAX_MONTHS: u32 = 120;
/// Sanity ceiling of a legal hold in years (30 years, the longest French
/// limitation period).
pub const MAX_HOLD_YEARS: u32 = 30;

/// How a bound is justified, for the error it produces.
#[derive(Clone, Copy)]
enum Bound {
    /// No rule: every duration is at least 1.
    AtLeastOne,
    /// The policy says "at most" (or "within"): the DPO may shorten, not extend.
    PolicyMaximum,
    /// The law sets a minimum keeping period: the DPO may extend, not shorten.
    LegalMinimum,
    /// Sanity ceiling, no rule.
    Sanity,
}

struct RuleSpec {
    key: &'static str,
    unit: Unit,
    rule_id: &'static str,
    minimum: u32,
    minimum_is: Bound,
    maximum: u32,
    maximum_is: Bound,
    get: fn(&RetentionRules) -> u32,
    field: fn(&mut RetentionRules) -> &mut u32,
}

/// Every rule, in display order, with its bounds:
///
/// - every duration is at least 1 (a zero period would erase or delete at once);
/// - POL-29/POL-30 durations (inactivity, reminder, erasure after reminder) are
///   the DPO's to change within a sanity ceiling of [`MAX_MONTHS`]; changing
///   them changes what the policy promises people (POL-36);
/// - POL-32 technical traces: at most 13 months ("13 mois au maximum");
/// - POL-21 audit entries: at most 12 months (Decision; CNIL's upper bound is 1 year);
/// - POL-33 execution: within at most 30 days ("dans les 30 jours");
/// - POL-25a transaction data: at least 6 years; POL-31 invoices and accounting
///   documents: at least 7 years (legal keeping periods; the DPO may lengthen
///   them up to [`MAX_HOLD_YEARS`], never shorten them).
const RULES: [RuleSpec; 8] = [
    RuleSpec {
        key: "inactive_after_months",
        unit: Unit::Months,
        rule_id: "POL-29",
        minimum: 1,
        minimum_is: Bound::AtLeastOne,
        maximum: MAX_MONTHS,
        maximum_is: Bound::Sanity,
        get: |r| r.inactive_after_months,
        field: |r| &mut r.inactive_after_months,
    },
    RuleSpec {
        key: "reminder_after_months",
        unit: Unit::Months,
        rule_id: "POL-30",
        minimum: 1,
        minimum_is: Bound::AtLeastOne,
        maximum: MAX_MONTHS,
        maximum_is: Bound::Sanity,
        get: |r| r.reminder_after_months,
        field: |r| &mut r.reminder_after_months,
    },
    RuleSpec {
        key: "erase_after_reminder_months",
        unit: Unit::Months,
        rule_id: "POL-30",
        minimum: 1,
        minimum_is: Bound::AtLeastOne,
        maximum: MAX_MONTHS,
        maximum_is: Bound::Sanity,
        get: |r| r.erase_after_reminder_months,
        field: |r| &mut r.erase_after_reminder_months,
    },
    RuleSpec {
        key: "technical_traces_months",
        unit: Unit::Months,
        rule_id: "POL-32",
        minimum: 1,
        minimum_is: Bound::AtLeastOne,
        maximum: 13,
        maximum_is: Bound::PolicyMaximum,
        get: |r| r.technical_traces_months,
        field: |r| &mut r.technical_traces_months,
    },
    RuleSpec {
        key: "audit_months",
        unit: Unit::Months,
        rule_id: "POL-21",
        minimum: 1,
        minimum_is: Bound::AtLeastOne,
        maximum: 12,
        maximum_is: Bound::PolicyMaximum,
        get: |r| r.audit_months,
        field: |r| &mut r.audit_months,
    },
    RuleSpec {
        key: "payment_hold_years",
        unit: Unit::Years,
        rule_id: "POL-25a",
        minimum: 6,
        minimum_is: Bound::LegalMinimum,
        maximum: MAX_HOLD_YEARS,
        maximum_is: Bound::Sanity,
        get: |r| r.payment_hold_years,
        field: |r| &mut r.payment_hold_years,
    },
    RuleSpec {
        key: "invoice_hold_years",
        unit: Unit::Years,
        rule_id: "POL-31",
        minimum: 7,
        minimum_is: Bound::LegalMinimum,
        maximum: MAX_HOLD_YEARS,
        maximum_is: Bound::Sanity,
        get: |r| r.invoice_hold_years,
        field: |r| &mut r.invoice_hold_years,
    },
    RuleSpec {
        key: "execution_grace_days",
        unit: Unit::Days,
        rule_id: "POL-33",
        minimum: 1,
        minimum_is: Bound::AtLeastOne,
        maximum: 30,
        maximum_is: Bound::PolicyMaximum,
        get: |r| r.execution_grace_days,
        field: |r| &mut r.execution_grace_days,
    },
];

/// Why a set of rules is refused. Messages are English, lowercase, without
/// personal data; the UI translates by [`RulesError::code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("unknown retention rule {key}")]
    UnknownKey { key: String },
    #[error("{key} must be at least 1")]
    Zero { key: &'static str },
    #[error("{key} is {value}, above the limit of {maximum}")]
    TooLong {
        key: &'static str,
        value: u32,
        maximum: u32,
    },
    #[error(
        "the reminder ({reminder} months) must come after inactivity ({inactive} months) (POL-29, POL-30)"
    )]
    ReminderNotAfterInactive { inactive: u32, reminder: u32 },
    #[error("{key} is {value}, above the policy's maximum of {maximum} ({rule_id})")]
    AbovePolicyMaximum {
        key: &'static str,
        value: u32,
        maximum: u32,
        rule_id: &'static str,
    },
    #[error("{key} is {value}, below the legal minimum of {minimum} ({rule_id})")]
    BelowLegalMinimum {
        key: &'static str,
        value: u32,
        minimum: u32,
        rule_id: &'static str,
    },
}

impl RulesError {
    /// Stable code the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            RulesError::UnknownKey { .. } => "retention_unknown_key",
            RulesError::Zero { .. } => "retention_zero",
            RulesError::TooLong { .. } => "retention_too_long",
            RulesError::ReminderNotAfterInactive { .. } => "retention_reminder_not_after_inactive",
            RulesError::AbovePolicyMaximum { .. } => "retention_above_policy_maximum",
            RulesError::BelowLegalMinimum { .. } => "retention_below_legal_minimum",
        }
    }
}

fn check(spec: &RuleSpec, value: u32) -> Result<(), RulesError> {
    if value < spec.minimum {
        return Err(match spec.minimum_is {
            Bound::LegalMinimum => RulesError::BelowLegalMinimum {
                key: spec.key,
                value,
                minimum: spec.minimum,
                rule_id: spec.rule_id,
            },
            Bound::AtLeastOne | Bound::PolicyMaximum | Bound::Sanity => {
                RulesError::Zero { key: spec.key }
            }
        });
    }
    if value > spec.maximum {
        return Err(match spec.maximum_is {
            Bound::PolicyMaximum => RulesError::AbovePolicyMaximum {
                key: spec.key,
                value,
                maximum: spec.maximum,
                rule_id: spec.rule_id,
            },
            Bound::AtLeastOne | Bound::LegalMinimum | Bound::Sanity => RulesError::TooLong {
                key: spec.key,
                value,
                maximum: spec.maximum,
            },
        });
    }
    Ok(())
}

/// Which legal keeping period a record falls under (POL-25a, POL-31).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum HoldBasis {
    /// Data tied to a financial transaction (POL-25a).
    Payment,
    /// Invoice, receipt or accounting document (POL-31).
    Invoice,
    /// Both: the longer period wins (POL-31 Decision).
    PaymentAndInvoice,
}

/// SQL bounds of a sweep at one `now`. Every `*_before` bound is exclusive
/// (`column < bound`) and falls at midnight UTC: a row is past its period
/// exactly when its timestamp is below the bound, the same answer
/// [`RetentionRules::classify_account`] and [`plan`] give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Cutoffs {
    /// `last_activity < inactive_before`: idle for at least `inactive_after_months` (POL-29).
    pub inactive_before: NaiveDateTime,
    /// `last_activity < remind_before`: idle for at least `reminder_after_months` (POL-30).
    pub remind_before: NaiveDateTime,
    /// `reminded_at < erase_reminded_before`: the reminder is `erase_after_reminder_months` old (POL-30).
    pub erase_reminded_before: NaiveDateTime,
    /// `recorded_at < traces_before`: technical trace past its period (POL-32).
    pub traces_before: NaiveDateTime,
    /// `at < audit_before`: audit entry past its period (POL-21).
    pub audit_before: NaiveDateTime,
    /// `held_until <= holds_ended_by` (inclusive, this is `now`): hold to release (POL-25a, POL-31).
    pub holds_ended_by: NaiveDateTime,
}

impl RetentionRules {
    /// Checks every bound (see [`RetentionRules::entries`]) and that the
    /// reminder comes after inactivity. The first failure, in display order.
    pub fn validate(&self) -> Result<(), RulesError> {
        for spec in &RULES {
            check(spec, (spec.get)(self))?;
        }
        if self.inactive_after_months >= self.reminder_after_months {
            return Err(RulesError::ReminderNotAfterInactive {
                inactive: self.inactive_after_months,
                reminder: self.reminder_after_months,
            });
        }
        Ok(())
    }

    /// Every rule with its stable key, value, unit, source rule and bounds, in
    /// display order.
    pub fn entries(&self) -> Vec<RuleEntry> {
        RULES
            .iter()
            .map(|spec| RuleEntry {
                key: spec.key,
                value: (spec.get)(self),
                unit: spec.unit,
                rule_id: spec.rule_id,
                minimum: spec.minimum,
                maximum: spec.maximum,
            })
            .collect()
    }

    /// Sets one rule by key. The whole set is validated with the new value; on
    /// error nothing changes. (To move several linked rules at once, e.g. both
    /// inactivity and reminder, change the fields of a clone and `validate` it.)
    pub fn set(&mut self, key: &str, value: u32) -> Result<(), RulesError> {
        let spec =
            RULES
                .iter()
                .find(|spec| spec.key == key)
                .ok_or_else(|| RulesError::UnknownKey {
                    key: key.to_owned(),
                })?;
        let mut candidate = self.clone();
        *(spec.field)(&mut candidate) = value;
        candidate.validate()?;
        *self = candidate;
        Ok(())
    }

    /// End of the legal hold of a record erased (or closed) at `from` (POL-25a,
    /// POL-31): whole calendar years, the longer period for a record that is both.
    pub fn hold_until(&self, basis: HoldBasis, from: NaiveDateTime) -> NaiveDateTime {
        let years = match basis {
            HoldBasis::Payment => self.payment_hold_years,
            HoldBasis::Invoice => self.invoice_hold_years,
            HoldBasis::PaymentAndInvoice => self.payment_hold_years.max(self.invoice_hold_years),
        };
        add_calendar_months(from.date(), years_to_months(years)).and_time(from.time())
    }

    /// The SQL bounds of a sweep at `now` (see [`Cutoffs`]).
    pub fn cutoffs(&self, now: NaiveDateTime) -> Cutoffs {
        let today = now.date();
        let bound = |months| start_of_next_day(last_expired_start(today, months));
        Cutoffs {
            inactive_before: bound(self.inactive_after_months),
            remind_before: bound(self.reminder_after_months),
            erase_reminded_before: bound(self.erase_after_reminder_months),
            traces_before: bound(self.technical_traces_months),
            audit_before: bound(self.audit_months),
            holds_ended_by: now,
        }
    }

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

// ---------------------------------------------------------------------------
// Facts (what the store fetches)
// ---------------------------------------------------------------------------

/// `participants.account_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// No login for `inactive_after_months` (POL-29).
    Inactive,
    /// Reminder queued at `reminded_at` (POL-30).
    Reminded,
}

impl AccountStatus {
    /// The stored text (`active`, `inactive`, `reminded`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Inactive => "inactive",
            AccountStatus::Reminded => "reminded",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(AccountStatus::Active),
            "inactive" => Some(AccountStatus::Inactive),
            "reminded" => Some(AccountStatus::Reminded),
            _ => None,
        }
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

/// How many rows of one table were recorded on one UTC day: the input for
/// technical traces (POL-32) and audit entries (POL-21). Several counts for the
/// same day add up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: u64,
}

/// One legal hold (`legal_holds` row, POL-25a, POL-31).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct HoldFacts {
    /// The hold's id.
    pub id: String,
    /// The table of the record kept (`invoices`, `payments`…).
    pub record_table: String,
    /// Release at or after this instant (UTC).
    pub held_until: NaiveDateTime,
}

// ---------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------

/// What the sweep does to one subject. Serialised with a `kind` tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// The account is active again (POL-29): status back to active, reminder cleared.
    Reactivate,
    /// No login for `inactive_after_months` (POL-29).
    MarkInactive,
    /// Queue the reactivation reminder (POL-30).
    QueueReminder,
    /// Erase the account for good, 3 months after an unanswered reminder (POL-30).
    EraseAccount,
    /// Delete the technical traces recorded on the subject's day (POL-32).
    DeleteTraces { count: u64 },
    /// Release the hold and delete the record it kept (POL-25a, POL-31).
    ReleaseHold { record_table: String },
    /// Delete the audit entries recorded on the subject's day (POL-21).
    DeleteAuditEntries { count: u64 },
}

/// The kind of an [`Action`], without its data: the plan's first sort key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Reactivate,
    MarkInactive,
    QueueReminder,
    EraseAccount,
    DeleteTraces,
    ReleaseHold,
    DeleteAuditEntries,
}

impl ActionKind {
    pub const ALL: [ActionKind; 7] = [
        ActionKind::Reactivate,
        ActionKind::MarkInactive,
        ActionKind::QueueReminder,
        ActionKind::EraseAccount,
        ActionKind::DeleteTraces,
        ActionKind::ReleaseHold,
        ActionKind::DeleteAuditEntries,
    ];

    /// Stable code (CSV, UI).
    pub fn code(self) -> &'static str {
        match self {
            ActionKind::Reactivate => "reactivate",
            ActionKind::MarkInactive => "mark_inactive",
            ActionKind::QueueReminder => "queue_reminder",
            ActionKind::EraseAccount => "erase_account",
            ActionKind::DeleteTraces => "delete_traces",
            ActionKind::ReleaseHold => "release_hold",
            ActionKind::DeleteAuditEntries => "delete_audit_entries",
        }
    }

    /// French label (report).
    pub fn label_fr(self) -> &'static str {
        match self {
            ActionKind::Reactivate => "Réactivation de compte",
            ActionKind::MarkInactive => "Compte marqué inactif",
            ActionKind::QueueReminder => "Relance de réactivation",
            ActionKind::EraseAccount => "Suppression définitive de compte",
            ActionKind::DeleteTraces => "Suppression de traces techniques",
            ActionKind::ReleaseHold => "Fin de conservation légale",
            ActionKind::DeleteAuditEntries => "Suppression d'entrées du journal d'accès",
        }
    }

    /// The requirement behind the action.
    pub fn rule_id(self) -> &'static str {
        match self {
            ActionKind::Reactivate | ActionKind::MarkInactive => "POL-29",
            ActionKind::QueueReminder | ActionKind::EraseAccount => "POL-30",
            ActionKind::DeleteTraces => "POL-32",
            ActionKind::ReleaseHold => "POL-31",
            ActionKind::DeleteAuditEntries => "POL-21",
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Reactivate => ActionKind::Reactivate,
            Action::MarkInactive => ActionKind::MarkInactive,
            Action::QueueReminder => ActionKind::QueueReminder,
            Action::EraseAccount => ActionKind::EraseAccount,
            Action::DeleteTraces { .. } => ActionKind::DeleteTraces,
            Action::ReleaseHold { .. } => ActionKind::ReleaseHold,
            Action::DeleteAuditEntries { .. } => ActionKind::DeleteAuditEntries,
        }
    }

    /// How many stored rows the action removes or changes (the count of a
    /// batch, 1 otherwise).
    pub fn records(&self) -> u64 {
        match self {
            Action::DeleteTraces { count } | Action::DeleteAuditEntries { count } => *count,
            _ => 1,
        }
    }
}

/// An account's due action and the day its period expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DueAction {
    pub action: Action,
    pub due_since: NaiveDate,
}

/// One thing the sweep must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PlanItem {
    pub action: Action,
    /// Pseudonymous participant id (accounts), hold id (holds), or
    /// `technical_traces:YYYY-MM-DD` / `audit_log:YYYY-MM-DD` (the recording day
    /// of a batch). Never personal data.
    pub subject: String,
    /// The day the retention period expired.
    pub due_since: NaiveDate,
    /// `due_since` + `execution_grace_days` (POL-33).
    pub deadline: NaiveDate,
    /// Today (the plan's `now`) is after the deadline.
    pub overdue: bool,
}

impl PlanItem {
    /// The record of this item once the store has executed it at `executed_at`.
    pub fn executed(&self, executed_at: NaiveDateTime) -> ExecutedItem {
        ExecutedItem {
            action: self.action.clone(),
            subject: self.subject.clone(),
            executed_at,
            due_since: self.due_since,
            deadline: self.deadline,
        }
    }
}

/// Items of one kind in a plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct KindCount {
    pub items: u64,
    /// Rows concerned (a batch counts its rows).
    pub records: u64,
    pub overdue: u64,
}

/// Counts of a plan, per action kind (kinds absent from the plan are absent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PlanSummary {
    pub items: u64,
    pub overdue: u64,
    pub per_action: BTreeMap<ActionKind, KindCount>,
}

impl PlanSummary {
    /// The count of one kind (zero when absent).
    pub fn of(&self, kind: ActionKind) -> KindCount {
        self.per_action.get(&kind).copied().unwrap_or_default()
    }
}

/// The sweep's result at `now`: both the dry-run preview and the work list.
/// Items are ordered by action kind, then due day, then subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RetentionPlan {
    pub now: NaiveDateTime,
    pub items: Vec<PlanItem>,
}

impl RetentionPlan {
    pub fn summary(&self) -> PlanSummary {
        let mut summary = PlanSummary::default();
        for item in &self.items {
            let count = summary.per_action.entry(item.action.kind()).or_default();
            count.items += 1;
            count.records += item.action.records();
            summary.items += 1;
            if item.overdue {
                count.overdue += 1;
                summary.overdue += 1;
            }
        }
        summary
    }

    /// The items whose deadline has passed (POL-33).
    pub fn overdue(&self) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(|item| item.overdue)
    }
}

fn day_batches(
    days: impl IntoIterator<Item = DayCount>,
    months: u32,
    today: NaiveDate,
) -> BTreeMap<NaiveDate, (u64, NaiveDate)> {
    let mut batches: BTreeMap<NaiveDate, (u64, NaiveDate)> = BTreeMap::new();
    for DayCount { day, count } in days {
        if count == 0 {
            continue;
        }
        let due_since = add_calendar_months(day, months);
        if due_since <= today {
            let batch = batches.entry(day).or_insert((0, due_since));
            batch.0 = batch.0.saturating_add(count);
        }
    }
    batches
}

/// The sweep (POL-29 to POL-33, POL-21): everything due at `now`, with due days,
/// deadlines and overdue flags. Pass every account (or only those the
/// [`Cutoffs`] select), every hold (or those with `held_until <= now`) and the
/// per-day counts of traces and audit entries (or only the days before the
/// cutoffs); anything not due is ignored. Never panics, even on rules that do
/// not validate.
pub fn plan<'a, 'h>(
    rules: &RetentionRules,
    accounts: impl IntoIterator<Item = &'a AccountFacts>,
    traces: impl IntoIterator<Item = DayCount>,
    holds: impl IntoIterator<Item = &'h HoldFacts>,
    audit: impl IntoIterator<Item = DayCount>,
    now: NaiveDateTime,
) -> RetentionPlan {
    let today = now.date();
    let mut items = Vec::new();
    let mut push = |action: Action, subject: String, due_since: NaiveDate| {
        let deadline = add_days(due_since, rules.execution_grace_days);
        items.push(PlanItem {
            action,
            subject,
            due_since,
            deadline,
            overdue: today > deadline,
        });
    };

    for account in accounts {
        if let Some(due) = rules.classify_account(account, now) {
            push(due.action, account.participant_ref.clone(), due.due_since);
        }
    }
    for (day, (count, due_since)) in day_batches(traces, rules.technical_traces_months, today) {
        push(
            Action::DeleteTraces { count },
            format!("technical_traces:{day}"),
            due_since,
        );
    }
    for hold in holds {
        if hold.held_until <= now {
            push(
                Action::ReleaseHold {
                    record_table: hold.record_table.clone(),
                },
                hold.id.clone(),
                hold.held_until.date(),
            );
        }
    }
    for (day, (count, due_since)) in day_batches(audit, rules.audit_months, today) {
        push(
            Action::DeleteAuditEntries { count },
            format!("audit_log:{day}"),
            due_since,
        );
    }

    items.sort_unstable_by(|a, b| {
        a.action
            .kind()
            .cmp(&b.action.kind())
            .then(a.due_since.cmp(&b.due_since))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.action.records().cmp(&b.action.records()))
            .then_with(|| action_detail(&a.action).cmp(action_detail(&b.action)))
    });
    RetentionPlan { now, items }
}

fn action_detail(action: &Action) -> &str {
    match action {
        Action::ReleaseHold { record_table } => record_table,
        _ => "",
    }
}

// ---------------------------------------------------------------------------
// Quarterly report (POL-33)
// ---------------------------------------------------------------------------

/// A calendar quarter (Q1 = January to March…), `start` and `end` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The quarter `date` falls in.
pub fn quarter_of(date: NaiveDate) -> Quarter {
    let q = date.month0() / 3 + 1;
    let start = NaiveDate::from_ymd_opt(date.year(), (q - 1) * 3 + 1, 1).expect("first of a month");
    let end = add_calendar_months(start, 3)
        .pred_opt()
        .unwrap_or(NaiveDate::MAX);
    Quarter {
        year: date.year(),
        q: q as u8,
        start,
        end,
    }
}

impl Quarter {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The quarter before (the one a report is usually about).
    pub fn previous(&self) -> Quarter {
        quarter_of(self.start.pred_opt().unwrap_or(NaiveDate::MIN))
    }

    /// The quarter after.
    pub fn next(&self) -> Quarter {
        quarter_of(self.end.succ_opt().unwrap_or(NaiveDate::MAX))
    }

    /// French label, e.g. `T4 2026`.
    pub fn label_fr(&self) -> String {
        format!("T{} {}", self.q, self.year)
    }
}

/// An item the store has executed (kept for the quarterly report; ids only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ExecutedItem {
    pub action: Action,
    pub subject: String,
    pub executed_at: NaiveDateTime,
    pub due_since: NaiveDate,
    /// The deadline it had when planned (POL-33).
    pub deadline: NaiveDate,
}

impl ExecutedItem {
    /// Executed after its deadline (POL-33).
    pub fn late(&self) -> bool {
        self.executed_at.date() > self.deadline
    }
}

/// The quarterly compliance report (POL-33): what was executed in the quarter,
/// what is overdue when the report is made, and the rules applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QuarterlyReport {
    pub quarter: Quarter,
    pub generated_at: NaiveDateTime,
    /// Executed within the quarter, by execution time, then kind, then subject.
    pub executed: Vec<ExecutedItem>,
    /// Overdue items of the sweep run for the report, in plan order.
    pub overdue: Vec<PlanItem>,
    pub rules: RetentionRules,
}

impl QuarterlyReport {
    /// Builds the report: keeps the executed items whose execution day is in
    /// `quarter`, and the overdue items of `pending` (a plan computed at, or
    /// near, `generated_at`).
    pub fn new(
        quarter: Quarter,
        generated_at: NaiveDateTime,
        executed: impl IntoIterator<Item = ExecutedItem>,
        pending: &RetentionPlan,
        rules: RetentionRules,
    ) -> Self {
        let mut executed: Vec<ExecutedItem> = executed
            .into_iter()
            .filter(|item| quarter.contains(item.executed_at.date()))
            .collect();
        executed.sort_by(|a, b| {
            a.executed_at
                .cmp(&b.executed_at)
                .then(a.action.kind().cmp(&b.action.kind()))
                .then_with(|| a.subject.cmp(&b.subject))
        });
        QuarterlyReport {
            quarter,
            generated_at,
            executed,
            overdue: pending.overdue().cloned().collect(),
            rules,
        }
    }

    /// Executed items that were executed after their deadline.
    pub fn late(&self) -> impl Iterator<Item = &ExecutedItem> {
        self.executed.iter().filter(|item| item.late())
    }

    /// Per kind: executed items and rows (kinds with nothing executed are absent).
    pub fn executed_counts(&self) -> BTreeMap<ActionKind, KindCount> {
        let mut counts: BTreeMap<ActionKind, KindCount> = BTreeMap::new();
        for item in &self.executed {
            let count = counts.entry(item.action.kind()).or_default();
            count.items += 1;
            count.records += item.action.records();
            if item.late() {
                count.overdue += 1;
            }
        }
        counts
    }

    /// CSV for French Excel: UTF-8 with a byte-order mark, `;` separator, CRLF,
    /// every cell quoted, formula-like cells neutralised. A header row, then one
    /// row per executed item (`status` = `executed`) and per overdue item
    /// (`status` = `overdue`). `late` is `yes` for an item executed after its
    /// deadline and for every overdue item.
    pub fn to_csv(&self) -> String {
        const HEADER: [&str; 9] = [
            "status",
            "action",
            "rule",
            "subject",
            "records",
            "due_since",
            "deadline",
            "executed_at",
            "late",
        ];
        let mut out = String::from("\u{feff}");
        push_csv_row(&mut out, HEADER.iter().map(|h| h.to_string()));
        for item in &self.executed {
            let kind = item.action.kind();
            push_csv_row(
                &mut out,
                [
                    "executed".to_owned(),
                    kind.code().to_owned(),
                    kind.rule_id().to_owned(),
                    item.subject.clone(),
                    item.action.records().to_string(),
                    item.due_since.to_string(),
                    item.deadline.to_string(),
                    to_rfc3339(item.executed_at),
                    yes_no(item.late()).to_owned(),
                ],
            );
        }
        for item in &self.overdue {
            let kind = item.action.kind();
            push_csv_row(
                &mut out,
                [
                    "overdue".to_owned(),
                    kind.code().to_owned(),
                    kind.rule_id().to_owned(),
                    item.subject.clone(),
                    item.action.records().to_string(),
                    item.due_since.to_string(),
                    item.deadline.to_string(),
                    String::new(),
                    "yes".to_owned(),
                ],
            );
        }
        out
    }

    /// A self-contained HTML page in French (inline CSS, printable to PDF from
    /// the webview): the rules applied, what was executed in the quarter (counts
    /// per action and the list, late ones marked), what is overdue, and the
    /// 30-day rule. Every interpolated text is escaped.
    pub fn to_html_fr(&self) -> String {
        let grace = self.rules.execution_grace_days;
        let title = format!(
            "Rapport trimestriel de conservation — {}",
            self.quarter.label_fr()
        );
        let mut h = String::with_capacity(8192 + 256 * (self.executed.len() + self.overdue.len()));
        h.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
        let _ = writeln!(h, "<title>{}</title>", esc(&title));
        h.push_str(STYLE);
        h.push_str("</head>\n<body>\n");
        let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
        let _ = writeln!(
            h,
            "<p class=\"meta\">Période du {} au {}. Rapport établi le {} (heure de Paris). \
             Les personnes sont désignées par un identifiant pseudonyme, jamais par leur nom.</p>",
            esc(&date_fr(self.quarter.start)),
            esc(&date_fr(self.quarter.end)),
            esc(&paris_fr(utc(self.generated_at))),
        );
        let _ = writeln!(
            h,
            "<p class=\"rule\">Lorsqu'une durée de conservation expire, la suppression est \
             effectuée dans les {} jours (POL-33). Chaque élément a donc une date d'échéance \
             (expiration) et une date limite (échéance + {}) ; un élément non traité après \
             sa date limite est <strong>en retard</strong>. Les délais sont contrôlés chaque \
             trimestre par ce rapport.</p>",
            grace,
            esc(&days_fr(grace)),
        );

        // Rules applied.
        h.push_str("<h2>Règles appliquées</h2>\n<table>\n<thead><tr><th>Règle</th><th>Durée</th><th>Référence</th></tr></thead>\n<tbody>\n");
        for entry in self.rules.entries() {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(rule_label_fr(entry.key)),
                esc(&duration_fr(entry.value, entry.unit)),
                esc(entry.rule_id),
            );
        }
        h.push_str("</tbody>\n</table>\n");

        // Executed.
        h.push_str("<h2>Suppressions effectuées</h2>\n");
        let late = self.late().count();
        if self.executed.is_empty() {
            h.push_str("<p class=\"none\">Aucune opération effectuée ce trimestre.</p>\n");
        } else {
            h.push_str("<table>\n<thead><tr><th>Opération</th><th>Référence</th><th>Opérations</th><th>Enregistrements</th><th>Dont en retard</th></tr></thead>\n<tbody>\n");
            for (kind, count) in self.executed_counts() {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(kind.label_fr()),
                    esc(kind.rule_id()),
                    count.items,
                    count.records,
                    count.overdue,
                );
            }
            h.push_str("</tbody>\n</table>\n");
            if late > 0 {
                let _ = writeln!(
                    h,
                    "<p class=\"late-note\">{late} opération(s) effectuée(s) après la date limite \
                     de {} jours.</p>",
                    grace
                );
            }
            h.push_str("<table>\n<thead><tr><th>Opération</th><th>Sujet</th><th>Enregistrements</th><th>Échéance</th><th>Date limite</th><th>Effectuée le</th><th>Délai</th></tr></thead>\n<tbody>\n");
            for item in &self.executed {
                let is_late = item.late();
                let _ = writeln!(
                    h,
                    "<tr{}><td>{}</td><td class=\"id\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    if is_late { " class=\"late\"" } else { "" },
                    esc(item.action.kind().label_fr()),
                    esc(&item.subject),
                    item.action.records(),
                    esc(&date_fr(item.due_since)),
                    esc(&date_fr(item.deadline)),
                    esc(&paris_fr(utc(item.executed_at))),
                    if is_late { "en retard" } else { "dans le délai" },
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }

        // Overdue.
        h.push_str("<h2>Éléments en retard</h2>\n");
        if self.overdue.is_empty() {
            h.push_str("<p class=\"none\">Aucun élément en retard.</p>\n");
        } else {
            let _ = writeln!(
                h,
                "<p class=\"late-note\">{} élément(s) non traité(s) plus de {} après l'expiration \
                 de leur durée de conservation.</p>",
                self.overdue.len(),
                esc(&days_fr(grace)),
            );
            h.push_str("<table class=\"overdue\">\n<thead><tr><th>Opération</th><th>Sujet</th><th>Enregistrements</th><th>Échéance</th><th>Date limite</th></tr></thead>\n<tbody>\n");
            for item in &self.overdue {
                let _ = writeln!(
                    h,
                    "<tr class=\"late\"><td>{}</td><td class=\"id\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                    esc(item.action.kind().label_fr()),
                    esc(&item.subject),
                    item.action.records(),
                    esc(&date_fr(item.due_since)),
                    esc(&date_fr(item.deadline)),
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        h.push_str("</body>\n</html>\n");
        h
    }
}

const STYLE: &str = "<style>
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1a1a1a; margin: 2rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.meta { color: #555; }
.rule { background: #f3f6fb; border-left: 4px solid #3a6ea5; padding: .5rem .75rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.id { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
tr.late td { background: #fdecea; }
.late-note { color: #a11; font-weight: bold; }
.none { font-style: italic; }
@media print { body { margin: 1cm; } tr { break-inside: avoid; } }
</style>
";

fn rule_label_fr(key: &str) -> &'static str {
    match key {
        "inactive_after_months" => "Compte inactif après une période sans connexion",
        "reminder_after_months" => "Relance de réactivation après une période sans connexion",
        "erase_after_reminder_months" => "Suppression du compte sans réponse à la relance, après",
        "technical_traces_months" => "Journaux de connexion et statistiques d'usage (au plus)",
        "audit_months" => "Journal des accès aux données personnelles (au plus)",
        "payment_hold_years" => "Données liées aux transactions financières (au moins)",
        "invoice_hold_years" => "Factures, reçus et pièces comptables (au moins)",
        "execution_grace_days" => "Délai d'exécution après expiration (au plus)",
        _ => "Règle",
    }
}

fn duration_fr(value: u32, unit: Unit) -> String {
    match unit {
        Unit::Months => format!("{value} mois"),
        Unit::Years if value == 1 => "1 an".to_owned(),
        Unit::Years => format!("{value} ans"),
        Unit::Days => days_fr(value),
    }
}

fn days_fr(value: u32) -> String {
    if value == 1 {
        "1 jour".to_owned()
    } else {
        format!("{value} jours")
    }
}

fn date_fr(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// HTML-escapes text for element content and quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn push_csv_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (index, text) in cells.into_iter().enumerate() {
        if index > 0 {
            out.push(';');
        }
        let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text
        };
        out.push('"');
        out.push_str(&guarded.replace('"', "\"\""));
        out.push('"');
    }
    out.push_str("\r\n");
}
