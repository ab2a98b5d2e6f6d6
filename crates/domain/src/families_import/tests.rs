use super::*;
use crate::intake::ConsentChoice;
use crate::rights::{AgeBracket, ConsentPurpose};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
}

fn t(text: &str) -> Cell {
    Cell::Text(text.to_owned())
}

fn date(y: i32, m: u32, d: u32) -> Cell {
    Cell::Date(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    )
}

/// The office's way: a title, a blank row, group headers over the columns
/// (merged), the header, rows, a trailing empty row.
fn office_sheet(merges: bool) -> Sheet {
    let e = || Cell::Empty;
    let mut rows = vec![
        vec![t("Association — familles suivies"), e(), e(), e()],
        vec![],
        vec![
            t("Parent"),
            e(),
            e(),
            e(),
            t("Enfants"),
            e(),
            t("Programme"),
            t("Consentements"),
            e(),
            e(),
            t("Certification 16 ans et plus"),
        ],
        vec![
            t("Nom"),
            t("Prénom"),
            t("E-mail"),
            t("Téléphone"),
            t("Nombre"),
            t("Âges"),
            e(),
            t("Lettre d'information"),
            t("Témoignages"),
            t("Études"),
            e(),
        ],
        vec![
            t("Exemple-Fictif"),
            t("Élodie"),
            t("elodie.fictive@exemple.test"),
            Cell::Number(612_345_678.0),
            Cell::Number(2.0),
            t("4-6, 9"),
            t("Parents sereins"),
            t("oui"),
            Cell::Empty,
            t("non"),
            date(2025, 3, 14),
        ],
        vec![
            t("Fictif"),
            t("Loïc"),
            t("loic.fictif@exemple.test"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            t("oui"),
        ],
        vec![Cell::Empty, t("  "), Cell::Empty],
    ];
    rows.push(vec![]);
    let merges = merges.then(|| {
        let m = |first_row, first_col, last_row, last_col| Merge {
            first_row,
            first_col,
            last_row,
            last_col,
        };
        vec![
            m(0, 0, 0, 3),
            m(2, 0, 2, 3),
            m(2, 4, 2, 5),
            m(2, 6, 3, 6),
            m(2, 7, 2, 9),
            m(2, 10, 3, 10),
        ]
    });
    Sheet {
        name: "Familles".into(),
        rows,
        merges,
    }
}

fn programmes() -> Vec<Programme> {
    vec![Programme {
        id: "prog-sereins".into(),
        name: "Parents sereins".into(),
    }]
}

#[test]
fn column_letters_are_the_spreadsheets() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(27), "AB");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}

#[test]
fn the_header_is_found_under_titles_and_group_headers_with_or_without_merges() {
    for merges in [true, false] {
        let sheet = office_sheet(merges);
        let layout = detect_layout(&sheet).unwrap();
        assert_eq!(layout.header_row_number(), 4, "merges known: {merges}");
        let labels: Vec<&str> = layout.columns.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Parent — Nom",
                "Parent — Prénom",
                "Parent — E-mail",
                "Parent — Téléphone",
                "Enfants — Nombre",
                "Enfants — Âges",
                "Programme",
                "Consentements — Lettre d'information",
                "Consentements — Témoignages",
                "Consentements — Études",
                "Certification 16 ans et plus",
            ],
            "merges known: {merges}"
        );
        assert_eq!(
            suggest(&layout, None),
            vec![
                Target::FamilyName,
                Target::GivenName,
                Target::Email,
                Target::Phone,
                Target::ChildrenCount,
                Target::AgeBrackets,
                Target::Programme,
                Target::ConsentNewsletter,
                Target::ConsentTestimonials,
                Target::ConsentStudies,
                Target::Certified16Plus,
            ]
        );
    }
}

#[test]
fn a_saved_mapping_wins_over_the_labels_and_a_target_goes_to_one_column() {
    let layout = detect_layout(&office_sheet(true)).unwrap();
    let mut chosen = suggest(&layout, None);
    chosen[3] = Target::Ignore;
    let saved = SavedMapping::of(&layout, &chosen);
    assert_eq!(suggest(&layout, Some(&saved))[3], Target::Ignore);
    // Two columns saying "e-mail": the second is not suggested.
    let mut sheet = office_sheet(true);
    sheet.rows[3][3] = t("Courriel");
    let layout = detect_layout(&sheet).unwrap();
    let suggested = suggest(&layout, None);
    assert_eq!(suggested[2], Target::Email);
    assert_eq!(suggested[3], Target::Ignore);
}

#[test]
fn pol_7_pol_35_rows_become_registrations_and_absent_consents_are_not_invented() {
    let sheet = office_sheet(false);
    let layout = detect_layout(&sheet).unwrap();
    let mapping = suggest(&layout, None);
    let mapped = map_rows(&sheet, &layout, &mapping, &programmes(), now());
    assert!(mapped.is_clean(), "{:?}", mapped.problems);
    assert_eq!(mapped.data_rows, 2, "the trailing empty rows are not rows");
    let [first, second] = &mapped.rows[..] else {
        panic!("two rows");
    };
    assert_eq!(first.row, 5);
    let r = &first.registration;
    assert_eq!(r.channel, crate::intake::Channel::Import);
    assert_eq!(r.phone.as_deref(), Some("0612345678"));
    assert_eq!(r.children_count, Some(2));
    assert_eq!(
        r.age_brackets,
        vec![AgeBracket::Preschool, AgeBracket::Child]
    );
    assert_eq!(r.programme_id.as_deref(), Some("prog-sereins"));
    assert_eq!(
        r.consents,
        vec![
            ConsentChoice {
                purpose: ConsentPurpose::Newsletter,
                granted: true
            },
            ConsentChoice {
                purpose: ConsentPurpose::Studies,
                granted: false
            },
        ],
        "the empty testimonials cell is no answer"
    );
    assert_eq!(
        r.certified_16_plus_at,
        Some(Utc.with_ymd_and_hms(2025, 3, 13, 23, 0, 0).unwrap())
    );
    assert_eq!(second.row, 6);
    assert!(second.registration.consents.is_empty());
    assert_eq!(
        second.registration.certified_16_plus_at,
        Some(now()),
        "a bare yes is recorded at the import"
    );
    assert_eq!(second.registration.programme_id, None);
}

#[test]
fn problems_name_the_row_column_and_field_never_the_value() {
    let mut sheet = office_sheet(true);
    sheet.rows[4][2] = t("pas-une-adresse");
    sheet.rows[4][7] = t("peut-être");
    sheet.rows[5][10] = t("non");
    sheet.rows.insert(
        6,
        vec![
            t("Doublon"),
            t("Lou"),
            t("LOIC.fictif@exemple.test"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            t("Programme inconnu"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            t("oui"),
        ],
    );
    let layout = detect_layout(&sheet).unwrap();
    let mapping = suggest(&layout, None);
    let mapped = map_rows(&sheet, &layout, &mapping, &programmes(), now());
    assert!(mapped.rows.is_empty());
    let found: Vec<(u32, Option<&str>, Field, Problem)> = mapped
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.field, p.problem))
        .collect();
    assert_eq!(
        found,
        vec![
            (5, Some("C"), Field::Email, Problem::Malformed),
            (5, Some("H"), Field::Consents, Problem::Malformed),
            (6, Some("K"), Field::Certified16Plus, Problem::Required),
            (7, Some("C"), Field::Email, Problem::Duplicate),
            (7, Some("G"), Field::ProgrammeId, Problem::Unknown),
        ]
    );
    assert_eq!(mapped.refused_rows(), 3);
    assert_eq!(
        mapped.problems[2].header.as_deref(),
        Some("Certification 16 ans et plus")
    );
    let text = serde_json::to_string(&mapped.problems).unwrap();
    for value in ["pas-une-adresse", "peut", "loic", "Doublon", "inconnu"] {
        assert!(!text.contains(value), "{value} leaked into {text}");
    }
}

#[test]
fn a_mapping_without_e_mail_or_certification_reads_no_row() {
    let sheet = office_sheet(true);
    let layout = detect_layout(&sheet).unwrap();
    let mut mapping = suggest(&layout, None);
    mapping[2] = Target::Ignore;
    mapping[10] = Target::Ignore;
    mapping[4] = Target::GivenName;
    let mapped = map_rows(&sheet, &layout, &mapping, &programmes(), now());
    assert_eq!(
        mapped.mapping_problems,
        vec![
            MappingProblem {
                target: Target::Email,
                problem: Problem::Required
            },
            MappingProblem {
                target: Target::Certified16Plus,
                problem: Problem::Required
            },
            MappingProblem {
                target: Target::GivenName,
                problem: Problem::Duplicate
            },
        ]
    );
    assert!(mapped.rows.is_empty() && mapped.problems.is_empty());
    assert_eq!(mapped.data_rows, 2);
    assert!(!mapped.is_clean());
}

#[test]
fn a_sheet_without_known_labels_takes_its_fullest_row() {
    let sheet = Sheet {
        name: "Feuil1".into(),
        rows: vec![
            vec![t("Liste")],
            vec![t("Colonne 1"), t("Colonne 2"), t("Colonne 3")],
            vec![t("a"), t("b"), t("c")],
        ],
        merges: None,
    };
    let layout = detect_layout(&sheet).unwrap();
    assert_eq!(layout.header_row_number(), 2);
    assert!(suggest(&layout, None).iter().all(|t| *t == Target::Ignore));
    let empty = Sheet {
        name: "Vide".into(),
        rows: vec![vec![], vec![Cell::Empty]],
        merges: None,
    };
    assert_eq!(detect_layout(&empty), None);
}

#[test]
fn every_consent_purpose_has_its_column() {
    for purpose in ConsentPurpose::ALL {
        assert!(
            Target::ALL.iter().any(|t| t.consent() == Some(*purpose)),
            "{purpose}"
        );
    }
}
