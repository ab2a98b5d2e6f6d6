//! POL-4 (webinar participation imported from the provider's reports), DC-7 (imports
//! from a file), POL-22 (no personal data in error messages, which may reach the logs).
//!
//! Fixtures under `fixtures/import/` hold fictional people only (@example.test).

use chrono::{DateTime, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Paris;
use domain::attendance_import::{
    parse_report, parse_report_with, AttendanceRow, ImportError, ImportOptions, MeetingInfo,
    Parsed, QuestionRow, ReportKind, SlashDateOrder,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn utc(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

fn stay(line: usize, name: &str, email: &str, joined: &str, left: &str) -> AttendanceRow {
    AttendanceRow {
        line,
        name: name.to_owned(),
        email: email.to_owned(),
        joined_at: utc(joined),
        left_at: utc(left),
        in_waiting_room: false,
    }
}

fn question(line: usize, name: &str, email: &str, asked: &str, text: &str) -> QuestionRow {
    QuestionRow {
        line,
        name: name.to_owned(),
        email: email.to_owned(),
        asked_at: utc(asked),
        text: text.to_owned(),
    }
}

fn attendance(parsed: Parsed) -> (ReportKind, Option<MeetingInfo>, Vec<AttendanceRow>) {
    match parsed {
        Parsed::Attendance {
            kind,
            meeting,
            rows,
        } => (kind, meeting, rows),
        other => panic!("expected attendance, got {other:?}"),
    }
}

fn questions(parsed: Parsed) -> (ReportKind, Vec<QuestionRow>) {
    match parsed {
        Parsed::Questions { kind, rows } => (kind, rows),
        other => panic!("expected questions, got {other:?}"),
    }
}

fn err(bytes: &[u8]) -> ImportError {
    match parse_report(bytes, Paris) {
        Err(e) => e,
        Ok(parsed) => panic!("expected an error, got {parsed:?}"),
    }
}

// ---------------------------------------------------------------------------
// Zoom participant report
// ---------------------------------------------------------------------------

#[test]
fn pol_4_zoom_participant_report_times_are_stored_utc() {
    // 4 November 2026: Paris is on winter time, UTC+1.
    let parsed = parse_report(&fixture("zoom_participants_meeting.csv"), Paris).unwrap();
    assert_eq!(parsed.kind(), ReportKind::ZoomParticipants);
    let (_, meeting, rows) = attendance(parsed);
    assert_eq!(
        meeting,
        Some(MeetingInfo {
            meeting_id: Some("851 1234 5678".into()),
            topic: Some("Atelier Groupe A".into()),
            starts_at: Some(utc("2026-11-04T09:30:12Z")),
            ends_at: Some(utc("2026-11-04T11:01:40Z")),
        })
    );
    let waiting = AttendanceRow {
        in_waiting_room: true,
        ..stay(
            6,
            "Lucien Exemple (Lulu)",
            "lucien.exemple.01@example.test",
            "2026-11-04T09:29:45Z",
            "2026-11-04T09:31:00Z",
        )
    };
    assert_eq!(
        rows,
        vec![
            stay(
                5,
                "Camille Fictif",
                "camille.fictif.00@example.test",
                "2026-11-04T09:31:02Z",
                "2026-11-04T10:02:10Z"
            ),
            waiting,
            stay(
                7,
                "Lucien Exemple (Lulu)",
                "lucien.exemple.01@example.test",
                "2026-11-04T09:31:00Z",
                "2026-11-04T11:00:00Z"
            ),
            stay(
                8,
                "Camille Fictif",
                "camille.fictif.00@example.test",
                "2026-11-04T10:05:30Z",
                "2026-11-04T11:01:40Z"
            ),
            stay(
                9,
                "Essai, appel téléphonique",
                "",
                "2026-11-04T09:45:00Z",
                "2026-11-04T10:15:00Z"
            ),
        ]
    );
}

#[test]
fn pol_4_zoom_rejoin_rows_are_all_kept() {
    let (_, _, rows) =
        attendance(parse_report(&fixture("zoom_participants_meeting.csv"), Paris).unwrap());
    let camille: Vec<(usize, DateTime<Utc>, DateTime<Utc>)> = rows
        .iter()
        .filter(|r| r.email == "camille.fictif.00@example.test")
        .map(|r| (r.line, r.joined_at, r.left_at))
        .collect();
    assert_eq!(
        camille,
        vec![
            (5, utc("2026-11-04T09:31:02Z"), utc("2026-11-04T10:02:10Z")),
            (8, utc("2026-11-04T10:05:30Z"), utc("2026-11-04T11:01:40Z")),
        ]
    );
    assert_eq!(
        rows.iter().filter(|r| r.name.starts_with("Lucien")).count(),
        2
    );
}

#[test]
fn pol_4_zoom_meeting_block_is_not_kept_with_the_host_email() {
    let parsed = parse_report(&fixture("zoom_participants_meeting.csv"), Paris).unwrap();
    let debug = format!("{parsed:?}");
    assert!(!debug.contains("animatrice.essai"), "{debug}");
}

#[test]
fn pol_4_zoom_current_export_with_bom_crlf_and_summer_time() {
    // 18 June 2026: Paris is on summer time, UTC+2. The file has a BOM, CRLF line ends,
    // the current header spellings and a row of empty cells between the blocks.
    let bytes = fixture("zoom_participants_current.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    let (kind, meeting, rows) = attendance(parse_report(&bytes, Paris).unwrap());
    assert_eq!(kind, ReportKind::ZoomParticipants);
    assert_eq!(
        meeting,
        Some(MeetingInfo {
            meeting_id: Some("912 3456 7890".into()),
            topic: Some("Webinaire Sommeil de l'enfant".into()),
            starts_at: Some(utc("2026-06-18T16:58:03Z")),
            ends_at: Some(utc("2026-06-18T17:59:40Z")),
        })
    );
    assert_eq!(
        rows,
        vec![
            stay(
                5,
                "Mathilde Modèle",
                "mathilde.modele.02@example.test",
                "2026-06-18T16:59:10Z",
                "2026-06-18T17:59:40Z"
            ),
            stay(
                6,
                "Hugo Fictif",
                "",
                "2026-06-18T17:02:00Z",
                "2026-06-18T17:30:00Z"
            ),
        ]
    );
}

#[test]
fn pol_4_zoom_table_without_meeting_block_semicolons_new_york() {
    // New York: UTC-5 in January, UTC-4 in July.
    let (kind, meeting, rows) =
        attendance(parse_report(&fixture("zoom_table_only_new_york.csv"), New_York).unwrap());
    assert_eq!(kind, ReportKind::ZoomParticipants);
    assert_eq!(meeting, None);
    assert_eq!(
        rows,
        vec![
            stay(
                2,
                "Rose Exemple",
                "rose.exemple.03@example.test",
                "2026-01-16T00:00:05Z",
                "2026-01-16T01:30:00Z"
            ),
            stay(
                3,
                "Paul Essai; parent",
                "paul.essai.04@example.test",
                "2026-07-15T23:00:00Z",
                "2026-07-15T23:45:30Z"
            ),
        ]
    );
}

#[test]
fn pol_4_zoom_lf_fixture_reads_the_same_with_crlf_and_bom() {
    let lf = fixture("zoom_participants_meeting.csv");
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    crlf.extend(
        String::from_utf8(lf.clone())
            .unwrap()
            .replace('\n', "\r\n")
            .into_bytes(),
    );
    assert_eq!(
        parse_report(&crlf, Paris).unwrap(),
        parse_report(&lf, Paris).unwrap()
    );
}

#[test]
fn pol_4_zoom_header_variants_are_matched_case_insensitively() {
    let rows_of = |header: &str| {
        let text = format!(
            "{header}\nCamille Fictif,camille.fictif.00@example.test,11/04/2026 10:31:02 AM,11/04/2026 12:00:00 PM\n"
        );
        let (kind, _, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
        assert_eq!(kind, ReportKind::ZoomParticipants, "{header}");
        rows
    };
    let want = vec![stay(
        2,
        "Camille Fictif",
        "camille.fictif.00@example.test",
        "2026-11-04T09:31:02Z",
        "2026-11-04T11:00:00Z",
    )];
    for header in [
        "Name (Original Name),User Email,Join Time,Leave Time",
        "Name (original name),Email,Join time,Leave time",
        "Participant,Email,Join time,Leave time",
        "NAME (ORIGINAL NAME), user  email ,JOIN TIME,leave time",
        "User Name (Original Name),Email,Join Time,Leave Time",
    ] {
        assert_eq!(rows_of(header), want, "{header}");
    }
    // Unknown columns, in any place, are ignored.
    let text = "Guest,Participant,Country,Email,Join time,Leave time,Duration (minutes)\n\
                Yes,Camille Fictif,France,camille.fictif.00@example.test,11/04/2026 10:31:02 AM,11/04/2026 12:00:00 PM,89\n";
    let (_, _, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
    assert_eq!(rows, want);
}

#[test]
fn pol_4_zoom_time_spellings_are_all_read() {
    for cell in [
        "11/04/2026 10:31:02 AM",
        "11/4/2026 10:31:02 am",
        "11/04/2026 10:31:02",
        "2026-11-04 10:31:02",
        "Nov 4, 2026 10:31:02",
        "2026-11-04T09:31:02Z",
    ] {
        let text = format!(
            "Name (Original Name),User Email,Join Time,Leave Time\nCamille Fictif,,\"{cell}\",11/04/2026 12:00:00 PM\n"
        );
        let (_, _, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
        assert_eq!(rows[0].joined_at, utc("2026-11-04T09:31:02Z"), "{cell}");
    }
}

#[test]
fn pol_4_zoom_day_first_dates_are_read_when_asked() {
    let text = "Name (Original Name),User Email,Join Time,Leave Time\n\
                Camille Fictif,,13/04/2026 10:31:02,13/04/2026 12:00:00\n";
    let options = ImportOptions {
        slash_dates: SlashDateOrder::DayFirst,
        ..ImportOptions::new(Paris)
    };
    let (_, _, rows) = attendance(parse_report_with(text.as_bytes(), &options).unwrap());
    // 13 April 2026: summer time, UTC+2.
    assert_eq!(rows[0].joined_at, utc("2026-04-13T08:31:02Z"));
    assert_eq!(rows[0].left_at, utc("2026-04-13T10:00:00Z"));
    // Month first (the default, as Zoom writes them), the 13th month is refused.
    let e = err(text.as_bytes());
    assert_eq!(e.line, 2);
    assert!(e.problem.contains("\"Join Time\""), "{e}");
    assert!(e.problem.contains("MM/DD/YYYY"), "{e}");
}

// ---------------------------------------------------------------------------
// Plain attendance CSV
// ---------------------------------------------------------------------------

#[test]
fn pol_4_plain_attendance_iso_times_and_offsets_are_stored_utc() {
    let (kind, meeting, rows) =
        attendance(parse_report(&fixture("plain_attendance.csv"), Paris).unwrap());
    assert_eq!(kind, ReportKind::PlainAttendance);
    assert_eq!(meeting, None);
    assert_eq!(
        rows,
        vec![
            stay(
                2,
                "Camille Fictif",
                "camille.fictif.00@example.test",
                "2026-11-04T09:31:02Z",
                "2026-11-04T11:00:00Z"
            ),
            stay(
                3,
                "Camille Fictif",
                "camille.fictif.00@example.test",
                "2026-11-04T11:10:00Z",
                "2026-11-04T11:30:00Z"
            ),
            // Explicit offsets win over the zone: Z, then +02:00.
            stay(
                4,
                "Lucien Exemple",
                "lucien.exemple.01@example.test",
                "2026-11-04T09:31:02Z",
                "2026-11-04T10:00:00Z"
            ),
        ]
    );
}

#[test]
fn pol_4_plain_attendance_french_headers_semicolons_bom_crlf() {
    // 2 July 2026: summer time, UTC+2.
    let (kind, _, rows) =
        attendance(parse_report(&fixture("plain_attendance_fr.csv"), Paris).unwrap());
    assert_eq!(kind, ReportKind::PlainAttendance);
    assert_eq!(
        rows,
        vec![
            stay(
                2,
                "Fictif; Camille",
                "camille.fictif.00@example.test",
                "2026-07-02T16:00:00Z",
                "2026-07-02T17:30:00Z"
            ),
            stay(
                3,
                "Exemple Lucien",
                "",
                "2026-07-02T16:05:00Z",
                "2026-07-02T17:00:00Z"
            ),
        ]
    );
}

#[test]
fn pol_4_plain_attendance_other_french_spellings() {
    for header in [
        "nom,e-mail,arrivee,depart",
        "Nom,Email,Arrivée,Départ",
        "NOM,COURRIEL,ARRIVÉE,DÉPART",
    ] {
        let text = format!("{header}\nCamille Fictif,,2026-11-04T10:31:02,2026-11-04T12:00:00\n");
        let (kind, _, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
        assert_eq!(kind, ReportKind::PlainAttendance, "{header}");
        assert_eq!(rows[0].joined_at, utc("2026-11-04T09:31:02Z"), "{header}");
    }
}

#[test]
fn pol_4_plain_attendance_with_extra_columns_is_still_plain() {
    // A "topic" column must not make the file look like Zoom's meeting summary.
    let text = "topic,name,email,join,leave,remarque\n\
                Atelier,Camille Fictif,,2026-11-04T10:31:02,2026-11-04T12:00:00,\n";
    let (kind, meeting, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
    assert_eq!(kind, ReportKind::PlainAttendance);
    assert_eq!(meeting, None);
    assert_eq!(
        rows,
        vec![stay(
            2,
            "Camille Fictif",
            "",
            "2026-11-04T09:31:02Z",
            "2026-11-04T11:00:00Z"
        )]
    );
}

#[test]
fn pol_4_plain_attendance_in_new_york() {
    let text = "name,email,join,leave\n\
                Rose Exemple,rose.exemple.03@example.test,2026-11-04 10:31,2026-11-04T12:00:00\n";
    let (_, _, rows) = attendance(parse_report(text.as_bytes(), New_York).unwrap());
    // 4 November 2026: New York is back on standard time, UTC-5.
    assert_eq!(rows[0].joined_at, utc("2026-11-04T15:31:00Z"));
    assert_eq!(rows[0].left_at, utc("2026-11-04T17:00:00Z"));
}

#[test]
fn pol_4_plain_attendance_refuses_zoom_style_dates() {
    let text =
        "name,email,join,leave\nCamille Fictif,,11/04/2026 10:31:02 AM,2026-11-04T12:00:00\n";
    let e = err(text.as_bytes());
    assert_eq!(e.line, 2);
    assert!(e.problem.contains("\"join\""), "{e}");
    assert!(e.problem.contains("ISO 8601"), "{e}");
}

// ---------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------

#[test]
fn pol_4_zoom_questions_report_times_are_stored_utc() {
    let (kind, rows) = questions(parse_report(&fixture("zoom_questions.csv"), Paris).unwrap());
    assert_eq!(kind, ReportKind::ZoomQuestions);
    assert_eq!(
        rows,
        vec![
            question(
                8,
                "Camille Fictif",
                "camille.fictif.00@example.test",
                "2026-11-04T18:12:40Z",
                "Comment gérer les réveils nocturnes,\nsurtout vers 3 h ?"
            ),
            // The question on line 8 spans two lines: the next one starts on line 10.
            question(
                10,
                "Anonymous Attendee",
                "",
                "2026-11-04T18:30:00Z",
                "Faut-il une routine fixe ?"
            ),
        ]
    );
}

#[test]
fn pol_4_zoom_questions_table_alone_is_accepted() {
    let text = "#,Question,Asker Name,Asker Email,Time,Answer(s)\n\
                1,Faut-il une routine fixe ?,Rose Exemple,rose.exemple.03@example.test,2026-01-15 19:10:00,\n";
    let (kind, rows) = questions(parse_report(text.as_bytes(), New_York).unwrap());
    assert_eq!(kind, ReportKind::ZoomQuestions);
    assert_eq!(rows[0].asked_at, utc("2026-01-16T00:10:00Z"));
}

#[test]
fn pol_4_zoom_questions_without_a_time_column_are_refused() {
    // The layout without a per-question time: the time of a question cannot be invented.
    let text = "Question and Answer Report\n\
                #,Question,Asker Name,Asker Email,Answer(s)\n\
                1,Faut-il une routine fixe ?,Rose Exemple,rose.exemple.03@example.test,Live answered\n";
    let e = err(text.as_bytes());
    assert_eq!(e.line, 2);
    assert!(
        e.problem.contains("missing column \"Question Time\""),
        "{e}"
    );
}

#[test]
fn pol_4_plain_questions_times_are_stored_utc() {
    let (kind, rows) = questions(parse_report(&fixture("plain_questions.csv"), Paris).unwrap());
    assert_eq!(kind, ReportKind::PlainQuestions);
    assert_eq!(
        rows,
        vec![
            question(
                2,
                "Rose Exemple",
                "rose.exemple.03@example.test",
                "2026-11-04T18:12:40Z",
                "Et pour les siestes, même chose ?"
            ),
            question(
                3,
                "Paul Essai",
                "",
                "2026-11-04T18:20:00Z",
                "Il dit \"non\" à tout : que faire ?"
            ),
        ]
    );
}

#[test]
fn pol_4_plain_questions_french_headers() {
    let (kind, rows) = questions(parse_report(&fixture("plain_questions_fr.csv"), Paris).unwrap());
    assert_eq!(kind, ReportKind::PlainQuestions);
    assert_eq!(
        rows,
        vec![question(
            2,
            "Mathilde Modèle",
            "mathilde.modele.02@example.test",
            "2026-06-18T17:15:00Z",
            "Combien de temps d'écran par jour ?"
        )]
    );
    let text = "nom,e-mail,posee le,question\nMathilde Modèle,,2026-06-18 19:15,Une question ?\n";
    let (kind, rows) = questions(parse_report(text.as_bytes(), Paris).unwrap());
    assert_eq!(kind, ReportKind::PlainQuestions);
    assert_eq!(rows[0].asked_at, utc("2026-06-18T17:15:00Z"));
}

// ---------------------------------------------------------------------------
// E-mails, empty tables
// ---------------------------------------------------------------------------

#[test]
fn pol_4_emails_are_trimmed_and_lower_cased_and_missing_ones_reported() {
    let parsed = parse_report(&fixture("zoom_participants_meeting.csv"), Paris).unwrap();
    assert_eq!(parsed.lines_without_email(), vec![9]);
    let (_, _, rows) = attendance(parsed);
    // Line 5 is written "Camille.Fictif.00@Example.test " in the file.
    assert_eq!(rows[0].email, "camille.fictif.00@example.test");

    let parsed = parse_report(&fixture("zoom_questions.csv"), Paris).unwrap();
    assert_eq!(parsed.lines_without_email(), vec![10]);
    let (_, rows) = questions(parsed);
    assert_eq!(rows[0].email, "camille.fictif.00@example.test");
}

#[test]
fn pol_4_a_header_without_rows_gives_zero_rows() {
    for (text, kind) in [
        ("name,email,join,leave\n", ReportKind::PlainAttendance),
        (
            "nom;e-mail;arrivée;départ\r\n\r\n",
            ReportKind::PlainAttendance,
        ),
        (
            "Name (Original Name),User Email,Join Time,Leave Time\n",
            ReportKind::ZoomParticipants,
        ),
        (
            "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
             851 1234 5678,Atelier,11/04/2026 10:30:12 AM,11/04/2026 12:01:40 PM,,92,0\n\
             \n\
             Name (Original Name),User Email,Join Time,Leave Time\n",
            ReportKind::ZoomParticipants,
        ),
        ("name,email,asked_at,question", ReportKind::PlainQuestions),
        (
            "Question and Answer Report\n#,Question,Asker Name,Asker Email,Question Time\n",
            ReportKind::ZoomQuestions,
        ),
    ] {
        let parsed = parse_report(text.as_bytes(), Paris).unwrap();
        assert_eq!(parsed.kind(), kind, "{text}");
        match parsed {
            Parsed::Attendance { rows, .. } => assert!(rows.is_empty(), "{text}"),
            Parsed::Questions { rows, .. } => assert!(rows.is_empty(), "{text}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Daylight saving time
// ---------------------------------------------------------------------------

#[test]
fn pol_4_ambiguous_autumn_time_is_the_earlier_instant() {
    // Paris, 25 October 2026: 02:30 happens at 00:30Z (summer) and 01:30Z (winter).
    let text = "name,email,join,leave\n\
                Camille Fictif,,2026-10-25T02:30:00,2026-10-25T03:30:00\n";
    let (_, _, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
    assert_eq!(rows[0].joined_at, utc("2026-10-25T00:30:00Z"));
    assert_eq!(rows[0].left_at, utc("2026-10-25T02:30:00Z"));

    // New York, 1 November 2026: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    let text = "Name (Original Name),User Email,Join Time,Leave Time\n\
                Rose Exemple,,11/01/2026 01:30:00 AM,11/01/2026 02:30:00 AM\n";
    let (_, _, rows) = attendance(parse_report(text.as_bytes(), New_York).unwrap());
    assert_eq!(rows[0].joined_at, utc("2026-11-01T05:30:00Z"));
    assert_eq!(rows[0].left_at, utc("2026-11-01T07:30:00Z"));
}

#[test]
fn pol_4_time_skipped_in_spring_is_an_error_naming_the_line() {
    // Paris, 29 March 2026: clocks go from 02:00 to 03:00; 02:30 does not exist.
    let e = err(&fixture("errors/paris_dst_gap.csv"));
    assert_eq!(e.line, 3);
    assert!(e.problem.contains("\"join\""), "{e}");
    assert!(e.problem.contains("does not exist in Europe/Paris"), "{e}");

    // New York, 8 March 2026: 02:30 does not exist either.
    let text = "Name (Original Name),User Email,Join Time,Leave Time\n\
                Rose Exemple,,03/08/2026 01:30:00 AM,03/08/2026 03:30:00 AM\n\
                Paul Essai,,03/08/2026 02:30:00 AM,03/08/2026 03:30:00 AM\n";
    let e = parse_report(text.as_bytes(), New_York).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(
        e.problem.contains("does not exist in America/New_York"),
        "{e}"
    );
    // The same time with an explicit offset is not local, and is accepted.
    let text =
        "name,email,join,leave\nPaul Essai,,2026-03-29T02:30:00+01:00,2026-03-29T04:00:00+02:00\n";
    let (_, _, rows) = attendance(parse_report(text.as_bytes(), Paris).unwrap());
    assert_eq!(rows[0].joined_at, utc("2026-03-29T01:30:00Z"));
}

// ---------------------------------------------------------------------------
// Errors: exact lines, and never a cell of the file (POL-22)
// ---------------------------------------------------------------------------

/// A file that must be refused, the line the error must name, and words the problem
/// must contain.
struct Refused {
    what: &'static str,
    bytes: Vec<u8>,
    line: usize,
    says: &'static [&'static str],
}

fn refused_files() -> Vec<Refused> {
    let file = |what, name: &str, line, says| Refused {
        what,
        bytes: fixture(name),
        line,
        says,
    };
    let inline = |what, text: &str, line, says| Refused {
        what,
        bytes: text.as_bytes().to_vec(),
        line,
        says,
    };
    vec![
        inline("empty file", "", 1, &["empty file"]),
        inline("only blank lines", "\r\n\r\n  \r\n", 1, &["empty file"]),
        inline("only a BOM", "\u{feff}", 1, &["empty file"]),
        file(
            "unknown format",
            "errors/unknown_format.csv",
            1,
            &["unrecognised header: expected a Zoom participant report"],
        ),
        file(
            "missing column after the meeting block",
            "errors/zoom_missing_leave_column.csv",
            4,
            &["missing column \"Leave Time\""],
        ),
        inline(
            "missing e-mail column, French",
            "nom;arrivée;départ\nCamille Fictif;2026-11-04T10:33:07;2026-11-04T11:48:19\n",
            1,
            &["missing column \"email\"", "courriel"],
        ),
        inline(
            "missing question column",
            "name,email,asked_at\nCamille Fictif,,2026-11-04T10:33:07\n",
            1,
            &["missing column \"question\""],
        ),
        inline(
            "column given twice",
            "name,email,courriel,join,leave\nCamille Fictif,,,2026-11-04T10:33:07,2026-11-04T11:48:19\n",
            1,
            &["column \"email\" appears more than once"],
        ),
        file(
            "leave before join",
            "errors/zoom_leave_before_join.csv",
            6,
            &["\"Leave Time\" is before \"Join Time\""],
        ),
        file(
            "day-first date read month first",
            "errors/zoom_day_first_date.csv",
            3,
            &["column \"Join Time\"", "MM/DD/YYYY"],
        ),
        file(
            "too few fields",
            "errors/plain_missing_field.csv",
            3,
            &["wrong number of fields", "expected 4", "line 1", "found 3"],
        ),
        file(
            "too many fields",
            "errors/plain_unquoted_comma.csv",
            2,
            &["wrong number of fields", "expected 4", "found 5"],
        ),
        file(
            "not an e-mail",
            "errors/plain_bad_email.csv",
            3,
            &["column \"email\"", "e-mail address"],
        ),
        file(
            "not UTF-8",
            "errors/invalid_utf8.csv",
            3,
            &["not valid UTF-8"],
        ),
        file(
            "non-existent local time",
            "errors/paris_dst_gap.csv",
            3,
            &["does not exist in Europe/Paris"],
        ),
        file(
            "bad time after a question over three lines",
            "errors/questions_after_multiline.csv",
            5,
            &["column \"Question Time\""],
        ),
        file(
            "only the last row is bad",
            "errors/last_row_bad.csv",
            5,
            &["column \"leave\" is empty"],
        ),
        inline(
            "empty question",
            "name,email,asked_at,question\nCamille Fictif,,2026-11-04T10:33:07,  \n",
            2,
            &["column \"question\" is empty"],
        ),
        inline(
            "waiting room neither yes nor no",
            "Name (Original Name),User Email,Join Time,Leave Time,In Waiting Room\n\
             Camille Fictif,,11/04/2026 10:33:07 AM,11/04/2026 11:48:19 AM,Peut-être\n",
            2,
            &["column \"In Waiting Room\""],
        ),
        inline(
            "meeting block without a table",
            "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
             851 1234 5678,Atelier Fictif,11/04/2026 10:30:12 AM,11/04/2026 12:01:40 PM,animatrice.essai@example.test,92,0\n",
            2,
            &["not followed by a participants table"],
        ),
        inline(
            "meeting block followed by something else",
            "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
             851 1234 5678,Atelier Fictif,11/04/2026 10:30:12 AM,11/04/2026 12:01:40 PM,animatrice.essai@example.test,92,0\n\
             \n\
             name,email,join,leave\n",
            4,
            &["expected the participants table header"],
        ),
        inline(
            "meeting block without its values row",
            "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
             Name (Original Name),User Email,Join Time,Leave Time\n\
             Camille Fictif,,11/04/2026 10:33:07 AM,11/04/2026 11:48:19 AM\n",
            2,
            &["no values row"],
        ),
        inline(
            "meeting start time unreadable",
            "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
             851 1234 5678,Atelier Fictif,le matin,11/04/2026 12:01:40 PM,animatrice.essai@example.test,92,0\n\
             \n\
             Name (Original Name),User Email,Join Time,Leave Time\n",
            2,
            &["column \"Start Time\""],
        ),
        inline(
            "Q&A title without a table",
            "Question and Answer Report\nReport Generated:,\"Nov 5, 2026 09:12 AM\"\nTopic,Webinar ID\nAtelier Fictif,912 3456 7890\n",
            1,
            &["without a question table"],
        ),
        inline(
            "two-digit year",
            "Name (Original Name),User Email,Join Time,Leave Time\n\
             Camille Fictif,,11/04/26 10:33:07 AM,11/04/2026 11:48:19 AM\n",
            2,
            &["column \"Join Time\""],
        ),
    ]
}

#[test]
fn pol_4_each_malformed_file_is_refused_with_its_exact_line() {
    for case in refused_files() {
        let e = match parse_report(&case.bytes, Paris) {
            Err(e) => e,
            Ok(parsed) => panic!("{}: expected an error, got {parsed:?}", case.what),
        };
        assert_eq!(e.line, case.line, "{}: {e}", case.what);
        for words in case.says {
            assert!(
                e.problem.contains(words),
                "{}: {e:?} lacks {words:?}",
                case.what
            );
        }
        assert_eq!(e.to_string(), format!("line {}: {}", e.line, e.problem));
    }
}

#[test]
fn pol_4_one_bad_row_yields_no_rows_at_all() {
    // Four rows, the last one bad: the result is an error, not three rows.
    let bytes = fixture("errors/last_row_bad.csv");
    assert!(parse_report(&bytes, Paris).is_err());
    // The same file without its last row is read whole.
    let text = String::from_utf8(bytes).unwrap();
    let good: String = text.lines().take(4).map(|l| format!("{l}\n")).collect();
    let (_, _, rows) = attendance(parse_report(good.as_bytes(), Paris).unwrap());
    assert_eq!(rows.len(), 3);
}

/// Header names, which errors may quote: they are the format, not personal data.
const HEADER_NAMES: &[&str] = &[
    "meeting id",
    "topic",
    "start time",
    "end time",
    "user email",
    "duration (minutes)",
    "participants",
    "name (original name)",
    "join time",
    "leave time",
    "guest",
    "recording consent",
    "in waiting room",
    "name",
    "email",
    "join",
    "leave",
    "nom",
    "courriel",
    "arrivée",
    "départ",
    "asked_at",
    "question",
    "asker name",
    "asker email",
    "question time",
    "answer(s)",
    "question and answer report",
    "report generated:",
    "webinar id",
];

/// Every cell of a file, split on both delimiters, except header names, short cells
/// and bare numbers.
fn personal_cells(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut cells = Vec::new();
    for delimiter in [b',', b';'] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                let cell = cell.trim().trim_start_matches('\u{feff}');
                let lower = cell.to_lowercase();
                if cell.chars().count() >= 4
                    && !cell.chars().all(|c| c.is_ascii_digit())
                    && !HEADER_NAMES.contains(&lower.as_str())
                {
                    cells.push(cell.to_owned());
                }
            }
        }
    }
    cells
}

#[test]
fn pol_22_error_messages_never_contain_a_cell_of_the_file() {
    let cases = refused_files();
    let mut checked = 0;
    for case in &cases {
        let e = parse_report(&case.bytes, Paris).unwrap_err();
        let message = e.to_string();
        assert!(!message.contains('@'), "{}: {message}", case.what);
        for cell in personal_cells(&case.bytes) {
            assert!(
                !message.contains(&cell),
                "{}: the error quotes {cell:?}: {message}",
                case.what
            );
            checked += 1;
        }
        // The fictional people of the fixtures, by name.
        for name in [
            "Camille",
            "Fictif",
            "Lucien",
            "Exemple",
            "Mathilde",
            "Modèle",
            "Hugo",
            "Rose",
            "Paul",
            "Essai",
            "example.test",
        ] {
            assert!(!message.contains(name), "{}: {message}", case.what);
        }
    }
    // The check above looked at real cells, not at nothing.
    assert!(checked > 100, "only {checked} cells checked");
}

#[test]
fn pol_22_the_invalid_utf8_line_is_named_without_its_bytes() {
    let e = err(&fixture("errors/invalid_utf8.csv"));
    assert_eq!(e.line, 3);
    assert!(!e.problem.contains("Mod"), "{e}");
    assert!(!e.problem.contains('\u{fffd}'), "{e}");
}
