//! End-to-end harness: drives the real desktop binary in its real window
//! through `tauri-driver` (which fronts `WebKitWebDriver`), with the real
//! Secret Service holding the store key.
//!
//! The tests run only when `MONIRAVIQUE_E2E=1` (the README's test command sets
//! it and provides Xvfb, D-Bus and an unlocked gnome-keyring through
//! `scripts/with-keyring.sh`). Without it they print why they skip.

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// True when the end-to-end tests were asked for; otherwise the caller skips.
pub fn enabled(test: &str) -> bool {
    if std::env::var("MONIRAVIQUE_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "skipping {test}: set MONIRAVIQUE_E2E=1 (the README's test command does) to drive the real window"
    );
    false
}

/// True when the desktop package was installed for this run
/// (`MONIRAVIQUE_INSTALLED=1`, set by the README's test command after
/// `dpkg -i`) and the end-to-end tests were asked for; otherwise the caller
/// skips.
pub fn installed(test: &str) -> bool {
    if !enabled(test) {
        return false;
    }
    if std::env::var("MONIRAVIQUE_INSTALLED").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "skipping {test}: set MONIRAVIQUE_INSTALLED=1 once the desktop .deb is installed \
         (scripts/test-all.sh builds, installs and removes it)"
    );
    false
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_owned()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The desktop binary built by `cargo build -p moniravique-desktop`.
pub fn app_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("MONIRAVIQUE_APP") {
        return Ok(PathBuf::from(path));
    }
    let path = target_dir().join("debug").join("moniravique-desktop");
    if !path.exists() {
        bail!(
            "{} is missing: run `cargo build -p moniravique-desktop` first",
            path.display()
        );
    }
    Ok(path)
}

pub fn screenshot_dir() -> PathBuf {
    let dir = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A data directory and a log directory for one run of the app.
pub struct AppDirs {
    _root: tempfile::TempDir,
    pub data: PathBuf,
    pub logs: PathBuf,
    /// More arguments for the app (e.g. `--server URL --server-cert PEM`).
    pub extra: Vec<String>,
}

impl AppDirs {
    pub fn new() -> Result<Self> {
        let root = tempfile::tempdir()?;
        let data = root.path().join("data");
        let logs = root.path().join("logs");
        std::fs::create_dir_all(&data)?;
        std::fs::create_dir_all(&logs)?;
        Ok(AppDirs {
            _root: root,
            data,
            logs,
            extra: Vec::new(),
        })
    }

    /// An empty laptop that syncs with the server at `url`, trusting `cert_pem`.
    pub fn connected(url: &str, cert_pem: &Path) -> Result<Self> {
        let mut dirs = AppDirs::new()?;
        dirs.extra = vec![
            "--server".into(),
            url.to_owned(),
            "--server-cert".into(),
            cert_pem.display().to_string(),
        ];
        Ok(dirs)
    }

    pub fn args(&self) -> Vec<String> {
        vec![
            "--data-dir".into(),
            self.data.display().to_string(),
            "--log-dir".into(),
            self.logs.display().to_string(),
        ]
        .into_iter()
        .chain(self.extra.iter().cloned())
        .collect()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data.join("moniravique.db")
    }

    /// Seeds the demo data through the binary's own command line.
    pub fn seed_demo(&self) -> Result<()> {
        self.run_headless(&app_binary()?, &["--seed-demo"])
    }

    /// Runs `app` without a window on these directories with `flags` (a
    /// seed, a check); fails with what it printed on stderr.
    pub fn run_headless(&self, app: &Path, flags: &[&str]) -> Result<()> {
        let output = Command::new(app)
            .args(self.args())
            .args(flags)
            .output()
            .with_context(|| format!("running {}", flags.join(" ")))?;
        if !output.status.success() {
            bail!(
                "{} failed: {}",
                flags.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// The store key the app saved in the OS keyring.
    pub fn key(&self) -> Result<store::StoreKey> {
        let entry = keyring::Entry::new(
            desktop_lib::keystore::SERVICE,
            &desktop_lib::keystore::account_for(&self.db_path()),
        )?;
        let text = entry.get_password().context("reading the key")?;
        store::StoreKey::from_hex(&text).ok_or_else(|| anyhow!("the keyring entry is not a key"))
    }

    /// Opens the store the app wrote (after the app has closed).
    pub fn open_store(&self) -> Result<store::Store> {
        Ok(store::open(&self.db_path(), &self.key()?, false)?)
    }
}

/// The element matching `arguments[0]` if it is shown, else null.
const VISIBLE_SCRIPT: &str = "const e = document.querySelector(arguments[0]); \
     return e && e.offsetParent !== null ? e : null;";

/// A running `tauri-driver` and the WebDriver session it opened on the app.
pub struct Window {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Window {
    /// Launches the app (through tauri-driver and WebKitWebDriver) on `dirs`.
    pub fn launch(dirs: &AppDirs) -> Result<Self> {
        Ok(Self::launch_binary(&app_binary()?, dirs.args())?.0)
    }

    /// Launches `binary` with `args` through tauri-driver and WebKitWebDriver;
    /// also returns when the session was asked for (`POST /session`, which
    /// starts the process), once tauri-driver answers.
    pub fn launch_binary(binary: &Path, args: Vec<String>) -> Result<(Self, Instant)> {
        let port = free_port();
        let native_port = free_port();
        let driver = Command::new(tauri_driver()?)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting tauri-driver")?;
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(60))
            .build();
        let base = format!("http://127.0.0.1:{port}");
        let mut window = Window {
            driver,
            base,
            session: String::new(),
            agent,
        };
        window.wait_for_driver()?;
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "tauri:options": {
                        "application": binary.display().to_string(),
                        "args": args,
                    }
                }
            }
        });
        let asked = Instant::now();
        let created = window.call("POST", "/session", Some(capabilities))?;
        window.session = created["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {created}"))?
            .to_owned();
        Ok((window, asked))
    }

    /// The process id of this window's tauri-driver (the app runs below it).
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    fn wait_for_driver(&self) -> Result<()> {
        let started = Instant::now();
        loop {
            if self
                .agent
                .get(&format!("{}/status", self.base))
                .call()
                .is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(20) {
                bail!("tauri-driver did not answer on {}", self.base);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{}", self.base, path);
        let request = self.agent.request(method, &url);
        let response = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        let value: Value = match response {
            Ok(ok) => ok.into_json()?,
            Err(ureq::Error::Status(code, failed)) => {
                let text = failed.into_string().unwrap_or_default();
                bail!("WebDriver {method} {path} answered {code}: {text}");
            }
            Err(other) => return Err(other.into()),
        };
        Ok(value["value"].clone())
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{}", self.session, rest)
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub fn js(&self, script: &str, args: Value) -> Result<Value> {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Polls `script` until it returns something other than null/false.
    pub fn wait_js(&self, what: &str, script: &str, args: Value) -> Result<Value> {
        self.wait_js_for(Duration::from_secs(30), what, script, args)
    }

    /// [`Window::wait_js`] with its own time limit.
    pub fn wait_js_for(
        &self,
        limit: Duration,
        what: &str,
        script: &str,
        args: Value,
    ) -> Result<Value> {
        self.poll_js(limit, Duration::from_millis(100), what, script, args)
    }

    /// Waits until an element matching `css` is visible, polling every
    /// `every` (the start bench polls every few milliseconds).
    pub fn wait_visible_polling(&self, css: &str, every: Duration, limit: Duration) -> Result<()> {
        self.poll_js(limit, every, css, VISIBLE_SCRIPT, json!([css]))
            .map(|_| ())
    }

    fn poll_js(
        &self,
        limit: Duration,
        every: Duration,
        what: &str,
        script: &str,
        args: Value,
    ) -> Result<Value> {
        let started = Instant::now();
        loop {
            let value = self.js(script, args.clone())?;
            if !(value.is_null() || value == Value::Bool(false)) {
                return Ok(value);
            }
            if started.elapsed() > limit {
                let _ = self.screenshot(&format!("timeout-{}", what.replace(' ', "-")));
                bail!("timed out waiting for {what}");
            }
            std::thread::sleep(every);
        }
    }

    /// Waits until an element matching `css` is visible, and returns it.
    pub fn wait_visible(&self, css: &str) -> Result<Value> {
        self.wait_js(css, VISIBLE_SCRIPT, json!([css]))
    }

    fn element_id(element: &Value) -> Result<String> {
        element[ELEMENT_KEY]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("not an element: {element}"))
    }

    pub fn click(&self, css: &str) -> Result<()> {
        let element = self.wait_visible(css)?;
        let id = Self::element_id(&element)?;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/click")),
            Some(json!({})),
        )?;
        Ok(())
    }

    /// Clears a field and types `text` into it with real key events.
    pub fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let element = self.wait_visible(css)?;
        let id = Self::element_id(&element)?;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/clear")),
            Some(json!({})),
        )?;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/value")),
            Some(json!({ "text": text })),
        )?;
        Ok(())
    }

    pub fn text(&self, css: &str) -> Result<String> {
        let value = self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            json!([css]),
        )?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Signs in with the form, as a user would, and waits for the workspace.
    pub fn sign_in(&self, username: &str, password: &str) -> Result<()> {
        self.wait_visible("#signin-form")?;
        self.type_into("#username", username)?;
        self.type_into("#password", password)?;
        self.click("#sign-in")?;
        self.wait_visible("#workspace")?;
        Ok(())
    }

    /// Clicks "Synchroniser" and waits for the round to end with nothing
    /// pending and no error.
    pub fn sync_now(&self) -> Result<()> {
        self.wait_visible("#sync-now")?;
        self.click("#sync-now")?;
        self.wait_js(
            "the sync to finish with nothing pending",
            "const p = document.getElementById('sync-pending'); const b = document.getElementById('sync-now'); \
             return p && b && !b.disabled && /\\b0\\b/.test(p.textContent) && !document.getElementById('sync-error');",
            json!([]),
        )?;
        Ok(())
    }

    pub fn sign_out(&self) -> Result<()> {
        self.click("#sign-out")?;
        self.wait_visible("#signin-form")?;
        Ok(())
    }

    /// Saves a PNG of the window under `target/e2e-screenshots/`.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let value = self.call("GET", &self.session_path("/screenshot"), None)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap_or_default())
            .context("decoding the screenshot")?;
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, bytes)?;
        Ok(path)
    }

    /// Ends the WebDriver session (the app exits) and stops tauri-driver.
    pub fn close(mut self) -> Result<()> {
        let result = self.call("DELETE", &self.session_path(""), None);
        self.stop_driver();
        result.map(|_| ())
    }

    fn stop_driver(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &self.session_path(""), None);
        }
        self.stop_driver();
    }
}

fn tauri_driver() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return Ok(PathBuf::from(path));
    }
    let candidates = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin")));
    for dir in candidates {
        let path = dir.join("tauri-driver");
        if path.exists() {
            return Ok(path);
        }
    }
    bail!("tauri-driver not found: run `cargo install tauri-driver --locked`")
}

/// Byte-level search, so the check does not depend on any text encoding.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Answers the native GTK file dialog titled `title` (opened by the app
/// through rfd) as a user would: focus it, type the full path, press Enter.
/// Runs in the background; join the handle after triggering the dialog.
pub fn answer_file_dialog(title: &str, path: &Path) -> std::thread::JoinHandle<Result<()>> {
    let title = title.to_owned();
    let path = path.display().to_string();
    std::thread::spawn(move || {
        let started = Instant::now();
        let window = loop {
            let found = Command::new("xdotool")
                .args(["search", "--onlyvisible", "--name", &title])
                .output()
                .context("running xdotool (install it: apt-get install xdotool)")?;
            let ids = String::from_utf8_lossy(&found.stdout).trim().to_owned();
            if let Some(id) = ids.lines().last().filter(|id| !id.is_empty()) {
                break id.to_owned();
            }
            if started.elapsed() > Duration::from_secs(30) {
                let all = Command::new("xdotool")
                    .args(["search", "--name", "."])
                    .output()?;
                let mut names = Vec::new();
                for id in String::from_utf8_lossy(&all.stdout).lines() {
                    let name = Command::new("xdotool")
                        .args(["getwindowname", id])
                        .output()?;
                    names.push(String::from_utf8_lossy(&name.stdout).trim().to_owned());
                }
                let _ = Command::new("import")
                    .args(["-window", "root"])
                    .arg(screenshot_dir().join("dialog-missing.png"))
                    .status();
                bail!("the file dialog {title:?} did not appear; windows: {names:?}");
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        // Let GTK finish mapping the dialog and focusing its entry.
        std::thread::sleep(Duration::from_millis(800));
        let run = |args: &[&str]| -> Result<()> {
            let status = Command::new("xdotool").args(args).status()?;
            if !status.success() {
                bail!("xdotool {args:?} failed");
            }
            Ok(())
        };
        run(&["windowfocus", "--sync", &window])?;
        // Ctrl+L opens (or focuses) the location entry of the GTK chooser.
        run(&["key", "--clearmodifiers", "ctrl+l"])?;
        std::thread::sleep(Duration::from_millis(400));
        run(&["key", "--clearmodifiers", "ctrl+a"])?;
        run(&["type", "--delay", "20", &path])?;
        std::thread::sleep(Duration::from_millis(300));
        // Evidence of the real dialog, before it closes.
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(screenshot_dir().join(format!("dialog-{}.png", title.replace(' ', "-"))))
            .status();
        run(&["key", "Return"])?;
        Ok(())
    })
}
