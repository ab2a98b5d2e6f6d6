//! Issue 16 (POL-11, POL-12, ROLE-1, POL-20): published statistics reach
//! the laptops as reference tables. The office's and the DPO's laptops hold
//! every cell of every release; a trainer's laptop holds the funnel cells
//! of the groups they lead and nothing else; the other roles hold none. A
//! hidden cell has no value on the server, so none reaches a laptop.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::statistics::Month;
use domain::Actor;
use std::collections::BTreeSet;

/// The server's demo, whose seed released the three months before its
/// `now` through the monthly run (`store::statistics::run`).
fn server_with_release() -> Server {
    let mut server = Server::demo();
    let months = keys(
        server.store.connection(),
        "SELECT month AS id FROM stat_releases",
    );
    assert!(!months.is_empty(), "the demo released some months");
    server
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Text)]
    id: String,
}

fn keys(conn: &mut SqliteConnection, sql: &str) -> BTreeSet<String> {
    diesel::sql_query(sql)
        .load::<Key>(conn)
        .unwrap()
        .into_iter()
        .map(|k| k.id)
        .collect()
}

/// What the laptop holds: cell keys, and the release months.
fn held(laptop: &mut Laptop) -> (BTreeSet<String>, BTreeSet<String>) {
    let conn = laptop.store.connection();
    (
        keys(conn, "SELECT id FROM stat_cells"),
        keys(conn, "SELECT month AS id FROM stat_releases"),
    )
}

/// The funnel cells of the groups `staff` leads, on the server.
fn cells_of_trainer(server: &mut Server, staff: &str) -> BTreeSet<String> {
    keys(
        server.store.connection(),
        &format!(
            "SELECT c.id AS id FROM stat_cells c JOIN workshop_groups g ON g.id = c.group_id \
             WHERE g.trainer_id = '{staff}' AND c.table_name = 'funnel'"
        ),
    )
}

#[test]
fn pol_11_the_office_and_the_dpo_receive_every_cell_and_a_trainer_only_their_groups() {
    let mut server = server_with_release();
    let every_cell = keys(server.store.connection(), "SELECT id FROM stat_cells");
    let hidden = keys(
        server.store.connection(),
        "SELECT id FROM stat_cells WHERE value IS NULL",
    );
    assert!(!hidden.is_empty(), "the releases hide some cells");
    let released = keys(
        server.store.connection(),
        "SELECT month AS id FROM stat_releases",
    );
    for username in ["admin.lemans", "dpo"] {
        let mut laptop = Laptop::new(&mut server, username);
        laptop.sync(&mut server).unwrap();
        let (cells, months) = held(&mut laptop);
        assert_eq!(cells, every_cell, "{username}: every cell of the releases");
        assert_eq!(months, released, "{username}: every release");
        let valued = keys(
            laptop.store.connection(),
            "SELECT id FROM stat_cells WHERE value IS NOT NULL",
        );
        assert!(valued.is_disjoint(&hidden), "no hidden cell has a value");
        assert_converged(&mut server, &mut laptop);
    }
    for username in ["formatrice.a", "formateur.b"] {
        let mut laptop = Laptop::new(&mut server, username);
        laptop.sync(&mut server).unwrap();
        let mine = cells_of_trainer(&mut server, laptop.actor.staff_id.as_str());
        assert!(!mine.is_empty(), "{username} leads groups with cells");
        let (cells, months) = held(&mut laptop);
        assert_eq!(cells, mine, "{username}: only the funnels of their groups");
        assert!(
            cells
                .iter()
                .all(|key| key.starts_with("funnel/") && key.contains("/group/")),
            "{username}: no programme, format or section cell"
        );
        assert_eq!(months, released, "{username}: every release row");
        assert_converged(&mut server, &mut laptop);
    }
    for username in ["intervenant.x", "support"] {
        let mut laptop = Laptop::new(&mut server, username);
        laptop.sync(&mut server).unwrap();
        let (cells, months) = held(&mut laptop);
        assert!(
            cells.is_empty() && months.is_empty(),
            "{username} holds none"
        );
    }
}

#[test]
fn pol_11_a_new_release_reaches_synced_laptops_at_their_next_pull() {
    let mut server = server_with_release();
    let mut office = Laptop::new(&mut server, "admin.lemans");
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    office.sync(&mut server).unwrap();
    trainer.sync(&mut server).unwrap();
    // The monthly run releases November once it has ended, as the server's
    // statistics run does (the actor: a DPO, who reads the traces).
    let november = Month::new(2026, 11).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
    let (dpo, role) = server.staff("dpo");
    let dpo = Actor::new(dpo, role, server.store.device().clone());
    let summary =
        store::statistics::run::publish(server.store.connection(), &dpo, november, at).unwrap();
    assert!(!summary.already_released && summary.cells > 0);
    server.now = at + Duration::minutes(5);
    office.sync(&mut server).unwrap();
    trainer.sync(&mut server).unwrap();
    let every_cell = keys(server.store.connection(), "SELECT id FROM stat_cells");
    let released = keys(
        server.store.connection(),
        "SELECT month AS id FROM stat_releases",
    );
    assert!(released.contains("2026-11"));
    let (held_cells, months) = held(&mut office);
    assert_eq!(
        held_cells, every_cell,
        "the office holds November's cells too"
    );
    assert_eq!(months, released);
    let mine = cells_of_trainer(&mut server, trainer.actor.staff_id.as_str());
    assert!(mine.iter().any(|key| key.starts_with("funnel/2026-11/")));
    assert_eq!(held(&mut trainer).0, mine);
    assert_converged(&mut server, &mut office);
    assert_converged(&mut server, &mut trainer);
}

#[test]
fn role_1_a_group_handed_to_another_trainer_takes_its_cells_along() {
    let mut server = server_with_release();
    let mut a = Laptop::new(&mut server, "formatrice.a");
    let mut b = Laptop::new(&mut server, "formateur.b");
    a.sync(&mut server).unwrap();
    b.sync(&mut server).unwrap();
    let b_id = b.actor.staff_id.as_str().to_owned();
    let group: String = {
        use store::schema::workshop_groups;
        workshop_groups::table
            .filter(workshop_groups::trainer_id.eq(&b_id))
            .select(workshop_groups::id)
            .order(workshop_groups::id)
            .first(server.store.connection())
            .unwrap()
    };
    let moved: BTreeSet<String> = held(&mut b)
        .0
        .into_iter()
        .filter(|key| key.contains(&format!("/group/{group}/")))
        .collect();
    assert!(!moved.is_empty());
    // The office gives the group to trainer A (as it lands on the server).
    diesel::sql_query("UPDATE workshop_groups SET trainer_id = ? WHERE id = ?")
        .bind::<Text, _>(a.actor.staff_id.as_str())
        .bind::<Text, _>(&group)
        .execute(server.store.connection())
        .unwrap();
    for _ in 0..2 {
        a.sync(&mut server).unwrap();
        b.sync(&mut server).unwrap();
    }
    assert!(
        held(&mut a).0.is_superset(&moved),
        "A now holds the group's cells"
    );
    assert!(
        held(&mut b).0.is_disjoint(&moved),
        "B's laptop no longer holds them"
    );
    assert_converged(&mut server, &mut a);
    assert_converged(&mut server, &mut b);
}
