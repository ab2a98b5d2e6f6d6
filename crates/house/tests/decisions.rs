//! Decision records (`docs/decisions/`): each is `NNN-kebab-title.md`,
//! numbered 001, 002, … without gaps or repeats, starts with a `# ` title and
//! has the sections Status, Context, Decision and Consequences, in that
//! order. `ARCHITECTURE.md` links every one of them, and links no record
//! that does not exist.

use house::{files_under, read};
use std::collections::BTreeSet;

const DIR: &str = "docs/decisions";
const SECTIONS: [&str; 4] = ["## Status", "## Context", "## Decision", "## Consequences"];

/// `NNN-kebab-title.md` → NNN.
fn number_of(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".md")?;
    let (number, title) = stem.split_once('-')?;
    let kebab = !title.is_empty()
        && title.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    (number.len() == 3 && number.chars().all(|c| c.is_ascii_digit()) && kebab)
        .then(|| number.parse().ok())
        .flatten()
}

/// What is wrong with one record's text.
fn shape_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let first = text.lines().next().unwrap_or_default();
    if !first.starts_with("# ") || first[2..].trim().is_empty() {
        problems.push("does not start with a `# ` title".to_owned());
    }
    let mut last = 0;
    for section in SECTIONS {
        let Some(at) = text.lines().position(|line| line.trim_end() == section) else {
            problems.push(format!("has no `{section}` section"));
            continue;
        };
        if at < last {
            problems.push(format!("`{section}` is out of order"));
        }
        last = at;
        let body = text
            .lines()
            .skip(at + 1)
            .take_while(|line| !line.starts_with("## "))
            .any(|line| !line.trim().is_empty());
        if !body {
            problems.push(format!("`{section}` is empty"));
        }
    }
    problems
}

#[test]
fn decision_records_are_numbered_shaped_and_linked() {
    let files: Vec<String> = files_under(DIR);
    assert!(!files.is_empty(), "{DIR} holds the decision records");
    let architecture = read("ARCHITECTURE.md");
    let mut problems = Vec::new();
    let mut numbers = BTreeSet::new();
    for path in &files {
        let name = path.rsplit('/').next().unwrap_or_default();
        match number_of(name) {
            Some(n) => {
                if !numbers.insert(n) {
                    problems.push(format!("{path}: number {n:03} is used twice"));
                }
            }
            None => problems.push(format!("{path}: not named NNN-kebab-title.md")),
        }
        for problem in shape_problems(&read(path)) {
            problems.push(format!("{path}: {problem}"));
        }
        if !architecture.contains(&format!("]({path})")) {
            problems.push(format!("{path}: ARCHITECTURE.md does not link it"));
        }
    }
    let expected: BTreeSet<u32> = (1..=numbers.len() as u32).collect();
    if numbers != expected {
        problems.push(format!(
            "numbers are not 001..{:03} without gaps: {numbers:?}",
            numbers.len()
        ));
    }
    for link in architecture.split("](").skip(1) {
        let target = link.split(')').next().unwrap_or_default();
        if target.starts_with(DIR) && !files.iter().any(|f| f == target) {
            problems.push(format!(
                "ARCHITECTURE.md links {target}, which does not exist"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with the decision records:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_shape_rules_catch_what_they_say() {
    assert_eq!(number_of("001-one-gate.md"), Some(1));
    assert_eq!(number_of("012-schema-rs-by-hand.md"), Some(12));
    for bad in [
        "1-short.md",
        "001_title.md",
        "001-Title.md",
        "001-.md",
        "001-a--b.md",
        "README.md",
    ] {
        assert_eq!(number_of(bad), None, "{bad}");
    }
    let good = "# A title\n\n## Status\n\nAccepted.\n\n## Context\n\nWhy.\n\n## Decision\n\nWhat.\n\n## Consequences\n\nSo.\n";
    assert!(shape_problems(good).is_empty());
    assert_eq!(shape_problems("A title\n").len(), 5);
    let empty = good.replace("What.", "");
    assert_eq!(
        shape_problems(&empty),
        vec!["`## Decision` is empty".to_owned()]
    );
}
