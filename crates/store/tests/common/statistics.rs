//! Issue 16: a release of statistics written into `stat_releases` and
//! `stat_cells` with plain SQL, as the ledger holds it (a hidden cell has
//! no value), over the demo's planning. The monthly run (`store::statistics
//! ::run`) writes the real ones; the reading, the replica and the window are
//! tested on these until the demo seed publishes its own. Shared by the
//! store's, the sync crate's and the window's tests (`#[path]`).
#![allow(dead_code)]

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use domain::statistics::{Cell, Format, Measure, Month, Step};

/// The cells of a release over the demo's planning: four sections (one
/// hidden), a funnel per programme and per group (a step hidden in some),
/// and the three formats (a few measures hidden). Values vary with the
/// order of programmes and groups, so a mix-up shows.
pub fn demo_cells(conn: &mut SqliteConnection, month: Month) -> Vec<(Cell, Option<u64>)> {
    use store::schema::{programmes, workshop_groups};
    let mut cells = Vec::new();
    for (section, value) in [
        ("accueil", Some(42)),
        ("ateliers", Some(17)),
        ("forum-parents", None),
        ("ressources", Some(9)),
    ] {
        cells.push((
            Cell::Section {
                month,
                section: section.to_owned(),
            },
            value,
        ));
    }
    let steps = [
        Step::Enrolled,
        Step::Session(1),
        Step::Session(2),
        Step::Completed,
    ];
    let programme_ids: Vec<String> = programmes::table
        .select(programmes::id)
        .order(programmes::id)
        .load(conn)
        .unwrap();
    for (i, programme) in programme_ids.iter().enumerate() {
        let i = i as u64;
        for (s, step) in steps.iter().enumerate() {
            let value = (i != 1 || s != 2).then_some(40 + i * 3 - s as u64 * 6);
            cells.push((
                Cell::ProgrammeFunnel {
                    month,
                    programme: programme.clone(),
                    step: *step,
                },
                value,
            ));
        }
    }
    let group_ids: Vec<String> = workshop_groups::table
        .select(workshop_groups::id)
        .order(workshop_groups::id)
        .load(conn)
        .unwrap();
    for (g, group) in group_ids.iter().enumerate() {
        let g = g as u64;
        for (s, step) in steps.iter().enumerate() {
            let value = (!g.is_multiple_of(2) || s != 3).then_some(12 + g - s as u64 * 2);
            cells.push((
                Cell::GroupFunnel {
                    month,
                    group: group.clone(),
                    step: *step,
                },
                value,
            ));
        }
    }
    for (f, format) in Format::ALL.into_iter().enumerate() {
        let f = f as u64;
        for measure in Measure::ALL {
            let value = match measure {
                Measure::Scheduled => Some(30 + f * 10),
                Measure::Attended => Some(24 + f * 5),
                Measure::Asked if f == 2 => None,
                Measure::Asked => Some(8 + f),
                Measure::Questions if f == 2 => None,
                Measure::Questions => Some(19 + f),
                Measure::EnrolledToDate => Some(50 + f * 7),
                Measure::CompletedToDate if f == 1 => None,
                Measure::CompletedToDate => Some(20 + f),
            };
            cells.push((
                Cell::Format {
                    month,
                    format,
                    measure,
                },
                value,
            ));
        }
    }
    cells
}

/// Writes a release of `cells` for `month`, as the ledger keeps it.
pub fn publish(conn: &mut SqliteConnection, month: Month, cells: &[(Cell, Option<u64>)]) {
    use store::schema::workshop_groups;
    let published = cells.iter().filter(|(_, v)| v.is_some()).count() as i32;
    diesel::sql_query(
        "INSERT INTO stat_releases (month, published_at, cells, published, updated_at, updated_device) \
         VALUES (?, '2026-11-02 03:00:00', ?, ?, '2026-11-02 03:00:00', 'server')",
    )
    .bind::<Text, _>(month.to_string())
    .bind::<Integer, _>(cells.len() as i32)
    .bind::<Integer, _>(published)
    .execute(conn)
    .unwrap();
    for (position, (cell, value)) in cells.iter().enumerate() {
        let (programme, group, dimension, measure) = match cell {
            Cell::Section { section, .. } => (None, None, section.clone(), "viewers".to_owned()),
            Cell::ProgrammeFunnel {
                programme, step, ..
            } => (Some(programme.clone()), None, programme.clone(), step.key()),
            Cell::GroupFunnel { group, step, .. } => {
                let programme: Option<String> = workshop_groups::table
                    .find(group)
                    .select(workshop_groups::programme_id)
                    .first(conn)
                    .optional()
                    .unwrap();
                (programme, Some(group.clone()), group.clone(), step.key())
            }
            Cell::Format {
                format, measure, ..
            } => (
                None,
                None,
                format.as_str().to_owned(),
                measure.as_str().to_owned(),
            ),
        };
        diesel::sql_query(
            "INSERT INTO stat_cells (id, month, table_name, programme_id, group_id, dimension, \
             measure, value, outcome, position, updated_at, updated_device) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-11-02 03:00:00', 'server')",
        )
        .bind::<Text, _>(cell.key())
        .bind::<Text, _>(month.to_string())
        .bind::<Text, _>(cell.table().as_str())
        .bind::<Nullable<Text>, _>(programme)
        .bind::<Nullable<Text>, _>(group)
        .bind::<Text, _>(dimension)
        .bind::<Text, _>(measure)
        .bind::<Nullable<BigInt>, _>(value.map(|v| v as i64))
        .bind::<Text, _>(if value.is_some() {
            "published"
        } else {
            "primary"
        })
        .bind::<Integer, _>(position as i32)
        .execute(conn)
        .unwrap();
    }
}

/// Publishes [`demo_cells`] for `month` unless a release of that month exists.
pub fn ensure_release(conn: &mut SqliteConnection, month: Month) {
    use store::schema::stat_releases;
    let held: i64 = stat_releases::table
        .filter(stat_releases::month.eq(month.to_string()))
        .count()
        .get_result(conn)
        .unwrap();
    if held == 0 {
        let cells = demo_cells(conn, month);
        publish(conn, month, &cells);
    }
}
