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
//!
//! # Layout
//!
//! `calendar` (month arithmetic), `rules` (the durations, their bounds and the
//! SQL cutoffs), `accounts` (the account state machine above), `plan` (the
//! sweep and its items) and `report` (the quarterly report, HTML and CSV).
//! Every public item is re-exported here.

mod accounts;
mod calendar;
mod plan;
mod report;
mod rules;

pub use accounts::{AccountFacts, AccountStatus, DueAction};
pub use calendar::add_calendar_months;
pub use plan::{
    plan, Action, ActionKind, DayCount, HoldFacts, KindCount, PlanItem, PlanSummary, RetentionPlan,
};
pub use report::{quarter_of, ExecutedItem, Quarter, QuarterlyReport};
pub use rules::{
    Cutoffs, HoldBasis, RetentionRules, RuleEntry, RulesError, Unit, MAX_HOLD_YEARS, MAX_MONTHS,
};
