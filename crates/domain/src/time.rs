//! Time display: stored in UTC, shown in Europe/Paris with French dates.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// Interprets a stored naive timestamp as UTC.
pub fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&naive)
}

/// RFC 3339 text of a stored UTC timestamp, as sent to the UI.
pub fn to_rfc3339(naive: NaiveDateTime) -> String {
    utc(naive).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The calendar day in Paris at `at` (what "today" means at the office).
pub fn paris_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&Paris).date_naive()
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// French display in Paris time, e.g. "25 novembre 2026 à 08:05" (for the command line and
/// documents; the UI formats with Intl in the same zone).
pub fn paris_fr(at: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let local = at.with_timezone(&Paris);
    format!(
        "{} {} {} à {:02}:{:02}",
        local.day(),
        MONTHS_FR[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_time_follows_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(paris_fr(winter), "15 janvier 2026 à 13:00");
        assert_eq!(paris_fr(summer), "15 juillet 2026 à 14:00");
    }

    #[test]
    fn rfc3339_is_utc() {
        let naive = chrono::NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(to_rfc3339(naive), "2026-03-29T01:30:00Z");
    }
}
