//! The audit trail and its chain verification, for the DPO (POL-21, ROLE-5).

use crate::error::UiError;
use crate::state::AppState;
use tauri::State;

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn audit_trail(
    state: State<'_, AppState>,
    limit: i64,
    offset: i64,
) -> Result<store::api::AuditPage, UiError> {
    state.with_actor(|store, actor| {
        store::api::audit_trail(store.connection(), actor, limit, offset, chrono::Utc::now())
            .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn verify_audit_chain(
    state: State<'_, AppState>,
) -> Result<domain::audit::Verification, UiError> {
    state.with_actor(|store, actor| {
        store::audit::verify_chain(store.connection(), actor, chrono::Utc::now())
            .map_err(Into::into)
    })
}
