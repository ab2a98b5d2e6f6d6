//! Scan-speed check: builds an encrypted WAL-mode database of about
//! `MIB` MiB (first argument, default 200) in a temporary directory, then
//! times `pagescan::scan` over it with three needles.
//!
//! `cargo run --release -p pagescan --example bench -- 600`

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use pagescan::{scan, Needle};
use std::time::Instant;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("bench.db");
    let key: [u8; 32] = rand::random();

    let started = Instant::now();
    let mut conn = SqliteConnection::establish(path.to_str().expect("utf-8 path")).expect("open");
    conn.batch_execute(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key)))
        .expect("key");
    conn.batch_execute(
        "PRAGMA cipher_memory_security = OFF; PRAGMA journal_mode = WAL;
         PRAGMA secure_delete = ON; PRAGMA synchronous = OFF;
         CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, email TEXT, notes TEXT);",
    )
    .expect("schema");
    // Rows of about 1 KiB of varied text.
    let rows = mib * 1024;
    for chunk in 0..rows / 1000 {
        let mut sql = String::from("BEGIN;");
        for i in chunk * 1000..(chunk + 1) * 1000 {
            let notes: String = (0..20)
                .map(|k| {
                    format!(
                        "Note {k} about person {i}: met at the office on day {}. ",
                        (i * 7 + k) % 365
                    )
                })
                .collect();
            sql.push_str(&format!(
                "INSERT INTO people (name, email, notes) VALUES ('Person Number {i}', 'person{i}@example.invalid', '{notes}');"
            ));
        }
        sql.push_str("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
        conn.batch_execute(&sql).expect("insert");
    }
    drop(conn);
    let size = std::fs::metadata(&path).expect("size").len();
    println!(
        "built {:.1} MiB in {:.1?}",
        size as f64 / (1024.0 * 1024.0),
        started.elapsed()
    );

    let needles = [
        Needle::text("name", "ZORGLUBINE TESTAFAMILLE"),
        Needle::text("e-mail", "zorglubine@example.invalid"),
        Needle::text("phone", "+33 6 98 76 54 32"),
    ];
    for round in 0..3 {
        let started = Instant::now();
        let report = scan(&path, &key, &needles).expect("scan");
        let elapsed = started.elapsed();
        println!(
            "scan {round}: {} pages, {} hits, {:.2?} ({:.0} MiB/s)",
            report.main_pages,
            report.hits.len(),
            elapsed,
            size as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64()
        );
    }
    let started = Instant::now();
    let report = scan(&path, &key, &[Needle::text("common", "person number 12")]).expect("scan");
    println!(
        "scan for a frequent needle: {} hits in {:.2?}",
        report.hits.len(),
        started.elapsed()
    );
}
