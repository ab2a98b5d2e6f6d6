//! The quarterly compliance report (POL-33): what was executed in a calendar
//! quarter, what is overdue, and the rules applied, as CSV and as French HTML
//! (rendered from `templates/quarterly_report.html`).

use std::collections::BTreeMap;

use askama::Template;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::calendar::add_calendar_months;
use super::plan::{Action, ActionKind, KindCount, PlanItem, RetentionPlan};
use super::rules::{RetentionRules, Unit};
use crate::time::{paris_fr, to_rfc3339, utc};

/// A calendar quarter (Q1 = January to March…), `start` and `end` inclusive.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
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
    /// 30-day rule. Every interpolated text is escaped. Rendered from
    /// `templates/quarterly_report.html`.
    pub fn to_html_fr(&self) -> String {
        let grace = self.rules.execution_grace_days;
        ReportPage {
            title: format!(
                "Rapport trimestriel de conservation — {}",
                self.quarter.label_fr()
            ),
            start: date_fr(self.quarter.start),
            end: date_fr(self.quarter.end),
            generated_at: paris_fr(utc(self.generated_at)),
            grace,
            grace_days: days_fr(grace),
            rules: self
                .rules
                .entries()
                .into_iter()
                .map(|entry| RuleRow {
                    label: rule_label_fr(entry.key),
                    duration: duration_fr(entry.value, entry.unit),
                    rule_id: entry.rule_id,
                })
                .collect(),
            counts: self.executed_counts().into_iter().collect(),
            late: self.late().count(),
            executed: self
                .executed
                .iter()
                .map(|item| ItemRow {
                    label: item.action.kind().label_fr(),
                    subject: &item.subject,
                    records: item.action.records(),
                    due_since: date_fr(item.due_since),
                    deadline: date_fr(item.deadline),
                    executed_at: paris_fr(utc(item.executed_at)),
                    late: item.late(),
                })
                .collect(),
            overdue: self
                .overdue
                .iter()
                .map(|item| ItemRow {
                    label: item.action.kind().label_fr(),
                    subject: &item.subject,
                    records: item.action.records(),
                    due_since: date_fr(item.due_since),
                    deadline: date_fr(item.deadline),
                    executed_at: String::new(),
                    late: true,
                })
                .collect(),
        }
        .render()
        .expect("rendering into a String cannot fail")
    }
}

/// What `templates/quarterly_report.html` shows, dates and durations in
/// French.
#[derive(Template)]
#[template(path = "quarterly_report.html")]
struct ReportPage<'a> {
    /// `Rapport trimestriel de conservation — T4 2026`.
    title: String,
    /// First and last day of the quarter, `01/10/2026`.
    start: String,
    end: String,
    /// `2 janvier 2027 à 09:00`, Paris time.
    generated_at: String,
    /// The execution grace (POL-33), in days, and as `30 jours`.
    grace: u32,
    grace_days: String,
    rules: Vec<RuleRow>,
    /// Per kind executed in the quarter, in kind order.
    counts: Vec<(ActionKind, KindCount)>,
    /// Executed items done after their deadline.
    late: usize,
    executed: Vec<ItemRow<'a>>,
    overdue: Vec<ItemRow<'a>>,
}

struct RuleRow {
    label: &'static str,
    /// `18 mois`, `7 ans`, `30 jours`.
    duration: String,
    rule_id: &'static str,
}

/// An executed or an overdue item (an overdue one has no execution time).
struct ItemRow<'a> {
    label: &'static str,
    /// Pseudonymous subject, never personal data.
    subject: &'a str,
    records: u64,
    due_since: String,
    deadline: String,
    /// `16 octobre 2026 à 04:00`, Paris time.
    executed_at: String,
    late: bool,
}

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
