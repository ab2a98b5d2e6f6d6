//! The office's registrations (ROLE-3, POL-10): inbox, confirmation behind the
//! payment gate, waitlist, cancellation and moves. Enforced by the store.

use crate::error::UiError;
use crate::state::AppState;
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
) -> Result<store::enrolment::Placement, UiError> {
    state.with_actor(|store, actor| {
        store::enrolment::confirm_place(
            store.connection(),
            actor,
            &enrolment_id,
            &group_id,
            waiver_reason.as_deref(),
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn cancel_enrolment(
    state: State<'_, AppState>,
    enrolment_id: String,
) -> Result<Option<store::enrolment::Offer>, UiError> {
    state.with_actor(|store, actor| {
        store::enrolment::cancel(store.connection(), actor, &enrolment_id, chrono::Utc::now())
            .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn move_enrolment(
    state: State<'_, AppState>,
    enrolment_id: String,
    group_id: String,
) -> Result<Option<store::enrolment::Offer>, UiError> {
    state.with_actor(|store, actor| {
        store::enrolment::move_to_group(
            store.connection(),
            actor,
            &enrolment_id,
            &group_id,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}
