//! Store benchmarks on the large synthetic dataset (100,000 participants,
//! 1,000,000 attendance rows by default). Prints its figures:
//!
//! - seeding 100,000 participants (target ≤ 20 s, issue 13);
//! - SQLCipher vs plain SQLite on the same workload (target ratio ≤ 1.10);
//! - trainer participant list p95 (targets ≤ 2 ms warm, ≤ 5 ms cold), audit
//!   entries included;
//! - administrator name / e-mail prefix search p95 (≤ 2 ms warm, ≤ 5 ms cold).
//!
//! Run: `cargo bench -p store --bench store_bench [-- --participants N --rounds R]`.

use chrono::Utc;
use diesel::prelude::*;
use domain::{Actor, Role, StaffId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use store::seed::{seed_large, synthetic_family_name, LargeSize};
use store::{Store, StoreKey};

struct Figures {
    trainer_list: Vec<Duration>,
    search: Vec<Duration>,
    profile: Vec<Duration>,
    total: Duration,
}

fn percentile(samples: &[Duration], p: f64) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank]
}

fn actor(store: &mut Store, username: &str, role: Role) -> Actor {
    let id: String = store::schema::staff::table
        .filter(store::schema::staff::username.eq(username))
        .select(store::schema::staff::id)
        .first(store.connection())
        .unwrap();
    Actor::new(StaffId(id), role, store.device().clone())
}

fn admin(store: &mut Store) -> Actor {
    let now = Utc::now();
    if let Ok(id) = store::schema::staff::table
        .filter(store::schema::staff::username.eq("bench.admin"))
        .select(store::schema::staff::id)
        .first::<String>(store.connection())
    {
        return Actor::new(StaffId(id), Role::Administrator, store.device().clone());
    }
    let id = store::auth::create_staff(
        store,
        "bench.admin",
        "Bench Admin",
        Role::Administrator,
        "bench",
        now,
    )
    .unwrap();
    Actor::new(id, Role::Administrator, store.device().clone())
}

fn workload(store: &mut Store, size: LargeSize, rounds: usize) -> Figures {
    let mut rng = StdRng::seed_from_u64(7);
    let trainers = size
        .participants
        .div_ceil(size.participants_per_group)
        .div_ceil(size.groups_per_trainer);
    let office = admin(store);
    let now = Utc::now();
    let started = Instant::now();
    let mut figures = Figures {
        trainer_list: Vec::new(),
        search: Vec::new(),
        profile: Vec::new(),
        total: Duration::ZERO,
    };
    for _ in 0..rounds {
        let trainer_name = format!("trainer{:04}", rng.gen_range(1..=trainers));
        let trainer = actor(store, &trainer_name, Role::Trainer);
        let t = Instant::now();
        let rows = store::participants::list_participants(store.connection(), &trainer, None, now)
            .unwrap();
        figures.trainer_list.push(t.elapsed());
        assert!(!rows.is_empty());

        let n = rng.gen_range(0..size.participants);
        let query = if rng.gen_bool(0.5) {
            synthetic_family_name(n)[..7].to_owned()
        } else {
            format!("p{:04}", n / 100)
        };
        let t = Instant::now();
        let found =
            store::participants::list_participants(store.connection(), &office, Some(&query), now)
                .unwrap();
        figures.search.push(t.elapsed());
        assert!(!found.is_empty(), "prefix {query} finds someone");

        let id = &rows[rng.gen_range(0..rows.len())].id;
        let t = Instant::now();
        store::participants::participant_profile(store.connection(), &trainer, id, now).unwrap();
        figures.profile.push(t.elapsed());
    }
    figures.total = started.elapsed();
    figures
}

fn verdict(met: bool) -> &'static str {
    if met {
        "OK"
    } else {
        "OVER TARGET"
    }
}

fn report(label: &str, figures: &Figures) {
    println!(
        "{label:<10} trainer list p50 {:.2} ms p95 {:.2} ms | search p50 {:.2} ms p95 {:.2} ms | profile p95 {:.2} ms | workload total {:.0} ms",
        percentile(&figures.trainer_list, 50.0),
        percentile(&figures.trainer_list, 95.0),
        percentile(&figures.search, 50.0),
        percentile(&figures.search, 95.0),
        percentile(&figures.profile, 95.0),
        figures.total.as_secs_f64() * 1000.0
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut participants = 100_000usize;
    let mut rounds = 300usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--participants" => participants = args.next().unwrap().parse().unwrap(),
            "--rounds" => rounds = args.next().unwrap().parse().unwrap(),
            _ => {} // cargo bench passes --bench
        }
    }
    let size = LargeSize {
        participants,
        ..LargeSize::default()
    };
    let dir = tempfile::tempdir().unwrap();
    println!(
        "dataset: {} participants, {} attendance rows, {} rounds",
        size.participants,
        size.participants * size.attendance_per_participant,
        rounds
    );

    let encrypted_path = dir.path().join("encrypted.db");
    let key = StoreKey::random();
    let mut encrypted = store::open(&encrypted_path, &key, false).unwrap();
    let t = Instant::now();
    seed_large(&mut encrypted, size, Utc::now()).unwrap();
    encrypted.optimize().unwrap();
    encrypted.checkpoint().unwrap();
    let seeding = t.elapsed().as_secs_f64();
    println!(
        "seeded SQLCipher store in {seeding:.1} s (target <= 20 at 100,000) {}",
        if size.participants == 100_000 {
            verdict(seeding <= 20.0)
        } else {
            "(other size)"
        }
    );

    let plain_path = dir.path().join("plain.db");
    let mut plain = store::open_plain(&plain_path).unwrap();
    let t = Instant::now();
    seed_large(&mut plain, size, Utc::now()).unwrap();
    plain.optimize().unwrap();
    plain.checkpoint().unwrap();
    println!(
        "seeded plain SQLite store in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // As in the app: open the existing stores afresh (the seeding connection's
    // cache holds what was written last, not what the app reads).
    drop(encrypted);
    drop(plain);
    let mut encrypted = store::open(&encrypted_path, &key, false).unwrap();
    let mut plain = store::open_plain(&plain_path).unwrap();
    // As in the app: a background checkpointer per store, so no measured
    // command pays for a checkpoint.
    let _encrypted_checkpointer = encrypted.start_checkpointer(Duration::from_secs(2));
    let _plain_checkpointer = plain.start_checkpointer(Duration::from_secs(2));
    // Cold figures: the first views after opening, before any warm-up.
    let cold = workload(&mut encrypted, size, 20);
    report("cold", &cold);
    let (cold_list, cold_search) = (
        percentile(&cold.trainer_list, 95.0),
        percentile(&cold.search, 95.0),
    );
    println!(
        "cold trainer list p95 {cold_list:.2} ms (target <= 5) {}; cold search p95 {cold_search:.2} ms (target <= 5) {}",
        verdict(cold_list <= 5.0),
        verdict(cold_search <= 5.0)
    );
    // Warm both caches the same way (every trainer once), then measure.
    let trainers = size
        .participants
        .div_ceil(size.participants_per_group)
        .div_ceil(size.groups_per_trainer);
    workload(&mut encrypted, size, trainers);
    workload(&mut plain, size, trainers + 20);
    let cipher = workload(&mut encrypted, size, rounds);
    let clear = workload(&mut plain, size, rounds);
    report("sqlcipher", &cipher);
    report("plain", &clear);
    let ratio = cipher.total.as_secs_f64() / clear.total.as_secs_f64();
    println!(
        "SQLCipher / plain ratio on the workload: {ratio:.2} (target <= 1.10) {}",
        verdict(ratio <= 1.10)
    );
    let p95_list = percentile(&cipher.trainer_list, 95.0);
    let p95_search = percentile(&cipher.search, 95.0);
    println!(
        "warm trainer list p95 {p95_list:.2} ms (target <= 2) {}",
        verdict(p95_list <= 2.0)
    );
    println!(
        "warm admin prefix search p95 {p95_search:.2} ms (target <= 2) {}",
        verdict(p95_search <= 2.0)
    );
    let sizes = (
        std::fs::metadata(&encrypted_path)
            .map(|m| m.len())
            .unwrap_or(0),
        std::fs::metadata(&plain_path).map(|m| m.len()).unwrap_or(0),
    );
    println!(
        "file sizes: sqlcipher {} MiB, plain {} MiB",
        sizes.0 >> 20,
        sizes.1 >> 20
    );
}
