//! The store key (POL-19): 64 hex characters, from a key file that only its
//! owner may read (mode 0600), from `MONIRAVIQUE_SERVER_KEY`, or, under
//! systemd, from the credential `store-key` (`LoadCredential=store-key:
//! /etc/moniravique/store.key`, read from `$CREDENTIALS_DIRECTORY`). Never
//! from the repository or a config file, never printed.

use crate::error::ServerError;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use store::StoreKey;
use zeroize::Zeroizing;

/// Environment variable holding the store key when no `--key-file` is given.
pub const KEY_ENV: &str = "MONIRAVIQUE_SERVER_KEY";
/// Environment variable systemd sets to the service's credential directory.
pub const CREDENTIALS_ENV: &str = "CREDENTIALS_DIRECTORY";
/// Name of the store key's systemd credential (`LoadCredential=store-key:...`).
pub const CREDENTIAL_NAME: &str = "store-key";

/// Where a key came from (for `doctor` and messages; never the key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Env,
    Credential(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(path) => write!(f, "the key file {}", path.display()),
            KeySource::Env => write!(f, "the environment variable {KEY_ENV}"),
            KeySource::Credential(path) => {
                write!(f, "the systemd credential {}", path.display())
            }
        }
    }
}

/// Loads the key from `key_file`, else from [`KEY_ENV`], else from the
/// systemd credential `$CREDENTIALS_DIRECTORY/store-key`.
pub fn load(key_file: Option<&Path>) -> Result<StoreKey, ServerError> {
    load_with_source(key_file).map(|(key, _)| key)
}

/// [`load`], telling where the key came from.
pub fn load_with_source(key_file: Option<&Path>) -> Result<(StoreKey, KeySource), ServerError> {
    let from_env = std::env::var(KEY_ENV).ok().map(Zeroizing::new);
    let credentials = std::env::var_os(CREDENTIALS_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    load_from(key_file, from_env, credentials.as_deref())
}

/// The choice of [`load`], with the environment passed in (tests).
pub fn load_from(
    key_file: Option<&Path>,
    from_env: Option<Zeroizing<String>>,
    credentials_dir: Option<&Path>,
) -> Result<(StoreKey, KeySource), ServerError> {
    if let Some(path) = key_file {
        return Ok((load_file(path)?, KeySource::File(path.to_owned())));
    }
    if let Some(text) = from_env {
        let key = StoreKey::from_hex(&text).ok_or_else(|| {
            ServerError::Key(format!("{KEY_ENV} does not hold 64 hex characters"))
        })?;
        return Ok((key, KeySource::Env));
    }
    if let Some(dir) = credentials_dir {
        let path = dir.join(CREDENTIAL_NAME);
        if path.exists() {
            return Ok((load_credential(&path)?, KeySource::Credential(path)));
        }
    }
    Err(ServerError::Key(format!(
        "no store key: pass --key-file PATH (or key_file in the config file), set {KEY_ENV} \
         (64 hex characters), or run under systemd with LoadCredential={CREDENTIAL_NAME}:/etc/moniravique/store.key"
    )))
}

/// Reads the systemd credential file. systemd copies the credential into a
/// directory only the service's user can enter (`/run/credentials/UNIT/`,
/// on a non-swappable file system) and makes the file 0400 or, when the
/// unit shares it with a group, 0440: group read is accepted there, and
/// only there (the 0600 rule of [`load_file`] stays for every other file).
/// Write bits for group or others, read for others, or a directory others
/// may enter are still refused.
pub fn load_credential(path: &Path) -> Result<StoreKey, ServerError> {
    check_credential(path)?;
    read_key_text(path, "credential")
}

/// The mode checks of [`load_credential`], for every credential of the
/// server (the store key, HelloAsso's secrets).
pub fn check_credential(path: &Path) -> Result<(), ServerError> {
    let mode = std::fs::metadata(path)
        .map_err(|e| {
            ServerError::Key(format!(
                "cannot read the credential {}: {e}",
                path.display()
            ))
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o037 != 0 {
        return Err(ServerError::Key(format!(
            "the credential {} has mode {mode:04o}; systemd makes credentials 0400 or 0440: \
             check the unit's LoadCredential= and that nothing changed the file",
            path.display()
        )));
    }
    if let Some(dir) = path.parent() {
        let dir_mode = std::fs::metadata(dir)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o777);
        if dir_mode & 0o007 != 0 {
            return Err(ServerError::Key(format!(
                "the credential directory {} has mode {dir_mode:04o}; others must not enter it",
                dir.display()
            )));
        }
    }
    Ok(())
}

fn read_key_text(path: &Path, what: &str) -> Result<StoreKey, ServerError> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        ServerError::Key(format!("cannot read the {what} {}: {e}", path.display()))
    })?);
    StoreKey::from_hex(&text).ok_or_else(|| {
        ServerError::Key(format!(
            "the {what} {} does not hold 64 hex characters",
            path.display()
        ))
    })
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
    read_key_text(path, "key file")
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

    fn write_mode(path: &Path, text: &str, mode: u32) {
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn pol_19_the_key_comes_from_the_systemd_credential_when_nothing_else_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = dir.path().join("credentials");
        std::fs::create_dir(&credentials).unwrap();
        let key = StoreKey::random();
        let path = credentials.join(CREDENTIAL_NAME);
        std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o700)).unwrap();
        write_mode(&path, &format!("{}\n", key.to_hex().as_str()), 0o400);
        let (loaded, source) = load_from(None, None, Some(&credentials)).unwrap();
        assert_eq!(loaded.to_hex(), key.to_hex());
        assert_eq!(source, KeySource::Credential(path.clone()));
        // 0440: a credential shared with the service's group is accepted too.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o440)).unwrap();
        assert!(load_from(None, None, Some(&credentials)).is_ok());
        // --key-file and the environment come first.
        let file = dir.path().join("server.key");
        let other = create_file(&file).unwrap();
        let (loaded, source) = load_from(Some(&file), None, Some(&credentials)).unwrap();
        assert_eq!(
            (loaded.to_hex(), source),
            (other.to_hex(), KeySource::File(file))
        );
        let env = Zeroizing::new(other.to_hex().to_string());
        let (_, source) = load_from(None, Some(env), Some(&credentials)).unwrap();
        assert_eq!(source, KeySource::Env);
        // No credential file: the error says every way to give a key.
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let error = load_from(None, None, Some(&empty)).unwrap_err().to_string();
        assert!(
            error.contains("--key-file") && error.contains("LoadCredential"),
            "{error}"
        );
    }

    #[test]
    fn pol_19_a_credential_others_may_read_or_anyone_may_write_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = dir.path().join("credentials");
        std::fs::create_dir(&credentials).unwrap();
        std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = credentials.join(CREDENTIAL_NAME);
        let hex = StoreKey::random().to_hex().to_string();
        for mode in [0o444, 0o460, 0o600 | 0o020, 0o404] {
            write_mode(&path, &hex, mode);
            let error = load_from(None, None, Some(&credentials))
                .unwrap_err()
                .to_string();
            assert!(error.contains("mode"), "{mode:o}: {error}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        write_mode(&path, "not a key", 0o400);
        let error = load_from(None, None, Some(&credentials))
            .unwrap_err()
            .to_string();
        assert!(error.contains("64 hex"), "{error}");
        // A directory others may enter is not systemd's private one.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_mode(&path, &hex, 0o400);
        std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o755)).unwrap();
        let error = load_from(None, None, Some(&credentials))
            .unwrap_err()
            .to_string();
        assert!(error.contains("others must not enter"), "{error}");
    }
}
