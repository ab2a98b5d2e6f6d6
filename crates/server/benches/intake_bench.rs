//! The website's signed intake (issue 15): "1,000 signed intake requests per
//! minute on this machine". A real server (the library's router, loopback
//! TLS 1.3) over a store of realistic size; `--concurrency` clients post
//! `--requests` signed `registration.created` events over HTTPS, distinct
//! fictional people and, one in `--known-every`, the e-mail of a person the
//! store already holds. Every answer must be 201; the store must then hold
//! exactly one new participant per new e-mail. Prints requests per minute
//! and p50 / p95 / max latency.
//!
//! `cargo bench -p server --bench intake_bench -- [--participants 20000]
//! [--requests 1000] [--concurrency 4] [--known-every 5]`

use chrono::Utc;
use diesel::prelude::*;
use server::intake::secrets::new_secret;
use server::intake::signature::sign;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};
use store::schema::{enrolments, participants, policy_versions, programmes};
use store::StoreKey;

const POLICY: &str = "2025-01-14";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The event of request `n`: a new fictional person, or a known e-mail.
fn event(n: usize, known: Option<usize>, programme: &str) -> String {
    let email = match known {
        // seed_large's participants are p000000@example.test, ...
        Some(k) => format!("p{k:06}@example.test"),
        None => format!("banc.intake.{n:06}@exemple.test"),
    };
    serde_json::json!({
        "type": "registration.created",
        "timestamp": Utc::now().to_rfc3339(),
        "data": {
            "given_name": format!("Prénom{n}"),
            "family_name": "Banc-Fictif",
            "email": email,
            "phone": "02 00 00 00 00",
            "children_count": 2,
            "age_brackets": ["4-6", "7-11"],
            "programme_id": programme,
            "preferred_slots": ["mardi soir", "jeudi midi"],
            "consents": [
                {"purpose": "newsletter", "granted": n.is_multiple_of(2)},
                {"purpose": "studies", "granted": true}
            ],
            "policy_version": POLICY,
            "certified_16_plus_at": Utc::now().to_rfc3339()
        }
    })
    .to_string()
}

fn main() {
    let participants = arg("--participants", 20_000);
    let requests = arg("--requests", 1_000);
    let concurrency = arg("--concurrency", 4).max(1);
    let known_every = arg("--known-every", 5).max(1);

    let dir = tempfile::tempdir().unwrap();
    let mut server_store =
        store::open(&dir.path().join("server.db"), &StoreKey::random(), false).unwrap();
    sync::server::enable(&mut server_store).unwrap();
    let seeding = Instant::now();
    store::seed::seed_large(
        &mut server_store,
        store::seed::LargeSize {
            participants,
            attendance_per_participant: 12,
            participants_per_group: 25,
            groups_per_trainer: 20,
        },
        Utc::now(),
    )
    .unwrap();
    let at = Utc::now().naive_utc();
    diesel::insert_into(policy_versions::table)
        .values((
            policy_versions::id.eq(domain::new_id()),
            policy_versions::version.eq(POLICY),
            policy_versions::published_at.eq(at),
            policy_versions::effective_at.eq(at),
            policy_versions::significant.eq(false),
            policy_versions::summary.eq("Politique de confidentialité (banc)"),
            policy_versions::updated_at.eq(at),
            policy_versions::updated_device.eq(server_store.device().as_str().to_owned()),
        ))
        .execute(server_store.connection())
        .unwrap();
    let programme: String = programmes::table
        .select(programmes::id)
        .first(server_store.connection())
        .unwrap();
    server_store.optimize().unwrap();
    let count = |store: &mut store::Store| -> (i64, i64) {
        (
            participants::table
                .count()
                .get_result(store.connection())
                .unwrap(),
            enrolments::table
                .count()
                .get_result(store.connection())
                .unwrap(),
        )
    };
    let before = count(&mut server_store);
    println!(
        "server store: {participants} participants seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let secret = new_secret().to_string();
    let secrets = server::intake::Secrets::parse(&secret, "bench").unwrap();
    server::tls::write_self_signed(&dir.path().join("tls"), &[]).unwrap();
    let cert = dir.path().join("tls/cert.pem");
    let tls = server::tls::Tls::from_pem_files(&cert, &dir.path().join("tls/key.pem")).unwrap();
    let _checkpointer = server_store.start_checkpointer(Duration::from_secs(5));
    let shared = Arc::new(Mutex::new(server_store));
    let state = server::state::AppState::shared(shared.clone(), 30).with_intake(secrets);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "https://localhost:{}{}",
        listener.local_addr().unwrap().port(),
        server::intake::PATH
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

    // Request n goes to client n % concurrency; one in `known_every` names a
    // known person (distinct ones).
    let plan: Vec<(usize, Option<usize>)> = (0..requests)
        .map(|n| {
            (
                n,
                (n % known_every == known_every - 1).then_some(n % participants.max(1)),
            )
        })
        .collect();
    let new_people = plan.iter().filter(|(_, known)| known.is_none()).count() as i64;
    let barrier = Arc::new(Barrier::new(concurrency + 1));
    let handles: Vec<_> = (0..concurrency)
        .map(|client| {
            let mine: Vec<(usize, Option<usize>)> = plan
                .iter()
                .copied()
                .filter(|(n, _)| n % concurrency == client)
                .collect();
            let (url, secret, programme, barrier) = (
                url.clone(),
                secret.clone(),
                programme.clone(),
                barrier.clone(),
            );
            let agent = server::testing::client_agent(&cert);
            std::thread::spawn(move || {
                barrier.wait();
                let mut latencies = Vec::with_capacity(mine.len());
                for (n, known) in mine {
                    let body = event(n, known, &programme);
                    let start = Instant::now();
                    let id = format!("msg_bench_{n:06}");
                    let timestamp = Utc::now().timestamp();
                    let signature = sign(&secret, &id, timestamp, body.as_bytes()).unwrap();
                    let response = agent
                        .post(&url)
                        .set("Content-Type", "application/json")
                        .set("webhook-id", &id)
                        .set("webhook-timestamp", &timestamp.to_string())
                        .set("webhook-signature", &signature)
                        .send_string(&body);
                    let status = match response {
                        Ok(response) => response.status(),
                        Err(ureq::Error::Status(status, _)) => status,
                        Err(error) => panic!("request {n}: {error}"),
                    };
                    latencies.push(start.elapsed());
                    assert_eq!(status, 201, "request {n}");
                }
                latencies
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    let mut latencies: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort();
    let after = count(&mut shared.lock().unwrap());
    assert_eq!(
        after.0 - before.0,
        new_people,
        "one new participant per new e-mail, none for a known one"
    );
    assert!(after.1 - before.1 >= new_people);
    println!(
        "intake: {requests} signed registrations ({new_people} new people, {} known e-mails) \
         from {concurrency} clients over HTTPS in {elapsed:.2} s = {:.0} requests/min (target >= 1000); \
         latency p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        requests as i64 - new_people,
        requests as f64 / elapsed * 60.0,
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.95).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
}
