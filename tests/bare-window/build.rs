//! Runs tauri-build against this crate's own `tauri.conf.json`.

fn main() {
    tauri_build::build();
}
