//! Issue 15 in the real window: the office registers a family that calls
//! (POL-1, POL-7, POL-35, ROLE-3) and records a cheque received at the desk,
//! which opens the payment gate (POL-6, POL-10).
//!
//! Run by the README's test command (`MONIRAVIQUE_E2E=1`, one test at a time).

use anyhow::{ensure, Result};
use diesel::prelude::*;
use e2e::{enabled, AppDirs, Window};
use serde_json::{json, Value};
use store::schema::{consents, enrolments, participants, payments, staff};

const ADMIN: (&str, &str) = ("admin.lemans", "demo-admin-lemans");

/// Picks `value` in the select `css` and tells the page, as a user's choice would.
fn choose(window: &Window, css: &str, value: &str) -> Result<()> {
    window.js(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([css, value]),
    )?;
    Ok(())
}

#[test]
fn pol_35_pol_7_the_office_registers_a_family_and_a_known_address_is_offered_not_duplicated(
) -> Result<()> {
    if !enabled("the office's registration form test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let (known_email, known_name): (String, String) = {
        let mut store = dirs.open_store()?;
        let (email, given): (String, String) = participants::table
            .select((participants::email, participants::given_name))
            .order(participants::id)
            .first(store.connection())?;
        (email, given)
    };
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.wait_visible("#registrations tbody tr[data-id]")?;
    window.click("#new-registration-open")?;
    window.wait_visible("#new-registration-form")?;

    // A known address is offered before anything is saved.
    window.type_into("#intake-email", &known_email.to_uppercase())?;
    window.click("#intake-phone")?;
    let offered = window.wait_js(
        "the known person offered",
        "const k = document.getElementById('intake-known'); return k && !k.hidden ? k.textContent : null;",
        json!([]),
    )?;
    ensure!(
        offered.as_str().unwrap_or_default().contains(&known_name),
        "the form names the known person: {offered}"
    );

    window.type_into("#intake-given", "Maëlle")?;
    window.type_into("#intake-family", "Exemple-Fictive")?;
    window.type_into("#intake-email", "maelle.exemple@exemple.test")?;
    window.type_into("#intake-phone", "02 00 00 00 77")?;
    window.type_into("input.bracket-count[data-bracket='4-6']", "1")?;
    let programme: Value = window.js(
        "const o = [...document.querySelectorAll('#intake-programme option')].find((o) => o.value); return o ? o.value : null;",
        json!([]),
    )?;
    let programme = programme.as_str().unwrap_or_default().to_owned();
    ensure!(!programme.is_empty(), "the form offers the programmes");
    choose(&window, "#intake-programme", &programme)?;
    window.click("input[name='consent-newsletter'][value='yes']")?;
    window.click("input[name='consent-testimonials'][value='no']")?;
    window.screenshot("90-office-new-registration")?;

    // POL-35: without the certification, refused and said.
    window.click("#intake-submit")?;
    let refused = window.wait_js(
        "the refusal",
        "const r = document.querySelector('#intake-result.refused'); return r && r.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        refused.as_str().unwrap_or_default().contains("16 ans"),
        "the refusal names the certification: {refused}"
    );
    let invalid = window.js(
        "return document.getElementById('intake-certified').getAttribute('aria-invalid');",
        json!([]),
    )?;
    ensure!(invalid == json!("true"), "the certification box is marked");
    window.screenshot("91-office-registration-refused")?;

    window.click("#intake-certified")?;
    window.click("#intake-submit")?;
    window.wait_js(
        "the new request in the inbox",
        "return [...document.querySelectorAll('#registrations tr[data-id]')].some((r) => r.textContent.includes('maelle.exemple@exemple.test'));",
        json!([]),
    )?;
    let said = window.text("#intake-result")?;
    ensure!(said.contains("Maëlle"), "the form says it is saved: {said}");
    window.screenshot("92-office-registration-saved")?;
    window.close()?;

    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let people: Vec<String> = participants::table
        .filter(participants::email.eq("maelle.exemple@exemple.test"))
        .select(participants::id)
        .load(conn)?;
    ensure!(people.len() == 1, "one person, saved once");
    let answers: Vec<(String, bool, String)> = consents::table
        .filter(consents::participant_id.eq(&people[0]))
        .select((consents::purpose, consents::granted, consents::source))
        .order(consents::purpose)
        .load(conn)?;
    ensure!(
        answers
            == vec![
                ("newsletter".to_owned(), true, "phone".to_owned()),
                ("testimonials".to_owned(), false, "phone".to_owned()),
            ],
        "POL-7: the answers given, studies unanswered and not recorded: {answers:?}"
    );
    let (status, channel): (String, String) = enrolments::table
        .filter(enrolments::participant_id.eq(&people[0]))
        .select((enrolments::status, enrolments::channel))
        .first(conn)?;
    ensure!(status == "requested" && channel == "phone");
    let known: i64 = participants::table
        .filter(participants::email.eq(&known_email))
        .count()
        .get_result(conn)?;
    ensure!(known == 1, "the known person was not duplicated");
    Ok(())
}

#[test]
fn pol_10_a_cheque_received_at_the_office_opens_the_payment_gate() -> Result<()> {
    if !enabled("the manual payment test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.wait_visible("#registrations tbody tr[data-id]")?;
    let unpaid = window.js(
        "const r = document.querySelector(`#registrations tr[data-status='requested']:not([data-payment='confirmed'])`); \
         return r ? r.dataset.id : null;",
        json!([]),
    )?;
    let unpaid = unpaid.as_str().unwrap_or_default().to_owned();
    ensure!(!unpaid.is_empty(), "the demo inbox has an unpaid request");
    let row = format!("#registrations tr[data-id='{unpaid}']");
    let detail = format!("#registrations tr.payments-row[data-for='{unpaid}']");

    window.click(&format!("{row} .payments-open"))?;
    window.wait_visible(&format!("{detail} .pay-form"))?;
    choose(&window, &format!("{detail} .pay-method"), "cheque")?;
    // A typo is said in the form; nothing is sent.
    window.type_into(&format!("{detail} .pay-amount"), "cent vingt")?;
    window.click(&format!("{detail} .record-payment"))?;
    window.wait_visible(&format!("{detail} .pay-form .result.refused"))?;
    window.type_into(&format!("{detail} .pay-amount"), "120,50")?;
    window.type_into(&format!("{detail} .pay-reference"), "CHQ 0000042")?;
    window.screenshot("93-office-cheque")?;
    window.click(&format!("{detail} .record-payment"))?;
    window.wait_js(
        "the request shown as paid",
        "const r = document.querySelector(`#registrations tr[data-id='${arguments[0]}']`); return r && r.dataset.payment === 'confirmed';",
        json!([unpaid]),
    )?;
    window.click(&format!("{row} .confirm-place"))?;
    // Confirmed (it leaves the inbox), or waitlisted when the group is full:
    // either way the payment gate let it through.
    window.wait_js(
        "the paid request to pass the payment gate",
        "const r = document.querySelector(`#registrations tr[data-id='${arguments[0]}']`); \
         return !r || r.dataset.status === 'waitlisted';",
        json!([unpaid]),
    )?;
    window.screenshot("94-office-cheque-confirmed")?;
    window.close()?;

    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let admin: String = staff::table
        .filter(staff::username.eq(ADMIN.0))
        .select(staff::id)
        .first(conn)?;
    let recorded: Vec<(String, i64, String, String, Option<String>)> = payments::table
        .filter(payments::enrolment_id.eq(&unpaid))
        .filter(payments::method.eq("cheque"))
        .select((
            payments::status,
            payments::amount_cents,
            payments::processor_ref,
            payments::method,
            payments::recorded_by,
        ))
        .load(conn)?;
    ensure!(
        recorded
            == vec![(
                "confirmed".to_owned(),
                12_050,
                "CHQ 0000042".to_owned(),
                "cheque".to_owned(),
                Some(admin)
            )],
        "one cheque, as typed, recorded by the office: {recorded:?}"
    );
    let status: String = enrolments::table
        .find(&unpaid)
        .select(enrolments::status)
        .first(conn)?;
    ensure!(
        status == "confirmed" || status == "waitlisted",
        "the gate let the paid request through without a waiver: {status}"
    );
    let waiver: Option<String> = enrolments::table
        .find(&unpaid)
        .select(enrolments::waiver_reason)
        .first(conn)?;
    ensure!(waiver.is_none());
    Ok(())
}
