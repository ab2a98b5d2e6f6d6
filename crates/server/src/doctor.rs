//! `moniravique-server doctor` (issue 14, item 4): checks an installation
//! and says in plain words, one line per check, what is `ok`, what is a
//! `warning` and what is a `PROBLEM`, with what to do. It only reads: the
//! store is opened read-only (no migration, no write), so it may run beside
//! a serving server. Lines name paths, dates and codes only (POL-22).

use crate::admin::store_path;
use crate::config::Config;
use crate::keys;
use chrono::{DateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store::StoreKey;
use zeroize::Zeroizing;

/// Below this much free space on the data directory's file system: a warning.
pub const MIN_FREE_BYTES: u64 = 1 << 30;
/// A certificate expiring within this many days: a warning.
pub const CERT_WARNING_DAYS: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warning,
    Problem,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Problem => "PROBLEM",
        }
    }
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub status: Status,
    /// Which check: `data directory`, `store key`, `store`, `integrity`,
    /// `audit chain`, `statistics`, `certificate`, `certificate names`,
    /// `tls key`, `helloasso`, `disk space`, `intake secrets`.
    pub check: &'static str,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<7} {}: {}",
            self.status.word(),
            self.check,
            self.message
        )
    }
}

fn finding(status: Status, check: &'static str, message: impl Into<String>) -> Finding {
    Finding {
        status,
        check,
        message: message.into(),
    }
}

/// Whether every finding is `ok` (`doctor` exits 0 then, else 1).
pub fn all_ok(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.status == Status::Ok)
}

/// Where the key may come from besides `config.key_file`.
#[derive(Default)]
pub struct KeyEnvironment {
    /// The value of `MONIRAVIQUE_SERVER_KEY`.
    pub from_env: Option<Zeroizing<String>>,
    /// `$CREDENTIALS_DIRECTORY`.
    pub credentials_dir: Option<PathBuf>,
}

impl KeyEnvironment {
    /// This process's environment.
    pub fn current() -> KeyEnvironment {
        KeyEnvironment {
            from_env: std::env::var(keys::KEY_ENV).ok().map(Zeroizing::new),
            credentials_dir: std::env::var_os(keys::CREDENTIALS_ENV)
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Every check, in order, at `now`.
pub fn check(config: &Config, environment: KeyEnvironment, now: DateTime<Utc>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let credentials_dir = environment.credentials_dir.clone();
    let data_dir_ok = check_data_dir(config, &mut findings);
    let helloasso = crate::helloasso::doctor(&config.helloasso, &environment);
    let key = check_key(config, environment, &mut findings);
    match (data_dir_ok.as_deref(), key) {
        (Some(dir), Some(key)) => check_store(dir, &key, now, &mut findings),
        (None, _) => findings.push(finding(
            Status::Problem,
            "store",
            "not checked: fix the data directory first",
        )),
        (_, None) => findings.push(finding(
            Status::Problem,
            "store",
            "not checked: fix the store key first",
        )),
    }
    check_certificate(config, now, &mut findings);
    findings.push(helloasso);
    if let Some(dir) = data_dir_ok {
        findings.push(check_space(&dir));
    }
    // The website's intake (issue 15): how many secrets, where from; never one.
    findings.push(crate::intake::secrets::finding(
        config,
        credentials_dir.as_deref(),
    ));
    findings
}

fn check_data_dir(config: &Config, findings: &mut Vec<Finding>) -> Option<PathBuf> {
    const CHECK: &str = "data directory";
    let Some(dir) = config.data_dir.clone() else {
        findings.push(finding(
            Status::Problem,
            CHECK,
            "none given: pass --data-dir DIR or set data_dir in the config file",
        ));
        return None;
    };
    let metadata = match std::fs::metadata(&dir) {
        Ok(metadata) => metadata,
        Err(error) => {
            findings.push(finding(
                Status::Problem,
                CHECK,
                format!(
                    "{} cannot be read ({error}): create it with `moniravique-server init` or `restore`, or fix data_dir",
                    dir.display()
                ),
            ));
            return None;
        }
    };
    if !metadata.is_dir() {
        findings.push(finding(
            Status::Problem,
            CHECK,
            format!("{} is not a directory: fix data_dir", dir.display()),
        ));
        return None;
    }
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        findings.push(finding(
            Status::Problem,
            CHECK,
            format!(
                "{} has mode {mode:04o}; only the server's user may enter it: chmod 700 {}",
                dir.display(),
                dir.display()
            ),
        ));
    } else {
        findings.push(finding(
            Status::Ok,
            CHECK,
            format!("{}, mode {mode:04o}", dir.display()),
        ));
    }
    Some(dir)
}

fn check_key(
    config: &Config,
    environment: KeyEnvironment,
    findings: &mut Vec<Finding>,
) -> Option<StoreKey> {
    const CHECK: &str = "store key";
    match keys::load_from(
        config.key_file.as_deref(),
        environment.from_env,
        environment.credentials_dir.as_deref(),
    ) {
        Ok((key, source)) => {
            let mode = match &source {
                keys::KeySource::File(path) | keys::KeySource::Credential(path) => {
                    std::fs::metadata(path)
                        .map(|m| format!(", mode {:04o}", m.permissions().mode() & 0o777))
                        .unwrap_or_default()
                }
                keys::KeySource::Env => String::new(),
            };
            findings.push(finding(
                Status::Ok,
                CHECK,
                format!("from {source}{mode}, 64 hex characters"),
            ));
            Some(key)
        }
        Err(error) => {
            findings.push(finding(Status::Problem, CHECK, error.to_string()));
            None
        }
    }
}

#[derive(QueryableByName)]
struct QuickCheck {
    #[diesel(sql_type = diesel::sql_types::Text)]
    quick_check: String,
}

fn check_store(data_dir: &Path, key: &StoreKey, now: DateTime<Utc>, findings: &mut Vec<Finding>) {
    let path = store_path(data_dir);
    let shown = path.display();
    if !path.exists() {
        findings.push(finding(
            Status::Problem,
            "store",
            format!(
                "no store at {shown}: run `moniravique-server init` or `restore`, or fix data_dir"
            ),
        ));
        return;
    }
    if is_plain_sqlite(&path) {
        findings.push(finding(
            Status::Problem,
            "store",
            format!("{shown} is plain SQLite, not encrypted [not_encrypted]: never serve it; restore an encrypted backup"),
        ));
        return;
    }
    let Some(url) = path.to_str() else {
        findings.push(finding(
            Status::Problem,
            "store",
            "the store path is not valid UTF-8: choose another data_dir",
        ));
        return;
    };
    let opened = SqliteConnection::establish(url).and_then(|mut conn| {
        let pragma = Zeroizing::new(format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA query_only = ON;",
            key.to_hex().as_str()
        ));
        conn.batch_execute(&pragma)
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
        Ok(conn)
    });
    let mut conn = match opened {
        Ok(conn) => conn,
        Err(error) => {
            findings.push(finding(
                Status::Problem,
                "store",
                format!("{shown} cannot be opened [io] ({error}): check its owner and mode"),
            ));
            return;
        }
    };
    // The first read decrypts page 1: a wrong key fails here.
    if let Err(error) = conn.batch_execute("SELECT count(*) FROM sqlite_master;") {
        let message = if error.to_string().contains("not a database") {
            format!(
                "the key does not open {shown} [wrong_key]: the key is not this store's \
                 (check key_file or the store-key credential), or the file's first page is damaged \
                 (then restore the latest backup with `moniravique-server restore`)"
            )
        } else {
            format!("{shown} is damaged [corrupted]: stop the server and restore the latest backup with `moniravique-server restore`")
        };
        findings.push(finding(Status::Problem, "store", message));
        return;
    }
    findings.push(finding(
        Status::Ok,
        "store",
        format!("{shown} opens with the key"),
    ));
    let rows: Result<Vec<QuickCheck>, _> = diesel::sql_query("PRAGMA quick_check;").load(&mut conn);
    match rows {
        Ok(rows) if rows.len() == 1 && rows[0].quick_check == "ok" => {
            findings.push(finding(Status::Ok, "integrity", "quick_check ok"))
        }
        other => {
            let problems = other.map(|rows| rows.len()).unwrap_or(1);
            findings.push(finding(
                Status::Problem,
                "integrity",
                format!(
                    "{shown} fails its integrity check [corrupted] ({problems} problem(s) found): \
                     stop the server and restore the latest backup with `moniravique-server restore`"
                ),
            ));
            return;
        }
    }
    match store::audit::verify_unchecked(&mut conn) {
        Ok(verification) if verification.ok => findings.push(finding(
            Status::Ok,
            "audit chain",
            format!("{} entries verified", verification.checked),
        )),
        Ok(verification) => findings.push(finding(
            Status::Problem,
            "audit chain",
            format!(
                "broken at entry {} ({}): the trail was altered or damaged; keep this store as evidence and tell the DPO",
                verification.first_broken.unwrap_or_default(),
                verification.reason.as_deref().unwrap_or("no reason given")
            ),
        )),
        Err(error) => findings.push(finding(
            Status::Problem,
            "audit chain",
            format!("cannot be read [{}]: the store may be from another version or damaged", error.code()),
        )),
    }
    // Issue 16: the latest monthly release, and whether an ended month waits.
    let (current, message) = crate::statistics::doctor_line(&mut conn, now);
    let status = if current { Status::Ok } else { Status::Warning };
    findings.push(finding(status, "statistics", message));
}

fn is_plain_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .map(|()| &header == b"SQLite format 3\0")
        .unwrap_or(false)
}

fn check_certificate(config: &Config, now: DateTime<Utc>, findings: &mut Vec<Finding>) {
    let (Some(cert_path), Some(key_path)) = (config.cert.as_deref(), config.key.as_deref()) else {
        findings.push(finding(
            Status::Problem,
            "certificate",
            "no certificate and key given: pass --cert and --key, or set cert and key in the config file",
        ));
        return;
    };
    let chain: Vec<CertificateDer<'static>> = match CertificateDer::pem_file_iter(cert_path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
    {
        Ok(chain) if !chain.is_empty() => chain,
        Ok(_) | Err(_) => {
            findings.push(finding(
                Status::Problem,
                "certificate",
                format!(
                    "{} cannot be read as a PEM certificate: install the certificate (or run `moniravique-server self-signed-cert`)",
                    cert_path.display()
                ),
            ));
            return;
        }
    };
    let parsed = match x509_parser::parse_x509_certificate(chain[0].as_ref()) {
        Ok((_, parsed)) => parsed,
        Err(_) => {
            findings.push(finding(
                Status::Problem,
                "certificate",
                format!(
                    "{} is not a valid X.509 certificate: install a valid one",
                    cert_path.display()
                ),
            ));
            return;
        }
    };
    let time = |t: &x509_parser::time::ASN1Time| {
        Utc.timestamp_opt(t.timestamp(), 0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    };
    let not_before = time(&parsed.validity().not_before);
    let not_after = time(&parsed.validity().not_after);
    let day = |at: DateTime<Utc>| at.format("%Y-%m-%d").to_string();
    let shown = cert_path.display();
    findings.push(if now < not_before {
        finding(
            Status::Problem,
            "certificate",
            format!("{shown} is not valid before {}: check the server's clock or the certificate", day(not_before)),
        )
    } else if now >= not_after {
        finding(
            Status::Problem,
            "certificate",
            format!("{shown} expired on {}: laptops refuse it; install a renewed certificate and give it to the laptops", day(not_after)),
        )
    } else if not_after - now < chrono::Duration::days(CERT_WARNING_DAYS) {
        finding(
            Status::Warning,
            "certificate",
            format!(
                "{shown} expires on {} (in {} days): renew it and give it to the laptops before then",
                day(not_after),
                (not_after - now).num_days()
            ),
        )
    } else {
        finding(
            Status::Ok,
            "certificate",
            format!("{shown} valid until {}", day(not_after)),
        )
    });
    let names = certificate_names(&parsed);
    findings.push(match config.public_host() {
        None => finding(
            Status::Warning,
            "certificate names",
            "public_url is not set, so the certificate's names were not checked: set public_url in the config file",
        ),
        Some(host) if names.iter().any(|name| name_matches(name, &host)) => finding(
            Status::Ok,
            "certificate names",
            format!("the certificate names {host}, the host of public_url"),
        ),
        Some(host) => finding(
            Status::Problem,
            "certificate names",
            format!(
                "the certificate names {} but not {host}, the host of public_url: laptops will refuse it; \
                 make one for {host} (e.g. `moniravique-server self-signed-cert --host {host}`) or fix public_url",
                if names.is_empty() { "nothing".to_owned() } else { names.join(", ") }
            ),
        ),
    });
    findings.push(check_tls_key(key_path, chain));
}

/// DNS names and IP addresses of the certificate's subject alternative names.
fn certificate_names(cert: &x509_parser::certificate::X509Certificate<'_>) -> Vec<String> {
    use x509_parser::extensions::GeneralName;
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(dns.to_ascii_lowercase()),
            GeneralName::IPAddress(bytes) => match bytes.len() {
                4 => <[u8; 4]>::try_from(*bytes)
                    .ok()
                    .map(|b| std::net::IpAddr::from(b).to_string()),
                16 => <[u8; 16]>::try_from(*bytes)
                    .ok()
                    .map(|b| std::net::IpAddr::from(b).to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A certificate name matches a host exactly or as a one-label wildcard.
fn name_matches(name: &str, host: &str) -> bool {
    if let (Ok(a), Ok(b)) = (
        name.parse::<std::net::IpAddr>(),
        host.parse::<std::net::IpAddr>(),
    ) {
        return a == b;
    }
    match name.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => name == host,
    }
}

fn check_tls_key(key_path: &Path, chain: Vec<CertificateDer<'static>>) -> Finding {
    const CHECK: &str = "tls key";
    let shown = key_path.display();
    let mode = std::fs::metadata(key_path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    if mode & 0o007 != 0 {
        return finding(
            Status::Problem,
            CHECK,
            format!(
                "others may read the private key {shown} (mode {mode:04o}): chmod o-rwx {shown}"
            ),
        );
    }
    let key = match PrivateKeyDer::from_pem_file(key_path) {
        Ok(key) => key,
        Err(_) => {
            return finding(
                Status::Problem,
                CHECK,
                format!("{shown} cannot be read as a PEM private key: install the key made with the certificate"),
            )
        }
    };
    let provider = rustls::crypto::ring::default_provider();
    let signing = match provider.key_provider.load_private_key(key) {
        Ok(signing) => signing,
        Err(_) => {
            return finding(
                Status::Problem,
                CHECK,
                format!("{shown} is not a private key this server can use (RSA, ECDSA P-256/P-384 or Ed25519)"),
            )
        }
    };
    match rustls::sign::CertifiedKey::new(chain, Arc::clone(&signing)).keys_match() {
        Ok(()) => finding(
            Status::Ok,
            CHECK,
            format!("{shown} belongs to the certificate, mode {mode:04o}"),
        ),
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => finding(
            Status::Warning,
            CHECK,
            format!("could not tell whether {shown} belongs to the certificate"),
        ),
        Err(_) => finding(
            Status::Problem,
            CHECK,
            format!("{shown} does not belong to the certificate: install the private key made with this certificate"),
        ),
    }
}

/// The disk-space finding for `available` bytes free and a store of
/// `store_bytes` (its file and WAL).
pub fn space_finding(dir: &Path, available: u64, store_bytes: u64) -> Finding {
    const CHECK: &str = "disk space";
    let gib = |bytes: u64| format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64);
    let needed = MIN_FREE_BYTES.max(store_bytes.saturating_mul(2));
    if available < needed {
        finding(
            Status::Warning,
            CHECK,
            format!(
                "{} free on the file system of {} (the store takes {}; keep at least {}): free some space or grow the disk",
                gib(available),
                dir.display(),
                gib(store_bytes),
                gib(needed)
            ),
        )
    } else {
        finding(
            Status::Ok,
            CHECK,
            format!(
                "{} free on the file system of {}",
                gib(available),
                dir.display()
            ),
        )
    }
}

fn check_space(dir: &Path) -> Finding {
    let store_bytes: u64 = [
        store_path(dir),
        dir.join(format!("{}-wal", crate::admin::STORE_FILE)),
    ]
    .iter()
    .filter_map(|path| std::fs::metadata(path).ok())
    .map(|m| m.len())
    .sum();
    match rustix::fs::statvfs(dir) {
        Ok(stat) => space_finding(
            dir,
            stat.f_bavail.saturating_mul(stat.f_frsize),
            store_bytes,
        ),
        Err(error) => finding(
            Status::Warning,
            "disk space",
            format!("cannot read the free space of {} ({error})", dir.display()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_free_space_is_a_warning() {
        let dir = Path::new("/var/lib/moniravique");
        assert_eq!(space_finding(dir, 10 << 30, 1 << 30).status, Status::Ok);
        let low = space_finding(dir, 512 << 20, 1 << 20);
        assert_eq!(low.status, Status::Warning);
        assert!(low.to_string().starts_with("warning"), "{low}");
        assert_eq!(
            space_finding(dir, 3 << 30, 2 << 30).status,
            Status::Warning,
            "under twice the store"
        );
    }

    #[test]
    fn certificate_names_match_exactly_or_by_one_label_wildcard() {
        assert!(name_matches(
            "moniravique.example.org",
            "moniravique.example.org"
        ));
        assert!(name_matches("*.example.org", "moniravique.example.org"));
        assert!(!name_matches("*.example.org", "a.b.example.org"));
        assert!(!name_matches(
            "other.example.org",
            "moniravique.example.org"
        ));
        assert!(name_matches("::1", "::1"));
        assert!(name_matches("127.0.0.1", "127.0.0.1"));
        assert!(!name_matches("127.0.0.1", "127.0.0.2"));
    }
}
