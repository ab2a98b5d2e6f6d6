//! Issue 15, item 4: the office's spreadsheet import at scale. Writes an
//! XLSX of `--rows` families (default 20,000) as an office makes it (a notes
//! sheet, a title, merged group headers, date cells, numbers, accents), then
//! on a real SQLCipher store seeded with the demo data prints:
//!
//! - preview: reading the file (`sheets::read`), then mapping the rows and
//!   the dry run (`store::families_import::preview`), median of `--samples`;
//! - apply: the rows checked again and imported in one local transaction,
//!   queued as `import_families` parts (`sync::ops::import_families`).
//!
//! Every run checks its counts (a wrong result fails the bench).
//! Run: `cargo bench -p sync --bench families_import_bench [-- --rows N --samples S]`.

use chrono::Utc;
use diesel::prelude::*;
use domain::families_import::{detect_layout, suggest};
use domain::{Actor, Role, StaffId};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook};
use std::time::{Duration, Instant};
use store::schema::{participants, programmes, staff, sync_outbox};
use store::StoreKey;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

const GIVEN: [&str; 8] = [
    "Éloïse",
    "Loïc",
    "Maëlle",
    "Noël",
    "Zoé",
    "Agnès",
    "François",
    "Hélène",
];

/// The spreadsheet: `known` e-mails are used once each, every 400th row.
fn spreadsheet(rows: usize, programmes: &[String], known: &[String]) -> Vec<u8> {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Lisez-moi").unwrap();
    notes
        .write_string(0, 0, "Liste synthétique, personnes fictives.")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Familles 2026").unwrap();
    let bold = Format::new().set_bold();
    let boxed = Format::new().set_border(FormatBorder::Thin);
    let date = Format::new()
        .set_num_format("dd/mm/yyyy")
        .set_border(FormatBorder::Thin);
    sheet
        .merge_range(
            0,
            0,
            0,
            12,
            "Association — familles suivies (fictives)",
            &bold,
        )
        .unwrap();
    for (first, last, text, down) in [
        (0, 3, "Parent", false),
        (4, 5, "Enfants", false),
        (6, 6, "Programme", true),
        (7, 7, "Créneaux souhaités", true),
        (8, 10, "Consentements", false),
        (11, 11, "Certifie avoir 16 ans ou plus", true),
        (12, 12, "Remarques", true),
    ] {
        let last_row = if down { 3 } else { 2 };
        if first == last && !down {
            sheet
                .write_string_with_format(2, first, text, &bold)
                .unwrap();
        } else {
            sheet
                .merge_range(2, first, last_row, last, text, &bold)
                .unwrap();
        }
    }
    for (col, text) in [
        (0, "Nom"),
        (1, "Prénom"),
        (2, "E-mail"),
        (3, "Téléphone"),
        (4, "Nombre d'enfants"),
        (5, "Âges des enfants"),
        (8, "Lettre d'information"),
        (9, "Témoignages"),
        (10, "Études"),
    ] {
        sheet.write_string_with_format(3, col, text, &bold).unwrap();
    }
    let yes_no = ["oui", "non", "", "x"];
    let ages = ["", "5", "4-6, 9 ans", "2 ans / 7 ans / 13 ans"];
    for n in 0..rows {
        let row = 4 + n as u32;
        let email = match (n % 400 == 0).then(|| known.get(n / 400)).flatten() {
            Some(known) => known.clone(),
            None => format!("famille.{n:06}@exemple.test"),
        };
        sheet
            .write_string_with_format(row, 0, format!("Fictif-{n:06}"), &boxed)
            .unwrap();
        sheet
            .write_string_with_format(row, 1, GIVEN[n % GIVEN.len()], &boxed)
            .unwrap();
        sheet
            .write_string_with_format(row, 2, &email, &boxed)
            .unwrap();
        if n % 2 == 0 {
            sheet
                .write_number_with_format(row, 3, 600_000_000.0 + n as f64, &boxed)
                .unwrap();
        } else {
            sheet
                .write_string_with_format(
                    row,
                    3,
                    format!(
                        "06 00 {:02} {:02} {:02}",
                        n / 10000,
                        (n / 100) % 100,
                        n % 100
                    ),
                    &boxed,
                )
                .unwrap();
        }
        let children = n % 4;
        sheet
            .write_number_with_format(row, 4, children as f64, &boxed)
            .unwrap();
        sheet
            .write_string_with_format(row, 5, ages[children], &boxed)
            .unwrap();
        let programme = if n % 5 == 0 {
            ""
        } else {
            programmes[n % programmes.len()].as_str()
        };
        sheet
            .write_string_with_format(row, 6, programme, &boxed)
            .unwrap();
        sheet
            .write_string_with_format(row, 7, "mardi soir; jeudi matin", &boxed)
            .unwrap();
        for (i, col) in (8..=10).enumerate() {
            sheet
                .write_string_with_format(row, col, yes_no[(n + i) % yes_no.len()], &boxed)
                .unwrap();
        }
        if n % 2 == 0 {
            let day =
                ExcelDateTime::from_ymd(2025, 1 + (n % 12) as u8, 1 + (n % 28) as u8).unwrap();
            sheet
                .write_datetime_with_format(row, 11, day, &date)
                .unwrap();
        } else {
            sheet
                .write_string_with_format(row, 11, "oui", &boxed)
                .unwrap();
        }
    }
    // The trailing bordered empty row.
    for col in 0..13 {
        sheet.write_blank(4 + rows as u32, col, &boxed).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut rows = 20_000usize;
    let mut samples = 3usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rows" => rows = args.next().unwrap().parse().unwrap(),
            "--samples" => samples = args.next().unwrap().parse().unwrap(),
            _ => {}
        }
    }
    let now = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let mut store = store::open(&dir.path().join("import.db"), &StoreKey::random(), false).unwrap();
    store::seed::seed_demo(&mut store, now).unwrap();
    let conn = store.connection();
    let (id, role): (String, String) = staff::table
        .filter(staff::username.eq("admin.lemans"))
        .select((staff::id, staff::role))
        .first(conn)
        .unwrap();
    let office = Actor::new(
        StaffId(id),
        Role::parse(&role).unwrap(),
        store.device().clone(),
    );
    let names: Vec<String> = programmes::table
        .select(programmes::name)
        .order(programmes::name)
        .load(store.connection())
        .unwrap();
    let known: Vec<String> = participants::table
        .select(participants::email)
        .order(participants::email)
        .load(store.connection())
        .unwrap();
    let known: Vec<String> = known.into_iter().take(rows.div_ceil(400)).collect();
    let before: i64 = participants::table
        .count()
        .get_result(store.connection())
        .unwrap();
    let bytes = spreadsheet(rows, &names, &known);

    let mut reads = Vec::new();
    let mut previews = Vec::new();
    let mut preview = None;
    let mut parsed = None;
    for _ in 0..samples.max(1) {
        let t = Instant::now();
        let book = sheets::read(&bytes).unwrap();
        reads.push(t.elapsed());
        let sheet = book.sheets.into_iter().nth(1).unwrap();
        let t = Instant::now();
        let layout = detect_layout(&sheet).unwrap();
        let mapping = suggest(&layout, None);
        let answer = store::families_import::preview(
            store.connection(),
            &office,
            &sheet,
            &layout,
            &mapping,
            now,
            &mut |_| {},
        )
        .unwrap();
        previews.push(t.elapsed());
        preview = Some(answer);
        parsed = Some((sheet, layout, mapping));
    }
    let preview = preview.unwrap();
    let known_count = known.len() as u32;
    assert!(
        preview.problems.is_empty(),
        "{:?}",
        &preview.problems[..preview.problems.len().min(5)]
    );
    assert_eq!(preview.data_rows as usize, rows);
    assert_eq!(preview.counts.rows as usize, rows);
    assert_eq!(preview.counts.known_people, known_count);
    assert_eq!(preview.counts.new_people as usize, rows - known.len());
    let after: i64 = participants::table
        .count()
        .get_result(store.connection())
        .unwrap();
    assert_eq!(after, before, "a preview writes nothing");
    reads.sort();
    previews.sort();
    let median = |v: &[Duration]| ms(v[v.len() / 2]);
    println!(
        "families import, preview of a {rows}-row XLSX ({} KiB): read {:.0} ms + map and dry run {:.0} ms = {:.0} ms (median of {})",
        bytes.len() / 1024,
        median(&reads),
        median(&previews),
        median(&reads) + median(&previews),
        reads.len()
    );

    let (sheet, layout, mapping) = parsed.unwrap();
    let t = Instant::now();
    let checked = store::families_import::clean_rows(
        store.connection(),
        &office,
        &sheet,
        &layout,
        &mapping,
        now,
    )
    .unwrap();
    let report =
        sync::ops::import_families(&mut store, &office, checked, now, &mut |_, _| {}).unwrap();
    let applied = t.elapsed();
    assert_eq!(
        report.counts, preview.counts,
        "the import does what the preview said"
    );
    let after: i64 = participants::table
        .count()
        .get_result(store.connection())
        .unwrap();
    assert_eq!(after - before, (rows - known.len()) as i64);
    let bodies: Vec<String> = sync_outbox::table
        .filter(sync_outbox::kind.eq("import_families"))
        .select(sync_outbox::body)
        .load(store.connection())
        .unwrap();
    let parts = bodies.len();
    assert!(bodies.iter().all(|b| b.len() <= sync::local::MAX_OP_BYTES));
    let queued: usize = bodies.iter().map(String::len).sum();
    println!(
        "families import, apply of {rows} rows in one transaction: {:.0} ms ({} new people, {} known, {} requests; {parts} operations, {} KiB queued)",
        ms(applied),
        report.counts.new_people,
        report.counts.known_people,
        report.counts.requests_added,
        queued / 1024
    );
}
