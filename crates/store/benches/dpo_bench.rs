//! The DPO desk on the large synthetic store (issue 4, item 11). Prints:
//!
//! - full access export of one person: collect every table + build the zip
//!   (JSON, CSV per category, French summary) — target ≤ 100 ms;
//! - erasure of one person with its targeted residual check — target ≤ 200 ms;
//!   and, separately, the deep check (checkpoint + decrypt every page);
//! - retention sweep: dry-run preview and the run — target ≤ 0.5 s (issue 13);
//! - erasure with the deep page check — target ≤ 1 s per GiB of store (issue 13).
//!
//! Run: `cargo bench -p store --bench dpo_bench [-- --participants N --samples S]`.

use chrono::{Duration as Days, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::access_export::ErasureReason;
use domain::{Actor, Role};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::time::{Duration, Instant};
use store::seed::{seed_large, LargeSize};
use store::StoreKey;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(label: &str, samples: &mut [Duration], target_ms: f64) {
    samples.sort();
    let p = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    let (p50, p95, max) = (p(0.5), p(0.95), ms(*samples.last().unwrap()));
    println!(
        "{label}: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms over {} runs (target <= {target_ms} ms) {}",
        samples.len(),
        if p95 <= target_ms { "OK" } else { "OVER TARGET" }
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut participants = 100_000usize;
    let mut samples = 30usize;
    // Audit entries in the trail (a year of list views writes millions): the
    // export's "consultations" category scans them (no index, ARCHITECTURE.md).
    let mut audit_rows = 1_000_000usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--participants" => participants = args.next().unwrap().parse().unwrap(),
            "--samples" => samples = args.next().unwrap().parse().unwrap(),
            "--audit-rows" => audit_rows = args.next().unwrap().parse().unwrap(),
            _ => {}
        }
    }
    let size = LargeSize {
        participants,
        ..LargeSize::default()
    };
    let now = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dpo.db");
    let key = StoreKey::random();
    let mut store = store::open(&path, &key, false).unwrap();
    let t = Instant::now();
    seed_large(&mut store, size, now).unwrap();
    // What the synthetic store lacks for the DPO: technical traces over two
    // years (two per person), forum posts, payments with invoices, consents.
    let day = |d: i64| {
        (now - Days::days(d))
            .naive_utc()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    store
        .connection()
        .batch_execute(&format!(
            "INSERT INTO technical_traces (id, participant_id, ip_address, user_agent, session_seconds, recorded_at, updated_at, updated_device)
               SELECT lower(hex(randomblob(16))), id, '192.0.2.1', 'Bench/1.0', 600,
                      datetime('{now}', '-' || (abs(random()) % 760) || ' days'), '{now}', 'bench'
               FROM participants, (SELECT 1 UNION ALL SELECT 2);
             INSERT INTO forum_posts (id, participant_id, thread, body, posted_at, anonymised, updated_at, updated_device)
               SELECT lower(hex(randomblob(16))), id, 'Bench', 'Bonjour, ici ' || given_name || ' ' || family_name || '.', '{now}', 0, '{now}', 'bench'
               FROM participants WHERE rowid % 3 = 0;
             INSERT INTO payments (id, participant_id, enrolment_id, amount_cents, currency, status, processor_ref, paid_at, updated_at, updated_device)
               SELECT 'p' || id, id, NULL, 12000, 'EUR', 'confirmed', 'PSP', '{now}', '{now}', 'bench' FROM participants WHERE rowid % 2 = 0;
             INSERT INTO invoices (id, participant_id, payment_id, number, kind, amount_cents, issued_at, updated_at, updated_device)
               SELECT 'i' || id, participant_id, id, 'F-' || id, 'invoice', 12000, '{now}', '{now}', 'bench' FROM payments;
             INSERT INTO consents (id, participant_id, purpose, granted, recorded_at, source, updated_at, updated_device)
               SELECT lower(hex(randomblob(16))), id, 'newsletter', 1, '{old}', 'platform', '{now}', 'bench' FROM participants;",
            now = day(0),
            old = day(400),
        ))
        .unwrap();
    // Synthetic audit entries (the chain is not verified here): every 100th
    // participant seen 10 times per 1,000 entries.
    store
        .connection()
        .batch_execute(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {audit_rows})
             INSERT INTO audit_log (seq, id, at, actor_id, device_id, action, participant_id, outcome, prev_hash, hash)
               SELECT 1000000000 + i, 'bench-' || i, '{at}', 'bench', 'bench', 'participant.list',
                      (SELECT id FROM participants WHERE rowid = 1 + (i * 7919) % {participants}), 'allowed', '', ''
               FROM n;",
            at = (now - Days::days(30)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        ))
        .unwrap();
    let dpo_id = store::auth::create_staff(
        &mut store,
        "bench.dpo",
        "Bench DPO",
        Role::Dpo,
        "bench",
        now,
    )
    .unwrap();
    store.optimize().unwrap();
    store.checkpoint().unwrap();
    println!(
        "seeded {} participants (+ traces, forum posts, payments, invoices, consents, {} audit entries) in {:.1} s",
        size.participants,
        audit_rows,
        t.elapsed().as_secs_f64()
    );
    drop(store);
    let mut store = store::open(&path, &key, false).unwrap();
    let checkpointer = store.start_checkpointer(Duration::from_secs(2));
    let dpo = Actor::new(dpo_id, Role::Dpo, store.device().clone());
    let size_mib = std::fs::metadata(&path).unwrap().len() as f64 / 1_048_576.0;
    println!("store file: {size_mib:.0} MiB");

    let mut ids: Vec<String> = store::schema::participants::table
        .select(store::schema::participants::id)
        .load(store.connection())
        .unwrap();
    ids.shuffle(&mut StdRng::seed_from_u64(4));

    // Warm the cache the way a DPO's session would (a few exports first).
    for id in ids.iter().take(5) {
        store::export::access_export(store.connection(), &dpo, id, None, now).unwrap();
    }
    let mut export_times = Vec::new();
    let mut zip_bytes = 0usize;
    for id in ids.iter().skip(5).take(samples) {
        let t = Instant::now();
        let export = store::export::access_export(store.connection(), &dpo, id, None, now).unwrap();
        let zip = export.to_zip().unwrap();
        export_times.push(t.elapsed());
        zip_bytes = zip.len();
    }
    stats("access export (collect + zip)", &mut export_times, 100.0);
    println!("  last zip: {zip_bytes} bytes");

    let mut erase_times = Vec::new();
    for id in ids.iter().skip(5 + samples).take(samples) {
        let t = Instant::now();
        let outcome = store::erase::erase(
            store.connection(),
            &dpo,
            id,
            ErasureReason::MinorDiscovered,
            None,
            now,
        )
        .unwrap();
        erase_times.push(t.elapsed());
        assert_eq!(outcome.certificate.residual_check.occurrences, 0);
    }
    stats("erasure + targeted residual check", &mut erase_times, 200.0);
    let id = &ids[5 + 2 * samples];
    let t = Instant::now();
    let erased = store::erase::erase(
        store.connection(),
        &dpo,
        id,
        ErasureReason::MinorDiscovered,
        None,
        now,
    )
    .unwrap();
    // As the app does (`src-tauri/src/tasks.rs::run_deep_check`): the
    // background work pauses, so the checkpoint empties the WAL and no page
    // changes under the scan (without it the scan read 14,318 stale WAL
    // frames, older copies of the erased rows among them).
    let paused = checkpointer.pause();
    store.checkpoint().unwrap();
    let report = store::erase::deep_check(&store.page_reader().unwrap(), &erased.probes).unwrap();
    drop(paused);
    let outcome =
        store::erase::record_deep_check(store.connection(), &dpo, erased, &report, now).unwrap();
    assert_eq!(
        report.hits.len(),
        0,
        "the erased person is nowhere in the file"
    );
    let deep = t.elapsed();
    let store_gib =
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(1) as f64 / (1u64 << 30) as f64;
    let per_gib = deep.as_secs_f64() / store_gib;
    println!(
        "erasure + deep residual check (checkpoint, decrypt {} pages + {} WAL frames): {:.0} ms, {} occurrences; {per_gib:.2} s per GiB (target <= 1) {}",
        outcome.certificate.residual_check.pages_scanned,
        outcome.certificate.residual_check.wal_frames_scanned,
        ms(deep),
        outcome.certificate.residual_check.occurrences,
        if per_gib <= 1.0 { "OK" } else { "OVER TARGET" }
    );

    let t = Instant::now();
    let preview = store::retention::preview(store.connection(), &dpo, now).unwrap();
    let preview_time = t.elapsed();
    println!(
        "retention preview: {:.0} ms, {} items ({} overdue)",
        ms(preview_time),
        preview.summary.items,
        preview.summary.overdue
    );
    let t = Instant::now();
    let run = store::retention::run(store.connection(), &dpo, now).unwrap();
    let run_time = t.elapsed();
    println!(
        "retention sweep run: {:.0} ms, {} items executed (target <= 500 ms) {}",
        ms(run_time),
        run.executed,
        if run_time <= Duration::from_millis(500) {
            "OK"
        } else {
            "OVER TARGET"
        }
    );
    for (kind, count) in &run.summary.per_action {
        println!(
            "  {}: {} items, {} records",
            kind.code(),
            count.items,
            count.records
        );
    }
}
