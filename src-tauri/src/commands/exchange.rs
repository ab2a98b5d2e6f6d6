//! Files in and out (DC-7): the external trainer's list (POL-15) saved through
//! the native dialog, and videoconference reports (POL-4) opened through it.
//! What goes into a file and what a report may change is decided by the store.

use crate::dialogs;
use crate::error::UiError;
use crate::state::AppState;
use serde::Serialize;
use tauri::State;

#[derive(Serialize)]
pub struct Exported {
    /// False when the user cancelled the dialog (nothing was read or written).
    pub saved: bool,
    pub rows: usize,
}

fn file_name(group_name: &str) -> String {
    let safe: String = group_name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("participants-{}.csv", safe.trim_matches('-'))
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn export_contact_list(
    state: State<'_, AppState>,
    group_id: String,
) -> Result<Exported, UiError> {
    // The group's name for the suggested file name; permission is checked
    // again (and audited) when the list is actually read, after the dialog.
    let name = state.with_actor(|store, actor| {
        store::contacts::group_name(store.connection(), actor, &group_id, chrono::Utc::now())
            .map_err(Into::into)
    })?;
    let Some(path) = dialogs::save_path(
        "Enregistrer la liste des participants",
        file_name(&name),
        ("CSV", &["csv"]),
    )
    .await?
    else {
        return Ok(Exported {
            saved: false,
            rows: 0,
        });
    };
    let (_, contacts) = state.with_actor(|store, actor| {
        store::contacts::workshop_contacts(store.connection(), actor, &group_id, chrono::Utc::now())
            .map_err(Into::into)
    })?;
    let bytes = domain::contact_list::to_csv(&contacts);
    std::fs::write(&path, bytes)
        .map_err(|e| UiError::new("io", format!("the file could not be written: {}", e.kind())))?;
    Ok(Exported {
        saved: true,
        rows: contacts.len(),
    })
}

#[derive(Serialize)]
pub struct Imported {
    /// False when the user cancelled the dialog.
    pub opened: bool,
    pub summary: Option<serde_json::Value>,
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn import_report(
    state: State<'_, AppState>,
    session_id: String,
    day_first: Option<bool>,
) -> Result<Imported, UiError> {
    let Some(path) = dialogs::open_path(
        "Importer un rapport de visioconférence",
        ("CSV", &["csv", "txt"]),
    )
    .await?
    else {
        return Ok(Imported {
            opened: false,
            summary: None,
        });
    };
    let bytes = std::fs::read(&path)
        .map_err(|e| UiError::new("io", format!("the file could not be read: {}", e.kind())))?;
    // The report syncs as an operation (POL-4): the server matches its rows too.
    let summary = state.apply(sync::Operation::ImportReport {
        session_id,
        report_base64: sync::Operation::encode_report(&bytes),
        day_first: day_first.unwrap_or(false),
    })?;
    Ok(Imported {
        opened: true,
        summary: Some(summary),
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn unmatched_rows(
    state: State<'_, AppState>,
    session_id: String,
) -> Result<Vec<store::import::UnmatchedRow>, UiError> {
    state.with_actor(|store, actor| {
        store::import::unmatched_rows(store.connection(), actor, &session_id, chrono::Utc::now())
            .map_err(Into::into)
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn resolve_unmatched(
    state: State<'_, AppState>,
    row_id: String,
    participant_id: Option<String>,
) -> Result<(), UiError> {
    state
        .apply(sync::Operation::ResolveUnmatched {
            row_id,
            participant_id,
        })
        .map(|_| ())
}
