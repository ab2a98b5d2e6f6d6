//! Issue 15, item 5: one path end to end, with the real server and two real
//! windows. A signed registration from "the website" (Standard Webhooks)
//! appears in the office's inbox; a HelloAsso payment notification for it
//! (the stand-in on loopback speaking HelloAsso's API) opens the payment gate
//! (POL-6, POL-10); the office confirms the place; the trainer of the group
//! sees the participant at their next sync (ROLE-1).
//!
//! Run by the README's test command (`MONIRAVIQUE_E2E=1`, one test at a time).

use anyhow::{ensure, Context, Result};
use chrono::Utc;
use diesel::prelude::*;
use e2e::{enabled, AppDirs, Window};
use serde_json::json;
use server::helloasso::standin::{Payer, StandIn};
use server::helloasso::CLIENT_SECRET_CREDENTIAL;
use server::testing::TestServer;
use std::os::unix::fs::PermissionsExt;
use store::schema::{enrolments, staff, workshop_groups};

const ADMIN: (&str, &str) = ("admin.lemans", "demo-admin-lemans");
const TRAINER_A: (&str, &str) = ("formatrice.a", "demo-formatrice-a");
const EMAIL: &str = "camille.du-site@exemple.test";

fn private(path: &std::path::Path, text: &str, mode: u32) -> Result<()> {
    std::fs::write(path, text)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

/// A group of trainer A with a free place: (group, programme, slot).
fn trainer_group(server: &TestServer) -> Result<(String, String, String)> {
    let mut store = server.open_store();
    let conn = store.connection();
    let trainer: String = staff::table
        .filter(staff::username.eq(TRAINER_A.0))
        .select(staff::id)
        .first(conn)?;
    let groups: Vec<(String, String, String, i32)> = workshop_groups::table
        .filter(workshop_groups::trainer_id.eq(&trainer))
        .select((
            workshop_groups::id,
            workshop_groups::programme_id,
            workshop_groups::slot,
            workshop_groups::capacity,
        ))
        .order(workshop_groups::id)
        .load(conn)?;
    for (group, programme, slot, capacity) in groups {
        let confirmed: i64 = enrolments::table
            .filter(enrolments::group_id.eq(&group))
            .filter(enrolments::status.eq("confirmed"))
            .count()
            .get_result(conn)?;
        if confirmed < i64::from(capacity) {
            return Ok((group, programme, slot));
        }
    }
    anyhow::bail!("the demo gives trainer A a group with a free place")
}

#[test]
fn issue_15_a_website_registration_paid_through_helloasso_reaches_the_trainer() -> Result<()> {
    if !enabled("the website-to-trainer test") {
        return Ok(());
    }
    // The server: the website's intake secret and HelloAsso's client secret
    // as files only the server reads, HelloAsso's API on loopback.
    let standin = StandIn::start();
    let secrets = tempfile::tempdir()?;
    std::fs::set_permissions(secrets.path(), std::fs::Permissions::from_mode(0o700))?;
    let site_secret = server::intake::secrets::new_secret();
    let intake_file = secrets.path().join("intake-secrets");
    private(&intake_file, &format!("{}\n", site_secret.as_str()), 0o600)?;
    private(
        &secrets.path().join(CLIENT_SECRET_CREDENTIAL),
        &format!("{}\n", standin.client_secret),
        0o400,
    )?;
    let config = secrets.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[intake]\nsecrets_file = {:?}\n",
            standin.config_table(1440),
            intake_file
        ),
    )?;
    let server = TestServer::start_with_env(
        server::testing::server_binary(),
        true,
        &["--config", config.to_str().context("utf-8 path")?],
        &[(
            "CREDENTIALS_DIRECTORY",
            secrets.path().to_str().context("utf-8 path")?,
        )],
    );
    let (group, programme, slot) = trainer_group(&server)?;

    // 1. The website sends a signed registration.
    let body = json!({
        "type": "registration.created",
        "timestamp": Utc::now().to_rfc3339(),
        "data": {
            "given_name": "Camille",
            "family_name": "Du-Site-Fictif",
            "email": EMAIL,
            "children_count": 1,
            "age_brackets": ["7-11"],
            "programme_id": programme,
            "preferred_slots": [slot],
            "consents": [{"purpose": "newsletter", "granted": true}],
            "policy_version": "2025-01-14",
            "certified_16_plus_at": Utc::now().to_rfc3339()
        }
    })
    .to_string();
    let timestamp = Utc::now().timestamp();
    let signature = server::intake::signature::sign(
        site_secret.as_str(),
        "msg_e2e_1",
        timestamp,
        body.as_bytes(),
    )
    .context("signed")?;
    let (status, answer) = server.post_bytes(
        server::intake::PATH,
        None,
        body.as_bytes(),
        &[
            ("content-type", "application/json"),
            ("webhook-id", "msg_e2e_1"),
            ("webhook-timestamp", &timestamp.to_string()),
            ("webhook-signature", &signature),
        ],
    );
    ensure!(
        status == 201,
        "the website's registration is accepted: {status} {answer}"
    );
    let enrolment = answer["enrolment_id"]
        .as_str()
        .context("an enrolment id")?
        .to_owned();

    // 2. The office's laptop: the request is in the inbox, not paid.
    let office = AppDirs::connected(&server.url, &server.cert_pem_path)?;
    let window = Window::launch(&office)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    let row = format!("#registrations tr[data-id='{enrolment}']");
    window.wait_visible(&row)?;
    ensure!(
        window.text(&row)?.contains(EMAIL),
        "the inbox shows the website's request"
    );
    let payment = window.js(
        "return document.querySelector(arguments[0]).dataset.payment;",
        json!([row]),
    )?;
    ensure!(payment != json!("confirmed"), "not paid yet: {payment}");
    window.screenshot("95-e2e-website-request-in-inbox")?;

    // 3. HelloAsso: the checkout is paid; its notification reaches the server.
    let paid = standin.checkout(
        Some(&enrolment),
        &Payer::fictional("camille.du-site"),
        12_000,
    );
    let notification = standin.notification("Payment", paid.payment_id).to_string();
    let (status, answer) = standin.notify(&server, notification.as_bytes(), None);
    ensure!(
        status == 200 && answer["matched"] == json!(1),
        "the notification is checked with the API and recorded: {status} {answer}"
    );

    // 4. The office syncs: paid; confirms the place in the trainer's group.
    window.sync_now()?;
    window.wait_js(
        "the request shown as paid after sync",
        "const r = document.querySelector(arguments[0]); return r && r.dataset.payment === 'confirmed';",
        json!([row]),
    )?;
    window.js(
        "const s = document.querySelector(arguments[0] + ' .group-select'); s.value = arguments[1]; \
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([row, group]),
    )?;
    window.click(&format!("{row} .confirm-place"))?;
    window.wait_js(
        "the confirmed request to leave the inbox",
        "return !document.querySelector(arguments[0]);",
        json!([row]),
    )?;
    window.sync_now()?;
    window.screenshot("96-e2e-office-confirmed")?;
    window.close()?;
    let status: String = enrolments::table
        .find(&enrolment)
        .select(enrolments::status)
        .first(server.open_store().connection())?;
    ensure!(
        status == "confirmed",
        "the server holds the confirmed place: {status}"
    );

    // 5. The trainer's laptop: the participant is in their list.
    let laptop = AppDirs::connected(&server.url, &server.cert_pem_path)?;
    let window = Window::launch(&laptop)?;
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.click("#tab-participants")?;
    window.wait_js(
        "the website's participant in the trainer's list",
        "return [...document.querySelectorAll('#participants tr')].some((r) => r.textContent.includes(arguments[0]));",
        json!([EMAIL]),
    )?;
    window.screenshot("97-e2e-trainer-sees-participant")?;
    window.close()?;
    Ok(())
}
