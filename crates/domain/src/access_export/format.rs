//! Date, time and count formatting shared by the documents.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Paris;

/// ISO 8601 UTC with `Z`; fractional seconds only when present.
pub(super) fn iso_utc(at: NaiveDateTime) -> String {
    crate::time::utc(at).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// `25/11/2026 14:30`, Paris time.
pub(super) fn paris_short(at: NaiveDateTime) -> String {
    Paris
        .from_utc_datetime(&at)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// `25/11/2026 à 14:30`, Paris time.
pub(super) fn paris_long(at: NaiveDateTime) -> String {
    Paris
        .from_utc_datetime(&at)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

pub(super) fn french_date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// French count: 0 and 1 take the singular.
pub(super) fn count_fr(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n <= 1 { singular } else { plural })
}
