//! The DPO's retention desk and registers in the real window (POL-14, POL-21,
//! POL-25a, POL-29 to POL-37), driven through tauri-driver under Xvfb on demo
//! data in a real SQLCipher store.
//!
//! Run by the README's test command (`MONIRAVIQUE_E2E=1`, one test at a time).

use anyhow::{ensure, Result};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use e2e::{enabled, AppDirs, Window};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use store::schema::{outbox_messages, participants, technical_traces};

const DPO: (&str, &str) = ("dpo", "demo-dpo");

/// The account and trace kinds the demo seed makes due (POL-29, POL-30, POL-32).
const SEEDED_KINDS: [&str; 4] = [
    "mark_inactive",
    "queue_reminder",
    "erase_account",
    "delete_traces",
];

/// Answers the in-page confirmation (`ui/confirm.js`): returns its question
/// and clicks "Confirmer" (`yes`) or "Annuler".
fn answer_confirm(window: &Window, yes: bool) -> Result<String> {
    window.wait_visible("#confirm-dialog #confirm-yes")?;
    let question = window.text("#confirm-message")?;
    window.click(if yes { "#confirm-yes" } else { "#confirm-no" })?;
    window.wait_js(
        "the confirmation closed",
        "return !document.getElementById('confirm-dialog');",
        json!([]),
    )?;
    Ok(question)
}

/// The text of the `#status` live region.
fn status(window: &Window) -> Result<String> {
    window.text("#status")
}

/// Waits for a preview to be on screen and returns its summary: kind → items.
fn preview_summary(window: &Window) -> Result<BTreeMap<String, u64>> {
    let value = window.wait_js(
        "the preview summary",
        "const button = document.getElementById('retention-preview'); \
         const box = document.getElementById('retention-preview-box'); \
         const summary = document.getElementById('retention-summary'); \
         if (!button || button.disabled || !box || box.hidden || !summary) return null; \
         const rows = [...summary.querySelectorAll('tbody tr[data-kind]')]; \
         return { kinds: rows.map(r => [r.dataset.kind, Number(r.dataset.items)]) };",
        json!([]),
    )?;
    let pairs: Vec<(String, u64)> = serde_json::from_value(value["kinds"].clone())?;
    Ok(pairs.into_iter().collect())
}

/// The items listed under the preview: (kind, subject).
fn preview_items(window: &Window) -> Result<BTreeSet<(String, String)>> {
    let value = window.js(
        "return [...document.querySelectorAll('#retention-items tbody tr[data-kind]')] \
         .map(r => [r.dataset.kind, r.dataset.subject]);",
        json!([]),
    )?;
    let pairs: Vec<(String, String)> = serde_json::from_value(value)?;
    Ok(pairs.into_iter().collect())
}

/// Clicks the preview button and waits for the new preview.
fn run_preview(window: &Window) -> Result<BTreeMap<String, u64>> {
    window.js(
        "const box = document.getElementById('retention-preview-box'); \
         if (box) box.replaceChildren(); return true;",
        json!([]),
    )?;
    window.click("#retention-preview")?;
    preview_summary(window)
}

/// Scrolls `css` to the top of the window (screenshots show the viewport).
fn show(window: &Window, css: &str) -> Result<()> {
    window.js(
        "const e = document.querySelector(arguments[0]); \
         if (e) e.scrollIntoView({ block: 'start' }); return true;",
        json!([css]),
    )?;
    Ok(())
}

fn normalize_spaces(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn pol_29_to_33_dpo_previews_the_retention_sweep_runs_it_and_saves_the_quarterly_report(
) -> Result<()> {
    if !enabled("the retention sweep test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let old_traces = || -> Result<i64> {
        let cutoff = Utc::now().naive_utc() - Duration::days(400);
        let mut store = dirs.open_store()?;
        Ok(technical_traces::table
            .filter(technical_traces::recorded_at.lt(cutoff))
            .count()
            .get_result(store.connection())?)
    };
    ensure!(
        old_traces()? >= 3,
        "the demo has technical traces past 13 months"
    );
    let report = dirs
        .data
        .parent()
        .unwrap()
        .join("rapports")
        .join("rapport-conservation.html");
    std::fs::create_dir_all(report.parent().unwrap())?;

    let window = Window::launch(&dirs)?;
    window.sign_in(DPO.0, DPO.1)?;
    window.click("#tab-retention")?;

    // The rules, with their bounds; the sweep needs a preview first.
    window.wait_js(
        "the retention rules",
        "return document.querySelectorAll('#retention-rules tbody tr[data-key]').length === 8;",
        json!([]),
    )?;
    ensure!(
        window.js(
            "return document.getElementById('retention-run').disabled;",
            json!([])
        )? == json!(true),
        "the sweep cannot run before a preview"
    );
    let intro = window.text("#retention-intro")?;
    ensure!(
        intro.contains("18 mois") && intro.contains("24 mois") && intro.contains("30 jours"),
        "the policy's periods are explained: {intro}"
    );
    show(&window, "#retention-rules")?;
    window.screenshot("dpo-admin-01-retention-rules")?;

    // POL-21: the audit trail is kept 12 months at most; 13 is refused and the
    // value in force comes back.
    window.type_into("#retention-value-audit_months", "13")?;
    window.click("#retention-save-audit_months")?;
    let refused = window.wait_js(
        "the refusal of 13 months",
        "const e = document.getElementById('error'); return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        refused
            .as_str()
            .unwrap_or_default()
            .contains("maximum fixé par la politique"),
        "the refusal names the policy's maximum: {refused}"
    );
    let restored = window.js(
        "return document.getElementById('retention-value-audit_months').value;",
        json!([]),
    )?;
    ensure!(
        restored == json!("12"),
        "the value in force is shown again: {restored}"
    );
    show(&window, "main")?;
    window.screenshot("dpo-admin-02-rule-refused")?;

    // The dry run: every seeded kind is due, and nothing has changed.
    let before = run_preview(&window)?;
    for kind in SEEDED_KINDS {
        ensure!(
            before.get(kind).copied().unwrap_or(0) >= 1,
            "the preview has {kind} items: {before:?}"
        );
    }
    ensure!(
        before["delete_traces"] >= 3,
        "the three old traces are due: {before:?}"
    );
    let note = window.text("#retention-dry-run")?;
    ensure!(
        note.contains("rien n'a été modifié"),
        "the preview says nothing changed: {note}"
    );
    let due: BTreeSet<(String, String)> = preview_items(&window)?
        .into_iter()
        .filter(|(kind, _)| SEEDED_KINDS.contains(&kind.as_str()))
        .collect();
    ensure!(
        due.len() >= 6,
        "the due items are listed one by one: {due:?}"
    );
    ensure!(
        window.js(
            "return document.getElementById('retention-run').disabled;",
            json!([])
        )? == json!(false),
        "the sweep can run after a preview"
    );
    show(&window, "#retention-sweep")?;
    window.screenshot("dpo-admin-03-retention-preview")?;

    // Cancelling the confirmation runs nothing.
    window.click("#retention-run")?;
    answer_confirm(&window, false)?;
    let cancelled = status(&window)?;
    ensure!(
        cancelled.contains("Purge annulée"),
        "a cancelled confirmation runs nothing: {cancelled:?}"
    );
    ensure!(
        window.text("#retention-outcome")?.is_empty(),
        "no sweep outcome after a cancel"
    );

    // The sweep, confirmed.
    window.click("#retention-run")?;
    window.screenshot("dpo-admin-03b-retention-confirm")?;
    let question = answer_confirm(&window, true)?;
    let executed = window.wait_js(
        "the sweep's outcome",
        "const e = document.getElementById('retention-executed'); \
         return e ? Number(e.dataset.executed) : null;",
        json!([]),
    )?;
    ensure!(
        question.contains("Lancer la purge") && question.contains("irréversibles"),
        "the DPO is asked in French before anything is deleted: {question}"
    );
    let executed = executed.as_u64().unwrap_or(0);
    let planned: u64 = before.values().sum();
    ensure!(
        executed >= planned,
        "every planned item was executed: {executed} of {planned}"
    );
    let said = window.text("#retention-executed")?;
    ensure!(
        said.contains("Purge effectuée"),
        "the outcome is shown: {said}"
    );
    ensure!(
        status(&window)?.contains("Purge effectuée"),
        "the outcome is announced"
    );

    // The preview is computed again after the sweep: none of those items is left.
    let after = preview_summary(&window)?;
    let left = preview_items(&window)?;
    ensure!(
        due.is_disjoint(&left),
        "no executed item is still due: {left:?}"
    );
    for kind in SEEDED_KINDS {
        ensure!(
            after.get(kind).copied().unwrap_or(0) == 0,
            "nothing of {kind} is due after the sweep: {after:?}"
        );
    }
    show(&window, "#retention-sweep")?;
    window.screenshot("dpo-admin-04-retention-after-run")?;
    // And a new preview asked by the DPO says the same.
    let again = run_preview(&window)?;
    ensure!(
        SEEDED_KINDS
            .iter()
            .all(|kind| again.get(*kind).copied().unwrap_or(0) == 0),
        "a new preview shows none of the executed items: {again:?}"
    );
    ensure!(
        due.is_disjoint(&preview_items(&window)?),
        "a new preview lists none of the executed items"
    );

    // POL-33: the quarterly report, saved through the native dialog.
    let answer = e2e::answer_file_dialog("Enregistrer le rapport trimestriel", &report);
    window.click("#retention-report")?;
    answer.join().expect("dialog thread")?;
    let saved = window.wait_js(
        "the report message",
        "const e = document.getElementById('retention-result'); \
         return e && e.textContent.trim() || null;",
        json!([]),
    )?;
    show(&window, "#retention-sweep")?;
    window.screenshot("dpo-admin-05-report-saved")?;
    window.close()?;
    ensure!(
        saved
            .as_str()
            .unwrap_or_default()
            .contains("Rapport trimestriel enregistré"),
        "the window says the report was saved: {saved}"
    );
    let html = std::fs::read_to_string(&report)?;
    ensure!(
        html.contains("Rapport trimestriel de conservation"),
        "the HTML report is written"
    );
    let csv = std::fs::read_to_string(report.with_extension("csv"))?;
    ensure!(
        csv.lines().filter(|l| l.contains("\"executed\"")).count() as u64 >= executed,
        "the CSV beside it lists the executed items"
    );

    // What the store says.
    ensure!(old_traces()? == 0, "the old technical traces are deleted");
    let mut store = dirs.open_store()?;
    let conn = store.connection();
    for (kind, subject) in &due {
        let state: Option<String> = participants::table
            .find(subject)
            .select(participants::account_status)
            .first(conn)
            .optional()?;
        match kind.as_str() {
            "erase_account" => ensure!(state.is_none(), "the unanswered account is erased"),
            "mark_inactive" => ensure!(
                state.as_deref() == Some("inactive"),
                "the idle account is inactive: {state:?}"
            ),
            "queue_reminder" => {
                ensure!(
                    state.as_deref() == Some("reminded"),
                    "the reminded account says so: {state:?}"
                );
                let reminders: i64 = outbox_messages::table
                    .filter(outbox_messages::participant_id.eq(subject))
                    .filter(outbox_messages::template.eq("reactivation_reminder"))
                    .count()
                    .get_result(conn)?;
                ensure!(reminders == 1, "one reminder is queued for the account");
            }
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn pol_14_pol_36_pol_37_dpo_reads_and_keeps_the_registers_and_legal_holds() -> Result<()> {
    if !enabled("the registers test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    let window = Window::launch(&dirs)?;
    window.sign_in(DPO.0, DPO.1)?;
    window.click("#tab-registers")?;

    // POL-37: the processor outside the EEA, with its safeguard.
    window.wait_js(
        "the processors",
        "return document.querySelectorAll('#registers-processors tbody tr[data-id]').length > 0;",
        json!([]),
    )?;
    let outside = window.js(
        "return [...document.querySelectorAll('#registers-processors tbody tr[data-outside-eea=\"true\"]')] \
         .map(r => [...r.cells].map(c => c.textContent.trim()));",
        json!([]),
    )?;
    let outside: Vec<Vec<String>> = serde_json::from_value(outside)?;
    ensure!(
        outside.iter().any(|row| row[2] == "États-Unis"
            && row[3] == "Oui"
            && row[4] == "clauses contractuelles types"),
        "the transfer to the United States is listed with its safeguard: {outside:?}"
    );
    let activities = window.text("#registers-activities")?;
    ensure!(
        activities.contains("Intérêt légitime") && activities.contains("Mise en balance"),
        "the legitimate interest is shown with its balancing test"
    );

    // POL-25a, POL-31: the demo's kept invoice.
    window.wait_js(
        "the legal holds",
        "return document.querySelectorAll('#legal-holds tbody tr[data-id]').length > 0;",
        json!([]),
    )?;
    let holds = window.js(
        "return [...document.querySelectorAll('#legal-holds tbody tr[data-id]')] \
         .map(r => [...r.cells].map(c => c.textContent.trim()));",
        json!([]),
    )?;
    let holds: Vec<Vec<String>> = serde_json::from_value(holds)?;
    let invoice = holds
        .iter()
        .find(|row| row[1] == "F-DEMO-2025-0042")
        .cloned()
        .unwrap_or_default();
    ensure!(
        !invoice.is_empty(),
        "the demo's kept invoice is listed: {holds:?}"
    );
    ensure!(
        invoice[0] == "Facture"
            && normalize_spaces(&invoice[2]) == "90,00 €"
            && invoice[3].contains("POL-31")
            && invoice[4] == "11 mars 2032",
        "the invoice row: {invoice:?}"
    );
    ensure!(
        invoice[5].starts_with('…') && invoice[5].chars().count() <= 9,
        "the person is a truncated pseudonym: {}",
        invoice[5]
    );
    show(&window, "#processors-section")?;
    window.screenshot("dpo-admin-06-registers")?;
    show(&window, "#holds-section")?;
    window.screenshot("dpo-admin-07-legal-holds")?;

    // POL-37: outside the EEA without a safeguard is refused; with it, saved.
    let processors = |window: &Window| -> Result<u64> {
        Ok(window
            .js(
                "return document.querySelectorAll('#registers-processors tbody tr[data-id]').length;",
                json!([]),
            )?
            .as_u64()
            .unwrap_or(0))
    };
    let count_before = processors(&window)?;
    window.type_into("#processor-name", "Sauvegarde (fictive)")?;
    window.type_into("#processor-service", "copies de sauvegarde")?;
    window.type_into("#processor-country", "Canada")?;
    window.click("#processor-outside")?;
    window.wait_visible("#processor-safeguard")?;
    window.click("#processor-save")?;
    let refused = window.wait_js(
        "the missing safeguard refusal",
        "const e = document.getElementById('processor-result'); \
         return e && e.classList.contains('refused') && e.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        refused
            .as_str()
            .unwrap_or_default()
            .contains("doit indiquer sa garantie"),
        "the refusal says a safeguard is needed: {refused}"
    );
    ensure!(
        processors(&window)? == count_before,
        "nothing was saved without a safeguard"
    );
    show(&window, "#processor-form")?;
    window.screenshot("dpo-admin-08-safeguard-refused")?;
    window.type_into("#processor-safeguard", "décision d'adéquation")?;
    window.click("#processor-save")?;
    window.wait_js(
        "the new processor",
        "return [...document.querySelectorAll('#registers-processors tbody tr[data-id]')] \
         .some(r => r.cells[2].textContent === 'Canada' \
           && r.cells[4].textContent === \"décision d'adéquation\");",
        json!([]),
    )?;

    // POL-36: a significant change announced 10 days ahead is refused.
    // The effective date is typed as the DPO reads it: jj/mm/aaaa.
    let soon = (Utc::now() + Duration::days(10))
        .format("%d/%m/%Y")
        .to_string();
    window.type_into("#policy-version", "2026-e2e")?;
    window.type_into("#policy-summary", "Nouveau sous-traitant de sauvegarde")?;
    window.click("#policy-significant")?;
    window.type_into("#policy-effective", &soon)?;
    window.click("#policy-publish")?;
    let asked = answer_confirm(&window, true)?;
    let refused = window.wait_js(
        "the short notice refusal",
        "const e = document.getElementById('policy-result'); \
         return e && e.classList.contains('refused') && e.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        refused.as_str().unwrap_or_default().contains("30 jours"),
        "the refusal names the 30 days: {refused}"
    );
    ensure!(
        asked.contains("modification importante"),
        "the DPO was asked before notifying everyone"
    );
    // Announced 31 days ahead, it is published and everyone is notified.
    let later = (Utc::now() + Duration::days(31))
        .format("%d/%m/%Y")
        .to_string();
    window.type_into("#policy-effective", &later)?;
    window.click("#policy-publish")?;
    answer_confirm(&window, true)?;
    let row = window.wait_js(
        "the published version",
        "const r = document.querySelector('#registers-policy tr[data-version=\"2026-e2e\"]'); \
         return r ? [...r.cells].map(c => c.textContent.trim()) : null;",
        json!([]),
    )?;
    let row: Vec<String> = serde_json::from_value(row)?;
    show(&window, "#policy-section")?;
    window.screenshot("dpo-admin-09-policy-published")?;
    window.close()?;
    ensure!(
        row[3] == "Oui",
        "the version is marked significant: {row:?}"
    );
    let notified: u64 = normalize_spaces(&row[5]).replace(' ', "").parse()?;
    let mut store = dirs.open_store()?;
    let people: i64 = participants::table.count().get_result(store.connection())?;
    ensure!(
        notified as i64 == people,
        "every participant is notified: {notified} of {people}"
    );
    Ok(())
}
