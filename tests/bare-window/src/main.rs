//! A bare Tauri v2 window: the same Tauri version, features and window size
//! as the staff desktop, showing one static page with a sign-in form and no
//! command, store or script. The start bench (`tests/benches/start_bench.rs`)
//! measures the desktop's start against this one.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare window could not start");
}
