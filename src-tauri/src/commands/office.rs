//! Balancing a programme's groups (POL-10) and messages from templates
//! (POL-13). Decided and enforced by the store.

use crate::error::UiError;
use crate::state::AppState;
use domain::messages::Template;
use std::collections::BTreeMap;
use sync::Operation;
use tauri::State;

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn balancing_propose(
    state: State<'_, AppState>,
    programme_id: String,
) -> Result<store::balancing::BalancingView, UiError> {
    state.with_actor(|store, actor| {
        store::balancing::propose(store.connection(), actor, &programme_id, chrono::Utc::now())
            .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, assignments), err)]
pub fn balancing_evaluate(
    state: State<'_, AppState>,
    programme_id: String,
    assignments: BTreeMap<String, String>,
) -> Result<store::balancing::BalancingView, UiError> {
    state.with_actor(|store, actor| {
        store::balancing::evaluate(
            store.connection(),
            actor,
            &programme_id,
            &assignments,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, assignments), err)]
pub fn balancing_apply(
    state: State<'_, AppState>,
    programme_id: String,
    assignments: BTreeMap<String, String>,
) -> Result<serde_json::Value, UiError> {
    state.apply(Operation::ApplyBalancing {
        programme_id,
        assignments,
    })
}

fn template(name: &str) -> Result<Template, UiError> {
    Template::parse(name).ok_or_else(|| UiError::new("invalid_input", "unknown template"))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn message_preview(
    state: State<'_, AppState>,
    template_name: String,
    participant_id: String,
    session_id: Option<String>,
    group_id: Option<String>,
    programme_id: Option<String>,
) -> Result<domain::messages::Rendered, UiError> {
    let template = template(&template_name)?;
    state.with_actor(|store, actor| {
        let context = store::messages::MessageContext {
            session: session_id.as_deref(),
            group: group_id.as_deref(),
            programme: programme_id.as_deref(),
        };
        store::messages::preview(
            store.connection(),
            actor,
            template,
            &participant_id,
            &context,
            chrono::Utc::now(),
        )
        .map_err(Into::into)
    })
}

/// Queues the template for the group's confirmed participants.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn queue_messages(
    state: State<'_, AppState>,
    template_name: String,
    group_id: String,
    session_id: Option<String>,
    programme_id: Option<String>,
) -> Result<serde_json::Value, UiError> {
    let template = template(&template_name)?;
    state.apply(Operation::QueueMessages {
        template,
        group_id,
        session_id,
        programme_id,
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn outbox(state: State<'_, AppState>) -> Result<Vec<store::messages::OutboxRow>, UiError> {
    state.with_actor(|store, actor| {
        store::messages::outbox(store.connection(), actor, chrono::Utc::now()).map_err(Into::into)
    })
}
