//! Runs tauri-build against the configuration at the repository root (DC-9) and
//! declares the app's own commands, so capabilities can allow exactly them.

/// Must list every `#[tauri::command]`; `tests/commands_registry.rs` checks it.
const COMMANDS: &[&str] = &[
    "app_info",
    "sign_in",
    "sign_out",
    "current_session",
    "list_participants",
    "participant_profile",
    "list_groups",
    "audit_trail",
    "verify_audit_chain",
    "upcoming_sessions",
    "preparation_sheet",
    "add_progress_note",
    "edit_progress_note",
    "add_objective",
    "edit_objective",
    "registrations",
    "confirm_place",
    "cancel_enrolment",
    "move_enrolment",
    "planning_resources",
    "group_sessions",
    "add_session",
    "update_group",
    "balancing_propose",
    "balancing_evaluate",
    "balancing_apply",
    "import_report",
    "unmatched_rows",
    "resolve_unmatched",
    "message_preview",
    "queue_messages",
    "outbox",
    "export_contact_list",
    "set_attendance",
    "rights_requests",
    "register_rights_request",
    "rights_request_detail",
    "advance_rights_request",
    "rectify_field",
    "decide_objection",
    "unsubscribe_participant",
    "record_consent",
    "export_access",
    "erase_participant",
    "save_certificate",
    "legal_holds",
    "retention_rules",
    "set_retention_rule",
    "retention_preview",
    "retention_run",
    "save_quarterly_report",
    "registers",
    "save_processor",
    "save_activity",
    "publish_policy_version",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
