//! The trainer's workspace (ROLE-1, POL-9): sessions, preparation sheets,
//! progress notes and objectives. Scoped and audited by the store.

use crate::error::UiError;
use crate::state::AppState;
use sync::Operation;
use tauri::State;

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn upcoming_sessions(
    state: State<'_, AppState>,
) -> Result<Vec<store::trainer::SessionRow>, UiError> {
    state.with_actor(|store, actor| {
        store::trainer::upcoming_sessions(store.connection(), actor, chrono::Utc::now())
            .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn preparation_sheet(
    state: State<'_, AppState>,
    session_id: String,
) -> Result<store::trainer::PreparationSheet, UiError> {
    state.with_actor(|store, actor| {
        store::trainer::preparation_sheet(
            store.connection(),
            actor,
            &session_id,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn add_progress_note(
    state: State<'_, AppState>,
    participant_id: String,
    body: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::AddProgressNote {
        participant_id,
        body,
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn edit_progress_note(
    state: State<'_, AppState>,
    note_id: String,
    body: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::EditProgressNote { note_id, body })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn add_objective(
    state: State<'_, AppState>,
    participant_id: String,
    body: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::AddObjective {
        participant_id,
        body,
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn edit_objective(
    state: State<'_, AppState>,
    objective_id: String,
    body: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::EditObjective { objective_id, body })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn set_attendance(
    state: State<'_, AppState>,
    session_id: String,
    participant_id: String,
    present: bool,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::SetAttendance {
        session_id,
        participant_id,
        present,
    })
}
