//! DC-4, POL-16: the window's commands are declared once (`crates/contract`),
//! and everything else is derived from that declaration: the capability
//! allows exactly them, the bindings in `ui/` are the generated ones, and no
//! other command exists (no marketing export, POL-16). DC-1: a strict CSP and
//! no remote content. DC-9: the core crates stay free of Tauri.

use contract::Command;
use std::collections::BTreeSet;
use std::path::Path;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ui(name: &str) -> std::path::PathBuf {
    crate_dir().join("../ui").join(name)
}

/// Compares a generated file with the one in `ui/`; `UPDATE_BINDINGS=1`
/// rewrites it.
fn check_generated(name: &str, generated: &str) {
    let path = ui(name);
    if std::env::var("UPDATE_BINDINGS").as_deref() == Ok("1") {
        std::fs::write(&path, generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "ui/{name} is stale: run `UPDATE_BINDINGS=1 cargo test -p moniravique-desktop --test contract` and commit it"
    );
}

#[test]
fn dc_4_the_window_bindings_are_generated_from_the_contract() {
    let d_ts = desktop_lib::contract::bindings_d_ts();
    assert!(d_ts.contains("export interface Commands"));
    assert!(d_ts.contains("list_participants: { args: { query: string | null }"));
    // Typed answers: a write answers its value, not untyped JSON.
    assert!(d_ts.contains("confirm_place: { args: { enrolmentId: string; groupId: string; waiverReason: string | null }; answer: Placement }"));
    assert!(!d_ts.contains("bigint"), "JSON numbers are numbers");
    check_generated("bindings.d.ts", &d_ts);
    let js = desktop_lib::contract::commands_js();
    for command in Command::ALL {
        assert!(
            js.contains(&format!("invoke('{}'", command.name())),
            "{} has no function in ui/commands.js",
            command.name()
        );
    }
    check_generated("commands.js", &js);
}

#[test]
fn dc_4_the_capability_allows_exactly_the_declared_commands() {
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
    // The window listens to the core's events (`task`, `sync-status`): the
    // two event permissions, and no other core permission.
    let expected: BTreeSet<String> = Command::ALL
        .iter()
        .map(|command| format!("allow-{}", command.name().replace('_', "-")))
        .chain([
            "core:event:allow-listen".to_owned(),
            "core:event:allow-unlisten".to_owned(),
        ])
        .collect();
    assert_eq!(
        allowed, expected,
        "the capability allows exactly the app's commands and event listening"
    );
    assert!(
        std::fs::read_dir(crate_dir().join("capabilities"))
            .unwrap()
            .count()
            == 1,
        "one capability file"
    );
}

#[test]
fn dc_4_every_command_is_async_and_the_window_calls_only_declared_commands() {
    // No hand-written #[tauri::command] anywhere: the contract makes them all.
    for entry in std::fs::read_dir(crate_dir().join("src/commands")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(
            !text.contains("#[tauri::command"),
            "commands are declared in crates/contract"
        );
    }
    let declared: BTreeSet<&str> = Command::ALL.iter().map(|c| c.name()).collect();
    for entry in std::fs::read_dir(crate_dir().join("../ui")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("js") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for call in text.split("invoke('").skip(1) {
            let name = call.split('\'').next().unwrap();
            assert!(
                declared.contains(name),
                "{} invokes undeclared {name}",
                path.display()
            );
        }
    }
}

#[test]
fn dc_4_only_the_generated_functions_call_the_core_and_no_view_parses_html() {
    for entry in std::fs::read_dir(crate_dir().join("../ui")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".js") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // invoke.js wraps Tauri's invoke; commands.js (generated) is its only caller.
        if name != "invoke.js" {
            assert!(!text.contains("core.invoke"), "{name} calls Tauri's invoke");
        }
        if name != "invoke.js" && name != "commands.js" {
            assert!(
                !text.contains("invoke("),
                "{name} calls invoke: import the command's function from commands.js"
            );
        }
        // Data from the core is personal data: text only, never parsed as HTML.
        for parser in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
        ] {
            assert!(!text.contains(parser), "{name} uses {parser}");
        }
    }
}

#[test]
fn pol_16_no_command_exports_for_marketing_or_third_parties() {
    for command in Command::ALL {
        let name = command.name();
        assert!(
            !["marketing", "advert", "broker", "sell", "mailing_list"]
                .iter()
                .any(|word| name.contains(word)),
            "{name}"
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
        // Issue 16: the SVG namespace names a vocabulary, it loads nothing
        // (ui/charts.js creates its elements in it).
        let text = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .replace("'http://www.w3.org/2000/svg'", "");
        assert!(
            !text.contains("https://") && !text.contains("http://"),
            "{} loads remote content",
            path.display()
        );
    }
}

#[test]
fn dc_9_core_crates_do_not_depend_on_tauri() {
    for manifest in [
        "../crates/domain/Cargo.toml",
        "../crates/store/Cargo.toml",
        "../crates/sync/Cargo.toml",
        "../crates/contract/Cargo.toml",
    ] {
        let text = std::fs::read_to_string(crate_dir().join(manifest)).unwrap();
        assert!(
            !text.contains("tauri"),
            "{manifest} must stay free of Tauri"
        );
    }
}
