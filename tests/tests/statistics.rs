//! Issue 16 in the real window (POL-11, POL-12, ROLE-1): the office opens
//! the "Statistiques" tab, sees each table of the latest month as a chart
//! with its numbers beside it and hidden cells as "< 5", and saves the month
//! as CSV through the real file dialog; a trainer sees the funnels of their
//! own groups and nothing else; with nothing published the tab says so.
//!
//! The releases are the demo seed's: it publishes the three months before
//! its `now` through the monthly run (`store::statistics::run`).
//!
//! Run by the README's test command (`MONIRAVIQUE_E2E=1`, one test at a time).

use anyhow::{ensure, Result};
use diesel::prelude::*;
use diesel::sql_types::Text;
use e2e::{answer_file_dialog, enabled, AppDirs, Window};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use store::schema::{audit_log, staff, stat_cells, stat_releases, workshop_groups};

const OFFICE: (&str, &str) = ("admin.lemans", "demo-admin-lemans");
const TRAINER: (&str, &str) = ("formatrice.a", "demo-formatrice-a");
const DIALOG: &str = "Enregistrer les statistiques en CSV";

/// The demo, with the releases its seed published; the months, latest
/// first.
fn demo_with_releases(dirs: &AppDirs) -> Result<Vec<String>> {
    dirs.seed_demo()?;
    let mut store = dirs.open_store()?;
    let months: Vec<String> = stat_releases::table
        .select(stat_releases::month)
        .order(stat_releases::month.desc())
        .load(store.connection())?;
    ensure!(!months.is_empty(), "the demo seed publishes releases");
    Ok(months)
}

/// Brings a part of the page into view for a screenshot.
fn show(window: &Window, css: &str) -> Result<()> {
    window.js(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' });",
        json!([css]),
    )?;
    Ok(())
}

#[test]
fn pol_11_the_office_sees_the_charts_with_hidden_cells_and_saves_the_month_as_csv() -> Result<()> {
    if !enabled("the office's statistics tab test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    let months = demo_with_releases(&dirs)?;
    let latest = months[0].clone();
    let (published, hidden, cells): (BTreeSet<String>, usize, usize) = {
        let mut store = dirs.open_store()?;
        let rows: Vec<Option<i64>> = stat_cells::table
            .filter(stat_cells::month.eq(&latest))
            .select(stat_cells::value)
            .load(store.connection())?;
        (
            rows.iter().flatten().map(|v| v.to_string()).collect(),
            rows.iter().filter(|v| v.is_none()).count(),
            rows.len(),
        )
    };
    ensure!(hidden > 0, "the latest release hides some cells");

    let window = Window::launch(&dirs)?;
    window.sign_in(OFFICE.0, OFFICE.1)?;
    window.click("#tab-statistics")?;
    window.wait_visible("#statistics-sections svg.chart rect.chart-bar")?;
    // The months, latest first, the latest chosen.
    let offered = window.js(
        "const s = document.getElementById('statistics-month'); \
         return { options: [...s.options].map((o) => o.value), chosen: s.value };",
        json!([]),
    )?;
    ensure!(
        offered == json!({ "options": months, "chosen": latest }),
        "the month selector: {offered}"
    );
    // Each chart is an image with a title and a summary; a table beside it.
    let charts = window.js(
        "return [...document.querySelectorAll('svg.chart')].map((c) => ({ \
           role: c.getAttribute('role'), \
           named: c.getAttribute('aria-labelledby').split(' ').every((id) => document.getElementById(id)?.textContent), \
           table: !!c.closest('.stat-figure').querySelector('table') }));",
        json!([]),
    )?;
    let charts = charts.as_array().cloned().unwrap_or_default();
    ensure!(
        charts.len() >= 5,
        "sections, a funnel and three rates: {charts:?}"
    );
    ensure!(
        charts
            .iter()
            .all(|c| *c == json!({ "role": "img", "named": true, "table": true })),
        "{charts:?}"
    );
    // Hidden cells: "< 5" in the tables, a marker (not a length) in the
    // charts, and the footnote.
    let marked = window.js(
        "return { cells: [...document.querySelectorAll('#statistics-body td.hidden-cell')] \
                   .filter((td) => td.textContent === '< 5').length, \
                 markers: document.querySelectorAll('svg.chart rect[data-hidden]').length, \
                 valued: document.querySelectorAll('svg.chart rect[data-hidden][data-value]').length, \
                 footnote: document.getElementById('statistics-footnote')?.textContent || '' };",
        json!([]),
    )?;
    ensure!(
        marked["cells"].as_u64().unwrap_or(0) >= 1 && marked["markers"].as_u64().unwrap_or(0) >= 1,
        "hidden cells are shown as such: {marked}"
    );
    ensure!(marked["valued"] == json!(0), "a hidden bar has no value");
    let footnote = marked["footnote"].as_str().unwrap_or_default();
    ensure!(
        footnote.contains("« < 5 »") && footnote.contains("moins de 5 personnes"),
        "the footnote explains \"< 5\": {marked}"
    );
    // The sections, most viewed first.
    let sections: Value = window.js(
        "return [...document.querySelectorAll('#chart-sections rect.chart-bar')].map((r) => Number(r.dataset.value));",
        json!([]),
    )?;
    let values: Vec<u64> = sections
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    ensure!(
        !values.is_empty() && values.windows(2).all(|w| w[0] >= w[1]),
        "sections sorted by viewers: {values:?}"
    );
    window.screenshot("21-statistics-office-sections")?;
    show(&window, "#statistics-funnel")?;
    window.screenshot("22-statistics-office-funnel")?;
    show(&window, "#statistics-formats")?;
    window.screenshot("23-statistics-office-formats")?;

    // The CSV through the real dialog.
    let target = dirs.data.join(format!("statistiques-{latest}.csv"));
    let answer = answer_file_dialog(DIALOG, &target);
    window.click("#statistics-export")?;
    answer.join().expect("dialog thread")?;
    let said = window.wait_js(
        "the export's result",
        "const r = document.getElementById('statistics-export-result'); return r && r.textContent.trim() || null;",
        json!([]),
    )?;
    ensure!(
        said.as_str()
            .unwrap_or_default()
            .contains(&cells.to_string()),
        "the window says how many rows were saved: {said}"
    );
    window.close()?;

    let bytes = std::fs::read(&target)?;
    ensure!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM");
    let text = String::from_utf8(bytes[3..].to_vec())?;
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    ensure!(
        lines[0] == "\"table\";\"ligne\";\"colonne\";\"valeur\"",
        "French headers: {}",
        lines[0]
    );
    ensure!(lines.len() == cells + 1, "one row per cell");
    let values: Vec<String> = lines[1..]
        .iter()
        .map(|line| {
            line.rsplit(';')
                .next()
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    ensure!(
        values.iter().filter(|v| *v == "< 5").count() == hidden,
        "every hidden cell is \"< 5\""
    );
    ensure!(
        values.iter().all(|v| v == "< 5" || published.contains(v)),
        "no value but the published ones"
    );
    let mut store = dirs.open_store()?;
    let admin: String = staff::table
        .filter(staff::username.eq(OFFICE.0))
        .select(staff::id)
        .first(store.connection())?;
    let exports: i64 = audit_log::table
        .filter(audit_log::actor_id.eq(&admin))
        .filter(audit_log::action.eq("statistics.export"))
        .filter(audit_log::outcome.eq("allowed"))
        .count()
        .get_result(store.connection())?;
    ensure!(exports == 1, "the export is audited once");
    Ok(())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

#[test]
fn role_1_a_trainer_sees_only_the_funnels_of_the_groups_they_lead() -> Result<()> {
    if !enabled("the trainer's statistics tab test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    let months = demo_with_releases(&dirs)?;
    let mine: BTreeSet<String> = {
        let mut store = dirs.open_store()?;
        let trainer: String = staff::table
            .filter(staff::username.eq(TRAINER.0))
            .select(staff::id)
            .first(store.connection())?;
        let led: Vec<String> = workshop_groups::table
            .filter(workshop_groups::trainer_id.eq(&trainer))
            .select(workshop_groups::id)
            .load(store.connection())?;
        ensure!(!led.is_empty());
        diesel::sql_query(
            "SELECT DISTINCT group_id AS id FROM stat_cells WHERE month = ? AND table_name = 'funnel' \
             AND group_id IN (SELECT value FROM json_each(?))",
        )
        .bind::<Text, _>(&months[0])
        .bind::<Text, _>(serde_json::to_string(&led)?)
        .load::<Id>(store.connection())?
        .into_iter()
        .map(|row| row.id)
        .collect()
    };
    ensure!(!mine.is_empty(), "the trainer's groups have cells");
    let window = Window::launch(&dirs)?;
    window.sign_in(TRAINER.0, TRAINER.1)?;
    window.click("#tab-statistics")?;
    window.wait_visible("#statistics-groups svg.chart")?;
    let seen = window.js(
        "return { groups: [...document.querySelectorAll('#statistics-groups .stat-block')].map((b) => b.dataset.group), \
                 office: ['statistics-sections', 'statistics-funnel', 'statistics-formats'] \
                   .filter((id) => document.getElementById(id)).length, \
                 heading: document.getElementById('statistics-groups-heading').textContent };",
        json!([]),
    )?;
    let groups: BTreeSet<String> = seen["groups"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ensure!(groups == mine, "exactly the trainer's groups: {seen}");
    ensure!(seen["office"] == json!(0), "no office table: {seen}");
    ensure!(seen["heading"] == json!("Mes groupes"));
    window.screenshot("24-statistics-trainer")?;
    window.close()?;
    Ok(())
}

#[test]
fn pol_11_with_nothing_published_the_tab_says_so() -> Result<()> {
    if !enabled("the empty statistics tab test") {
        return Ok(());
    }
    let dirs = AppDirs::new()?;
    dirs.seed_demo()?;
    {
        // A laptop's copy of the ledger is a replica: emptied, as before
        // the first release reached it.
        let mut store = dirs.open_store()?;
        diesel::delete(stat_cells::table).execute(store.connection())?;
        diesel::delete(stat_releases::table).execute(store.connection())?;
    }
    let window = Window::launch(&dirs)?;
    window.sign_in(OFFICE.0, OFFICE.1)?;
    window.click("#tab-statistics")?;
    window.wait_visible("#statistics-empty")?;
    let said = window.text("#statistics-empty")?;
    ensure!(
        said == "Aucune statistique publiée pour l'instant.",
        "{said}"
    );
    ensure!(
        window.js(
            "return !document.getElementById('statistics-export');",
            json!([])
        )? == json!(true),
        "nothing to export"
    );
    window.screenshot("25-statistics-empty")?;
    window.close()?;
    Ok(())
}
