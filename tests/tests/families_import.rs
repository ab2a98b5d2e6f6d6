//! Issue 15, item 4, in the real window: the office imports its spreadsheet
//! of families (POL-7, POL-35, DC-7) through the real GTK file dialog, from
//! the committed fixtures (`tests/fixtures/families/`). A good file: sheet
//! chosen, mapping suggested and edited, dry run, import, the requests in
//! the inbox, the edited mapping offered again for the ODS of the same list,
//! whose people are then known, not new. A bad file: the preview names each
//! problem's row and column, nothing can be imported, nothing changed.

use anyhow::{ensure, Context, Result};
use diesel::prelude::*;
use e2e::{answer_file_dialog, contains_bytes, enabled, files_under, AppDirs, Window};
use serde_json::{json, Value};
use std::path::PathBuf;
use store::schema::{audit_log, consents, enrolments, participants, sync_outbox};

const OFFICE: (&str, &str) = ("admin.lemans", "demo-admin-lemans");
const DIALOG: &str = "Choisir le tableur des familles";

fn fixture(name: &str) -> PathBuf {
    e2e::workspace_root()
        .join("tests/fixtures/families")
        .join(name)
}

/// Opens the wizard, answers the file dialog with `file`, keeps the
/// suggested sheet and shows the mapping.
fn open_file(window: &Window, file: &str) -> Result<()> {
    window.click("#import-families")?;
    window.wait_visible("#import-dialog #import-choose")?;
    let answer = answer_file_dialog(DIALOG, &fixture(file));
    window.click("#import-choose")?;
    answer.join().expect("dialog thread")?;
    window.wait_visible("#import-sheet")?;
    let sheet = window.js(
        "return document.querySelector('#import-sheet').value;",
        json!([]),
    )?;
    ensure!(
        sheet == json!("Familles 2026"),
        "the list's sheet is suggested, not the notes: {sheet}"
    );
    window.click("#import-sheet-next")?;
    window.wait_visible("#import-mapping")?;
    Ok(())
}

/// The target chosen for each column letter.
fn mapping(window: &Window) -> Result<Value> {
    window.js(
        "return Object.fromEntries([...document.querySelectorAll('#import-mapping select[data-column]')]\
         .map(s => [s.dataset.column, s.value]));",
        json!([]),
    )
}

/// The counts the preview or the result shows.
fn counts(window: &Window, list: &str) -> Result<Value> {
    window.js(
        "return Object.fromEntries([...document.querySelectorAll(arguments[0] + ' li[data-count]')]\
         .map(li => [li.dataset.count, Number(li.dataset.value)]));",
        json!([list]),
    )
}

fn participants_at_exemple(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(participants::table
        .filter(participants::email.like("%@exemple.test"))
        .count()
        .get_result(conn)?)
}

/// No fixture value in the app's logs (POL-22).
fn logs_hold_no_cell(dirs: &AppDirs) -> Result<()> {
    let logs = files_under(&dirs.logs);
    ensure!(!logs.is_empty(), "the app wrote its logs");
    for log in logs {
        let bytes = std::fs::read(&log)?;
        for value in [
            "exemple.test",
            "Éloïse",
            "Maëlle",
            "Fictif",
            "peut-être",
            "inconnu",
        ] {
            ensure!(
                !contains_bytes(&bytes, value.as_bytes()),
                "{} holds a cell of the spreadsheet",
                log.display()
            );
        }
    }
    Ok(())
}

#[test]
fn pol_7_pol_35_the_office_imports_its_spreadsheet_and_known_families_are_not_duplicated(
) -> Result<()> {
    if !enabled("the spreadsheet import test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(OFFICE.0, OFFICE.1)?;
    window.wait_visible("#registrations tbody tr[data-id]")?;

    open_file(&window, "familles.xlsx")?;
    let suggested = mapping(&window)?;
    ensure!(
        suggested
            == json!({
                "A": "family_name", "B": "given_name", "C": "email", "D": "phone",
                "E": "children_count", "F": "age_brackets", "G": "programme",
                "H": "preferred_slots", "I": "consent_newsletter", "J": "consent_testimonials",
                "K": "consent_studies", "L": "certified_16_plus", "M": "ignore"
            }),
        "the mapping is suggested from the merged headers: {suggested}"
    );
    let header = window.text("#import-header-row")?;
    ensure!(
        header.contains("ligne 4"),
        "the header row is said: {header}"
    );
    window.screenshot("90-import-mapping")?;
    // The office does not import phone numbers this time.
    window.js(
        "const s = document.querySelector('#import-mapping select[data-column=\"D\"]'); s.value = 'ignore'; \
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([]),
    )?;
    window.click("#import-preview")?;
    window.wait_visible("#import-ready")?;
    let preview = counts(&window, "#import-counts")?;
    ensure!(
        preview
            == json!({"rows": 8, "new_people": 8, "known_people": 0, "requests_added": 7,
                      "already_requested": 0, "refused_rows": 0}),
        "the dry run's counts: {preview}"
    );
    window.screenshot("91-import-preview")?;
    window.click("#import-apply")?;
    window.click("#confirm-yes")?;
    window.wait_visible("#import-done")?;
    let result = counts(&window, "#import-result")?;
    ensure!(
        result["new_people"] == json!(8) && result["requests_added"] == json!(7),
        "{result}"
    );
    window.screenshot("92-import-done")?;
    window.click("#import-finish")?;
    window.wait_js(
        "the imported requests in the inbox",
        "return [...document.querySelectorAll('#registrations tbody tr[data-id]')]\
         .some(r => r.textContent.includes('eloise.exemple-fictif@exemple.test'));",
        json!([]),
    )?;

    // The same list as ODS: the edited mapping is offered again, and every
    // family is known, none new.
    open_file(&window, "familles.ods")?;
    window.wait_visible("#import-saved")?;
    let again = mapping(&window)?;
    ensure!(
        again["D"] == json!("ignore"),
        "the saved mapping is used: {again}"
    );
    window.click("#import-preview")?;
    window.wait_visible("#import-ready")?;
    let second = counts(&window, "#import-counts")?;
    ensure!(
        second["new_people"] == json!(0) && second["known_people"] == json!(8),
        "known families are matched by e-mail: {second}"
    );
    window.screenshot("93-import-known")?;
    window.click("#import-cancel")?;
    window.close()?;

    let mut store = dirs.open_store()?;
    let conn = store.connection();
    ensure!(
        participants_at_exemple(conn)? == 8,
        "eight families, no duplicate"
    );
    let (eloise, phone): (String, Option<String>) = participants::table
        .filter(participants::email.eq("eloise.exemple-fictif@exemple.test"))
        .select((participants::id, participants::phone))
        .first(conn)
        .context("Éloïse was imported")?;
    ensure!(
        phone.is_none(),
        "the phone column was ignored as the office chose"
    );
    let mut given: Vec<(String, bool)> = consents::table
        .filter(consents::participant_id.eq(&eloise))
        .select((consents::purpose, consents::granted))
        .load(conn)?;
    given.sort();
    ensure!(
        given == vec![("newsletter".into(), true), ("testimonials".into(), false)],
        "POL-7: no consent for the empty studies cell: {given:?}"
    );
    let requests: i64 = enrolments::table
        .filter(enrolments::channel.eq("import"))
        .count()
        .get_result(conn)?;
    ensure!(requests == 7);
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("registration.import"))
        .count()
        .get_result(conn)?;
    ensure!(audited == 8, "one audit entry per person imported");
    let queued: i64 = sync_outbox::table
        .filter(sync_outbox::kind.eq("import_families"))
        .count()
        .get_result(conn)?;
    ensure!(
        queued == 1,
        "the import waits for the server as one operation"
    );
    logs_hold_no_cell(&dirs)
}

#[test]
fn pol_35_a_spreadsheet_with_problems_changes_nothing_and_names_row_and_column() -> Result<()> {
    if !enabled("the spreadsheet import test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let before = {
        let mut store = dirs.open_store()?;
        let conn = store.connection();
        (
            participants::table.count().get_result::<i64>(conn)?,
            enrolments::table.count().get_result::<i64>(conn)?,
        )
    };
    let window = Window::launch(&dirs)?;
    window.sign_in(OFFICE.0, OFFICE.1)?;
    open_file(&window, "familles-erreurs.xlsx")?;
    window.click("#import-preview")?;
    window.wait_visible("#import-blocked")?;
    let listed = window.js(
        "return [...document.querySelectorAll('#import-problems tbody tr')]\
         .map(r => r.dataset.row + r.dataset.column);",
        json!([]),
    )?;
    ensure!(
        listed == json!(["6C", "7L", "8I", "9F", "10G"]),
        "every problem by row and column: {listed}"
    );
    let first = window.text("#import-problems tr[data-row='6']")?;
    ensure!(
        first.contains("E-mail") && first.contains("format non reconnu"),
        "the field and the problem are said: {first}"
    );
    ensure!(
        !first.contains("loic"),
        "the cell's content is not repeated: {first}"
    );
    let blocked = window.text("#import-blocked")?;
    ensure!(blocked.contains("Rien ne sera importé"), "{blocked}");
    let apply = window.js(
        "return !!document.querySelector('#import-apply');",
        json!([]),
    )?;
    ensure!(
        apply == json!(false),
        "a file with problems cannot be imported"
    );
    window.screenshot("94-import-problems")?;
    window.click("#import-cancel")?;
    window.close()?;

    let mut store = dirs.open_store()?;
    let conn = store.connection();
    let after = (
        participants::table.count().get_result::<i64>(conn)?,
        enrolments::table.count().get_result::<i64>(conn)?,
    );
    ensure!(after == before, "nothing changed: {before:?} → {after:?}");
    let queued: i64 = sync_outbox::table.count().get_result(conn)?;
    ensure!(queued == 0, "nothing waits for the server");
    logs_hold_no_cell(&dirs)
}
