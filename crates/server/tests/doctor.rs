//! Issue 14 (the server as an operator runs it): `doctor`, the config file
//! and the systemd credential, through the library and the real binary.

use chrono::{Datelike, Duration, Utc};
use server::config::Config;
use server::doctor::{self, Finding, KeyEnvironment, Status};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("MONIRAVIQUE_SERVER_KEY")
        .env_remove("MONIRAVIQUE_SERVER_CONFIG")
        .env_remove("CREDENTIALS_DIRECTORY")
        .envs(env.iter().copied())
        .output()
        .expect("the server binary runs")
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A certificate for `names`, valid from `days_from` to `days_to` days from
/// now, signed by `key` (a new one if `None`), written as PEM into `dir`.
fn certificate(
    dir: &Path,
    names: &[&str],
    days_from: i64,
    days_to: i64,
    key: Option<&rcgen::KeyPair>,
) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .unwrap();
    let date = |days: i64| {
        let at = Utc::now() + Duration::days(days);
        rcgen::date_time_ymd(at.year(), at.month() as u8, at.day() as u8)
    };
    params.not_before = date(days_from);
    params.not_after = date(days_to);
    let generated;
    let key = match key {
        Some(key) => key,
        None => {
            generated = rcgen::KeyPair::generate().unwrap();
            &generated
        }
    };
    let cert = params.self_signed(key).unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    chmod(&key_path, 0o600);
    (cert_path, key_path)
}

/// A good installation: `init`ed store, key file 0600, data dir 0700, a
/// certificate for localhost valid a year, public_url on localhost.
struct Install {
    dir: tempfile::TempDir,
    config: Config,
}

impl Install {
    fn new() -> Install {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let key_file = dir.path().join("store.key");
        ok(&run(
            &[
                "init",
                "--data-dir",
                data_dir.to_str().unwrap(),
                "--key-file",
                key_file.to_str().unwrap(),
            ],
            &[],
        ));
        let (cert, key) = certificate(&dir.path().join("tls"), &["localhost"], -1, 365, None);
        let config = Config {
            data_dir: Some(data_dir),
            key_file: Some(key_file),
            cert: Some(cert),
            key: Some(key),
            public_url: Some("https://localhost:8443".into()),
            ..Config::default()
        };
        Install { dir, config }
    }

    fn check(&self) -> Vec<Finding> {
        doctor::check(&self.config, KeyEnvironment::default(), Utc::now())
    }

    fn write_config(&self) -> PathBuf {
        let c = &self.config;
        let path = self.dir.path().join("server.toml");
        let text = format!(
            "data_dir = {:?}\nkey_file = {:?}\ncert = {:?}\nkey = {:?}\npublic_url = {:?}\n",
            c.data_dir.as_ref().unwrap(),
            c.key_file.as_ref().unwrap(),
            c.cert.as_ref().unwrap(),
            c.key.as_ref().unwrap(),
            c.public_url.as_ref().unwrap(),
        );
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn problems(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.status == Status::Problem)
        .collect()
}

/// The one PROBLEM line of `check`, which must contain `needle`.
fn the_problem<'a>(findings: &'a [Finding], check: &str, needle: &str) -> &'a Finding {
    let found = problems(findings);
    let line = found
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no PROBLEM on {check}: {findings:#?}"));
    let text = line.to_string();
    assert!(text.starts_with("PROBLEM"), "{text}");
    assert!(text.contains(needle), "{text}");
    line
}

#[test]
fn issue_14_doctor_passes_a_good_installation() {
    let install = Install::new();
    let findings = install.check();
    let checks: Vec<&str> = findings.iter().map(|f| f.check).collect();
    assert_eq!(
        checks,
        [
            "data directory",
            "store key",
            "store",
            "integrity",
            "audit chain",
            "statistics",
            "certificate",
            "certificate names",
            "tls key",
            "helloasso",
            "disk space",
            "intake secrets"
        ]
    );
    for finding in &findings {
        // Free space depends on the machine: it may only warn.
        if finding.check == "disk space" {
            assert_ne!(finding.status, Status::Problem, "{finding}");
        } else {
            assert_eq!(finding.status, Status::Ok, "{finding}");
        }
    }
    // The binary with --config: one line per check, exit 0 when all ok.
    let config = install.write_config();
    let output = run(&["doctor", "--config", config.to_str().unwrap()], &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 12, "{stdout}");
    if doctor::all_ok(&findings) {
        ok(&output);
        assert!(stdout.lines().all(|l| l.starts_with("ok ")), "{stdout}");
    }
}

#[test]
fn issue_14_doctor_refuses_a_key_file_others_may_read_and_exits_1() {
    let install = Install::new();
    let key_file = install.config.key_file.clone().unwrap();
    chmod(&key_file, 0o644);
    let findings = install.check();
    the_problem(&findings, "store key", "chmod 600");
    the_problem(&findings, "store", "fix the store key first");
    let config = install.write_config();
    let output = run(&["doctor", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("PROBLEM store key"));
}

#[test]
fn issue_14_doctor_tells_a_wrong_key_from_a_damaged_store_and_plain_sqlite() {
    let install = Install::new();
    // Wrong key.
    let other = install.dir.path().join("other.key");
    server::keys::create_file(&other).unwrap();
    let wrong = Config {
        key_file: Some(other),
        ..install.config.clone()
    };
    let findings = doctor::check(&wrong, KeyEnvironment::default(), Utc::now());
    the_problem(&findings, "store", "[wrong_key]");
    assert_eq!(problems(&findings).len(), 1, "{findings:#?}");

    // Damaged: the last page overwritten (page 1, the key check, intact).
    let db = server::admin::store_path(install.config.data_dir.as_ref().unwrap());
    let _ = std::fs::remove_file(db.with_extension("db-shm"));
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() >= 4 * 4096, "a store of several pages");
    let len = bytes.len();
    for byte in &mut bytes[len - 3000..len - 100] {
        *byte ^= 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    let findings = install.check();
    let damaged = problems(&findings);
    assert_eq!(damaged.len(), 1, "{findings:#?}");
    assert!(
        damaged[0].check == "integrity" || damaged[0].check == "store",
        "{findings:#?}"
    );
    assert!(damaged[0].message.contains("[corrupted]"), "{}", damaged[0]);
    assert!(damaged[0].message.contains("restore"), "{}", damaged[0]);

    // Plain SQLite in its place.
    std::fs::write(&db, b"SQLite format 3\0and more bytes after the header").unwrap();
    let findings = install.check();
    the_problem(&findings, "store", "[not_encrypted]");
}

#[test]
fn issue_14_doctor_reports_a_missing_or_open_data_directory() {
    let install = Install::new();
    let missing = Config {
        data_dir: Some(install.dir.path().join("nowhere")),
        ..install.config.clone()
    };
    let findings = doctor::check(&missing, KeyEnvironment::default(), Utc::now());
    the_problem(&findings, "data directory", "nowhere");
    the_problem(&findings, "store", "fix the data directory first");
    let data_dir = install.config.data_dir.clone().unwrap();
    chmod(&data_dir, 0o755);
    the_problem(&install.check(), "data directory", "chmod 700");
}

#[test]
fn issue_14_doctor_checks_the_certificate_dates_names_and_key() {
    let install = Install::new();
    let tls = install.dir.path().join("tls2");
    let with = |cert: PathBuf, key: PathBuf| Config {
        cert: Some(cert),
        key: Some(key),
        ..install.config.clone()
    };
    let check = |config: &Config| doctor::check(config, KeyEnvironment::default(), Utc::now());

    let (cert, key) = certificate(&tls.join("expired"), &["localhost"], -400, -10, None);
    let findings = check(&with(cert, key));
    the_problem(&findings, "certificate", "expired");
    assert_eq!(problems(&findings).len(), 1, "{findings:#?}");

    let (cert, key) = certificate(&tls.join("soon"), &["localhost"], -300, 10, None);
    let findings = check(&with(cert, key));
    let soon = findings.iter().find(|f| f.check == "certificate").unwrap();
    assert_eq!(soon.status, Status::Warning, "{soon}");
    assert!(soon.message.contains("renew"), "{soon}");
    assert!(!doctor::all_ok(&findings), "a warning is not all ok");

    let (cert, key) = certificate(&tls.join("other"), &["other.example.org"], -1, 365, None);
    let findings = check(&with(cert, key));
    the_problem(&findings, "certificate names", "other.example.org");
    the_problem(&findings, "certificate names", "--host localhost");
    assert_eq!(problems(&findings).len(), 1, "{findings:#?}");

    let (cert, _) = certificate(&tls.join("a"), &["localhost"], -1, 365, None);
    let (_, other_key) = certificate(&tls.join("b"), &["localhost"], -1, 365, None);
    let findings = check(&with(cert, other_key));
    the_problem(&findings, "tls key", "does not belong to the certificate");
    assert_eq!(problems(&findings).len(), 1, "{findings:#?}");
}

#[test]
fn issue_14_a_config_file_alone_works_and_a_flag_overrides_it() {
    let install = Install::new();
    let config = install.write_config();
    let listed = run(&["list-devices", "--config", config.to_str().unwrap()], &[]);
    ok(&listed);
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("id\tstatus"));
    // The environment variable names the file too.
    ok(&run(
        &["list-devices"],
        &[("MONIRAVIQUE_SERVER_CONFIG", config.to_str().unwrap())],
    ));
    // A flag wins over the file: a data directory without a store is refused.
    let empty = install.dir.path().join("empty");
    let overridden = run(
        &[
            "list-devices",
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            empty.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!overridden.status.success());
    let stderr = String::from_utf8_lossy(&overridden.stderr);
    assert!(
        stderr.contains("empty") && stderr.contains("init"),
        "{stderr}"
    );

    // An unknown key and a bad value are refused, naming them and the line.
    let bad = install.dir.path().join("bad.toml");
    std::fs::write(&bad, "data_dir = \"/d\"\ndata_dri = \"/e\"\n").unwrap();
    let refused = run(&["list-devices", "--config", bad.to_str().unwrap()], &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("data_dri") && stderr.contains("line 2"),
        "{stderr}"
    );
    std::fs::write(&bad, "data_dir = \"/d\"\n\ntoken_days = 400\n").unwrap();
    let refused = run(&["serve", "--config", bad.to_str().unwrap()], &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("token_days") && stderr.contains("line 3"),
        "{stderr}"
    );
}

#[test]
fn pol_19_the_store_key_comes_from_the_systemd_credential() {
    let install = Install::new();
    let credentials = install.dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    let credential = credentials.join("store-key");
    std::fs::copy(install.config.key_file.as_ref().unwrap(), &credential).unwrap();
    chmod(&credential, 0o400);
    chmod(&credentials, 0o500);
    let data_dir = install.config.data_dir.as_ref().unwrap().to_str().unwrap();
    let env = [("CREDENTIALS_DIRECTORY", credentials.to_str().unwrap())];
    ok(&run(&["list-devices", "--data-dir", data_dir], &env));
    let without = run(&["list-devices", "--data-dir", data_dir], &[]);
    assert!(!without.status.success());
    assert!(String::from_utf8_lossy(&without.stderr).contains("LoadCredential"));
    // doctor names where the key came from.
    let config = Config {
        key_file: None,
        ..install.config.clone()
    };
    let findings = doctor::check(
        &config,
        KeyEnvironment {
            from_env: None,
            credentials_dir: Some(credentials.clone()),
        },
        Utc::now(),
    );
    let key = findings.iter().find(|f| f.check == "store key").unwrap();
    assert_eq!(key.status, Status::Ok, "{key}");
    assert!(key.message.contains("systemd credential"), "{key}");
    chmod(&credentials, 0o700);
}
