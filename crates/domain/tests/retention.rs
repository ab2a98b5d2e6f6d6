//! Retention engine (POL-29 to POL-33, POL-21, POL-25a, POL-31): years of
//! sweeps run in seconds because `now` is passed in.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::retention::{
    add_calendar_months, plan, quarter_of, AccountFacts, AccountStatus, Action, ActionKind,
    DayCount, ExecutedItem, HoldBasis, HoldFacts, PlanItem, QuarterlyReport, RetentionPlan,
    RetentionRules, RulesError, Unit,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS`, UTC.
fn t(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .unwrap()
}

fn account(
    reference: &str,
    last_activity: NaiveDateTime,
    status: AccountStatus,
    reminded_at: Option<NaiveDateTime>,
) -> AccountFacts {
    AccountFacts {
        participant_ref: reference.to_owned(),
        last_activity,
        status,
        reminded_at,
    }
}

fn classify(rules: &RetentionRules, facts: &AccountFacts, now: NaiveDateTime) -> Option<Action> {
    rules.classify_account(facts, now).map(|due| due.action)
}

fn plan_accounts(
    rules: &RetentionRules,
    accounts: &[AccountFacts],
    now: NaiveDateTime,
) -> RetentionPlan {
    plan(rules, accounts, [], &[], [], now)
}

/// What the store does with an account action; `true` when the account is gone.
fn apply(facts: &mut AccountFacts, action: &Action, now: NaiveDateTime) -> bool {
    match action {
        Action::Reactivate => {
            facts.status = AccountStatus::Active;
            facts.reminded_at = None;
        }
        Action::MarkInactive => {
            facts.status = AccountStatus::Inactive;
            facts.reminded_at = None;
        }
        Action::QueueReminder => {
            facts.status = AccountStatus::Reminded;
            facts.reminded_at = Some(now);
        }
        Action::EraseAccount => return true,
        other => panic!("not an account action: {other:?}"),
    }
    false
}

// ---------------------------------------------------------------------------
// Calendar months
// ---------------------------------------------------------------------------

#[test]
fn pol_29_calendar_months_clamp_to_month_end_without_working_day_rule() {
    let table = [
        ("2024-01-31", 18, "2025-07-31"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-08-29", 6, "2025-02-28"),
        ("2024-02-29", 24, "2026-02-28"),
        ("2024-03-31", 18, "2025-09-30"),
        ("2024-01-31", 13, "2025-02-28"),
        // 2025-05-31 is a Saturday: a retention period is not moved to Monday.
        ("2024-11-30", 6, "2025-05-30"),
        ("2023-11-30", 18, "2025-05-30"),
        ("2024-05-31", 12, "2025-05-31"),
    ];
    for (start, months, end) in table {
        assert_eq!(
            add_calendar_months(d(start), months),
            d(end),
            "{start} + {months}"
        );
    }
}

// ---------------------------------------------------------------------------
// Accounts (POL-29, POL-30)
// ---------------------------------------------------------------------------

#[test]
fn pol_29_pol_30_one_account_day_by_day_over_three_years() {
    let rules = RetentionRules::default();
    let mut facts = account("p-0001", t("2024-01-31 10:00"), AccountStatus::Active, None);
    let mut transitions = Vec::new();
    let mut status_on = std::collections::BTreeMap::new();
    let mut erased_on = None;
    let mut day = d("2024-01-31");
    while day <= d("2027-01-31") {
        let now = day.and_hms_opt(2, 0, 0).unwrap();
        // The daily sweep of the store: plan, then execute every item.
        let sweep = plan_accounts(&rules, std::slice::from_ref(&facts), now);
        assert!(sweep.items.len() <= 1);
        if let Some(item) = sweep.items.first() {
            assert_eq!(item.due_since, day, "executed the day it is due");
            assert!(!item.overdue);
            transitions.push((day, item.action.kind()));
            if apply(&mut facts, &item.action, now) {
                erased_on = Some(day);
                break;
            }
        }
        status_on.insert(day, facts.status);
        day = day.succ_opt().unwrap();
    }
    assert_eq!(
        transitions,
        vec![
            (d("2025-07-31"), ActionKind::MarkInactive),
            (d("2026-01-31"), ActionKind::QueueReminder),
            (d("2026-04-30"), ActionKind::EraseAccount),
        ]
    );
    assert_eq!(erased_on, Some(d("2026-04-30")));
    // Month by month, 0 to 27 months after the last login.
    for month in 0..27 {
        let day = add_calendar_months(d("2024-01-31"), month);
        let expected = match month {
            0..=17 => AccountStatus::Active,
            18..=23 => AccountStatus::Inactive,
            _ => AccountStatus::Reminded,
        };
        assert_eq!(status_on[&day], expected, "month {month} ({day})");
    }
    // The day before each transition, still the previous state.
    assert_eq!(status_on[&d("2025-07-30")], AccountStatus::Active);
    assert_eq!(status_on[&d("2026-01-30")], AccountStatus::Inactive);
    assert_eq!(status_on[&d("2026-04-29")], AccountStatus::Reminded);
}

#[test]
fn pol_29_pol_30_stateless_classification_month_by_month() {
    // What an account needs k months after its last login, by stored status,
    // the store never having acted (e.g. the sweep did not run).
    let rules = RetentionRules::default();
    let last = t("2024-01-31 10:00");
    let reminded = t("2026-01-31 03:00");
    for month in 0..=40u32 {
        let now = add_calendar_months(d("2024-01-31"), month)
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let active = classify(
            &rules,
            &account("a", last, AccountStatus::Active, None),
            now,
        );
        let inactive = classify(
            &rules,
            &account("i", last, AccountStatus::Inactive, None),
            now,
        );
        let expected_active = match month {
            0..=17 => None,
            18..=23 => Some(Action::MarkInactive),
            _ => Some(Action::QueueReminder),
        };
        let expected_inactive = match month {
            0..=17 => Some(Action::Reactivate),
            18..=23 => None,
            _ => Some(Action::QueueReminder),
        };
        assert_eq!(active, expected_active, "active, month {month}");
        assert_eq!(inactive, expected_inactive, "inactive, month {month}");
        if month >= 24 {
            let reminded_account = account("r", last, AccountStatus::Reminded, Some(reminded));
            let expected = if month >= 27 {
                Some(Action::EraseAccount)
            } else {
                None
            };
            assert_eq!(
                classify(&rules, &reminded_account, now),
                expected,
                "reminded, month {month}"
            );
        }
    }
}

/// (rules, last activity, now, expected action, expected due day)
type BoundaryRow<'a> = (
    &'a RetentionRules,
    &'a str,
    &'a str,
    Option<Action>,
    Option<&'a str>,
);

#[test]
fn pol_29_exact_boundaries() {
    let rules = RetentionRules::default();
    let six_months = RetentionRules {
        inactive_after_months: 6,
        ..RetentionRules::default()
    };
    let table: [BoundaryRow; 12] = [
        (
            &rules,
            "2024-01-31 10:00",
            "2025-07-30 23:59:59",
            None,
            None,
        ),
        (
            &rules,
            "2024-01-31 10:00",
            "2025-07-31 00:00",
            Some(Action::MarkInactive),
            Some("2025-07-31"),
        ),
        (
            &rules,
            "2024-01-31 23:59",
            "2025-07-31 00:00",
            Some(Action::MarkInactive),
            Some("2025-07-31"),
        ),
        (&rules, "2024-03-31 08:00", "2025-09-29 23:00", None, None),
        (
            &rules,
            "2024-03-31 08:00",
            "2025-09-30 00:01",
            Some(Action::MarkInactive),
            Some("2025-09-30"),
        ),
        (
            &rules,
            "2024-02-29 08:00",
            "2026-02-27 12:00",
            Some(Action::MarkInactive),
            Some("2025-08-29"),
        ),
        (
            &rules,
            "2024-02-29 08:00",
            "2026-02-28 00:00",
            Some(Action::QueueReminder),
            Some("2026-02-28"),
        ),
        // Month ends: Aug 31 + 6 months.
        (
            &six_months,
            "2024-08-31 09:00",
            "2025-02-27 23:59",
            None,
            None,
        ),
        (
            &six_months,
            "2024-08-31 09:00",
            "2025-02-28 00:00",
            Some(Action::MarkInactive),
            Some("2025-02-28"),
        ),
        (
            &six_months,
            "2023-08-31 09:00",
            "2024-02-28 23:59",
            None,
            None,
        ),
        (
            &six_months,
            "2023-08-31 09:00",
            "2024-02-29 00:00",
            Some(Action::MarkInactive),
            Some("2024-02-29"),
        ),
        (
            &six_months,
            "2024-08-30 09:00",
            "2025-02-28 00:00",
            Some(Action::MarkInactive),
            Some("2025-02-28"),
        ),
    ];
    for (rules, last, now, action, due) in table {
        let facts = account("p", t(last), AccountStatus::Active, None);
        let got = rules.classify_account(&facts, t(now));
        assert_eq!(
            got.as_ref().map(|due| due.action.clone()),
            action,
            "{last} at {now}"
        );
        assert_eq!(got.map(|due| due.due_since), due.map(d), "{last} at {now}");
    }
}

#[test]
fn pol_30_erasure_three_months_after_an_unanswered_reminder() {
    let rules = RetentionRules::default();
    let facts = account(
        "p",
        t("2023-11-30 10:00"),
        AccountStatus::Reminded,
        Some(t("2025-11-30 02:00")),
    );
    let table = [
        ("2026-02-27 23:59", None),
        ("2026-02-28 00:00", Some(("2026-02-28", false))),
        ("2026-03-30 23:00", Some(("2026-02-28", false))),
        ("2026-03-31 00:00", Some(("2026-02-28", true))),
    ];
    for (now, expected) in table {
        let sweep = plan_accounts(&rules, std::slice::from_ref(&facts), t(now));
        let got = sweep.items.first().map(|item| {
            assert_eq!(item.action, Action::EraseAccount);
            assert_eq!(item.deadline, d("2026-03-30"));
            (item.due_since, item.overdue)
        });
        assert_eq!(
            got,
            expected.map(|(due, overdue)| (d(due), overdue)),
            "{now}"
        );
    }
}

#[test]
fn pol_30_a_login_after_the_reminder_reactivates_and_is_never_erased() {
    let rules = RetentionRules::default();
    let reminded_at = t("2026-01-31 02:00");
    let answered = account(
        "p",
        t("2026-02-15 18:30"),
        AccountStatus::Reminded,
        Some(reminded_at),
    );
    for now in ["2026-02-16 02:00", "2026-04-30 02:00", "2026-06-01 02:00"] {
        let due = rules.classify_account(&answered, t(now)).unwrap();
        assert_eq!(due.action, Action::Reactivate, "{now}");
        assert_eq!(due.due_since, d("2026-02-15"));
    }
    // A login at the very instant of the reminder is not an answer.
    let same_instant = account("p", reminded_at, AccountStatus::Reminded, Some(reminded_at));
    assert_eq!(
        classify(&rules, &same_instant, t("2028-05-01 00:00")),
        Some(Action::EraseAccount)
    );
    // An inactive account that logs in again is active again.
    let back = account("q", t("2026-03-01 09:00"), AccountStatus::Inactive, None);
    assert_eq!(
        classify(&rules, &back, t("2026-03-02 02:00")),
        Some(Action::Reactivate)
    );
    // Answered the reminder, then idle again (the status was never reset): the old
    // reminder is void, the account goes through inactivity and a new reminder.
    let idle_again = answered.clone();
    assert_eq!(
        classify(&rules, &idle_again, t("2027-08-14 12:00")),
        Some(Action::Reactivate)
    );
    assert_eq!(
        classify(&rules, &idle_again, t("2027-08-15 00:00")),
        Some(Action::MarkInactive)
    );
    let due = rules
        .classify_account(&idle_again, t("2029-01-01 00:00"))
        .unwrap();
    assert_eq!(due.action, Action::QueueReminder);
    assert_eq!(due.due_since, d("2028-02-15"));
}

#[test]
fn pol_30_idle_account_never_reminded_gets_the_reminder_not_erasure() {
    let rules = RetentionRules::default();
    let last = t("2023-01-15 10:00");
    let now = t("2025-07-20 02:00"); // 30 months idle
    let cases = [
        account("inactive", last, AccountStatus::Inactive, None),
        account("active", last, AccountStatus::Active, None),
        // Inconsistent row: reminded without a date. The reminder cannot be proven.
        account("reminded-no-date", last, AccountStatus::Reminded, None),
        // Reminded before the last activity: that reminder was answered.
        account(
            "old-reminder",
            last,
            AccountStatus::Reminded,
            Some(t("2022-12-01 00:00")),
        ),
    ];
    for facts in &cases {
        let due = rules.classify_account(facts, now).unwrap();
        assert_eq!(
            due.action,
            Action::QueueReminder,
            "{}",
            facts.participant_ref
        );
        assert_eq!(due.due_since, d("2025-01-15"));
    }
    let sweep = plan_accounts(&rules, &cases, now);
    assert!(
        sweep.items.iter().all(|item| item.overdue),
        "due 6 months ago, grace 30 days"
    );
    // Reminded today: erased 3 months later, not before.
    let mut facts = cases[0].clone();
    apply(&mut facts, &Action::QueueReminder, now);
    assert_eq!(classify(&rules, &facts, t("2025-10-19 23:59")), None);
    assert_eq!(
        classify(&rules, &facts, t("2025-10-20 00:00")),
        Some(Action::EraseAccount)
    );
}

#[test]
fn pol_30_an_active_or_inactive_account_is_never_erased_directly() {
    let rules = RetentionRules::default();
    let last = t("2020-06-30 10:00");
    let reminder_dates = [
        None,
        Some(t("2020-01-01 00:00")),
        Some(t("2022-07-01 00:00")),
    ];
    for month in 0..=120 {
        let now = add_calendar_months(d("2020-06-30"), month)
            .and_hms_opt(5, 0, 0)
            .unwrap();
        for status in [AccountStatus::Active, AccountStatus::Inactive] {
            for reminded_at in reminder_dates {
                let facts = account("p", last, status, reminded_at);
                assert_ne!(
                    classify(&rules, &facts, now),
                    Some(Action::EraseAccount),
                    "{status:?} {reminded_at:?} month {month}"
                );
            }
        }
    }
}

#[test]
fn pol_29_pol_30_store_candidate_query_holds_every_account_with_an_action() {
    // The store may fetch only `status <> 'active' OR last_activity < inactive_before`;
    // each action also agrees with its own cutoff.
    let rules = RetentionRules::default();
    let mut rng = StdRng::seed_from_u64(29);
    let base = t("2020-01-01 00:00");
    for _ in 0..50_000 {
        let now = base + Duration::minutes(rng.gen_range(0..10 * 365 * 24 * 60));
        let last = now - Duration::minutes(rng.gen_range(-1_000..40 * 31 * 24 * 60));
        let status = [
            AccountStatus::Active,
            AccountStatus::Inactive,
            AccountStatus::Reminded,
        ][rng.gen_range(0..3)];
        let reminded_at = if rng.gen_bool(0.7) {
            Some(now - Duration::minutes(rng.gen_range(0..8 * 31 * 24 * 60)))
        } else {
            None
        };
        let facts = account("p", last, status, reminded_at);
        let cut = rules.cutoffs(now);
        let Some(due) = rules.classify_account(&facts, now) else {
            continue;
        };
        assert!(
            status != AccountStatus::Active || last < cut.inactive_before,
            "{facts:?} at {now}"
        );
        match due.action {
            Action::MarkInactive => {
                assert!(last < cut.inactive_before && last >= cut.remind_before)
            }
            Action::QueueReminder => assert!(last < cut.remind_before),
            Action::EraseAccount => {
                assert!(reminded_at.unwrap() < cut.erase_reminded_before);
                assert!(last < cut.remind_before);
            }
            Action::Reactivate => assert!(last >= cut.inactive_before || Some(last) > reminded_at),
            other => panic!("{other:?}"),
        }
        assert!(due.due_since <= now.date());
    }
}

#[test]
fn pol_29_to_pol_32_cutoffs_agree_with_the_periods_on_every_day() {
    // For every start day of six years and the days around its end: the SQL bound
    // (`timestamp < cutoff`) says "expired" exactly when start + months <= today.
    for months in [1, 3, 6, 12, 13, 18, 24] {
        let rules = RetentionRules {
            inactive_after_months: months,
            reminder_after_months: months + 1,
            erase_after_reminder_months: months,
            technical_traces_months: months.min(13),
            audit_months: months.min(12),
            ..RetentionRules::default()
        };
        let mut start = d("2022-01-01");
        while start <= d("2027-12-31") {
            let end = add_calendar_months(start, months);
            for today in [end - Duration::days(1), end, end + Duration::days(1)] {
                for time in [(0, 0, 0), (12, 30, 0), (23, 59, 59)] {
                    let now = today.and_hms_opt(time.0, time.1, time.2).unwrap();
                    let cut = rules.cutoffs(now);
                    for stamp in [(0, 0, 0), (23, 59, 59)] {
                        let at = start.and_hms_opt(stamp.0, stamp.1, stamp.2).unwrap();
                        let expired = end <= today;
                        assert_eq!(
                            at < cut.inactive_before,
                            expired,
                            "{months} {start} {today}"
                        );
                        assert_eq!(at < cut.erase_reminded_before, expired);
                        if months <= 12 {
                            assert_eq!(at < cut.audit_before, expired);
                        }
                        if months <= 13 {
                            assert_eq!(at < cut.traces_before, expired);
                        }
                    }
                }
            }
            start = start.succ_opt().unwrap();
        }
    }
    let cut = RetentionRules::default().cutoffs(t("2025-02-28 14:00"));
    assert_eq!(
        cut.traces_before,
        t("2024-02-01 00:00"),
        "Jan 29, 30, 31 + 13 = Feb 28"
    );
    assert_eq!(cut.audit_before, t("2024-03-01 00:00"));
    assert_eq!(cut.inactive_before, t("2023-09-01 00:00"));
    assert_eq!(cut.remind_before, t("2023-03-01 00:00"));
    assert_eq!(cut.erase_reminded_before, t("2024-12-01 00:00"));
    assert_eq!(cut.holds_ended_by, t("2025-02-28 14:00"));
}

// ---------------------------------------------------------------------------
// Traces, holds, audit (POL-32, POL-25a, POL-31, POL-21)
// ---------------------------------------------------------------------------

#[test]
fn pol_32_technical_traces_are_deleted_at_13_months_per_recording_day() {
    let rules = RetentionRules::default();
    let traces = [
        DayCount {
            day: d("2024-01-31"),
            count: 3,
        },
        DayCount {
            day: d("2024-01-31"),
            count: 4,
        },
        DayCount {
            day: d("2024-01-30"),
            count: 0,
        },
        DayCount {
            day: d("2024-02-01"),
            count: 9,
        },
    ];
    let table = [
        ("2025-02-27 23:59", vec![]),
        (
            "2025-02-28 00:00",
            vec![("technical_traces:2024-01-31", 7, "2025-02-28")],
        ),
        (
            "2025-03-01 00:00",
            vec![
                ("technical_traces:2024-01-31", 7, "2025-02-28"),
                ("technical_traces:2024-02-01", 9, "2025-03-01"),
            ],
        ),
    ];
    for (now, expected) in table {
        let sweep = plan(&rules, &[], traces, &[], [], t(now));
        let got: Vec<(String, u64, NaiveDate)> = sweep
            .items
            .iter()
            .map(|item| match item.action {
                Action::DeleteTraces { count } => (item.subject.clone(), count, item.due_since),
                ref other => panic!("{other:?}"),
            })
            .collect();
        let expected: Vec<(String, u64, NaiveDate)> = expected
            .into_iter()
            .map(|(subject, count, due)| (subject.to_owned(), count, d(due)))
            .collect();
        assert_eq!(got, expected, "{now}");
    }
}

#[test]
fn pol_25_pol_31_holds_are_released_on_or_after_held_until() {
    let rules = RetentionRules::default();
    let holds = [
        HoldFacts {
            id: "h-invoice".into(),
            record_table: "invoices".into(),
            held_until: t("2031-06-30 14:00"),
        },
        HoldFacts {
            id: "h-payment".into(),
            record_table: "payments".into(),
            held_until: t("2030-01-01 00:00"),
        },
    ];
    let table = [
        ("2029-12-31 23:59", vec![]),
        ("2030-01-01 00:00", vec!["h-payment"]),
        ("2031-06-30 13:59", vec!["h-payment"]),
        ("2031-06-30 14:00", vec!["h-invoice", "h-payment"]),
        ("2035-01-01 00:00", vec!["h-invoice", "h-payment"]),
    ];
    for (now, expected) in table {
        let sweep = plan(&rules, &[], [], &holds, [], t(now));
        let mut got: Vec<&str> = sweep
            .items
            .iter()
            .map(|item| item.subject.as_str())
            .collect();
        got.sort();
        assert_eq!(got, expected, "{now}");
    }
    let sweep = plan(&rules, &[], [], &holds, [], t("2031-07-01 00:00"));
    assert_eq!(
        sweep.items[1],
        PlanItem {
            action: Action::ReleaseHold {
                record_table: "invoices".into()
            },
            subject: "h-invoice".into(),
            due_since: d("2031-06-30"),
            deadline: d("2031-07-30"),
            overdue: false,
        }
    );
}

#[test]
fn pol_25_pol_31_hold_ends_longer_period_wins() {
    let mut rules = RetentionRules::default();
    let erased = t("2024-02-29 10:15");
    assert_eq!(
        rules.hold_until(HoldBasis::Payment, erased),
        t("2030-02-28 10:15")
    );
    assert_eq!(
        rules.hold_until(HoldBasis::Invoice, erased),
        t("2031-02-28 10:15")
    );
    assert_eq!(
        rules.hold_until(HoldBasis::PaymentAndInvoice, erased),
        t("2031-02-28 10:15")
    );
    rules.set("payment_hold_years", 10).unwrap();
    assert_eq!(
        rules.hold_until(HoldBasis::PaymentAndInvoice, erased),
        t("2034-02-28 10:15")
    );
}

#[test]
fn pol_21_audit_entries_are_deleted_after_12_months() {
    let rules = RetentionRules::default();
    let audit = [
        DayCount {
            day: d("2025-03-31"),
            count: 1200,
        },
        DayCount {
            day: d("2025-04-01"),
            count: 800,
        },
    ];
    let none = plan(&rules, &[], [], &[], audit, t("2026-03-30 23:59"));
    assert!(none.items.is_empty());
    let sweep = plan(&rules, &[], [], &[], audit, t("2026-03-31 00:00"));
    assert_eq!(sweep.items.len(), 1);
    assert_eq!(
        sweep.items[0].action,
        Action::DeleteAuditEntries { count: 1200 }
    );
    assert_eq!(sweep.items[0].subject, "audit_log:2025-03-31");
    assert_eq!(sweep.items[0].due_since, d("2026-03-31"));
    assert_eq!(
        rules.cutoffs(t("2026-03-31 00:00")).audit_before,
        t("2025-04-01 00:00")
    );
    let six = RetentionRules {
        audit_months: 6,
        ..RetentionRules::default()
    };
    let sweep = plan(&six, &[], [], &[], audit, t("2025-10-01 00:00"));
    assert_eq!(
        sweep.summary().of(ActionKind::DeleteAuditEntries).records,
        2000
    );
}

// ---------------------------------------------------------------------------
// Deadlines and plans (POL-33)
// ---------------------------------------------------------------------------

#[test]
fn pol_33_an_item_is_overdue_the_day_after_its_30_day_deadline() {
    let facts = [account(
        "p",
        t("2024-01-31 10:00"),
        AccountStatus::Active,
        None,
    )];
    let table = [
        (30, "2025-08-30 23:59", false, "2025-08-30"),
        (30, "2025-08-31 00:00", true, "2025-08-30"),
        (10, "2025-08-10 12:00", false, "2025-08-10"),
        (10, "2025-08-11 00:00", true, "2025-08-10"),
        (1, "2025-08-01 23:00", false, "2025-08-01"),
        (1, "2025-08-02 00:00", true, "2025-08-01"),
    ];
    for (grace, now, overdue, deadline) in table {
        let rules = RetentionRules {
            execution_grace_days: grace,
            ..RetentionRules::default()
        };
        let sweep = plan_accounts(&rules, &facts, t(now));
        let item = &sweep.items[0];
        assert_eq!(item.action, Action::MarkInactive);
        assert_eq!(item.due_since, d("2025-07-31"));
        assert_eq!(item.deadline, d(deadline), "grace {grace}");
        assert_eq!(item.overdue, overdue, "grace {grace} at {now}");
        assert_eq!(sweep.summary().overdue, u64::from(overdue));
    }
}

fn mixed_inputs() -> (
    Vec<AccountFacts>,
    Vec<DayCount>,
    Vec<HoldFacts>,
    Vec<DayCount>,
) {
    let accounts = vec![
        account("p-05", t("2024-01-01 10:00"), AccountStatus::Active, None),
        account("p-04", t("2024-01-01 11:00"), AccountStatus::Active, None),
        account("p-03", t("2023-01-01 10:00"), AccountStatus::Inactive, None),
        account(
            "p-02",
            t("2022-06-01 10:00"),
            AccountStatus::Reminded,
            Some(t("2025-01-01 00:00")),
        ),
        account("p-01", t("2025-09-01 10:00"), AccountStatus::Inactive, None),
        account("p-06", t("2025-09-01 10:00"), AccountStatus::Active, None),
        account("p-00", t("2023-12-01 10:00"), AccountStatus::Active, None),
    ];
    let traces = vec![
        DayCount {
            day: d("2024-07-02"),
            count: 10,
        },
        DayCount {
            day: d("2024-07-01"),
            count: 20,
        },
        DayCount {
            day: d("2025-09-01"),
            count: 99,
        },
    ];
    let holds = vec![
        HoldFacts {
            id: "h-b".into(),
            record_table: "invoices".into(),
            held_until: t("2025-09-01 00:00"),
        },
        HoldFacts {
            id: "h-a".into(),
            record_table: "payments".into(),
            held_until: t("2025-09-01 00:00"),
        },
        HoldFacts {
            id: "h-c".into(),
            record_table: "payments".into(),
            held_until: t("2027-01-01 00:00"),
        },
    ];
    let audit = vec![
        DayCount {
            day: d("2024-09-30"),
            count: 5,
        },
        DayCount {
            day: d("2024-06-30"),
            count: 7,
        },
    ];
    (accounts, traces, holds, audit)
}

#[test]
fn pol_33_plan_order_is_deterministic_kind_then_due_day_then_subject() {
    let rules = RetentionRules::default();
    let now = t("2025-10-01 03:00");
    let (accounts, traces, holds, audit) = mixed_inputs();
    let reference = plan(
        &rules,
        &accounts,
        traces.clone(),
        &holds,
        audit.clone(),
        now,
    );
    let got: Vec<(ActionKind, &str, NaiveDate)> = reference
        .items
        .iter()
        .map(|item| (item.action.kind(), item.subject.as_str(), item.due_since))
        .collect();
    assert_eq!(
        got,
        vec![
            (ActionKind::Reactivate, "p-01", d("2025-09-01")),
            (ActionKind::MarkInactive, "p-00", d("2025-06-01")),
            (ActionKind::MarkInactive, "p-04", d("2025-07-01")),
            (ActionKind::MarkInactive, "p-05", d("2025-07-01")),
            (ActionKind::QueueReminder, "p-03", d("2025-01-01")),
            (ActionKind::EraseAccount, "p-02", d("2025-04-01")),
            (
                ActionKind::DeleteTraces,
                "technical_traces:2024-07-01",
                d("2025-08-01")
            ),
            (
                ActionKind::DeleteTraces,
                "technical_traces:2024-07-02",
                d("2025-08-02")
            ),
            (ActionKind::ReleaseHold, "h-a", d("2025-09-01")),
            (ActionKind::ReleaseHold, "h-b", d("2025-09-01")),
            (
                ActionKind::DeleteAuditEntries,
                "audit_log:2024-06-30",
                d("2025-06-30")
            ),
            (
                ActionKind::DeleteAuditEntries,
                "audit_log:2024-09-30",
                d("2025-09-30")
            ),
        ]
    );
    let mut rng = StdRng::seed_from_u64(33);
    for _ in 0..20 {
        let (mut accounts, mut traces, mut holds, mut audit) = mixed_inputs();
        accounts.shuffle(&mut rng);
        traces.shuffle(&mut rng);
        holds.shuffle(&mut rng);
        audit.shuffle(&mut rng);
        assert_eq!(
            plan(&rules, &accounts, traces, &holds, audit, now),
            reference
        );
    }
    let summary = reference.summary();
    assert_eq!(summary.items, 12);
    assert_eq!(summary.of(ActionKind::MarkInactive).items, 3);
    assert_eq!(summary.of(ActionKind::DeleteTraces).records, 30);
    assert_eq!(summary.of(ActionKind::DeleteAuditEntries).records, 12);
    // Overdue on 2025-10-01: everything due before 2025-09-01 (deadline passed):
    // reminder, erasure, the three mark-inactive, both trace days, one audit day.
    assert_eq!(summary.overdue, 8);
    assert_eq!(summary.of(ActionKind::EraseAccount).overdue, 1);
    assert_eq!(summary.of(ActionKind::DeleteTraces).overdue, 2);
    assert_eq!(summary.of(ActionKind::ReleaseHold).overdue, 0);
    assert_eq!(summary.of(ActionKind::Reactivate).overdue, 0);
    assert_eq!(reference.overdue().count(), 8);
}

#[test]
fn pol_33_plan_over_100_000_accounts_and_a_million_traces() {
    let rules = RetentionRules::default();
    let now = t("2026-11-25 02:00");
    let mut accounts = Vec::with_capacity(100_000);
    for i in 0..100_000u32 {
        let minutes = i64::from(i % 1440);
        let reference = format!("p-{i:06}");
        let facts = match i % 4 {
            // Logged in within 18 months.
            0 => account(
                &reference,
                t("2025-10-01 00:00") + Duration::minutes(minutes),
                AccountStatus::Active,
                None,
            ),
            // 20 months idle, still active: mark inactive.
            1 => account(
                &reference,
                t("2025-03-20 00:00") + Duration::minutes(minutes),
                AccountStatus::Active,
                None,
            ),
            // 26 months idle, inactive, never reminded: remind.
            2 => account(
                &reference,
                t("2024-09-20 00:00") + Duration::minutes(minutes),
                AccountStatus::Inactive,
                None,
            ),
            // Reminded 4 months ago, no answer: erase.
            _ => account(
                &reference,
                t("2024-01-10 00:00") + Duration::minutes(minutes),
                AccountStatus::Reminded,
                Some(t("2026-07-20 02:00")),
            ),
        };
        accounts.push(facts);
    }
    // 2,500 traces a day for 400 days: 1,000,000 traces.
    let traces: Vec<DayCount> = (0..400)
        .map(|k| DayCount {
            day: d("2025-11-30") - Duration::days(k),
            count: 2_500,
        })
        .collect();
    let sweep = plan(&rules, &accounts, traces, &[], [], now);
    let summary = sweep.summary();
    assert_eq!(summary.of(ActionKind::Reactivate).items, 0);
    assert_eq!(summary.of(ActionKind::MarkInactive).items, 25_000);
    assert_eq!(summary.of(ActionKind::QueueReminder).items, 25_000);
    assert_eq!(summary.of(ActionKind::EraseAccount).items, 25_000);
    // At 2026-11-25, traces recorded up to 2025-10-25 are past 13 months; the
    // 36 days from 2025-10-26 to 2025-11-30 are not.
    let expired_days = 400 - 36;
    assert_eq!(summary.of(ActionKind::DeleteTraces).items, expired_days);
    assert_eq!(
        summary.of(ActionKind::DeleteTraces).records,
        expired_days * 2_500
    );
    assert_eq!(summary.items, 75_000 + expired_days);
    assert!(sweep.items.windows(2).all(|pair| (
        pair[0].action.kind(),
        pair[0].due_since,
        &pair[0].subject
    ) <= (
        pair[1].action.kind(),
        pair[1].due_since,
        &pair[1].subject
    )));
}

#[test]
fn pol_33_plan_never_panics_on_extreme_rules() {
    let (accounts, traces, holds, audit) = mixed_inputs();
    let zero = RetentionRules {
        inactive_after_months: 0,
        reminder_after_months: 0,
        erase_after_reminder_months: 0,
        technical_traces_months: 0,
        audit_months: 0,
        payment_hold_years: 0,
        invoice_hold_years: 0,
        execution_grace_days: 0,
    };
    let huge = RetentionRules {
        inactive_after_months: u32::MAX,
        reminder_after_months: u32::MAX,
        erase_after_reminder_months: u32::MAX,
        technical_traces_months: u32::MAX,
        audit_months: u32::MAX,
        payment_hold_years: u32::MAX,
        invoice_hold_years: u32::MAX,
        execution_grace_days: u32::MAX,
    };
    for rules in [zero, huge] {
        assert!(rules.validate().is_err());
        let now = t("2025-10-01 03:00");
        let _ = plan(
            &rules,
            &accounts,
            traces.clone(),
            &holds,
            audit.clone(),
            now,
        );
        let _ = rules.cutoffs(now);
        let _ = rules.hold_until(HoldBasis::PaymentAndInvoice, now);
    }
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

#[test]
fn pol_29_to_pol_33_default_rules_and_their_entries() {
    let rules = RetentionRules::default();
    assert_eq!(rules.validate(), Ok(()));
    let entries: Vec<(&str, u32, Unit, &str)> = rules
        .entries()
        .iter()
        .map(|e| (e.key, e.value, e.unit, e.rule_id))
        .collect();
    assert_eq!(
        entries,
        vec![
            ("inactive_after_months", 18, Unit::Months, "POL-29"),
            ("reminder_after_months", 24, Unit::Months, "POL-30"),
            ("erase_after_reminder_months", 3, Unit::Months, "POL-30"),
            ("technical_traces_months", 13, Unit::Months, "POL-32"),
            ("audit_months", 12, Unit::Months, "POL-21"),
            ("payment_hold_years", 6, Unit::Years, "POL-25a"),
            ("invoice_hold_years", 7, Unit::Years, "POL-31"),
            ("execution_grace_days", 30, Unit::Days, "POL-33"),
        ]
    );
    // Every entry's bounds are the ones `set` enforces.
    // (Inactivity at its maximum, or the reminder at its minimum, also needs the
    // other rule moved: the reminder comes after inactivity.)
    let base = RetentionRules {
        inactive_after_months: 6,
        reminder_after_months: 60,
        ..RetentionRules::default()
    };
    for entry in rules.entries() {
        let set = |value| base.clone().set(entry.key, value);
        if entry.key != "reminder_after_months" {
            assert_eq!(set(entry.minimum), Ok(()), "{} min", entry.key);
        }
        assert!(set(entry.minimum - 1).is_err(), "{} min-1", entry.key);
        if entry.key != "inactive_after_months" {
            assert_eq!(set(entry.maximum), Ok(()), "{} max", entry.key);
        }
        assert!(set(entry.maximum + 1).is_err(), "{} max+1", entry.key);
    }
}

#[test]
fn pol_29_to_pol_33_rules_validation_errors_have_stable_codes() {
    let with = |key: &str, value: u32| {
        let mut rules = RetentionRules::default();
        match key {
            "inactive_after_months" => rules.inactive_after_months = value,
            "reminder_after_months" => rules.reminder_after_months = value,
            "erase_after_reminder_months" => rules.erase_after_reminder_months = value,
            "technical_traces_months" => rules.technical_traces_months = value,
            "audit_months" => rules.audit_months = value,
            "payment_hold_years" => rules.payment_hold_years = value,
            "invoice_hold_years" => rules.invoice_hold_years = value,
            "execution_grace_days" => rules.execution_grace_days = value,
            _ => unreachable!(),
        }
        rules.validate()
    };
    let table: [(&str, u32, Option<&str>); 22] = [
        ("inactive_after_months", 0, Some("retention_zero")),
        ("reminder_after_months", 0, Some("retention_zero")),
        ("erase_after_reminder_months", 0, Some("retention_zero")),
        ("technical_traces_months", 0, Some("retention_zero")),
        ("audit_months", 0, Some("retention_zero")),
        ("execution_grace_days", 0, Some("retention_zero")),
        (
            "inactive_after_months",
            24,
            Some("retention_reminder_not_after_inactive"),
        ),
        ("inactive_after_months", 23, None),
        (
            "reminder_after_months",
            18,
            Some("retention_reminder_not_after_inactive"),
        ),
        ("reminder_after_months", 36, None),
        ("reminder_after_months", 121, Some("retention_too_long")),
        ("erase_after_reminder_months", 1, None),
        (
            "technical_traces_months",
            14,
            Some("retention_above_policy_maximum"),
        ),
        ("technical_traces_months", 6, None),
        ("audit_months", 13, Some("retention_above_policy_maximum")),
        ("audit_months", 6, None),
        (
            "execution_grace_days",
            31,
            Some("retention_above_policy_maximum"),
        ),
        ("execution_grace_days", 7, None),
        (
            "payment_hold_years",
            5,
            Some("retention_below_legal_minimum"),
        ),
        ("payment_hold_years", 10, None),
        (
            "invoice_hold_years",
            6,
            Some("retention_below_legal_minimum"),
        ),
        ("invoice_hold_years", 31, Some("retention_too_long")),
    ];
    for (key, value, code) in table {
        assert_eq!(
            with(key, value).err().map(|e| e.code().as_str()),
            code,
            "{key} = {value}"
        );
    }
    assert_eq!(
        with("technical_traces_months", 14),
        Err(RulesError::AbovePolicyMaximum {
            key: "technical_traces_months",
            value: 14,
            maximum: 13,
            rule_id: "POL-32",
        })
    );
    let message = with("invoice_hold_years", 6).unwrap_err().to_string();
    assert_eq!(
        message,
        "invoice_hold_years is 6, below the legal minimum of 7 (POL-31)"
    );
    assert_eq!(
        with("inactive_after_months", 30).unwrap_err().to_string(),
        "the reminder (24 months) must come after inactivity (30 months) (POL-29, POL-30)"
    );
}

#[test]
fn pol_29_to_pol_33_set_changes_one_rule_or_nothing() {
    let mut rules = RetentionRules::default();
    assert_eq!(rules.set("audit_months", 6), Ok(()));
    assert_eq!(rules.audit_months, 6);
    let before = rules.clone();
    let error = rules.set("audit_months", 13).unwrap_err();
    assert_eq!(error.code(), "retention_above_policy_maximum");
    assert_eq!(rules, before, "a refused value changes nothing");
    let error = rules.set("nom", 3).unwrap_err();
    assert_eq!(error.code(), "retention_unknown_key");
    assert_eq!(error.to_string(), "unknown retention rule nom");
    // Linked rules move in the right order.
    assert_eq!(
        rules.set("inactive_after_months", 30).unwrap_err().code(),
        "retention_reminder_not_after_inactive"
    );
    rules.set("reminder_after_months", 36).unwrap();
    rules.set("inactive_after_months", 30).unwrap();
    assert_eq!(
        (rules.inactive_after_months, rules.reminder_after_months),
        (30, 36)
    );
}

#[test]
fn pol_29_to_pol_33_rules_serde_round_trip_and_defaults_for_missing_fields() {
    let rules = RetentionRules {
        audit_months: 6,
        ..RetentionRules::default()
    };
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(
        serde_json::from_str::<RetentionRules>(&json).unwrap(),
        rules
    );
    let partial: RetentionRules = serde_json::from_str(r#"{"audit_months": 6}"#).unwrap();
    assert_eq!(partial, rules);
    let empty: RetentionRules = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, RetentionRules::default());
    assert_eq!(
        serde_json::to_value(Action::DeleteTraces { count: 5 }).unwrap(),
        serde_json::json!({"kind": "delete_traces", "count": 5})
    );
    for status in [
        AccountStatus::Active,
        AccountStatus::Inactive,
        AccountStatus::Reminded,
    ] {
        assert_eq!(AccountStatus::parse(status.as_str()), Some(status));
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            serde_json::json!(status.as_str())
        );
    }
    assert_eq!(AccountStatus::parse("closed"), None);
}

// ---------------------------------------------------------------------------
// Quarterly report (POL-33)
// ---------------------------------------------------------------------------

#[test]
fn pol_33_quarter_boundaries() {
    let table = [
        ("2026-01-01", 2026, 1, "2026-01-01", "2026-03-31"),
        ("2026-03-31", 2026, 1, "2026-01-01", "2026-03-31"),
        ("2026-04-01", 2026, 2, "2026-04-01", "2026-06-30"),
        ("2026-06-30", 2026, 2, "2026-04-01", "2026-06-30"),
        ("2026-07-01", 2026, 3, "2026-07-01", "2026-09-30"),
        ("2026-09-30", 2026, 3, "2026-07-01", "2026-09-30"),
        ("2026-10-01", 2026, 4, "2026-10-01", "2026-12-31"),
        ("2026-12-31", 2026, 4, "2026-10-01", "2026-12-31"),
        ("2024-02-29", 2024, 1, "2024-01-01", "2024-03-31"),
    ];
    for (day, year, q, start, end) in table {
        let quarter = quarter_of(d(day));
        assert_eq!(
            (quarter.year, quarter.q, quarter.start, quarter.end),
            (year, q, d(start), d(end)),
            "{day}"
        );
        assert!(quarter.contains(d(day)));
        assert!(!quarter.contains(quarter.end + Duration::days(1)));
        assert!(!quarter.contains(quarter.start - Duration::days(1)));
    }
    let q4 = quarter_of(d("2026-11-25"));
    assert_eq!(q4.label_fr(), "T4 2026");
    assert_eq!(q4.next().label_fr(), "T1 2027");
    assert_eq!(q4.next().previous(), q4);
    assert_eq!(quarter_of(d("2027-01-05")).previous(), q4);
}

fn sample_report(subject: &str, with_overdue: bool) -> QuarterlyReport {
    let rules = RetentionRules::default();
    let q4 = quarter_of(d("2026-12-01"));
    let on_time = PlanItem {
        action: Action::EraseAccount,
        subject: subject.to_owned(),
        due_since: d("2026-10-15"),
        deadline: d("2026-11-14"),
        overdue: false,
    };
    let traces = PlanItem {
        action: Action::DeleteTraces { count: 2500 },
        subject: "technical_traces:2025-09-01".into(),
        due_since: d("2026-10-01"),
        deadline: d("2026-10-31"),
        overdue: false,
    };
    let executed = vec![
        on_time.executed(t("2026-10-16 02:00")),
        traces.executed(t("2026-11-03 02:00")), // late: after 2026-10-31
        // Executed in the previous quarter: not in this report.
        traces.executed(t("2026-09-30 23:59")),
    ];
    let accounts = if with_overdue {
        vec![account(
            subject,
            t("2024-01-31 10:00"),
            AccountStatus::Inactive,
            None,
        )]
    } else {
        vec![]
    };
    let pending = plan(&rules, &accounts, [], &[], [], t("2027-01-02 08:00"));
    QuarterlyReport::new(q4, t("2027-01-02 08:00"), executed, &pending, rules)
}

#[test]
fn pol_33_report_keeps_the_quarter_and_marks_late_items() {
    let report = sample_report("p-0001", true);
    assert_eq!(report.executed.len(), 2);
    assert_eq!(report.late().count(), 1);
    assert_eq!(
        report.late().next().unwrap().action.kind(),
        ActionKind::DeleteTraces
    );
    assert_eq!(report.overdue.len(), 1);
    assert_eq!(report.overdue[0].action, Action::QueueReminder);
    let counts = report.executed_counts();
    assert_eq!(counts[&ActionKind::DeleteTraces].records, 2500);
    assert_eq!(counts[&ActionKind::DeleteTraces].overdue, 1);
    assert_eq!(counts[&ActionKind::EraseAccount].items, 1);
    let late = ExecutedItem {
        action: Action::MarkInactive,
        subject: "p".into(),
        executed_at: t("2026-11-15 00:00"),
        due_since: d("2026-10-15"),
        deadline: d("2026-11-14"),
    };
    assert!(late.late());
    assert!(!ExecutedItem {
        executed_at: t("2026-11-14 23:59"),
        ..late
    }
    .late());
}

#[test]
fn pol_33_report_csv_for_french_excel() {
    let report = sample_report("=p-0001", true);
    let csv = report.to_csv();
    assert!(csv.starts_with('\u{feff}'), "byte-order mark");
    assert!(csv.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]));
    let body = &csv['\u{feff}'.len_utf8()..];
    assert!(body.ends_with("\r\n"));
    assert_eq!(
        body.matches('\n').count(),
        body.matches("\r\n").count(),
        "CRLF only"
    );
    let lines: Vec<&str> = body.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(
        lines[0],
        "\"status\";\"action\";\"rule\";\"subject\";\"records\";\"due_since\";\"deadline\";\"executed_at\";\"late\""
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "\"executed\";\"erase_account\";\"POL-30\";\"'=p-0001\";\"1\";\"2026-10-15\";\"2026-11-14\";\"2026-10-16T02:00:00Z\";\"no\""
    );
    assert_eq!(
        lines[2],
        "\"executed\";\"delete_traces\";\"POL-32\";\"technical_traces:2025-09-01\";\"2500\";\"2026-10-01\";\"2026-10-31\";\"2026-11-03T02:00:00Z\";\"yes\""
    );
    assert_eq!(
        lines[3],
        "\"overdue\";\"queue_reminder\";\"POL-30\";\"'=p-0001\";\"1\";\"2026-01-31\";\"2026-03-02\";\"\";\"yes\""
    );
    for line in &lines {
        assert_eq!(line.split("\";\"").count(), 9, "{line}");
    }
}

#[test]
fn pol_33_report_html_in_french_with_every_text_escaped() {
    let subject = "<script>alert('x')</script>&\"";
    let report = sample_report(subject, true);
    let html = report.to_html_fr();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("<title>Rapport trimestriel de conservation — T4 2026</title>"));
    assert!(html.contains("<h1>Rapport trimestriel de conservation — T4 2026</h1>"));
    assert!(html.contains("<style>"), "inline CSS");
    assert!(!html.contains("<link"), "self-contained");
    assert!(!html.contains("<script>"), "subject escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
    for section in [
        "Règles appliquées",
        "Suppressions effectuées",
        "Éléments en retard",
    ] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    assert!(html.contains("dans les 30 jours (POL-33)"));
    assert!(html.contains("Période du 01/10/2026 au 31/12/2026"));
    assert!(html.contains("POL-32") && html.contains("13 mois"));
    assert!(html.contains("7 ans"));
    assert!(html.contains("class=\"late\""));
    assert!(html.contains("en retard"));
    assert!(html.contains("Suppression définitive de compte"));
    assert!(!html.contains("Aucun élément en retard"));

    let clean = sample_report("p-0002", false);
    let html = clean.to_html_fr();
    assert!(html.contains("Aucun élément en retard."));
    assert!(html.contains("p-0002"));
}

#[test]
fn pol_33_report_with_nothing_executed() {
    let rules = RetentionRules::default();
    let empty_plan = plan(&rules, &[], [], &[], [], t("2026-04-01 00:00"));
    let report = QuarterlyReport::new(
        quarter_of(d("2026-03-01")),
        t("2026-04-01 06:00"),
        Vec::<ExecutedItem>::new(),
        &empty_plan,
        rules,
    );
    let html = report.to_html_fr();
    assert!(html.contains("Aucune opération effectuée ce trimestre."));
    assert!(html.contains("Aucun élément en retard."));
    assert!(html.contains("T1 2026"));
    let csv = report.to_csv();
    assert_eq!(csv.matches("\r\n").count(), 1, "header only");
}
