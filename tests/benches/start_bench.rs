//! Start and memory of the real window on a large store (issue 13, item 3).
//!
//! 1. Start: from the WebDriver `POST /session` (tauri-driver and
//!    WebKitWebDriver start the process) to the first find of a visible
//!    `#signin-form`, polled every 5 ms, for the desktop app on a store of
//!    `--participants` people and for a bare Tauri window (`tests/bare-window`:
//!    the same Tauri, one static page with that form). `--runs` timed starts of
//!    each, alternating, after one untimed start of each; median and minimum.
//! 2. Memory: an administrator signs in in the real window, lists the
//!    participants and runs prefix searches; then the proportional set size
//!    (PSS, `/proc/PID/smaps_rollup`; RSS where unreadable) of the app and every
//!    process below it (WebKit's web and network processes) is summed.
//!
//! Needs a display, D-Bus and a Secret Service: run under `xvfb-run` and
//! `scripts/with-keyring.sh` (scripts/bench-small.sh, scripts/bench-all.sh).
//! The binaries: `MONIRAVIQUE_APP` and `BARE_WINDOW_APP`, else
//! `target/debug/`. A wrong result (sign-in refused, a search that finds
//! nothing or the wrong people) fails the bench; a missed target does not.

use anyhow::{ensure, Context, Result};
use chrono::Utc;
use e2e::{app_binary, workspace_root, AppDirs, Window};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ADMIN: (&str, &str) = ("bench.admin", "bench-admin-password");
const START_TARGET: f64 = 1.3;
const MEMORY_TARGET_MB: f64 = 150.0;
const POLL: Duration = Duration::from_millis(5);
/// Prefix searches of the administrator: every family name, one in 26, and
/// 100 e-mail addresses (`p000100@`...`p000199@`).
const SEARCHES: [&str; 3] = ["Synth", "Syntha", "p0001"];

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut participants = 100_000usize;
    let mut runs = 5usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--participants" => participants = args.next().context("a size")?.parse()?,
            "--runs" => runs = args.next().context("a count")?.parse()?,
            _ => {} // cargo passes --bench
        }
    }
    ensure!(runs > 0, "--runs needs at least 1");
    ensure!(
        participants >= 200,
        "--participants needs at least 200 (the searches expect p000100...p000199)"
    );
    let app = app_binary()?;
    let bare = bare_binary()?;
    let dirs = seeded_store(&app, participants)?;

    let (app_start, bare_start, bare_memory) = starts(&app, &bare, &dirs, runs)?;
    let (app_median, bare_median) = (median(&app_start), median(&bare_start));
    let ratio = app_median / bare_median;
    println!(
        "app start to sign-in ({participants} participants, {runs} runs each) median {app_median:.0} ms min {:.0} ms | bare window median {bare_median:.0} ms min {:.0} ms | ratio {ratio:.2} (target <= {START_TARGET:.2}) {}",
        min(&app_start),
        min(&bare_start),
        verdict(ratio <= START_TARGET)
    );

    let (at_sign_in, after_search) = admin_session(&dirs)?;
    let total = after_search.total_mb();
    println!(
        "app memory after admin list+search ({participants} participants): {total:.0} MB PSS (target <= {MEMORY_TARGET_MB:.0}) {}; per process: {}",
        verdict(total <= MEMORY_TARGET_MB),
        after_search.describe()
    );
    println!(
        "app memory at sign-in: {:.0} MB PSS ({}) | bare window at sign-in: {:.0} MB PSS ({})",
        at_sign_in.total_mb(),
        at_sign_in.describe(),
        bare_memory.total_mb(),
        bare_memory.describe()
    );
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met {
        "OK"
    } else {
        "MISSED"
    }
}

/// The bare window built by `cargo test -p bare-window` (or `cargo build`).
fn bare_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("BARE_WINDOW_APP") {
        return Ok(PathBuf::from(path));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("debug").join("bare-window");
    ensure!(
        path.exists(),
        "{} is missing: run `cargo build -p bare-window` first",
        path.display()
    );
    Ok(path)
}

/// A store of `participants` people seeded by the app itself, plus an
/// administrator (the large seed has trainers only).
fn seeded_store(app: &Path, participants: usize) -> Result<AppDirs> {
    let dirs = AppDirs::new()?;
    dirs.run_headless(app, &["--seed-large", &participants.to_string()])?;
    let mut store = dirs.open_store()?;
    store::auth::create_staff(
        &mut store,
        ADMIN.0,
        "Bench Administrator",
        domain::Role::Administrator,
        ADMIN.1,
        Utc::now(),
    )?;
    drop(store);
    Ok(dirs)
}

/// Milliseconds from `POST /session` to a visible `#signin-form`, and the
/// window still open at that point.
fn start_once(binary: &Path, args: Vec<String>) -> Result<(f64, Window)> {
    let (window, asked) = Window::launch_binary(binary, args)?;
    window.wait_visible_polling("#signin-form", POLL, Duration::from_secs(60))?;
    Ok((asked.elapsed().as_secs_f64() * 1000.0, window))
}

/// Alternating starts of the app and the bare window (one untimed start of
/// each first, so neither pays for a cold disk cache alone); also the bare
/// window's memory at its sign-in form.
fn starts(
    app: &Path,
    bare: &Path,
    dirs: &AppDirs,
    runs: usize,
) -> Result<(Vec<f64>, Vec<f64>, Memory)> {
    let (mut app_times, mut bare_times) = (Vec::new(), Vec::new());
    let mut bare_memory = None;
    for run in 0..=runs {
        // Who goes first alternates too.
        for app_turn in [run % 2 == 0, run % 2 != 0] {
            let (binary, args) = if app_turn {
                (app, dirs.args())
            } else {
                (bare, Vec::new())
            };
            let (ms, window) = start_once(binary, args)?;
            if run > 0 && app_turn {
                app_times.push(ms);
            } else if run > 0 {
                bare_times.push(ms);
                if run == runs {
                    std::thread::sleep(Duration::from_secs(1));
                    bare_memory = Some(Memory::of(&window, bare)?);
                }
            }
            window.close()?;
        }
    }
    Ok((app_times, bare_times, bare_memory.context("measured")?))
}

/// The administrator's session on the large store: memory at the sign-in
/// form, then after listing and searching the participants.
fn admin_session(dirs: &AppDirs) -> Result<(Memory, Memory)> {
    let app = app_binary()?;
    let window = Window::launch(dirs)?;
    window.wait_visible("#signin-form")?;
    std::thread::sleep(Duration::from_secs(1));
    let at_sign_in = Memory::of(&window, &app)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-participants")?;
    let listed = rows(&window, None)?;
    ensure!(listed > 0, "the administrator's list is empty");
    for query in SEARCHES {
        window.js(
            "document.querySelectorAll('#participants tbody tr').forEach(r => r.dataset.stale = '1');",
            json!([]),
        )?;
        window.type_into("#participant-search", query)?;
        let found = rows(&window, Some(query))?;
        ensure!(found > 0, "searching {query:?} found nobody");
    }
    std::thread::sleep(Duration::from_secs(1));
    let after = Memory::of(&window, &app)?;
    window.close()?;
    Ok((at_sign_in, after))
}

/// Waits until the list shows fresh rows (for `query`: the field holds it and
/// every row shown matches it), and returns their number.
fn rows(window: &Window, query: Option<&str>) -> Result<usize> {
    let count = window.wait_js(
        &format!("the participant rows for {query:?}"),
        "const q = arguments[0]; \
         const body = document.querySelector('#participants tbody'); \
         if (!body) return null; \
         if (q !== null && document.getElementById('participant-search').value !== q) return null; \
         const rows = [...body.querySelectorAll('tr[data-id]')]; \
         if (rows.length === 0 || rows.some(r => r.dataset.stale)) return null; \
         if (q !== null && !rows.every(r => r.textContent.toLowerCase().includes(q.toLowerCase()))) \
           return null; \
         return rows.length;",
        json!([query]),
    )?;
    Ok(count.as_u64().unwrap_or(0) as usize)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    }
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The memory of one app and every process below it, in kB.
struct Memory {
    processes: Vec<(String, u32, u64, &'static str)>,
}

impl Memory {
    /// The process running `binary` below the window's tauri-driver, and its
    /// descendants.
    fn of(window: &Window, binary: &Path) -> Result<Self> {
        let table = processes()?;
        let exe = std::fs::canonicalize(binary)?;
        let below_driver = descendants(&table, window.driver_pid());
        let root = below_driver
            .iter()
            .copied()
            .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).ok().as_ref() == Some(&exe))
            .with_context(|| format!("no process runs {} below tauri-driver", exe.display()))?;
        let mut processes = Vec::new();
        for pid in std::iter::once(root).chain(descendants(&table, root)) {
            let name = process_name(pid);
            if let Some((kb, kind)) = resident_kb(pid) {
                processes.push((name, pid, kb, kind));
            }
        }
        Ok(Memory { processes })
    }

    fn total_mb(&self) -> f64 {
        self.processes.iter().map(|p| p.2).sum::<u64>() as f64 / 1024.0
    }

    fn describe(&self) -> String {
        self.processes
            .iter()
            .map(|(name, pid, kb, kind)| {
                format!("{name} [{pid}] {:.1} MB{}", *kb as f64 / 1024.0, {
                    if *kind == "Pss" {
                        ""
                    } else {
                        " (RSS)"
                    }
                })
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The file name of the process's program (`comm` is cut at 15 bytes).
fn process_name(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let program = cmdline.split(|&b| b == 0).next().unwrap_or_default();
    let name = String::from_utf8_lossy(program);
    match name.rsplit('/').next().filter(|n| !n.is_empty()) {
        Some(name) => name.to_owned(),
        None => std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

/// (pid, parent pid) of every process.
fn processes() -> Result<Vec<(u32, u32)>> {
    let mut table = Vec::new();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name (field 2) may hold spaces: the parent follows ") S ".
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse().ok());
        if let Some(parent) = parent {
            table.push((pid, parent));
        }
    }
    Ok(table)
}

fn descendants(table: &[(u32, u32)], root: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &(pid, ppid) in table {
            if ppid == parent {
                found.push(pid);
                frontier.push(pid);
            }
        }
    }
    found
}

/// PSS from smaps_rollup, else RSS from status, in kB.
fn resident_kb(pid: u32) -> Option<(u64, &'static str)> {
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse().ok())
    };
    if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
        if let Some(kb) = field(&text, "Pss:") {
            return Some((kb, "Pss"));
        }
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    field(&text, "VmRSS:").map(|kb| (kb, "Rss"))
}
