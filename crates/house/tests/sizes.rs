//! No Rust or JavaScript file over 800 lines outside tests and generated
//! files: a file that long holds several concerns, and is split along its
//! seams. Tests (`tests/` directories, `benches/`) and generated files
//! (`ui/commands.js`, `ui/bindings.d.ts`) are exempt.

use house::{files_under, read};

const MAX_LINES: usize = 800;

/// Written by `cargo test -p moniravique-desktop --test contract`
/// (`UPDATE_BINDINGS=1`), never by hand.
const GENERATED: [&str; 2] = ["ui/commands.js", "ui/bindings.d.ts"];

fn is_checked(path: &str) -> bool {
    let source = path.ends_with(".rs") || path.ends_with(".js");
    let in_tests = path
        .split('/')
        .any(|dir| dir == "tests" || dir == "benches");
    source && !in_tests && !GENERATED.contains(&path)
}

#[test]
fn no_source_file_is_over_800_lines() {
    let checked: Vec<String> = files_under("")
        .into_iter()
        .filter(|path| is_checked(path))
        .collect();
    assert!(
        checked
            .iter()
            .any(|path| path == "crates/store/src/gate.rs"),
        "the walk reaches the crates"
    );
    let offenders: Vec<String> = checked
        .iter()
        .filter_map(|path| {
            let lines = read(path).lines().count();
            (lines > MAX_LINES).then(|| format!("{path}: {lines} lines"))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "{} file(s) over {MAX_LINES} lines (split them along their seams):\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn tests_and_generated_files_are_the_only_exemptions() {
    assert!(!is_checked("crates/store/tests/access_matrix.rs"));
    assert!(!is_checked("tests/tests/window.rs"));
    assert!(!is_checked("crates/server/benches/sync_bench.rs"));
    assert!(!is_checked("ui/commands.js"));
    assert!(is_checked("ui/app.js"));
    assert!(is_checked("crates/domain/src/balancing/tests.rs"));
    assert!(!is_checked("ui/style.css"));
}
