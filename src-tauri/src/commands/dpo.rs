//! The DPO's desk (POL-7, POL-8, POL-14, POL-21..38): rights-request
//! register, access/portability export, rectification, erasure with its
//! certificate, objections, unsubscribe, consents, retention, registers and
//! support access. Thin: every rule is in the store and the domain. Files are
//! written after the dialog, outside the store's lock; the erasure's page
//! check runs in the background (`crate::tasks`).

use crate::dialogs;
use crate::error::UiError;
use crate::state::Ctx;
use domain::access_export::ErasureReason;
use domain::rights::{ConsentPurpose, ConsentSource, RectifiableField, Step};
use domain::{ErrorCode, ParticipantId};
use serde::Serialize;
use sync::ops;

pub async fn rights_requests(ctx: &Ctx) -> Result<Vec<store::rights::RequestRow>, UiError> {
    ctx.read(store::rights::list_requests).await
}

pub async fn register_rights_request(
    ctx: &Ctx,
    request: store::rights::NewRequest,
) -> Result<store::rights::RequestRow, UiError> {
    ctx.apply(ops::RegisterRightsRequest {
        participant_id: request.participant_id,
        request_kind: request.kind,
        channel: request.channel,
        received_on: request.received_on,
        objection_purpose: request.objection_purpose,
    })
    .await
}

pub async fn rights_request_detail(
    ctx: &Ctx,
    request_id: String,
) -> Result<store::rights::RequestDetail, UiError> {
    ctx.read(move |conn, actor, now| store::rights::request_detail(conn, actor, &request_id, now))
        .await
}

pub async fn advance_rights_request(
    ctx: &Ctx,
    request_id: String,
    step: Step,
) -> Result<store::rights::RequestRow, UiError> {
    ctx.apply(ops::AdvanceRightsRequest { request_id, step })
        .await
}

pub async fn rectify_field(
    ctx: &Ctx,
    request_id: String,
    field: RectifiableField,
    value: String,
) -> Result<(), UiError> {
    ctx.apply(ops::RectifyField {
        request_id,
        field,
        value,
    })
    .await
}

pub async fn decide_objection(
    ctx: &Ctx,
    request_id: String,
    accepted: bool,
    grounds: Option<String>,
) -> Result<store::rights::RequestRow, UiError> {
    ctx.apply(ops::DecideObjection {
        request_id,
        accepted,
        grounds,
    })
    .await
}

pub async fn unsubscribe_participant(
    ctx: &Ctx,
    participant_id: ParticipantId,
    source: ConsentSource,
    request_id: Option<String>,
) -> Result<store::rights::Preferences, UiError> {
    ctx.apply(ops::Unsubscribe {
        participant_id,
        source,
        request_id,
    })
    .await
}

pub async fn record_consent(
    ctx: &Ctx,
    participant_id: ParticipantId,
    purpose: ConsentPurpose,
    granted: bool,
    source: ConsentSource,
) -> Result<store::rights::Preferences, UiError> {
    ctx.apply(ops::RecordConsent {
        participant_id,
        purpose,
        granted,
        source,
    })
    .await
}

/// A file written through the native save dialog.
#[derive(Serialize, ts_rs::TS)]
pub struct Saved {
    /// False when the user cancelled the dialog (nothing was written).
    pub saved: bool,
    pub categories: usize,
    pub records: usize,
}

impl Saved {
    fn cancelled() -> Self {
        Saved {
            saved: false,
            categories: 0,
            records: 0,
        }
    }
}

async fn write_file(path: std::path::PathBuf, bytes: Vec<u8>) -> Result<(), UiError> {
    tauri::async_runtime::spawn_blocking(move || std::fs::write(&path, bytes))
        .await
        .map_err(|_| UiError::new(ErrorCode::Io))?
        .map_err(|e| UiError::io(&e))
}

/// Access / portability export (POL-23, POL-27): permission and the
/// request's state are checked first, so a refused export opens no dialog;
/// the export is read after the dialog, so a cancelled dialog reads nothing
/// and logs nothing; the zip is built outside the store's lock.
pub async fn export_access(
    ctx: &Ctx,
    participant_id: ParticipantId,
    request_id: Option<String>,
    dialog_title: String,
) -> Result<Saved, UiError> {
    let request = request_id.clone();
    ctx.read(move |conn, actor, now| {
        store::export::check_exportable(conn, actor, request.as_deref(), now)
    })
    .await?;
    let Some(path) = dialogs::save_path(
        dialog_title,
        "moniravique-donnees-personnelles.zip".to_owned(),
        ("ZIP", &["zip"]),
    )
    .await?
    else {
        return Ok(Saved::cancelled());
    };
    let export = ctx
        .read(move |conn, actor, now| {
            store::export::access_export(
                conn,
                actor,
                participant_id.as_str(),
                request_id.as_deref(),
                now,
            )
        })
        .await?;
    let (bytes, categories, records) = tauri::async_runtime::spawn_blocking(move || {
        let records = export.categories.iter().map(|c| c.rows.len()).sum();
        export
            .to_zip()
            .map(|bytes| (bytes, export.categories.len(), records))
    })
    .await
    .map_err(|_| UiError::new(ErrorCode::Export))?
    .map_err(|e| UiError::new(ErrorCode::Export).noting(e.to_string()))?;
    write_file(path, bytes).await?;
    Ok(Saved {
        saved: true,
        categories,
        records,
    })
}

/// What the DPO sees once the erasure is done.
#[derive(Serialize, ts_rs::TS)]
pub struct Erased {
    pub certificate_id: String,
    /// The certificate's reference, what was deleted and kept, the targeted check.
    #[ts(type = "Record<string, unknown>")]
    pub summary: serde_json::Value,
    /// The page-level check going on in the background (`task` events), if asked for.
    pub deep_check_task: Option<String>,
}

/// Erases a person (POL-25, POL-35): the erasure, its certificate and its
/// queueing for the server are one transaction; the page-level check, when
/// asked for, runs afterwards in the background and completes the certificate.
pub async fn erase_participant(
    ctx: &Ctx,
    participant_id: ParticipantId,
    reason: ErasureReason,
    request_id: Option<String>,
    deep: bool,
) -> Result<Erased, UiError> {
    let actor = ctx.state().actor()?;
    let erased = ctx
        .apply(ops::EraseParticipant {
            participant_id,
            reason,
            request_id,
            deep,
        })
        .await?;
    let answer = Erased {
        certificate_id: erased.certificate_id.clone(),
        summary: erased.summary.clone(),
        deep_check_task: None,
    };
    if !deep {
        return Ok(answer);
    }
    let task = crate::tasks::deep_check(ctx.app().clone(), actor, erased);
    Ok(Erased {
        deep_check_task: Some(task),
        ..answer
    })
}

pub async fn save_certificate(
    ctx: &Ctx,
    certificate_id: String,
    dialog_title: String,
) -> Result<Saved, UiError> {
    let html = ctx
        .read(move |conn, actor, now| {
            store::erase::certificate_html(conn, actor, &certificate_id, now)
        })
        .await?;
    let Some(path) = dialogs::save_path(
        dialog_title,
        "attestation-effacement.html".to_owned(),
        ("HTML", &["html"]),
    )
    .await?
    else {
        return Ok(Saved::cancelled());
    };
    write_file(path, html.into_bytes()).await?;
    Ok(Saved {
        saved: true,
        categories: 0,
        records: 0,
    })
}

pub async fn legal_holds(ctx: &Ctx) -> Result<Vec<store::retention::HoldRow>, UiError> {
    ctx.read(store::retention::legal_holds).await
}

pub async fn retention_rules(ctx: &Ctx) -> Result<Vec<domain::retention::RuleEntry>, UiError> {
    ctx.read(store::retention::rules).await
}

pub async fn set_retention_rule(
    ctx: &Ctx,
    key: String,
    value: u32,
) -> Result<Vec<domain::retention::RuleEntry>, UiError> {
    ctx.apply(ops::SetRetentionRule { key, value }).await
}

pub async fn retention_preview(ctx: &Ctx) -> Result<store::retention::Preview, UiError> {
    ctx.read(store::retention::preview).await
}

pub async fn retention_run(ctx: &Ctx) -> Result<store::retention::RunOutcome, UiError> {
    ctx.apply(ops::RetentionRun {}).await
}

/// The quarterly report (POL-33), saved as HTML with its CSV beside it.
pub async fn save_quarterly_report(ctx: &Ctx, dialog_title: String) -> Result<Saved, UiError> {
    let report = ctx
        .read(|conn, actor, now| store::retention::quarterly_report(conn, actor, None, now))
        .await?;
    let name = format!(
        "rapport-conservation-{}-T{}.html",
        report.quarter.year, report.quarter.q
    );
    let Some(path) = dialogs::save_path(dialog_title, name, ("HTML", &["html"])).await? else {
        return Ok(Saved::cancelled());
    };
    let records = report.executed.len() + report.overdue.len();
    write_file(path.with_extension("csv"), report.to_csv().into_bytes()).await?;
    write_file(path, report.to_html_fr().into_bytes()).await?;
    Ok(Saved {
        saved: true,
        categories: 2,
        records,
    })
}

pub async fn registers(ctx: &Ctx) -> Result<store::registers::Registers, UiError> {
    ctx.read(store::registers::registers).await
}

pub async fn save_processor(
    ctx: &Ctx,
    processor: store::registers::Processor,
) -> Result<String, UiError> {
    ctx.apply(ops::SaveProcessor { processor }).await
}

pub async fn save_activity(
    ctx: &Ctx,
    activity: store::registers::Activity,
) -> Result<String, UiError> {
    ctx.apply(ops::SaveActivity { activity }).await
}

pub async fn publish_policy_version(
    ctx: &Ctx,
    version: store::registers::NewPolicyVersion,
) -> Result<store::registers::PolicyVersion, UiError> {
    ctx.apply(ops::PublishPolicyVersion { version }).await
}

pub async fn assistance_requests(
    ctx: &Ctx,
) -> Result<Vec<store::assistance::AssistanceRow>, UiError> {
    ctx.read(store::assistance::open_requests).await
}

pub async fn renew_assistance(
    ctx: &Ctx,
    request_id: String,
) -> Result<store::assistance::AssistanceRow, UiError> {
    ctx.apply(ops::RenewAssistance { request_id }).await
}

pub async fn close_assistance(ctx: &Ctx, request_id: String) -> Result<(), UiError> {
    ctx.apply(ops::CloseAssistance { request_id }).await
}
