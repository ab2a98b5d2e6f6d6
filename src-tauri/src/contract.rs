//! The window's commands, made from their one declaration in
//! `crates/contract`: each Tauri handler (an `async` function, so it never
//! runs on the window's thread, that calls its body in `crate::commands`),
//! the handler list, and the typed bindings of the window (`ui/bindings.d.ts`
//! with every type and command, `ui/commands.js` with one function per
//! command). `tests/contract.rs` fails when the bindings in `ui/` are stale.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use ts_rs::{TypeVisitor, TS};

/// One command's name, arguments and answer, as TypeScript.
pub struct Signature {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub answer: String,
}

macro_rules! desktop_commands {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $area:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $answer:ty [$($flag:ident)*];
    )+) => {
        /// The Tauri handlers. Arguments are never logged (they may hold
        /// personal data, POL-22); errors are logged by code and details.
        pub mod handlers {
            $(
                $(#[doc = $doc])*
                #[tauri::command]
                #[tracing::instrument(skip_all, err)]
                pub async fn $name(
                    app: tauri::AppHandle,
                    $($arg: $ty),*
                ) -> Result<$answer, crate::error::UiError> {
                    crate::commands::$area::$name(&crate::state::Ctx::new(app), $($arg),*).await
                }
            )+
        }

        /// Every handler, for `tauri::Builder::invoke_handler`.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(handlers::$name),+]
        }

        /// Every command's signature as TypeScript, with the declarations of
        /// the types they use.
        pub fn signatures(types: &mut Types) -> Vec<Signature> {
            vec![$(Signature {
                name: stringify!($name),
                doc: concat!($($doc, "\n"),*),
                args: vec![$((stringify!($arg), types.of::<$ty>())),*],
                answer: types.of::<$answer>(),
            }),+]
        }
    };
}

contract::with_commands!(desktop_commands);

/// The TypeScript declarations of every named type reached from the
/// commands' arguments and answers.
#[derive(Default)]
pub struct Types {
    seen: HashSet<TypeId>,
    pub declarations: BTreeMap<String, String>,
}

/// JSON numbers: serde writes 64-bit integers as numbers, never as bigint.
fn as_json(ts: String) -> String {
    ts.replace("bigint", "number")
}

impl Types {
    /// How `T` is written in TypeScript; its declarations are collected.
    pub fn of<T: TS + 'static + ?Sized>(&mut self) -> String {
        self.collect::<T>();
        as_json(T::name())
    }

    fn collect<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            self.declarations
                .insert(T::ident(), format!("export {}", as_json(T::decl())));
        }
        struct Visit<'a>(&'a mut Types);
        impl TypeVisitor for Visit<'_> {
            fn visit<D: TS + 'static + ?Sized>(&mut self) {
                self.0.collect::<D>();
            }
        }
        T::visit_dependencies(&mut Visit(self));
        T::visit_generics(&mut Visit(self));
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

const GENERATED: &str =
    "Generated from crates/contract and the Rust types by `cargo test -p moniravique-desktop --test contract` \
     (UPDATE_BINDINGS=1 to rewrite). Do not edit.";

/// `ui/bindings.d.ts`: every type, and `Commands`, each command's arguments
/// (camelCase, as Tauri reads them) and answer.
pub fn bindings_d_ts() -> String {
    let mut types = Types::default();
    let signatures = signatures(&mut types);
    // What else the window receives: errors, the `task` events and the
    // import's `import-progress` events.
    types.of::<crate::error::UiError>();
    types.of::<crate::tasks::TaskEvent>();
    // Issue 15: spreadsheet import
    types.of::<crate::commands::families_import::ImportProgress>();
    let mut out = format!("// {GENERATED}\n\n");
    for declaration in types.declarations.values() {
        out.push_str(declaration);
        out.push_str("\n\n");
    }
    out.push_str("/** Every command of the window: its arguments and its answer. */\nexport interface Commands {\n");
    for signature in &signatures {
        let args: Vec<String> = signature
            .args
            .iter()
            .map(|(name, ts)| format!("{}: {ts}", camel(name)))
            .collect();
        let args = if args.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; answer: {} }};\n",
            signature.name, signature.answer
        ));
    }
    out.push_str("}\n");
    out
}

/// `ui/commands.js`: one typed function per command, in declaration order.
pub fn commands_js() -> String {
    let mut types = Types::default();
    let signatures = signatures(&mut types);
    let mut out = format!(
        "// @ts-check\n// {GENERATED}\n\nimport {{ invoke }} from './invoke.js';\n\n\
         /** @typedef {{import('./bindings').Commands}} Commands */\n"
    );
    for signature in &signatures {
        out.push_str("\n/**\n");
        for line in signature.doc.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!(" *{line}\n"));
        }
        for (name, _) in &signature.args {
            out.push_str(&format!(
                " * @param {{Commands['{}']['args']['{}']}} {}\n",
                signature.name,
                camel(name),
                camel(name)
            ));
        }
        out.push_str(&format!(
            " * @returns {{Promise<Commands['{}']['answer']>}}\n */\n",
            signature.name
        ));
        let params: Vec<String> = signature.args.iter().map(|(n, _)| camel(n)).collect();
        // An absent optional argument is sent as null (Tauri reads it as None).
        let fields: Vec<String> = signature
            .args
            .iter()
            .map(|(n, ts)| {
                let n = camel(n);
                if ts.ends_with("| null") {
                    format!("{n}: {n} ?? null")
                } else {
                    n
                }
            })
            .collect();
        let fields = if fields.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", fields.join(", "))
        };
        out.push_str(&format!(
            "export const {} = ({}) => invoke('{}', {fields});\n",
            camel(signature.name),
            params.join(", "),
            signature.name,
        ));
    }
    out
}
