//! The website's signing secrets (never on a command line, never in the
//! world-readable config, never printed or logged): a file of `whsec_...`
//! lines, one secret per line (blank lines and `#` comments allowed), with
//! several lines during a rotation (the website signs with the new secret,
//! the server accepts both until the old one is removed).
//!
//! Where from, as the store key (`crate::keys`): the file named by
//! `[intake] secrets_file` in the config (mode 0600 or 0400, owner only),
//! else the systemd credential `$CREDENTIALS_DIRECTORY/intake-secrets`
//! (`LoadCredential=intake-secrets:/etc/moniravique/intake-secrets`; 0400
//! or 0440 as systemd makes it). No file, or a file without a secret: the
//! intake answers 503 `intake_not_configured`. A file that is there but
//! unsafe or malformed stops `serve` (and is a PROBLEM for `doctor`).
//! Read at start: restart the service after changing the file.

use crate::config::Config;
use crate::doctor::{Finding, Status};
use crate::error::ServerError;
use base64::Engine;
use rand::RngCore;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Every secret starts with this.
pub const PREFIX: &str = "whsec_";
/// Name of the systemd credential (`LoadCredential=intake-secrets:...`).
pub const CREDENTIAL_NAME: &str = "intake-secrets";
/// Fewest random bytes in a secret (Standard Webhooks: 24 to 64).
pub const MIN_SECRET_BYTES: usize = 24;
/// Most random bytes in a secret.
pub const MAX_SECRET_BYTES: usize = 64;
/// Bytes of a secret made by [`new_secret`].
pub const NEW_SECRET_BYTES: usize = 32;
/// Most secrets at once (a rotation needs two).
pub const MAX_SECRETS: usize = 8;

/// Where the secrets came from (for `doctor` and messages; never a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Credential(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => write!(f, "the file {}", path.display()),
            Source::Credential(path) => write!(f, "the systemd credential {}", path.display()),
        }
    }
}

/// The secrets the intake accepts (empty: the intake is off).
#[derive(Default)]
pub struct Secrets {
    keys: Vec<Zeroizing<Vec<u8>>>,
    source: Option<Source>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} configured)", self.keys.len())
    }
}

impl Secrets {
    /// Parses the text of a secrets file; `origin` names it in errors, which
    /// name a line, never its content.
    pub fn parse(text: &str, origin: &str) -> Result<Secrets, ServerError> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| {
                ServerError::Key(format!(
                    "the intake secrets {origin}: line {} {why}; make one with `moniravique-server intake-secret`",
                    index + 1
                ))
            };
            let encoded = line
                .strip_prefix(PREFIX)
                .ok_or_else(|| bad("does not start with whsec_"))?;
            let key = Zeroizing::new(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|_| bad("is not whsec_ followed by base64"))?,
            );
            if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
                return Err(bad(&format!(
                    "holds {} bytes; a secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES}",
                    key.len()
                )));
            }
            if keys
                .iter()
                .any(|known: &Zeroizing<Vec<u8>>| **known == *key)
            {
                return Err(bad("repeats an earlier secret"));
            }
            keys.push(key);
        }
        if keys.len() > MAX_SECRETS {
            return Err(ServerError::Key(format!(
                "the intake secrets {origin} hold {} secrets; at most {MAX_SECRETS}",
                keys.len()
            )));
        }
        Ok(Secrets { keys, source: None })
    }

    /// No secret: the intake answers 503.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// The raw keys (for `super::signature::verify` only).
    pub(super) fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.keys.iter().map(|key| key.as_slice())
    }
}

/// A new random secret, `whsec_` + base64 of [`NEW_SECRET_BYTES`] bytes.
pub fn new_secret() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; NEW_SECRET_BYTES]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    Zeroizing::new(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes.as_ref())
    ))
}

/// The secrets of this configuration: `[intake] secrets_file`, else the
/// credential in `$CREDENTIALS_DIRECTORY`, else none.
pub fn load(config: &Config) -> Result<Secrets, ServerError> {
    let credentials = std::env::var_os(crate::keys::CREDENTIALS_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    load_from(
        config.intake.secrets_file.as_deref(),
        credentials.as_deref(),
    )
}

/// [`load`], with the credential directory passed in (tests, `doctor`).
pub fn load_from(
    secrets_file: Option<&Path>,
    credentials_dir: Option<&Path>,
) -> Result<Secrets, ServerError> {
    if let Some(path) = secrets_file {
        check_mode(path, 0o077, "chmod 600")?;
        let mut secrets = read(path)?;
        secrets.source = Some(Source::File(path.to_owned()));
        return Ok(secrets);
    }
    if let Some(dir) = credentials_dir {
        let path = dir.join(CREDENTIAL_NAME);
        if path.exists() {
            // systemd makes credentials 0400, or 0440 when shared with a group.
            check_mode(&path, 0o037, "check the unit's LoadCredential=")?;
            let mut secrets = read(&path)?;
            secrets.source = Some(Source::Credential(path));
            return Ok(secrets);
        }
    }
    Ok(Secrets::default())
}

fn check_mode(path: &Path, forbidden: u32, fix: &str) -> Result<(), ServerError> {
    let mode = std::fs::metadata(path)
        .map_err(|e| {
            ServerError::Key(format!(
                "cannot read the intake secrets {}: {e}",
                path.display()
            ))
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & forbidden != 0 {
        return Err(ServerError::Key(format!(
            "the intake secrets {} have mode {mode:04o}; others must not read them: {fix}",
            path.display()
        )));
    }
    Ok(())
}

fn read(path: &Path) -> Result<Secrets, ServerError> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        ServerError::Key(format!(
            "cannot read the intake secrets {}: {e}",
            path.display()
        ))
    })?);
    Secrets::parse(&text, &path.display().to_string())
}

/// `doctor`'s line about the intake secrets: how many and where from (ok),
/// none (ok: the intake is off, and says so), or what is wrong (PROBLEM).
pub fn finding(config: &Config, credentials_dir: Option<&Path>) -> Finding {
    const CHECK: &str = "intake secrets";
    let (status, message) = match load_from(config.intake.secrets_file.as_deref(), credentials_dir)
    {
        Ok(secrets) => match secrets.source() {
            Some(source) if !secrets.is_empty() => (
                Status::Ok,
                format!(
                    "{} secret(s) from {source}; the website's intake is on",
                    secrets.len()
                ),
            ),
            Some(source) => (
                Status::Ok,
                format!("{source} holds no secret: the website's intake is off (503 intake_not_configured)"),
            ),
            None => (
                Status::Ok,
                "none configured: the website's intake is off (503 intake_not_configured); \
                 see crates/server/README.md to turn it on"
                    .to_owned(),
            ),
        },
        Err(error) => (Status::Problem, error.to_string()),
    };
    Finding {
        status,
        check: CHECK,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn a_secrets_file_holds_whsec_lines_and_comments() {
        let one = new_secret();
        let two = new_secret();
        assert!(one.starts_with(PREFIX) && one.len() == PREFIX.len() + 44);
        assert_ne!(*one, *two);
        let text = format!("# the website, since December\n{}\n\n  {}  \n", *one, *two);
        assert_eq!(Secrets::parse(&text, "f").unwrap().len(), 2);
        assert!(Secrets::parse("# nothing yet\n", "f").unwrap().is_empty());
    }

    #[test]
    fn a_bad_line_is_named_by_its_number_never_its_content() {
        let short = "whsec_c2hvcnQ=";
        let cases = [
            ("password-in-clear\n", "line 1", "whsec_"),
            (&format!("# c\n{short}\n") as &str, "line 2", "bytes"),
            ("whsec_!!notbase64!!\n", "line 1", "base64"),
        ];
        for (text, line, why) in cases {
            let error = Secrets::parse(text, "f").unwrap_err().to_string();
            assert!(error.contains(line) && error.contains(why), "{error}");
            let content = text.lines().find(|l| !l.starts_with('#')).unwrap();
            assert!(!error.contains(content), "{error}");
        }
        let one = new_secret();
        let error = Secrets::parse(&format!("{}\n{}\n", *one, *one), "f")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 2") && error.contains("repeats"),
            "{error}"
        );
    }

    #[test]
    fn the_file_must_be_private_and_the_credential_comes_second() {
        let dir = tempfile::tempdir().unwrap();
        let secret = new_secret();
        let file = write(
            dir.path(),
            "intake-secrets",
            &format!("{}\n", *secret),
            0o644,
        );
        let error = load_from(Some(&file), None).unwrap_err().to_string();
        assert!(error.contains("chmod 600"), "{error}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let loaded = load_from(Some(&file), None).unwrap();
        assert_eq!(loaded.source(), Some(&Source::File(file.clone())));

        let credentials = dir.path().join("credentials");
        std::fs::create_dir(&credentials).unwrap();
        let credential = write(
            &credentials,
            CREDENTIAL_NAME,
            &format!("{}\n", *secret),
            0o440,
        );
        let loaded = load_from(None, Some(&credentials)).unwrap();
        assert_eq!(
            loaded.source(),
            Some(&Source::Credential(credential.clone()))
        );
        // The config's file comes first.
        assert_eq!(
            load_from(Some(&file), Some(&credentials)).unwrap().source(),
            Some(&Source::File(file))
        );
        std::fs::set_permissions(&credential, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert!(
            load_from(None, Some(&credentials)).is_err(),
            "others may read it"
        );
        // No file anywhere: off, not an error.
        let empty = tempfile::tempdir().unwrap();
        assert!(load_from(None, Some(empty.path())).unwrap().is_empty());
        assert!(load_from(None, None).unwrap().is_empty());
    }

    #[test]
    fn the_config_names_the_file_under_intake_and_refuses_unknown_keys() {
        let config = Config::parse(
            "[intake]\nsecrets_file = \"/etc/moniravique/intake-secrets\"\n",
            "server.toml",
        )
        .unwrap();
        assert_eq!(
            config.intake.secrets_file.as_deref(),
            Some(Path::new("/etc/moniravique/intake-secrets"))
        );
        let error = Config::parse("[intake]\nsecret = \"whsec_abc\"\n", "server.toml")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("secret") && error.contains("line 2"),
            "{error}"
        );
        assert!(!error.contains("whsec_abc"), "{error}");
    }

    #[test]
    fn doctor_says_where_the_secrets_come_from_and_never_prints_them() {
        let dir = tempfile::tempdir().unwrap();
        let secret = new_secret();
        let file = write(dir.path(), "s", &format!("{}\n", *secret), 0o600);
        let mut config = Config::default();
        let off = finding(&config, None);
        assert_eq!(off.status, Status::Ok);
        assert!(off.message.contains("intake_not_configured"), "{off}");
        config.intake.secrets_file = Some(file.clone());
        let on = finding(&config, None);
        assert_eq!(on.status, Status::Ok, "{on}");
        assert!(on.message.contains("1 secret(s)"), "{on}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let unsafe_file = finding(&config, None);
        assert_eq!(unsafe_file.status, Status::Problem, "{unsafe_file}");
        for line in [on, unsafe_file] {
            let text = line.to_string();
            assert!(!text.contains(&secret[PREFIX.len()..]), "{text}");
        }
    }
}
