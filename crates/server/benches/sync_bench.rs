//! Sync benchmarks (issue 5), release build, loopback TLS, the real server
//! library and the real client engine: a trainer's first sync (500
//! participants), an incremental round trip with 10 operations, and pushed
//! operations per second with 50 concurrent clients. Prints its figures.
//!
//! `cargo bench -p server --bench sync_bench -- [--participants N] [--clients C]`

use chrono::Utc;
use diesel::prelude::*;
use domain::{Actor, DeviceId, Role, StaffId};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};
use store::{Store, StoreKey};
use sync::wire::{PushRequest, RegisterDevice, PROTOCOL};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn phase(name: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--phases") {
        Some(i) => args
            .get(i + 1)
            .is_some_and(|list| list.split(',').any(|p| p == name)),
        None => true,
    }
}

/// Time spent waiting for the server (request, server work, transfer,
/// decoding), to tell it apart from the laptop's own work.
struct Timed<'a> {
    inner: &'a mut sync::http::Https,
    waited: Duration,
    requests: usize,
}

impl Timed<'_> {
    fn time<T>(&mut self, call: impl FnOnce(&mut sync::http::Https) -> T) -> T {
        let start = Instant::now();
        let answer = call(self.inner);
        self.waited += start.elapsed();
        self.requests += 1;
        answer
    }
}

impl sync::client::Transport for Timed<'_> {
    fn push(
        &mut self,
        request: &PushRequest,
    ) -> Result<sync::wire::PushResponse, sync::client::TransportError> {
        self.time(|inner| inner.push(request))
    }
    fn pull(
        &mut self,
        request: &sync::wire::PullRequest,
    ) -> Result<sync::wire::PullResponse, sync::client::TransportError> {
        self.time(|inner| inner.pull(request))
    }
    fn push_audit(
        &mut self,
        request: &sync::wire::AuditPush,
    ) -> Result<sync::wire::AuditAck, sync::client::TransportError> {
        self.time(|inner| inner.push_audit(request))
    }
}

/// One push: an objective for each of `people`, bodies tagged with `label`.
fn objectives(people: &[String], label: &str) -> PushRequest {
    PushRequest {
        protocol: PROTOCOL,
        ops: people
            .iter()
            .enumerate()
            .map(|(i, person)| sync::wire::Envelope {
                id: domain::new_id(),
                at: Utc::now(),
                op: sync::Operation::AddObjective(sync::ops::AddObjective {
                    participant_id: domain::ParticipantId(person.clone()),
                    body: format!("objectif {label}-{i}"),
                }),
            })
            .collect(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Laptop {
    _dir: tempfile::TempDir,
    store: Store,
    actor: Actor,
    transport: sync::http::Https,
}

fn laptop(url: &str, cert: &[u8], username: &str) -> Laptop {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&dir.path().join("laptop.db"), &StoreKey::random(), false).unwrap();
    let agent = sync::http::agent(cert).unwrap();
    let registered = sync::http::register(
        &agent,
        url,
        &RegisterDevice {
            protocol: PROTOCOL,
            username: username.into(),
            password: "synthetic".into(),
            device_id: store.device().as_str().to_owned(),
            label: "bench".into(),
        },
    )
    .unwrap();
    let actor = Actor::new(
        StaffId(registered.staff.id),
        Role::parse(&registered.staff.role).unwrap(),
        DeviceId(store.device().as_str().to_owned()),
    );
    Laptop {
        _dir: dir,
        store,
        actor,
        transport: sync::http::Https {
            agent,
            base_url: url.to_owned(),
            token: registered.token,
        },
    }
}

fn round(laptop: &mut Laptop) -> sync::client::Report {
    timed_round(laptop).0
}

/// A round, with the time spent waiting for the server and the request count.
fn timed_round(laptop: &mut Laptop) -> (sync::client::Report, Duration, usize) {
    let mut timed = Timed {
        inner: &mut laptop.transport,
        waited: Duration::ZERO,
        requests: 0,
    };
    let report = sync::client::round(
        &mut laptop.store,
        &laptop.actor,
        &mut timed,
        Utc::now,
        &mut |_, _, _| {},
    )
    .unwrap();
    (report, timed.waited, timed.requests)
}

fn rows_held(store: &mut Store) -> usize {
    sync::replica::dump(store.connection())
        .unwrap()
        .values()
        .map(Vec::len)
        .sum()
}

fn main() {
    let participants = arg("--participants", 20_000);
    let clients = arg("--clients", 50);
    let dir = tempfile::tempdir().unwrap();
    let mut server_store =
        store::open(&dir.path().join("server.db"), &StoreKey::random(), false).unwrap();
    sync::server::enable(&mut server_store).unwrap();
    let seeding = Instant::now();
    store::seed::seed_large(
        &mut server_store,
        store::seed::LargeSize {
            participants,
            attendance_per_participant: 36,
            participants_per_group: 25,
            groups_per_trainer: 20,
        },
        Utc::now(),
    )
    .unwrap();
    server_store.optimize().unwrap();
    if let Ok(kib) = std::env::var("BENCH_CACHE_KIB") {
        use diesel::connection::SimpleConnection;
        server_store
            .connection()
            .batch_execute(&format!("PRAGMA cache_size = -{kib};"))
            .unwrap();
    }
    println!(
        "server store: {participants} participants seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let cert = server::tls::write_self_signed(&dir.path().join("tls"), &[]).unwrap();
    let _ = cert;
    let tls = server::tls::Tls::from_pem_files(
        &dir.path().join("tls/cert.pem"),
        &dir.path().join("tls/key.pem"),
    )
    .unwrap();
    let cert_pem = std::fs::read(dir.path().join("tls/cert.pem")).unwrap();
    // As `moniravique-server serve` runs it: the WAL checkpointed every 5 s.
    let _checkpointer = server_store.start_checkpointer(Duration::from_secs(5));
    let shared = Arc::new(Mutex::new(server_store));
    let state = server::state::AppState::shared(shared.clone(), 30);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(server::serve_on(listener, tls, state))
            .unwrap();
    });
    std::thread::sleep(Duration::from_millis(300));

    // 1. First sync of a trainer (500 participants).
    if phase("first") {
        let mut times = Vec::new();
        let mut waits = Vec::new();
        let mut rows = 0;
        let mut requests = 0;
        for _ in 0..5 {
            let mut trainer = laptop(&url, &cert_pem, "trainer0001");
            let start = Instant::now();
            let (report, waited, count) = timed_round(&mut trainer);
            times.push(start.elapsed());
            waits.push(waited);
            requests = count;
            rows = rows_held(&mut trainer.store);
            assert!(report.participants_updated >= 500);
        }
        times.sort();
        waits.sort();
        println!(
            "first sync of a trainer: {rows} rows in {requests} requests, median {:.0} ms, min {:.0} ms \
             (target <= 300 ms); waiting for the server: median {:.0} ms",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            percentile(&waits, 0.5).as_secs_f64() * 1e3,
        );
    }

    // 2. Incremental round trip with 10 operations.
    if phase("incremental") {
        let mut trainer = laptop(&url, &cert_pem, "trainer0001");
        round(&mut trainer);
        let people: Vec<String> = store::schema::participants::table
            .select(store::schema::participants::id)
            .limit(10)
            .load(trainer.store.connection())
            .unwrap();
        let mut times = Vec::new();
        let mut waits = Vec::new();
        let mut last_requests = 0;
        for n in 0..40 {
            for (i, person) in people.iter().enumerate() {
                let actor = trainer.actor.clone();
                sync::local::apply(
                    &mut trainer.store,
                    &actor,
                    sync::Operation::AddProgressNote(sync::ops::AddProgressNote {
                        participant_id: domain::ParticipantId(person.clone()),
                        body: format!("note de banc {n}-{i}"),
                    }),
                    Utc::now(),
                )
                .unwrap();
            }
            let start = Instant::now();
            let (report, waited, requests) = timed_round(&mut trainer);
            times.push(start.elapsed());
            waits.push(waited);
            last_requests = requests;
            assert_eq!(report.pushed, 10);
        }
        times.sort();
        waits.sort();
        println!(
            "incremental round trip, 10 operations: p50 {:.1} ms, p95 {:.1} ms (target <= 15 ms); \
         {last_requests} requests, waiting for the server p50 {:.1} ms",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&waits, 0.5).as_secs_f64() * 1e3,
        );
    }

    // The same work without HTTP, TLS or concurrency: the server's store
    // alone (one push of 20 operations at a time, from the first laptop).
    if phase("alone") {
        let ops_per_push = 20;
        let probe = laptop(&url, &cert_pem, "trainer0001");
        let people: Vec<String> = {
            let mut guard = shared.lock().unwrap();
            let scope =
                sync::server::scope_of(guard.connection(), &probe.actor, Utc::now()).unwrap();
            scope.into_iter().take(ops_per_push).collect()
        };
        let start = Instant::now();
        let mut applied = 0;
        for b in 0..arg("--alone", 25) {
            let request = objectives(&people, &format!("seul {b}"));
            let mut guard = shared.lock().unwrap();
            let answer = sync::server::push(&mut guard, &probe.actor, request, Utc::now()).unwrap();
            applied += answer.answers.len();
        }
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "server store alone: {applied} operations in {elapsed:.2} s = {:.0} ops/s",
            applied as f64 / elapsed
        );
    }

    // 3. Pushed operations per second, `clients` concurrent laptops.
    if !phase("push") {
        return;
    }
    let trainers = participants / 500;
    let mut laptops: Vec<Laptop> = (0..clients)
        .map(|c| laptop(&url, &cert_pem, &format!("trainer{:04}", c % trainers + 1)))
        .collect();
    for laptop in &mut laptops {
        round(laptop);
    }
    let per_client_pushes = 10;
    let ops_per_push = 20;
    let barrier = Arc::new(Barrier::new(clients + 1));
    let mut handles = Vec::new();
    for mut laptop in laptops {
        let barrier = barrier.clone();
        handles.push(std::thread::spawn(move || {
            let people: Vec<String> = store::schema::participants::table
                .select(store::schema::participants::id)
                .limit(ops_per_push as i64)
                .load(laptop.store.connection())
                .unwrap();
            let batches: Vec<PushRequest> = (0..per_client_pushes)
                .map(|b| objectives(&people, &b.to_string()))
                .collect();
            barrier.wait();
            let mut applied = 0;
            for batch in &batches {
                let answer = sync::client::Transport::push(&mut laptop.transport, batch).unwrap();
                applied += answer
                    .answers
                    .iter()
                    .filter(|a| a.outcome == sync::wire::Outcome::Applied)
                    .count();
            }
            applied
        }));
    }
    // A profiler can attach now (`perf record -p`): the pushes start 2 s later.
    eprintln!("pushing from {clients} clients");
    std::thread::sleep(Duration::from_secs(2));
    barrier.wait();
    let start = Instant::now();
    let applied: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "push throughput: {applied} operations from {clients} clients in {elapsed:.2} s = {:.0} ops/s (target >= 10000)",
        applied as f64 / elapsed
    );
}
