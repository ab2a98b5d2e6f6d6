//! Day one at the association (issue 14) in the real window, against the
//! real server process on loopback over TLS: the office creates a trainer
//! account and its enrolment code; the trainer connects a freshly installed
//! laptop with it (no command line, no flags) and must change the one-time
//! password; the office deactivates the trainer and that laptop wipes
//! itself at its next round. Codes with the wrong certificate or no
//! server are refused on the connect screen and change nothing.

use anyhow::{ensure, Context, Result};
use e2e::{enabled, AppDirs, Window};
use serde_json::json;

const OFFICE: (&str, &str) = ("admin.lemans", "demo-admin-lemans");
const NEW_PASSWORD: &str = "Une phrase de passe bien à moi";

/// The value of a form field or the text of an element.
fn value(window: &Window, css: &str) -> Result<String> {
    let found = window.wait_js(
        css,
        "const e = document.querySelector(arguments[0]); \
         const v = e && (e.value !== undefined ? e.value : e.textContent); \
         return v && v.trim() ? v.trim() : null;",
        json!([css]),
    )?;
    Ok(found.as_str().unwrap_or_default().to_owned())
}

/// Fills the connect screen and submits it.
fn connect(window: &Window, code: &str, password: &str) -> Result<()> {
    window.wait_visible("#connect-screen")?;
    window.js(
        "document.querySelector('#connect-code').value = ''; document.querySelector('#connect-password').value = '';",
        json!([]),
    )?;
    window.type_into("#connect-code", code)?;
    window.type_into("#connect-password", password)?;
    window.click("#connect-submit")?;
    Ok(())
}

fn connect_error(window: &Window) -> Result<String> {
    value(window, "#connect-error")
}

#[test]
fn issue_14_the_office_connects_a_new_trainer_who_changes_her_password_then_leaves() -> Result<()> {
    if !enabled("the day-one window test") {
        return Ok(());
    }
    let server = server::testing::TestServer::start(true);

    // The office, on its own connected laptop, creates the account.
    let office_dirs = AppDirs::connected(&server.url, &server.cert_pem_path)?;
    let office = Window::launch(&office_dirs)?;
    office.sign_in(OFFICE.0, OFFICE.1)?;
    office.click("#tab-accounts")?;
    office.wait_visible("#staff-create-username")?;
    office.type_into("#staff-create-username", "nouvelle.formatrice")?;
    office.type_into("#staff-create-name", "Nouvelle Formatrice (fictive)")?;
    office.js(
        "const s = document.querySelector('#staff-create-role'); s.value = 'trainer'; \
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([]),
    )?;
    office.click("#staff-create-submit")?;
    office.wait_visible("#staff-issued")?;
    let one_time = value(&office, "#staff-issued-password")?;
    let code = value(&office, "#staff-issued-code")?;
    ensure!(code.starts_with("MNV1-"), "an enrolment code is shown");
    ensure!(one_time.len() >= 12, "a one-time password is shown");
    office.screenshot("80-accounts-code-issued")?;
    office.click("#staff-issued-done")?;
    office.sync_now()?;

    // A freshly installed laptop: no flags, nothing but the code.
    let laptop_dirs = AppDirs::new()?;
    let laptop = Window::launch(&laptop_dirs)?;
    laptop.wait_visible("#connect-screen")?;
    laptop.screenshot("81-connect-this-laptop")?;

    // A code naming another certificate is refused before any password is
    // sent; a code for a server that is not there says so. Nothing changes.
    let forged = sync::enrol::EnrolmentCode::new(&server.url, [7; 32])
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .encode()
        .to_string();
    connect(&laptop, &forged, &one_time)?;
    let message = connect_error(&laptop)?;
    ensure!(!message.is_empty(), "the mismatch is explained");
    ensure!(
        !server.log().contains("enrolment refused"),
        "the mismatch never reached the server"
    );
    laptop.screenshot("82-connect-fingerprint-mismatch")?;
    let nowhere = sync::enrol::EnrolmentCode::new("https://127.0.0.1:9", [7; 32])
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .encode()
        .to_string();
    connect(&laptop, &nowhere, &one_time)?;
    laptop.wait_js(
        "a different message for an unreachable server",
        "const e = document.querySelector('#connect-error'); return e && e.textContent.trim() !== arguments[0];",
        json!([message]),
    )?;
    connect(&laptop, "pas un code", &one_time)?;
    laptop.wait_visible("#connect-error")?;
    laptop.wait_visible("#connect-screen")?;

    // The real code and the one-time password: then her own password.
    connect(&laptop, &code, &one_time)?;
    laptop.wait_visible("#password-screen")?;
    laptop.screenshot("83-password-must-change")?;
    laptop.type_into("#password-current", &one_time)?;
    laptop.type_into("#password-new", "Motdepasse2026!")?;
    laptop.type_into("#password-confirm", "Motdepasse2026!")?;
    laptop.click("#password-submit")?;
    let refused = value(&laptop, "#password-error")?;
    ensure!(!refused.is_empty(), "a common password is refused");
    laptop.js(
        "for (const id of ['#password-new', '#password-confirm']) document.querySelector(id).value = '';",
        json!([]),
    )?;
    laptop.type_into("#password-new", NEW_PASSWORD)?;
    laptop.type_into("#password-confirm", NEW_PASSWORD)?;
    laptop.click("#password-submit")?;
    laptop.wait_visible("#workspace")?;
    laptop.screenshot("84-new-trainer-workspace")?;
    laptop.sync_now()?;
    ensure!(laptop_dirs.db_path().exists(), "the laptop has its store");

    // The office deactivates her; her laptop wipes itself at its next round.
    office.click("#laptops-refresh")?;
    office.wait_js(
        "her laptop in the office's list",
        "return [...document.querySelectorAll('#laptops-list tr[data-device-id]')].some(r => r.textContent.includes('nouvelle.formatrice') || r.textContent.includes('Nouvelle Formatrice'));",
        json!([]),
    )?;
    let row = office
        .wait_js(
            "her account in the list",
            "const r = [...document.querySelectorAll('#staff-list tr[data-staff-id]')].find(r => r.textContent.includes('nouvelle.formatrice')); return r ? r.dataset.staffId : null;",
            json!([]),
        )?
        .as_str()
        .context("a staff id")?
        .to_owned();
    office.click(&format!(
        "#staff-list tr[data-staff-id='{row}'] .staff-deactivate"
    ))?;
    office.click("#confirm-yes")?;
    office.wait_visible("#staff-deactivated")?;
    office.screenshot("85-accounts-deactivated")?;
    office.sync_now()?;

    laptop.click("#sync-now")?;
    let mut gone = false;
    for _ in 0..100 {
        if !laptop_dirs.db_path().exists() {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    ensure!(gone, "the deactivated trainer's laptop wiped its store");
    laptop.screenshot("86-laptop-wiped")?;
    laptop.close()?;
    office.close()?;
    Ok(())
}
