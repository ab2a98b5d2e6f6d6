//! Shared set-up for the store's integration tests: a fresh encrypted store in
//! a temporary directory, seeded with the demo data.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use domain::{Actor, Role, StaffId};
use std::path::PathBuf;
use store::{Store, StoreKey};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub key: StoreKey,
    pub store: Store,
    pub summary: store::seed::DemoSummary,
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

impl Fixture {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }

    pub fn actor(&mut self, username: &str) -> Actor {
        use store::schema::staff;
        let (id, role): (String, String) = staff::table
            .filter(staff::username.eq(username))
            .select((staff::id, staff::role))
            .first(self.store.connection())
            .expect("demo account exists");
        Actor::new(
            StaffId(id),
            Role::parse(&role).unwrap(),
            self.store.device().clone(),
        )
    }
}

pub fn empty() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = store::open(&dir.path().join("test.db"), &key, true).unwrap();
    Fixture {
        dir,
        key,
        store,
        summary: Default::default(),
    }
}

pub fn demo() -> Fixture {
    let mut fixture = empty();
    fixture.summary = store::seed::seed_demo(&mut fixture.store, now()).unwrap();
    fixture
}
