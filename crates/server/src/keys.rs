//! The store key (POL-19): 64 hex characters, from a key file that only its
//! owner may read (mode 0600) or from `MONIRAVIQUE_SERVER_KEY`. Never from
//! the repository, never printed.

use crate::error::ServerError;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use store::StoreKey;
use zeroize::Zeroizing;

/// Environment variable holding the store key when no `--key-file` is given.
pub const KEY_ENV: &str = "MONIRAVIQUE_SERVER_KEY";

/// Loads the key from `key_file`, or else from [`KEY_ENV`].
pub fn load(key_file: Option<&Path>) -> Result<StoreKey, ServerError> {
    match key_file {
        Some(path) => load_file(path),
        None => {
            let text = Zeroizing::new(std::env::var(KEY_ENV).map_err(|_| {
                ServerError::Key(format!(
                    "no store key: pass --key-file PATH or set {KEY_ENV} (64 hex characters)"
                ))
            })?);
            StoreKey::from_hex(&text).ok_or_else(|| {
                ServerError::Key(format!("{KEY_ENV} does not hold 64 hex characters"))
            })
        }
    }
}

/// Reads a key file, refusing one that its group or others may read or write.
pub fn load_file(path: &Path) -> Result<StoreKey, ServerError> {
    let metadata = std::fs::metadata(path).map_err(|e| {
        ServerError::Key(format!("cannot read the key file {}: {e}", path.display()))
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ServerError::Key(format!(
            "the key file {} has mode {mode:04o}; it must be readable by its owner only: chmod 600 {}",
            path.display(),
            path.display()
        )));
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        ServerError::Key(format!("cannot read the key file {}: {e}", path.display()))
    })?);
    StoreKey::from_hex(&text).ok_or_else(|| {
        ServerError::Key(format!(
            "the key file {} does not hold 64 hex characters",
            path.display()
        ))
    })
}

/// Creates a new random key in a new file of mode 0600; never overwrites.
pub fn create_file(path: &Path) -> Result<StoreKey, ServerError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ServerError::Exists(path.to_owned()),
            _ => ServerError::io(format!("cannot create the key file {}", path.display()), e),
        })?;
    let key = StoreKey::random();
    let mut text = key.to_hex();
    text.push('\n');
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| ServerError::io(format!("cannot write the key file {}", path.display()), e))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_19_a_key_file_others_may_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        let key = create_file(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(load_file(&path).unwrap().to_hex(), key.to_hex());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = load_file(&path).unwrap_err().to_string();
        assert!(error.contains("chmod 600"), "{error}");
        assert!(matches!(create_file(&path), Err(ServerError::Exists(_))));
    }

    #[test]
    fn pol_19_a_key_file_without_64_hex_characters_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        std::fs::write(&path, "not a key").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(load_file(&path).is_err());
    }
}
