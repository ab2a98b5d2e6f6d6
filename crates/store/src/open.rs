//! Opening the SQLCipher store (DC-2, DC-3, POL-19): the raw 256-bit key is
//! applied with `PRAGMA key` before anything else; WAL, foreign keys and
//! `secure_delete` on; migrations embedded and run at open.
//!
//! **Invariant**: opening never creates a database over an existing file and
//! never writes to a file it could not decrypt.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use domain::DeviceId;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// A raw 256-bit SQLCipher key. Zeroed on drop; never printed.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    pub fn random() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        StoreKey(Zeroizing::new(bytes))
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(StoreKey(Zeroizing::new(array)))
    }

    /// The raw key bytes, for the residual page check.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.0))
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

/// Why the store could not be opened. Each case leaves the files untouched.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the key does not open the database at {path} (wrong key, or its first page is damaged); nothing was changed")]
    WrongKey { path: PathBuf },
    #[error("the database at {path} is not encrypted; refusing to use it")]
    NotEncrypted { path: PathBuf },
    #[error("the database at {path} is corrupted ({detail}); nothing was changed")]
    Corrupted { path: PathBuf, detail: String },
    #[error("the database at {path} could not be opened: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("the database schema could not be migrated: {0}")]
    Migration(String),
}

impl OpenError {
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::WrongKey { .. } => "wrong_key",
            OpenError::NotEncrypted { .. } => "not_encrypted",
            OpenError::Corrupted { .. } => "corrupted",
            OpenError::Io { .. } => "io",
            OpenError::Migration(_) => "migration",
        }
    }
}

/// An open store: one connection and the id of this device.
pub struct Store {
    pub(crate) conn: SqliteConnection,
    pub(crate) device: DeviceId,
    path: PathBuf,
    /// Kept to open the background checkpointer's connection; `None` for the
    /// benchmark-only plain store.
    key: Option<StoreKey>,
}

impl Store {
    pub fn device(&self) -> &DeviceId {
        &self.device
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for the store's own modules, tests and benchmarks.
    pub fn connection(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }

    /// Refreshes the query planner's statistics (after bulk loads, and at close).
    pub fn optimize(&mut self) -> Result<(), crate::StoreError> {
        self.conn
            .batch_execute("PRAGMA analysis_limit = 1000; ANALYZE;")
            .map_err(Into::into)
    }

    /// The integrity check of this store's file, to run on another thread
    /// with a connection of its own ([`check_integrity_at`]); `None` for the
    /// plain benchmark store.
    pub fn integrity_check(
        &self,
    ) -> Option<impl FnOnce() -> Result<(), OpenError> + Send + 'static> {
        let (path, key) = (self.path.clone(), self.key.clone()?);
        Some(move || check_integrity_at(&path, &key))
    }

    /// Starts the background checkpointer on its own connection (see
    /// [`crate::checkpoint`]): interactive commands never pay for a checkpoint.
    pub fn start_checkpointer(
        &self,
        every: std::time::Duration,
    ) -> crate::checkpoint::Checkpointer {
        crate::checkpoint::Checkpointer::start(self.path.clone(), self.key.clone(), every)
    }

    /// Decrypts every page of the store file and its WAL and looks for the
    /// needles (POL-25's residual check, for tests and tools). Fails on the
    /// plain benchmark store.
    pub fn scan_pages(
        &self,
        needles: &[pagescan::Needle],
    ) -> Result<pagescan::Report, crate::StoreError> {
        let reader = self
            .page_reader()
            .ok_or_else(|| crate::StoreError::InvalidInput("store opened without a key".into()))?;
        pagescan::scan(&reader.path, reader.key.bytes(), needles)
            .map_err(|e| crate::StoreError::Database(e.to_string()))
    }

    /// The file and key the deep residual check of an erasure reads
    /// (`None` for the plain benchmark store, which has no key).
    pub fn page_reader(&self) -> Option<crate::erase::PageReader> {
        Some(crate::erase::PageReader {
            path: self.path.clone(),
            key: self.key.clone()?,
        })
    }

    /// Writes the WAL back into the main file and truncates it.
    pub fn checkpoint(&mut self) -> Result<(), crate::StoreError> {
        self.conn
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(Into::into)
    }
}

const SQLITE_PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

fn is_plain_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .map(|_| &header == SQLITE_PLAIN_HEADER)
        .unwrap_or(false)
}

/// Opens (or, when `path` does not exist, creates) the encrypted store.
///
/// `integrity_check` runs `PRAGMA quick_check` after the key is verified, which
/// tells a corrupted file from a wrong key (the command line's `--check`; the
/// window runs it in the background instead, [`check_integrity_at`]).
pub fn open(path: &Path, key: &StoreKey, integrity_check: bool) -> Result<Store, OpenError> {
    let existed = path.exists();
    if existed && is_plain_sqlite(path) {
        return Err(OpenError::NotEncrypted {
            path: path.to_owned(),
        });
    }
    let mut conn = establish_keyed(path, key)?;
    // The first read decrypts page 1: a wrong key fails here, before any write.
    if let Err(error) = conn.batch_execute("SELECT count(*) FROM sqlite_master;") {
        let detail = error.to_string();
        return Err(if detail.contains("not a database") {
            OpenError::WrongKey {
                path: path.to_owned(),
            }
        } else {
            OpenError::Corrupted {
                path: path.to_owned(),
                detail,
            }
        });
    }
    // Memory zeroing on every allocation costs far more than it protects on a
    // laptop whose disk is what we guard (the key stays in the keyring).
    conn.batch_execute("PRAGMA cipher_memory_security = OFF;")
        .map_err(|e| io_error(path, e.to_string()))?;
    if existed && integrity_check {
        check_integrity(&mut conn, path)?;
    }
    finish_open(conn, path, Some(key.clone()))
}

/// Opens an unencrypted SQLite store with the same schema: benchmarks only
/// (SQLCipher overhead comparison); the product never calls it.
pub fn open_plain(path: &Path) -> Result<Store, OpenError> {
    let conn = establish(path)?;
    finish_open(conn, path, None)
}

pub(crate) fn establish(path: &Path) -> Result<SqliteConnection, OpenError> {
    let url = path
        .to_str()
        .ok_or_else(|| io_error(path, "the path is not valid UTF-8".into()))?;
    SqliteConnection::establish(url).map_err(|e| io_error(path, e.to_string()))
}

/// A connection to the encrypted store with its key applied (nothing read
/// yet: a wrong key shows at the first read). The window's connection, the
/// background checkpointer's and the integrity check's all start here.
pub(crate) fn establish_keyed(path: &Path, key: &StoreKey) -> Result<SqliteConnection, OpenError> {
    let mut conn = establish(path)?;
    let pragma = format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str());
    conn.batch_execute(&pragma)
        .map_err(|e| io_error(path, e.to_string()))?;
    Ok(conn)
}

fn io_error(path: &Path, detail: String) -> OpenError {
    OpenError::Io {
        path: path.to_owned(),
        detail,
    }
}

/// Runs the integrity check (`PRAGMA quick_check`) of the store at `path` on
/// a connection of its own: the desktop runs it in the background after its
/// window is up (issue 13: it reads the whole file, 5 s at 100,000 people),
/// while its own connection serves the window.
pub fn check_integrity_at(path: &Path, key: &StoreKey) -> Result<(), OpenError> {
    let mut conn = establish_keyed(path, key)?;
    conn.batch_execute("PRAGMA cipher_memory_security = OFF; PRAGMA query_only = ON;")
        .map_err(|e| io_error(path, e.to_string()))?;
    check_integrity(&mut conn, path)
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    quick_check: String,
}

fn check_integrity(conn: &mut SqliteConnection, path: &Path) -> Result<(), OpenError> {
    let rows: Result<Vec<CheckRow>, _> = diesel::sql_query("PRAGMA quick_check;").load(conn);
    let corrupted = |detail: String| OpenError::Corrupted {
        path: path.to_owned(),
        detail,
    };
    match rows {
        Ok(rows) if rows.len() == 1 && rows[0].quick_check == "ok" => Ok(()),
        Ok(rows) => Err(corrupted(
            rows.into_iter()
                .take(3)
                .map(|row| row.quick_check)
                .collect::<Vec<_>>()
                .join("; "),
        )),
        Err(error) => Err(corrupted(error.to_string())),
    }
}

/// Pages the WAL may hold before the interactive connection checkpoints by
/// itself: a safety net only, the background checkpointer normally keeps the
/// WAL far below it (an in-line checkpoint stalls a command for ~100 ms).
const WAL_SAFETY_NET_PAGES: u32 = 20_000;

fn finish_open(
    mut conn: SqliteConnection,
    path: &Path,
    key: Option<StoreKey>,
) -> Result<Store, OpenError> {
    conn.batch_execute(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA cache_size = -262144;
         PRAGMA temp_store = MEMORY;",
    )
    .and_then(|()| {
        conn.batch_execute(&format!(
            "PRAGMA wal_autocheckpoint = {WAL_SAFETY_NET_PAGES};"
        ))
    })
    .map_err(|e| OpenError::Corrupted {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| OpenError::Migration(e.to_string()))?;
    let device = device_id(&mut conn).map_err(|e| OpenError::Migration(e.to_string()))?;
    Ok(Store {
        conn,
        device,
        path: path.to_owned(),
        key,
    })
}

/// This store's device id, created once (sync-ready: rows name the device that changed them).
fn device_id(conn: &mut SqliteConnection) -> Result<DeviceId, diesel::result::Error> {
    use crate::schema::app_meta::dsl::*;
    let existing: Option<String> = app_meta
        .filter(key.eq("device_id"))
        .select(value)
        .first(conn)
        .optional()?;
    if let Some(id) = existing {
        return Ok(DeviceId(id));
    }
    let id = DeviceId::new();
    diesel::insert_into(app_meta)
        .values((key.eq("device_id"), value.eq(id.as_str())))
        .execute(conn)?;
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(crate::schema::devices::table)
        .values((
            crate::schema::devices::id.eq(id.as_str()),
            crate::schema::devices::label.eq("this laptop"),
            crate::schema::devices::registered_at.eq(now),
            crate::schema::devices::updated_at.eq(now),
            crate::schema::devices::updated_device.eq(id.as_str()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Reads one `app_meta` value.
pub fn meta(store: &mut Store, name: &str) -> Result<Option<String>, crate::StoreError> {
    use crate::schema::app_meta::dsl::*;
    Ok(app_meta
        .filter(key.eq(name))
        .select(value)
        .first(&mut store.conn)
        .optional()?)
}

/// Sets one `app_meta` value.
pub fn set_meta(store: &mut Store, name: &str, new_value: &str) -> Result<(), crate::StoreError> {
    use crate::schema::app_meta::dsl::*;
    diesel::replace_into(app_meta)
        .values((key.eq(name), value.eq(new_value)))
        .execute(&mut store.conn)?;
    Ok(())
}
