//! The store's key in the OS keyring (DC-3, POL-19): Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows. Never in a file.
//!
//! **Invariant**: a new key is created only when no database exists yet; a
//! missing key next to an existing database is an error, never a fresh store.

use std::path::Path;
use store::StoreKey;

pub const SERVICE: &str = "fr.moniravique.staff";

/// Why the key could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the system keyring is unreachable ({0}); the database was not touched")]
    Unreachable(String),
    #[error("the key of the existing database at {0} is missing from the system keyring; nothing was created or changed")]
    Missing(String),
    #[error("the keyring entry for the database is not a valid key; nothing was changed")]
    Invalid,
}

impl KeyError {
    pub fn code(&self) -> domain::ErrorCode {
        use domain::ErrorCode;
        match self {
            KeyError::Unreachable(_) => ErrorCode::KeyringUnreachable,
            KeyError::Missing(_) => ErrorCode::KeyMissing,
            KeyError::Invalid => ErrorCode::WrongKey,
        }
    }
}

/// The keyring account that holds the key of the store at `db_path`.
pub fn account_for(db_path: &Path) -> String {
    let absolute = db_path
        .parent()
        .and_then(|dir| dir.canonicalize().ok())
        .map(|dir| dir.join(db_path.file_name().unwrap_or_default()))
        .unwrap_or_else(|| db_path.to_owned());
    format!("store-key:{}", absolute.display())
}

fn entry(db_path: &Path) -> Result<keyring::Entry, KeyError> {
    keyring::Entry::new(SERVICE, &account_for(db_path))
        .map_err(|e| KeyError::Unreachable(e.to_string()))
}

/// Reads the key of the store at `db_path`, creating and saving a new random
/// one only if the database file does not exist.
pub fn load_or_create(db_path: &Path) -> Result<StoreKey, KeyError> {
    let entry = entry(db_path)?;
    match entry.get_password() {
        Ok(text) => StoreKey::from_hex(&text).ok_or(KeyError::Invalid),
        Err(keyring::Error::NoEntry) => {
            if db_path.exists() {
                return Err(KeyError::Missing(db_path.display().to_string()));
            }
            let key = StoreKey::random();
            entry
                .set_password(key.to_hex().as_str())
                .map_err(|e| KeyError::Unreachable(e.to_string()))?;
            // Read it back: a keyring that accepts but does not keep is unreachable.
            match entry.get_password() {
                Ok(text) if StoreKey::from_hex(&text).is_some() => Ok(key),
                Ok(_) => Err(KeyError::Invalid),
                Err(e) => Err(KeyError::Unreachable(e.to_string())),
            }
        }
        Err(other) => Err(KeyError::Unreachable(other.to_string())),
    }
}

/// Removes the key (tests and the future device wipe).
pub fn delete(db_path: &Path) -> Result<(), KeyError> {
    match entry(db_path)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(KeyError::Unreachable(e.to_string())),
    }
}

/// The keyring entry of this laptop's device token for the server (issue 5):
/// next to the store key, never in a file.
fn token_entry(db_path: &Path) -> Result<keyring::Entry, KeyError> {
    let account = account_for(db_path).replacen("store-key:", "device-token:", 1);
    keyring::Entry::new(SERVICE, &account).map_err(|e| KeyError::Unreachable(e.to_string()))
}

pub fn load_token(db_path: &Path) -> Result<Option<String>, KeyError> {
    match token_entry(db_path)?.get_password() {
        Ok(token) => Ok(Some(token)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(other) => Err(KeyError::Unreachable(other.to_string())),
    }
}

pub fn save_token(db_path: &Path, token: &str) -> Result<(), KeyError> {
    token_entry(db_path)?
        .set_password(token)
        .map_err(|e| KeyError::Unreachable(e.to_string()))
}

pub fn delete_token(db_path: &Path) -> Result<(), KeyError> {
    match token_entry(db_path)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(KeyError::Unreachable(e.to_string())),
    }
}
