//! DC-5 crash test (sync.md inv. 4): the real server process is SIGKILLed at random points of push and pull, and some laptops "die" after the server answered; no acknowledged change is lost, nothing is applied twice, every store passes `PRAGMA integrity_check`.

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::{Actor, DeviceId, Role, StaffId};
use rand::{Rng, SeedableRng};
use server::testing::TestServer;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{Store, StoreKey};
use sync::client::{self, Transport, TransportError};
use sync::wire::*;

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");
const TRAINER: (&str, &str) = ("formatrice.a", "demo-formatrice-a");

/// Which request a round had started last, and how the round ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Stage {
    Push,
    Audit,
    Pull,
}

/// The real HTTPS transport, noting each request it starts; with
/// `drop_answers_after = Some(k)`, the k+1-th request and every later one
/// still reach the server but their answer is thrown away (the laptop dies
/// after the server committed, before the laptop did).
struct Recorder {
    inner: sync::http::Https,
    log: Arc<Mutex<Vec<Stage>>>,
    drop_answers_after: Option<usize>,
}

impl Recorder {
    /// Notes `stage` before the request is sent, then sends it.
    fn send<A>(
        &mut self,
        stage: Stage,
        request: impl FnOnce(&mut sync::http::Https) -> Result<A, TransportError>,
    ) -> Result<A, TransportError> {
        let started = {
            let mut log = self.log.lock().unwrap();
            log.push(stage);
            log.len()
        };
        let answer = request(&mut self.inner);
        match self.drop_answers_after {
            Some(k) if started > k => Err(TransportError::Unreachable("the laptop died".into())),
            _ => answer,
        }
    }
}

impl Transport for Recorder {
    fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.send(Stage::Push, |https| https.push(request))
    }
    fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        self.send(Stage::Pull, |https| https.pull(request))
    }
    fn push_audit(&mut self, request: &AuditPush) -> Result<AuditAck, TransportError> {
        self.send(Stage::Audit, |https| https.push_audit(request))
    }
}

struct Laptop {
    dir: tempfile::TempDir,
    key: StoreKey,
    store: Store,
    actor: Actor,
    token: String,
    agent: ureq::Agent,
}

impl Laptop {
    fn path(&self) -> PathBuf {
        self.dir.path().join("laptop.db")
    }

    fn transport(&self, server: &TestServer, drop_answers_after: Option<usize>) -> Recorder {
        Recorder {
            inner: sync::http::Https {
                agent: self.agent.clone(),
                base_url: server.url.clone(),
                token: self.token.clone(),
            },
            log: Arc::new(Mutex::new(Vec::new())),
            drop_answers_after,
        }
    }

    fn round(&mut self, transport: &mut Recorder) -> Result<client::Report, client::SyncError> {
        client::round(
            &mut self.store,
            &self.actor,
            transport,
            Utc::now,
            &mut |_, _, _| {},
        )
    }

    /// The laptop process dies and starts again: the store is reopened from disk.
    fn reopen(&mut self) {
        let path = self.path();
        self.store = store::open(&path, &self.key, true).expect("the laptop store reopens");
    }
}

fn register(server: &TestServer) -> Laptop {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = store::open(&dir.path().join("laptop.db"), &key, true).unwrap();
    let pem = std::fs::read(&server.cert_pem_path).unwrap();
    let agent = sync::http::agent(&pem).expect("the server certificate");
    let registered = sync::http::register(
        &agent,
        &server.url,
        &RegisterDevice {
            protocol: PROTOCOL,
            username: TRAINER.0.to_owned(),
            password: TRAINER.1.to_owned(),
            device_id: store.device().as_str().to_owned(),
            label: "crash-test laptop".to_owned(),
        },
    )
    .expect("the demo trainer registers");
    let role = Role::parse(&registered.staff.role).expect("a known role");
    assert_eq!(role, Role::Trainer);
    let actor = Actor::new(
        StaffId(registered.staff.id.clone()),
        role,
        DeviceId(store.device().as_str().to_owned()),
    );
    Laptop {
        dir,
        key,
        store,
        actor,
        token: registered.token,
        agent,
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

fn copies(conn: &mut SqliteConnection, body: &str) -> i64 {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM progress_notes WHERE body = ?1)
              + (SELECT count(*) FROM objectives WHERE body = ?1) AS n",
    )
    .bind::<Text, _>(body)
    .get_result::<Count>(conn)
    .expect("count query")
    .n
}

fn integrity(conn: &mut SqliteConnection, what: &str, trial: usize) {
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(conn)
        .expect("PRAGMA integrity_check runs");
    let lines: Vec<&str> = rows.iter().map(|r| r.integrity_check.as_str()).collect();
    assert_eq!(
        lines,
        ["ok"],
        "trial {trial}: integrity_check of the {what} store"
    );
}

fn participants(conn: &mut SqliteConnection) -> Vec<String> {
    use store::schema::participants;
    participants::table
        .select(participants::id)
        .order(participants::id)
        .load(conn)
        .unwrap()
}

/// Rounds until one succeeds (the server may still be starting).
fn settle(laptop: &mut Laptop, server: &TestServer, trial: usize) -> client::Report {
    let mut last = None;
    for _ in 0..30 {
        let mut transport = laptop.transport(server, None);
        match laptop.round(&mut transport) {
            Ok(report) => return report,
            Err(error) => {
                assert!(
                    matches!(error, client::SyncError::Transport(TransportError::Unreachable(_))),
                    "trial {trial}: a round after the restart failed otherwise than unreachable: {error}"
                );
                last = Some(error.to_string());
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    panic!("trial {trial}: no round succeeded after the restart: {last:?}");
}

fn assert_converged(laptop: &mut Laptop, server_store: &mut Store, trial: usize) {
    let expected =
        sync::server::projection_of(server_store.connection(), &laptop.actor, Utc::now())
            .expect("the trainer's projection");
    let held = sync::replica::dump(laptop.store.connection()).unwrap();
    for (table, rows) in &expected {
        let got = held.get(table).cloned().unwrap_or_default();
        assert_eq!(
            got.len(),
            rows.len(),
            "trial {trial}: {table}: the laptop holds {} rows, the server's projection {}",
            got.len(),
            rows.len()
        );
        assert_eq!(&got, rows, "trial {trial}: {table} differs");
    }
    for table in held.keys() {
        assert!(
            expected.contains_key(table) || held[table].is_empty(),
            "trial {trial}: the laptop holds {table} rows the projection has not"
        );
    }
}

#[test]
fn dc_5_sigkill_of_the_server_during_push_and_pull_loses_nothing_acknowledged() {
    let began = Instant::now();
    let trials: usize = std::env::var("SYNC_CRASH_TRIALS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(100);
    let seed: u64 = std::env::var("SYNC_CRASH_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("dc_5: {trials} trials, SYNC_CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let mut server = TestServer::start_with(BIN, true, &[]);
    let mut laptop = register(&server);
    let first = settle(&mut laptop, &server, 0);
    assert!(first.pulls > 0);
    let held = participants(laptop.store.connection());
    assert!(!held.is_empty(), "the demo trainer holds participants");

    // How long a normal round with a few operations takes, to aim the kills.
    let mut applied: Vec<String> = Vec::new();
    let mut refused_total = 0;
    let apply_some = |laptop: &mut Laptop,
                      rng: &mut rand::rngs::StdRng,
                      trial: usize,
                      applied: &mut Vec<String>| {
        let count = rng.gen_range(1..=5);
        for i in 0..count {
            let participant_id = held[rng.gen_range(0..held.len())].clone();
            let body = format!("dc5 t{trial} op{i} {}", uuid::Uuid::now_v7());
            let op = if rng.gen_bool(0.5) {
                sync::Operation::AddProgressNote(sync::ops::AddProgressNote {
                    participant_id: domain::ParticipantId(participant_id),
                    body: body.clone(),
                })
            } else {
                sync::Operation::AddObjective(sync::ops::AddObjective {
                    participant_id: domain::ParticipantId(participant_id),
                    body: body.clone(),
                })
            };
            sync::local::apply(&mut laptop.store, &laptop.actor, op, Utc::now())
                .unwrap_or_else(|e| panic!("trial {trial}: the local apply was refused: {e}"));
            applied.push(body);
        }
    };
    let mut round_times = Vec::new();
    for warm in 0..3 {
        apply_some(&mut laptop, &mut rng, warm, &mut applied);
        let started = Instant::now();
        let report = settle(&mut laptop, &server, 0);
        round_times.push(started.elapsed());
        refused_total += report.refused;
    }
    round_times.sort();
    let typical = round_times[1];
    // Kills land from before the first request to after the round ended.
    let window_ms = (typical.as_millis() as u64 * 11 / 10).max(20);
    eprintln!("dc_5: a round takes ~{typical:?}; kills within 0..{window_ms} ms");

    // Where the kills landed: (stage of the last request started, round failed?).
    let mut landed: std::collections::BTreeMap<String, usize> = Default::default();
    for trial in 1..=trials {
        apply_some(&mut laptop, &mut rng, trial, &mut applied);
        // Every 10th trial the laptop dies instead, after the server answered k requests.
        let laptop_dies = trial % 10 == 0;
        let drop_after = laptop_dies.then(|| rng.gen_range(0..3usize));
        let mut transport = laptop.transport(&server, drop_after);
        let log = transport.log.clone();
        let delay = Duration::from_millis(rng.gen_range(0..=window_ms));
        let outcome = if laptop_dies {
            let outcome = laptop.round(&mut transport);
            // The laptop process restarts: only what reached its disk stays.
            laptop.reopen();
            outcome
        } else {
            std::thread::scope(|scope| {
                let laptop = &mut laptop;
                let handle = scope.spawn(move || laptop.round(&mut transport));
                std::thread::sleep(delay);
                server.kill();
                handle.join().expect("the round thread")
            })
        };
        let stages = log.lock().unwrap().clone();
        let key = format!(
            "{} {} {}",
            if laptop_dies {
                "laptop-dies"
            } else {
                "server-killed"
            },
            match outcome {
                Ok(_) => "after-round",
                Err(_) => "mid-round",
            },
            match stages.last() {
                None => "before-any-request".to_owned(),
                Some(stage) => format!("during/after {stage:?}"),
            }
        );
        *landed.entry(key).or_default() += 1;
        if let Err(error) = &outcome {
            assert!(
                matches!(
                    error,
                    client::SyncError::Transport(TransportError::Unreachable(_))
                ),
                "trial {trial}: the interrupted round failed otherwise than unreachable: {error}"
            );
        } else if let Ok(report) = &outcome {
            refused_total += report.refused;
        }

        if !laptop_dies {
            // Right after the crash, before the restart: the server's files.
            let mut store = server.open_store();
            integrity(store.connection(), "server (after SIGKILL)", trial);
            drop(store);
            server.restart();
        }
        let report = settle(&mut laptop, &server, trial);
        refused_total += report.refused;

        // (2) nothing pending, nothing refused.
        let status = sync::local::status(&mut laptop.store).unwrap();
        assert_eq!(status.pending, 0, "trial {trial}: the outbox is not empty");
        assert!(
            status.refusals.is_empty(),
            "trial {trial}: refused: {:?}",
            status.refusals
        );
        assert_eq!(
            refused_total, 0,
            "trial {trial}: the server refused operations"
        );

        // (1) every operation the laptop applied is on the server exactly once.
        let mut store = server.open_store();
        for body in &applied {
            let n = copies(store.connection(), body);
            assert_eq!(
                n, 1,
                "trial {trial} ({} stages {stages:?}, delay {delay:?}): {body:?} is {n} times on the server (seed {seed})",
                if laptop_dies { "laptop died" } else { "server killed" }
            );
            let m = copies(laptop.store.connection(), body);
            assert_eq!(
                m, 1,
                "trial {trial}: {body:?} is {m} times on the laptop (seed {seed})"
            );
        }
        // (3) the laptop converges to the server's projection of its scope.
        assert_converged(&mut laptop, &mut store, trial);
        // (4) integrity everywhere.
        integrity(store.connection(), "server", trial);
        drop(store);
        integrity(laptop.store.connection(), "laptop", trial);
    }
    let reopened =
        store::open(&laptop.path(), &laptop.key, true).expect("the laptop store reopens");
    drop(reopened);
    eprintln!(
        "dc_5: {trials} trials, {} operations, in {:?}; kills landed: {landed:#?}",
        applied.len(),
        began.elapsed()
    );
    // The kills must have hit both phases at least once over a full run.
    if trials >= 100 {
        let mid = |stage: &str| {
            landed.iter().any(|(key, n)| {
                *n > 0 && key.starts_with("server-killed mid-round") && key.contains(stage)
            })
        };
        assert!(
            mid("Push") || mid("before-any-request"),
            "no kill landed during push: {landed:?}"
        );
        assert!(mid("Pull"), "no kill landed during pull: {landed:?}");
    }
}
