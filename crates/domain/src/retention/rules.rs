//! The retention rules the DPO reads and changes: durations, their bounds
//! and why (policy maximum, legal minimum), the validation errors, the end of
//! a legal hold and the SQL cutoffs of a sweep.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::calendar::{
    add_calendar_months, last_expired_start, start_of_next_day, years_to_months,
};

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
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            RulesError::UnknownKey { .. } => ErrorCode::RetentionUnknownKey,
            RulesError::Zero { .. } => ErrorCode::RetentionZero,
            RulesError::TooLong { .. } => ErrorCode::RetentionTooLong,
            RulesError::ReminderNotAfterInactive { .. } => {
                ErrorCode::RetentionReminderNotAfterInactive
            }
            RulesError::AbovePolicyMaximum { .. } => ErrorCode::RetentionAbovePolicyMaximum,
            RulesError::BelowLegalMinimum { .. } => ErrorCode::RetentionBelowLegalMinimum,
        }
    }

    /// The numbers the window puts in its sentence (no personal data).
    pub fn details(&self) -> crate::Details {
        let pairs: Vec<(&str, String)> = match self {
            RulesError::UnknownKey { .. } | RulesError::Zero { .. } => Vec::new(),
            RulesError::TooLong { value, maximum, .. } => {
                vec![("value", value.to_string()), ("limit", maximum.to_string())]
            }
            RulesError::ReminderNotAfterInactive { inactive, reminder } => vec![
                ("inactive", inactive.to_string()),
                ("reminder", reminder.to_string()),
            ],
            RulesError::AbovePolicyMaximum {
                value,
                maximum,
                rule_id,
                ..
            } => vec![
                ("value", value.to_string()),
                ("limit", maximum.to_string()),
                ("rule", (*rule_id).to_owned()),
            ],
            RulesError::BelowLegalMinimum {
                value,
                minimum,
                rule_id,
                ..
            } => vec![
                ("value", value.to_string()),
                ("limit", minimum.to_string()),
                ("rule", (*rule_id).to_owned()),
            ],
        };
        pairs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
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
/// [`RetentionRules::classify_account`] and [`plan`](fn@super::plan) give.
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
}
