//! Deadlines of rights requests (POL-23). Pure calendar arithmetic, dates only
//! (a request received on a day counts from that day, in Europe/Paris).
//!
//! - **Policy target**: 15 *jours ouvrables* after receipt. Jours ouvrables are
//!   Monday to Saturday, French public holidays excluded; the day of receipt is
//!   not counted (Decision in requirements.md, POL-23).
//! - **Policy extension** for exceptional volumes: one month after receipt.
//! - **GDPR ceiling** (art. 12(3)): one month after receipt, extendable by two
//!   further months (three in all) when necessary; the person must be told of
//!   the extension within the first month.
//!
//! Months follow Regulation (EEC, Euratom) 1182/71 on time limits, which governs
//! periods in EU law: a period of months ends on the same date of the last
//! month, or on that month's last day when the date does not exist (one month
//! after 31 January is 28 or 29 February); when that day is a Saturday, a Sunday
//! or a public holiday, the period ends on the next working day (Monday to
//! Friday, not a holiday). French public holidays are the eleven national ones
//! (the two extra days of Alsace-Moselle do not apply in Le Mans).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// Easter Sunday of `year` (Gregorian computus, anonymous algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("computus gives a real date")
}

/// The eleven French public holidays of `year`, in date order.
pub fn public_holidays(year: i32) -> Vec<NaiveDate> {
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("fixed holiday");
    let easter = easter_sunday(year);
    let mut days = vec![
        fixed(1, 1),
        easter + Duration::days(1), // lundi de Pâques
        fixed(5, 1),
        fixed(5, 8),
        easter + Duration::days(39), // Ascension
        easter + Duration::days(50), // lundi de Pentecôte
        fixed(7, 14),
        fixed(8, 15),
        fixed(11, 1),
        fixed(11, 11),
        fixed(12, 25),
    ];
    days.sort();
    days
}

pub fn is_public_holiday(day: NaiveDate) -> bool {
    public_holidays(day.year()).contains(&day)
}

/// Monday to Saturday, not a public holiday.
pub fn is_jour_ouvrable(day: NaiveDate) -> bool {
    day.weekday() != Weekday::Sun && !is_public_holiday(day)
}

/// Monday to Friday, not a public holiday (Regulation 1182/71's working days).
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(day)
}

/// The `count`-th jour ouvrable after `receipt` (the day of receipt not counted).
pub fn add_jours_ouvrables(receipt: NaiveDate, count: u32) -> NaiveDate {
    let mut day = receipt;
    let mut counted = 0;
    while counted < count {
        day += Duration::days(1);
        if is_jour_ouvrable(day) {
            counted += 1;
        }
    }
    day
}

/// `months` months after `receipt`, per Regulation 1182/71 (see module doc).
pub fn add_months(receipt: NaiveDate, months: u32) -> NaiveDate {
    let total = receipt.year() * 12 + receipt.month0() as i32 + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let mut day = receipt.day();
    let end = loop {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            break date;
        }
        day -= 1;
    };
    let mut due = end;
    while !is_working_day(due) {
        due += Duration::days(1);
    }
    due
}

/// Every date a rights request's handling is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Deadlines {
    pub received: NaiveDate,
    /// The policy's target: 15 jours ouvrables.
    pub policy_target: NaiveDate,
    /// The policy's exceptional extension: one month.
    pub policy_extended: NaiveDate,
    /// GDPR art. 12(3): one month; also the last day to tell the person of an extension.
    pub legal: NaiveDate,
    /// GDPR art. 12(3) extended by two further months.
    pub legal_extended: NaiveDate,
}

/// Policy target days (POL-23: "quinze jours ouvrables").
pub const POLICY_TARGET_JOURS_OUVRABLES: u32 = 15;

pub fn deadlines(received: NaiveDate) -> Deadlines {
    Deadlines {
        received,
        policy_target: add_jours_ouvrables(received, POLICY_TARGET_JOURS_OUVRABLES),
        policy_extended: add_months(received, 1),
        legal: add_months(received, 1),
        legal_extended: add_months(received, 3),
    }
}

/// Where a request stands against its deadlines on `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    OnTrack,
    /// 3 jours ouvrables or fewer left before the applicable due date.
    AtRisk,
    Overdue,
}

/// `extended`: the request was extended (with grounds, the person told).
pub fn urgency(deadlines: &Deadlines, extended: bool, today: NaiveDate) -> Urgency {
    let due = if extended {
        deadlines.policy_extended
    } else {
        deadlines.policy_target
    };
    if today > due {
        return Urgency::Overdue;
    }
    let mut left = 0;
    let mut day = today;
    while day < due {
        day += Duration::days(1);
        if is_jour_ouvrable(day) {
            left += 1;
        }
    }
    if left <= 3 {
        Urgency::AtRisk
    } else {
        Urgency::OnTrack
    }
}
