//! Payments from HelloAsso (issue 15; POL-6, POL-10, POL-14, POL-17,
//! POL-22), the processor most French associations use.
//!
//! - [`notify`]: `POST /v1/helloasso/notifications`. With a signature key
//!   (partner accounts), `x-ha-signature` must be the hex HMAC-SHA256 of the
//!   raw body, checked before the body is parsed; without one (an ordinary
//!   association account), the notification is only a trigger. Either way
//!   nothing of its state, amount or payer is believed: the payment or the
//!   order is fetched again from the API ([`client`]) and recorded from
//!   there ([`record`]).
//! - [`reconcile`]: every `poll_minutes`, the organisation's payments since
//!   a cursor (with an overlap) are listed and recorded the same way, which
//!   catches lost notifications; `moniravique-server helloasso-reconcile`
//!   runs one pass.
//! - Only checkouts' payments (and those of the forms in `form_slugs`) are
//!   taken: a donation's payer is not copied here ([`record`]).
//! - Matching: the checkout intent's metadata (`{"enrolment_id": ...}`, set
//!   by the website when it created the checkout), fetched from the API;
//!   else the payer's e-mail; else the payment waits in the office's list of
//!   unmatched payments (`store::payments::record_processor` decides).
//! - Every payment is recorded by HelloAsso's service account through the
//!   store's gate (`crate::service`), idempotently by its HelloAsso id.
//! - The store lock is never held during an HTTP call.
//! - Logs: payment and order ids, counts and codes; never a payer's name or
//!   e-mail, nor an amount.
//!
//! Configuration: the `[helloasso]` table ([`Settings`]); the client secret
//! and the signature key are systemd credentials only
//! ([`CLIENT_SECRET_CREDENTIAL`], [`SIGNATURE_KEY_CREDENTIAL`]).

pub mod client;
pub mod notify;
pub mod reconcile;
pub mod record;
#[cfg(feature = "testing")]
pub mod standin;

use crate::doctor::{Finding, KeyEnvironment, Status};
use crate::error::ServerError;
use crate::keys;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;
use zeroize::Zeroizing;

/// HelloAsso's production API (paths start with `/v5`).
pub const DEFAULT_API_URL: &str = "https://api.helloasso.com";
/// Where `/oauth2/token` is, unless `oauth_url` says otherwise.
pub const DEFAULT_OAUTH_URL: &str = "https://api.helloasso.com";
/// Minutes between two reconciliation passes by default.
pub const DEFAULT_POLL_MINUTES: u64 = 10;
/// The longest interval between two passes (one day).
pub const MAX_POLL_MINUTES: u64 = 1440;
/// The credential holding the API client's secret.
pub const CLIENT_SECRET_CREDENTIAL: &str = "helloasso-client-secret";
/// The credential holding the notifications' signature key (partner
/// accounts; absent: notifications are only triggers).
pub const SIGNATURE_KEY_CREDENTIAL: &str = "helloasso-signature-key";
/// Notifications re-fetched at the same time at most; more are answered
/// 503 (an unsigned endpoint must not become a way to flood the API).
pub const MAX_IN_FLIGHT: usize = 8;

/// The `[helloasso]` table. HelloAsso is on when `organization_slug` and
/// `client_id` are set (one without the other is refused when used).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub api_url: Option<String>,
    pub oauth_url: Option<String>,
    pub organization_slug: Option<String>,
    pub client_id: Option<String>,
    /// 1 to [`MAX_POLL_MINUTES`].
    pub poll_minutes: Option<u64>,
    /// Extra trusted certificates (PEM), besides Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// Slugs of HelloAsso forms (an event's registrations...) whose payments
    /// are workshop payments too, besides checkouts.
    pub form_slugs: Option<Vec<String>>,
}

/// `[helloasso]` as written in the config file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    api_url: Option<Spanned<String>>,
    oauth_url: Option<Spanned<String>>,
    organization_slug: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    poll_minutes: Option<Spanned<i64>>,
    ca_file: Option<PathBuf>,
    form_slugs: Option<Spanned<Vec<String>>>,
}

fn check_url(url: &str) -> Result<String, String> {
    crate::config::public_url_host(url)
        .map_err(|_| "must be an https:// address with a host".to_owned())?;
    Ok(url.trim_end_matches('/').to_owned())
}

fn check_slug(slug: &str) -> Result<String, String> {
    let ok = !slug.is_empty()
        && slug.len() <= 200
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ok.then(|| slug.to_owned())
        .ok_or_else(|| "must be the organisation's slug (a-z, 0-9, -)".to_owned())
}

fn check_client_id(id: &str) -> Result<String, String> {
    let ok = !id.is_empty() && id.len() <= 200 && id.chars().all(|c| c.is_ascii_graphic());
    ok.then(|| id.to_owned())
        .ok_or_else(|| "must be the API client's id (no spaces)".to_owned())
}

fn check_minutes(minutes: i64) -> Result<u64, String> {
    match u64::try_from(minutes) {
        Ok(m) if (1..=MAX_POLL_MINUTES).contains(&m) => Ok(m),
        _ => Err(format!(
            "must be a whole number from 1 to {MAX_POLL_MINUTES}"
        )),
    }
}

impl FileSettings {
    /// Checks each value; `bad(key, offset, why)` makes the error naming the
    /// key and its line (`crate::config`).
    pub fn check(
        self,
        bad: impl Fn(&str, usize, String) -> ServerError,
    ) -> Result<Settings, ServerError> {
        let text = |value: Option<Spanned<String>>,
                    key: &str,
                    check: fn(&str) -> Result<String, String>|
         -> Result<Option<String>, ServerError> {
            value
                .map(|v| check(v.get_ref().trim()).map_err(|why| bad(key, v.span().start, why)))
                .transpose()
        };
        Ok(Settings {
            api_url: text(self.api_url, "helloasso.api_url", check_url)?,
            oauth_url: text(self.oauth_url, "helloasso.oauth_url", check_url)?,
            organization_slug: text(
                self.organization_slug,
                "helloasso.organization_slug",
                check_slug,
            )?,
            client_id: text(self.client_id, "helloasso.client_id", check_client_id)?,
            poll_minutes: self
                .poll_minutes
                .map(|m| {
                    check_minutes(*m.get_ref())
                        .map_err(|why| bad("helloasso.poll_minutes", m.span().start, why))
                })
                .transpose()?,
            ca_file: self.ca_file,
            form_slugs: self
                .form_slugs
                .map(|slugs| {
                    let start = slugs.span().start;
                    slugs
                        .into_inner()
                        .iter()
                        .map(|slug| check_slug(slug.trim()))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|why| bad("helloasso.form_slugs", start, why))
                })
                .transpose()?,
        })
    }
}

impl Settings {
    /// Whether the table turns HelloAsso on (or half on: an error later).
    pub fn is_configured(&self) -> bool {
        self.organization_slug.is_some() || self.client_id.is_some()
    }

    /// The reconciliation interval ([`DEFAULT_POLL_MINUTES`]).
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(60 * self.poll_minutes.unwrap_or(DEFAULT_POLL_MINUTES))
    }

    fn required(&self) -> Result<(&str, &str), ServerError> {
        match (&self.organization_slug, &self.client_id) {
            (Some(slug), Some(id)) => Ok((slug, id)),
            _ => Err(ServerError::Usage(
                "[helloasso] needs both organization_slug and client_id".into(),
            )),
        }
    }
}

/// Reads a credential of `dir` (systemd's `$CREDENTIALS_DIRECTORY`) with the
/// store key's rules on its mode (`keys::check_credential`); `None` when
/// the file is absent. The text is trimmed; never printed.
pub fn read_credential(dir: &Path, name: &str) -> Result<Option<Zeroizing<String>>, ServerError> {
    let path = dir.join(name);
    if !path.exists() {
        return Ok(None);
    }
    keys::check_credential(&path)?;
    let text = Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| {
        ServerError::Key(format!(
            "cannot read the credential {}: {}",
            path.display(),
            e.kind()
        ))
    })?);
    let value = Zeroizing::new(text.trim().to_owned());
    if value.is_empty() {
        return Err(ServerError::Key(format!(
            "the credential {} is empty",
            path.display()
        )));
    }
    Ok(Some(value))
}

fn missing_secret() -> ServerError {
    ServerError::Key(format!(
        "HelloAsso is configured but its client secret is missing: run under systemd with \
         LoadCredential={CLIENT_SECRET_CREDENTIAL}:/etc/moniravique/{CLIENT_SECRET_CREDENTIAL} \
         (see crates/server/dist/moniravique-server.service)"
    ))
}

/// HelloAsso as this server talks to it.
pub struct HelloAsso {
    pub client: client::Client,
    form_slugs: Vec<String>,
    signature_key: Option<Zeroizing<Vec<u8>>>,
    poll_every: Duration,
    permits: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for HelloAsso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelloAsso")
            .field("client", &self.client)
            .field("signed", &self.signature_key.is_some())
            .finish_non_exhaustive()
    }
}

impl HelloAsso {
    /// HelloAsso from the settings and the credentials of this process's
    /// `$CREDENTIALS_DIRECTORY`; `None` when the table does not turn it on.
    pub fn from_environment(settings: &Settings) -> Result<Option<Arc<HelloAsso>>, ServerError> {
        let dir = std::env::var_os(keys::CREDENTIALS_ENV)
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from);
        HelloAsso::new(settings, dir.as_deref()).map(|h| h.map(Arc::new))
    }

    /// HelloAsso from the settings and the credentials in `credentials_dir`.
    pub fn new(
        settings: &Settings,
        credentials_dir: Option<&Path>,
    ) -> Result<Option<HelloAsso>, ServerError> {
        if !settings.is_configured() {
            return Ok(None);
        }
        let (slug, client_id) = settings.required()?;
        let dir = credentials_dir.ok_or_else(missing_secret)?;
        let client_secret =
            read_credential(dir, CLIENT_SECRET_CREDENTIAL)?.ok_or_else(missing_secret)?;
        let signature_key = read_credential(dir, SIGNATURE_KEY_CREDENTIAL)?
            .map(|key| Zeroizing::new(key.as_bytes().to_vec()));
        let tls = client::tls_config(settings.ca_file.as_deref()).map_err(ServerError::Tls)?;
        let endpoint = client::Endpoint {
            api_url: settings
                .api_url
                .clone()
                .unwrap_or_else(|| DEFAULT_API_URL.into()),
            oauth_url: settings
                .oauth_url
                .clone()
                .unwrap_or_else(|| DEFAULT_OAUTH_URL.into()),
            organization_slug: slug.to_owned(),
            client_id: client_id.to_owned(),
            client_secret,
        };
        Ok(Some(HelloAsso {
            client: client::Client::new(endpoint, tls),
            form_slugs: settings.form_slugs.clone().unwrap_or_default(),
            signature_key,
            poll_every: settings.poll_interval(),
            permits: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
        }))
    }

    /// Whether payments on this form are workshop payments: checkouts (the
    /// website's) and the forms of `form_slugs`.
    pub fn takes_form(&self, form_type: Option<&str>, form_slug: Option<&str>) -> bool {
        form_type == Some("Checkout")
            || form_slug.is_some_and(|slug| self.form_slugs.iter().any(|s| s == slug))
    }

    /// The key notifications are signed with, if the account has one.
    pub fn signature_key(&self) -> Option<&[u8]> {
        self.signature_key.as_deref().map(Vec::as_slice)
    }

    pub fn poll_every(&self) -> Duration {
        self.poll_every
    }

    pub(crate) fn permits(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.permits
    }
}

/// `doctor`'s line about HelloAsso: whether it is configured and how
/// notifications are authenticated. Reads the credentials' presence and
/// modes, never prints them, never calls HelloAsso.
pub fn doctor(settings: &Settings, environment: &KeyEnvironment) -> Finding {
    let line = |status, message: String| Finding {
        status,
        check: "helloasso",
        message,
    };
    if !settings.is_configured() {
        return line(
            Status::Ok,
            "not configured (no [helloasso] table): no HelloAsso payment is taken; \
             the office records payments by hand"
                .into(),
        );
    }
    if let Err(error) = settings.required() {
        return line(Status::Problem, error.to_string());
    }
    let Some(dir) = environment.credentials_dir.as_deref() else {
        return line(
            Status::Warning,
            format!(
                "configured; its credential {CLIENT_SECRET_CREDENTIAL} exists only inside the \
                 service (no $CREDENTIALS_DIRECTORY here), so it is not checked: serve refuses \
                 to start without it"
            ),
        );
    };
    let built = HelloAsso::new(settings, Some(dir));
    match built {
        Ok(Some(helloasso)) => line(
            Status::Ok,
            format!(
                "configured for the organisation {}; client secret from the credential {}; \
                 notifications {}; reconciliation every {} min",
                helloasso.client.organization_slug(),
                CLIENT_SECRET_CREDENTIAL,
                if helloasso.signature_key.is_some() {
                    "signed (x-ha-signature checked)"
                } else {
                    "unsigned (each one only a trigger to fetch the payment again)"
                },
                helloasso.poll_every.as_secs() / 60
            ),
        ),
        Ok(None) => line(Status::Ok, "not configured".into()),
        Err(error) => line(Status::Problem, error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn settings() -> Settings {
        Settings {
            organization_slug: Some("moniravique-exemple".into()),
            client_id: Some("client-id".into()),
            ..Settings::default()
        }
    }

    fn credentials(files: &[(&str, &str, u32)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        for (name, text, mode) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode)).unwrap();
        }
        dir
    }

    #[test]
    fn pol_14_helloasso_is_off_without_its_table_and_needs_its_secret_when_on() {
        assert!(HelloAsso::new(&Settings::default(), None)
            .unwrap()
            .is_none());
        let error = HelloAsso::new(&settings(), None).unwrap_err().to_string();
        assert!(error.contains(CLIENT_SECRET_CREDENTIAL), "{error}");
        let half = Settings {
            client_id: None,
            ..settings()
        };
        let dir = credentials(&[(CLIENT_SECRET_CREDENTIAL, "s3cret\n", 0o400)]);
        assert!(HelloAsso::new(&half, Some(dir.path())).is_err());
        let on = HelloAsso::new(&settings(), Some(dir.path()))
            .unwrap()
            .unwrap();
        assert!(
            on.signature_key().is_none(),
            "no key: unsigned notifications"
        );
        assert_eq!(on.poll_every(), Duration::from_secs(600));
        assert!(on.takes_form(Some("Checkout"), Some("default")));
        assert!(!on.takes_form(Some("Donation"), Some("dons")));
        assert!(!on.takes_form(None, None));
        let events = Settings {
            form_slugs: Some(vec!["ateliers-parents".into()]),
            ..settings()
        };
        let events = HelloAsso::new(&events, Some(dir.path())).unwrap().unwrap();
        assert!(events.takes_form(Some("Event"), Some("ateliers-parents")));
        assert!(!events.takes_form(Some("Event"), Some("gala")));
    }

    #[test]
    fn pol_14_a_credential_others_may_read_is_refused_and_never_printed() {
        let dir = credentials(&[
            (CLIENT_SECRET_CREDENTIAL, "s3cret-value", 0o400),
            (SIGNATURE_KEY_CREDENTIAL, "signature-value", 0o444),
        ]);
        let error = HelloAsso::new(&settings(), Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("mode"), "{error}");
        let environment = KeyEnvironment {
            from_env: None,
            credentials_dir: Some(dir.path().to_owned()),
        };
        let finding = doctor(&settings(), &environment);
        assert_eq!(finding.status, Status::Problem);
        let outside = doctor(&settings(), &KeyEnvironment::default());
        assert_eq!(outside.status, Status::Warning, "{outside}");
        std::fs::set_permissions(
            dir.path().join(SIGNATURE_KEY_CREDENTIAL),
            std::fs::Permissions::from_mode(0o400),
        )
        .unwrap();
        let finding = doctor(&settings(), &environment);
        assert_eq!(finding.status, Status::Ok, "{finding}");
        let text = finding.to_string();
        assert!(text.contains("signed"), "{text}");
        assert!(!text.contains("s3cret") && !text.contains("signature-value"));
    }

    #[test]
    fn the_table_is_checked_value_by_value() {
        let parse = |text: &str| crate::config::Config::parse(text, "server.toml");
        let config = parse(
            "[helloasso]\norganization_slug = \"moniravique-exemple\"\nclient_id = \"abc\"\npoll_minutes = 5\n",
        )
        .unwrap();
        assert_eq!(config.helloasso.poll_interval(), Duration::from_secs(300));
        assert!(config.helloasso.is_configured());
        for (text, key) in [
            (
                "[helloasso]\napi_url = \"http://api.helloasso.com\"\n",
                "api_url",
            ),
            (
                "[helloasso]\norganization_slug = \"Mon Asso\"\n",
                "organization_slug",
            ),
            ("[helloasso]\n\npoll_minutes = 0\n", "poll_minutes"),
            (
                "[helloasso]\nform_slugs = [\"ok\", \"Pas Bon\"]\n",
                "form_slugs",
            ),
            ("[helloasso]\nclient_secret = \"x\"\n", "client_secret"),
        ] {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.contains(key), "{text}: {error}");
            assert!(error.contains("line"), "{text}: {error}");
        }
    }
}
