//! Issue 15, item 4: the office's spreadsheet of families into the store
//! (POL-1, POL-7, POL-21, POL-35, ROLE-3), from the committed fixtures
//! (`tests/fixtures/families/`) read as the window reads them.

mod common;

use common::{now, Fixture};
use diesel::prelude::*;
use domain::families_import::{detect_layout, suggest, Layout, Sheet, Target};
use domain::intake::{Field, Problem};
use store::families_import::{self as import, Mode};
use store::schema::{audit_log, consents, enrolments, family_situations, participants};
use store::StoreError;

fn sheet(name: &str) -> (Sheet, Layout, Vec<Target>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/families")
        .join(name);
    let book = sheets::read(&std::fs::read(path).unwrap()).unwrap();
    let sheet = book
        .sheets
        .into_iter()
        .find(|s| s.name == "Familles 2026")
        .unwrap();
    let layout = detect_layout(&sheet).unwrap();
    let mapping = suggest(&layout, None);
    (sheet, layout, mapping)
}

/// Rows of the tables an import writes, and audit entries.
fn counts(fixture: &mut Fixture) -> [i64; 5] {
    let conn = fixture.store.connection();
    [
        participants::table.count().get_result(conn).unwrap(),
        enrolments::table.count().get_result(conn).unwrap(),
        consents::table.count().get_result(conn).unwrap(),
        family_situations::table.count().get_result(conn).unwrap(),
        audit_log::table
            .filter(audit_log::action.like("registration.import%"))
            .filter(audit_log::outcome.eq("allowed"))
            .count()
            .get_result(conn)
            .unwrap(),
    ]
}

fn participant(
    fixture: &mut Fixture,
    email: &str,
) -> Option<(String, String, chrono::NaiveDateTime)> {
    participants::table
        .filter(participants::email.eq(email))
        .select((
            participants::id,
            participants::given_name,
            participants::certified_16_plus_at,
        ))
        .first(fixture.store.connection())
        .optional()
        .unwrap()
}

fn apply(fixture: &mut Fixture, name: &str) -> Result<import::ImportReport, StoreError> {
    let office = fixture.actor("admin.lemans");
    let (sheet, layout, mapping) = sheet(name);
    let conn = fixture.store.connection();
    let rows = import::clean_rows(conn, &office, &sheet, &layout, &mapping, now())?;
    import::import(conn, &office, &rows, Mode::Apply, now(), &mut |_| {})
}

#[test]
fn pol_35_a_file_with_problems_changes_nothing_and_names_the_first_row_and_column() {
    let mut fixture = common::demo();
    let before = counts(&mut fixture);
    let error = apply(&mut fixture, "familles-erreurs.xlsx").unwrap_err();
    assert_eq!(error.code().as_str(), "import_has_problems");
    let details = error.details();
    assert_eq!(details.get("row").map(String::as_str), Some("6"));
    assert_eq!(details.get("column").map(String::as_str), Some("C"));
    assert_eq!(details.get("field").map(String::as_str), Some("email"));
    assert_eq!(details.get("problems").map(String::as_str), Some("5"));
    assert_eq!(counts(&mut fixture), before, "nothing was written");
    assert!(participant(&mut fixture, "eloise.exemple-fictif@exemple.test").is_none());
}

#[test]
fn pol_35_the_store_refuses_the_whole_import_when_one_row_is_refused() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let (sheet, layout, mapping) = sheet("familles.xlsx");
    let conn = fixture.store.connection();
    let mut rows = import::clean_rows(conn, &office, &sheet, &layout, &mapping, now()).unwrap();
    // What a laptop could send the server: a programme removed meanwhile,
    // and a row without its certification.
    rows[6].registration.programme_id = Some("programme-supprime".into());
    rows[7].registration.certified_16_plus_at = None;
    let before = counts(&mut fixture);
    let conn = fixture.store.connection();
    let error = import::import(conn, &office, &rows, Mode::Apply, now(), &mut |_| {}).unwrap_err();
    assert_eq!(error.code().as_str(), "import_has_problems");
    assert_eq!(error.details().get("row").map(String::as_str), Some("11"));
    assert_eq!(error.details().get("rows").map(String::as_str), Some("2"));
    assert_eq!(counts(&mut fixture), before, "all or nothing");
    // The dry run lists both, by row.
    let conn = fixture.store.connection();
    let report = import::import(conn, &office, &rows, Mode::DryRun, now(), &mut |_| {}).unwrap();
    let refused: Vec<(u32, Field, Problem)> = report
        .refused
        .iter()
        .map(|r| (r.row, r.problem.field, r.problem.problem))
        .collect();
    assert_eq!(
        refused,
        vec![
            (11, Field::ProgrammeId, Problem::Unknown),
            (12, Field::Certified16Plus, Problem::Required),
        ]
    );
    assert_eq!(report.counts.rows, 6);
}

#[test]
fn pol_1_pol_35_a_clean_file_imports_in_one_go_and_records_the_certification() {
    let mut fixture = common::demo();
    let before = counts(&mut fixture);
    let report = apply(&mut fixture, "familles.xlsx").unwrap();
    assert!(report.refused.is_empty());
    let c = report.counts;
    assert_eq!((c.rows, c.new_people, c.known_people), (8, 8, 0));
    assert_eq!((c.requests_added, c.already_requested), (7, 0));
    let after = counts(&mut fixture);
    assert_eq!(after[0] - before[0], 8, "eight people");
    assert_eq!(
        after[1] - before[1],
        7,
        "seven requests: one row names no programme"
    );
    let (_, given, certified) =
        participant(&mut fixture, "eloise.exemple-fictif@exemple.test").unwrap();
    assert_eq!(given, "Éloïse");
    // 15/09/2025, midnight in Paris (summer time) is 22:00 UTC the day before.
    assert_eq!(certified.to_string(), "2025-09-14 22:00:00");
    let (_, _, certified) = participant(&mut fixture, "loic.fictif@exemple.test").unwrap();
    assert_eq!(
        certified,
        now().naive_utc(),
        "a bare oui: the import's time"
    );
    // Each person changed has one audit entry, ids only.
    let office = fixture.actor("admin.lemans");
    let entries: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("registration.import"))
        .filter(audit_log::actor_id.eq(office.staff_id.as_str()))
        .select(audit_log::participant_id)
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(entries.len(), 8);
    // Requests are in the inbox, with the import as their channel.
    let channels: Vec<String> = enrolments::table
        .filter(enrolments::channel.eq("import"))
        .select(enrolments::status)
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(channels, vec!["requested"; 7]);
}

#[test]
fn pol_1_known_people_are_matched_by_e_mail_and_never_duplicated() {
    let mut fixture = common::demo();
    let camille = "camille.fictif.00@example.test";
    let (camille_id, camille_name, _) = participant(&mut fixture, camille).unwrap();
    apply(&mut fixture, "familles.xlsx").unwrap();
    let first = counts(&mut fixture);
    let zoe = participant(&mut fixture, "Zoe.Imaginaire@exemple.test").unwrap();
    // The same file again, and a row naming a demo participant in capitals.
    let office = fixture.actor("admin.lemans");
    let (mut sheet, layout, mapping) = sheet("familles.xlsx");
    sheet.rows[8][2] = domain::families_import::Cell::Text("CAMILLE.Fictif.00@Example.TEST".into());
    let conn = fixture.store.connection();
    let preview =
        import::preview(conn, &office, &sheet, &layout, &mapping, now(), &mut |_| {}).unwrap();
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    assert_eq!(
        (preview.counts.new_people, preview.counts.known_people),
        (0, 8)
    );
    let rows = import::clean_rows(conn, &office, &sheet, &layout, &mapping, now()).unwrap();
    let report = import::import(conn, &office, &rows, Mode::Apply, now(), &mut |_| {}).unwrap();
    assert_eq!(
        (report.counts.new_people, report.counts.known_people),
        (0, 8)
    );
    assert_eq!(report.counts.already_requested, 6, "earlier requests stand");
    let second = counts(&mut fixture);
    assert_eq!(second[0], first[0], "nobody duplicated");
    assert_eq!(
        participant(&mut fixture, "zoe.imaginaire@EXEMPLE.test")
            .unwrap()
            .0,
        zoe.0
    );
    let (id, name, _) = participant(&mut fixture, camille).unwrap();
    assert_eq!(
        (id, name),
        (camille_id, camille_name),
        "a known identity is kept"
    );
}

#[test]
fn pol_7_consents_absent_from_the_file_are_not_invented() {
    let mut fixture = common::demo();
    apply(&mut fixture, "familles.xlsx").unwrap();
    let in_force: Option<String> =
        store::registration::policy_in_force(fixture.store.connection(), now()).unwrap();
    let choices =
        |fixture: &mut Fixture, email: &str| -> Vec<(String, bool, String, Option<String>)> {
            let (id, _, _) = participant(fixture, email).unwrap();
            consents::table
                .filter(consents::participant_id.eq(id))
                .order(consents::purpose)
                .select((
                    consents::purpose,
                    consents::granted,
                    consents::source,
                    consents::policy_version,
                ))
                .load(fixture.store.connection())
                .unwrap()
        };
    let eloise = choices(&mut fixture, "eloise.exemple-fictif@exemple.test");
    assert_eq!(
        eloise,
        vec![
            ("newsletter".into(), true, "import".into(), in_force.clone()),
            (
                "testimonials".into(),
                false,
                "import".into(),
                in_force.clone()
            ),
        ],
        "no row for studies: its cell was empty"
    );
    assert!(choices(&mut fixture, "noel.essai@exemple.test").is_empty());
    assert!(choices(&mut fixture, "agnes.fictive@exemple.test").is_empty());
    assert_eq!(choices(&mut fixture, "loic.fictif@exemple.test").len(), 3);
    // Children's age brackets, never the family's challenges (ROLE-3).
    let (id, _, _) = participant(&mut fixture, "maelle.demo@exemple.test").unwrap();
    let (brackets, challenges): (String, Option<String>) = family_situations::table
        .find(&id)
        .select((
            family_situations::age_brackets,
            family_situations::challenges,
        ))
        .first(fixture.store.connection())
        .unwrap();
    assert_eq!((brackets.as_str(), challenges), ("0-3,7-11,12-15", None));
}

#[test]
fn pol_35_rows_without_certification_or_usable_e_mail_are_listed_and_the_preview_writes_nothing() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let before = counts(&mut fixture);
    let (sheet, layout, mapping) = sheet("familles-erreurs.xlsx");
    let conn = fixture.store.connection();
    let preview =
        import::preview(conn, &office, &sheet, &layout, &mapping, now(), &mut |_| {}).unwrap();
    let listed: Vec<(u32, Option<&str>, Field, Problem)> = preview
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.field, p.problem))
        .collect();
    assert!(listed.contains(&(6, Some("C"), Field::Email, Problem::Malformed)));
    assert!(listed.contains(&(7, Some("L"), Field::Certified16Plus, Problem::Required)));
    assert_eq!(preview.refused_rows, 5);
    assert_eq!(preview.data_rows, 6);
    assert_eq!(preview.counts.rows, 1, "the good row, dry run");
    assert_eq!(counts(&mut fixture), before, "a preview writes nothing");
    // Problems and refusals name places, never what the cells hold.
    let text = serde_json::to_string(&preview).unwrap();
    for value in [
        "loic.fictif",
        "peut",
        "25 ans",
        "inconnu",
        "Maëlle",
        "Éloïse",
    ] {
        assert!(!text.contains(value), "{value} in {text}");
    }
}

#[test]
fn pol_21_a_preview_records_the_known_people_it_revealed_and_nothing_else() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let (mut sheet, layout, mapping) = sheet("familles.xlsx");
    let camille = "camille.fictif.00@example.test";
    let (camille_id, _, _) = participant(&mut fixture, camille).unwrap();
    sheet.rows[4][2] = domain::families_import::Cell::Text(camille.into());
    let conn = fixture.store.connection();
    let preview =
        import::preview(conn, &office, &sheet, &layout, &mapping, now(), &mut |_| {}).unwrap();
    assert_eq!(
        (preview.counts.new_people, preview.counts.known_people),
        (7, 1)
    );
    let entries: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::actor_id.eq(office.staff_id.as_str()))
        .filter(audit_log::action.like("registration.%"))
        .select((audit_log::action, audit_log::participant_id))
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(
        entries,
        vec![("registration.lookup".to_owned(), Some(camille_id))],
        "the dry run is a lookup of who is known, not an import"
    );
}

#[test]
fn role_3_only_the_office_and_the_dpo_may_import_and_refusals_are_audited() {
    let mut fixture = common::demo();
    let (sheet, layout, mapping) = sheet("familles.xlsx");
    for username in ["formatrice.a", "intervenant.x", "support"] {
        let actor = fixture.actor(username);
        let before = counts(&mut fixture);
        let conn = fixture.store.connection();
        let refused = import::preview(conn, &actor, &sheet, &layout, &mapping, now(), &mut |_| {});
        assert_eq!(
            refused.unwrap_err().code().as_str(),
            "not_permitted",
            "{username}"
        );
        let refused = import::import(conn, &actor, &[], Mode::Apply, now(), &mut |_| {});
        assert_eq!(
            refused.unwrap_err().code().as_str(),
            "not_permitted",
            "{username}"
        );
        assert_eq!(counts(&mut fixture), before);
        let denied: i64 = audit_log::table
            .filter(audit_log::actor_id.eq(actor.staff_id.as_str()))
            .filter(audit_log::outcome.eq("denied"))
            .filter(audit_log::action.like("registration.import%"))
            .count()
            .get_result(fixture.store.connection())
            .unwrap();
        assert_eq!(denied, 2, "{username}: both attempts audited");
    }
    let dpo = fixture.actor("dpo");
    let (sheet, layout, mapping) = self::sheet("familles.ods");
    let conn = fixture.store.connection();
    let rows = import::clean_rows(conn, &dpo, &sheet, &layout, &mapping, now()).unwrap();
    let report = import::import(conn, &dpo, &rows, Mode::Apply, now(), &mut |_| {}).unwrap();
    assert_eq!(report.counts.new_people, 8, "the ODS imports the same");
}

#[test]
fn the_mapping_is_kept_for_next_time() {
    let mut fixture = common::demo();
    let (_, layout, mut mapping) = sheet("familles.xlsx");
    let conn = fixture.store.connection();
    assert_eq!(import::saved_mapping(conn).unwrap(), None);
    mapping[3] = Target::Ignore;
    import::save_mapping(
        conn,
        domain::families_import::SavedMapping::of(&layout, &mapping),
    )
    .unwrap();
    let saved = import::saved_mapping(conn).unwrap().unwrap();
    assert_eq!(suggest(&layout, Some(&saved)), mapping);
}
