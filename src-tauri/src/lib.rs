//! The moniravique staff desktop: command-line entry, OS keyring, tracing to
//! the OS log directory, and the Tauri shell whose commands call the store.
//!
//! **Invariant**: no domain rule lives here; commands are a few lines each.

pub mod cli;
pub mod commands;
pub mod dialogs;
pub mod error;
pub mod keystore;
pub mod logging;
pub mod state;
pub mod sync_link;

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
    let mut opened = state::open_store(&args.data_dir);
    if let (Some(url), Some(cert), state::Opened::Ready(store)) =
        (&args.server, &args.server_cert, &mut opened)
    {
        let configured = std::fs::read_to_string(cert)
            .map_err(|_| error::UiError::new("io", "the server certificate file is not readable"))
            .and_then(|pem| sync_link::configure(store, url, &pem));
        if let Err(error) = configured {
            eprintln!("moniravique: {} ({})", error.message, error.code);
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
    let app_state = state::AppState::new(opened);
    run_window(app_state)
}

fn run_window(app_state: state::AppState) -> ExitCode {
    let result = tauri::Builder::default()
        .manage(app_state)
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::current_session,
            commands::participants::list_participants,
            commands::participants::participant_profile,
            commands::groups::list_groups,
            commands::audit::audit_trail,
            commands::audit::verify_audit_chain,
            commands::trainer::upcoming_sessions,
            commands::trainer::preparation_sheet,
            commands::trainer::add_progress_note,
            commands::trainer::edit_progress_note,
            commands::trainer::add_objective,
            commands::trainer::edit_objective,
            commands::trainer::set_attendance,
            commands::registrations::registrations,
            commands::registrations::confirm_place,
            commands::registrations::cancel_enrolment,
            commands::registrations::move_enrolment,
            commands::planning::planning_resources,
            commands::planning::group_sessions,
            commands::planning::add_session,
            commands::planning::update_group,
            commands::office::balancing_propose,
            commands::office::balancing_evaluate,
            commands::office::balancing_apply,
            commands::exchange::import_report,
            commands::exchange::unmatched_rows,
            commands::exchange::resolve_unmatched,
            commands::office::message_preview,
            commands::office::queue_messages,
            commands::office::outbox,
            commands::exchange::export_contact_list,
            commands::dpo::rights_requests,
            commands::dpo::register_rights_request,
            commands::dpo::rights_request_detail,
            commands::dpo::advance_rights_request,
            commands::dpo::rectify_field,
            commands::dpo::decide_objection,
            commands::dpo::unsubscribe_participant,
            commands::dpo::record_consent,
            commands::dpo::export_access,
            commands::dpo::erase_participant,
            commands::dpo::save_certificate,
            commands::dpo::legal_holds,
            commands::dpo::retention_rules,
            commands::dpo::set_retention_rule,
            commands::dpo::retention_preview,
            commands::dpo::retention_run,
            commands::dpo::save_quarterly_report,
            commands::dpo::registers,
            commands::dpo::save_processor,
            commands::dpo::save_activity,
            commands::dpo::publish_policy_version,
            commands::dpo::assistance_requests,
            commands::dpo::renew_assistance,
            commands::dpo::close_assistance,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::sync::dismiss_refusal,
            commands::dpo::audit_alerts,
            commands::dpo::acknowledge_alert,
        ])
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
