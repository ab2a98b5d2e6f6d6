//! End-to-end sync (issue 5, DC-5) in the real window: a real server process
//! on loopback over TLS, two laptops signed in as the same trainer; a note
//! written on the first appears on the second after sync.

use anyhow::{ensure, Result};
use e2e::{enabled, AppDirs, Window};
use serde_json::json;

const TRAINER_A: (&str, &str) = ("formatrice.a", "demo-formatrice-a");
const NOTE: &str = "Note synchronisée entre deux postes (e2e fictive).";

#[test]
fn dc_5_a_note_written_on_one_laptop_appears_on_another_after_sync() -> Result<()> {
    if !enabled("the two-laptop sync test") {
        return Ok(());
    }
    let server = server::testing::TestServer::start(true);
    // First laptop: the first sign-in registers it on the server and pulls
    // the trainer's scope; then the trainer writes a note and syncs.
    let first = AppDirs::connected(&server.url, &server.cert_pem_path)?;
    let window = Window::launch(&first)?;
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.wait_visible("#sessions tbody tr[data-id] .open-sheet")?;
    window.screenshot("60-sync-first-laptop")?;
    window.click("#sessions tbody tr[data-id] .open-sheet")?;
    window.wait_visible("#sheet-title")?;
    window.type_into(".sheet-entry .note-body", NOTE)?;
    window.click(".sheet-entry .add-note")?;
    window.wait_js(
        "the note on the first laptop",
        "return [...document.querySelectorAll('li[data-note] .text')].some(n => n.textContent === arguments[0]);",
        json!([NOTE]),
    )?;
    window.sync_now()?;
    window.screenshot("61-sync-note-sent")?;
    window.close()?;

    // Second laptop of the same trainer: signs in, syncs, sees the note.
    let second = AppDirs::connected(&server.url, &server.cert_pem_path)?;
    let window = Window::launch(&second)?;
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.wait_visible("#sessions tbody tr[data-id] .open-sheet")?;
    window.click("#sessions tbody tr[data-id] .open-sheet")?;
    window.wait_visible("#sheet-title")?;
    window.wait_js(
        "the note from the first laptop",
        "return [...document.querySelectorAll('li[data-note] .text')].some(n => n.textContent === arguments[0]);",
        json!([NOTE]),
    )?;
    window.screenshot("62-sync-note-on-second-laptop")?;
    let status = window.text("#sync-status")?;
    ensure!(
        !status.contains("Jamais"),
        "the second laptop shows its last sync: {status}"
    );
    window.close()?;
    Ok(())
}
