//! POL-23 deadlines, table-driven over several years of French holidays.

use chrono::NaiveDate;
use domain::deadlines::{
    add_jours_ouvrables, add_months, deadlines, easter_sunday, is_jour_ouvrable, public_holidays,
    urgency, Urgency,
};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn pol_23_easter_is_computed_for_every_year_of_the_table() {
    let known = [
        ("2024", "2024-03-31"),
        ("2025", "2025-04-20"),
        ("2026", "2026-04-05"),
        ("2027", "2027-03-28"),
        ("2028", "2028-04-16"),
        ("2029", "2029-04-01"),
        ("2030", "2030-04-21"),
        ("2031", "2031-04-13"),
        ("2032", "2032-03-28"),
        ("2038", "2038-04-25"),
    ];
    for (year, easter) in known {
        assert_eq!(easter_sunday(year.parse().unwrap()), d(easter), "{year}");
    }
}

#[test]
fn pol_23_the_eleven_french_public_holidays() {
    let expected_2026 = [
        "2026-01-01",
        "2026-04-06",
        "2026-05-01",
        "2026-05-08",
        "2026-05-14",
        "2026-05-25",
        "2026-07-14",
        "2026-08-15",
        "2026-11-01",
        "2026-11-11",
        "2026-12-25",
    ];
    assert_eq!(public_holidays(2026), expected_2026.map(d).to_vec());
    let expected_2027 = [
        "2027-01-01",
        "2027-03-29",
        "2027-05-01",
        "2027-05-06",
        "2027-05-08",
        "2027-05-17",
        "2027-07-14",
        "2027-08-15",
        "2027-11-01",
        "2027-11-11",
        "2027-12-25",
    ];
    assert_eq!(public_holidays(2027), expected_2027.map(d).to_vec());
    for year in 2024..=2035 {
        assert_eq!(public_holidays(year).len(), 11, "{year}");
    }
}

#[test]
fn pol_23_fifteen_jours_ouvrables_skip_sundays_and_holidays_not_saturdays() {
    // (received, due): counted by hand on a calendar.
    let table = [
        ("2026-01-05", "2026-01-22"), // plain weeks, Saturdays count
        ("2026-04-30", "2026-05-21"), // 1 May, 8 May and Ascension (14 May) skipped
        ("2025-12-20", "2026-01-09"), // Christmas and New Year skipped, across years
        ("2027-05-07", "2027-05-27"), // 8 May on a Saturday and Whit Monday skipped
        ("2028-04-15", "2028-05-05"), // Easter Monday and 1 May skipped
        ("2029-07-13", "2029-08-01"), // 14 July on a Saturday skipped
    ];
    for (received, due) in table {
        assert_eq!(
            add_jours_ouvrables(d(received), 15),
            d(due),
            "received {received}"
        );
        assert_eq!(deadlines(d(received)).policy_target, d(due));
    }
}

#[test]
fn pol_23_months_end_on_the_same_date_or_the_next_working_day() {
    let table = [
        ("2026-01-31", 1, "2026-03-02"), // 28 Feb 2026 is a Saturday → Monday 2 March
        ("2026-03-31", 1, "2026-04-30"), // no 31 April → 30 April (Thursday)
        ("2026-04-01", 1, "2026-05-04"), // 1 May holiday, then the weekend
        ("2024-01-31", 1, "2024-02-29"), // leap year
        ("2026-01-31", 3, "2026-04-30"), // the GDPR ceiling extended
        ("2026-02-06", 3, "2026-05-06"),
        ("2026-11-25", 1, "2026-12-28"), // 25 Dec holiday, then the weekend
        ("2026-12-15", 1, "2027-01-15"), // across the year
    ];
    for (received, months, due) in table {
        assert_eq!(
            add_months(d(received), months),
            d(due),
            "{received} + {months} month(s)"
        );
    }
    let all = deadlines(d("2026-01-31"));
    assert_eq!(
        (all.legal, all.policy_extended, all.legal_extended),
        (d("2026-03-02"), d("2026-03-02"), d("2026-04-30"))
    );
}

#[test]
fn pol_23_every_deadline_is_after_receipt_and_the_target_before_the_ceiling() {
    let mut day = d("2024-01-01");
    while day < d("2031-01-01") {
        let all = deadlines(day);
        assert!(all.policy_target > day && all.legal > day);
        assert!(
            all.policy_target <= all.legal,
            "{day}: 15 jours ouvrables fit in a month"
        );
        assert!(all.legal <= all.legal_extended);
        assert!(is_jour_ouvrable(all.policy_target));
        day = day.succ_opt().unwrap();
    }
}

#[test]
fn pol_23_requests_are_flagged_at_risk_then_overdue() {
    let all = deadlines(d("2026-01-05")); // due 2026-01-22
    assert_eq!(urgency(&all, false, d("2026-01-10")), Urgency::OnTrack);
    assert_eq!(urgency(&all, false, d("2026-01-19")), Urgency::AtRisk); // 3 jours ouvrables left
    assert_eq!(urgency(&all, false, d("2026-01-22")), Urgency::AtRisk);
    assert_eq!(urgency(&all, false, d("2026-01-23")), Urgency::Overdue);
    // Extended: measured against one month.
    assert_eq!(urgency(&all, true, d("2026-01-23")), Urgency::OnTrack);
}
