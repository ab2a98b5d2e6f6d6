//! The moniravique staff desktop: command-line entry, OS keyring, tracing to
//! the OS log directory, and the Tauri shell whose commands call the store.
//!
//! **Invariant**: no domain rule lives here; commands are a few lines each,
//! declared once in `crates/contract` (`contract.rs` makes their handlers).

pub mod cli;
pub mod commands;
pub mod contract;
pub mod dialogs;
pub mod error;
pub mod keystore;
pub mod logging;
pub mod state;
pub mod sync_link;
pub mod tasks;

use std::process::ExitCode;

/// Parses the command line: seed or check without a window, or open the window.
pub fn main_entry() -> ExitCode {
    let args = match cli::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("moniravique: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    let _log_guard = logging::init(args.log_dir.clone());
    let mut opened = state::open_store(&args.data_dir, args.check);
    if let (Some(url), Some(cert), state::Opened::Ready(store)) =
        (&args.server, &args.server_cert, &mut opened)
    {
        let configured = std::fs::read_to_string(cert)
            .map_err(|e| {
                error::UiError::io(&e).noting("the server certificate file is not readable")
            })
            .and_then(|pem| sync_link::configure(store, url, &pem));
        if let Err(error) = configured {
            eprintln!("moniravique: {error}");
            return ExitCode::from(2);
        }
    }
    if let (true, state::Opened::Ready(store)) = (args.demo_laptop, &mut opened) {
        // Only an empty store becomes a demo laptop: real data is never relabelled.
        if store::seed::is_empty(store).unwrap_or(false) {
            let _ = store::open::set_meta(store, "demo", "true");
        }
    }
    if args.headless() {
        return cli::run_headless(&args, opened);
    }
    let mut app_state = state::AppState::new(opened);
    if let Some(file) = &args.offer_code {
        match std::fs::read_to_string(file)
            .ok()
            .filter(|text| sync::enrol::EnrolmentCode::parse(text).is_ok())
        {
            Some(text) => {
                app_state.offered_code = Some(text.trim().to_owned());
                app_state.offered_account = args.offer_account.clone();
            }
            None => {
                eprintln!("moniravique: {} holds no enrolment code", file.display());
                return ExitCode::from(2);
            }
        }
    }
    run_window(app_state)
}

fn run_window(app_state: state::AppState) -> ExitCode {
    let result = tauri::Builder::default()
        .manage(app_state)
        .invoke_handler(contract::invoke_handler())
        .setup(|app| {
            sync_link::start_background(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the window could not start");
            eprintln!("moniravique: the window could not start: {error}");
            ExitCode::FAILURE
        }
    }
}
