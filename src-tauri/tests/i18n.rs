//! The window's translations (`ui/locales/fr.json`, French by default, and
//! `ui/locales/en.json`): the same keys and placeholders in both languages, a
//! sentence for every error code the core can send (`error.<code>`), a label
//! for every value of the closed lists the window shows, and every key the
//! window's code and markup use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Locale = BTreeMap<String, String>;

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

fn locale(lang: &str) -> Locale {
    let path = ui_dir().join("locales").join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not a flat map of strings: {e}", path.display()))
}

fn both() -> [(&'static str, Locale); 2] {
    [("fr", locale("fr")), ("en", locale("en"))]
}

/// The `{name}` placeholders of a sentence.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        match rest.find('}') {
            Some(end)
                if rest[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                found.insert(rest[..end].to_owned());
                rest = &rest[end + 1..];
            }
            _ => {}
        }
    }
    found
}

/// A serde value's text (closed lists without `as_str`).
fn text_of(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("a unit variant serialises as a string")
}

#[test]
fn french_and_english_have_the_same_keys_and_placeholders() {
    let [(_, fr), (_, en)] = both();
    let only_fr: Vec<&String> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<&String> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
    assert!(
        only_fr.is_empty() && only_en.is_empty(),
        "keys only in French: {only_fr:?}; only in English: {only_en:?}"
    );
    for (key, french) in &fr {
        assert!(!french.trim().is_empty(), "fr {key} is empty");
        assert!(!en[key].trim().is_empty(), "en {key} is empty");
        assert_eq!(
            placeholders(french),
            placeholders(&en[key]),
            "{key}: the placeholders differ between French and English"
        );
    }
}

#[test]
fn every_error_code_has_a_sentence_in_both_languages() {
    for (lang, strings) in both() {
        let missing: Vec<&str> = domain::ErrorCode::ALL
            .iter()
            .map(|code| code.as_str())
            .filter(|code| !strings.contains_key(&format!("error.{code}")))
            .collect();
        assert!(
            missing.is_empty(),
            "{lang}: no error.<code> sentence for {missing:?}"
        );
        // A sentence with details has a plain variant for when they are missing.
        for code in domain::ErrorCode::ALL {
            let key = format!("error.{}", code.as_str());
            if !placeholders(&strings[&key]).is_empty() {
                assert!(
                    strings.contains_key(&format!("{key}.plain")),
                    "{lang}: {key} has placeholders but no {key}.plain"
                );
            }
        }
    }
}

#[test]
fn every_value_of_the_closed_lists_has_a_label() {
    use domain::enrolment::{EnrolmentStatus, PaymentState, SessionKind};
    use domain::rights::{
        Channel, ConsentPurpose, ConsentSource, ObjectionPurpose, RectifiableField,
    };
    use domain::rights::{RequestKind, RequestStatus};
    let mut wanted: Vec<String> = Vec::new();
    let mut add = |prefix: &str, values: Vec<String>| {
        wanted.extend(values.into_iter().map(|v| format!("{prefix}.{v}")));
    };
    add(
        "kind",
        RequestKind::texts().iter().map(|s| s.to_string()).collect(),
    );
    add(
        "channel",
        Channel::texts().iter().map(|s| s.to_string()).collect(),
    );
    add(
        "purpose",
        ObjectionPurpose::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "consent",
        ConsentPurpose::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "source",
        ConsentSource::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "field",
        RectifiableField::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "rqstatus",
        RequestStatus::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "kind",
        SessionKind::texts().iter().map(|s| s.to_string()).collect(),
    );
    add(
        "enrolment",
        EnrolmentStatus::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "payment",
        PaymentState::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "template",
        domain::messages::Template::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "registers.basis",
        domain::access_export::LegalBasis::texts()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    add(
        "role",
        domain::Role::ALL
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    );
    add(
        "retention.action",
        domain::retention::ActionKind::ALL
            .iter()
            .map(|a| a.code().to_owned())
            .collect(),
    );
    use domain::deadlines::Urgency;
    add(
        "urgency",
        [Urgency::OnTrack, Urgency::AtRisk, Urgency::Overdue]
            .into_iter()
            .map(text_of)
            .collect(),
    );
    let rules = domain::retention::RetentionRules::default().entries();
    add(
        "retention.rule",
        rules.iter().map(|r| r.key.to_owned()).collect(),
    );
    add(
        "retention.help",
        rules.iter().map(|r| r.key.to_owned()).collect(),
    );
    add(
        "retention.unit",
        rules.iter().map(|r| text_of(r.unit)).collect(),
    );
    // Issue 15: spreadsheet import
    use domain::families_import::Target;
    use domain::intake::{Field, Problem};
    add(
        "familiesImport.target",
        Target::texts().iter().map(|s| s.to_string()).collect(),
    );
    add(
        "familiesImport.field",
        Field::texts().iter().map(|s| s.to_string()).collect(),
    );
    add(
        "familiesImport.problem",
        Problem::texts().iter().map(|s| s.to_string()).collect(),
    );
    for key in [
        "rows",
        "new_people",
        "known_people",
        "requests_added",
        "already_requested",
        "refused_rows",
    ] {
        add(
            "familiesImport.count",
            vec![format!("{key}.one"), format!("{key}.other")],
        );
    }
    // Issue 16: monthly statistics (formats, measures, the funnel's ends).
    use domain::statistics::{Format, Measure};
    add(
        "statistics.format",
        Format::ALL.iter().map(|f| f.as_str().to_owned()).collect(),
    );
    add(
        "statistics.measure",
        Measure::ALL.iter().map(|m| m.as_str().to_owned()).collect(),
    );
    add(
        "statistics.step",
        vec!["enrolled".to_owned(), "completed".to_owned()],
    );
    for (lang, strings) in both() {
        let missing: Vec<&String> = wanted
            .iter()
            .filter(|k| !strings.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "{lang}: no label for {missing:?}");
    }
}

/// The quoted string that starts at `text` (after `'` or `"`), if closed on the line.
fn quoted(text: &str, quote: char) -> Option<&str> {
    let end = text.find(quote)?;
    let key = &text[..end];
    (!key.is_empty() && !key.contains(['$', '`', '\n', ' '])).then_some(key)
}

/// Keys the window uses literally: `t('key'…)`, `tc('key'…)` (its `.one` and
/// `.other`), and `data-i18n*="key"` in the markup.
fn used_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(ui_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let is_js = name.ends_with(".js");
        if !is_js && name != "index.html" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if is_js {
            for (call, plural) in [("t('", false), ("tc('", true)] {
                for (at, _) in text.match_indices(call) {
                    // A call of t / tc, not the end of another name (e.g. `select('`).
                    let before = text[..at].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                        continue;
                    }
                    if let Some(key) = quoted(&text[at + call.len()..], '\'') {
                        if plural {
                            keys.insert(format!("{key}.one"));
                            keys.insert(format!("{key}.other"));
                        } else {
                            keys.insert(key.to_owned());
                        }
                    }
                }
            }
        }
        for attribute in [
            "data-i18n=\"",
            "data-i18n-placeholder=\"",
            "data-i18n-aria-label=\"",
        ] {
            for (at, _) in text.match_indices(attribute) {
                if let Some(key) = quoted(&text[at + attribute.len()..], '"') {
                    keys.insert(key.to_owned());
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_the_window_uses_exists_in_both_languages() {
    let used = used_keys();
    assert!(
        used.len() > 300 && used.contains("app.name") && used.contains("signin.title"),
        "the scan finds the window's keys ({} found)",
        used.len()
    );
    for (lang, strings) in both() {
        let missing: Vec<&String> = used.iter().filter(|k| !strings.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "{lang}: keys used by ui/ but missing: {missing:?}"
        );
    }
}
