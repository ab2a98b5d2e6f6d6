//! The sync status line and the "synchronise now" button (DC-5): what is
//! pending, what the server refused and why, the last sync or error.

use crate::error::UiError;
use crate::state::Ctx;
use serde::Serialize;
use tauri::Emitter;

#[derive(Serialize, ts_rs::TS)]
pub struct SyncStatusDto {
    pub configured: bool,
    pub server_url: Option<String>,
    /// Whether a round is going on now.
    pub syncing: bool,
    #[serde(flatten)]
    pub status: sync::local::Status,
}

pub async fn sync_status(ctx: &Ctx) -> Result<SyncStatusDto, UiError> {
    ctx.with_actor(|store, _| {
        let server_url = crate::sync_link::server_url(store);
        Ok(SyncStatusDto {
            configured: server_url.is_some(),
            server_url,
            syncing: false,
            status: sync::local::status(store)?,
        })
    })
    .await
    .map(|mut dto| {
        dto.syncing = ctx.state().round.try_lock().is_err();
        dto
    })
}

/// One sync round now; progress goes to the window as `sync-progress` events.
pub async fn sync_now(ctx: &Ctx) -> Result<sync::client::Report, UiError> {
    let app = ctx.app().clone();
    ctx.blocking(move |_| {
        let emitter = app.clone();
        let report = crate::sync_link::round_now(&app, &mut |phase, done, remaining| {
            let _ = emitter.emit(
                "sync-progress",
                serde_json::json!({ "phase": phase, "done": done, "remaining": remaining }),
            );
        })?;
        report.ok_or_else(|| UiError::new(domain::ErrorCode::NotConfigured))
    })
    .await
}

pub async fn dismiss_refusal(ctx: &Ctx, op_id: String) -> Result<(), UiError> {
    ctx.with_actor(move |store, _| {
        sync::local::dismiss_refusal(store, &op_id, chrono::Utc::now()).map_err(Into::into)
    })
    .await
}
