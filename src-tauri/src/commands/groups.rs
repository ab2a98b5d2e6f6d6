//! Groups with headcount against capacity (ROLE-3, POL-10).

use crate::error::UiError;
use crate::state::AppState;
use tauri::State;

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn list_groups(state: State<'_, AppState>) -> Result<Vec<store::api::GroupRow>, UiError> {
    state.with_actor(|store, actor| {
        store::api::list_groups(store.connection(), actor, chrono::Utc::now()).map_err(Into::into)
    })
}
