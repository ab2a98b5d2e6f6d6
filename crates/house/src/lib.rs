//! Support for the house tests in `tests/`: where the repository is, and the
//! notation of citations in the docs, so each test stays a few lines.
//!
//! **Citations.** In `docs/compliance.md`, `ARCHITECTURE.md`,
//! `docs/adding-a-command.md` and `docs/decisions/`, a citation is a
//! backticked path from the repository root, optionally followed by
//! `::name` (repeated for a nested name, `::Type::method`): for example
//! `crates/store/src/gate.rs::run`. A directory is cited with a trailing
//! `/`. The path must exist, and each name must be defined in that file
//! ([`defines`]). Any backticked text with a `/`, a `::` or a file extension
//! must be such a citation ([`looks_like_citation`]); other backticked text
//! (a table, a code, a value) is not checked.

use std::path::{Path, PathBuf};

/// The repository's root (this crate is `crates/house`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the repository, as text; panics naming it when it is missing.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|error| panic!("{relative}: {error}"))
}

/// The backticked spans of one line (single backticks).
pub fn backticked(line: &str) -> Vec<&str> {
    line.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, span)| span)
        .collect()
}

/// File extensions that make backticked text a path.
const EXTENSIONS: &[&str] = &[
    "rs", "js", "ts", "json", "toml", "sql", "md", "sh", "html", "css", "lock", "csv", "txt",
];

/// Whether backticked text is meant as a citation: it has a `/`, a `::`, or
/// ends with a file extension.
pub fn looks_like_citation(span: &str) -> bool {
    let path = span.split("::").next().unwrap_or(span);
    span.contains('/')
        || span.contains("::")
        || path
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext))
}

/// A path from the repository root, and the names it must define.
#[derive(Debug, PartialEq, Eq)]
pub struct Citation<'a> {
    pub path: &'a str,
    pub names: Vec<&'a str>,
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses `path` or `path::name::name`, in the notation only.
pub fn parse_citation(span: &str) -> Result<Citation<'_>, String> {
    let mut parts = span.split("::");
    let path = parts.next().unwrap_or_default();
    let names: Vec<&str> = parts.collect();
    let path_chars_ok = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c));
    if path.is_empty()
        || !path_chars_ok
        || path.starts_with('/')
        || path.contains("//")
        || path
            .split('/')
            .any(|segment| segment == "." || segment == "..")
    {
        return Err(format!(
            "`{span}` is not a path from the repository root (crates/…, src-tauri/…, ui/…)"
        ));
    }
    if let Some(bad) = names.iter().find(|name| !is_identifier(name)) {
        return Err(format!("`{span}`: `{bad}` is not a name"));
    }
    if !names.is_empty() && path.ends_with('/') {
        return Err(format!("`{span}`: a directory defines no names"));
    }
    Ok(Citation { path, names })
}

/// Checks backticked text against the repository: `Ok(None)` for text that
/// is not a citation, `Ok(Some(_))` for a citation that holds, `Err(why)`.
pub fn check_span<'a>(root: &Path, span: &'a str) -> Result<Option<Citation<'a>>, String> {
    if !looks_like_citation(span) {
        return Ok(None);
    }
    let citation = parse_citation(span)?;
    let full = root.join(citation.path.trim_end_matches('/'));
    if citation.path.ends_with('/') {
        if !full.is_dir() {
            return Err(format!("`{span}`: no such directory"));
        }
        return Ok(Some(citation));
    }
    if full.is_dir() {
        return Err(format!(
            "`{span}`: a directory is cited with a trailing `/`"
        ));
    }
    if !full.is_file() {
        return Err(format!("`{span}`: no such file"));
    }
    if citation.names.is_empty() {
        return Ok(Some(citation));
    }
    let lang = match full.extension().and_then(|e| e.to_str()) {
        Some("rs") => Lang::Rust,
        Some("js") => Lang::Js,
        _ => {
            return Err(format!(
                "`{span}`: names are checked in .rs and .js files only"
            ))
        }
    };
    let source = std::fs::read_to_string(&full).map_err(|e| format!("`{span}`: {e}"))?;
    match citation
        .names
        .iter()
        .find(|name| !defines(&source, name, lang))
    {
        Some(missing) => Err(format!("`{span}`: `{missing}` is not defined in that file")),
        None => Ok(Some(citation)),
    }
}

/// The language of a source file, for [`defines`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Js,
}

const RUST_KEYWORDS: &[&str] = &[
    "fn",
    "const",
    "static",
    "struct",
    "enum",
    "trait",
    "type",
    "mod",
    "union",
    "macro_rules",
];
const JS_KEYWORDS: &[&str] = &["function", "const", "let", "var", "class"];

/// Whether `source` defines `name`: a keyword followed by the name (Rust:
/// `fn`, `const`, `static`, `struct`, `enum`, `trait`, `type`, `mod`,
/// `macro_rules!`; JS: `function`, `const`, `let`, `var`, `class`), or, for a
/// capitalised name in Rust, a line that starts with it followed by `,`,
/// `(`, `{`, `=` or `=>` (an enum variant, or an entry of a table macro such
/// as `actions!` or `with_commands!`). Lines that are `//` comments do not
/// count.
pub fn defines(source: &str, name: &str, lang: Lang) -> bool {
    let keywords = match lang {
        Lang::Rust => RUST_KEYWORDS,
        Lang::Js => JS_KEYWORDS,
    };
    let capitalised = name.starts_with(|c: char| c.is_ascii_uppercase());
    source.lines().map(str::trim_start).any(|line| {
        if line.starts_with("//") {
            return false;
        }
        let words: Vec<&str> = line
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .filter(|w| !w.is_empty())
            .collect();
        if words
            .windows(2)
            .any(|pair| keywords.contains(&pair[0]) && pair[1] == name)
        {
            return true;
        }
        if lang == Lang::Rust && capitalised {
            if let Some(rest) = line.strip_prefix(name) {
                let after = rest.trim_start();
                let boundary = !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
                return boundary
                    && (after.is_empty()
                        || [",", "(", "{", "="].iter().any(|p| after.starts_with(p)));
            }
        }
        false
    })
}

/// Every file under `dir` (relative to the repository root), skipping hidden
/// directories, `target` and `node_modules`; sorted, as relative paths with `/`.
pub fn files_under(dir: &str) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    walk(root, &path, out);
                }
            } else if let Ok(relative) = path.strip_prefix(root) {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let root = root();
    let root = root.canonicalize().unwrap_or(root);
    let mut out = Vec::new();
    walk(&root, &root.join(dir), &mut out);
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticked_spans_are_the_odd_pieces() {
        assert_eq!(
            backticked("a `b` c `d::e` f"),
            vec!["b", "d::e"],
            "spans between backticks"
        );
        assert!(backticked("no spans").is_empty());
    }

    #[test]
    fn only_paths_and_rust_paths_look_like_citations() {
        for span in [
            "crates/store/src/gate.rs",
            "migrations/",
            "Cargo.toml",
            "gate::run",
            "store/src/api.rs",
        ] {
            assert!(looks_like_citation(span), "{span}");
        }
        for span in [
            "participants",
            "error.slowed_down",
            "sync.role = server",
            "POLICY",
        ] {
            assert!(!looks_like_citation(span), "{span}");
        }
    }

    #[test]
    fn the_notation_is_strict() {
        assert_eq!(
            parse_citation("crates/a.rs::Type::method").unwrap(),
            Citation {
                path: "crates/a.rs",
                names: vec!["Type", "method"]
            }
        );
        for bad in [
            "../shared/x.md",
            "/abs/path.rs",
            "crates/a.rs::",
            "crates/a.rs::not a name",
            "ui/locales/*.json",
            "crates/::name",
        ] {
            assert!(parse_citation(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn definitions_are_found_and_mentions_are_not() {
        let rust = "pub async fn run<T>(x: u8) {}\n\
                    pub(crate) const LIMIT: u8 = 1;\n\
                    macro_rules! table { () => {} }\n\
                    enum Scope {\n    LedGroups,\n    Refused(String),\n}\n\
                    actions! {\n    ParticipantList => \"participant.list\", [ContactList: Read], Shown;\n}\n\
                    // fn commented_out() {}\n\
                    let value = mentioned(1);\n";
        for name in [
            "run",
            "LIMIT",
            "table",
            "Scope",
            "LedGroups",
            "Refused",
            "ParticipantList",
        ] {
            assert!(defines(rust, name, Lang::Rust), "{name}");
        }
        for name in ["commented_out", "mentioned", "value", "Led", "ContactList"] {
            assert!(!defines(rust, name, Lang::Rust), "{name}");
        }
        let js = "export async function fillAlerts(list) {}\nconst KINDS = [];\n";
        assert!(defines(js, "fillAlerts", Lang::Js));
        assert!(defines(js, "KINDS", Lang::Js));
        assert!(!defines(js, "list", Lang::Js));
    }

    #[test]
    fn spans_are_checked_against_this_repository() {
        let root = root();
        assert!(check_span(&root, "participants").unwrap().is_none());
        let own = check_span(&root, "crates/house/src/lib.rs::check_span");
        assert!(own.is_ok(), "{own:?}");
        assert!(check_span(&root, "crates/house/").is_ok());
        assert!(
            check_span(&root, "crates/house").is_err(),
            "a directory needs its /"
        );
        assert!(check_span(&root, "crates/house/src/lib.rs::no_such_name").is_err());
        assert!(check_span(&root, "crates/house/src/nothing.rs").is_err());
        assert!(check_span(&root, "crates/house/Cargo.toml::name").is_err());
    }
}
