//! Outbound messages (POL-13, issue 5): the server sends what the laptops
//! queued in `outbox_messages` (reminders, confirmations, suggestions,
//! reactivation reminders, policy-change notices) through SMTP (lettre over
//! rustls with ring, no OpenSSL), and records each delivery on the row, so
//! the change-log triggers tell the laptops (DC-5).
//!
//! One round, [`deliver_once`]:
//!
//! 1. Under the store lock, in one transaction: queued module suggestions
//!    of people who have objected (POL-26) or unsubscribed since they were
//!    queued are `cancelled` (`delivery_error` = `objected` /
//!    `unsubscribed`); then the due messages are read, oldest first, at most
//!    [`Mailer::batch_size`]. The lock is released.
//! 2. The SMTP server is probed (connect, TLS, AUTH, `NOOP`). If that fails
//!    the round stops and no message is charged an attempt: an outage or a
//!    wrong password is the server's problem, not the messages'.
//! 3. Each message is sent on its own connection, without the lock; its
//!    result is then recorded under the lock in one `UPDATE` (its own
//!    transaction).
//!
//! **Retry policy.** A message is *due* while its status is `queued`, its
//! `delivery_error` is empty or retryable (`smtp_transient` for a 4xx answer,
//! `connection` for a connection lost mid-message) and, after `n` failed
//! attempts, [`retry_after`]`(n)` has passed since the last one (1 min,
//! 10 min, 1 h, 4 h). The fifth failure is final. Final outcomes leave the
//! status `queued` (the schema's CHECK knows only queued/sent/cancelled, and
//! `cancelled` means "decided not to send") with a final code that the
//! office can see: `smtp_permanent` (a 5xx answer: never retried),
//! `retries_exhausted` (five transient failures), `no_address` (the person's
//! e-mail is empty or not an address). A success sets `sent`, clears the
//! error and counts the attempt. Delivery is at least once: a crash between
//! the SMTP server's acceptance and the recording sends that message again
//! at the next round (same `Message-ID`, `<row id>@<From domain>`, so
//! receivers may deduplicate); two processes delivering from the same store
//! at once (the serving loop and `deliver-mail`) could both send a message.
//!
//! **Logs** (POL-22): message ids, counts and codes (ours, and the numeric
//! SMTP reply code) only. Never an address, a subject, a body, nor lettre's
//! error text, which may quote the server's answer and so the address.

use chrono::{DateTime, Duration as Age, Utc};
use diesel::prelude::*;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters, TlsVersion};
use lettre::{Address, Message, SmtpTransport, Transport};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use store::schema::{outbox_messages, participants};
use store::{Store, StoreError};
use zeroize::Zeroizing;

/// Environment variable holding the SMTP password (never a command-line
/// argument: those are visible to every user of the machine).
pub const PASSWORD_ENV: &str = "MONIRAVIQUE_SMTP_PASSWORD";
/// Attempts before a message is given up (`retries_exhausted`).
pub const MAX_ATTEMPTS: i32 = 5;
/// Messages read per round unless configured otherwise.
pub const DEFAULT_BATCH: usize = 50;
/// Connect, read and write timeout of one SMTP conversation.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// `delivery_error` codes written by [`deliver_once`].
pub mod codes {
    /// A 4xx answer: retried.
    pub const SMTP_TRANSIENT: &str = "smtp_transient";
    /// A 5xx answer: final.
    pub const SMTP_PERMANENT: &str = "smtp_permanent";
    /// The connection failed or was lost while this message was sent: retried.
    pub const CONNECTION: &str = "connection";
    /// The message could not be built (not a valid header value): final.
    pub const INVALID_MESSAGE: &str = "invalid_message";
    /// The participant has no usable e-mail address: final.
    pub const NO_ADDRESS: &str = "no_address";
    /// [`super::MAX_ATTEMPTS`] transient failures: final.
    pub const RETRIES_EXHAUSTED: &str = "retries_exhausted";
    /// Cancelled: the person objected to suggestions after it was queued (POL-26).
    pub const OBJECTED: &str = "objected";
    /// Cancelled: the person unsubscribed from marketing after it was queued (POL-26).
    pub const UNSUBSCRIBED: &str = "unsubscribed";
    /// Codes after which the message is attempted again.
    pub const RETRYABLE: [&str; 2] = [SMTP_TRANSIENT, CONNECTION];
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection upgraded with `STARTTLS`, which is required (never
    /// falls back to clear text). Default port 587.
    StartTls,
    /// TLS from the first byte ("SMTPS"). Default port 465.
    Tls,
    /// No encryption: only for an SMTP relay on this machine (a loopback
    /// host), and never with a password. Default port 25.
    None,
}

impl TlsMode {
    pub fn parse(text: &str) -> Option<TlsMode> {
        match text {
            "starttls" => Some(TlsMode::StartTls),
            "tls" => Some(TlsMode::Tls),
            "none" => Some(TlsMode::None),
            _ => None,
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        }
    }
}

/// What the operator configures (see `crates/server/README.md`).
#[derive(Clone)]
pub struct MailerConfig {
    pub host: String,
    /// `None`: the mode's default port.
    pub port: Option<u16>,
    pub tls: TlsMode,
    /// `From:` of every message, e.g. `moniravique <ne-pas-repondre@example.org>`.
    pub from: String,
    pub username: Option<String>,
    /// From [`PASSWORD_ENV`] only.
    pub password: Option<Zeroizing<String>>,
    pub batch_size: usize,
}

/// A refused configuration or a round that could not run.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    /// The SMTP server could not be reached, refused the TLS handshake or
    /// the credentials, or did not answer `NOOP`. Nothing was charged.
    #[error("the SMTP server is unreachable or refused the session ({0})")]
    Unreachable(&'static str),
    #[error("store: {}", .0.code())]
    Store(#[from] StoreError),
    #[error("the store mutex is poisoned")]
    Poisoned,
    /// Another delivery (`serve --smtp-host` or `deliver-mail`) holds the
    /// data directory's [`DELIVERY_LOCK`].
    #[error("another mail delivery runs on this data directory (serve --smtp-host or deliver-mail): nothing was sent")]
    Busy,
}

impl MailError {
    pub fn code(&self) -> &'static str {
        match self {
            MailError::Config(_) => "config",
            MailError::Unreachable(code) => code,
            MailError::Store(error) => error.code().as_str(),
            MailError::Poisoned => "poisoned",
            MailError::Busy => "busy",
        }
    }
}

impl From<diesel::result::Error> for MailError {
    fn from(error: diesel::result::Error) -> Self {
        MailError::Store(error.into())
    }
}

/// The data directory's delivery lock file. One delivery at a time: two
/// senders could both send a message before either recorded it.
pub const DELIVERY_LOCK: &str = "mail-delivery.lock";

/// Takes the delivery lock of `data_dir` (an OS file lock, released when the
/// returned file is dropped or the process dies): `serve --smtp-host` holds
/// it while it runs, `deliver-mail` for its round. [`MailError::Busy`] when
/// another process holds it.
pub fn delivery_lock(data_dir: &std::path::Path) -> Result<std::fs::File, MailError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(DELIVERY_LOCK))
        .map_err(|error| {
            MailError::Config(format!(
                "the delivery lock cannot be opened ({})",
                error.kind()
            ))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(MailError::Busy),
        Err(std::fs::TryLockError::Error(error)) => Err(MailError::Config(format!(
            "the delivery lock cannot be taken ({})",
            error.kind()
        ))),
    }
}

/// A checked configuration with its SMTP transport.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    tls: TlsMode,
    port: u16,
    batch_size: usize,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("tls", &self.tls)
            .field("port", &self.port)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

/// `localhost`, `127.0.0.0/8`, `::1` (with or without brackets).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl Mailer {
    /// Checks `config`: a host, a valid `From`, `none` only towards a
    /// loopback host and without credentials, a user name and a password
    /// together or not at all, a batch of 1 to 1,000.
    pub fn new(config: MailerConfig) -> Result<Mailer, MailError> {
        let host = config.host.trim().to_owned();
        if host.is_empty() {
            return Err(MailError::Config("the SMTP host is empty".into()));
        }
        if !(1..=1000).contains(&config.batch_size) {
            return Err(MailError::Config(
                "the batch size must be from 1 to 1000".into(),
            ));
        }
        let from: Mailbox = config.from.parse().map_err(|_| {
            MailError::Config("the From address is not a valid e-mail address".into())
        })?;
        let credentials = match (config.username, config.password) {
            (Some(user), Some(password)) => Some(Credentials::new(user, password.to_string())),
            (None, None) => None,
            (Some(_), None) => {
                return Err(MailError::Config(format!(
                    "an SMTP user name needs its password in {PASSWORD_ENV}"
                )))
            }
            (None, Some(_)) => {
                return Err(MailError::Config(format!(
                    "{PASSWORD_ENV} is set but no SMTP user name is given"
                )))
            }
        };
        let tls_parameters = || {
            TlsParameters::builder(host.trim_start_matches('[').trim_end_matches(']').into())
                .set_min_tls_version(TlsVersion::Tlsv12)
                .build_rustls()
                .map_err(|_| MailError::Config("cannot set up TLS for the SMTP host".into()))
        };
        let tls = match config.tls {
            TlsMode::StartTls => Tls::Required(tls_parameters()?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
            TlsMode::None => {
                if !is_loopback_host(&host) {
                    return Err(MailError::Config(
                        "--smtp-tls none is allowed only for a relay on this machine \
                         (localhost, 127.0.0.0/8, ::1)"
                            .into(),
                    ));
                }
                if credentials.is_some() {
                    return Err(MailError::Config(
                        "credentials are never sent without TLS".into(),
                    ));
                }
                Tls::None
            }
        };
        let port = config.port.unwrap_or(config.tls.default_port());
        let mut builder = SmtpTransport::builder_dangerous(host.as_str())
            .port(port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            tls: config.tls,
            port,
            batch_size: config.batch_size,
        })
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn tls(&self) -> TlsMode {
        self.tls
    }

    fn build(&self, id: &str, to: Address, subject: &str, body: &str) -> Option<Message> {
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(subject)
            .message_id(Some(format!("<{id}@{}>", self.from.email.domain())))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .ok()
    }
}

/// What one round did. `deferred`: read but not attempted, because the
/// connection was lost earlier in the round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub deferred: usize,
}

/// How long after the `failures`-th failed attempt the next one waits.
pub fn retry_after(failures: i32) -> Age {
    match failures {
        i32::MIN..=0 => Age::zero(),
        1 => Age::minutes(1),
        2 => Age::minutes(10),
        3 => Age::hours(1),
        _ => Age::hours(4),
    }
}

struct Due {
    id: String,
    email: String,
    subject: String,
    body: String,
    attempts: i32,
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>, MailError> {
    store.lock().map_err(|_| MailError::Poisoned)
}

/// Templates stopped by an objection or an unsubscribe (POL-13, POL-26).
fn objectable() -> Vec<&'static str> {
    domain::messages::Template::ALL
        .iter()
        .filter(|t| t.needs_no_objection())
        .map(|t| t.as_str())
        .collect()
}

/// Step 1 of [`deliver_once`]: cancels the suggestions of objectors, then
/// reads the due batch. One transaction, under the caller's lock.
fn prepare(
    store: &mut Store,
    batch: usize,
    now: DateTime<Utc>,
) -> Result<(usize, Vec<Due>), MailError> {
    let device = store.device().as_str().to_owned();
    let at = now.naive_utc();
    store::tx::immediate(store.connection(), |conn| {
        let objectors: Vec<(String, bool)> = outbox_messages::table
            .inner_join(participants::table)
            .filter(outbox_messages::status.eq("queued"))
            .filter(outbox_messages::template.eq_any(objectable()))
            .filter(
                participants::objects_to_suggestions
                    .eq(true)
                    .or(participants::marketing_opt_out.eq(true)),
            )
            .select((outbox_messages::id, participants::objects_to_suggestions))
            .load(conn)?;
        for (id, objected) in &objectors {
            let code = if *objected {
                codes::OBJECTED
            } else {
                codes::UNSUBSCRIBED
            };
            diesel::update(outbox_messages::table.find(id))
                .set((
                    outbox_messages::status.eq("cancelled"),
                    outbox_messages::delivery_error.eq(code),
                    outbox_messages::updated_at.eq(at),
                    outbox_messages::updated_device.eq(&device),
                ))
                .execute(conn)?;
            tracing::info!(outbox_id = %id, code, "message cancelled before sending");
        }
        // Due: never failed, or failed with a retryable code long enough ago
        // (the last attempt set `updated_at`).
        let attempts = outbox_messages::delivery_attempts;
        let waited = |failures: i32| {
            outbox_messages::updated_at.le((now - retry_after(failures)).naive_utc())
        };
        let due_now = attempts
            .eq(0)
            .or(attempts.eq(1).and(waited(1)))
            .or(attempts.eq(2).and(waited(2)))
            .or(attempts.eq(3).and(waited(3)))
            .or(attempts.ge(4).and(waited(4)));
        let rows: Vec<(String, String, String, String, i32)> = outbox_messages::table
            .inner_join(participants::table)
            .filter(outbox_messages::status.eq("queued"))
            .filter(outbox_messages::delivery_attempts.lt(MAX_ATTEMPTS))
            .filter(
                outbox_messages::delivery_error
                    .is_null()
                    .or(outbox_messages::delivery_error.eq_any(codes::RETRYABLE)),
            )
            .filter(due_now)
            .order((outbox_messages::queued_at, outbox_messages::id))
            .limit(batch as i64)
            .select((
                outbox_messages::id,
                participants::email,
                outbox_messages::subject,
                outbox_messages::body,
                outbox_messages::delivery_attempts,
            ))
            .load(conn)?;
        let due = rows
            .into_iter()
            .map(|(id, email, subject, body, attempts)| Due {
                id,
                email,
                subject,
                body,
                attempts,
            })
            .collect();
        Ok((objectors.len(), due))
    })
}

enum Outcome {
    Sent,
    Failed(&'static str),
}

/// Records one message's outcome: one `UPDATE` (its own transaction),
/// `updated_at`/`updated_device` set so the change log carries it to the
/// laptops.
fn record(
    store: &Mutex<Store>,
    due: &Due,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<(), MailError> {
    let mut guard = lock(store)?;
    let device = guard.device().as_str().to_owned();
    let at = now.naive_utc();
    let attempts = due.attempts + 1;
    let row = outbox_messages::table.find(&due.id);
    match outcome {
        Outcome::Sent => diesel::update(row)
            .set((
                outbox_messages::status.eq("sent"),
                outbox_messages::delivery_error.eq(None::<String>),
                outbox_messages::delivery_attempts.eq(attempts),
                outbox_messages::updated_at.eq(at),
                outbox_messages::updated_device.eq(&device),
            ))
            .execute(guard.connection())?,
        Outcome::Failed(code) => diesel::update(row)
            .set((
                outbox_messages::delivery_error.eq(*code),
                outbox_messages::delivery_attempts.eq(attempts),
                outbox_messages::updated_at.eq(at),
                outbox_messages::updated_device.eq(&device),
            ))
            .execute(guard.connection())?,
    };
    Ok(())
}

/// The code for a failed send, and whether the connection itself failed.
fn classify(error: &lettre::transport::smtp::Error) -> (&'static str, bool) {
    if error.is_permanent() {
        (codes::SMTP_PERMANENT, false)
    } else if error.is_transient() {
        (codes::SMTP_TRANSIENT, false)
    } else {
        (codes::CONNECTION, true)
    }
}

fn reply_code(error: &lettre::transport::smtp::Error) -> String {
    error.status().map(|c| c.to_string()).unwrap_or_default()
}

/// One delivery round (see the module doc). Never holds the store lock while
/// talking to the SMTP server. `Err` when the store failed or the SMTP server
/// could not be reached; messages already recorded stay recorded.
pub fn deliver_once(
    store: &Mutex<Store>,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Report, MailError> {
    let (cancelled, due) = {
        let mut guard = lock(store)?;
        prepare(&mut guard, mailer.batch_size, now)?
    };
    let mut report = Report {
        cancelled,
        ..Report::default()
    };
    if due.is_empty() {
        return Ok(report);
    }
    match mailer.transport.test_connection() {
        Ok(true) => {}
        Ok(false) => return Err(MailError::Unreachable("smtp_noop")),
        Err(error) => {
            let code = if error.is_tls() {
                "tls"
            } else if error.is_response() || error.status().is_some() {
                "smtp_session"
            } else {
                codes::CONNECTION
            };
            tracing::warn!(code, reply = %reply_code(&error), "SMTP server unavailable; nothing sent");
            return Err(MailError::Unreachable(code));
        }
    }
    for (index, message) in due.iter().enumerate() {
        let failures = message.attempts + 1;
        let give_up = |code: &'static str| {
            if failures >= MAX_ATTEMPTS && codes::RETRYABLE.contains(&code) {
                codes::RETRIES_EXHAUSTED
            } else {
                code
            }
        };
        let Ok(address) = message.email.trim().parse::<Address>() else {
            record(store, message, &Outcome::Failed(codes::NO_ADDRESS), now)?;
            report.failed += 1;
            tracing::warn!(outbox_id = %message.id, code = codes::NO_ADDRESS, "message not sent");
            continue;
        };
        let Some(email) = mailer.build(&message.id, address, &message.subject, &message.body)
        else {
            record(
                store,
                message,
                &Outcome::Failed(codes::INVALID_MESSAGE),
                now,
            )?;
            report.failed += 1;
            tracing::warn!(outbox_id = %message.id, code = codes::INVALID_MESSAGE, "message not sent");
            continue;
        };
        match mailer.transport.send(&email) {
            Ok(_) => {
                record(store, message, &Outcome::Sent, now)?;
                report.sent += 1;
                tracing::info!(outbox_id = %message.id, attempt = failures, "message sent");
            }
            Err(error) => {
                let (code, connection_lost) = classify(&error);
                let code = give_up(code);
                record(store, message, &Outcome::Failed(code), now)?;
                report.failed += 1;
                tracing::warn!(
                    outbox_id = %message.id,
                    code,
                    reply = %reply_code(&error),
                    attempt = failures,
                    "message not sent"
                );
                if connection_lost {
                    report.deferred = due.len() - index - 1;
                    break;
                }
            }
        }
    }
    Ok(report)
}

/// Rounds until nothing due is left (at most `max_rounds`), for the
/// operator's `deliver-mail`: every message due now is tried once.
pub fn deliver_all(
    store: &Mutex<Store>,
    mailer: &Mailer,
    now: DateTime<Utc>,
    max_rounds: usize,
) -> Result<Report, MailError> {
    let mut total = Report::default();
    for _ in 0..max_rounds {
        let round = deliver_once(store, mailer, now)?;
        total.sent += round.sent;
        total.failed += round.failed;
        total.cancelled += round.cancelled;
        total.deferred = round.deferred;
        // A full batch may leave more behind; anything else means done
        // (failures wait for their retry delay, so they are not read again).
        if round.deferred > 0 || round.sent + round.failed < mailer.batch_size {
            break;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(host: &str, tls: TlsMode) -> MailerConfig {
        MailerConfig {
            host: host.into(),
            port: None,
            tls,
            from: "moniravique <ne-pas-repondre@example.org>".into(),
            username: None,
            password: None,
            batch_size: DEFAULT_BATCH,
        }
    }

    #[test]
    fn pol_17_plain_smtp_only_towards_a_loopback_relay() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"] {
            assert!(Mailer::new(config(host, TlsMode::None)).is_ok(), "{host}");
        }
        for host in ["smtp.example.org", "10.0.0.1", "192.168.1.1", "::2"] {
            assert_eq!(
                Mailer::new(config(host, TlsMode::None)).unwrap_err().code(),
                "config",
                "{host}"
            );
        }
        let remote = Mailer::new(config("smtp.example.org", TlsMode::StartTls)).unwrap();
        assert_eq!(remote.port(), 587);
        assert_eq!(
            Mailer::new(config("smtp.example.org", TlsMode::Tls))
                .unwrap()
                .port(),
            465
        );
    }

    #[test]
    fn pol_17_credentials_need_tls_and_both_halves() {
        let mut with_password = config("127.0.0.1", TlsMode::None);
        with_password.username = Some("relay".into());
        with_password.password = Some(Zeroizing::new("secret".into()));
        assert!(
            Mailer::new(with_password.clone()).is_err(),
            "never in clear"
        );
        with_password.tls = TlsMode::StartTls;
        assert!(Mailer::new(with_password.clone()).is_ok());
        let mut half = with_password.clone();
        half.password = None;
        assert!(Mailer::new(half).is_err());
        let mut other_half = with_password;
        other_half.username = None;
        assert!(Mailer::new(other_half).is_err());
    }

    #[test]
    fn bad_from_and_batch_sizes_are_refused() {
        let mut bad = config("127.0.0.1", TlsMode::None);
        bad.from = "not an address".into();
        assert!(Mailer::new(bad).is_err());
        let mut zero = config("127.0.0.1", TlsMode::None);
        zero.batch_size = 0;
        assert!(Mailer::new(zero).is_err());
        assert_eq!(TlsMode::parse("STARTTLS"), None);
        assert_eq!(TlsMode::parse("starttls"), Some(TlsMode::StartTls));
    }

    #[test]
    fn retry_delays_grow() {
        assert_eq!(retry_after(0), Age::zero());
        let delays: Vec<Age> = (1..MAX_ATTEMPTS).map(retry_after).collect();
        assert!(delays.windows(2).all(|w| w[0] < w[1]));
    }
}
