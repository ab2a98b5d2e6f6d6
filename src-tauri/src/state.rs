//! What the window's commands share: the open store (or why it could not be
//! opened) and the signed-in staff member, held in memory only (POL-18).

use std::path::Path;
use std::sync::Mutex;
use store::auth::SignedIn;
use store::Store;

pub const DB_FILE: &str = "moniravique.db";

/// The outcome of opening the store at start-up.
pub enum Opened {
    Ready(Store),
    Failed { code: &'static str, message: String },
}

/// Gets the key from the OS keyring and opens the store in `data_dir`.
/// Every failure leaves the files as they were.
pub fn open_store(data_dir: &Path) -> Opened {
    if let Err(error) = std::fs::create_dir_all(data_dir) {
        return Opened::Failed {
            code: "io",
            message: format!("cannot create {}: {error}", data_dir.display()),
        };
    }
    restrict_to_owner(data_dir, 0o700);
    let db_path = data_dir.join(DB_FILE);
    let key = match crate::keystore::load_or_create(&db_path) {
        Ok(key) => key,
        Err(error) => {
            tracing::error!(code = error.code(), "store key unavailable");
            return Opened::Failed {
                code: error.code(),
                message: error.to_string(),
            };
        }
    };
    match store::open(&db_path, &key, true) {
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
                code: error.code(),
                message: error.to_string(),
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
    _checkpointer: Option<store::checkpoint::Checkpointer>,
    pub store_error: Option<(&'static str, String)>,
    pub session: Mutex<Option<SignedIn>>,
}

impl AppState {
    pub fn new(opened: Opened) -> Self {
        match opened {
            Opened::Ready(store) => AppState {
                _checkpointer: Some(store.start_checkpointer(std::time::Duration::from_secs(5))),
                store: Mutex::new(Some(store)),
                store_error: None,
                session: Mutex::new(None),
            },
            Opened::Failed { code, message } => AppState {
                _checkpointer: None,
                store: Mutex::new(None),
                store_error: Some((code, message)),
                session: Mutex::new(None),
            },
        }
    }

    /// Applies a sync operation as the signed-in actor: the store function
    /// runs and the operation is queued for the server in one transaction.
    pub fn apply(&self, op: sync::Operation) -> Result<serde_json::Value, crate::error::UiError> {
        self.with_actor(|store, actor| {
            sync::local::apply(store, actor, op, chrono::Utc::now()).map_err(Into::into)
        })
    }

    /// Runs `work` with the store and the signed-in actor.
    pub fn with_actor<T>(
        &self,
        work: impl FnOnce(&mut Store, &domain::Actor) -> Result<T, crate::error::UiError>,
    ) -> Result<T, crate::error::UiError> {
        let actor = self
            .session
            .lock()
            .map_err(|_| poisoned())?
            .as_ref()
            .map(|session| session.actor.clone())
            .ok_or_else(crate::error::UiError::not_signed_in)?;
        let mut guard = self.store.lock().map_err(|_| poisoned())?;
        let store = guard.as_mut().ok_or_else(store_unavailable)?;
        work(store, &actor)
    }
}

pub fn poisoned() -> crate::error::UiError {
    crate::error::UiError::new(
        "store",
        "internal state unavailable after an earlier failure",
    )
}

pub fn store_unavailable() -> crate::error::UiError {
    crate::error::UiError::new("store", "the store is not open")
}
