//! The office's registrations (ROLE-3, POL-10): inbox, confirmation behind the
//! payment gate, waitlist, cancellation and moves. Enforced by the store.

use crate::error::UiError;
use crate::state::AppState;
use sync::Operation;
use tauri::State;

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn registrations(
    state: State<'_, AppState>,
    group_id: Option<String>,
) -> Result<Vec<store::enrolment::RegistrationRow>, UiError> {
    state.with_actor(|store, actor| {
        let listing = match group_id.as_deref() {
            Some(group) => store::enrolment::Listing::Group(group),
            None => store::enrolment::Listing::Inbox,
        };
        store::enrolment::registrations(store.connection(), actor, listing, chrono::Utc::now())
            .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, waiver_reason), err)]
pub fn confirm_place(
    state: State<'_, AppState>,
    enrolment_id: String,
    group_id: String,
    waiver_reason: Option<String>,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::ConfirmPlace {
        enrolment_id,
        group_id,
        waiver_reason,
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn cancel_enrolment(
    state: State<'_, AppState>,
    enrolment_id: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::CancelEnrolment { enrolment_id })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn move_enrolment(
    state: State<'_, AppState>,
    enrolment_id: String,
    group_id: String,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::MoveEnrolment {
        enrolment_id,
        group_id,
    })
}
