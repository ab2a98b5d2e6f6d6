//! Importing videoconference reports (POL-4, DC-7): matched by e-mail, times
//! stored in UTC, all or nothing, unmatched rows kept for the office.

mod common;

use common::{demo, now, Fixture};
use diesel::prelude::*;
use store::import::{import_report, resolve_unmatched, unmatched_rows};
use store::schema::{
    attendance, enrolments, import_unmatched, participants, questions, sessions, workshop_groups,
};

/// A past session of trainer A's first group, and two of its participants' e-mails.
fn session_and_emails(f: &mut Fixture) -> (String, Vec<(String, String)>) {
    let a = f.actor("formatrice.a");
    let conn = f.store.connection();
    let (session, group): (String, String) = sessions::table
        .inner_join(workshop_groups::table)
        .filter(workshop_groups::trainer_id.eq(a.staff_id.as_str()))
        .order(sessions::starts_at)
        .select((sessions::id, sessions::group_id))
        .first(conn)
        .unwrap();
    let people: Vec<(String, String)> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("confirmed"))
        .select((participants::id, participants::email))
        .limit(2)
        .load(conn)
        .unwrap();
    (session, people)
}

fn zoom_report(emails: &[&str]) -> String {
    let mut text = String::from(
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
         851 1234 5678,Atelier test,11/04/2026 06:30:00 PM,11/04/2026 08:00:00 PM,hote@example.test,90,3\n\n\
         Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n",
    );
    for (i, email) in emails.iter().enumerate() {
        text.push_str(&format!(
            "Personne Fictive {i},{email},11/04/2026 06:3{i}:00 PM,11/04/2026 07:59:00 PM,88,No\n"
        ));
    }
    text
}

fn counts(f: &mut Fixture) -> (i64, i64, i64) {
    let conn = f.store.connection();
    (
        attendance::table.count().get_result(conn).unwrap(),
        questions::table.count().get_result(conn).unwrap(),
        import_unmatched::table.count().get_result(conn).unwrap(),
    )
}

#[test]
fn pol_4_zoom_report_is_matched_by_email_and_stored_in_utc() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let (session, people) = session_and_emails(&mut f);
    let upper = people[1].1.to_uppercase();
    let report = zoom_report(&[&people[0].1, &upper, "inconnu.fictif@example.test"]);
    let before = counts(&mut f);
    let summary = import_report(
        f.store.connection(),
        &admin,
        &session,
        report.as_bytes(),
        chrono_tz::Europe::Paris,
        false,
        now(),
    )
    .unwrap();
    assert_eq!(
        (summary.rows, summary.matched, summary.unmatched.len()),
        (3, 2, 1)
    );
    assert_eq!(summary.unmatched[0].line, 7, "the line in the file");
    let after = counts(&mut f);
    assert_eq!(after.0, before.0 + 2);
    assert_eq!(after.2, before.2 + 1);
    // 18:30 in Paris on 4 November (UTC+1) is 17:30 UTC.
    let joined: chrono::NaiveDateTime = attendance::table
        .filter(attendance::session_id.eq(&session))
        .filter(attendance::participant_id.eq(&people[0].0))
        .order(attendance::joined_at.desc())
        .select(attendance::joined_at)
        .first(f.store.connection())
        .unwrap();
    assert_eq!(joined.to_string(), "2026-11-04 17:30:00");

    // The same file again adds nothing twice.
    let again = import_report(
        f.store.connection(),
        &admin,
        &session,
        report.as_bytes(),
        chrono_tz::Europe::Paris,
        false,
        now(),
    )
    .unwrap();
    assert_eq!((again.matched, again.duplicates), (0, 2));
    assert_eq!(counts(&mut f).0, after.0);

    // The unknown person is resolved by hand to a participant, or discarded.
    let waiting = unmatched_rows(f.store.connection(), &admin, &session, now()).unwrap();
    assert_eq!(waiting.len(), 2, "one per import of the file");
    resolve_unmatched(
        f.store.connection(),
        &admin,
        &waiting[0].id,
        Some(&people[1].0),
        now(),
    )
    .unwrap();
    resolve_unmatched(f.store.connection(), &admin, &waiting[1].id, None, now()).unwrap();
    assert!(
        unmatched_rows(f.store.connection(), &admin, &session, now())
            .unwrap()
            .is_empty()
    );
    assert_eq!(counts(&mut f).0, after.0 + 1);
}

#[test]
fn pol_4_a_malformed_file_names_the_line_and_imports_nothing() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let (session, people) = session_and_emails(&mut f);
    let mut report = zoom_report(&[&people[0].1, &people[1].1]);
    report.push_str(
        "Personne Fictive 9,autre.fictif@example.test,pas une date,11/04/2026 07:59:00 PM,88,No\n",
    );
    let before = counts(&mut f);
    let error = import_report(
        f.store.connection(),
        &admin,
        &session,
        report.as_bytes(),
        chrono_tz::Europe::Paris,
        false,
        now(),
    )
    .unwrap_err();
    assert_eq!(error.code(), "invalid_input");
    let message = error.to_string();
    // The line travels as a detail (`line`), which the window words.
    assert_eq!(
        error.details().get("line").map(String::as_str),
        Some("7"),
        "names the line: {message}"
    );
    assert!(
        !message.contains("autre.fictif") && !message.contains("Personne"),
        "no cell content: {message}"
    );
    assert_eq!(counts(&mut f), before, "nothing imported");
}

#[test]
fn pol_4_questions_report_is_imported_for_the_matched_people() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let (session, people) = session_and_emails(&mut f);
    let report = format!(
        "name,email,asked_at,question\nPersonne Fictive,{},2026-11-04 18:45,Comment parler des écrans ?\n",
        people[0].1
    );
    let before = counts(&mut f);
    let summary = import_report(
        f.store.connection(),
        &admin,
        &session,
        report.as_bytes(),
        chrono_tz::Europe::Paris,
        false,
        now(),
    )
    .unwrap();
    assert_eq!((summary.kind.as_str(), summary.matched), ("questions", 1));
    assert_eq!(counts(&mut f).1, before.1 + 1);
}

#[test]
fn role_1_a_trainer_imports_only_into_their_own_sessions() {
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let b = f.actor("formateur.b");
    let (session, people) = session_and_emails(&mut f);
    let report = zoom_report(&[&people[0].1]);
    let error = import_report(
        f.store.connection(),
        &b,
        &session,
        report.as_bytes(),
        chrono_tz::Europe::Paris,
        false,
        now(),
    )
    .unwrap_err();
    assert_eq!(error.code(), "not_permitted");
    let summary = import_report(
        f.store.connection(),
        &a,
        &session,
        report.as_bytes(),
        chrono_tz::Europe::Paris,
        false,
        now(),
    )
    .unwrap();
    assert_eq!(summary.matched, 1);
    // External trainers and support do not import.
    for who in ["intervenant.x", "support"] {
        let actor = f.actor(who);
        let error = import_report(
            f.store.connection(),
            &actor,
            &session,
            report.as_bytes(),
            chrono_tz::Europe::Paris,
            false,
            now(),
        )
        .unwrap_err();
        assert_eq!(error.code(), "not_permitted", "{who}");
    }
}
