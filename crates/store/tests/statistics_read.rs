//! Issue 16 (POL-11, POL-12, ROLE-1): reading published statistics on a
//! laptop. The office and the DPO read every cell of a release, hidden ones
//! as "hidden, no value"; trainers read their own groups' funnels and
//! nothing else; the CSV export is for a French spreadsheet and audited.

mod common;

use common::{now, Fixture};
use diesel::prelude::*;
use domain::statistics::{Cell, Format, Measure, Month, Step};
use std::collections::{BTreeMap, BTreeSet};
use store::statistics::read::{self, Language};
use store::StoreError;

/// The demo, whose seed released the three months before its `now` through
/// the monthly run (`store::statistics::run`); October, the latest, is read.
fn demo() -> Fixture {
    common::demo()
}

/// A release's cells and their values (none for a hidden cell).
type Cells = Vec<(Cell, Option<u64>)>;

/// The cells of `month`'s release as the ledger holds them (a hidden cell
/// has no value), in key order.
fn stored(fixture: &mut Fixture, month: &str) -> Cells {
    use store::schema::stat_cells;
    let rows: Vec<(String, Option<i64>)> = stat_cells::table
        .filter(stat_cells::month.eq(month))
        .order(stat_cells::id)
        .select((stat_cells::id, stat_cells::value))
        .load(fixture.store.connection())
        .unwrap();
    assert!(!rows.is_empty(), "the demo released {month}");
    rows.into_iter()
        .map(|(key, value)| {
            let cell = Cell::parse(&key).expect("the run writes keys that parse");
            (cell, value.map(|v| v as u64))
        })
        .collect()
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
    let mut fixture = demo();
    let cells = stored(&mut fixture, "2026-10");
    let office = fixture.actor("admin.lemans");
    // Every release, latest first, with its cells as the ledger counts them.
    let mut expected_months = Vec::new();
    for month in ["2026-10", "2026-09", "2026-08"] {
        let held = stored(&mut fixture, month);
        let published = held.iter().filter(|(_, v)| v.is_some()).count() as u64;
        expected_months.push((month.to_owned(), held.len() as u64, published));
    }
    let conn = fixture.store.connection();
    let months: Vec<(String, u64, u64)> = read::months(conn, &office, now())
        .unwrap()
        .into_iter()
        .map(|m| (m.month, m.cells, m.published))
        .collect();
    assert_eq!(months, expected_months);
    assert!(
        cells.iter().any(|(_, v)| v.is_none()),
        "the release hides some cells"
    );

    let tables = read::month_tables(conn, &office, "2026-10", now()).unwrap();
    // Sections: most viewed first, the hidden ones last and without a value.
    let shown: Vec<(String, Option<u64>, bool)> = tables
        .sections
        .iter()
        .map(|s| (s.section.clone(), s.value, s.hidden))
        .collect();
    let expected: BTreeSet<(String, Option<u64>, bool)> = cells
        .iter()
        .filter_map(|(cell, value)| match cell {
            Cell::Section { section, .. } => Some((section.clone(), *value, value.is_none())),
            _ => None,
        })
        .collect();
    assert_eq!(shown.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(shown.len(), expected.len());
    let hidden_from = shown.iter().position(|s| s.2).expect("a hidden section");
    assert!(shown[hidden_from..].iter().all(|s| s.2), "hidden ones last");
    assert!(
        shown[..hidden_from].windows(2).all(|w| w[0].1 >= w[1].1),
        "most viewed first"
    );
    // Every figure the window gets is the ledger's, hidden ones have none.
    let mut answered: BTreeMap<String, Option<u64>> = BTreeMap::new();
    for s in &tables.sections {
        assert_eq!(s.hidden, s.value.is_none());
        answered.insert(format!("sections/2026-10/{}", s.section), s.value);
    }
    for (kind, funnels) in [("programme", &tables.programmes), ("group", &tables.groups)] {
        for funnel in funnels {
            // The funnel's steps in the release: enrolled, the sessions in
            // order, completed.
            let mut steps: Vec<Step> = cells
                .iter()
                .filter_map(|(cell, _)| match cell {
                    Cell::ProgrammeFunnel {
                        programme, step, ..
                    } if kind == "programme" && *programme == funnel.id => Some(*step),
                    Cell::GroupFunnel { group, step, .. }
                        if kind == "group" && *group == funnel.id =>
                    {
                        Some(*step)
                    }
                    _ => None,
                })
                .collect();
            steps.sort();
            assert_eq!(steps.first(), Some(&Step::Enrolled));
            assert_eq!(steps.last(), Some(&Step::Completed));
            let expected: Vec<String> = steps.iter().map(|s| s.key()).collect();
            let keys: Vec<String> = funnel.steps.iter().map(|s| s.step.clone()).collect();
            assert_eq!(keys, expected, "steps in order");
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
    let mut fixture = demo();
    let cells = stored(&mut fixture, "2026-10");
    let dpo = fixture.actor("dpo");
    let tables = read::month_tables(fixture.store.connection(), &dpo, "2026-10", now()).unwrap();
    let value = |format: Format, measure: Measure| -> Option<u64> {
        let found = cells.iter().find(|(cell, _)| {
            matches!(cell, Cell::Format { format: f, measure: m, .. } if *f == format && *m == measure)
        });
        found.expect("the release has every measure of a format").1
    };
    let formats: Vec<&str> = tables.formats.iter().map(|f| f.format.as_str()).collect();
    let expected: Vec<&str> = Format::ALL
        .into_iter()
        .filter(|format| {
            cells
                .iter()
                .any(|(cell, _)| matches!(cell, Cell::Format { format: f, .. } if f == format))
        })
        .map(Format::as_str)
        .collect();
    assert_eq!(formats, expected, "the formats of the release, in order");
    let (mut hidden_rates, mut computed_rates) = (0, 0);
    for row in &tables.formats {
        let format = Format::parse(&row.format).unwrap();
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
                (Some(_), Some(0)) => {
                    assert!(!rate.hidden && rate.value.is_none(), "{format:?} {top:?}");
                }
                (Some(t), Some(b)) => {
                    computed_rates += 1;
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
        hidden_rates > 0 && computed_rates > 0,
        "the release has a rate over a hidden cell and one over two published cells"
    );
}

#[test]
fn role_1_a_trainer_reads_only_the_funnels_of_the_groups_they_lead() {
    let mut fixture = demo();
    let released = ["2026-10", "2026-09", "2026-08"];
    let ledger: Vec<(&str, Cells)> = released
        .iter()
        .map(|month| (*month, stored(&mut fixture, month)))
        .collect();
    for username in ["formatrice.a", "formateur.b"] {
        let trainer = fixture.actor(username);
        let mine = led_groups(&mut fixture, username);
        assert!(!mine.is_empty());
        // The cells of each release that are a group funnel of theirs.
        let theirs = |cells: &[(Cell, Option<u64>)]| -> BTreeMap<String, Option<u64>> {
            cells
                .iter()
                .filter(|(cell, _)| {
                    matches!(cell, Cell::GroupFunnel { group, .. } if mine.contains(group))
                })
                .map(|(cell, value)| (cell.key(), *value))
                .collect()
        };
        let expected_months: Vec<(String, u64)> = ledger
            .iter()
            .map(|(month, cells)| (month.to_string(), theirs(cells).len() as u64))
            .filter(|(_, n)| *n > 0)
            .collect();
        let without: Vec<&str> = ledger
            .iter()
            .filter(|(_, cells)| theirs(cells).is_empty())
            .map(|(month, _)| *month)
            .collect();
        assert!(
            !expected_months.is_empty() && !without.is_empty(),
            "{username}: the demo has releases with and without their groups"
        );
        let october = theirs(&ledger[0].1);
        let conn = fixture.store.connection();
        let months: Vec<(String, u64)> = read::months(conn, &trainer, now())
            .unwrap()
            .into_iter()
            .map(|m| (m.month, m.cells))
            .collect();
        assert_eq!(
            months, expected_months,
            "{username}: only the months with their groups"
        );
        let tables = read::month_tables(conn, &trainer, "2026-10", now()).unwrap();
        assert!(tables.sections.is_empty() && tables.programmes.is_empty());
        assert!(tables.formats.is_empty());
        let seen: BTreeMap<String, Option<u64>> = tables
            .groups
            .iter()
            .flat_map(|g| {
                g.steps
                    .iter()
                    .map(move |s| (format!("funnel/2026-10/group/{}/{}", g.id, s.step), s.value))
            })
            .collect();
        assert_eq!(
            seen, october,
            "{username}: exactly the cells of their groups"
        );
        // A month released for the office holds nothing for the trainer.
        for month in without {
            let empty = read::month_tables(conn, &trainer, month, now()).unwrap();
            assert!(empty.groups.is_empty() && empty.sections.is_empty());
            assert!(empty.programmes.is_empty() && empty.formats.is_empty());
        }
        let csv = read::export(conn, &trainer, "2026-10", Language::French, now()).unwrap();
        assert_eq!(csv.rows, october.len());
    }
}

#[test]
fn role_1_a_cell_whose_key_names_another_group_is_not_read_by_a_trainer() {
    let mut fixture = demo();
    let trainer = fixture.actor("formatrice.a");
    let mine = led_groups(&mut fixture, "formatrice.a");
    let own = mine.iter().next().unwrap().clone();
    // A group of the release the trainer does not lead.
    let other = stored(&mut fixture, "2026-10")
        .into_iter()
        .find_map(|(cell, _)| match cell {
            Cell::GroupFunnel { group, .. } if !mine.contains(&group) => Some(group),
            _ => None,
        })
        .expect("the release has a group of another trainer");
    let conn = fixture.store.connection();
    // The one crafted row of these tests (the run never writes a group_id
    // that disagrees with the key): the other group's enrolled cell, with
    // the trainer's group in the column the scope is checked on, to prove
    // the reader checks `group_id` against the key.
    let changed = diesel::sql_query("UPDATE stat_cells SET group_id = ? WHERE id = ?")
        .bind::<diesel::sql_types::Text, _>(&own)
        .bind::<diesel::sql_types::Text, _>(format!("funnel/2026-10/group/{other}/enrolled"))
        .execute(conn)
        .unwrap();
    assert_eq!(changed, 1);
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
    let mut fixture = demo();
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
    let mut fixture = demo();
    let office = fixture.actor("admin.lemans");
    let conn = fixture.store.connection();
    for bad in ["2026-13", "octobre", "2026-1", ""] {
        let error = read::month_tables(conn, &office, bad, now()).unwrap_err();
        assert!(
            matches!(error, StoreError::InvalidInput(ref f) if f == "month"),
            "{bad}"
        );
    }
    // The months just outside the releases the seed published.
    use store::schema::stat_releases;
    let released: Vec<String> = stat_releases::table
        .select(stat_releases::month)
        .order(stat_releases::month)
        .load(conn)
        .unwrap();
    let first = Month::parse(&released[0]).unwrap();
    let last = Month::parse(released.last().unwrap()).unwrap();
    for month in [first.previous(), last.next()] {
        let error = read::month_tables(conn, &office, &month.to_string(), now()).unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{month}");
    }
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
    let mut fixture = demo();
    let cells = stored(&mut fixture, "2026-10");
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
    // A hidden section of the release, and a programme's second session.
    let hidden_section = cells
        .iter()
        .find_map(|(cell, value)| match cell {
            Cell::Section { section, .. } if value.is_none() => Some(section.clone()),
            _ => None,
        })
        .expect("the release hides a section");
    assert!(rows
        .iter()
        .any(|r| r[0] == "Sections consultées" && r[1] == hidden_section && r[3] == "< 5"));
    assert!(cells.iter().any(|(cell, _)| matches!(
        cell,
        Cell::ProgrammeFunnel {
            step: Step::Session(2),
            ..
        }
    )));
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
    let mut fixture = demo();
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
