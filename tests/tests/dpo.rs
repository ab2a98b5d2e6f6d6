//! The DPO's rights desk in the real window (issue 4): an access request
//! registered, identity checked, exported through the native dialog and
//! answered (POL-23, POL-27, POL-38); an erasure request registered and run,
//! with the decrypted pages proving nothing of the person is left (POL-25).

use anyhow::{ensure, Context, Result};
use diesel::prelude::*;
use e2e::{enabled, AppDirs, Window};
use serde_json::{json, Value};
use store::schema::{enrolments, participants, rights_request_actions, rights_requests};

const DPO: (&str, &str) = ("dpo", "demo-dpo");

/// A confirmed participant of the demo: (id, given, family, email, phone).
type Person = (String, String, String, String, Option<String>);

fn confirmed_person(dirs: &AppDirs, skip: usize) -> Result<Person> {
    let mut store = dirs.open_store()?;
    let person = participants::table
        .inner_join(enrolments::table)
        .filter(enrolments::status.eq("confirmed"))
        .order(participants::email)
        .select((
            participants::id,
            participants::given_name,
            participants::family_name,
            participants::email,
            participants::phone,
        ))
        .offset(skip as i64)
        .first(store.connection())?;
    Ok(person)
}

/// Registers a request of `kind` for `person` through the form, opens it and
/// checks the identity.
fn register_and_check(window: &Window, person: &Person, kind: &str) -> Result<()> {
    window.click("#tab-requests")?;
    window.wait_visible("#request-register")?;
    window.type_into("#request-person-search", &person.3)?;
    window.wait_js(
        "the person in the search results",
        "return [...document.querySelectorAll('#request-person option')].some(o => o.value === arguments[0]);",
        json!([person.0]),
    )?;
    window.js(
        "const s = document.getElementById('request-person'); s.value = arguments[0]; \
         const k = document.getElementById('request-kind'); k.value = arguments[1]; \
         k.dispatchEvent(new Event('change'));",
        json!([person.0, kind]),
    )?;
    window.click("#request-register")?;
    window.wait_visible("#identity-method")?;
    window.type_into(
        "#identity-method",
        "Réponse depuis l'adresse e-mail du compte",
    )?;
    window.click("#identity-check")?;
    window.wait_js(
        "the identity check in the log",
        "const s = document.getElementById('request-status'); \
         return s && s.textContent.includes('Identité vérifiée');",
        json!([]),
    )?;
    Ok(())
}

fn request_log(dirs: &AppDirs, person: &str) -> Result<(String, Vec<String>)> {
    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let (id, status): (String, String) = rights_requests::table
        .filter(rights_requests::participant_id.eq(person))
        .order(rights_requests::updated_at.desc())
        .select((rights_requests::id, rights_requests::status))
        .first(conn)?;
    let actions = rights_request_actions::table
        .filter(rights_request_actions::request_id.eq(&id))
        .order(rights_request_actions::at)
        .select(rights_request_actions::action)
        .load(conn)?;
    Ok((status, actions))
}

#[test]
fn pol_23_pol_38_dpo_registers_an_access_request_checks_identity_exports_and_answers() -> Result<()>
{
    if !enabled("the access request test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let person = confirmed_person(&dirs, 0)?;
    let target = dirs.data.parent().unwrap().join("export").join("acces.zip");
    std::fs::create_dir_all(target.parent().unwrap())?;
    // An American English desktop: the window stays French, dates jj/mm/aaaa.
    std::env::set_var("LANG", "en_US.UTF-8");
    let window = Window::launch(&dirs)?;
    std::env::remove_var("LANG");
    window.sign_in(DPO.0, DPO.1)?;
    window.wait_visible("#rights-requests tbody tr[data-id]")?;
    window.screenshot("40-dpo-requests-register")?;
    // The date of receipt follows the app's language, not the OS locale
    // (here American English): today, then 7 December 2026, read jj/mm/aaaa.
    let today = chrono::TimeZone::from_utc_datetime(
        &chrono_tz::Europe::Paris,
        &chrono::Utc::now().naive_utc(),
    )
    .date_naive();
    let shown = window.js(
        "const i = document.getElementById('request-received'); return [i.value, i.placeholder];",
        json!([]),
    )?;
    ensure!(
        shown == json!([today.format("%d/%m/%Y").to_string(), "jj/mm/aaaa"]),
        "the date of receipt is today, as jj/mm/aaaa: {shown}"
    );
    // A date that does not exist is refused with a clear message, before the core.
    window.type_into("#request-received", "31/02/2026")?;
    window.click("#request-register")?;
    window.type_into("#request-person-search", &person.3)?;
    window.wait_js(
        "the person in the search results",
        "return [...document.querySelectorAll('#request-person option')].some(o => o.value === arguments[0]);",
        json!([person.0]),
    )?;
    window.click("#request-register")?;
    let invalid = window.wait_js(
        "the invalid date said",
        "const e = document.getElementById('request-received-error'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        invalid
            .as_str()
            .unwrap_or_default()
            .starts_with("Date invalide"),
        "an impossible date is refused in the window: {invalid}"
    );
    window.screenshot("40b-dpo-request-invalid-date")?;
    window.type_into("#request-received", "07/12/2026")?;
    register_and_check(&window, &person, "access")?;
    let received = window.text("#request-received-on")?;
    ensure!(
        received == "7 décembre 2026",
        "the request was received on 7 December 2026: {received}"
    );
    // In English, the same date in English words; back to French.
    window.click("#lang-toggle")?;
    let english = window.wait_js(
        "the English date",
        "const e = document.getElementById('request-received-on'); \
         return document.documentElement.lang === 'en' && e ? e.textContent : null;",
        json!([]),
    )?;
    window.click("#lang-toggle")?;
    ensure!(
        english == json!("7 December 2026"),
        "the English window says: {english}"
    );
    window.screenshot("41-dpo-access-request-identity-checked")?;

    let answer = e2e::answer_file_dialog("Enregistrer la réponse à la demande d'accès", &target);
    window.click("#request-export")?;
    answer.join().expect("dialog thread")?;
    window.wait_js(
        "the export in the request's log",
        "return [...document.querySelectorAll('#request-log td')].some(td => td.textContent === 'Données exportées');",
        json!([]),
    )?;
    window.type_into("#answer-note", "Envoyé par e-mail chiffré")?;
    window.click("#request-answer")?;
    let status = window.wait_js(
        "the request answered",
        "const s = document.getElementById('request-status'); \
         return s && s.textContent === 'Répondue' ? s.textContent : null;",
        json!([]),
    )?;
    window.screenshot("42-dpo-access-request-answered")?;
    window.close()?;
    ensure!(status == Value::from("Répondue"));

    // The zip holds everything, readable: JSON with the person, the French summary.
    let bytes = std::fs::read(&target).context("the zip was written")?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut json_text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("donnees.json")?, &mut json_text)?;
    ensure!(
        json_text.contains(&person.3),
        "the export holds the person's data"
    );
    let mut html = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("synthese.html")?, &mut html)?;
    ensure!(html.contains("CNIL"), "the summary names the CNIL (POL-28)");
    ensure!(
        archive.by_name("csv/attendance.csv").is_ok(),
        "one CSV per category"
    );

    let (status, actions) = request_log(&dirs, &person.0)?;
    ensure!(status == "answered", "stored status {status}");
    let received_at: chrono::NaiveDateTime = {
        let mut store = dirs.open_store()?;
        rights_requests::table
            .filter(rights_requests::participant_id.eq(&person.0))
            .select(rights_requests::received_at)
            .first(store.connection())?
    };
    ensure!(
        received_at.date() == chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        "received on 2026-12-07: {received_at}"
    );
    ensure!(
        actions == ["registered", "identity_checked", "exported", "answered"],
        "every action logged: {actions:?}"
    );
    Ok(())
}

#[test]
fn pol_25_dpo_registers_an_erasure_and_runs_it_leaving_no_byte_of_the_person() -> Result<()> {
    if !enabled("the erasure test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let person = confirmed_person(&dirs, 3)?;
    let certificate = dirs
        .data
        .parent()
        .unwrap()
        .join("export")
        .join("attestation.html");
    std::fs::create_dir_all(certificate.parent().unwrap())?;
    let window = Window::launch(&dirs)?;
    window.sign_in(DPO.0, DPO.1)?;
    register_and_check(&window, &person, "erasure")?;
    window.click("#request-erase")?;
    // The in-page confirmation: "Annuler" has the focus, the DPO confirms.
    window.wait_visible("#confirm-dialog #confirm-yes")?;
    let question = window.text("#confirm-message")?;
    ensure!(question.contains("irréversible"), "{question}");
    window.screenshot("43a-dpo-erasure-confirm")?;
    window.click("#confirm-yes")?;
    let summary = window.wait_js(
        "the erasure certificate",
        "const s = document.getElementById('erasure-summary'); return s ? s.textContent : null;",
        json!([]),
    )?;
    let residual = window.text("#erasure-residual")?;
    // The page-level check runs in the background (`task` events) and says
    // its result under the certificate and in the line under the header.
    let deep = window.wait_js(
        "the background page check",
        "const e = document.getElementById('erasure-deep'); \
         return e && e.dataset.state === 'done' ? e.textContent : null;",
        json!([]),
    )?;
    let task = window.text("#tasks .task-done")?;
    window.screenshot("43-dpo-erasure-certificate")?;
    let answer = e2e::answer_file_dialog("Enregistrer l'attestation d'effacement", &certificate);
    window.click("#save-certificate")?;
    answer.join().expect("dialog thread")?;
    window.wait_js(
        "the certificate saved",
        "return document.getElementById('status').textContent.includes('Attestation enregistrée');",
        json!([]),
    )?;
    window.close()?;
    ensure!(
        summary
            .as_str()
            .unwrap_or_default()
            .contains(": 0 occurrence"),
        "the window says nothing is left: {summary}"
    );
    ensure!(
        residual.starts_with("Vérification ciblée : 0 occurrence"),
        "{residual}"
    );
    ensure!(
        deep.as_str()
            .unwrap_or_default()
            .starts_with("Vérification complète : 0 occurrence"),
        "the page check found nothing: {deep}"
    );
    ensure!(
        task.contains("terminée : 0 occurrence"),
        "the background task is reported: {task}"
    );

    let html = std::fs::read_to_string(&certificate)?;
    ensure!(html.contains("Attestation"), "the certificate was saved");
    ensure!(!html.contains(&person.3), "the certificate names no one");

    // The person is gone from the store, and from its decrypted pages.
    let mut store = dirs.open_store()?;
    let left: i64 = participants::table
        .filter(participants::id.eq(&person.0))
        .count()
        .get_result(store.connection())?;
    ensure!(left == 0, "the participant row is gone");
    store.checkpoint()?;
    let full_name = format!("{} {}", person.1, person.2);
    let stored_name = format!("{}{}", person.1, person.2);
    let mut needles = vec![
        pagescan::Needle {
            label: "e-mail",
            bytes: person.3.as_bytes(),
        },
        pagescan::Needle {
            label: "full name",
            bytes: full_name.as_bytes(),
        },
        pagescan::Needle {
            label: "stored name",
            bytes: stored_name.as_bytes(),
        },
    ];
    if let Some(phone) = &person.4 {
        needles.push(pagescan::Needle {
            label: "phone",
            bytes: phone.as_bytes(),
        });
    }
    let report = store.scan_pages(&needles)?;
    ensure!(report.main_pages > 50, "the whole file was read");
    ensure!(report.hits.is_empty(), "residue: {:?}", report.hits);
    drop(store);
    let (status, actions) = request_log(&dirs, &person.0).unwrap_or_default();
    ensure!(
        status.is_empty() && actions.is_empty(),
        "the register no longer names the person"
    );
    Ok(())
}

#[test]
fn pol_7_pol_26_dpo_records_a_consent_and_an_unsubscribe_on_the_profile() -> Result<()> {
    use store::schema::consents;
    if !enabled("the consents test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let person = confirmed_person(&dirs, 5)?;
    let window = Window::launch(&dirs)?;
    window.sign_in(DPO.0, DPO.1)?;
    window.click("#tab-participants")?;
    window.type_into("#participant-search", &person.3)?;
    window.wait_visible(&format!(
        "#participants tr[data-id=\"{}\"] .open-profile",
        person.0
    ))?;
    window.click(&format!(
        "#participants tr[data-id=\"{}\"] .open-profile",
        person.0
    ))?;
    window.wait_visible("#preferences #consents")?;
    // Studies: record the consent, given by post.
    window.js(
        "document.getElementById('consent-source').value = 'post'; return true;",
        json!([]),
    )?;
    window.click("#consents tr[data-purpose='studies'] .consent-toggle")?;
    window.wait_js(
        "the consent in the history",
        "const h = document.getElementById('consent-history'); \
         return h && h.textContent.includes('Études : Donné');",
        json!([]),
    )?;
    let unsubscribed_before = window.text("#marketing-state")?;
    if window
        .js(
            "return Boolean(document.getElementById('profile-unsubscribe'));",
            json!([]),
        )?
        .as_bool()
        .unwrap_or(false)
    {
        window.click("#profile-unsubscribe")?;
        window.wait_js(
            "the unsubscribe shown",
            "const m = document.getElementById('marketing-state'); \
             return m && m.textContent === 'Désinscrit·e';",
            json!([]),
        )?;
    }
    window.js(
        "document.getElementById('preferences').scrollIntoView(); return true;",
        json!([]),
    )?;
    window.screenshot("44-dpo-profile-consents")?;
    window.close()?;
    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let studies: Vec<(bool, String)> = consents::table
        .filter(consents::participant_id.eq(&person.0))
        .filter(consents::purpose.eq("studies"))
        .select((consents::granted, consents::source))
        .load(conn)?;
    ensure!(
        studies == [(true, "post".to_owned())],
        "the consent is stored with its source: {studies:?}"
    );
    let opted_out: bool = participants::table
        .find(&person.0)
        .select(participants::marketing_opt_out)
        .first(conn)?;
    ensure!(opted_out, "unsubscribed (was: {unsubscribed_before})");
    Ok(())
}

#[test]
fn role_4_dpo_renews_the_support_access_for_48_hours() -> Result<()> {
    use store::schema::assistance_requests;
    if !enabled("the assistance renewal test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let before: chrono::NaiveDateTime = {
        let mut store = dirs.open_store()?;
        assistance_requests::table
            .select(assistance_requests::expires_at)
            .first(store.connection())?
    };
    let window = Window::launch(&dirs)?;
    window.sign_in(DPO.0, DPO.1)?;
    window.wait_visible("#assistance tbody tr[data-id] .renew-assistance")?;
    window.click("#assistance tbody tr[data-id] .renew-assistance")?;
    window.wait_js(
        "the renewal said",
        "return document.getElementById('status').textContent.includes('Accès prolongé');",
        json!([]),
    )?;
    window.js(
        "document.getElementById('assistance').scrollIntoView(); return true;",
        json!([]),
    )?;
    window.screenshot("45-dpo-support-access-renewed")?;
    window.close()?;
    let mut store = dirs.open_store()?;
    let after: chrono::NaiveDateTime = assistance_requests::table
        .select(assistance_requests::expires_at)
        .first(store.connection())?;
    ensure!(
        after - before == chrono::Duration::hours(48),
        "renewed for 48 hours from its expiry: {before} -> {after}"
    );
    Ok(())
}

#[test]
fn pol_24_pol_26_dpo_rectifies_a_field_and_decides_an_objection_in_the_window() -> Result<()> {
    if !enabled("the rectification and objection test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let person = confirmed_person(&dirs, 7)?;
    let window = Window::launch(&dirs)?;
    window.sign_in(DPO.0, DPO.1)?;
    // Rectification: the phone number, logged by field name only.
    register_and_check(&window, &person, "rectification")?;
    window.js(
        "document.getElementById('rectify-field').value = 'phone'; return true;",
        json!([]),
    )?;
    window.type_into("#rectify-value", "01 23 45 67 89")?;
    window.click("#rectify-apply")?;
    window.wait_js(
        "the correction in the log",
        "return [...document.querySelectorAll('#request-log td')].some(td => td.textContent === 'Champ corrigé');",
        json!([]),
    )?;
    let log = window.text("#request-log")?;
    window.screenshot("46-dpo-rectified")?;
    ensure!(!log.contains("01 23 45 67 89"), "the log holds no value");
    // Objection to module suggestions, accepted.
    window.click("#request-back")?;
    register_and_check(&window, &person, "objection")?;
    window.click("#objection-accept")?;
    window.wait_js(
        "the decision in the log",
        "return [...document.querySelectorAll('#request-log td')].some(td => td.textContent === 'Opposition acceptée');",
        json!([]),
    )?;
    window.screenshot("47-dpo-objection-accepted")?;
    window.close()?;
    let mut store = dirs.open_store()?;
    let (phone, objects): (Option<String>, bool) = participants::table
        .find(&person.0)
        .select((participants::phone, participants::objects_to_suggestions))
        .first(store.connection())?;
    ensure!(
        phone.as_deref() == Some("01 23 45 67 89"),
        "the phone is corrected"
    );
    ensure!(objects, "suggestions stop for this person");
    Ok(())
}
