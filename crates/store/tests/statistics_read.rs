//! Issue 16 (POL-11, POL-12, ROLE-1): reading published statistics on a
//! laptop. The office and the DPO read every cell of a release, hidden ones
//! as "hidden, no value"; trainers read their own groups' funnels and
//! nothing else; the CSV export is for a French spreadsheet and audited.

mod common;

use common::statistics::{demo_cells, publish};
use common::{now, Fixture};
use diesel::prelude::*;
use domain::statistics::{Cell, Format, Measure, Month};
use std::collections::{BTreeMap, BTreeSet};
use store::statistics::read::{self, Language};
use store::StoreError;

fn october() -> Month {
    Month::new(2026, 10).unwrap()
}

/// The demo with October's release; the cells as written.
fn with_release() -> (Fixture, Vec<(Cell, Option<u64>)>) {
    let mut fixture = common::demo();
    let cells = demo_cells(fixture.store.connection(), october());
    publish(fixture.store.connection(), october(), &cells);
    (fixture, cells)
}

fn led_groups(fixture: &mut Fixture, username: &str) -> BTreeSet<String> {
    use store::schema::{staff, workshop_groups};
    workshop_groups::table
        .inner_join(staff::table.on(staff::id.eq(workshop_groups::trainer_id)))
        .filter(staff::username.eq(username))
        .select(workshop_groups::id)
        .load::<String>(fixture.store.connection())
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn pol_11_the_office_reads_every_cell_hidden_ones_without_a_value() {
    let (mut fixture, cells) = with_release();
    let office = fixture.actor("admin.lemans");
    let conn = fixture.store.connection();
    let months = read::months(conn, &office, now()).unwrap();
    assert_eq!(months.len(), 1);
    assert_eq!(months[0].month, "2026-10");
    assert_eq!(months[0].cells, cells.len() as u64);
    let published = cells.iter().filter(|(_, v)| v.is_some()).count() as u64;
    assert_eq!(months[0].published, published);

    let tables = read::month_tables(conn, &office, "2026-10", now()).unwrap();
    // Sections: most viewed first, the hidden one last and without a value.
    let shown: Vec<(String, Option<u64>, bool)> = tables
        .sections
        .iter()
        .map(|s| (s.section.clone(), s.value, s.hidden))
        .collect();
    let mut expected: Vec<(String, Option<u64>, bool)> = cells
        .iter()
        .filter_map(|(cell, value)| match cell {
            Cell::Section { section, .. } => Some((section.clone(), *value, value.is_none())),
            _ => None,
        })
        .collect();
    expected.sort_by(|a, b| a.2.cmp(&b.2).then(b.1.cmp(&a.1)));
    assert_eq!(shown, expected);
    assert!(tables.sections.last().unwrap().hidden);
    // Every figure the window gets is the ledger's, hidden ones have none.
    let mut answered: BTreeMap<String, Option<u64>> = BTreeMap::new();
    for s in &tables.sections {
        assert_eq!(s.hidden, s.value.is_none());
        answered.insert(format!("sections/2026-10/{}", s.section), s.value);
    }
    for (kind, funnels) in [("programme", &tables.programmes), ("group", &tables.groups)] {
        for funnel in funnels {
            let keys: Vec<&str> = funnel.steps.iter().map(|s| s.step.as_str()).collect();
            assert_eq!(
                keys,
                ["enrolled", "session-1", "session-2", "completed"],
                "steps in order"
            );
            for step in &funnel.steps {
                assert_eq!(step.hidden, step.value.is_none());
                answered.insert(
                    format!("funnel/2026-10/{kind}/{}/{}", funnel.id, step.step),
                    step.value,
                );
            }
        }
    }
    for format in &tables.formats {
        for m in &format.measures {
            answered.insert(
                format!("formats/2026-10/{}/{}", format.format, m.measure),
                m.value,
            );
        }
    }
    let written: BTreeMap<String, Option<u64>> =
        cells.iter().map(|(cell, v)| (cell.key(), *v)).collect();
    assert_eq!(answered, written, "every cell, as published");
    // Names from the planning.
    use store::schema::{programmes, workshop_groups};
    for funnel in &tables.programmes {
        let name: String = programmes::table
            .find(&funnel.id)
            .select(programmes::name)
            .first(conn)
            .unwrap();
        assert_eq!(funnel.name, name);
    }
    for funnel in &tables.groups {
        let (name, programme): (String, String) = workshop_groups::table
            .find(&funnel.id)
            .inner_join(programmes::table)
            .select((workshop_groups::name, programmes::name))
            .first(conn)
            .unwrap();
        assert_eq!(
            (&funnel.name, funnel.programme.as_ref()),
            (&name, Some(&programme))
        );
    }
}

#[test]
fn pol_12_rates_are_computed_only_from_published_cells() {
    let (mut fixture, cells) = with_release();
    let dpo = fixture.actor("dpo");
    let tables = read::month_tables(fixture.store.connection(), &dpo, "2026-10", now()).unwrap();
    let value = |format: Format, measure: Measure| -> Option<u64> {
        cells
            .iter()
            .find(|(cell, _)| {
                matches!(cell, Cell::Format { format: f, measure: m, .. } if *f == format && *m == measure)
            })
            .and_then(|(_, v)| *v)
    };
    assert_eq!(tables.formats.len(), 3);
    let mut hidden_rates = 0;
    for (row, format) in tables.formats.iter().zip(Format::ALL) {
        assert_eq!(row.format, format.as_str());
        for (rate, top, bottom) in [
            (&row.attendance_rate, Measure::Attended, Measure::Scheduled),
            (
                &row.questions_per_attendee,
                Measure::Questions,
                Measure::Attended,
            ),
            (
                &row.completion_rate,
                Measure::CompletedToDate,
                Measure::EnrolledToDate,
            ),
        ] {
            match (value(format, top), value(format, bottom)) {
                (Some(t), Some(b)) => {
                    assert!(!rate.hidden);
                    assert_eq!(rate.value, Some(t as f64 / b as f64));
                }
                _ => {
                    hidden_rates += 1;
                    assert!(rate.hidden && rate.value.is_none(), "{format:?} {top:?}");
                }
            }
        }
    }
    assert!(
        hidden_rates >= 2,
        "the fixture hides a questions and a completion cell"
    );
}

#[test]
fn role_1_a_trainer_reads_only_the_funnels_of_the_groups_they_lead() {
    let (mut fixture, cells) = with_release();
    // A month with sections only: nothing of it is a trainer's.
    let september = Month::new(2026, 9).unwrap();
    let sections: Vec<(Cell, Option<u64>)> = demo_cells(fixture.store.connection(), september)
        .into_iter()
        .filter(|(cell, _)| matches!(cell, Cell::Section { .. }))
        .collect();
    publish(fixture.store.connection(), september, &sections);
    for username in ["formatrice.a", "formateur.b"] {
        let trainer = fixture.actor(username);
        let mine = led_groups(&mut fixture, username);
        assert!(!mine.is_empty());
        let conn = fixture.store.connection();
        let months = read::months(conn, &trainer, now()).unwrap();
        let expected_cells = cells
            .iter()
            .filter(
                |(cell, _)| matches!(cell, Cell::GroupFunnel { group, .. } if mine.contains(group)),
            )
            .count() as u64;
        assert_eq!(
            months.len(),
            1,
            "{username}: only the month with their groups"
        );
        assert_eq!(months[0].cells, expected_cells);
        let tables = read::month_tables(conn, &trainer, "2026-10", now()).unwrap();
        assert!(tables.sections.is_empty() && tables.programmes.is_empty());
        assert!(tables.formats.is_empty());
        let seen: BTreeSet<String> = tables.groups.iter().map(|g| g.id.clone()).collect();
        assert_eq!(seen, mine, "{username}: exactly the groups they lead");
        // The office's September exists; for the trainer it holds nothing.
        let empty = read::month_tables(conn, &trainer, "2026-09", now()).unwrap();
        assert!(empty.groups.is_empty() && empty.sections.is_empty());
        let csv = read::export(conn, &trainer, "2026-10", Language::French, now()).unwrap();
        assert_eq!(csv.rows as u64, expected_cells);
    }
}

#[test]
fn role_1_a_cell_whose_key_names_another_group_is_not_read_by_a_trainer() {
    let (mut fixture, _) = with_release();
    let trainer = fixture.actor("formatrice.a");
    let mine = led_groups(&mut fixture, "formatrice.a");
    let own = mine.iter().next().unwrap().clone();
    let conn = fixture.store.connection();
    use store::schema::workshop_groups;
    let other: String = workshop_groups::table
        .filter(workshop_groups::id.ne_all(mine.iter().cloned().collect::<Vec<_>>()))
        .select(workshop_groups::id)
        .first(conn)
        .unwrap();
    // A row of the other group's funnel with the trainer's group in the
    // column the scope is checked on.
    diesel::sql_query("UPDATE stat_cells SET group_id = ? WHERE id = ?")
        .bind::<diesel::sql_types::Text, _>(&own)
        .bind::<diesel::sql_types::Text, _>(format!("funnel/2026-10/group/{other}/enrolled"))
        .execute(conn)
        .unwrap();
    let tables = read::month_tables(conn, &trainer, "2026-10", now()).unwrap();
    assert!(tables.groups.iter().all(|g| mine.contains(&g.id)));
    assert!(tables
        .groups
        .iter()
        .all(|g| g.steps.iter().filter(|s| s.step == "enrolled").count() == 1));
}

#[test]
fn role_2_role_4_external_trainers_and_support_are_refused_and_audited() {
    use store::schema::audit_log;
    let (mut fixture, _) = with_release();
    for username in ["intervenant.x", "support"] {
        let actor = fixture.actor(username);
        let conn = fixture.store.connection();
        let refused = read::months(conn, &actor, now()).unwrap_err();
        assert_eq!(refused.code(), domain::ErrorCode::NotPermitted);
        let refused = read::export(conn, &actor, "2026-10", Language::French, now()).unwrap_err();
        assert_eq!(refused.code(), domain::ErrorCode::NotPermitted);
        let denied: Vec<String> = audit_log::table
            .filter(audit_log::actor_id.eq(actor.staff_id.as_str()))
            .filter(audit_log::outcome.eq("denied"))
            .filter(audit_log::action.like("statistics.%"))
            .select(audit_log::action)
            .load(conn)
            .unwrap();
        assert_eq!(
            denied,
            ["statistics.list", "statistics.export"],
            "{username}"
        );
    }
}

#[test]
fn a_month_is_written_yyyy_mm_and_must_have_been_published() {
    let (mut fixture, _) = with_release();
    let office = fixture.actor("admin.lemans");
    let conn = fixture.store.connection();
    for bad in ["2026-13", "octobre", "2026-1", ""] {
        let error = read::month_tables(conn, &office, bad, now()).unwrap_err();
        assert!(
            matches!(error, StoreError::InvalidInput(ref f) if f == "month"),
            "{bad}"
        );
    }
    let error = read::month_tables(conn, &office, "2026-08", now()).unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)));
}

/// The CSV's records, BOM checked and removed.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn pol_11_the_export_is_for_a_french_spreadsheet_one_row_per_cell_and_audited() {
    use store::schema::audit_log;
    let (mut fixture, cells) = with_release();
    let office = fixture.actor("admin.lemans");
    let conn = fixture.store.connection();
    let csv = read::export(conn, &office, "2026-10", Language::French, now()).unwrap();
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.starts_with("\u{feff}\"table\";\"ligne\";\"colonne\";\"valeur\"\r\n"));
    let rows = records(&csv.bytes);
    assert_eq!(rows.len(), cells.len() + 1);
    assert_eq!(csv.rows, cells.len());
    let hidden = cells.iter().filter(|(_, v)| v.is_none()).count();
    let shown_hidden = rows.iter().filter(|r| r[3] == "< 5").count();
    assert_eq!(shown_hidden, hidden, "each hidden cell is \"< 5\"");
    // Every other value is a published figure of the release.
    let published: BTreeSet<String> = cells
        .iter()
        .filter_map(|(_, v)| v.map(|v| v.to_string()))
        .collect();
    for row in &rows[1..] {
        assert_eq!(row.len(), 4);
        assert!(row[3] == "< 5" || published.contains(&row[3]), "{row:?}");
    }
    assert!(rows
        .iter()
        .any(|r| r[0] == "Sections consultées" && r[1] == "forum-parents" && r[3] == "< 5"));
    assert!(rows
        .iter()
        .any(|r| r[0] == "Parcours par programme" && r[2] == "Séance 2"));
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::actor_id.eq(office.staff_id.as_str()))
        .filter(audit_log::action.eq("statistics.export"))
        .select((audit_log::outcome, audit_log::participant_id))
        .load(conn)
        .unwrap();
    assert_eq!(
        audited,
        [("allowed".to_owned(), None)],
        "one entry, no one named"
    );
    // Reading the tables leaves nothing in the trail (no personal data).
    read::month_tables(conn, &office, "2026-10", now()).unwrap();
    let listed: i64 = audit_log::table
        .filter(audit_log::action.eq("statistics.list"))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(listed, 0);

    let english = read::export(conn, &office, "2026-10", Language::English, now()).unwrap();
    let rows = records(&english.bytes);
    assert_eq!(rows[0], ["table", "row", "column", "value"]);
    assert!(rows
        .iter()
        .any(|r| r[0] == "Funnel by group" && r[2] == "Completed"));
}

#[test]
fn a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text() {
    let (mut fixture, _) = with_release();
    let office = fixture.actor("admin.lemans");
    let conn = fixture.store.connection();
    diesel::sql_query("UPDATE workshop_groups SET name = '=SOMME(A1:A9)'")
        .execute(conn)
        .unwrap();
    let csv = read::export(conn, &office, "2026-10", Language::French, now()).unwrap();
    let rows = records(&csv.bytes);
    let groups: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0] == "Parcours par groupe")
        .collect();
    assert!(!groups.is_empty());
    assert!(groups.iter().all(|r| r[1] == "'=SOMME(A1:A9)"));
}
