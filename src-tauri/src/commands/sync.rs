//! The sync status line and the "synchronise now" button (issue 5): what is
//! pending, what the server refused and why, the last sync or error.

use crate::error::UiError;
use crate::state::AppState;
use serde::Serialize;
use tauri::{Emitter, State};

#[derive(Serialize)]
pub struct SyncStatusDto {
    pub configured: bool,
    pub server_url: Option<String>,
    #[serde(flatten)]
    pub status: sync::local::Status,
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusDto, UiError> {
    state.with_actor(|store, _| {
        let server_url = crate::sync_link::server_url(store);
        Ok(SyncStatusDto {
            configured: server_url.is_some(),
            server_url,
            status: sync::local::status(store)?,
        })
    })
}

/// One sync round now; progress goes to the window as `sync-progress` events.
#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn sync_now(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<sync::client::Report, UiError> {
    let result = state.with_actor(|store, actor| {
        crate::sync_link::round(store, actor, &mut |phase, done, remaining| {
            let _ = app.emit(
                "sync-progress",
                serde_json::json!({ "phase": phase, "done": done, "remaining": remaining }),
            );
        })
    });
    if let Err(error) = &result {
        if error.code == sync::wire::codes::DEVICE_REVOKED {
            crate::sync_link::wipe(&state);
        }
    }
    result
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn dismiss_refusal(state: State<'_, AppState>, op_id: String) -> Result<(), UiError> {
    state.with_actor(|store, _| {
        sync::local::dismiss_refusal(store, &op_id, chrono::Utc::now()).map_err(Into::into)
    })
}
