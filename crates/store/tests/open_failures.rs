//! DC-2, DC-3, POL-19: the store is really encrypted, and every way opening can
//! fail is named and leaves the files untouched.

mod common;

use store::{OpenError, StoreKey};

/// A file's bytes, to prove a failed open changed nothing.
fn digest(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn pol_19_file_is_unreadable_without_its_key() {
    let mut fixture = common::demo();
    fixture.store.checkpoint().unwrap();
    let bytes = std::fs::read(fixture.path()).unwrap();
    assert_ne!(
        &bytes[..16],
        b"SQLite format 3\0",
        "the header must be encrypted"
    );
    for needle in &fixture.summary.personal_strings {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "a seeded personal string is readable in the raw file"
        );
    }
    // The same data is there through the key.
    let reopened = store::open(&fixture.path(), &fixture.key, true);
    assert!(reopened.is_ok());
}

#[test]
fn dc_3_wrong_key_is_refused_and_changes_nothing() {
    let mut fixture = common::demo();
    fixture.store.checkpoint().unwrap();
    let path = fixture.path();
    drop(fixture.store);
    let before = digest(&path);
    let error = store::open(&path, &StoreKey::random(), true).err().unwrap();
    assert!(matches!(error, OpenError::WrongKey { .. }), "{error}");
    assert_eq!(error.code(), "wrong_key");
    assert_eq!(digest(&path), before, "a failed open must not write");
    // Still opens with the right key, data intact.
    let mut store = store::open(&path, &fixture.key, true).unwrap();
    assert!(!store::seed::is_empty(&mut store).unwrap());
}

#[test]
fn dc_2_corrupted_file_is_named_corrupted_and_left_alone() {
    let mut fixture = common::demo();
    fixture.store.checkpoint().unwrap();
    let path = fixture.path();
    drop(fixture.store);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8 * 4096, "the demo store spans many pages");
    // Damage the middle of page 5 (page 1, which checks the key, stays intact).
    for byte in &mut bytes[4 * 4096 + 1000..4 * 4096 + 1200] {
        *byte ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let error = store::open(&path, &fixture.key, true).err().unwrap();
    assert!(matches!(error, OpenError::Corrupted { .. }), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing rewritten");
}

#[test]
fn pol_19_plain_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    drop(store::open_plain(&path).unwrap());
    let before = digest(&path);
    let error = store::open(&path, &StoreKey::random(), true).err().unwrap();
    assert_eq!(error.code(), "not_encrypted");
    assert_eq!(digest(&path), before);
}

#[test]
fn dc_2_pragmas_are_on_after_open() {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    let mut fixture = common::empty();
    let conn = fixture.store.connection();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
    for pragma in ["foreign_keys", "secure_delete"] {
        let flag: Flag =
            diesel::sql_query(format!("SELECT {pragma} AS value FROM pragma_{pragma}"))
                .get_result(conn)
                .unwrap();
        assert_eq!(flag.value, 1, "{pragma} must be on");
    }
}

#[test]
fn dc_3_key_round_trips_through_hex_and_never_prints() {
    let key = StoreKey::random();
    let hex = key.to_hex();
    assert_eq!(hex.len(), 64);
    assert!(StoreKey::from_hex(&hex).is_some());
    assert!(StoreKey::from_hex("abcd").is_none());
    assert_eq!(format!("{key:?}"), "StoreKey(..)");
}

/// Issue 13: the window opens the store without reading it whole and runs
/// the integrity check in the background, on a connection of its own; that
/// check still names a damaged page `corrupted` and writes nothing.
#[test]
fn dc_2_the_background_integrity_check_finds_a_damaged_page() {
    let mut fixture = common::demo();
    fixture.store.checkpoint().unwrap();
    let path = fixture.path();
    assert!(store::open::check_integrity_at(&path, &fixture.key).is_ok());
    drop(fixture.store);
    let mut bytes = std::fs::read(&path).unwrap();
    for byte in &mut bytes[4 * 4096 + 1000..4 * 4096 + 1200] {
        *byte ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let error = store::open::check_integrity_at(&path, &fixture.key)
        .err()
        .unwrap();
    assert!(matches!(error, OpenError::Corrupted { .. }), "{error}");
    assert_eq!(error.code(), "corrupted");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing rewritten");
}
