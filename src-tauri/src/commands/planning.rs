//! Planning for the office (ROLE-3, POL-10): rooms and trainers, a group's
//! sessions, new sessions and group changes, refused on a room or trainer clash.

use crate::error::UiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sync::Operation;
use tauri::State;

#[derive(Serialize)]
pub struct Resources {
    pub rooms: Vec<store::planning::Room>,
    pub trainers: Vec<store::planning::Trainer>,
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn planning_resources(state: State<'_, AppState>) -> Result<Resources, UiError> {
    state.with_actor(|store, actor| {
        let (rooms, trainers) =
            store::planning::resources(store.connection(), actor, chrono::Utc::now())?;
        Ok(Resources { rooms, trainers })
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn group_sessions(
    state: State<'_, AppState>,
    group_id: String,
) -> Result<Vec<store::planning::PlannedSession>, UiError> {
    state.with_actor(|store, actor| {
        store::planning::group_sessions(store.connection(), actor, &group_id, chrono::Utc::now())
            .map_err(Into::into)
    })
}

fn instant(text: &str) -> Result<DateTime<Utc>, UiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| UiError::new("invalid_input", "times are RFC 3339 instants"))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn add_session(
    state: State<'_, AppState>,
    group_id: String,
    title: String,
    kind: String,
    starts_at: String,
    ends_at: String,
    room_id: Option<String>,
) -> Result<serde_json::Value, UiError> {
    let (starts, ends) = (instant(&starts_at)?, instant(&ends_at)?);
    state.apply(Operation::AddSession {
        group_id,
        title,
        session_kind: kind,
        starts,
        ends,
        room_id: room_id.filter(|r| !r.is_empty()),
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn update_group(
    state: State<'_, AppState>,
    group_id: String,
    trainer_id: Option<String>,
    room_id: Option<String>,
    capacity: Option<i32>,
) -> Result<serde_json::Value, UiError> {
    // An empty room id means "no room"; no room id means "unchanged".
    state.apply(Operation::UpdateGroup {
        group_id,
        trainer_id,
        room_id: room_id.map(|r| Some(r).filter(|r| !r.is_empty())),
        capacity,
        schedule: None,
    })
}
