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

pub struct AppState {
    pub store: Mutex<Option<Store>>,
    pub store_error: Option<(&'static str, String)>,
    pub session: Mutex<Option<SignedIn>>,
}

impl AppState {
    pub fn new(opened: Opened) -> Self {
        match opened {
            Opened::Ready(store) => AppState {
                store: Mutex::new(Some(store)),
                store_error: None,
                session: Mutex::new(None),
            },
            Opened::Failed { code, message } => AppState {
                store: Mutex::new(None),
                store_error: Some((code, message)),
                session: Mutex::new(None),
            },
        }
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
    crate::error::UiError::new("store", "internal state unavailable after an earlier failure")
}

pub fn store_unavailable() -> crate::error::UiError {
    crate::error::UiError::new("store", "the store is not open")
}
