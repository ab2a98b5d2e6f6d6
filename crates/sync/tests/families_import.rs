//! Issue 15: spreadsheet import. The office's import of its spreadsheet of
//! families (POL-7, POL-35) is sent as operations of at most
//! `sync::ops::PART_BYTES` of rows each, applied and queued on the laptop in
//! one transaction (all or nothing), and applied again by the server, which
//! creates the same people with the same ids.

mod common;

use common::*;
use diesel::prelude::*;
use domain::families_import::ImportRow;
use domain::intake::{Channel, ConsentChoice, Registration};
use domain::rights::ConsentPurpose;
use store::schema::{participants, programmes, sync_outbox};

fn rows(count: usize, programme: &str) -> Vec<ImportRow> {
    (0..count)
        .map(|n| ImportRow {
            row: n as u32 + 2,
            registration: Registration {
                given_name: "Lou".into(),
                family_name: format!("Fictif-{n:05}"),
                email: format!("famille.{n:05}@exemple.test"),
                phone: (n % 2 == 0).then(|| "06 00 00 00 00".into()),
                children_count: Some(1),
                age_brackets: vec![domain::rights::AgeBracket::Child],
                programme_id: (n % 3 != 0).then(|| programme.to_owned()),
                preferred_slots: vec!["mardi soir".into()],
                consents: vec![ConsentChoice {
                    purpose: ConsentPurpose::Newsletter,
                    granted: n % 2 == 0,
                }],
                policy_version: None,
                certified_16_plus_at: Some(start()),
                channel: Channel::Import,
            },
        })
        .collect()
}

fn imported(store: &mut store::Store) -> Vec<(String, String)> {
    participants::table
        .filter(participants::email.like("famille.%@exemple.test"))
        .select((participants::email, participants::id))
        .order(participants::email)
        .load(store.connection())
        .unwrap()
}

#[test]
fn pol_35_dc_5_an_import_of_many_rows_reaches_the_server_in_parts_with_the_same_ids() {
    let mut server = Server::demo();
    let mut office = Laptop::new(&mut server, "admin.lemans");
    office.sync(&mut server).unwrap();
    let programme: String = programmes::table
        .select(programmes::id)
        .first(office.store.connection())
        .unwrap();
    let actor = office.actor.clone();
    let mut seen = Vec::new();
    let report = sync::ops::import_families(
        &mut office.store,
        &actor,
        rows(1500, &programme),
        server.now,
        &mut |done, total| seen.push((done, total)),
    )
    .unwrap();
    assert_eq!(report.counts.new_people, 1500);
    assert_eq!(report.counts.requests_added, 1000);
    let bodies: Vec<(String, String)> = sync_outbox::table
        .select((sync_outbox::kind, sync_outbox::body))
        .load(office.store.connection())
        .unwrap();
    assert!(bodies.len() > 1, "1,500 rows do not fit one part");
    assert!(bodies.iter().all(|(kind, _)| kind == "import_families"));
    assert!(bodies
        .iter()
        .all(|(_, body)| body.len() <= sync::local::MAX_OP_BYTES));
    assert_eq!(seen.first(), Some(&(0, 1500)));
    assert_eq!(seen.last(), Some(&(1500, 1500)));
    assert_eq!(seen.len(), bodies.len() + 1, "progress after each part");

    office.sync(&mut server).unwrap();
    assert_eq!(office.status().pending, 0, "every part was accepted");
    let on_laptop = imported(&mut office.store);
    let on_server = imported(&mut server.store);
    assert_eq!(on_server.len(), 1500);
    assert_eq!(on_laptop, on_server, "the same people, the same ids");
}

#[test]
fn pol_35_a_refused_row_in_the_last_part_leaves_nothing_on_the_laptop_and_nothing_queued() {
    let mut server = Server::demo();
    let mut office = Laptop::new(&mut server, "admin.lemans");
    office.sync(&mut server).unwrap();
    let programme: String = programmes::table
        .select(programmes::id)
        .first(office.store.connection())
        .unwrap();
    let mut rows = rows(2000, &programme);
    rows.last_mut().unwrap().registration.programme_id = Some("programme-inconnu".into());
    let actor = office.actor.clone();
    let error =
        sync::ops::import_families(&mut office.store, &actor, rows, server.now, &mut |_, _| {})
            .unwrap_err();
    assert_eq!(error.code().as_str(), "import_has_problems");
    assert_eq!(error.details().get("row").map(String::as_str), Some("2001"));
    assert!(imported(&mut office.store).is_empty(), "all or nothing");
    assert_eq!(office.status().pending, 0, "no part was queued");
}
