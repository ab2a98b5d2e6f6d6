//! The real window, driven through tauri-driver under Xvfb, on demo data in a
//! real SQLCipher store whose key is in the real Secret Service.
//!
//! Run by the README's test command (`MONIRAVIQUE_E2E=1`, one test at a time).

use anyhow::{ensure, Result};
use diesel::prelude::*;
use e2e::{contains_bytes, enabled, files_under, AppDirs, Window};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use store::schema::{enrolments, participants, staff, workshop_groups};

const TRAINER_A: (&str, &str) = ("formatrice.a", "demo-formatrice-a");
const TRAINER_B: (&str, &str) = ("formateur.b", "demo-formateur-b");
const DPO: (&str, &str) = ("dpo", "demo-dpo");
const ADMIN: (&str, &str) = ("admin.lemans", "demo-admin-lemans");

/// The participant ids listed in the window's participant table.
fn listed_ids(window: &Window) -> Result<BTreeSet<String>> {
    window.wait_js(
        "participant rows",
        "return document.querySelectorAll('#participants tbody tr[data-id]').length > 0;",
        json!([]),
    )?;
    let ids = window.js(
        "return [...document.querySelectorAll('#participants tbody tr[data-id]')]\
         .map(r => r.dataset.id);",
        json!([]),
    )?;
    Ok(ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect())
}

/// The participants a trainer leads, read from the decrypted store (ROLE-1:
/// confirmed enrolments in the groups they lead).
fn led_by(conn: &mut SqliteConnection, username: &str) -> Result<BTreeSet<String>> {
    let trainer: String = staff::table
        .filter(staff::username.eq(username))
        .select(staff::id)
        .first(conn)?;
    let ids: Vec<String> = enrolments::table
        .inner_join(workshop_groups::table)
        .filter(workshop_groups::trainer_id.eq(trainer))
        .filter(enrolments::status.eq("confirmed"))
        .select(enrolments::participant_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

#[test]
fn role_1_trainers_see_only_their_participants_and_pol_21_dpo_sees_the_audited_views() -> Result<()>
{
    if !enabled("the window test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;

    // French by default, demo accounts listed on the sign-in screen.
    window.wait_visible("#signin-form")?;
    ensure!(
        window.js("return document.documentElement.lang;", json!([]))? == json!("fr"),
        "the window opens in French"
    );
    let demo_accounts = window.js(
        "return [...document.querySelectorAll('.demo-account')].map(b => b.dataset.username);",
        json!([]),
    )?;
    ensure!(
        demo_accounts.as_array().map_or(0, Vec::len) == store::seed::DEMO_ACCOUNTS.len(),
        "every demo account is offered on the sign-in screen: {demo_accounts}"
    );
    window.screenshot("01-sign-in")?;

    // POL-18: a wrong password is refused with a clear message.
    window.type_into("#username", TRAINER_A.0)?;
    window.type_into("#password", "not-the-password")?;
    window.click("#sign-in")?;
    let refused = window.wait_js(
        "the refusal",
        "const e = document.getElementById('error'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        refused.as_str().unwrap_or_default().contains("incorrect"),
        "a wrong password says so: {refused}"
    );

    // Trainer A: their participants, then one profile.
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.click("#tab-participants")?;
    let seen_by_a = listed_ids(&window)?;
    window.screenshot("02-trainer-a-participants")?;
    let opened = seen_by_a
        .iter()
        .next()
        .cloned()
        .expect("trainer A has participants");
    window.click(&format!(
        "#participants tr[data-id=\"{opened}\"] .open-profile"
    ))?;
    window.wait_js(
        "the profile title",
        "const e = document.getElementById('profile-title'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    window.screenshot("03-trainer-a-profile")?;
    window.sign_out()?;

    // Trainer B: their own participants, none of A's, even by searching a
    // family name of one of A's participants.
    window.sign_in(TRAINER_B.0, TRAINER_B.1)?;
    window.click("#tab-participants")?;
    let seen_by_b = listed_ids(&window)?;
    window.screenshot("04-trainer-b-participants")?;
    window.sign_out()?;

    // Administrator: groups with headcount and capacity.
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-groups")?;
    window.wait_js(
        "group rows",
        "return document.querySelectorAll('#groups tbody tr[data-id]').length === 8;",
        json!([]),
    )?;
    window.screenshot("05-admin-groups")?;
    window.sign_out()?;

    // DPO: the audit trail shows those views, and the chain verifies.
    window.sign_in(DPO.0, DPO.1)?;
    // The DPO lands on the rights requests; the audit trail is its own tab.
    window.click("#tab-audit")?;
    window.wait_js(
        "the verified chain",
        "const e = document.getElementById('audit-status'); return e && e.classList.contains('ok');",
        json!([]),
    )?;
    window.wait_js(
        "audit rows",
        "return document.querySelectorAll('#audit tbody tr[data-seq]').length > 0;",
        json!([]),
    )?;
    let rows = window.js(
        "return [...document.querySelectorAll('#audit tbody tr[data-seq]')].map(r => \
           [...r.cells].map(c => c.textContent.trim()));",
        json!([]),
    )?;
    // POL-21: the server's anomaly alerts head the tab; this laptop has
    // never synced, so the core answered an empty list.
    window.wait_js(
        "the alerts section",
        "const e = document.getElementById('alerts-none'); \
         return !!e && e.textContent.includes('Aucune alerte');",
        json!([]),
    )?;
    window.screenshot("06-dpo-audit")?;
    window.close()?;

    // What the store says each trainer leads.
    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let led_by_a = led_by(conn, TRAINER_A.0)?;
    let led_by_b = led_by(conn, TRAINER_B.0)?;
    ensure!(
        !led_by_a.is_empty() && !led_by_b.is_empty(),
        "both trainers lead people"
    );
    ensure!(
        seen_by_a == led_by_a,
        "trainer A sees exactly the people of their groups"
    );
    ensure!(
        seen_by_b == led_by_b,
        "trainer B sees exactly the people of their groups"
    );
    ensure!(
        seen_by_a.is_disjoint(&seen_by_b),
        "no participant of trainer A is shown to trainer B"
    );

    // The audit rows (columns: seq, time, actor, device, action, participant, outcome).
    let rows: Vec<Vec<String>> = serde_json::from_value(rows)?;
    let entries = |actor: &str, action: &str| -> BTreeSet<String> {
        rows.iter()
            .filter(|r| r[2] == actor && r[4] == action)
            .map(|r| r[5].clone())
            .collect()
    };
    ensure!(
        entries(TRAINER_A.0, "participant.profile.read").contains(&opened),
        "the DPO sees trainer A's profile read, by participant id"
    );
    ensure!(
        entries(TRAINER_A.0, "participant.list") == seen_by_a,
        "every participant shown to trainer A has its audit entry"
    );
    ensure!(
        entries(TRAINER_B.0, "participant.list") == seen_by_b,
        "every participant shown to trainer B has its audit entry"
    );
    ensure!(
        rows.iter()
            .any(|r| r[2] == TRAINER_A.0 && r[4] == "auth.sign_in" && r[6] == "Refusé"),
        "the refused sign-in is in the trail"
    );
    Ok(())
}

#[test]
fn role_1_search_never_reaches_another_trainers_participant() -> Result<()> {
    if !enabled("the search test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    // Pick a participant of trainer B who is not trainer A's.
    let (family, b_only) = {
        let mut store = dirs.open_store()?;
        let conn = store.connection();
        let a = led_by(conn, TRAINER_A.0)?;
        let b = led_by(conn, TRAINER_B.0)?;
        let target = b
            .difference(&a)
            .next()
            .cloned()
            .expect("B leads someone A does not");
        let family: String = participants::table
            .find(&target)
            .select(participants::family_name)
            .first(conn)?;
        (family, target)
    };
    let window = Window::launch(&dirs)?;
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.click("#tab-participants")?;
    listed_ids(&window)?;
    window.type_into("#participant-search", &family)?;
    // The list settles on the search result: either rows of A's own people
    // sharing that family name, or the empty state.
    let shown = window.wait_js(
        "the search result",
        "const body = document.querySelector('#participants tbody'); \
         if (!body || !document.getElementById('participant-search').value) return null; \
         const rows = [...body.querySelectorAll('tr[data-id]')].map(r => r.dataset.id); \
         const empty = body.querySelector('tr:not([data-id])'); \
         return rows.length || (empty && !/Chargement|Loading/.test(empty.textContent)) ? rows : null;",
        json!([]),
    )?;
    window.screenshot("07-trainer-a-search-other")?;
    window.close()?;
    let shown: Vec<String> = serde_json::from_value(shown)?;
    ensure!(
        !shown.contains(&b_only),
        "searching another trainer's participant by name finds nothing of theirs"
    );
    let mut store = dirs.open_store()?;
    let a = led_by(store.connection(), TRAINER_A.0)?;
    ensure!(
        shown.iter().all(|id| a.contains(id)),
        "every search hit belongs to trainer A"
    );
    Ok(())
}

#[test]
fn dc_3_missing_key_shows_a_clear_error_and_leaves_the_database_untouched() -> Result<()> {
    if !enabled("the missing-key test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let before = std::fs::read(dirs.db_path())?;
    desktop_lib::keystore::delete(&dirs.db_path())?;
    let window = Window::launch(&dirs)?;
    window.wait_visible("#store-error")?;
    let code = window.text("#store-error-code")?;
    let text = window.text("#store-error-text")?;
    window.screenshot("08-missing-key")?;
    window.close()?;
    ensure!(
        code.contains("key_missing"),
        "the error names its code: {code}"
    );
    ensure!(!text.trim().is_empty(), "the error is explained in words");
    ensure!(
        std::fs::read(dirs.db_path())? == before,
        "the database file is byte for byte as it was"
    );
    ensure!(
        desktop_lib::keystore::account_for(&dirs.db_path()).starts_with("store-key:"),
        "sanity"
    );
    Ok(())
}

#[test]
fn dc_2_pol_19_no_personal_data_in_the_files_or_logs_after_a_session() -> Result<()> {
    if !enabled("the leak test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    // A scripted session touching every screen.
    let window = Window::launch(&dirs)?;
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    window.click("#tab-participants")?;
    let ids = listed_ids(&window)?;
    let first = ids.iter().next().cloned().expect("participants");
    window.click(&format!(
        "#participants tr[data-id=\"{first}\"] .open-profile"
    ))?;
    window.wait_visible("#profile-title")?;
    window.sign_out()?;
    window.sign_in(DPO.0, DPO.1)?;
    // The DPO lands on the rights requests; the audit trail is its own tab.
    window.click("#tab-audit")?;
    window.wait_js(
        "the verified chain",
        "const e = document.getElementById('audit-status'); return e && e.classList.contains('ok');",
        json!([]),
    )?;
    window.click("#tab-participants")?;
    listed_ids(&window)?;
    window.close()?;

    // The personal strings, read from the decrypted store itself.
    let mut needles: Vec<String> = Vec::new();
    {
        let mut store = dirs.open_store()?;
        let rows: Vec<(String, String, String, Option<String>)> = participants::table
            .select((
                participants::given_name,
                participants::family_name,
                participants::email,
                participants::phone,
            ))
            .load(store.connection())?;
        ensure!(rows.len() >= 50, "the demo has its families");
        for (given, family, email, phone) in rows {
            needles.push(format!("{given} {family}"));
            needles.push(family);
            needles.push(email);
            needles.extend(phone);
            // Short first names could match random ciphertext by chance.
            if given.len() >= 6 {
                needles.push(given);
            }
        }
    }
    needles.sort();
    needles.dedup();

    // Raw bytes as they sit on disk, with whatever the app left behind.
    let db = dirs.db_path();
    let mut files = vec![db.clone()];
    for suffix in ["-wal", "-shm"] {
        let path = db.with_file_name(format!("moniravique.db{suffix}"));
        if path.exists() {
            files.push(path);
        }
    }
    let logs = files_under(&dirs.logs);
    ensure!(!logs.is_empty(), "the app wrote its logs where it was told");
    files.extend(logs);
    for file in &files {
        let bytes = std::fs::read(file)?;
        for needle in &needles {
            ensure!(
                !contains_bytes(&bytes, needle.as_bytes()),
                "{} holds a seeded personal string ({} bytes long)",
                file.file_name().unwrap_or_default().to_string_lossy(),
                needle.len()
            );
        }
    }

    // Positive control: the same search finds the strings in a plain copy,
    // so the check above can fail.
    let plain = dirs.data.join("plain-copy.db");
    {
        let mut store = dirs.open_store()?;
        diesel::sql_query(format!(
            "ATTACH DATABASE '{}' AS plain KEY ''",
            plain.display()
        ))
        .execute(store.connection())?;
        diesel::sql_query("SELECT sqlcipher_export('plain')").execute(store.connection())?;
        diesel::sql_query("DETACH DATABASE plain").execute(store.connection())?;
    }
    let clear = std::fs::read(&plain)?;
    std::fs::remove_file(&plain)?;
    let found = needles
        .iter()
        .filter(|n| contains_bytes(&clear, n.as_bytes()))
        .count();
    ensure!(
        found * 2 > needles.len(),
        "the search finds the strings in an unencrypted copy ({found} of {})",
        needles.len()
    );
    Ok(())
}

#[test]
fn role_1_pol_9_trainer_prepares_a_session_and_adds_a_progress_note() -> Result<()> {
    if !enabled("the session preparation test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(TRAINER_A.0, TRAINER_A.1)?;
    // "Mes séances" is the trainer's first tab.
    window.wait_visible("#sessions tbody tr[data-id] .open-sheet")?;
    window.screenshot("09-trainer-sessions")?;
    window.click("#sessions tbody tr[data-id] .open-sheet")?;
    window.wait_visible("#sheet-title")?;
    let person = window.js(
        "return document.querySelector('.sheet-entry').dataset.participant;",
        json!([]),
    )?;
    let person = person.as_str().unwrap_or_default().to_owned();
    const NOTE: &str = "Prend la parole plus facilement (note e2e fictive).";
    window.type_into(".sheet-entry .note-body", NOTE)?;
    window.click(".sheet-entry .add-note")?;
    window.wait_js(
        "the new note in the sheet",
        "const e = document.querySelector('.sheet-entry'); \
         return e && [...e.querySelectorAll('li[data-note] .text')].some(n => n.textContent === arguments[0]);",
        json!([NOTE]),
    )?;
    window.screenshot("10-trainer-note-added")?;
    // Attendance of their own session (ROLE-1).
    window.click(".sheet-entry .attendance-toggle")?;
    window.wait_js(
        "the presence to be saved",
        "const e = document.querySelector('.sheet-entry .attendance-toggle'); return e && e.checked;",
        json!([]),
    )?;
    window.close()?;

    use store::schema::{audit_log, progress_notes, staff};
    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let author: String = staff::table
        .filter(staff::username.eq(TRAINER_A.0))
        .select(staff::id)
        .first(conn)?;
    let saved: Vec<(String, String)> = progress_notes::table
        .filter(progress_notes::body.eq(NOTE))
        .select((progress_notes::participant_id, progress_notes::author_id))
        .load(conn)?;
    ensure!(
        saved == vec![(person.clone(), author)],
        "the note is stored once, for that person, by trainer A"
    );
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("progress_note.add"))
        .filter(audit_log::participant_id.eq(&person))
        .count()
        .get_result(conn)?;
    ensure!(audited == 1, "the note is in the audit trail");
    let present: i64 = store::schema::attendance::table
        .filter(store::schema::attendance::participant_id.eq(&person))
        .filter(store::schema::attendance::updated_device.ne(""))
        .inner_join(store::schema::sessions::table)
        .filter(store::schema::sessions::starts_at.gt(chrono::Utc::now().naive_utc()))
        .count()
        .get_result(conn)?;
    ensure!(present == 1, "the presence ticked in the sheet is stored");
    Ok(())
}

#[test]
fn pol_10_admin_confirms_a_paid_place_and_is_refused_an_unpaid_one() -> Result<()> {
    if !enabled("the place confirmation test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.wait_visible("#registrations tbody tr[data-id]")?;
    let pick = |payment: &str| -> Result<String> {
        let id = window.js(
            "const r = document.querySelector(`#registrations tr[data-status='requested'][data-payment='${arguments[0]}']`); \
             return r ? r.dataset.id : null;",
            json!([payment]),
        )?;
        Ok(id.as_str().unwrap_or_default().to_owned())
    };
    let unpaid = pick("pending")?;
    let paid = pick("confirmed")?;
    ensure!(
        !unpaid.is_empty() && !paid.is_empty(),
        "the demo inbox has paid and unpaid requests"
    );
    window.screenshot("11-admin-registrations")?;

    // Unpaid, no waiver: refused, said in the row.
    window.click(&format!(
        "#registrations tr[data-id='{unpaid}'] .confirm-place"
    ))?;
    let refusal = window.wait_js(
        "the refusal",
        "const r = document.querySelector(`#registrations tr[data-id='${arguments[0]}'] .result.refused`); \
         return r && r.textContent.trim() || null;",
        json!([unpaid]),
    )?;
    ensure!(
        refusal
            .as_str()
            .unwrap_or_default()
            .contains("Paiement non confirmé"),
        "the refusal says why: {refusal}"
    );
    window.screenshot("12-admin-unpaid-refused")?;

    // Paid: confirmed, and it leaves the inbox.
    window.click(&format!(
        "#registrations tr[data-id='{paid}'] .confirm-place"
    ))?;
    window.wait_js(
        "the confirmed request to leave the inbox",
        "return !document.querySelector(`#registrations tr[data-id='${arguments[0]}']`);",
        json!([paid]),
    )?;
    window.screenshot("13-admin-paid-confirmed")?;
    window.close()?;

    use store::schema::enrolments;
    let mut store = dirs.open_store()?;
    let status = |conn: &mut SqliteConnection, id: &str| -> Result<String> {
        Ok(enrolments::table
            .find(id)
            .select(enrolments::status)
            .first(conn)?)
    };
    ensure!(
        status(store.connection(), &paid)? == "confirmed",
        "the paid place is confirmed"
    );
    ensure!(
        status(store.connection(), &unpaid)? == "requested",
        "the unpaid request is unchanged"
    );
    Ok(())
}

/// The confirmed participants (id, e-mail, phone) of a group, from the store.
fn group_people(dirs: &AppDirs, group: &str) -> Result<Vec<(String, String, Option<String>)>> {
    use store::schema::enrolments;
    let mut store = dirs.open_store()?;
    Ok(enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq("confirmed"))
        .select((participants::id, participants::email, participants::phone))
        .load(store.connection())?)
}

#[test]
fn pol_15_dc_7_the_workshop_list_is_saved_through_the_native_dialog() -> Result<()> {
    if !enabled("the list export test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let target = dirs.data.parent().unwrap().join("export").join("liste.csv");
    std::fs::create_dir_all(target.parent().unwrap())?;
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-groups")?;
    window.wait_visible("#groups tbody tr[data-id] .export-list")?;
    let group = window
        .js(
            "return document.querySelector('#groups tbody tr[data-id]').dataset.id;",
            json!([]),
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let answer = e2e::answer_file_dialog("Enregistrer la liste des participants", &target);
    window.click(&format!("#groups tr[data-id='{group}'] .export-list"))?;
    answer.join().expect("dialog thread")?;
    let said = window.wait_js(
        "the export message",
        "const r = document.querySelector(`#groups tr[data-id='${arguments[0]}'] .result`); \
         return r && r.textContent.trim() || null;",
        json!([group]),
    )?;
    window.screenshot("14-admin-list-exported")?;
    window.close()?;
    ensure!(
        said.as_str()
            .unwrap_or_default()
            .contains("Liste enregistrée"),
        "the window says it: {said}"
    );
    let bytes = std::fs::read(&target)?;
    ensure!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with BOM");
    let text = String::from_utf8(bytes[3..].to_vec())?;
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    let people = group_people(&dirs, &group)?;
    ensure!(
        lines[0] == "\"Prénom\";\"Nom\";\"E-mail\"",
        "header: {}",
        lines[0]
    );
    ensure!(
        lines.len() == people.len() + 1,
        "one line per confirmed participant"
    );
    for (id, email, phone) in &people {
        ensure!(text.contains(email.as_str()), "every e-mail is listed");
        ensure!(!text.contains(id.as_str()), "no id in the list");
        if let Some(phone) = phone {
            ensure!(!text.contains(phone.as_str()), "no phone in the list");
        }
    }
    Ok(())
}

#[test]
fn pol_4_dc_7_a_zoom_report_is_imported_through_the_native_dialog_and_a_bad_one_changes_nothing(
) -> Result<()> {
    if !enabled("the report import test") {
        return Ok(());
    }
    use store::schema::{attendance, import_unmatched, sessions};
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    // The first upcoming session (the admin's sessions tab lists them all) and its people.
    let (session, group): (String, String) = {
        let mut store = dirs.open_store()?;
        sessions::table
            .filter(sessions::ends_at.ge(chrono::Utc::now().naive_utc()))
            .order(sessions::starts_at)
            .select((sessions::id, sessions::group_id))
            .first(store.connection())?
    };
    let people = group_people(&dirs, &group)?;
    let folder = dirs.data.parent().unwrap().join("reports");
    std::fs::create_dir_all(&folder)?;
    let good = folder.join("zoom.csv");
    let mut report = String::from(
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
         851 1234 5678,Atelier,11/04/2026 06:30:00 PM,11/04/2026 08:00:00 PM,hote@example.test,90,3\n\n\
         Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n",
    );
    report.push_str(&format!(
        "Personne Fictive A,{},11/04/2026 06:31:00 PM,11/04/2026 07:58:00 PM,87,No\n",
        people[0].1
    ));
    report.push_str(&format!(
        "Personne Fictive B,{},11/04/2026 06:33:00 PM,11/04/2026 07:59:00 PM,86,No\n",
        people[1].1
    ));
    report.push_str("Personne Inconnue,inconnue.fictive@example.test,11/04/2026 06:35:00 PM,11/04/2026 07:50:00 PM,75,Yes\n");
    std::fs::write(&good, &report)?;
    let bad = folder.join("abime.csv");
    std::fs::write(
        &bad,
        format!(
            "{report}Personne Fictive C,{},pas une date,11/04/2026 07:59:00 PM,86,No\n",
            people[2].1
        ),
    )?;

    let count = |dirs: &AppDirs| -> Result<(i64, i64)> {
        let mut store = dirs.open_store()?;
        let conn = store.connection();
        Ok((
            attendance::table.count().get_result(conn)?,
            import_unmatched::table.count().get_result(conn)?,
        ))
    };
    let before = count(&dirs)?;

    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-sessions")?;
    let button = format!("#sessions tr[data-id='{session}'] .import-report");
    window.wait_visible(&button)?;
    // A malformed file first: refused with its line, nothing imported.
    let answer = e2e::answer_file_dialog("Importer un rapport", &bad);
    window.click(&button)?;
    answer.join().expect("dialog thread")?;
    let refusal = window.wait_js(
        "the refusal",
        "const e = document.getElementById('import-error'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    window.screenshot("15-admin-bad-report-refused")?;
    // The refusal is said in French and names the line.
    ensure!(
        refusal
            .as_str()
            .unwrap_or_default()
            .starts_with("Fichier refusé, rien n'a été importé"),
        "the refusal is said: {refusal}"
    );
    ensure!(
        refusal.as_str().unwrap_or_default().contains("ligne 8"),
        "the refusal names the line: {refusal}"
    );
    // Then the good one.
    let answer = e2e::answer_file_dialog("Importer un rapport", &good);
    window.click(&button)?;
    answer.join().expect("dialog thread")?;
    let summary = window.wait_js(
        "the import summary",
        "const e = document.getElementById('import-summary'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    window.wait_visible("#unmatched tbody tr[data-id]")?;
    window.screenshot("16-admin-report-imported")?;
    window.close()?;
    ensure!(
        summary
            .as_str()
            .unwrap_or_default()
            .contains("2 rattachée(s)"),
        "two rows matched: {summary}"
    );
    let after = count(&dirs)?;
    ensure!(
        after == (before.0 + 2, before.1 + 1),
        "two attendance rows and one unmatched row, nothing from the bad file"
    );
    Ok(())
}

#[test]
fn pol_10_admin_runs_balancing_and_applies_it_in_one_step() -> Result<()> {
    if !enabled("the balancing test") {
        return Ok(());
    }
    use store::schema::enrolments;
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-balancing")?;
    window.wait_js(
        "the programmes",
        "return document.querySelectorAll('#balancing-programme option').length > 0;",
        json!([]),
    )?;
    window.click("#balancing-propose")?;
    let score = window.wait_js(
        "the proposal's figures",
        "const e = document.getElementById('balancing-score'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    let programme = window
        .js(
            "return document.getElementById('balancing-programme').value;",
            json!([]),
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let proposed = window.js(
        "return Object.fromEntries([...document.querySelectorAll('#balancing-people tbody tr[data-id]')] \
           .map(r => [r.dataset.id, r.querySelector('select').value]));",
        json!([]),
    )?;
    window.screenshot("17-admin-balancing-proposal")?;
    window.click("#balancing-apply")?;
    let applied = window.wait_js(
        "the result",
        "const e = document.getElementById('balancing-result'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    window.screenshot("18-admin-balancing-applied")?;
    window.close()?;
    ensure!(
        score.as_str().unwrap_or_default().contains("écart"),
        "figures shown: {score}"
    );
    ensure!(
        applied
            .as_str()
            .unwrap_or_default()
            .contains("Répartition appliquée"),
        "{applied}"
    );
    let proposed: std::collections::BTreeMap<String, String> = serde_json::from_value(proposed)?;
    ensure!(!proposed.is_empty(), "the programme had pending requests");
    let mut store = dirs.open_store()?;
    for (enrolment, group) in &proposed {
        let (placed, state): (Option<String>, String) = enrolments::table
            .find(enrolment)
            .select((enrolments::group_id, enrolments::status))
            .first(store.connection())?;
        if group.is_empty() {
            ensure!(
                state == "requested",
                "an unplaced request stays in the inbox"
            );
        } else {
            ensure!(
                placed.as_deref() == Some(group.as_str()),
                "applied as shown"
            );
            ensure!(
                state == "confirmed" || state == "requested",
                "behind the payment gate"
            );
        }
    }
    let _ = programme;
    Ok(())
}

#[test]
fn pol_10_planning_a_clashing_session_is_refused_with_the_clash_named() -> Result<()> {
    if !enabled("the planning clash test") {
        return Ok(());
    }
    use store::schema::sessions;
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    // A future session of some group: adding another one for the same group
    // at the same time books its trainer (and room) twice.
    let (group, title, starts): (String, String, chrono::NaiveDateTime) = {
        let mut store = dirs.open_store()?;
        sessions::table
            .filter(sessions::starts_at.ge(chrono::Utc::now().naive_utc()))
            .order(sessions::starts_at)
            .select((sessions::group_id, sessions::title, sessions::starts_at))
            .first(store.connection())?
    };
    // The day and the time are typed as Paris wall-clock time in the app's
    // format (jj/mm/aaaa, hh:mm), whatever the OS: the app runs in New York.
    std::env::set_var("TZ", "America/New_York");
    let paris = chrono::TimeZone::from_utc_datetime(&chrono_tz::Europe::Paris, &starts);
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-groups")?;
    window.click(&format!("#groups tr[data-id='{group}'] .open-planning"))?;
    let row = format!("#groups tr.planning-row[data-group='{group}']");
    window.wait_visible(&format!("{row} .add-session"))?;
    window.type_into(&format!("{row} .plan-title"), "Séance en double")?;
    window.type_into(
        &format!("{row} .plan-day"),
        &paris.format("%d/%m/%Y").to_string(),
    )?;
    window.type_into(
        &format!("{row} .plan-time"),
        &paris.format("%H:%M").to_string(),
    )?;
    window.click(&format!("{row} .add-session"))?;
    let refusal = window.wait_js(
        "the clash",
        "const r = document.querySelector(arguments[0]); \
         return r && r.classList.contains('refused') && r.textContent.trim() || null;",
        json!([format!("{row} .planning-result")]),
    )?;
    window.screenshot("19-admin-planning-clash")?;
    window.close()?;
    std::env::remove_var("TZ");
    let refusal = refusal.as_str().unwrap_or_default().to_owned();
    ensure!(
        refusal.contains("déjà") && refusal.contains(title.as_str()),
        "the refusal names the other session: {refusal}"
    );
    let mut store = dirs.open_store()?;
    let doubles: i64 = sessions::table
        .filter(sessions::title.eq("Séance en double"))
        .count()
        .get_result(store.connection())?;
    ensure!(doubles == 0, "nothing was added");
    Ok(())
}

#[test]
fn pol_10_admin_moves_a_confirmed_participant_to_another_group() -> Result<()> {
    if !enabled("the move test") {
        return Ok(());
    }
    use store::schema::enrolments;
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(ADMIN.0, ADMIN.1)?;
    window.click("#tab-groups")?;
    window.wait_visible("#groups tbody tr[data-id] .open-planning")?;
    let group = window
        .js(
            "return document.querySelector('#groups tbody tr[data-id]').dataset.id;",
            json!([]),
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    window.click(&format!("#groups tr[data-id='{group}'] .open-planning"))?;
    let members = format!("#groups tr.planning-row[data-group='{group}'] .plan-members");
    window.wait_visible(&format!(
        "{members} tr[data-status='confirmed'] .move-member"
    ))?;
    let (enrolment, target) = {
        let picked = window.js(
            "const r = document.querySelector(arguments[0] + \" tr[data-status='confirmed']\"); \
             return [r.dataset.id, r.querySelector('.move-target').value];",
            json!([members]),
        )?;
        let picked: Vec<String> = serde_json::from_value(picked)?;
        (picked[0].clone(), picked[1].clone())
    };
    window.click(&format!("{members} tr[data-id='{enrolment}'] .move-member"))?;
    let said = window.wait_js(
        "the move result",
        "const r = document.querySelector(arguments[0] + ' .members-result'); return r && r.textContent.trim() || null;",
        json!([members]),
    )?;
    window.screenshot("20-admin-member-moved")?;
    window.close()?;
    ensure!(
        said.as_str()
            .unwrap_or_default()
            .contains("changé de groupe"),
        "{said}"
    );
    let mut store = dirs.open_store()?;
    let (placed, state): (Option<String>, String) = enrolments::table
        .find(&enrolment)
        .select((enrolments::group_id, enrolments::status))
        .first(store.connection())?;
    ensure!(
        placed.as_deref() == Some(target.as_str()),
        "moved to the chosen group"
    );
    ensure!(state == "confirmed", "still a confirmed place");
    Ok(())
}
