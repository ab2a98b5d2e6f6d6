//! Test harness (cargo feature `testing`): runs the real `moniravique-server`
//! binary on loopback in a temporary directory, with its own self-signed
//! certificate, and gives a `ureq` client that trusts exactly that
//! certificate. Used by this crate's tests and by the sync integration tests.
//!
//! ```no_run
//! use server::testing::TestServer;
//! let server = TestServer::start(true); // demo data seeded
//! let (status, body) = server.get("/v1/health", None);
//! assert_eq!(status, 200);
//! # let _ = body;
//! ```
//!
//! The binary is found through `MONIRAVIQUE_SERVER_BIN`, else next to the
//! running test executable (`target/<profile>/moniravique-server`); from
//! another crate, build it first (`cargo build -p server`) or run both
//! crates' tests together. Panics on any set-up failure: test code only.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;
use sync::wire::{DeviceRegistered, RegisterDevice, PROTOCOL};

/// Environment variable naming the server binary for [`TestServer::start`].
pub const BIN_ENV: &str = "MONIRAVIQUE_SERVER_BIN";

/// A running server process over its own temporary directory: `tls/`
/// (cert.pem, key.pem), `data/server.db`, `server.key` (the store key) and
/// `server.log` (its stderr, for leak checks). Dropping it kills the process.
pub struct TestServer {
    /// `https://127.0.0.1:PORT`
    pub url: String,
    pub cert_pem_path: PathBuf,
    pub data_dir: PathBuf,
    pub key_file: PathBuf,
    pub log_file: PathBuf,
    pub binary: PathBuf,
    /// Extra arguments given to `serve` (e.g. `--token-days`).
    pub serve_args: Vec<String>,
    /// Environment variables of `serve` and of [`TestServer::admin`]'s
    /// commands (e.g. `CREDENTIALS_DIRECTORY`).
    pub env: Vec<(String, String)>,
    child: Option<Child>,
    port: u16,
    agent: ureq::Agent,
    dir: tempfile::TempDir,
}

/// The server binary: `MONIRAVIQUE_SERVER_BIN`, else `moniravique-server`
/// in the target directory of the running test executable.
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os(BIN_ENV) {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    // target/<profile>/deps/<test> -> target/<profile>/moniravique-server
    let candidate = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("moniravique-server"))
        .expect("a target directory");
    assert!(
        candidate.exists(),
        "{} not found: run `cargo build -p server` first or set {BIN_ENV}",
        candidate.display()
    );
    candidate
}

/// A client that trusts exactly the certificate(s) in `cert_pem` (no system
/// roots, no "accept invalid"), TLS 1.3, 30 s timeouts.
pub fn client_agent(cert_pem: &Path) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .tls_config(client_config(cert_pem))
        .timeout(Duration::from_secs(30))
        .build()
}

/// The rustls client configuration of [`client_agent`]: TLS 1.3, the
/// certificate(s) of `cert_pem` as the only roots.
pub fn client_config(cert_pem: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(cert_pem).expect("cert.pem readable") {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("a valid certificate");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// Status and JSON body of a response; a non-JSON body reads as `Null`.
pub fn read(result: Result<ureq::Response, ureq::Error>) -> (u16, serde_json::Value) {
    match result {
        Ok(response) => (response.status(), response.into_json().unwrap_or_default()),
        Err(ureq::Error::Status(status, response)) => {
            (status, response.into_json().unwrap_or_default())
        }
        Err(error) => panic!("transport error: {error}"),
    }
}

impl TestServer {
    /// Starts a server (binary from [`server_binary`]); `seed_demo` fills
    /// the store with the demo accounts of `store::seed::DEMO_ACCOUNTS`.
    pub fn start(seed_demo: bool) -> TestServer {
        Self::start_with(server_binary(), seed_demo, &[])
    }

    /// Starts `binary` with `serve_args` added to `serve`.
    pub fn start_with(
        binary: impl Into<PathBuf>,
        seed_demo: bool,
        serve_args: &[&str],
    ) -> TestServer {
        Self::start_with_env(binary, seed_demo, serve_args, &[])
    }

    /// [`TestServer::start_with`], `serve` and the admin commands running
    /// with `env` added to the environment.
    pub fn start_with_env(
        binary: impl Into<PathBuf>,
        seed_demo: bool,
        serve_args: &[&str],
        env: &[(&str, &str)],
    ) -> TestServer {
        let binary = binary.into();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().to_owned();
        let tls_dir = root.join("tls");
        let data_dir = root.join("data");
        let key_file = root.join("server.key");
        let run = |args: &[&str]| {
            let output = Command::new(&binary)
                .args(args)
                .output()
                .expect("the server binary runs");
            assert!(
                output.status.success(),
                "{args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        run(&["self-signed-cert", "--out-dir", path_str(&tls_dir)]);
        run(&[
            "init",
            "--data-dir",
            path_str(&data_dir),
            "--key-file",
            path_str(&key_file),
        ]);
        if seed_demo {
            run(&[
                "seed-demo",
                "--data-dir",
                path_str(&data_dir),
                "--key-file",
                path_str(&key_file),
            ]);
        }
        let cert_pem_path = tls_dir.join("cert.pem");
        let agent = client_agent(&cert_pem_path);
        let mut server = TestServer {
            url: String::new(),
            cert_pem_path,
            data_dir,
            key_file,
            log_file: root.join("server.log"),
            binary,
            serve_args: serve_args.iter().map(|s| (*s).to_owned()).collect(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            child: None,
            port: 0,
            agent,
            dir,
        };
        server.spawn(0).expect("the server starts");
        server
    }

    /// The temporary directory holding everything of this server.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A client trusting this server's certificate only.
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// Starts `serve` on `port` (0: any); reads the `listening on` line.
    fn spawn(&mut self, port: u16) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_file)
            .map_err(|e| e.to_string())?;
        let tls_dir = self.dir.path().join("tls");
        let addr = format!("127.0.0.1:{port}");
        let mut child = Command::new(&self.binary)
            .args([
                "serve",
                "--data-dir",
                path_str(&self.data_dir),
                "--key-file",
                path_str(&self.key_file),
                "--cert",
                path_str(&tls_dir.join("cert.pem")),
                "--key",
                path_str(&tls_dir.join("key.pem")),
                "--addr",
                &addr,
            ])
            .args(&self.serve_args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| e.to_string())?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let _ = sender.send(first);
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(line)) => line,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the server did not print its address".into());
            }
        };
        let url = line
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected first line: {line}"))?
            .to_owned();
        self.port = url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("no port in {url}"))?;
        self.url = url;
        self.child = Some(child);
        Ok(())
    }

    /// Kills the server with SIGKILL (no graceful shutdown) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server process (SIGSTOP) without closing its socket: the
    /// kernel still accepts connections into the listen backlog, and nothing
    /// ever answers them — a server that stalls. [`TestServer::thaw`] resumes it.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Resumes a frozen server (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("the server is running");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Kills the server if it runs, then starts it again on the same data,
    /// on the same port if it can be bound again (else on a new one: read
    /// [`TestServer::url`] afterwards).
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port;
        for _ in 0..50 {
            if self.spawn(port).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.spawn(0).expect("the server restarts");
    }

    /// Runs an admin command of the binary on this server's store
    /// (`--data-dir` and `--key-file` are added), with `stdin` as input.
    pub fn admin(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(&self.binary)
            .args(args)
            .args([
                "--data-dir",
                path_str(&self.data_dir),
                "--key-file",
                path_str(&self.key_file),
            ])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary runs");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("the admin command ends")
    }

    /// `GET path`, with a bearer token if given.
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut request = self.agent.get(&format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        read(request.call())
    }

    /// `POST path` with a JSON body, with a bearer token if given.
    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &impl Serialize,
    ) -> (u16, serde_json::Value) {
        let mut request = self.agent.post(&format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        read(request.send_json(body))
    }

    /// `POST path` with raw bytes as the body (content type JSON).
    pub fn post_bytes(
        &self,
        path: &str,
        token: Option<&str>,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .agent
            .post(&format!("{}{path}", self.url))
            .set("Content-Type", "application/json");
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        read(request.send_bytes(body))
    }

    /// Registers a device (new random id) for `username`: the token on
    /// success, else the status and error body.
    pub fn register(
        &self,
        username: &str,
        password: &str,
    ) -> Result<DeviceRegistered, (u16, serde_json::Value)> {
        self.register_device(username, password, &uuid::Uuid::now_v7().to_string())
    }

    /// Registers `device_id` for `username`.
    pub fn register_device(
        &self,
        username: &str,
        password: &str,
        device_id: &str,
    ) -> Result<DeviceRegistered, (u16, serde_json::Value)> {
        let request = RegisterDevice {
            protocol: PROTOCOL,
            username: username.to_owned(),
            password: password.to_owned(),
            device_id: device_id.to_owned(),
            label: "test laptop".to_owned(),
        };
        match self.post("/v1/devices/register", None, &request) {
            (200, body) => Ok(serde_json::from_value(body).expect("a DeviceRegistered body")),
            other => Err(other),
        }
    }

    /// A fresh laptop store (in `dir`) registered for `username` with
    /// `role`, after one sync round against this server: what a laptop
    /// holds once it has synced. Answers the store and the laptop's actor.
    pub fn synced_laptop(
        &self,
        dir: &Path,
        username: &str,
        password: &str,
        role: domain::Role,
    ) -> (store::Store, domain::Actor) {
        let mut laptop = store::open(&dir.join("laptop.db"), &store::StoreKey::random(), true)
            .expect("a laptop store");
        let device = laptop.device().as_str().to_owned();
        let registered = self
            .register_device(username, password, &device)
            .expect("the laptop registers");
        let actor = domain::Actor::new(
            domain::StaffId(registered.staff.id.clone()),
            role,
            domain::DeviceId(device),
        );
        let mut transport = sync::http::Https {
            agent: sync::http::agent(&std::fs::read(&self.cert_pem_path).expect("the certificate"))
                .expect("an HTTPS agent"),
            base_url: self.url.clone(),
            token: registered.token,
        };
        sync::client::round(
            &mut laptop,
            &actor,
            &mut transport,
            chrono::Utc::now,
            &mut |_, _, _| {},
        )
        .expect("the laptop syncs");
        (laptop, actor)
    }

    /// The store key of this server.
    pub fn key(&self) -> store::StoreKey {
        let text = std::fs::read_to_string(&self.key_file).expect("the key file");
        store::StoreKey::from_hex(&text).expect("a valid key file")
    }

    /// Opens the server's store from the test (alongside the running server:
    /// WAL mode lets both work), to inspect or prepare rows.
    pub fn open_store(&self) -> store::Store {
        store::open(
            &crate::admin::store_path(&self.data_dir),
            &self.key(),
            false,
        )
        .expect("the server's store opens")
    }

    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_file).unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}
