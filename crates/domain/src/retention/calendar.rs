//! Calendar arithmetic of the retention periods: plain calendar months
//! clamped to the month's end, no working-day rule (see the module doc of
//! `retention`, # Time).

use chrono::{Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};

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
pub(super) fn last_expired_start(today: NaiveDate, months: u32) -> NaiveDate {
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
pub(super) fn start_of_next_day(day: NaiveDate) -> NaiveDateTime {
    day.succ_opt()
        .unwrap_or(NaiveDate::MAX)
        .and_time(NaiveTime::MIN)
}

pub(super) fn add_days(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_signed(Duration::days(i64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

pub(super) fn years_to_months(years: u32) -> u32 {
    years.saturating_mul(12)
}
