//! ROLE-1..5 matrix completeness and DC-4: every `#[tauri::command]` in
//! `src/commands/` is listed in `store::api::Command` (which the access matrix
//! test matches exhaustively), registered in `build.rs` (app manifest) and
//! allowed in the capability file, and nothing else is.

use std::collections::BTreeSet;
use std::path::Path;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Names of functions annotated with `#[tauri::command...]` in src/commands.
fn declared_commands() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(crate_dir().join("src/commands")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut pending = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[tauri::command") {
                pending = true;
            } else if pending && (line.starts_with("pub fn ") || line.starts_with("pub async fn "))
            {
                let rest = line.trim_start_matches("pub ").trim_start_matches("async ");
                let name = rest["fn ".len()..].split(['(', '<']).next().unwrap();
                names.insert(name.to_owned());
                pending = false;
            }
        }
    }
    names
}

#[test]
fn every_command_has_its_row_in_the_access_matrix() {
    let declared = declared_commands();
    let listed: BTreeSet<String> = store::api::Command::ALL
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    assert!(!declared.is_empty());
    assert_eq!(
        declared, listed,
        "add the command to store::api::Command and to the matrix in crates/store/tests/access_matrix.rs"
    );
}

#[test]
fn every_command_is_registered_and_allowed_and_nothing_else() {
    let declared = declared_commands();
    let build = std::fs::read_to_string(crate_dir().join("build.rs")).unwrap();
    let lib = std::fs::read_to_string(crate_dir().join("src/lib.rs")).unwrap();
    let capability: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate_dir().join("capabilities/default.json")).unwrap(),
    )
    .unwrap();
    let allowed: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = declared
        .iter()
        .map(|name| format!("allow-{}", name.replace('_', "-")))
        .collect();
    assert_eq!(
        allowed, expected,
        "the capability allows exactly the app's commands"
    );
    for name in &declared {
        assert!(
            build.contains(&format!("\"{name}\"")),
            "{name} missing from build.rs"
        );
        assert!(
            lib.contains(&format!("::{name},")),
            "{name} missing from generate_handler!"
        );
    }
}

#[test]
fn dc_1_csp_is_strict_and_no_remote_content() {
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate_dir().join("../tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let csp = config["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    assert!(csp.contains("default-src 'self'"));
    assert!(csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert!(!csp.contains("http://") || csp.contains("http://ipc.localhost"));
    assert!(!csp.contains("https:"), "no remote origins");
    // The UI loads nothing from elsewhere.
    for entry in std::fs::read_dir(crate_dir().join("../ui")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains("https://") && !text.contains("http://"),
            "{} loads remote content",
            path.display()
        );
    }
}

#[test]
fn dc_9_core_crates_do_not_depend_on_tauri() {
    for manifest in ["../crates/domain/Cargo.toml", "../crates/store/Cargo.toml"] {
        let text = std::fs::read_to_string(crate_dir().join(manifest)).unwrap();
        assert!(
            !text.contains("tauri"),
            "{manifest} must stay free of Tauri"
        );
    }
}
