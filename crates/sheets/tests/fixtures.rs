//! Issue 15, item 4: the office's spreadsheets as an office makes them
//! (`tests/fixtures/families/`, made by its `make_fixtures.py`): a notes
//! sheet, a title, group headers merged over their columns, headers merged
//! down, spreadsheet dates, accents, a phone number in a number cell, a
//! trailing bordered empty row. The same list as XLSX, ODS and a French
//! Excel CSV gives the same header, the same suggested mapping and the same
//! registrations; the file with errors names each problem's row and column.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::families_import::{
    detect_layout, map_rows, suggest, Cell, Programme, RowProblem, Target,
};
use domain::intake::{ConsentChoice, Field, Problem};
use domain::rights::{AgeBracket, ConsentPurpose};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/families")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
}

fn programmes() -> Vec<Programme> {
    [
        ("p-bases", "Écouter en famille — les bases"),
        ("p-ados", "Écoute avancée — adolescents"),
        ("p-webinaires", "Webinaires parents"),
    ]
    .iter()
    .map(|(id, name)| Programme {
        id: (*id).into(),
        name: (*name).into(),
    })
    .collect()
}

const LABELS: [&str; 13] = [
    "Parent — Nom",
    "Parent — Prénom",
    "Parent — E-mail",
    "Parent — Téléphone",
    "Enfants — Nombre d'enfants",
    "Enfants — Âges des enfants",
    "Programme",
    "Créneaux souhaités",
    "Consentements — Lettre d'information",
    "Consentements — Témoignages",
    "Consentements — Études",
    "Certifie avoir 16 ans ou plus",
    "Remarques",
];

const TARGETS: [Target; 13] = [
    Target::FamilyName,
    Target::GivenName,
    Target::Email,
    Target::Phone,
    Target::ChildrenCount,
    Target::AgeBrackets,
    Target::Programme,
    Target::PreferredSlots,
    Target::ConsentNewsletter,
    Target::ConsentTestimonials,
    Target::ConsentStudies,
    Target::Certified16Plus,
    Target::Ignore,
];

/// The list sheet read, its layout checked, its rows mapped without problem.
fn families(
    bytes: &[u8],
    format: sheets::Format,
    labels: &[&str],
) -> Vec<domain::families_import::ImportRow> {
    let book = sheets::read(bytes).unwrap();
    assert_eq!(book.format, format);
    let sheet = book.sheets.last().unwrap();
    let layout = detect_layout(sheet).unwrap();
    let found: Vec<&str> = layout.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(found, labels, "{format:?}");
    let mapping = suggest(&layout, None);
    assert_eq!(mapping, TARGETS, "{format:?}");
    let mapped = map_rows(sheet, &layout, &mapping, &programmes(), now());
    assert!(mapped.is_clean(), "{format:?}: {:?}", mapped.problems);
    assert_eq!(
        mapped.data_rows, 8,
        "{format:?}: the trailing empty row is not a row"
    );
    mapped.rows
}

fn paris_midnight(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    let local = NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&Utc)
}

/// `first`: the row of the first family as the office sees it.
fn check_families(rows: &[domain::families_import::ImportRow], first: u32) {
    let rows: Vec<_> = rows.iter().map(|r| (r.row, &r.registration)).collect();
    assert_eq!(
        rows.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
        (first..first + 8).collect::<Vec<u32>>()
    );
    let eloise = rows[0].1;
    assert_eq!(eloise.given_name, "Éloïse");
    assert_eq!(
        eloise.age_brackets,
        vec![AgeBracket::Preschool, AgeBracket::Child]
    );
    assert_eq!(eloise.programme_id.as_deref(), Some("p-bases"));
    assert_eq!(eloise.preferred_slots, vec!["mardi soir", "jeudi matin"]);
    assert_eq!(
        eloise.consents,
        vec![
            ConsentChoice {
                purpose: ConsentPurpose::Newsletter,
                granted: true
            },
            ConsentChoice {
                purpose: ConsentPurpose::Testimonials,
                granted: false
            },
        ],
        "POL-7: the empty studies cell is no consent"
    );
    assert_eq!(
        eloise.certified_16_plus_at,
        Some(paris_midnight(2025, 9, 15))
    );
    let loic = rows[1].1;
    assert_eq!(
        loic.certified_16_plus_at,
        Some(now()),
        "a bare oui is the import's time"
    );
    assert_eq!(loic.programme_id.as_deref(), Some("p-webinaires"));
    assert_eq!(loic.age_brackets, vec![AgeBracket::Infant]);
    assert_eq!(
        rows[2].1.programme_id.as_deref(),
        Some("p-bases"),
        "upper case, same name"
    );
    assert_eq!(
        rows[3].1.programme_id, None,
        "a family followed, nothing requested"
    );
    assert_eq!(rows[4].1.email, "Zoe.Imaginaire@exemple.test");
    assert_eq!(rows[5].1.age_brackets, vec![AgeBracket::Infant], "18 mois");
    assert!(rows[5].1.consents.is_empty());
}

#[test]
fn pol_7_pol_35_the_office_xlsx_is_read_with_its_merged_headers_and_dates() {
    let bytes = fixture("familles.xlsx");
    let book = sheets::read(&bytes).unwrap();
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Lisez-moi", "Familles 2026"]);
    let sheet = &book.sheets[1];
    assert!(sheet.merges.as_ref().is_some_and(|m| m.len() == 8));
    assert_eq!(
        sheet.cell(1, 1),
        &Cell::Date(
            NaiveDate::from_ymd_opt(2026, 11, 28)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        ),
        "a date cell is a date, not a serial number"
    );
    assert_eq!(detect_layout(sheet).unwrap().header_row_number(), 4);
    let rows = families(&bytes, sheets::Format::Xlsx, &LABELS);
    check_families(&rows, 5);
    assert_eq!(rows[1].registration.phone.as_deref(), Some("0600000002"));
}

#[test]
fn pol_7_pol_35_the_office_ods_reads_the_same_without_merge_information() {
    let bytes = fixture("familles.ods");
    let book = sheets::read(&bytes).unwrap();
    assert_eq!(book.sheets.len(), 2);
    assert_eq!(book.sheets[1].merges, None);
    let rows = families(&bytes, sheets::Format::Ods, &LABELS);
    check_families(&rows, 5);
    assert_eq!(rows[1].registration.phone.as_deref(), Some("0600000002"));
}

#[test]
fn pol_7_pol_35_a_french_excel_csv_reads_the_same() {
    let labels: Vec<&str> = LABELS
        .iter()
        .map(|l| l.rsplit(" — ").next().unwrap())
        .collect();
    // A CSV has no group headers: its header is on row 2, under the title.
    let rows = families(&fixture("familles.csv"), sheets::Format::Csv, &labels);
    check_families(&rows, 3);
}

#[test]
fn the_file_with_errors_names_each_row_and_column_never_a_value() {
    let bytes = fixture("familles-erreurs.xlsx");
    let book = sheets::read(&bytes).unwrap();
    let sheet = &book.sheets[1];
    let layout = detect_layout(sheet).unwrap();
    let mapping = suggest(&layout, None);
    let mapped = map_rows(sheet, &layout, &mapping, &programmes(), now());
    let found: Vec<(u32, &str, Field, Problem)> = mapped
        .problems
        .iter()
        .map(|p: &RowProblem| (p.row, p.column.as_deref().unwrap(), p.field, p.problem))
        .collect();
    assert_eq!(
        found,
        vec![
            (6, "C", Field::Email, Problem::Malformed),
            (7, "L", Field::Certified16Plus, Problem::Required),
            (8, "I", Field::Consents, Problem::Malformed),
            (9, "F", Field::AgeBrackets, Problem::OutOfRange),
            (10, "G", Field::ProgrammeId, Problem::Unknown),
        ]
    );
    assert_eq!(mapped.rows.len(), 1);
    assert_eq!(mapped.refused_rows(), 5);
    let text = format!("{:?}", mapped.problems);
    for value in ["loic.fictif", "peut", "25 ans", "inconnu", "Maëlle"] {
        assert!(!text.contains(value), "{value} in {text}");
    }
}

#[test]
fn what_is_not_a_spreadsheet_is_refused_without_quoting_it() {
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(b"Camille Fictive, not really a workbook");
    let error = sheets::read(&zip).unwrap_err();
    assert_eq!(
        error,
        sheets::SheetsError::Unreadable { format: "xlsx/ods" }
    );
    assert!(!error.to_string().contains("Camille"));
    let big = vec![b'a'; sheets::MAX_FILE_BYTES + 1];
    assert!(matches!(
        sheets::read(&big),
        Err(sheets::SheetsError::TooLarge { what: "bytes", .. })
    ));
}
