//! The DPO's desk (issue 4; POL-7, POL-8, POL-14, POL-21..38): rights-request
//! register, access/portability export, rectification, erasure with its
//! certificate, objections, unsubscribe, consents, retention, registers.
//! Thin: every rule is in the store. Arguments that carry personal data
//! (values, grounds, notes) are skipped by the tracing instrumentation (POL-22).

use crate::dialogs;
use crate::error::UiError;
use crate::state::AppState;
use serde::Serialize;
use sync::Operation;
use tauri::State;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn rights_requests(
    state: State<'_, AppState>,
) -> Result<Vec<store::rights::RequestRow>, UiError> {
    state.with_actor(|store, actor| {
        store::rights::list_requests(store.connection(), actor, now()).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state, request), err)]
pub fn register_rights_request(
    state: State<'_, AppState>,
    request: store::rights::NewRequest,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::RegisterRightsRequest {
        participant_id: request.participant_id,
        request_kind: request.kind,
        channel: request.channel,
        received_on: request.received_on,
        objection_purpose: request.objection_purpose,
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn rights_request_detail(
    state: State<'_, AppState>,
    request_id: String,
) -> Result<store::rights::RequestDetail, UiError> {
    state.with_actor(|store, actor| {
        store::rights::request_detail(store.connection(), actor, &request_id, now())
            .map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state, step), err)]
pub fn advance_rights_request(
    state: State<'_, AppState>,
    request_id: String,
    step: sync::ops::RequestStep,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::AdvanceRightsRequest { request_id, step })
}

#[tauri::command]
#[tracing::instrument(skip(state, value), err)]
pub fn rectify_field(
    state: State<'_, AppState>,
    request_id: String,
    field: String,
    value: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::RectifyField {
        request_id,
        field,
        value,
    })
}

#[tauri::command]
#[tracing::instrument(skip(state, grounds), err)]
pub fn decide_objection(
    state: State<'_, AppState>,
    request_id: String,
    accepted: bool,
    grounds: Option<String>,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::DecideObjection {
        request_id,
        accepted,
        grounds,
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn unsubscribe_participant(
    state: State<'_, AppState>,
    participant_id: String,
    source: String,
    request_id: Option<String>,
) -> Result<store::rights::Preferences, UiError> {
    state.apply(Operation::Unsubscribe {
        participant_id: participant_id.clone(),
        source,
        request_id,
    })?;
    state.with_actor(|store, _| {
        store::rights::preferences(store.connection(), &participant_id).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn record_consent(
    state: State<'_, AppState>,
    participant_id: String,
    purpose: String,
    granted: bool,
    source: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::RecordConsent {
        participant_id,
        purpose,
        granted,
        source,
    })
}

#[derive(Serialize)]
pub struct Saved {
    /// False when the user cancelled the dialog (nothing was written).
    pub saved: bool,
    pub categories: usize,
    pub records: usize,
}

/// Access / portability export (POL-23, POL-27): the zip is built after the
/// dialog, so a cancelled dialog reads nothing and logs nothing.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn export_access(
    state: State<'_, AppState>,
    participant_id: String,
    request_id: Option<String>,
) -> Result<Saved, UiError> {
    // Permission and the request's state first, so a refused export opens no
    // dialog (the export itself checks both again).
    state.with_actor(|store, actor| {
        domain::access::authorize(
            actor,
            domain::access::Category::RightsRequests,
            domain::access::Access::Write,
        )
        .map_err(store::StoreError::from)?;
        if let Some(request_id) = &request_id {
            store::rights::actionable_request(
                store.connection(),
                request_id,
                &["access", "portability"],
                now(),
            )?;
        }
        Ok(())
    })?;
    let Some(path) = dialogs::save_path(
        "Enregistrer la réponse à la demande d'accès",
        "moniravique-donnees-personnelles.zip".to_owned(),
        ("ZIP", &["zip"]),
    )
    .await?
    else {
        return Ok(Saved {
            saved: false,
            categories: 0,
            records: 0,
        });
    };
    let export = state.with_actor(|store, actor| {
        store::export::access_export(
            store.connection(),
            actor,
            &participant_id,
            request_id.as_deref(),
            now(),
        )
        .map_err(Into::into)
    })?;
    let bytes = export
        .to_zip()
        .map_err(|e| UiError::new("export", e.to_string()))?;
    std::fs::write(&path, bytes)
        .map_err(|e| UiError::new("io", format!("the file could not be written: {}", e.kind())))?;
    Ok(Saved {
        saved: true,
        categories: export.categories.len(),
        records: export.categories.iter().map(|c| c.rows.len()).sum(),
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn erase_participant(
    state: State<'_, AppState>,
    participant_id: String,
    reason: String,
    request_id: Option<String>,
    deep: bool,
) -> Result<serde_json::Value, UiError> {
    store::erase::parse_reason(&reason)
        .ok_or_else(|| UiError::new("invalid_input", "unknown erasure reason"))?;
    state.apply(Operation::EraseParticipant {
        participant_id,
        reason,
        request_id,
        deep,
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn save_certificate(
    state: State<'_, AppState>,
    certificate_id: String,
) -> Result<Saved, UiError> {
    let html = state.with_actor(|store, actor| {
        store::erase::certificate_html(store.connection(), actor, &certificate_id, now())
            .map_err(Into::into)
    })?;
    let Some(path) = dialogs::save_path(
        "Enregistrer l'attestation d'effacement",
        "attestation-effacement.html".to_owned(),
        ("HTML", &["html"]),
    )
    .await?
    else {
        return Ok(Saved {
            saved: false,
            categories: 0,
            records: 0,
        });
    };
    std::fs::write(&path, html)
        .map_err(|e| UiError::new("io", format!("the file could not be written: {}", e.kind())))?;
    Ok(Saved {
        saved: true,
        categories: 0,
        records: 0,
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn legal_holds(state: State<'_, AppState>) -> Result<Vec<store::retention::HoldRow>, UiError> {
    state.with_actor(|store, actor| {
        store::retention::legal_holds(store.connection(), actor, now()).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn retention_rules(
    state: State<'_, AppState>,
) -> Result<Vec<domain::retention::RuleEntry>, UiError> {
    state.with_actor(|store, actor| {
        store::retention::rules(store.connection(), actor, now()).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn set_retention_rule(
    state: State<'_, AppState>,
    key: String,
    value: u32,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::SetRetentionRule { key, value })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn retention_preview(state: State<'_, AppState>) -> Result<store::retention::Preview, UiError> {
    state.with_actor(|store, actor| {
        store::retention::preview(store.connection(), actor, now()).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn retention_run(state: State<'_, AppState>) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::RetentionRun {})
}

/// The quarterly report (POL-33), saved as HTML with its CSV beside it.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn save_quarterly_report(state: State<'_, AppState>) -> Result<Saved, UiError> {
    let report = state.with_actor(|store, actor| {
        store::retention::quarterly_report(store.connection(), actor, None, now())
            .map_err(Into::into)
    })?;
    let name = format!(
        "rapport-conservation-{}-T{}.html",
        report.quarter.year, report.quarter.q
    );
    let Some(path) = dialogs::save_path(
        "Enregistrer le rapport trimestriel",
        name,
        ("HTML", &["html"]),
    )
    .await?
    else {
        return Ok(Saved {
            saved: false,
            categories: 0,
            records: 0,
        });
    };
    let write = |path: &std::path::Path, text: String| {
        std::fs::write(path, text)
            .map_err(|e| UiError::new("io", format!("the file could not be written: {}", e.kind())))
    };
    write(&path, report.to_html_fr())?;
    write(&path.with_extension("csv"), report.to_csv())?;
    Ok(Saved {
        saved: true,
        categories: 2,
        records: report.executed.len() + report.overdue.len(),
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn registers(state: State<'_, AppState>) -> Result<store::registers::Registers, UiError> {
    state.with_actor(|store, actor| {
        store::registers::registers(store.connection(), actor, now()).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state, processor), err)]
pub fn save_processor(
    state: State<'_, AppState>,
    processor: store::registers::Processor,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::SaveProcessor { processor })
}

#[tauri::command]
#[tracing::instrument(skip(state, activity), err)]
pub fn save_activity(
    state: State<'_, AppState>,
    activity: store::registers::Activity,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::SaveActivity { activity })
}

#[tauri::command]
#[tracing::instrument(skip(state, version), err)]
pub fn publish_policy_version(
    state: State<'_, AppState>,
    version: store::registers::NewPolicyVersion,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::PublishPolicyVersion { version })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn assistance_requests(
    state: State<'_, AppState>,
) -> Result<Vec<store::assistance::AssistanceRow>, UiError> {
    state.with_actor(|store, actor| {
        store::assistance::open_requests(store.connection(), actor, now()).map_err(Into::into)
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn renew_assistance(
    state: State<'_, AppState>,
    request_id: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::RenewAssistance { request_id })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn close_assistance(state: State<'_, AppState>, request_id: String) -> Result<(), UiError> {
    state
        .apply(Operation::CloseAssistance { request_id })
        .map(|_| ())
}

/// The server's anomaly alerts about the staff's audit trails (POL-21),
/// pulled with the sync; DPO only (checked in the store).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn audit_alerts(state: State<'_, AppState>) -> Result<Vec<store::audit::AlertRow>, UiError> {
    state.with_actor(|store, actor| {
        store::audit::alerts(store.connection(), actor, now()).map_err(Into::into)
    })
}

/// Marks an anomaly alert as handled (POL-21; DPO only, checked in the
/// store). An operation: it reaches the server and the DPO's other laptops.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub fn acknowledge_alert(state: State<'_, AppState>, alert_id: String) -> Result<(), UiError> {
    state
        .apply(Operation::AcknowledgeAlert { alert_id })
        .map(|_| ())
}
