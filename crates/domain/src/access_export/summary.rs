//! The readable French summary of an access export (POL-23, POL-28):
//! `synthese.html`, rendered from `templates/access_summary.html`. This file
//! prepares what the template shows (dates and counts in French, cells of the
//! categories); the template lays it out and escapes it.

use std::borrow::Cow;

use askama::Template;

use super::archive::ZIP_JSON;
use super::art15::{
    column_label_fr, Art15Info, Recipient, ANSWER_DELAY_FR, AUTOMATED_DECISIONS_FR, CNIL_FR,
    COUNTRY_TO_CONFIRM, EXPIRY_FR, NEVER_SOLD_FR, RIGHTS_FR,
};
use super::format::{count_fr, paris_long, paris_short};
use super::model::{AccessExport, Category, Value};

impl AccessExport {
    /// The readable French summary (POL-23, POL-28): a self-contained,
    /// printable HTML page for a parent. Dates in Paris time
    /// (`25/11/2026 14:30`), booleans `oui`/`non`, empty values `—`; every
    /// interpolated string is HTML-escaped.
    pub fn to_html_fr(&self) -> String {
        SummaryPage::new(self)
            .render()
            .expect("rendering into a String cannot fail")
    }
}

/// More columns than this and each record is shown as its own two-column
/// table, which stays readable on paper.
const WIDE_TABLE: usize = 5;

#[derive(Template)]
#[template(path = "access_summary.html")]
struct SummaryPage<'a> {
    export: &'a AccessExport,
    info: &'a Art15Info,
    /// `25/11/2026 à 14:30`, Paris time.
    generated_at: String,
    /// `7 enregistrements`.
    total: String,
    /// `6 catégories`.
    category_count: String,
    categories: Vec<CategoryView<'a>>,
    processors: Vec<ProcessorView<'a>>,
    zip_json: &'static str,
    // Fixed texts of `art15`, written unescaped: they hold no markup.
    automated_decisions: &'static str,
    never_sold: &'static str,
    expiry: &'static str,
    rights: [(&'static str, &'static str); 7],
    answer_delay: &'static str,
    cnil: &'static str,
}

impl<'a> SummaryPage<'a> {
    fn new(export: &'a AccessExport) -> Self {
        let total: usize = export.categories.iter().map(|c| c.rows.len()).sum();
        SummaryPage {
            export,
            info: &export.info,
            generated_at: paris_long(export.generated_at),
            total: count_fr(total as u64, "enregistrement", "enregistrements"),
            category_count: count_fr(export.categories.len() as u64, "catégorie", "catégories"),
            categories: export.categories.iter().map(CategoryView::new).collect(),
            processors: export
                .info
                .processors
                .iter()
                .map(ProcessorView::new)
                .collect(),
            zip_json: ZIP_JSON,
            automated_decisions: AUTOMATED_DECISIONS_FR,
            never_sold: NEVER_SOLD_FR,
            expiry: EXPIRY_FR,
            rights: RIGHTS_FR,
            answer_delay: ANSWER_DELAY_FR,
            cnil: CNIL_FR,
        }
    }
}

/// One category as the summary shows it: every row laid out on the same
/// columns (the widest row's, see [`Category::width`]).
struct CategoryView<'a> {
    key: &'a str,
    title: &'a str,
    /// `2 enregistrements`.
    count: String,
    columns: Vec<Column<'a>>,
    /// Per row, one cell per column: the text to show, `None` when empty
    /// (shown as `—`).
    rows: Vec<Vec<Option<Cow<'a, str>>>>,
    /// One table for the category; otherwise one table per record.
    one_table: bool,
}

struct Column<'a> {
    /// The column name, e.g. `given_name`.
    name: Cow<'a, str>,
    /// Its French label, when [`column_label_fr`] knows it.
    label: Option<&'static str>,
}

impl<'a> CategoryView<'a> {
    fn new(category: &'a Category) -> Self {
        let width = category.width();
        let columns = (0..width)
            .map(|i| {
                let name = category.column_name(i);
                let label = column_label_fr(&name);
                Column { name, label }
            })
            .collect();
        let rows = category
            .rows
            .iter()
            .map(|row| {
                (0..width)
                    .map(|i| cell(row.get(i).unwrap_or(&Value::Null)))
                    .collect()
            })
            .collect();
        CategoryView {
            key: &category.key,
            title: &category.title_fr,
            count: count_fr(
                category.rows.len() as u64,
                "enregistrement",
                "enregistrements",
            ),
            columns,
            rows,
            one_table: width <= WIDE_TABLE,
        }
    }
}

/// What a parent reads for a value: text as is, dates in Paris time,
/// booleans `oui`/`non`; `None` for null and empty text.
fn cell(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::Text(text) if text.is_empty() => None,
        Value::Text(text) => Some(Cow::Borrowed(text)),
        Value::Integer(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(true) => Some(Cow::Borrowed("oui")),
        Value::Bool(false) => Some(Cow::Borrowed("non")),
        Value::DateTime(at) => Some(Cow::Owned(paris_short(*at))),
    }
}

struct ProcessorView<'a> {
    recipient: &'a Recipient,
    transfer: Transfer<'a>,
}

/// The "transfer outside the EEA" column of a processor (POL-37).
enum Transfer<'a> {
    /// Outside the EEA, with its recorded safeguard.
    Safeguarded(&'a str),
    /// Outside the EEA, no safeguard recorded yet.
    SafeguardToSpecify,
    /// The country is still the placeholder of the defaults: nothing is
    /// asserted.
    CountryToConfirm,
    No,
}

impl<'a> ProcessorView<'a> {
    fn new(recipient: &'a Recipient) -> Self {
        let transfer = if recipient.outside_eea {
            match recipient.safeguard.as_deref() {
                Some(safeguard) if !safeguard.trim().is_empty() => Transfer::Safeguarded(safeguard),
                _ => Transfer::SafeguardToSpecify,
            }
        } else if recipient.country == COUNTRY_TO_CONFIRM {
            Transfer::CountryToConfirm
        } else {
            Transfer::No
        };
        ProcessorView {
            recipient,
            transfer,
        }
    }
}
