//! DC-3, POL-19 with the real OS keyring (Secret Service through
//! gnome-keyring; the README's test command provides one): the key is created
//! once, kept in the keyring, and every failure is clear on the command line
//! and leaves the database untouched.
//!
//! Without a D-Bus session these tests say how to run them and return, unless
//! `MONIRAVIQUE_REQUIRE_KEYRING=1` (set by the test command), which makes a
//! missing keyring a failure.

use desktop_lib::keystore;
use std::path::{Path, PathBuf};
use std::process::Command;

fn keyring_available() -> bool {
    let present = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    if !present {
        assert!(
            std::env::var("MONIRAVIQUE_REQUIRE_KEYRING").as_deref() != Ok("1"),
            "no D-Bus session: run through scripts/with-keyring.sh"
        );
        eprintln!("skipped: no Secret Service; run `scripts/test-all.sh` for the keyring tests");
    }
    present
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_moniravique-desktop")
}

fn run(data_dir: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(binary())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--log-dir")
        .arg(data_dir.join("logs"))
        .args(extra)
        .output()
        .unwrap()
}

fn db(dir: &Path) -> PathBuf {
    dir.join("moniravique.db")
}

fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--seed-demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn dc_3_key_is_created_once_in_the_keyring_and_reused() {
    if !keyring_available() {
        return;
    }
    let dir = seeded();
    let key = keystore::load_or_create(&db(dir.path())).expect("key in the keyring");
    let again = keystore::load_or_create(&db(dir.path())).unwrap();
    assert_eq!(key.to_hex().as_str(), again.to_hex().as_str());
    // No key material next to the database.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        let hex = key.to_hex();
        assert!(!bytes.windows(64).any(|w| w == hex.as_bytes()));
    }
    let out = run(dir.path(), &["--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    keystore::delete(&db(dir.path())).unwrap();
}

#[test]
fn dc_3_removed_key_gives_a_clear_error_and_never_a_new_store() {
    if !keyring_available() {
        return;
    }
    let dir = seeded();
    let before = std::fs::read(db(dir.path())).unwrap();
    keystore::delete(&db(dir.path())).unwrap();
    let out = run(dir.path(), &["--check"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[key_missing]"), "{stderr}");
    assert!(
        stderr.contains("missing from the system keyring"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(db(dir.path())).unwrap(),
        before,
        "database untouched"
    );
    // And no new key was put in its place.
    let err = keystore::load_or_create(&db(dir.path())).unwrap_err();
    assert_eq!(err.code(), "key_missing");
}

#[test]
fn dc_3_a_different_key_in_the_keyring_is_refused_without_writing() {
    if !keyring_available() {
        return;
    }
    let dir = seeded();
    let before = std::fs::read(db(dir.path())).unwrap();
    keystore::delete(&db(dir.path())).unwrap();
    let entry =
        keyring::Entry::new(keystore::SERVICE, &keystore::account_for(&db(dir.path()))).unwrap();
    entry
        .set_password(store::StoreKey::random().to_hex().as_str())
        .unwrap();
    let out = run(dir.path(), &["--check"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[wrong_key]"), "{stderr}");
    assert_eq!(std::fs::read(db(dir.path())).unwrap(), before);
    keystore::delete(&db(dir.path())).unwrap();
}

#[test]
fn dc_3_unreachable_keyring_is_named_and_touches_nothing() {
    if !keyring_available() {
        return;
    }
    let dir = seeded();
    let before = std::fs::read(db(dir.path())).unwrap();
    let out = Command::new(binary())
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--log-dir")
        .arg(dir.path().join("logs"))
        .arg("--check")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/moniravique-bus",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[keyring_unreachable]"), "{stderr}");
    assert_eq!(std::fs::read(db(dir.path())).unwrap(), before);
    keystore::delete(&db(dir.path())).unwrap();
}

#[test]
fn dc_2_corrupted_store_is_named_on_the_command_line() {
    if !keyring_available() {
        return;
    }
    let dir = seeded();
    let mut bytes = std::fs::read(db(dir.path())).unwrap();
    for byte in &mut bytes[5 * 4096 + 100..5 * 4096 + 300] {
        *byte ^= 0xa5;
    }
    std::fs::write(db(dir.path()), &bytes).unwrap();
    let out = run(dir.path(), &["--check"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[corrupted]"), "{stderr}");
    assert_eq!(std::fs::read(db(dir.path())).unwrap(), bytes);
    keystore::delete(&db(dir.path())).unwrap();
}

#[test]
fn pol_22_logs_of_a_seeded_run_hold_no_personal_data() {
    if !keyring_available() {
        return;
    }
    let dir = seeded();
    let logs: String = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(logs.contains("demo data seeded"), "the log was written");
    assert!(!logs.contains("@example.test"), "no e-mail in the logs");
    assert!(!logs.contains("+33"), "no phone in the logs");
    keystore::delete(&db(dir.path())).unwrap();
}
