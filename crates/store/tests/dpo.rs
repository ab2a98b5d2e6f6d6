//! The DPO's desk, store side (issue 4): the rights-request register and its
//! deadlines (POL-23, POL-38), access export walking the schema (POL-23,
//! POL-27), rectification without the old value (POL-24), erasure with legal
//! holds, anonymised forum posts and the page-level residual check (POL-25,
//! POL-31, POL-35), objections and unsubscribe (POL-26), consents (POL-7),
//! registers (POL-8, POL-14, POL-36, POL-37).

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::{demo, now, Fixture};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::access_export::ErasureReason;
use domain::deadlines::Urgency;
use domain::rights::{ConsentPurpose, ConsentSource, Decision, RectifiableField, Step};
use store::rights::{self, NewRequest};
use store::schema::*;
use store::StoreError;

/// The fictional person of these tests: nobody has these strings.
const GIVEN: &str = "Zorglubine";
const FAMILY: &str = "Testafamille";
const EMAIL: &str = "zorglubine.testafamille@example.invalid";
const PHONE: &str = "09 87 65 43 21";

/// Creates the fictional person with a row in every table that can hold
/// their data, and returns their id.
fn everywhere_person(f: &mut Fixture) -> String {
    let conn = f.store.connection();
    let (session, group, programme): (String, String, String) = sessions::table
        .inner_join(workshop_groups::table)
        .select((
            sessions::id,
            sessions::group_id,
            workshop_groups::programme_id,
        ))
        .first(conn)
        .unwrap();
    let staff_id: String = staff::table
        .filter(staff::username.eq("formatrice.a"))
        .select(staff::id)
        .first(conn)
        .unwrap();
    let support: String = staff::table
        .filter(staff::username.eq("support"))
        .select(staff::id)
        .first(conn)
        .unwrap();
    let id = "0190f000-0000-7000-8000-00000000abcd";
    let t = "2026-10-01 10:00:00";
    let sql = format!(
        "INSERT INTO participants (id, given_name, family_name, email, phone, certified_16_plus_at, last_login_at, created_at, updated_at, updated_device)
           VALUES ('{id}', '{GIVEN}', '{FAMILY}', '{EMAIL}', '{PHONE}', '{t}', '{t}', '{t}', '{t}', 'd');
         INSERT INTO family_situations VALUES ('{id}', 2, '0-3,7-11', 'Les soirs de {GIVEN} sont difficiles', '{t}', 'd');
         INSERT INTO consents (id, participant_id, purpose, granted, recorded_at, source, updated_at, updated_device) VALUES ('c-{id}', '{id}', 'newsletter', 1, '{t}', 'platform', '{t}', 'd');
         INSERT INTO enrolments (id, participant_id, programme_id, group_id, status, requested_at, updated_at, updated_device)
           VALUES ('e-{id}', '{id}', '{programme}', '{group}', 'confirmed', '{t}', '{t}', 'd');
         INSERT INTO payments (id, participant_id, enrolment_id, amount_cents, currency, status, processor_ref, paid_at, updated_at, updated_device) VALUES ('p-{id}', '{id}', 'e-{id}', 12000, 'EUR', 'confirmed', 'PSP-ZORG-1', '2026-10-01 10:00:00', '{t}', 'd');
         INSERT INTO invoices VALUES ('i-{id}', '{id}', 'p-{id}', 'F-ZORG-0001', 'invoice', 12000, '2026-10-02 10:00:00', '{t}', 'd');
         INSERT INTO attendance VALUES ('a-{id}', '{session}', '{id}', '{t}', NULL, '{t}', 'd');
         INSERT INTO questions VALUES ('q-{id}', '{session}', '{id}', '{t}', 'Comment parler à mes enfants ? Signé {GIVEN} {FAMILY}', '{t}', 'd');
         INSERT INTO forum_posts VALUES ('f-{id}', '{id}', 'Rituels', 'Bonjour, {GIVEN} {FAMILY} ici, écrivez-moi à {EMAIL} ou au {PHONE}.', '{t}', 0, '{t}', 'd');
         INSERT INTO progress_notes VALUES ('n-{id}', '{id}', '{staff_id}', '{GIVEN} progresse', '{t}', '{t}', 'd');
         INSERT INTO objectives VALUES ('o-{id}', '{id}', 'Moins crier', '{t}', '{t}', 'd');
         INSERT INTO technical_traces (id, participant_id, ip_address, user_agent, session_seconds, recorded_at, updated_at, updated_device) VALUES ('t-{id}', '{id}', '192.0.2.77', 'Firefox', 600, '{t}', '{t}', 'd');
         INSERT INTO assistance_requests VALUES ('s-{id}', '{id}', '{support}', '{t}', '2026-10-03 10:00:00', '{t}', '{t}', 'd');
         INSERT INTO outbox_messages (id, participant_id, template, subject, body, queued_at, queued_by, status, updated_at, updated_device)
           VALUES ('m-{id}', '{id}', 'module_suggestion', 'Suggestion', 'Bonjour {GIVEN}', '{t}', '{staff_id}', 'queued', '{t}', 'd');
         INSERT INTO import_unmatched VALUES ('u-{id}', 'imp', '{session}', 'attendance', 4, '{GIVEN} {FAMILY}', '{EMAIL}', '{t}', NULL, NULL, '{t}', '{staff_id}', '{t}', 'd');
         INSERT INTO policy_versions VALUES ('pv-1', '2026-09', '2026-09-01 00:00:00', '2026-10-01 00:00:00', 1, 'Nouveau sous-traitant', '{t}', 'd');
         INSERT INTO policy_notifications VALUES ('pn-{id}', 'pv-1', '{id}', '{t}', 'email', '{t}', 'd');"
    );
    conn.batch_execute(&sql).unwrap();
    id.to_owned()
}

fn register(f: &mut Fixture, person: &str, kind: &str, received: NaiveDate) -> String {
    let dpo = f.actor("dpo");
    rights::register_request(
        f.store.connection(),
        &dpo,
        &NewRequest {
            participant_id: domain::ParticipantId(person.to_owned()),
            kind: domain::rights::RequestKind::parse(kind).unwrap(),
            channel: domain::rights::Channel::Post,
            received_on: received,
            objection_purpose: (kind == "objection")
                .then_some(domain::rights::ObjectionPurpose::ModuleSuggestions),
        },
        now(),
    )
    .unwrap()
    .id
}

fn check_identity(f: &mut Fixture, request: &str) {
    let dpo = f.actor("dpo");
    rights::advance(
        f.store.connection(),
        &dpo,
        request,
        &Step::CheckIdentity {
            method: "copie de pièce d'identité reçue par courrier".into(),
        },
        now(),
    )
    .unwrap();
}

fn refused_code<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    result.expect_err("refused").code().as_str().to_owned()
}

#[test]
fn pol_23_register_sorts_by_due_date_and_flags_risk_and_overdue() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let today = now().date_naive(); // Wednesday 25 Nov 2026
    let fresh = register(&mut f, &person, "access", today);
    let at_risk = register(&mut f, &person, "rectification", today - Duration::days(14));
    let overdue = register(&mut f, &person, "erasure", today - Duration::days(25));
    let dpo = f.actor("dpo");
    let rows = rights::list_requests(f.store.connection(), &dpo, now()).unwrap();
    let order: Vec<&str> = rows
        .iter()
        .filter(|r| [&fresh, &at_risk, &overdue].contains(&&r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(order, [overdue.as_str(), at_risk.as_str(), fresh.as_str()]);
    let by_id = |id: &str| rows.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(by_id(&overdue).urgency, Some(Urgency::Overdue));
    assert_eq!(by_id(&at_risk).urgency, Some(Urgency::AtRisk));
    assert_eq!(by_id(&fresh).urgency, Some(Urgency::OnTrack));
    // 15 jours ouvrables from Wed 25 Nov 2026: Mon–Sat, 1 Dec… → Sat 12 Dec.
    assert_eq!(
        by_id(&fresh).due,
        NaiveDate::from_ymd_opt(2026, 12, 12).unwrap()
    );
    assert_eq!(
        by_id(&fresh).deadlines.legal,
        NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
        "one month later is Fri 25 Dec, a holiday: the next working day"
    );
    assert_eq!(
        by_id(&fresh).person.as_deref(),
        Some("Zorglubine Testafamille")
    );
    // The register refuses a date of receipt in the future.
    let result = rights::register_request(
        f.store.connection(),
        &dpo,
        &NewRequest {
            participant_id: domain::ParticipantId(person),
            kind: domain::rights::RequestKind::Access,
            channel: domain::rights::Channel::Email,
            received_on: today + Duration::days(1),
            objection_purpose: None,
        },
        now(),
    );
    assert_eq!(refused_code(result), "received_in_future");
}

#[test]
fn pol_38_statuses_follow_the_rules_and_every_action_is_logged() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let today = now().date_naive();
    let request = register(&mut f, &person, "access", today - Duration::days(40));
    let conn = f.store.connection();
    // Nothing leaves before the identity is checked.
    let result = store::export::access_export(conn, &dpo, &person, Some(&request), now());
    assert_eq!(refused_code(result), "identity_not_checked");
    let result = rights::advance(conn, &dpo, &request, &Step::Answer { note: None }, now());
    assert_eq!(refused_code(result), "identity_not_checked");
    let result = rights::advance(
        conn,
        &dpo,
        &request,
        &Step::CheckIdentity {
            method: "  ".into(),
        },
        now(),
    );
    assert_eq!(refused_code(result), "identity_method_required");
    check_identity(&mut f, &request);
    let conn = f.store.connection();
    // Received 40 days ago: too late to tell the person of an extension.
    let result = rights::advance(
        conn,
        &dpo,
        &request,
        &Step::Extend {
            grounds: "volume exceptionnel".into(),
        },
        now(),
    );
    assert_eq!(refused_code(result), "extension_too_late");
    let row = rights::advance(
        conn,
        &dpo,
        &request,
        &Step::Answer {
            note: Some("envoyé par courrier".into()),
        },
        now(),
    )
    .unwrap();
    assert_eq!(row.status, "answered");
    assert!(!row.open && row.urgency.is_none());
    let result = rights::advance(conn, &dpo, &request, &Step::Start, now());
    assert_eq!(refused_code(result), "request_closed");
    let detail = rights::request_detail(conn, &dpo, &request, now()).unwrap();
    let actions: Vec<&str> = detail.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["registered", "identity_checked", "answered"]);

    // An extension within the first month, with grounds, moves the due date.
    let recent = register(&mut f, &person, "portability", today - Duration::days(3));
    let conn = f.store.connection();
    let result = rights::advance(
        conn,
        &dpo,
        &recent,
        &Step::Extend { grounds: "".into() },
        now(),
    );
    assert_eq!(refused_code(result), "extension_grounds_required");
    let row = rights::advance(
        conn,
        &dpo,
        &recent,
        &Step::Extend {
            grounds: "volume exceptionnel".into(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(row.status, "extended");
    assert_eq!(row.due, row.deadlines.policy_extended);
    // Refusing needs grounds.
    let result = rights::advance(
        conn,
        &dpo,
        &recent,
        &Step::Refuse {
            grounds: " ".into(),
        },
        now(),
    );
    assert_eq!(refused_code(result), "refusal_grounds_required");
    // Other roles cannot read the register.
    let admin = f.actor("admin.lemans");
    let result = rights::list_requests(f.store.connection(), &admin, now());
    assert_eq!(refused_code(result), "not_permitted");
}

#[derive(QueryableByName)]
struct Fk {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Issue 12, POL-21, POL-38: a rights-desk action refused inside its
/// transaction (the rule is decided after the request is read) is rolled back
/// and still appears in the audit trail the DPO reads, as a refusal.
#[test]
fn pol_21_a_refused_rights_desk_action_is_in_the_audit_trail() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let request = register(&mut f, &person, "access", now().date_naive());
    let conn = f.store.connection();
    let status_before: String = rights_requests::table
        .find(&request)
        .select(rights_requests::status)
        .first(conn)
        .unwrap();
    let result = rights::advance(conn, &dpo, &request, &Step::Answer { note: None }, now());
    assert_eq!(refused_code(result), "identity_not_checked");
    let status_after: String = rights_requests::table
        .find(&request)
        .select(rights_requests::status)
        .first(conn)
        .unwrap();
    assert_eq!(status_before, status_after, "the refusal changed nothing");
    let page = store::audit::trail_page(conn, &dpo, 10, 0, now()).unwrap();
    let refusal = page
        .entries
        .iter()
        .find(|entry| entry.action == "rights.request.update")
        .expect("the refused update is in the trail");
    assert_eq!(refusal.outcome, "denied");
    assert_eq!(refusal.actor, "dpo");
}

#[test]
fn pol_23_export_walks_every_table_that_references_a_participant() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let request = register(&mut f, &person, "access", now().date_naive());
    check_identity(&mut f, &request);
    let conn = f.store.connection();
    // Some of the entries are already in the side index, the rest are caught up.
    store::audit::index_subjects(conn, 3).unwrap();
    let seen: i64 = audit_log::table
        .filter(audit_log::participant_id.eq(&person))
        .count()
        .get_result(conn)
        .unwrap();
    let export = store::export::access_export(conn, &dpo, &person, Some(&request), now()).unwrap();
    // Every table with a foreign key to participants, read from the schema itself.
    let referencing: Vec<Fk> = diesel::sql_query(
        "SELECT DISTINCT m.name AS name FROM sqlite_master m, pragma_foreign_key_list(m.name) k \
         WHERE m.type = 'table' AND k.\"table\" = 'participants'",
    )
    .load(conn)
    .unwrap();
    assert!(
        referencing.len() >= 15,
        "the walk found the schema's references"
    );
    for Fk { name } in &referencing {
        let category = export
            .categories
            .iter()
            .find(|c| &c.key == name)
            .unwrap_or_else(|| panic!("table {name} references participants but is not exported"));
        let column: Fk = diesel::sql_query(
            "SELECT \"from\" AS name FROM pragma_foreign_key_list(?) WHERE \"table\" = 'participants'",
        )
        .bind::<Text, _>(name)
        .get_result(conn)
        .unwrap();
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let n: N = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM {name} WHERE {} = ?",
            column.name
        ))
        .bind::<Text, _>(&person)
        .get_result(conn)
        .unwrap();
        assert_eq!(
            category.rows.len() as i64,
            n.n,
            "{name}: every row exported"
        );
        assert!(
            n.n >= 1,
            "{name}: the fixture puts the person in every table"
        );
    }
    for key in [
        "participants",
        "import_unmatched",
        "rights_request_actions",
        "consultations",
    ] {
        let category = export.categories.iter().find(|c| c.key == key).unwrap();
        assert!(!category.rows.is_empty(), "{key}");
    }
    // No sync bookkeeping in the export; the consultations name no staff member.
    assert!(export
        .categories
        .iter()
        .all(|c| !c.columns.iter().any(|col| col == "updated_device")));
    let consultations = export
        .categories
        .iter()
        .find(|c| c.key == "consultations")
        .unwrap();
    assert_eq!(consultations.columns, ["at", "action", "outcome"]);
    assert!(seen >= 2);
    assert_eq!(
        consultations.rows.len() as i64,
        seen,
        "every entry about the person, no other"
    );
    // The zip holds the JSON, the summary and one CSV per category.
    let zip = export.to_zip().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    for category in &export.categories {
        assert!(
            names.contains(&format!("csv/{}.csv", category.key)),
            "{}",
            category.key
        );
    }
    let mut json = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("donnees.json").unwrap(), &mut json)
        .unwrap();
    assert!(json.contains(EMAIL) && json.contains("moniravique.access-export/1"));
    let html = export.to_html_fr();
    assert!(
        html.contains("CNIL") && html.contains("États-Unis"),
        "art. 15 info from the registers"
    );
    // The export is logged on the request, which is now in progress.
    let detail = rights::request_detail(f.store.connection(), &dpo, &request, now()).unwrap();
    assert_eq!(detail.request.status, "in_progress");
    assert!(detail.actions.iter().any(|a| a.action == "exported"));
}

#[test]
fn pol_24_rectification_logs_the_field_and_keeps_no_old_value() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let request = register(&mut f, &person, "rectification", now().date_naive());
    let conn = f.store.connection();
    let result = rights::rectify(
        conn,
        &dpo,
        &request,
        RectifiableField::Email,
        "nouvelle@example.invalid",
        now(),
    );
    assert_eq!(refused_code(result), "identity_not_checked");
    check_identity(&mut f, &request);
    let conn = f.store.connection();
    let result = rights::rectify(
        conn,
        &dpo,
        &request,
        RectifiableField::Email,
        "pas-une-adresse",
        now(),
    );
    assert_eq!(refused_code(result), "invalid_input");
    // A field outside POL-24's list cannot even be named (RectifiableField).
    assert!(RectifiableField::parse("certified_16_plus_at").is_none());
    rights::rectify(
        conn,
        &dpo,
        &request,
        RectifiableField::Phone,
        "01 11 22 33 44",
        now(),
    )
    .unwrap();
    rights::rectify(
        conn,
        &dpo,
        &request,
        RectifiableField::AgeBrackets,
        "4-6,12-15",
        now(),
    )
    .unwrap();
    let (phone, brackets): (Option<String>, String) = participants::table
        .inner_join(family_situations::table)
        .filter(participants::id.eq(&person))
        .select((participants::phone, family_situations::age_brackets))
        .first(conn)
        .unwrap();
    assert_eq!(phone.as_deref(), Some("01 11 22 33 44"));
    assert_eq!(brackets, "4-6,12-15");
    let actions: Vec<(String, Option<String>, Option<String>)> = rights_request_actions::table
        .filter(rights_request_actions::request_id.eq(&request))
        .filter(rights_request_actions::action.eq("rectified"))
        .select((
            rights_request_actions::action,
            rights_request_actions::field,
            rights_request_actions::detail,
        ))
        .load(conn)
        .unwrap();
    assert_eq!(actions.len(), 2);
    assert!(actions
        .iter()
        .all(|(_, field, detail)| field.is_some() && detail.is_none()));
    // The old value is nowhere in the file, free pages and WAL included.
    f.store.checkpoint().unwrap();
    let report = f
        .store
        .scan_pages(&[pagescan::Needle {
            label: "old phone",
            bytes: PHONE.as_bytes(),
        }])
        .unwrap();
    // The forum post still quotes the old number (the person wrote it there).
    let hits_outside_forum = report.hits.len();
    let forum_mentions: i64 = forum_posts::table
        .filter(forum_posts::body.like(format!("%{PHONE}%")))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(forum_mentions, 1);
    assert!(
        hits_outside_forum <= 1,
        "only the forum post still holds the old number: {hits_outside_forum} hits"
    );
}

#[test]
fn pol_25_erasure_leaves_no_byte_of_the_person_and_keeps_what_the_law_requires() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let needles = [GIVEN, FAMILY, EMAIL, PHONE];
    let scan = |f: &mut Fixture| {
        f.store.checkpoint().unwrap();
        let list: Vec<pagescan::Needle> = needles
            .iter()
            .map(|n| pagescan::Needle {
                label: "identity",
                bytes: n.as_bytes(),
            })
            .collect();
        f.store.scan_pages(&list).unwrap()
    };
    // Positive control: before erasure the decrypted pages hold the person.
    let before = scan(&mut f);
    assert!(
        before.hits.len() >= 10,
        "the scan sees the person: {}",
        before.hits.len()
    );
    assert!(before.main_pages > 50);

    let request = register(&mut f, &person, "erasure", now().date_naive());
    let result = store::erase::erase(
        f.store.connection(),
        &dpo,
        &person,
        ErasureReason::Request,
        Some(&request),
        now(),
    );
    assert_eq!(refused_code(result), "identity_not_checked");
    check_identity(&mut f, &request);
    let admin = f.actor("admin.lemans");
    let result = store::erase::erase(
        f.store.connection(),
        &admin,
        &person,
        ErasureReason::Request,
        Some(&request),
        now(),
    );
    assert_eq!(refused_code(result), "not_permitted");

    let erased = store::erase::erase(
        f.store.connection(),
        &dpo,
        &person,
        ErasureReason::Request,
        Some(&request),
        now(),
    )
    .unwrap();
    // The page-level check runs after the commit, on the checkpointed file,
    // without the store's connection, and completes the certificate.
    f.store.checkpoint().unwrap();
    let reader = f.store.page_reader().unwrap();
    let report = store::erase::deep_check(&reader, &erased.probes).unwrap();
    let outcome =
        store::erase::record_deep_check(f.store.connection(), &dpo, erased, &report, now())
            .unwrap();
    let certificate = &outcome.certificate;
    assert_eq!(
        certificate.residual_check.occurrences, 0,
        "{}",
        certificate.residual_check.method_fr
    );
    assert!(certificate.residual_check.pages_scanned > 50);

    // Zero bytes left: name, e-mail, phone, in every decrypted page and the WAL.
    let after = scan(&mut f);
    assert!(after.hits.is_empty(), "residue: {:?}", after.hits);

    // Kept under legal hold: the payment 6 years, the invoice 7 (the longer
    // wins for the payment with an invoice), detached, with their expiry.
    let conn = f.store.connection();
    let holds: Vec<(String, NaiveDate)> = legal_holds::table
        .filter(legal_holds::subject_ref.eq(&person))
        .order(legal_holds::record_table)
        .select((legal_holds::record_table, legal_holds::held_until))
        .load::<(String, chrono::NaiveDateTime)>(conn)
        .unwrap()
        .into_iter()
        .map(|(t, d)| (t, d.date()))
        .collect();
    assert_eq!(
        holds,
        [
            (
                "invoices".to_owned(),
                NaiveDate::from_ymd_opt(2033, 10, 2).unwrap()
            ),
            (
                "payments".to_owned(),
                NaiveDate::from_ymd_opt(2033, 10, 2).unwrap()
            ),
        ]
    );
    let kept: Option<Option<String>> = payments::table
        .find(format!("p-{person}"))
        .select(payments::participant_id)
        .first(conn)
        .optional()
        .unwrap();
    assert_eq!(kept, Some(None), "payment kept, detached");
    assert!(certificate
        .kept
        .iter()
        .any(|k| k.category_key == "invoices" && k.rule_id == "POL-31"));
    // The forum post stays, anonymised and detached.
    let (body, author, anonymised): (String, Option<String>, bool) = forum_posts::table
        .find(format!("f-{person}"))
        .select((
            forum_posts::body,
            forum_posts::participant_id,
            forum_posts::anonymised,
        ))
        .first(conn)
        .unwrap();
    assert!(anonymised && author.is_none());
    assert!(!body.contains(GIVEN) && !body.contains(EMAIL) && body.contains("[supprimé]"));
    // The register keeps the request, detached, marked erased.
    let detached: Option<String> = rights_requests::table
        .find(&request)
        .select(rights_requests::participant_id)
        .first(conn)
        .unwrap();
    assert!(detached.is_none());
    // The certificate holds no identity, and is stored.
    assert!(!outcome.html.contains(GIVEN) && !outcome.html.contains(EMAIL));
    assert!(outcome.html.contains("Attestation"));
    let html = store::erase::certificate_html(conn, &dpo, &outcome.certificate_id, now()).unwrap();
    assert_eq!(html, outcome.html);
    // Holds are the DPO's alone.
    let holds = store::retention::legal_holds(conn, &dpo, now()).unwrap();
    assert_eq!(holds.iter().filter(|h| h.subject_ref == person).count(), 2);
    assert!(holds
        .iter()
        .any(|h| h.number.as_deref() == Some("F-ZORG-0001")));
    let result = store::retention::legal_holds(conn, &admin, now());
    assert_eq!(refused_code(result), "not_permitted");
    // The chain still verifies.
    assert!(store::audit::verify_unchecked(conn).unwrap().ok);
}

#[test]
fn pol_35_minor_discovered_erases_at_once_without_a_request() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let outcome = store::erase::erase(
        f.store.connection(),
        &dpo,
        &person,
        ErasureReason::MinorDiscovered,
        None,
        now(),
    )
    .unwrap();
    assert_eq!(outcome.certificate.residual_check.occurrences, 0);
    let left: i64 = participants::table
        .filter(participants::email.eq(EMAIL))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(left, 0);
    // An erasure "on request" needs the request.
    let other: String = participants::table
        .select(participants::id)
        .first(f.store.connection())
        .unwrap();
    let result = store::erase::erase(
        f.store.connection(),
        &dpo,
        &other,
        ErasureReason::Request,
        None,
        now(),
    );
    assert_eq!(refused_code(result), "erasure_request_required");
}

#[test]
fn pol_26_accepted_objection_stops_suggestions_and_unsubscribe_is_immediate() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let request = register(&mut f, &person, "objection", now().date_naive());
    check_identity(&mut f, &request);
    let conn = f.store.connection();
    let result = rights::decide_objection(conn, &dpo, &request, false, Some("  "), now());
    assert_eq!(refused_code(result), "objection_grounds_required");
    let result = rights::advance(conn, &dpo, &request, &Step::Answer { note: None }, now());
    assert_eq!(refused_code(result), "objection_undecided");
    let row = rights::decide_objection(conn, &dpo, &request, true, None, now()).unwrap();
    assert_eq!(row.decision, Some(Decision::Accepted));
    let (objects, queued): (bool, String) = participants::table
        .inner_join(outbox_messages::table)
        .filter(participants::id.eq(&person))
        .select((
            participants::objects_to_suggestions,
            outbox_messages::status,
        ))
        .first(conn)
        .unwrap();
    assert!(objects);
    assert_eq!(
        queued, "cancelled",
        "a queued suggestion is cancelled at once"
    );

    // Unsubscribe: no procedure, the newsletter consent is withdrawn.
    rights::unsubscribe(conn, &dpo, &person, ConsentSource::Email, None, now()).unwrap();
    let preferences = rights::preferences(conn, &dpo, &person, now()).unwrap();
    assert!(preferences.marketing_opt_out);
    assert!(preferences
        .current
        .contains(&(ConsentPurpose::Newsletter, Some(false))));
    assert_eq!(preferences.history.len(), 2, "the history is kept");
}

#[test]
fn pol_7_consents_are_dated_revocable_and_shown_on_the_dpo_profile_only() {
    let mut f = demo();
    let person = everywhere_person(&mut f);
    let dpo = f.actor("dpo");
    let conn = f.store.connection();
    let later = now() + Duration::minutes(5);
    rights::record_consent(
        conn,
        &dpo,
        &person,
        ConsentPurpose::Studies,
        true,
        ConsentSource::Post,
        now(),
    )
    .unwrap();
    let result = rights::record_consent(
        conn,
        &dpo,
        &person,
        ConsentPurpose::Studies,
        true,
        ConsentSource::Post,
        now(),
    );
    assert_eq!(refused_code(result), "consent_unchanged");
    let preferences = rights::record_consent(
        conn,
        &dpo,
        &person,
        ConsentPurpose::Studies,
        false,
        ConsentSource::Email,
        later,
    )
    .unwrap();
    assert!(preferences
        .current
        .contains(&(ConsentPurpose::Studies, Some(false))));
    assert!(preferences
        .current
        .contains(&(ConsentPurpose::Testimonials, None)));
    let studies: Vec<bool> = preferences
        .history
        .iter()
        .filter(|e| e.purpose == "studies")
        .map(|e| e.granted)
        .collect();
    assert_eq!(studies, [false, true], "newest first, both kept");
    let profile = store::participants::participant_profile(conn, &dpo, &person, now()).unwrap();
    assert!(profile.preferences.is_some());
    let admin = f.actor("admin.lemans");
    let profile =
        store::participants::participant_profile(f.store.connection(), &admin, &person, now())
            .unwrap();
    assert!(profile.preferences.is_none(), "consents are the DPO's");
}

#[test]
fn pol_36_37_registers_enforce_notice_and_safeguards() {
    let mut f = demo();
    let dpo = f.actor("dpo");
    let conn = f.store.connection();
    let result = store::registers::save_processor(
        conn,
        &dpo,
        &store::registers::Processor {
            id: None,
            name: "Analyse (fictive)".into(),
            service: "statistiques".into(),
            country: "États-Unis".into(),
            outside_eea: true,
            transfer_safeguard: None,
        },
        now(),
    );
    assert_eq!(refused_code(result), "safeguard_required");
    let result = store::registers::save_activity(
        conn,
        &dpo,
        &store::registers::Activity {
            id: None,
            name: "Prévention de la fraude".into(),
            purpose: "Détecter les paiements frauduleux".into(),
            legal_basis: "legitimate_interest".into(),
            balancing_test: None,
            data_categories: "paiements".into(),
            retention: "13 mois".into(),
        },
        now(),
    );
    assert_eq!(refused_code(result), "balancing_test_required");
    let significant = |days: i64| store::registers::NewPolicyVersion {
        version: format!("2027-{days}"),
        effective_on: now().date_naive() + Duration::days(days),
        significant: true,
        summary: "Nouveau sous-traitant de visioconférence".into(),
    };
    let result = store::registers::publish_policy_version(conn, &dpo, &significant(29), now());
    assert_eq!(refused_code(result), "notice_too_short");
    let published =
        store::registers::publish_policy_version(conn, &dpo, &significant(30), now()).unwrap();
    let participants: i64 = participants::table.count().get_result(conn).unwrap();
    assert_eq!(
        published.notified, participants,
        "every participant is notified"
    );
    let registers = store::registers::registers(conn, &dpo, now()).unwrap();
    assert_eq!(registers.policy_versions[0].notified, participants);
    let outside: Vec<_> = registers
        .processors
        .iter()
        .filter(|p| p.outside_eea)
        .collect();
    assert!(!outside.is_empty() && outside.iter().all(|p| p.transfer_safeguard.is_some()));
}

#[test]
fn pol_29_to_33_retention_runs_years_in_seconds() {
    let mut f = demo();
    let dpo = f.actor("dpo");
    let person = everywhere_person(&mut f);
    // Last login 1 Jan 2024; the demo's own people logged in recently.
    diesel::update(participants::table.find(&person))
        .set(
            participants::last_login_at.eq(NaiveDate::from_ymd_opt(2024, 1, 1)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()),
        )
        .execute(f.store.connection())
        .unwrap();
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
    let status = |f: &mut Fixture| -> Option<String> {
        participants::table
            .find(&person)
            .select(participants::account_status)
            .first(f.store.connection())
            .optional()
            .unwrap()
    };
    // Dry run changes nothing.
    let preview = store::retention::preview(f.store.connection(), &dpo, at(2025, 7, 2)).unwrap();
    assert!(preview.items.iter().any(|i| i.subject == person));
    assert_eq!(status(&mut f).as_deref(), Some("active"));
    // 18 months: inactive (POL-29).
    store::retention::run(f.store.connection(), &dpo, at(2025, 7, 2)).unwrap();
    assert_eq!(status(&mut f).as_deref(), Some("inactive"));
    // 24 months: reminder queued (POL-30).
    store::retention::run(f.store.connection(), &dpo, at(2026, 1, 2)).unwrap();
    assert_eq!(status(&mut f).as_deref(), Some("reminded"));
    let reminders: i64 = outbox_messages::table
        .filter(outbox_messages::participant_id.eq(&person))
        .filter(outbox_messages::template.eq("reactivation_reminder"))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(reminders, 1);
    // 3 months later without an answer: erased, with its certificate (POL-30).
    store::retention::run(f.store.connection(), &dpo, at(2026, 4, 3)).unwrap();
    assert_eq!(status(&mut f), None);
    let certificates: i64 = erasure_certificates::table
        .filter(erasure_certificates::subject_ref.eq(&person))
        .filter(erasure_certificates::reason.eq("retention"))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(certificates, 1);
    // Technical traces past 13 months are gone (POL-32).
    let old_traces: i64 = technical_traces::table
        .filter(
            technical_traces::recorded_at.lt(NaiveDate::from_ymd_opt(2025, 3, 3)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()),
        )
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(old_traces, 0);
    // Holds released at expiry (POL-31): 8 years on, the payment and invoice go.
    store::retention::run(f.store.connection(), &dpo, at(2034, 1, 1)).unwrap();
    let holds: i64 = legal_holds::table
        .filter(legal_holds::subject_ref.eq(&person))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(holds, 0);
    let invoice: i64 = invoices::table
        .filter(invoices::number.eq("F-ZORG-0001"))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(invoice, 0);
    // Audit entries past 12 months are deleted; the chain still verifies (POL-21).
    let conn = f.store.connection();
    let oldest: String = audit_log::table
        .order(audit_log::seq)
        .select(audit_log::at)
        .first(conn)
        .unwrap();
    assert!(oldest.as_str() >= "2033-01-01", "oldest entry {oldest}");
    assert!(store::audit::verify_unchecked(conn).unwrap().ok);
    // The quarterly report lists what was done (POL-33).
    let report = store::retention::quarterly_report(
        conn,
        &dpo,
        Some(domain::retention::quarter_of(
            NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(),
        )),
        at(2026, 6, 30),
    )
    .unwrap();
    assert!(report.executed.iter().any(|e| e.subject == person));
    let csv = report.to_csv();
    assert!(csv.contains(&person) && !csv.contains(EMAIL));
    // Nobody else may run it.
    let admin = f.actor("admin.lemans");
    let result = store::retention::run(f.store.connection(), &admin, at(2034, 1, 1));
    assert_eq!(refused_code(result), "not_permitted");
}

#[test]
fn the_demo_gives_the_dpo_something_in_every_state() {
    use domain::retention::ActionKind;
    let mut f = demo();
    let dpo = f.actor("dpo");
    let conn = f.store.connection();
    let rows = rights::list_requests(conn, &dpo, now()).unwrap();
    let urgencies: Vec<Option<Urgency>> = rows.iter().map(|r| r.urgency).collect();
    assert!(urgencies.contains(&Some(Urgency::Overdue)), "{urgencies:?}");
    assert!(urgencies.contains(&Some(Urgency::AtRisk)), "{urgencies:?}");
    assert!(urgencies.contains(&Some(Urgency::OnTrack)), "{urgencies:?}");
    assert!(rows
        .iter()
        .any(|r| r.status == "received" && r.kind == "erasure"));
    let preview = store::retention::preview(conn, &dpo, now()).unwrap();
    for kind in [
        ActionKind::MarkInactive,
        ActionKind::QueueReminder,
        ActionKind::EraseAccount,
        ActionKind::DeleteTraces,
    ] {
        assert!(preview.summary.of(kind).items >= 1, "{kind:?} in the demo");
    }
    let holds = store::retention::legal_holds(conn, &dpo, now()).unwrap();
    assert!(holds
        .iter()
        .any(|h| h.number.as_deref() == Some("F-DEMO-2025-0042")));
}

#[test]
fn role_4_the_dpo_renews_or_closes_an_assistance_request() {
    let mut f = demo();
    let dpo = f.actor("dpo");
    let support = f.actor("support");
    let conn = f.store.connection();
    let open = store::assistance::open_requests(conn, &dpo, now()).unwrap();
    assert_eq!(open.len(), 1);
    let request = open[0].clone();
    // Opened 2 hours before `now`: 45 hours on, support still reaches the
    // account; at 47 it has expired.
    let later = now() + Duration::hours(47);
    let reach = |conn: &mut diesel::SqliteConnection, at| {
        store::participants::list_participants(conn, &support, None, at)
            .unwrap()
            .len()
    };
    assert_eq!(reach(conn, now() + Duration::hours(45)), 1);
    assert_eq!(reach(conn, later), 0);
    // Renewed by the DPO after expiry: 48 hours from the renewal.
    let renewed = store::assistance::renew(conn, &dpo, &request.id, later).unwrap();
    assert!(!renewed.expired);
    assert_eq!(reach(conn, later + Duration::hours(47)), 1);
    assert_eq!(reach(conn, later + Duration::hours(49)), 0);
    // Support cannot renew its own access.
    let result = store::assistance::renew(conn, &support, &request.id, later);
    assert_eq!(refused_code(result), "not_permitted");
    // Closed: support loses the account at once.
    store::assistance::close(conn, &dpo, &request.id, later).unwrap();
    assert_eq!(reach(conn, later + Duration::hours(1)), 0);
    assert!(store::assistance::open_requests(conn, &dpo, later)
        .unwrap()
        .is_empty());
}
