//! Participant lists and profiles, scoped and audited by the store (ROLE-1..5, POL-21).

use crate::error::UiError;
use crate::state::AppState;
use tauri::State;

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn list_participants(
    state: State<'_, AppState>,
    query: Option<String>,
) -> Result<Vec<store::api::ParticipantRow>, UiError> {
    state.with_actor(|store, actor| {
        store::api::list_participants(
            store.connection(),
            actor,
            query.as_deref(),
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn participant_profile(
    state: State<'_, AppState>,
    participant_id: String,
) -> Result<store::api::Profile, UiError> {
    state.with_actor(|store, actor| {
        store::api::participant_profile(
            store.connection(),
            actor,
            &participant_id,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}
