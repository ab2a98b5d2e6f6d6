//! In-process harness for the protocol tests: a server store seeded with the
//! demo data and empty laptop stores, talking through the real wire types
//! (every request and answer goes through JSON), without HTTP. The HTTP tests
//! (`crates/server/tests`) run the same engine against the real process.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use domain::{Actor, Role, StaffId};
use std::path::PathBuf;
use store::{Store, StoreKey};
use sync::client::{self, Transport, TransportError};
use sync::wire::*;

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

pub struct Server {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub now: DateTime<Utc>,
}

impl Server {
    pub fn demo() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            store::open(&dir.path().join("server.db"), &StoreKey::random(), true).unwrap();
        sync::server::enable(&mut store).unwrap();
        store::seed::seed_demo(&mut store, start()).unwrap();
        Server {
            dir,
            store,
            now: start() + Duration::hours(1),
        }
    }

    pub fn staff(&mut self, username: &str) -> (StaffId, Role) {
        use store::schema::staff;
        let (id, role): (String, String) = staff::table
            .filter(staff::username.eq(username))
            .select((staff::id, staff::role))
            .first(self.store.connection())
            .expect("demo account exists");
        (StaffId(id), Role::parse(&role).unwrap())
    }
}

pub struct Laptop {
    pub dir: tempfile::TempDir,
    pub key: StoreKey,
    pub store: Store,
    pub actor: Actor,
}

impl Laptop {
    pub fn new(server: &mut Server, username: &str) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::random();
        let store = store::open(&dir.path().join("laptop.db"), &key, true).unwrap();
        let (staff, role) = server.staff(username);
        let actor = Actor::new(staff, role, store.device().clone());
        Laptop {
            dir,
            key,
            store,
            actor,
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("laptop.db")
    }

    pub fn sync(&mut self, server: &mut Server) -> Result<client::Report, client::SyncError> {
        let now = server.now;
        let mut transport = Direct {
            server,
            actor: self.actor.clone(),
        };
        client::round(
            &mut self.store,
            &self.actor,
            &mut transport,
            || now,
            &mut |_, _, _| {},
        )
    }

    /// Applies an operation as the laptop's user, like a command of the window.
    pub fn apply(
        &mut self,
        op: sync::Operation,
        now: DateTime<Utc>,
    ) -> Result<serde_json::Value, store::StoreError> {
        sync::local::apply(&mut self.store, &self.actor, op, now)
    }

    pub fn holds(&mut self, participant: &str) -> bool {
        sync::replica::holds(self.store.connection(), participant).unwrap()
    }

    pub fn participants(&mut self) -> Vec<String> {
        use store::schema::participants;
        participants::table
            .select(participants::id)
            .order(participants::id)
            .load(self.store.connection())
            .unwrap()
    }

    pub fn status(&mut self) -> sync::local::Status {
        sync::local::status(&mut self.store).unwrap()
    }
}

/// Every request and answer through JSON, as over the wire.
pub struct Direct<'a> {
    pub server: &'a mut Server,
    pub actor: Actor,
}

fn through_json<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn refused(error: store::StoreError) -> TransportError {
    TransportError::Refused(ErrorBody {
        code: error.code().as_str().to_owned(),
        message: error.to_string(),
    })
}

impl Transport for Direct<'_> {
    fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let now = self.server.now;
        sync::server::push(
            &mut self.server.store,
            &self.actor,
            through_json(request),
            now,
        )
        .map(|r| through_json(&r))
        .map_err(refused)
    }
    fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        let now = self.server.now;
        sync::server::pull(
            &mut self.server.store,
            &self.actor,
            through_json(request),
            now,
        )
        .map(|r| through_json(&r))
        .map_err(refused)
    }
    fn push_audit(&mut self, request: &AuditPush) -> Result<AuditAck, TransportError> {
        let now = self.server.now;
        sync::server::push_audit(
            &mut self.server.store,
            &self.actor,
            through_json(request),
            now,
        )
        .map(|r| through_json(&r))
        .map_err(refused)
    }
}

/// A transport that fails every request: the laptop is offline.
pub struct Offline;

impl Transport for Offline {
    fn push(&mut self, _: &PushRequest) -> Result<PushResponse, TransportError> {
        Err(TransportError::Unreachable("offline".into()))
    }
    fn pull(&mut self, _: &PullRequest) -> Result<PullResponse, TransportError> {
        Err(TransportError::Unreachable("offline".into()))
    }
    fn push_audit(&mut self, _: &AuditPush) -> Result<AuditAck, TransportError> {
        Err(TransportError::Unreachable("offline".into()))
    }
}

/// The server's projection of what `laptop` should hold, next to what it holds.
pub fn assert_converged(server: &mut Server, laptop: &mut Laptop) {
    let expected =
        sync::server::projection_of(server.store.connection(), &laptop.actor, server.now).unwrap();
    let held = sync::replica::dump(laptop.store.connection()).unwrap();
    for (table, rows) in &expected {
        let got = held.get(table).cloned().unwrap_or_default();
        assert_eq!(
            got.len(),
            rows.len(),
            "{table}: the laptop of a {} holds {} rows, the server's projection {}",
            laptop.actor.role,
            got.len(),
            rows.len()
        );
        assert_eq!(&got, rows, "{table} differs for a {}", laptop.actor.role);
    }
}

/// A confirmed enrolment in a group led by `trainer`, with another group of
/// the same programme led by someone else that has a free place.
pub fn movable_enrolment(server: &mut Server, trainer: &str) -> (String, String, String) {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        enrolment: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        participant: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        target: String,
    }
    let row: Row = diesel::sql_query(
        "SELECT e.id AS enrolment, e.participant_id AS participant, g2.id AS target
         FROM enrolments e
         JOIN workshop_groups g ON g.id = e.group_id
         JOIN workshop_groups g2 ON g2.programme_id = g.programme_id AND g2.id <> g.id
         WHERE e.status = 'confirmed' AND g.trainer_id = ?1 AND g2.trainer_id <> ?1
           AND (SELECT count(*) FROM enrolments c WHERE c.group_id = g2.id AND c.status = 'confirmed') < g2.capacity
           AND NOT EXISTS (SELECT 1 FROM enrolments o JOIN workshop_groups og ON og.id = o.group_id
                           WHERE o.participant_id = e.participant_id AND o.id <> e.id
                             AND og.trainer_id = ?1 AND o.status = 'confirmed')
         ORDER BY e.id LIMIT 1",
    )
    .bind::<diesel::sql_types::Text, _>(trainer)
    .get_result(server.store.connection())
    .expect("the demo data has a movable enrolment");
    (row.enrolment, row.participant, row.target)
}
