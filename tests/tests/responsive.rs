//! The window never waits on the network (issue 12, DC-5): a real server
//! process on loopback over TLS is frozen (SIGSTOP) after the first sign-in,
//! so it accepts connections and never answers; while a sync round hangs on
//! it, the trainer still opens a profile, adds a note and signs out, each
//! within a second.

use anyhow::{ensure, Result};
use e2e::{enabled, AppDirs, Window};
use serde_json::json;
use std::time::{Duration, Instant};

const TRAINER_A: (&str, &str) = ("formatrice.a", "demo-formatrice-a");
const NOTE: &str = "Note écrite pendant que le serveur ne répond pas (e2e fictive).";
/// What the user waits for, at most, for each action (issue 12).
const AT_MOST: Duration = Duration::from_secs(1);

/// Runs `action` and returns how long it took the window to show its result.
fn timed(action: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let started = Instant::now();
    action()?;
    Ok(started.elapsed())
}

#[test]
fn dc_5_a_stalled_server_never_freezes_the_window() -> Result<()> {
    if !enabled("the stalled-server window test") {
        return Ok(());
    }
    let server = server::testing::TestServer::start(true);
    let laptop = AppDirs::connected(&server.url, &server.cert_pem_path)?;
    let window = Window::launch(&laptop)?;
    // The first sign-in registers the laptop and pulls the trainer's scope.
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.wait_visible("#sessions tbody tr[data-id] .open-sheet")?;

    // The server stops answering; a sync round starts and hangs on it.
    server.freeze();
    window.click("#sync-now")?;
    window.wait_js(
        "the sync round to be under way",
        "const b = document.getElementById('sync-now'); return b && b.disabled;",
        json!([]),
    )?;
    window.screenshot("70-stalled-server-round-running")?;

    // Opens a profile.
    window.click("#tab-participants")?;
    window.wait_visible("#participants tbody tr[data-id] .open-profile")?;
    let profile = timed(|| {
        window.click("#participants tbody tr[data-id] .open-profile")?;
        window.wait_js(
            "the profile title",
            "const e = document.getElementById('profile-title'); return e && e.textContent.trim() || null;",
            json!([]),
        )?;
        Ok(())
    })?;
    window.screenshot("71-stalled-server-profile")?;

    // Adds a note to a session's preparation sheet.
    window.click("#tab-sessions")?;
    window.click("#sessions tbody tr[data-id] .open-sheet")?;
    window.wait_visible("#sheet-title")?;
    window.type_into(".sheet-entry .note-body", NOTE)?;
    let note = timed(|| {
        window.click(".sheet-entry .add-note")?;
        window.wait_js(
            "the note in the sheet",
            "return [...document.querySelectorAll('li[data-note] .text')].some(n => n.textContent === arguments[0]);",
            json!([NOTE]),
        )?;
        Ok(())
    })?;
    window.screenshot("72-stalled-server-note")?;

    // The round is still hanging: everything above happened meanwhile.
    let still_running = window.js(
        "const b = document.getElementById('sync-now'); return !!(b && b.disabled);",
        json!([]),
    )?;
    ensure!(
        still_running == json!(true),
        "the sync round was still waiting on the frozen server"
    );

    // Signs out.
    let sign_out = timed(|| window.sign_out())?;

    eprintln!(
        "stalled server: profile {} ms, note {} ms, sign-out {} ms",
        profile.as_millis(),
        note.as_millis(),
        sign_out.as_millis()
    );
    ensure!(profile < AT_MOST, "the profile took {profile:?}");
    ensure!(note < AT_MOST, "adding the note took {note:?}");
    ensure!(sign_out < AT_MOST, "signing out took {sign_out:?}");

    // The note was kept for the next round (a failed sync loses nothing).
    server.thaw();
    window.close()?;
    let mut store = laptop.open_store()?;
    let pending = sync::local::status(&mut store)?.pending;
    ensure!(pending >= 1, "the note waits in the outbox: {pending}");
    Ok(())
}
