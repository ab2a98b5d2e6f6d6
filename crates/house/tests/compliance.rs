//! `docs/compliance.md` maps every rule id of the requirements to the code
//! and the tests that implement it. This test keeps it honest: every cited
//! path exists and every cited name is defined there (the notation is in
//! `crates/house/src/lib.rs` and at the top of the map), every rule id has
//! exactly one row, every row has a status from the fixed set, and a row
//! marked `done` cites at least one test by name. The other docs
//! (`ARCHITECTURE.md`, `docs/adding-a-command.md`, `docs/decisions/`) use the
//! same notation and are checked the same way.

use house::{backticked, check_span, read, root};
use std::collections::BTreeMap;

const MAP: &str = "docs/compliance.md";

/// The rule ids of the requirements, by family, with their count. The
/// requirements live outside the repository (the tests must not read
/// them): these counts are copied from them (ROLE-1..5, POL-1..38, DC-1..9).
const FAMILIES: [(&str, u32); 3] = [("ROLE", 5), ("POL", 38), ("DC", 9)];

/// The statuses a row may have: `done`, or one of these followed by a
/// reason (`partial: …`, `not yet: …`; `done: …` adds a note).
const STATUS_PREFIXES: [&str; 3] = ["done: ", "partial: ", "not yet: "];

/// One row of the map's tables: `| id | rule | code | tests | status |`.
struct Row<'a> {
    line: usize,
    id: &'a str,
    tests: &'a str,
    status: &'a str,
}

fn is_rule_id(id: &str) -> bool {
    id.split_once('-').is_some_and(|(family, n)| {
        FAMILIES.iter().any(|(f, _)| *f == family)
            && !n.is_empty()
            && !n.starts_with('0')
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

/// The rows of every table in the map, or what is wrong with a table line.
fn rows(text: &str) -> (Vec<Row<'_>>, Vec<String>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let Some(inner) = line.trim().strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = inner
            .trim_end_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells[0] == "id"
            || cells
                .iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue; // header or separator
        }
        if cells.len() != 5 {
            problems.push(format!(
                "line {line_no}: a row has 5 cells (id, rule, code, tests, status), this one {}",
                cells.len()
            ));
            continue;
        }
        if !is_rule_id(cells[0]) {
            problems.push(format!(
                "line {line_no}: `{}` is not a rule id (ROLE-n, POL-n, DC-n)",
                cells[0]
            ));
            continue;
        }
        rows.push(Row {
            line: line_no,
            id: cells[0],
            tests: cells[3],
            status: cells[4],
        });
    }
    (rows, problems)
}

fn status_is_valid(status: &str) -> bool {
    status == "done"
        || STATUS_PREFIXES.iter().any(|prefix| {
            status
                .strip_prefix(prefix)
                .is_some_and(|reason| !reason.trim().is_empty())
        })
}

#[test]
fn every_rule_has_one_row_with_a_status_and_citations_that_exist() {
    let text = read(MAP);
    let root = root();
    let (rows, mut problems) = rows(&text);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &rows {
        let at = format!("{MAP}:{} ({})", row.line, row.id);
        if let Some(first) = seen.insert(row.id, row.line) {
            problems.push(format!("{at}: id already has a row at line {first}"));
        }
        if !status_is_valid(row.status) {
            problems.push(format!(
                "{at}: status `{}` is not `done`, `done: …`, `partial: …` or `not yet: …`",
                row.status
            ));
        }
        let cites_a_test = backticked(row.tests)
            .iter()
            .any(|span| matches!(check_span(&root, span), Ok(Some(c)) if !c.names.is_empty()));
        if row.status.starts_with("done") && !cites_a_test {
            problems.push(format!(
                "{at}: a `done` row cites at least one test by name"
            ));
        }
    }
    // Every citation of the file, in the rows and around them.
    for (index, line) in text.lines().enumerate() {
        let at = match rows.iter().find(|row| row.line == index + 1) {
            Some(row) => format!("{MAP}:{} ({})", row.line, row.id),
            None => format!("{MAP}:{}", index + 1),
        };
        for span in backticked(line) {
            if let Err(why) = check_span(&root, span) {
                problems.push(format!("{at}: {why}"));
            }
        }
    }
    for (family, count) in FAMILIES {
        for n in 1..=count {
            let id = format!("{family}-{n}");
            if !seen.contains_key(id.as_str()) {
                problems.push(format!("{MAP}: no row for {id}"));
            }
        }
    }
    for row in &rows {
        let (family, n) = row.id.split_once('-').unwrap_or_default();
        let count = FAMILIES.iter().find(|(f, _)| *f == family).map(|(_, c)| *c);
        if n.parse::<u32>().ok() > count {
            problems.push(format!(
                "{MAP}:{}: {} is not a rule of the requirements",
                row.line, row.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in {MAP}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_other_docs_cite_only_what_exists() {
    let root = root();
    let mut docs = vec![
        "ARCHITECTURE.md".to_owned(),
        "docs/adding-a-command.md".to_owned(),
    ];
    docs.extend(
        house::files_under("docs/decisions")
            .into_iter()
            .filter(|path| path.ends_with(".md")),
    );
    let mut problems = Vec::new();
    for doc in &docs {
        let text = read(doc);
        let mut in_code_block = false;
        for (index, line) in text.lines().enumerate() {
            // Fenced blocks hold code and diagrams, not citations.
            if line.trim_start().starts_with("```") {
                in_code_block = !in_code_block;
                continue;
            }
            if in_code_block {
                continue;
            }
            for span in backticked(line) {
                if let Err(why) = check_span(&root, span) {
                    problems.push(format!("{doc}:{}: {why}", index + 1));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} citation(s) that do not hold:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
