//! `moniravique-server`: the central server's binary. Plain argument
//! parsing; each command is documented in `crates/server/README.md` and in
//! [`USAGE`]. Errors go to stderr with paths and codes, never personal data.

use anyhow::{anyhow, bail, Context};
use server::config::Config;
use server::helloasso::HelloAsso;
use server::mail::{self, Mailer};
use server::{admin, devices, doctor, keys, AppState, Tls};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

const USAGE: &str = "usage: moniravique-server COMMAND [OPTIONS]

  init --data-dir DIR --key-file PATH
      create a new store key in PATH (mode 0600) and an empty store DIR/server.db;
      refuses to overwrite either
  seed-demo --data-dir DIR
      fill an empty store with the fictional demo dataset
  add-staff --data-dir DIR --username U --display-name D --role ROLE
      create a staff account; the password is read from stdin (one line);
      ROLE is trainer, external_trainer, administrator, support or dpo
  register-device --data-dir DIR --username U --label L [--token-days N]
      pre-provision a device for a staff account; prints its id and token once
  enrolment-code --data-dir DIR --username U [--server-url https://HOST:PORT] [--cert cert.pem]
                 [--hours 72] [--out FILE]
      make a one-time code that connects a new laptop to U's account (the server's address,
      its certificate's SHA-256 and a secret); prints it (and writes it to FILE, mode 0600);
      the address and certificate default to public_url and cert of the config file
  revoke-device --data-dir DIR --device ID
      revoke a device and its tokens for ever (its laptop wipes itself)
  list-devices --data-dir DIR
      list the registered devices
  backup --data-dir DIR --out FILE
      write an encrypted copy of the store (same key), verified; never overwrites
  self-signed-cert --out-dir DIR [--host NAME]...
      write cert.pem and key.pem (0600) for localhost, 127.0.0.1, ::1 (and NAME)
      and print the certificate's SHA-256 fingerprint
  serve --data-dir DIR --cert cert.pem --key key.pem [--addr 127.0.0.1:8443] [--token-days N]
        [SMTP OPTIONS] [--smtp-interval-secs 60]
      serve HTTPS (TLS 1.3) only; prints `listening on https://ADDR:PORT`; with
      --smtp-host, sends the queued messages every --smtp-interval-secs seconds
  deliver-mail --data-dir DIR SMTP OPTIONS
      send the queued messages that are due now, once, and print the counts
  helloasso-reconcile --data-dir DIR --config server.toml
      list HelloAsso's recent payments once, record them, and print the counts
      (needs [helloasso] and the credential helloasso-client-secret)
  doctor --data-dir DIR --cert cert.pem --key key.pem
      check the installation (key, store, integrity, audit chain, certificate,
      disk space, permissions): one line per check, ok / warning / PROBLEM;
      exits 0 only when every check is ok
  restore --backup FILE --data-dir NEWDIR
      restore a backup (same key) into a new data directory; every laptop then
      signs in again (401 server_restored) and keeps its pending changes
  statistics --data-dir DIR [--month YYYY-MM]
      release a month's statistics (default: the previous month; serve does it hourly)
  intake-secret
      print a new random secret (whsec_...) for the website's signed intake: give it
      to the website and add it as a line of the intake secrets file, then restart

SMTP OPTIONS: --smtp-host HOST --smtp-from ADDRESS [--smtp-tls starttls|tls|none]
  [--smtp-port N] [--smtp-username USER]. --smtp-tls defaults to starttls (port 587;
  tls: 465; none: 25, allowed only for a relay on localhost/127.0.0.0/8/::1). The
  password is read from the environment variable MONIRAVIQUE_SMTP_PASSWORD only.

Every command also takes --config PATH (or the environment variable
MONIRAVIQUE_SERVER_CONFIG): a TOML file with data_dir, key_file, cert, key, addr,
token_days, public_url, an [smtp] table (host, port, tls, from, username,
interval_secs), an [intake] table (secrets_file) and a [helloasso] table
(organization_slug, client_id, api_url, oauth_url, poll_minutes, ca_file,
form_slugs); flags override it. See crates/server/dist/server.toml. With
[helloasso], serve takes HelloAsso's notifications and reconciles every
poll_minutes.

Every command that opens the store takes the key from --key-file PATH (64 hex
characters, mode 0600), else from the environment variable MONIRAVIQUE_SERVER_KEY,
else from the systemd credential $CREDENTIALS_DIRECTORY/store-key.
Logs go to stderr, one line per event, level first (<N> priorities under
journald); MONIRAVIQUE_LOG sets their filter (default: info).";

/// Options a command accepts; `--key-file` is added to every command that opens the store.
fn allowed(command: &str) -> Option<&'static [&'static str]> {
    Some(match command {
        "init" => &["--data-dir", "--key-file"],
        "seed-demo" | "list-devices" => &["--data-dir", "--key-file"],
        "add-staff" => &[
            "--data-dir",
            "--key-file",
            "--username",
            "--display-name",
            "--role",
        ],
        "register-device" => &[
            "--data-dir",
            "--key-file",
            "--username",
            "--label",
            "--token-days",
        ],
        "revoke-device" => &["--data-dir", "--key-file", "--device"],
        "enrolment-code" => &[
            "--data-dir",
            "--key-file",
            "--username",
            "--server-url",
            "--cert",
            "--hours",
            "--out",
        ],
        "backup" => &["--data-dir", "--key-file", "--out"],
        "self-signed-cert" => &["--out-dir", "--host"],
        "serve" => &[
            "--data-dir",
            "--key-file",
            "--cert",
            "--key",
            "--addr",
            "--token-days",
            "--smtp-host",
            "--smtp-port",
            "--smtp-tls",
            "--smtp-from",
            "--smtp-username",
            "--smtp-interval-secs",
        ],
        "deliver-mail" => &[
            "--data-dir",
            "--key-file",
            "--smtp-host",
            "--smtp-port",
            "--smtp-tls",
            "--smtp-from",
            "--smtp-username",
        ],
        "doctor" => &["--data-dir", "--key-file", "--cert", "--key"],
        "helloasso-reconcile" => &["--data-dir", "--key-file"],
        "restore" => &["--backup", "--data-dir", "--key-file"],
        "intake-secret" => &[],
        "statistics" => &["--data-dir", "--key-file", "--month"],
        _ => return None,
    })
}

struct Options {
    command: String,
    values: BTreeMap<&'static str, Vec<String>>,
    /// The flags' settings; after [`Options::load_config`], merged over
    /// the config file's.
    config: Config,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let command = args.next().ok_or("a command is needed")?;
        let flags = allowed(&command).ok_or_else(|| format!("unknown command {command}"))?;
        let mut values: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        while let Some(arg) = args.next() {
            let flag = flags
                .iter()
                .chain(&["--config"])
                .find(|flag| **flag == arg)
                .ok_or_else(|| format!("{command} does not take {arg}"))?;
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let slot = values.entry(flag).or_default();
            if !slot.is_empty() && *flag != "--host" {
                return Err(format!("{flag} is given twice"));
            }
            slot.push(value);
        }
        let config =
            Config::from_flags(|flag| values.get(flag).and_then(|v| v.first()).map(String::as_str))
                .map_err(|error| error.to_string())?;
        Ok(Options {
            command,
            values,
            config,
        })
    }

    /// Reads the config file of `--config` (else `MONIRAVIQUE_SERVER_CONFIG`)
    /// and puts the flags over it.
    fn load_config(&mut self) -> anyhow::Result<()> {
        let file = Config::load(self.get("--config").map(Path::new))?;
        self.config = file.overridden_by(std::mem::take(&mut self.config));
        Ok(())
    }

    fn get(&self, flag: &str) -> Option<&str> {
        self.values
            .get(flag)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    fn required(&self, flag: &str) -> anyhow::Result<&str> {
        self.get(flag)
            .ok_or_else(|| anyhow!("{} needs {flag}", self.command))
    }

    fn path(&self, flag: &str) -> anyhow::Result<PathBuf> {
        self.required(flag).map(PathBuf::from)
    }

    fn data_dir(&self) -> anyhow::Result<PathBuf> {
        Ok(self.config.data_dir()?.to_owned())
    }

    fn setting(&self, value: &Option<PathBuf>, flag: &str, key: &str) -> anyhow::Result<PathBuf> {
        value.clone().ok_or_else(|| {
            anyhow!(
                "{} needs {flag} (or {key} in the config file)",
                self.command
            )
        })
    }

    fn mailer(&self) -> anyhow::Result<Option<Mailer>> {
        Ok(self.config.smtp.mailer()?)
    }

    fn key(&self) -> anyhow::Result<store::StoreKey> {
        Ok(keys::load(self.config.key_file.as_deref())?)
    }

    fn open_store(&self) -> anyhow::Result<(store::Store, store::StoreKey)> {
        let key = self.key()?;
        let store = admin::open_existing(&self.data_dir()?, &key)?;
        Ok((store, key))
    }
}

fn main() -> ExitCode {
    // A panic's payload may quote data: only its location is printed (POL-22).
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("moniravique-server: internal error at {place}");
    }));
    let mut args = std::env::args().skip(1).peekable();
    if matches!(
        args.peek().map(String::as_str),
        None | Some("--help" | "-h" | "help")
    ) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("moniravique-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut options = options;
    if let Err(error) = options.load_config() {
        eprintln!("moniravique-server: {error:#}");
        return ExitCode::from(2);
    }
    server::logging::init();
    if options.command == "doctor" {
        return doctor(&options);
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("moniravique-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `doctor`: one line per check on stdout; 0 only when all are ok.
fn doctor(options: &Options) -> ExitCode {
    let findings = doctor::check(
        &options.config,
        doctor::KeyEnvironment::current(),
        chrono::Utc::now(),
    );
    for finding in &findings {
        println!("{finding}");
    }
    if doctor::all_ok(&findings) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run(options: &Options) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match options.command.as_str() {
        "init" => {
            let key_file = options.setting(&options.config.key_file, "--key-file", "key_file")?;
            let path = admin::init(&options.data_dir()?, &key_file)?;
            println!(
                "store created at {}; its key is in {} (mode 0600): keep it apart from the data and its backups",
                path.display(),
                key_file.display()
            );
        }
        "seed-demo" => {
            let (mut store, _) = options.open_store()?;
            let summary = admin::seed_demo(&mut store, now)?;
            println!(
                "demo data created: {} participants, {} groups, {} staff accounts",
                summary.participants,
                summary.groups,
                store::seed::DEMO_ACCOUNTS.len()
            );
        }
        "add-staff" => {
            let username = options.required("--username")?;
            let display_name = options.required("--display-name")?;
            let role = options.required("--role")?;
            let (mut store, _) = options.open_store()?;
            let password = read_password()?;
            let id = admin::add_staff(&mut store, username, display_name, role, &password, now)?;
            println!("staff account created: {}", id.as_str());
        }
        "register-device" => {
            let username = options.required("--username")?;
            let label = options.required("--label")?;
            let token_days = options.config.token_days();
            let (mut store, _) = options.open_store()?;
            let (device, issued) =
                devices::provision(&mut store, username, label, token_days, now)?;
            println!("device {}", device.as_str());
            println!("token {}", issued.token.as_str());
            println!("expires {}", issued.expires_at.to_rfc3339());
            eprintln!("the token is shown once; the server keeps only its hash");
            tracing::info!(device = %device.as_str(), "device provisioned");
        }
        "enrolment-code" => enrolment_code(options, now)?,
        "revoke-device" => {
            let device = options.required("--device")?;
            let (mut store, _) = options.open_store()?;
            devices::revoke(&mut store, device, now)?;
            println!("device {} revoked", device.trim());
            tracing::info!(device = %device.trim(), "device revoked");
        }
        "list-devices" => {
            let (mut store, _) = options.open_store()?;
            let list = devices::list(&mut store, now)?;
            println!("id\tstatus\tstaff\tlabel\tregistered\ttoken expires");
            for device in list {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    device.id,
                    if device.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    },
                    device.username.as_deref().unwrap_or(&device.staff_id),
                    device.label,
                    device.registered_at.to_rfc3339(),
                    device
                        .token_expires_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "-".into()),
                );
            }
        }
        "backup" => {
            let out = options.path("--out")?;
            let (mut store, key) = options.open_store()?;
            admin::backup(&mut store, &key, &out)?;
            println!(
                "backup written to {} (encrypted with the store key, verified)",
                out.display()
            );
        }
        "self-signed-cert" => {
            let hosts: Vec<String> = options.values.get("--host").cloned().unwrap_or_default();
            let generated = server::tls::write_self_signed(&options.path("--out-dir")?, &hosts)?;
            println!("certificate {}", generated.cert_path.display());
            println!("private key {} (mode 0600)", generated.key_path.display());
            println!("sha256 fingerprint {}", generated.fingerprint);
        }
        "restore" => {
            let backup = options.path("--backup")?;
            let data_dir = options.data_dir()?;
            let key = options.key()?;
            let restored = admin::restore(&backup, &data_dir, &key, now)?;
            println!(
                "store restored to {} (verified); {} device tokens revoked: every laptop signs in again and keeps its pending changes",
                restored.path.display(),
                restored.tokens_revoked
            );
            tracing::info!(
                tokens_revoked = restored.tokens_revoked,
                "store restored from a backup"
            );
        }
        "serve" => serve(options)?,
        "intake-secret" => {
            println!("{}", server::intake::secrets::new_secret().as_str());
            eprintln!("shown once: give it to the website and add it to the intake secrets file");
        }
        "deliver-mail" => deliver_mail(options)?,
        "statistics" => println!(
            "{}",
            server::statistics::command(&mut options.open_store()?.0, options.get("--month"), now)?
        ),
        "helloasso-reconcile" => {
            let helloasso =
                HelloAsso::from_environment(&options.config.helloasso)?.ok_or_else(|| {
                    anyhow!("helloasso-reconcile needs [helloasso] in the config file")
                })?;
            let store = Mutex::new(options.open_store()?.0);
            let report = server::helloasso::reconcile::reconcile_once(&store, &helloasso, now)
                .map_err(|error| anyhow!("{error} [{}]", error.code()))?;
            println!(
                "listed {}, matched {}, unmatched {}, skipped {}",
                report.listed, report.matched, report.unmatched, report.skipped
            );
        }
        other => bail!("unknown command {other}"),
    }
    Ok(())
}

/// `enrolment-code`: a code for a new laptop (issue 14).
fn enrolment_code(options: &Options, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    let username = options.required("--username")?;
    // The address laptops use and the certificate they will see: from the
    // flags, else from the config file (`public_url`, `cert`).
    let url = match options.get("--server-url") {
        Some(url) => url.to_owned(),
        None => options.config.public_url.clone().ok_or_else(|| {
            anyhow!("enrolment-code needs --server-url (or public_url in the config file)")
        })?,
    };
    let url = url.as_str();
    let cert = options.setting(&options.config.cert, "--cert", "cert")?;
    let hours = match options.get("--hours") {
        None => domain::staff::DEFAULT_CODE_HOURS,
        Some(text) => match text.parse::<i64>() {
            Ok(h) if (1..=domain::staff::MAX_CODE_HOURS).contains(&h) => h,
            _ => bail!(
                "--hours must be a whole number from 1 to {}",
                domain::staff::MAX_CODE_HOURS
            ),
        },
    };
    let pem = std::fs::read(&cert)
        .with_context(|| format!("cannot read the certificate {}", cert.display()))?;
    let fingerprint = sync::enrol::fingerprint_of_pem(&pem)
        .ok_or_else(|| anyhow!("{} holds no PEM certificate", cert.display()))?;
    let (mut store, _) = options.open_store()?;
    let (code, expires) =
        server::enrolment::issue(&mut store, username, url, fingerprint, hours, now)?;
    let text = code.encode();
    if let Some(out) = options.get("--out") {
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(out)
            .with_context(|| format!("cannot create {out} (it must not exist yet)"))?;
        writeln!(file, "{}", text.as_str())?;
    }
    println!("{}", text.as_str());
    eprintln!(
        "works once, until {}; server certificate sha256 {}",
        expires.to_rfc3339(),
        sync::enrol::fingerprint_text(&fingerprint)
    );
    Ok(())
}

/// Reads one line from stdin, without its line ending.
fn read_password() -> anyhow::Result<Zeroizing<String>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password for the new account (the input is visible; pipe it to hide it): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = Zeroizing::new(String::new());
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
    if trimmed.is_empty() {
        bail!("no password on stdin");
    }
    Ok(trimmed)
}

/// The operator's one-shot delivery: every message due now is tried once.
fn deliver_mail(options: &Options) -> anyhow::Result<()> {
    let mailer = options
        .mailer()?
        .ok_or_else(|| anyhow!("deliver-mail needs --smtp-host"))?;
    let _delivery = mail::delivery_lock(&options.data_dir()?)
        .map_err(|error| anyhow!("{error} [{}]", error.code()))?;
    let (store, key) = options.open_store()?;
    drop(key);
    let store = Mutex::new(store);
    let report = mail::deliver_all(&store, &mailer, chrono::Utc::now(), 1000)
        .map_err(|error| anyhow!("{error} [{}]", error.code()))?;
    println!(
        "sent {}, failed {}, cancelled {}, deferred {}",
        report.sent, report.failed, report.cancelled, report.deferred
    );
    if let Ok(mut store) = store.lock() {
        store.checkpoint()?;
    }
    Ok(())
}

/// Runs a delivery round every `every` (the first at once) on the blocking
/// pool; the round takes the store lock only to read and to record.
async fn delivery_loop(store: Arc<Mutex<store::Store>>, mailer: Mailer, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let store = Arc::clone(&store);
        let mailer = mailer.clone();
        let round = tokio::task::spawn_blocking(move || {
            mail::deliver_once(&store, &mailer, chrono::Utc::now())
        })
        .await;
        match round {
            Ok(Ok(report)) if report == mail::Report::default() => {}
            Ok(Ok(report)) => tracing::info!(
                sent = report.sent,
                failed = report.failed,
                cancelled = report.cancelled,
                deferred = report.deferred,
                "mail round"
            ),
            Ok(Err(error)) => tracing::warn!(code = error.code(), "mail round failed"),
            Err(_) => tracing::error!(code = "panic", "a mail round panicked"),
        }
    }
}

fn serve(options: &Options) -> anyhow::Result<()> {
    let token_days = options.config.token_days();
    let mailer = options.mailer()?;
    let helloasso = HelloAsso::from_environment(&options.config.helloasso)?;
    let interval = options.config.smtp.interval();
    let addr = options.config.addr();
    let tls = Tls::from_pem_files(
        &options.setting(&options.config.cert, "--cert", "cert")?,
        &options.setting(&options.config.key, "--key", "key")?,
    )?;
    // Held while serving: a `deliver-mail` meanwhile is refused (one sender).
    let _delivery = match &mailer {
        Some(_) => Some(
            mail::delivery_lock(&options.data_dir()?)
                .map_err(|error| anyhow!("{error} [{}]", error.code()))?,
        ),
        None => None,
    };
    let (store, key) = options.open_store()?;
    drop(key);
    let _checkpointer = store.start_checkpointer(Duration::from_secs(5));
    let store = Arc::new(Mutex::new(store));
    // The website's intake secrets (never logged): none means 503.
    let intake = server::intake::secrets::load(&options.config)?;
    tracing::info!(secrets = intake.len(), "website intake");
    let state = AppState::shared(Arc::clone(&store), token_days)
        .with_intake(intake)
        .with_helloasso(helloasso.clone());
    let listener =
        std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    println!("listening on https://{local}");
    std::io::stdout()
        .flush()
        .context("cannot write to stdout")?;
    tracing::info!(addr = %local, "listening");
    match mailer {
        Some(mailer) => {
            tracing::info!(
                tls = ?mailer.tls(),
                port = mailer.port(),
                every_secs = interval.as_secs(),
                "mail delivery on"
            );
            runtime.spawn(delivery_loop(Arc::clone(&store), mailer, interval));
        }
        None => tracing::info!("mail delivery off (no --smtp-host)"),
    }
    if let Some(helloasso) = helloasso {
        tracing::info!(
            every_secs = helloasso.poll_every().as_secs(),
            "helloasso on"
        );
        runtime.spawn(server::helloasso::reconcile::run_loop(
            Arc::clone(&store),
            helloasso,
        ));
    }
    runtime.spawn(server::statistics::run_loop(Arc::clone(&store)));
    let served = runtime.block_on(server::serve_until(listener, tls, state, shutdown_signal()));
    tracing::info!("stopped");
    // A mail round in flight ends within the SMTP timeout.
    runtime.shutdown_timeout(mail::SMTP_TIMEOUT + Duration::from_secs(5));
    if let Ok(mut store) = store.lock() {
        if let Err(error) = store.checkpoint() {
            tracing::warn!(code = %error.code(), "final checkpoint failed");
        }
    }
    Ok(served?)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Options, String> {
        Options::parse(words.iter().map(|w| (*w).to_owned()))
    }

    #[test]
    fn options_are_checked_per_command() {
        let options = parse(&["serve", "--data-dir", "/d", "--addr", "127.0.0.1:0"]).unwrap();
        assert_eq!(options.get("--addr"), Some("127.0.0.1:0"));
        assert!(
            parse(&["serve", "--out", "x"]).is_err(),
            "not an option of serve"
        );
        assert!(parse(&["wipe"]).is_err(), "unknown command");
        assert!(parse(&["backup", "--out"]).is_err(), "missing value");
        assert!(
            parse(&["backup", "--out", "a", "--out", "b"]).is_err(),
            "given twice"
        );
        let hosts = parse(&["self-signed-cert", "--host", "a", "--host", "b"]).unwrap();
        assert_eq!(hosts.values["--host"], ["a", "b"]);
    }

    #[test]
    fn smtp_options_belong_to_serve_and_deliver_mail() {
        let serve = parse(&[
            "serve",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            "2525",
            "--smtp-tls",
            "none",
            "--smtp-from",
            "moniravique <ne-pas-repondre@example.org>",
            "--smtp-interval-secs",
            "5",
        ])
        .unwrap();
        let mailer = serve.mailer().unwrap().expect("a mailer");
        assert_eq!(
            (mailer.port(), mailer.tls()),
            (2525, server::mail::TlsMode::None)
        );
        assert_eq!(serve.config.smtp.interval(), Duration::from_secs(5));
        assert!(parse(&["deliver-mail", "--smtp-host", "h", "--smtp-username", "u"]).is_ok());
        assert!(
            parse(&["deliver-mail", "--smtp-interval-secs", "5"]).is_err(),
            "one-shot: no interval"
        );
        assert!(
            parse(&["deliver-mail", "--smtp-password", "x"]).is_err(),
            "the password is never an argument"
        );
        assert!(parse(&["backup", "--smtp-host", "h"]).is_err());
    }

    #[test]
    fn smtp_options_are_checked() {
        let mailer = |words: &[&str]| parse(words).unwrap().mailer();
        assert!(mailer(&["serve"]).unwrap().is_none(), "delivery off");
        assert!(
            mailer(&["serve", "--smtp-from", "a@example.org"]).is_err(),
            "--smtp-from without --smtp-host"
        );
        assert!(
            mailer(&["serve", "--smtp-host", "127.0.0.1"]).is_err(),
            "no From"
        );
        let with = |flag: &str, value: &str| {
            parse(&[
                "serve",
                "--smtp-host",
                "smtp.example.org",
                "--smtp-from",
                "a@example.org",
                flag,
                value,
            ])
            .and_then(|options| options.mailer().map_err(|e| e.to_string()))
        };
        assert!(
            with("--smtp-tls", "none").is_err(),
            "clear text off loopback"
        );
        assert!(with("--smtp-tls", "ssl").is_err());
        assert!(with("--smtp-port", "0").is_err());
        assert!(with("--smtp-port", "70000").is_err());
        assert_eq!(with("--smtp-tls", "tls").unwrap().unwrap().port(), 465);
        let interval = |secs: &str| {
            parse(&["serve", "--smtp-interval-secs", secs]).map(|o| o.config.smtp.interval())
        };
        assert_eq!(interval("60").unwrap(), Duration::from_secs(60));
        assert!(interval("0").is_err());
        assert!(interval("x").is_err());
        assert_eq!(
            parse(&["serve"]).unwrap().config.smtp.interval(),
            Duration::from_secs(60),
            "default"
        );
    }

    #[test]
    fn token_days_are_bounded() {
        let days = |d: &str| parse(&["serve", "--token-days", d]).map(|o| o.config.token_days());
        assert_eq!(days("7").unwrap(), 7);
        assert!(days("0").is_err());
        assert!(days("366").is_err());
        assert!(days("x").is_err());
    }

    #[test]
    fn every_command_takes_config() {
        for command in [
            "init",
            "serve",
            "backup",
            "doctor",
            "restore",
            "list-devices",
        ] {
            let options = parse(&[command, "--config", "/etc/moniravique/server.toml"]).unwrap();
            assert_eq!(
                options.get("--config"),
                Some("/etc/moniravique/server.toml")
            );
        }
        assert!(parse(&["restore", "--backup", "b", "--data-dir", "d"]).is_ok());
        assert!(parse(&["doctor", "--out", "x"]).is_err());
    }
}
