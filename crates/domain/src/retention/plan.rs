//! The sweep (POL-29 to POL-33, POL-21): everything due at `now` as a plan of
//! items with due days, deadlines and overdue flags; the dry-run preview and
//! the work list are the same value.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::accounts::AccountFacts;
use super::calendar::{add_calendar_months, add_days};
use super::report::ExecutedItem;
use super::rules::RetentionRules;

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
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
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
/// [`Cutoffs`](super::Cutoffs) select), every hold (or those with `held_until <= now`) and the
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
