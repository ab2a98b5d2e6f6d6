//! What the window's commands share: the open store (or why it could not be
//! opened), the signed-in staff member (in memory only, POL-18), and [`Ctx`],
//! through which every command body reaches them.
//!
//! **Invariant**: the window never waits on the network or on a long task.
//! Every command is `async` (off the main thread) and does its store work on a
//! blocking thread ([`Ctx::with_actor`]); the store's lock is held for one
//! store call at a time, never across a request to the server, a file dialog
//! or a page scan (a sync round locks it per step: [`LockedStore`]).

use crate::error::UiError;
use chrono::{DateTime, Utc};
use diesel::sqlite::SqliteConnection;
use domain::{Actor, ErrorCode};
use std::path::Path;
use std::sync::Mutex;
use store::auth::SignedIn;
use store::{Store, StoreError};
use tauri::{AppHandle, Manager};

pub const DB_FILE: &str = "moniravique.db";

/// The outcome of opening the store at start-up.
pub enum Opened {
    Ready(Store),
    Failed { code: ErrorCode, note: String },
}

/// Gets the key from the OS keyring and opens the store in `data_dir`.
/// Every failure leaves the files as they were. `integrity_check` reads the
/// whole file first (the command line's `--check`); the window runs that
/// check in the background instead (`AppState::start_integrity_check`).
pub fn open_store(data_dir: &Path, integrity_check: bool) -> Opened {
    if let Err(error) = std::fs::create_dir_all(data_dir) {
        return Opened::Failed {
            code: ErrorCode::Io,
            note: format!("cannot create {}: {error}", data_dir.display()),
        };
    }
    restrict_to_owner(data_dir, 0o700);
    let db_path = data_dir.join(DB_FILE);
    let key = match crate::keystore::load_or_create(&db_path) {
        Ok(key) => key,
        Err(error) => {
            tracing::error!(code = %error.code(), "store key unavailable");
            return Opened::Failed {
                code: error.code(),
                note: error.to_string(),
            };
        }
    };
    // The integrity check reads the whole file: the window does not wait
    // for it (issue 13: 7.9 x a bare window's start at 100,000 people).
    match store::open(&db_path, &key, integrity_check) {
        Ok(store) => {
            for suffix in ["", "-wal", "-shm"] {
                restrict_to_owner(&data_dir.join(format!("{DB_FILE}{suffix}")), 0o600);
            }
            tracing::info!(device = %store.device(), "store opened");
            Opened::Ready(store)
        }
        Err(error) => {
            tracing::error!(code = error.code(), "store could not be opened");
            Opened::Failed {
                code: ErrorCode::parse(error.code()).unwrap_or(ErrorCode::Store),
                note: error.to_string(),
            }
        }
    }
}

/// Other accounts on the laptop get no access to the store's directory or
/// files (defence in depth under the encryption, POL-19).
fn restrict_to_owner(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            if let Err(error) =
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            {
                tracing::warn!(kind = ?error.kind(), "could not restrict permissions");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

pub struct AppState {
    pub store: Mutex<Option<Store>>,
    /// Copies the WAL into the database in the background (never inside a command).
    pub checkpointer: Option<store::checkpoint::Checkpointer>,
    pub store_error: Option<(ErrorCode, String)>,
    pub session: Mutex<Option<SignedIn>>,
    /// An enrolment code offered on the command line (the demo's), shown
    /// on the connect screen of a laptop not yet connected.
    pub offered_code: Option<String>,
    /// The demo account that code is for (a demo laptop shows its password).
    pub offered_account: Option<String>,
    /// One sync round at a time (the background one or "synchronise now").
    pub round: Mutex<()>,
    /// The store's integrity check, until the window starts it.
    integrity_check: Mutex<Option<IntegrityCheck>>,
    /// What the background integrity check found wrong, if anything: from
    /// then on every command answers `corrupted` (DC-2).
    corrupted: Mutex<Option<String>>,
}

type IntegrityCheck = Box<dyn FnOnce() -> Result<(), store::OpenError> + Send>;

impl AppState {
    pub fn new(opened: Opened) -> Self {
        let (store, checkpointer, store_error, check) = match opened {
            Opened::Ready(store) => {
                let checkpointer = store.start_checkpointer(std::time::Duration::from_secs(5));
                let check = store
                    .integrity_check()
                    .map(|check| Box::new(check) as IntegrityCheck);
                (Some(store), Some(checkpointer), None, check)
            }
            Opened::Failed { code, note } => (None, None, Some((code, note)), None),
        };
        AppState {
            store: Mutex::new(store),
            checkpointer,
            store_error,
            session: Mutex::new(None),
            offered_code: None,
            offered_account: None,
            round: Mutex::new(()),
            integrity_check: Mutex::new(check),
            corrupted: Mutex::new(None),
        }
    }

    /// Starts the store's integrity check on a thread of its own, once (the
    /// window calls it when its first screen is up): start-up does not wait
    /// for a read of the whole file (issue 13: 7.9 × a bare window at
    /// 100,000 people). A corrupted file closes the store for every command.
    pub fn start_integrity_check(&self, app: AppHandle) {
        let Some(check) = self.integrity_check.lock().ok().and_then(|mut c| c.take()) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("store-integrity".into())
            .spawn(move || {
                let result = check();
                app.state::<AppState>().record_integrity(result);
            });
        if let Err(error) = spawned {
            tracing::warn!(kind = ?error.kind(), "integrity check not started");
        }
    }

    /// Records what the integrity check found.
    pub fn record_integrity(&self, result: Result<(), store::OpenError>) {
        match result {
            Ok(()) => tracing::info!("store integrity check passed"),
            Err(error) => {
                // The detail names pages and tables, never a person: it
                // stays out of the log all the same.
                tracing::error!(code = %error.code(), "store integrity check failed");
                if let Ok(mut corrupted) = self.corrupted.lock() {
                    *corrupted = Some(error.to_string());
                }
            }
        }
    }

    /// Why the store cannot be used: it did not open, or the background
    /// integrity check found it corrupted.
    pub fn store_error(&self) -> Option<(ErrorCode, String)> {
        if let Some(error) = &self.store_error {
            return Some(error.clone());
        }
        let corrupted = self.corrupted.lock().ok()?.clone()?;
        Some((ErrorCode::Corrupted, corrupted))
    }

    /// The signed-in staff member. A session opened with a one-time
    /// password may do nothing but change it (issue 14, POL-18): every
    /// command that needs an actor is refused with `password_change_required`.
    pub fn actor(&self) -> Result<Actor, UiError> {
        let session = self.session.lock().map_err(|_| poisoned())?;
        let signed = session.as_ref().ok_or_else(UiError::not_signed_in)?;
        if signed.must_change_password {
            return Err(UiError::new(ErrorCode::PasswordChangeRequired));
        }
        Ok(signed.actor.clone())
    }

    /// Runs `work` with the store (blocking: call it off the window's thread).
    pub fn with_store<T>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, UiError>,
    ) -> Result<T, UiError> {
        if let Some((code, _)) = self.store_error() {
            return Err(UiError::new(code).noting("the store cannot be used"));
        }
        let mut guard = self.store.lock().map_err(|_| poisoned())?;
        let store = guard.as_mut().ok_or_else(store_unavailable)?;
        work(store)
    }

    /// Runs `work` with the store and the signed-in actor (blocking).
    pub fn with_actor<T>(
        &self,
        work: impl FnOnce(&mut Store, &Actor) -> Result<T, UiError>,
    ) -> Result<T, UiError> {
        let actor = self.actor()?;
        self.with_store(|store| work(store, &actor))
    }
}

pub fn poisoned() -> UiError {
    UiError::new(ErrorCode::Store).noting("internal state unavailable after an earlier failure")
}

pub fn store_unavailable() -> UiError {
    UiError::new(ErrorCode::Store).noting("the store is not open")
}

/// What a command's body gets: the app, and the ways to reach the store off
/// the window's thread.
#[derive(Clone)]
pub struct Ctx {
    app: AppHandle,
}

impl Ctx {
    pub fn new(app: AppHandle) -> Self {
        Ctx { app }
    }

    pub fn app(&self) -> &AppHandle {
        &self.app
    }

    pub fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    /// Runs blocking `work` on a thread of the blocking pool.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&AppState) -> Result<T, UiError> + Send + 'static,
    ) -> Result<T, UiError> {
        let app = self.app.clone();
        tauri::async_runtime::spawn_blocking(move || work(&app.state::<AppState>()))
            .await
            .map_err(|_| UiError::new(ErrorCode::Store).noting("a store task failed"))?
    }

    /// Runs `work` with the store and the signed-in actor, off the window's thread.
    pub async fn with_actor<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store, &Actor) -> Result<T, UiError> + Send + 'static,
    ) -> Result<T, UiError> {
        self.blocking(move |state| state.with_actor(work)).await
    }

    /// One store function as the signed-in actor, now: the usual read.
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut SqliteConnection, &Actor, DateTime<Utc>) -> Result<T, StoreError>
            + Send
            + 'static,
    ) -> Result<T, UiError> {
        self.with_actor(move |store, actor| {
            work(store.connection(), actor, Utc::now()).map_err(Into::into)
        })
        .await
    }

    /// Applies a sync operation as the signed-in actor: the store function
    /// runs and the operation is queued for the server in one transaction.
    pub async fn apply<O>(&self, op: O) -> Result<O::Output, UiError>
    where
        O: sync::ops::Op + Send + 'static,
        O::Output: Send + 'static,
    {
        self.with_actor(move |store, actor| {
            sync::local::apply(store, actor, op, Utc::now()).map_err(Into::into)
        })
        .await
    }
}

/// The window's store for a sync round: locked for one step at a time, and
/// only while the same staff member is signed in (a round started before a
/// sign-out stops at its next step).
pub struct LockedStore<'a> {
    pub state: &'a AppState,
    pub actor: Actor,
    /// Whether the round belongs to the signed-in session (false for the
    /// first sign-in's own round, before the session exists).
    pub signed_in: bool,
}

impl sync::client::Local for LockedStore<'_> {
    fn with<R>(
        &mut self,
        step: impl FnOnce(&mut Store) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let still_signed_in = self
            .state
            .actor()
            .map(|actor| actor == self.actor)
            .unwrap_or(false);
        if self.signed_in && !still_signed_in {
            return Err(StoreError::refused(ErrorCode::NotSignedIn));
        }
        if let Some((code, _)) = self.state.store_error() {
            return Err(StoreError::refused(code));
        }
        let mut guard = self
            .state
            .store
            .lock()
            .map_err(|_| StoreError::Database("store lock poisoned".into()))?;
        let store = guard
            .as_mut()
            .ok_or_else(|| StoreError::Database("the store is not open".into()))?;
        step(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DC-2, issue 13: once the background integrity check finds the store
    /// corrupted, every command answers `corrupted` and the window is told
    /// (its start-up information carries the code).
    #[test]
    fn dc_2_a_corruption_found_after_start_up_closes_the_store_for_every_command() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            store::open(&dir.path().join(DB_FILE), &store::StoreKey::random(), false).unwrap();
        let state = AppState::new(Opened::Ready(store));
        assert!(state.store_error().is_none());
        assert!(state.with_store(|_| Ok(())).is_ok());

        state.record_integrity(Err(store::OpenError::Corrupted {
            path: dir.path().join(DB_FILE),
            detail: "*** in database main ***".into(),
        }));
        assert_eq!(
            state.store_error().map(|(code, _)| code),
            Some(ErrorCode::Corrupted)
        );
        let refused = state.with_store(|_| Ok(())).err().unwrap();
        assert_eq!(refused.code, ErrorCode::Corrupted);
    }
}
