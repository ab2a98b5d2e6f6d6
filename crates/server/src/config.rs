//! The server's configuration (issue 14, item 4): a TOML file and the
//! command line's flags, the flags winning. A config file is read only when
//! `--config PATH` is given or [`CONFIG_ENV`] names one; nothing is read
//! implicitly. Keys are snake_case; an unknown key or a bad value is refused
//! with its line. The store key never lives here (POL-19): it comes from
//! `key_file`, the environment or a systemd credential (`crate::keys`), and
//! the SMTP password from `MONIRAVIQUE_SMTP_PASSWORD` only.
//!
//! ```toml
//! data_dir = "/var/lib/moniravique"
//! cert = "/etc/moniravique/tls/cert.pem"
//! key = "/etc/moniravique/tls/key.pem"
//! addr = "0.0.0.0:8443"
//! public_url = "https://moniravique.example.org:8443"
//!
//! [smtp]
//! host = "smtp.example.org"
//! from = "moniravique <ne-pas-repondre@example.org>"
//! ```

use crate::devices;
use crate::error::ServerError;
use crate::mail::{self, Mailer, MailerConfig, TlsMode};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use zeroize::Zeroizing;

/// Environment variable naming a config file when `--config` is not given.
pub const CONFIG_ENV: &str = "MONIRAVIQUE_SERVER_CONFIG";
/// Where `serve` listens when neither the file nor `--addr` says.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8443";
/// Seconds between two delivery rounds of `serve` by default.
pub const DEFAULT_SMTP_INTERVAL_SECS: u64 = 60;
/// Longest interval between two delivery rounds (one day).
pub const MAX_SMTP_INTERVAL_SECS: u64 = 86_400;

/// The merged configuration of one command: every field is `None` when
/// neither the file nor a flag gave it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// `data_dir` / `--data-dir`: holds `server.db`.
    pub data_dir: Option<PathBuf>,
    /// `key_file` / `--key-file`: the store key (64 hex characters, 0600).
    pub key_file: Option<PathBuf>,
    /// `cert` / `--cert`: the TLS certificate chain (PEM).
    pub cert: Option<PathBuf>,
    /// `key` / `--key`: the TLS private key (PEM).
    pub key: Option<PathBuf>,
    /// `addr` / `--addr`: where `serve` listens ([`DEFAULT_ADDR`]).
    pub addr: Option<String>,
    /// `token_days` / `--token-days`: 1 to `devices::MAX_TOKEN_DAYS`.
    pub token_days: Option<i64>,
    /// `public_url`: the https address laptops use to reach this server,
    /// e.g. `https://moniravique.example.org:8443` (checked: https, a host).
    pub public_url: Option<String>,
    /// The `[smtp]` table / the `--smtp-*` flags.
    pub smtp: SmtpConfig,
    /// The `[helloasso]` table (file only; its secrets are credentials).
    pub helloasso: crate::helloasso::Settings,
    /// The `[intake]` table (no flags).
    pub intake: IntakeConfig,
}

/// The website's signed intake (`[intake]`, `crate::intake::secrets`); the
/// secrets are never here, only where their file is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntakeConfig {
    /// `secrets_file`: a file of `whsec_...` lines (mode 0600); without it,
    /// the systemd credential `intake-secrets`.
    pub secrets_file: Option<PathBuf>,
}

/// Outbound e-mail settings (`[smtp]`); the password is never here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tls: Option<TlsMode>,
    pub from: Option<String>,
    pub username: Option<String>,
    /// 1 to [`MAX_SMTP_INTERVAL_SECS`].
    pub interval_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    key_file: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    addr: Option<String>,
    token_days: Option<Spanned<i64>>,
    public_url: Option<Spanned<String>>,
    smtp: Option<FileSmtp>,
    helloasso: Option<crate::helloasso::FileSettings>,
    intake: Option<FileIntake>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIntake {
    secrets_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSmtp {
    host: Option<String>,
    port: Option<Spanned<i64>>,
    tls: Option<Spanned<String>>,
    from: Option<String>,
    username: Option<String>,
    interval_secs: Option<Spanned<i64>>,
}

/// The line (from 1) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map(|before| before.matches('\n').count() + 1)
        .unwrap_or(1)
}

fn check_token_days(days: i64) -> Result<i64, String> {
    if (1..=devices::MAX_TOKEN_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(format!(
            "must be a whole number from 1 to {}",
            devices::MAX_TOKEN_DAYS
        ))
    }
}

fn check_port(port: i64) -> Result<u16, String> {
    match u16::try_from(port) {
        Ok(port) if port > 0 => Ok(port),
        _ => Err("must be a port number from 1 to 65535".into()),
    }
}

fn check_tls(text: &str) -> Result<TlsMode, String> {
    TlsMode::parse(text).ok_or_else(|| "must be starttls, tls or none".into())
}

fn check_interval(secs: i64) -> Result<u64, String> {
    match u64::try_from(secs) {
        Ok(secs) if (1..=MAX_SMTP_INTERVAL_SECS).contains(&secs) => Ok(secs),
        _ => Err(format!(
            "must be a whole number from 1 to {MAX_SMTP_INTERVAL_SECS}"
        )),
    }
}

/// The host of an `https://HOST[:PORT][/...]` address (IPv6 without its
/// brackets), or why it is not one.
pub fn public_url_host(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .ok_or("must start with https:// (laptops speak HTTPS only)")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not hold a user name or password".into());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("has an unclosed [")?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must name a host, e.g. https://moniravique.example.org:8443".into());
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(port) if port > 0 => {}
            _ => return Err("has a port that is not a number from 1 to 65535".into()),
        }
    }
    Ok(host.to_ascii_lowercase())
}

impl Config {
    /// The config file named by `explicit` (`--config`), else by
    /// [`CONFIG_ENV`], else an empty configuration.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ServerError> {
        let from_env = std::env::var_os(CONFIG_ENV)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from);
        match explicit.map(Path::to_owned).or(from_env) {
            Some(path) => Config::read(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads and checks one config file.
    pub fn read(path: &Path) -> Result<Config, ServerError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ServerError::io(format!("cannot read the config file {}", path.display()), e)
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses the text of a config file; `origin` names it in errors.
    /// Messages name the key and its line, never a value of text.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ServerError> {
        let file: FileConfig = toml::from_str(text).map_err(|error| {
            let line = error.span().map(|span| line_of(text, span.start));
            let key = error
                .span()
                .and_then(|span| text.get(..span.start))
                .and_then(|before| before.lines().last())
                .and_then(|line| line.split_once('='))
                .map(|(key, _)| key.trim().to_owned());
            // serde's message names an unknown key; for a wrong type it may
            // quote the value, so only its first words are kept then.
            let message = error.message().trim();
            let message = if message.starts_with("unknown field") {
                message
                    .split(", expected")
                    .next()
                    .unwrap_or(message)
                    .to_owned()
            } else {
                message
                    .split(':')
                    .next()
                    .unwrap_or("not understood")
                    .to_owned()
            };
            let place = match (line, key) {
                (Some(line), Some(key)) => format!("line {line} (`{key}`)"),
                (Some(line), None) => format!("line {line}"),
                _ => "somewhere".to_owned(),
            };
            ServerError::Usage(format!(
                "the config file {origin} is not valid at {place}: {message}; \
                 see crates/server/dist/server.toml for the keys and their values"
            ))
        })?;
        let bad = |key: &str, spanned_start: usize, why: String| {
            ServerError::Usage(format!(
                "the config file {origin}: `{key}` at line {} {why}",
                line_of(text, spanned_start)
            ))
        };
        let token_days = match &file.token_days {
            Some(days) => Some(
                check_token_days(*days.get_ref())
                    .map_err(|why| bad("token_days", days.span().start, why))?,
            ),
            None => None,
        };
        if let Some(url) = &file.public_url {
            public_url_host(url.get_ref())
                .map_err(|why| bad("public_url", url.span().start, why))?;
        }
        let smtp = match file.smtp {
            None => SmtpConfig::default(),
            Some(smtp) => SmtpConfig {
                port: match &smtp.port {
                    Some(port) => Some(
                        check_port(*port.get_ref())
                            .map_err(|why| bad("smtp.port", port.span().start, why))?,
                    ),
                    None => None,
                },
                tls: match &smtp.tls {
                    Some(tls) => Some(
                        check_tls(tls.get_ref())
                            .map_err(|why| bad("smtp.tls", tls.span().start, why))?,
                    ),
                    None => None,
                },
                interval_secs: match &smtp.interval_secs {
                    Some(secs) => Some(
                        check_interval(*secs.get_ref())
                            .map_err(|why| bad("smtp.interval_secs", secs.span().start, why))?,
                    ),
                    None => None,
                },
                host: smtp.host,
                from: smtp.from,
                username: smtp.username,
            },
        };
        let helloasso = match file.helloasso {
            Some(table) => table.check(bad)?,
            None => Default::default(),
        };
        Ok(Config {
            data_dir: file.data_dir,
            key_file: file.key_file,
            cert: file.cert,
            key: file.key,
            addr: file.addr,
            token_days,
            public_url: file.public_url.map(Spanned::into_inner),
            smtp,
            intake: IntakeConfig {
                secrets_file: file.intake.and_then(|intake| intake.secrets_file),
            },
            helloasso,
        })
    }

    /// The configuration the command line's flags give (`--data-dir`,
    /// `--key-file`, `--cert`, `--key`, `--addr`, `--token-days` and the
    /// `--smtp-*` flags); `flag` returns a flag's value if given.
    pub fn from_flags<'a>(flag: impl Fn(&str) -> Option<&'a str>) -> Result<Config, ServerError> {
        let bad = |name: &str, why: String| ServerError::Usage(format!("{name} {why}"));
        let number = |name: &str| -> Result<Option<i64>, ServerError> {
            flag(name)
                .map(|text| {
                    text.trim()
                        .parse::<i64>()
                        .map_err(|_| bad(name, "must be a whole number".into()))
                })
                .transpose()
        };
        let token_days = number("--token-days")?
            .map(|days| check_token_days(days).map_err(|why| bad("--token-days", why)))
            .transpose()?;
        let port = number("--smtp-port")?
            .map(|port| check_port(port).map_err(|why| bad("--smtp-port", why)))
            .transpose()?;
        let interval_secs = number("--smtp-interval-secs")?
            .map(|secs| check_interval(secs).map_err(|why| bad("--smtp-interval-secs", why)))
            .transpose()?;
        let tls = flag("--smtp-tls")
            .map(|text| check_tls(text).map_err(|why| bad("--smtp-tls", why)))
            .transpose()?;
        Ok(Config {
            data_dir: flag("--data-dir").map(PathBuf::from),
            key_file: flag("--key-file").map(PathBuf::from),
            cert: flag("--cert").map(PathBuf::from),
            key: flag("--key").map(PathBuf::from),
            addr: flag("--addr").map(str::to_owned),
            token_days,
            public_url: None,
            smtp: SmtpConfig {
                host: flag("--smtp-host").map(str::to_owned),
                port,
                tls,
                from: flag("--smtp-from").map(str::to_owned),
                username: flag("--smtp-username").map(str::to_owned),
                interval_secs,
            },
            intake: IntakeConfig::default(),
            helloasso: Default::default(),
        })
    }

    /// This configuration with every value `flags` gives put over it.
    pub fn overridden_by(self, flags: Config) -> Config {
        Config {
            data_dir: flags.data_dir.or(self.data_dir),
            key_file: flags.key_file.or(self.key_file),
            cert: flags.cert.or(self.cert),
            key: flags.key.or(self.key),
            addr: flags.addr.or(self.addr),
            token_days: flags.token_days.or(self.token_days),
            public_url: flags.public_url.or(self.public_url),
            smtp: SmtpConfig {
                host: flags.smtp.host.or(self.smtp.host),
                port: flags.smtp.port.or(self.smtp.port),
                tls: flags.smtp.tls.or(self.smtp.tls),
                from: flags.smtp.from.or(self.smtp.from),
                username: flags.smtp.username.or(self.smtp.username),
                interval_secs: flags.smtp.interval_secs.or(self.smtp.interval_secs),
            },
            intake: IntakeConfig {
                secrets_file: flags.intake.secrets_file.or(self.intake.secrets_file),
            },
            helloasso: self.helloasso,
        }
    }

    /// The loader a command uses: the file of `config` (`--config`, else
    /// [`CONFIG_ENV`]) with the flags over it.
    pub fn load_merged<'a>(
        config: Option<&Path>,
        flag: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Config, ServerError> {
        let flags = Config::from_flags(flag)?;
        Ok(Config::load(config)?.overridden_by(flags))
    }

    /// `data_dir`, required.
    pub fn data_dir(&self) -> Result<&Path, ServerError> {
        self.data_dir.as_deref().ok_or_else(|| {
            ServerError::Usage(
                "no data directory: pass --data-dir DIR or set data_dir in the config file".into(),
            )
        })
    }

    /// `token_days`, else `devices::DEFAULT_TOKEN_DAYS`.
    pub fn token_days(&self) -> i64 {
        self.token_days.unwrap_or(devices::DEFAULT_TOKEN_DAYS)
    }

    /// `addr`, else [`DEFAULT_ADDR`].
    pub fn addr(&self) -> &str {
        self.addr.as_deref().unwrap_or(DEFAULT_ADDR)
    }

    /// The host of `public_url` (lower case), if one is set.
    pub fn public_host(&self) -> Option<String> {
        self.public_url
            .as_deref()
            .and_then(|url| public_url_host(url).ok())
    }
}

impl SmtpConfig {
    /// The delivery interval of `serve` ([`DEFAULT_SMTP_INTERVAL_SECS`]).
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.interval_secs.unwrap_or(DEFAULT_SMTP_INTERVAL_SECS))
    }

    /// The mailer, `None` without a host; the password comes from
    /// `mail::PASSWORD_ENV` only.
    pub fn mailer(&self) -> Result<Option<Mailer>, ServerError> {
        let Some(host) = &self.host else {
            let given = [
                ("--smtp-port / port", self.port.is_some()),
                ("--smtp-tls / tls", self.tls.is_some()),
                ("--smtp-from / from", self.from.is_some()),
                ("--smtp-username / username", self.username.is_some()),
            ];
            if let Some((name, _)) = given.iter().find(|(_, given)| *given) {
                return Err(ServerError::Usage(format!(
                    "the SMTP setting {name} needs an SMTP host: pass --smtp-host or set host in [smtp]"
                )));
            }
            return Ok(None);
        };
        let from = self.from.clone().ok_or_else(|| {
            ServerError::Usage(
                "mail delivery needs a From address: pass --smtp-from or set from in [smtp]".into(),
            )
        })?;
        let password = match std::env::var(mail::PASSWORD_ENV) {
            Ok(value) if !value.is_empty() => Some(Zeroizing::new(value)),
            _ => None,
        };
        let config = MailerConfig {
            host: host.clone(),
            port: self.port,
            tls: self.tls.unwrap_or(TlsMode::StartTls),
            from,
            username: self.username.clone(),
            password,
            batch_size: mail::DEFAULT_BATCH,
        };
        Mailer::new(config)
            .map(Some)
            .map_err(|error| ServerError::Usage(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn flags<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        let map: BTreeMap<&str, &str> = pairs.iter().copied().collect();
        move |name| map.get(name).copied()
    }

    const FULL: &str = r#"
data_dir = "/var/lib/moniravique"
key_file = "/etc/moniravique/store.key"
cert = "/etc/moniravique/tls/cert.pem"
key = "/etc/moniravique/tls/key.pem"
addr = "0.0.0.0:8443"
token_days = 14
public_url = "https://Moniravique.example.org:8443"

[smtp]
host = "smtp.example.org"
port = 465
tls = "tls"
from = "moniravique <ne-pas-repondre@example.org>"
username = "moniravique"
interval_secs = 120
"#;

    #[test]
    fn a_config_file_alone_gives_every_setting() {
        let config = Config::parse(FULL, "server.toml").unwrap();
        assert_eq!(
            config.data_dir.as_deref(),
            Some(Path::new("/var/lib/moniravique"))
        );
        assert_eq!(
            config.key_file.as_deref(),
            Some(Path::new("/etc/moniravique/store.key"))
        );
        assert_eq!(config.addr(), "0.0.0.0:8443");
        assert_eq!(config.token_days(), 14);
        assert_eq!(
            config.public_host().as_deref(),
            Some("moniravique.example.org")
        );
        assert_eq!(config.smtp.port, Some(465));
        assert_eq!(config.smtp.tls, Some(TlsMode::Tls));
        assert_eq!(config.smtp.interval(), Duration::from_secs(120));
        // A user name needs MONIRAVIQUE_SMTP_PASSWORD, which tests do not set.
        let error = config.smtp.mailer().unwrap_err().to_string();
        assert!(error.contains("MONIRAVIQUE_SMTP_PASSWORD"), "{error}");
        let without_user = SmtpConfig {
            username: None,
            ..config.smtp.clone()
        };
        let mailer = without_user.mailer().unwrap().expect("a mailer");
        assert_eq!((mailer.port(), mailer.tls()), (465, TlsMode::Tls));
        // Merged with no flags, nothing changes.
        let merged = config
            .clone()
            .overridden_by(Config::from_flags(flags(&[])).unwrap());
        assert_eq!(merged, config);
    }

    #[test]
    fn a_flag_overrides_the_file_and_the_rest_of_the_file_stays() {
        let file = Config::parse(FULL, "server.toml").unwrap();
        let merged = file.overridden_by(
            Config::from_flags(flags(&[
                ("--addr", "127.0.0.1:0"),
                ("--token-days", "3"),
                ("--smtp-port", "2525"),
            ]))
            .unwrap(),
        );
        assert_eq!(merged.addr(), "127.0.0.1:0");
        assert_eq!(merged.token_days(), 3);
        assert_eq!(merged.smtp.port, Some(2525));
        assert_eq!(merged.smtp.tls, Some(TlsMode::Tls), "kept from the file");
        assert_eq!(
            merged.cert.as_deref(),
            Some(Path::new("/etc/moniravique/tls/cert.pem"))
        );
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name_and_line() {
        let text = "data_dir = \"/d\"\n\n[smtp]\nhost = \"h\"\npasword = \"secret-value\"\n";
        let error = Config::parse(text, "server.toml").unwrap_err().to_string();
        assert!(error.contains("pasword"), "{error}");
        assert!(error.contains("line 5"), "{error}");
        assert!(error.contains("server.toml"), "{error}");
        assert!(!error.contains("secret-value"), "no value quoted: {error}");
        let error = Config::parse("stor_dir = \"/d\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("stor_dir") && error.contains("line 1"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_value_is_refused_with_its_key_and_line() {
        let cases = [
            (
                "data_dir = \"/d\"\ntoken_days = 0\n",
                "token_days",
                "line 2",
            ),
            ("token_days = \"ten\"\n", "token_days", "line 1"),
            ("[smtp]\nport = 70000\n", "smtp.port", "line 2"),
            ("[smtp]\ntls = \"ssl\"\n", "smtp.tls", "line 2"),
            (
                "[smtp]\n\ninterval_secs = 0\n",
                "smtp.interval_secs",
                "line 3",
            ),
            (
                "public_url = \"http://a.example.org\"\n",
                "public_url",
                "line 1",
            ),
            ("public_url = \"https://\"\n", "public_url", "line 1"),
        ];
        for (text, key, line) in cases {
            let error = Config::parse(text, "server.toml").unwrap_err().to_string();
            let short = key.rsplit('.').next().unwrap();
            assert!(error.contains(short), "{text:?}: {error}");
            assert!(error.contains(line), "{text:?}: {error}");
        }
    }

    #[test]
    fn bad_flags_are_refused_with_their_name() {
        for (flag, value) in [
            ("--token-days", "0"),
            ("--token-days", "366"),
            ("--token-days", "x"),
            ("--smtp-port", "0"),
            ("--smtp-tls", "ssl"),
            ("--smtp-interval-secs", "86401"),
        ] {
            let error = Config::from_flags(flags(&[(flag, value)]))
                .unwrap_err()
                .to_string();
            assert!(error.contains(flag), "{flag} {value}: {error}");
        }
    }

    #[test]
    fn public_urls_are_https_with_a_host() {
        assert_eq!(
            public_url_host("https://moniravique.example.org:8443").unwrap(),
            "moniravique.example.org"
        );
        assert_eq!(public_url_host("https://[::1]:8443/x").unwrap(), "::1");
        assert_eq!(public_url_host("https://10.0.0.5").unwrap(), "10.0.0.5");
        assert!(public_url_host("http://a.example.org").is_err());
        assert!(public_url_host("https://a.example.org:99999").is_err());
        assert!(public_url_host("https://user@a.example.org").is_err());
    }

    /// The shipped default config (crates/server/dist/server.toml) must stay
    /// loadable by this loader.
    #[test]
    fn the_shipped_server_toml_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist/server.toml");
        let config = Config::read(&path).unwrap();
        assert_eq!(
            config.data_dir.as_deref(),
            Some(Path::new("/var/lib/moniravique"))
        );
        assert_eq!(config.key_file, None, "the key comes from the credential");
        assert_eq!(config.addr(), "0.0.0.0:8443");
        assert_eq!(
            config.public_host().as_deref(),
            Some("moniravique.example.org")
        );
        assert!(config.cert.unwrap().starts_with("/etc/moniravique/tls"));
        assert!(config.key.unwrap().starts_with("/etc/moniravique/tls"));
    }
}
