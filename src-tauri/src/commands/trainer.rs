//! The trainer's workspace (ROLE-1, POL-9): sessions, preparation sheets,
//! progress notes and objectives. Scoped and audited by the store.

use crate::error::UiError;
use crate::state::AppState;
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
) -> Result<String, UiError> {
    state.with_actor(|store, actor| {
        store::trainer::add_progress_note(
            store.connection(),
            actor,
            &participant_id,
            &body,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn edit_progress_note(
    state: State<'_, AppState>,
    note_id: String,
    body: String,
) -> Result<(), UiError> {
    state.with_actor(|store, actor| {
        store::trainer::edit_progress_note(
            store.connection(),
            actor,
            &note_id,
            &body,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn add_objective(
    state: State<'_, AppState>,
    participant_id: String,
    body: String,
) -> Result<String, UiError> {
    state.with_actor(|store, actor| {
        store::trainer::add_objective(
            store.connection(),
            actor,
            &participant_id,
            &body,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, body), err)]
pub fn edit_objective(
    state: State<'_, AppState>,
    objective_id: String,
    body: String,
) -> Result<(), UiError> {
    state.with_actor(|store, actor| {
        store::trainer::edit_objective(
            store.connection(),
            actor,
            &objective_id,
            &body,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn set_attendance(
    state: State<'_, AppState>,
    session_id: String,
    participant_id: String,
    present: bool,
) -> Result<(), UiError> {
    state.with_actor(|store, actor| {
        store::trainer::set_attendance(
            store.connection(),
            actor,
            &session_id,
            &participant_id,
            present,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}
