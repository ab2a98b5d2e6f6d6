//! Entry point of the moniravique staff desktop.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    desktop_lib::main_entry()
}
