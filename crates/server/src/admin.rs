//! The admin commands of `moniravique-server` (init, seed-demo, add-staff,
//! devices, backup) as library functions. The store is always
//! `DIR/server.db`, opened with its key and marked as the server's.

use crate::error::ServerError;
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::{Role, StaffId};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use store::{Store, StoreKey};

/// File name of the server's store inside the data directory.
pub const STORE_FILE: &str = "server.db";
/// Shortest password `add-staff` accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join(STORE_FILE)
}

/// Opens the existing store of `data_dir` (never creates one) and marks it
/// as the server's, so its change log records every row change.
pub fn open_existing(data_dir: &Path, key: &StoreKey) -> Result<Store, ServerError> {
    let path = store_path(data_dir);
    if !path.exists() {
        return Err(ServerError::Usage(format!(
            "no store at {}: run `moniravique-server init` first",
            path.display()
        )));
    }
    let mut store = store::open(&path, key, true)?;
    sync::server::enable(&mut store)?;
    Ok(store)
}

/// `init`: a new key file (0600) and a new empty store; refuses to
/// overwrite either.
pub fn init(data_dir: &Path, key_file: &Path) -> Result<PathBuf, ServerError> {
    let path = store_path(data_dir);
    if path.exists() {
        return Err(ServerError::Exists(path));
    }
    if key_file.exists() {
        return Err(ServerError::Exists(key_file.to_owned()));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| ServerError::io(format!("cannot create {}", data_dir.display()), e))?;
    let key = crate::keys::create_file(key_file)?;
    let mut store = store::open(&path, &key, true)?;
    sync::server::enable(&mut store)?;
    store.checkpoint()?;
    Ok(path)
}

/// `seed-demo`: the fictional demo dataset, into an empty store only.
pub fn seed_demo(
    store: &mut Store,
    now: DateTime<Utc>,
) -> Result<store::seed::DemoSummary, ServerError> {
    if !store::seed::is_empty(store)? {
        return Err(ServerError::Usage(
            "the store already holds staff accounts; seed an empty store".into(),
        ));
    }
    let summary = store::seed::seed_demo(store, now)?;
    store.checkpoint()?;
    Ok(summary)
}

/// `add-staff`: a staff account with an argon2id password hash (POL-18).
pub fn add_staff(
    store: &mut Store,
    username: &str,
    display_name: &str,
    role: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<StaffId, ServerError> {
    let username = username.trim();
    if username.is_empty() || username.chars().any(char::is_whitespace) {
        return Err(ServerError::Usage(
            "the user name must be non-empty, without spaces".into(),
        ));
    }
    if display_name.trim().is_empty() {
        return Err(ServerError::Usage(
            "the display name must not be empty".into(),
        ));
    }
    let role = Role::parse(role).ok_or_else(|| {
        ServerError::Usage(
            "the role must be one of trainer, external_trainer, administrator, support, dpo".into(),
        )
    })?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServerError::Usage(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    use store::schema::staff;
    let taken: i64 = staff::table
        .filter(staff::username.eq(username))
        .count()
        .get_result(store.connection())
        .map_err(store::StoreError::from)?;
    if taken > 0 {
        return Err(ServerError::Usage(
            "a staff account with that user name already exists".into(),
        ));
    }
    Ok(store::auth::create_staff(
        store,
        username,
        display_name.trim(),
        role,
        password,
        now,
    )?)
}

/// `backup`: an encrypted copy of the store, with the same key, in a new
/// file of mode 0600 (POL-19), made with `sqlcipher_export` and then
/// checked: it must not be plain SQLite and must open and pass
/// `quick_check` with the key.
pub fn backup(store: &mut Store, key: &StoreKey, out: &Path) -> Result<(), ServerError> {
    let target = out
        .to_str()
        .ok_or_else(|| ServerError::Usage("the backup path must be valid UTF-8".into()))?;
    // Creating the (empty) file first refuses to overwrite and sets its mode
    // before any byte is written.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ServerError::Exists(out.to_owned()),
            _ => ServerError::io(format!("cannot create {}", out.display()), e),
        })?;
    let quoted = target.replace('\'', "''");
    let hex = key.to_hex();
    let attach = zeroize::Zeroizing::new(format!(
        "ATTACH DATABASE '{quoted}' AS backup KEY \"x'{}'\";",
        hex.as_str()
    ));
    let conn = store.connection();
    let exported = conn
        .batch_execute(&attach)
        .and_then(|()| conn.batch_execute("SELECT sqlcipher_export('backup');"));
    let detached = conn.batch_execute("DETACH DATABASE backup;");
    if let Err(error) = exported.and(detached) {
        let _ = std::fs::remove_file(out);
        return Err(store::StoreError::from(error).into());
    }
    verify_backup(out, key)
}

/// Checks that `path` is encrypted and opens with `key` (reads only).
pub fn verify_backup(path: &Path, key: &StoreKey) -> Result<(), ServerError> {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .map_err(|e| ServerError::io(format!("cannot read the backup {}", path.display()), e))?;
    if &header == b"SQLite format 3\0" {
        return Err(ServerError::Usage(format!(
            "the backup {} is not encrypted",
            path.display()
        )));
    }
    let url = path
        .to_str()
        .ok_or_else(|| ServerError::Usage("the backup path must be valid UTF-8".into()))?;
    let mut conn = SqliteConnection::establish(url)
        .map_err(|e| ServerError::Usage(format!("cannot open the backup: {e}")))?;
    let pragma = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()));
    conn.batch_execute(&pragma)
        .map_err(store::StoreError::from)?;
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        quick_check: String,
    }
    let rows: Vec<Check> = diesel::sql_query("PRAGMA quick_check;")
        .load(&mut conn)
        .map_err(|e| ServerError::Usage(format!("the backup does not open with the key: {e}")))?;
    match rows.first() {
        Some(row) if rows.len() == 1 && row.quick_check == "ok" => Ok(()),
        _ => Err(ServerError::Usage(
            "the backup failed its integrity check".into(),
        )),
    }
}

/// What `restore` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// The new store, `DATA_DIR/server.db`.
    pub path: PathBuf,
    /// Device tokens revoked (every laptop signs in again).
    pub tokens_revoked: usize,
}

/// `restore`: the counterpart of [`backup`]. Checks the backup (encrypted,
/// opens with `key`, `quick_check` ok), copies it into `data_dir` (made
/// 0700 if missing) as a new store of mode 0600, never over an existing
/// one, then records `server.restored_at` (`now`) and revokes every device
/// token, not the devices: each laptop's next request gets 401
/// `server_restored` and it signs in again, keeping its outbox
/// (`crate::devices::resolve`). The result is opened and checked again.
pub fn restore(
    backup_file: &Path,
    data_dir: &Path,
    key: &StoreKey,
    now: DateTime<Utc>,
) -> Result<Restored, ServerError> {
    let path = store_path(data_dir);
    for existing in [path.clone(), data_dir.join(format!("{STORE_FILE}-wal"))] {
        if existing.exists() {
            return Err(ServerError::Usage(format!(
                "{} already exists: restore into a new, empty data directory",
                existing.display()
            )));
        }
    }
    verify_backup(backup_file, key)?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .map_err(|e| ServerError::io(format!("cannot create {}", data_dir.display()), e))?;
    let partial = data_dir.join(format!("{STORE_FILE}.restoring"));
    let copied = (|| -> std::io::Result<()> {
        let mut source = std::fs::File::open(backup_file)?;
        let mut target = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)?;
        std::io::copy(&mut source, &mut target)?;
        target.sync_all()?;
        // Never over a store that appeared meanwhile.
        std::fs::hard_link(&partial, &path)?;
        std::fs::remove_file(&partial)
    })();
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(ServerError::io(
            format!("cannot restore into {}", path.display()),
            error,
        ));
    }
    let mut store = store::open(&path, key, true)?;
    sync::server::enable(&mut store)?;
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let tokens_revoked = store::tx::immediate(store.connection(), |conn| {
        let revoked = crate::devices::revoke_all_tokens(conn, now)?;
        // Every laptop's cursor belongs to the history that is gone: each
        // gets a fresh snapshot at its next pull.
        sync::server::start_new_history(conn).map_err(crate::devices::DeviceError::from)?;
        diesel::replace_into(store::schema::app_meta::table)
            .values((
                store::schema::app_meta::key.eq(crate::devices::RESTORED_AT_META),
                store::schema::app_meta::value.eq(&stamp),
            ))
            .execute(conn)
            .map_err(crate::devices::DeviceError::from)?;
        Ok::<_, crate::devices::DeviceError>(revoked)
    })?;
    store.checkpoint()?;
    drop(store);
    store::open::check_integrity_at(&path, key)?;
    Ok(Restored {
        path,
        tokens_revoked,
    })
}
