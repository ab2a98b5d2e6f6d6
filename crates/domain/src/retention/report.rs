//! The quarterly compliance report (POL-33): what was executed in a calendar
//! quarter, what is overdue, and the rules applied, as French HTML and as CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::calendar::add_calendar_months;
use super::plan::{Action, ActionKind, KindCount, PlanItem, RetentionPlan};
use super::rules::{RetentionRules, Unit};
use crate::time::{paris_fr, to_rfc3339, utc};

/// A calendar quarter (Q1 = January to March…), `start` and `end` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
