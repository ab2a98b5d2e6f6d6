//! Date and time cells: local time in the caller's zone unless the cell carries an
//! offset, returned in UTC.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::SlashDateOrder;

/// Which spellings a column accepts.
#[derive(Clone, Copy, Debug)]
pub(super) enum Style {
    /// ISO 8601 only (plain CSV files).
    Iso,
    /// What Zoom writes: `MM/DD/YYYY hh:mm:ss AM` (or day first when asked),
    /// `MM/DD/YYYY HH:mm:ss`, `Mon DD, YYYY HH:mm:ss`, and ISO 8601.
    Zoom(SlashDateOrder),
}

impl Style {
    /// The spellings, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            Style::Iso => {
                "an ISO 8601 date and time: YYYY-MM-DDTHH:mm:ss, YYYY-MM-DD HH:mm, \
                 optionally followed by an offset (+01:00) or Z"
            }
            Style::Zoom(SlashDateOrder::MonthFirst) => {
                "a date and time: MM/DD/YYYY hh:mm:ss AM/PM, MM/DD/YYYY HH:mm:ss \
                 or YYYY-MM-DD HH:mm:ss"
            }
            Style::Zoom(SlashDateOrder::DayFirst) => {
                "a date and time: DD/MM/YYYY hh:mm:ss AM/PM, DD/MM/YYYY HH:mm:ss \
                 or YYYY-MM-DD HH:mm:ss"
            }
        }
    }
}

/// Why a cell is not an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TimeProblem {
    Empty,
    Unreadable,
    /// A local time skipped by the zone's change to summer time.
    Nonexistent,
}

const ISO_NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

const ISO_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%d %H:%M%#z",
    "%Y-%m-%d %H:%M:%S%.f %#z",
    "%Y-%m-%d %H:%M %#z",
];

const MONTH_FIRST: &[&str] = &[
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
];

const DAY_FIRST: &[&str] = &[
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %I:%M %p",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];

/// `Mar 22, 2025 19:13:27`, as in Zoom's webinar reports.
const MONTH_NAME: &[&str] = &[
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %H:%M",
];

/// Years outside this range are refused: chrono reads `11/04/26` as the year 26.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// The UTC instant of a cell. An ambiguous local time (the repeated hour in autumn)
/// is the earlier instant.
pub(super) fn parse_instant(
    cell: &str,
    style: Style,
    zone: Tz,
) -> Result<DateTime<Utc>, TimeProblem> {
    use chrono::Datelike;
    let text = cell.trim();
    if text.is_empty() {
        return Err(TimeProblem::Empty);
    }
    if let Some(at) = with_offset(text) {
        return if YEARS.contains(&at.year()) {
            Ok(at)
        } else {
            Err(TimeProblem::Unreadable)
        };
    }
    let local = naive(text, style).ok_or(TimeProblem::Unreadable)?;
    if !YEARS.contains(&local.year()) {
        return Err(TimeProblem::Unreadable);
    }
    zone.from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or(TimeProblem::Nonexistent)
}

fn with_offset(text: &str) -> Option<DateTime<Utc>> {
    let owned;
    let text = match text.strip_suffix(['Z', 'z']) {
        Some(rest) => {
            owned = format!("{rest}+00:00");
            owned.as_str()
        }
        None => text,
    };
    ISO_OFFSET
        .iter()
        .find_map(|f| DateTime::parse_from_str(text, f).ok())
        .map(|at| at.with_timezone(&Utc))
}

fn naive(text: &str, style: Style) -> Option<NaiveDateTime> {
    let parse = |formats: &[&str]| {
        formats
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    };
    match style {
        Style::Iso => parse(ISO_NAIVE),
        Style::Zoom(order) => parse(ISO_NAIVE)
            .or_else(|| {
                parse(match order {
                    SlashDateOrder::MonthFirst => MONTH_FIRST,
                    SlashDateOrder::DayFirst => DAY_FIRST,
                })
            })
            .or_else(|| parse(MONTH_NAME)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn zoom_spellings_are_read() {
        let zoom = Style::Zoom(SlashDateOrder::MonthFirst);
        for (cell, want) in [
            ("11/19/2026 9:54:15 AM", "2026-11-19T08:54:15Z"),
            ("11/19/2026 9:54 pm", "2026-11-19T20:54:00Z"),
            ("11/19/2026 21:54:15", "2026-11-19T20:54:15Z"),
            ("2026-11-19 21:54:15", "2026-11-19T20:54:15Z"),
            ("Nov 19, 2026 21:54:15", "2026-11-19T20:54:15Z"),
            ("Nov 19, 2026 09:54 PM", "2026-11-19T20:54:00Z"),
        ] {
            assert_eq!(parse_instant(cell, zoom, Paris), Ok(utc(want)), "{cell}");
        }
    }

    #[test]
    fn offsets_win_over_the_zone() {
        for (cell, want) in [
            ("2026-11-04T10:31:02Z", "2026-11-04T10:31:02Z"),
            ("2026-11-04T10:31:02+01:00", "2026-11-04T09:31:02Z"),
            ("2026-11-04 10:31-05:00", "2026-11-04T15:31:00Z"),
            ("2026-11-04T10:31:02.5+0200", "2026-11-04T08:31:02.5Z"),
        ] {
            assert_eq!(
                parse_instant(cell, Style::Iso, Paris),
                Ok(utc(want)),
                "{cell}"
            );
        }
    }

    #[test]
    fn unreadable_cells_are_refused() {
        let zoom = Style::Zoom(SlashDateOrder::MonthFirst);
        for cell in [
            "11/19/26 9:54:15 AM",
            "19/11/2026 09:54:15",
            "11/19/2026 13:54:15 PM",
            "11/19/2026",
            "tomorrow",
            "2026-11-04T10:31:02 extra",
        ] {
            assert_eq!(
                parse_instant(cell, zoom, Paris),
                Err(TimeProblem::Unreadable),
                "{cell}"
            );
        }
        assert_eq!(
            parse_instant("11/19/2026 09:54:15", Style::Iso, Paris),
            Err(TimeProblem::Unreadable)
        );
        assert_eq!(
            parse_instant("  ", Style::Iso, Paris),
            Err(TimeProblem::Empty)
        );
    }
}
