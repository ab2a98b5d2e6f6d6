//! Files in and out (DC-7): the external trainer's list (POL-15) saved through
//! the native dialog, and videoconference reports (POL-4) opened through it.
//! What goes into a file and what a report may change is decided by the
//! store; the store is never locked while a dialog is open.

use crate::dialogs;
use crate::error::UiError;
use crate::state::Ctx;
use domain::ParticipantId;
use serde::Serialize;

#[derive(Serialize, ts_rs::TS)]
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

/// The list of a workshop, saved where the user chooses (`dialog_title` is
/// the window's own words, in its language).
pub async fn export_contact_list(
    ctx: &Ctx,
    group_id: String,
    dialog_title: String,
) -> Result<Exported, UiError> {
    // The group's name for the suggested file name; the list itself is read
    // (and audited) only once the user has chosen where to save it.
    let group = group_id.clone();
    let name = ctx
        .read(move |conn, actor, now| store::groups::group_name(conn, actor, &group, now))
        .await?;
    let Some(path) = dialogs::save_path(dialog_title, file_name(&name), ("CSV", &["csv"])).await?
    else {
        return Ok(Exported {
            saved: false,
            rows: 0,
        });
    };
    let (_, contacts) = ctx
        .read(move |conn, actor, now| {
            store::contacts::workshop_contacts(conn, actor, &group_id, now)
        })
        .await?;
    let bytes = domain::contact_list::to_csv(&contacts);
    std::fs::write(&path, bytes).map_err(|e| UiError::io(&e))?;
    Ok(Exported {
        saved: true,
        rows: contacts.len(),
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct Imported {
    /// False when the user cancelled the dialog.
    pub opened: bool,
    pub summary: Option<store::import::ImportSummary>,
}

/// A videoconference report chosen by the user, imported into a session (an
/// operation: the server matches its rows too).
pub async fn import_report(
    ctx: &Ctx,
    session_id: String,
    day_first: Option<bool>,
    dialog_title: String,
) -> Result<Imported, UiError> {
    let Some(path) = dialogs::open_path(dialog_title, ("CSV", &["csv", "txt"])).await? else {
        return Ok(Imported {
            opened: false,
            summary: None,
        });
    };
    let bytes = tauri::async_runtime::spawn_blocking(move || std::fs::read(&path))
        .await
        .map_err(|_| UiError::new(domain::ErrorCode::Io))?
        .map_err(|e| UiError::io(&e))?;
    let op = sync::ops::ImportReport::of_file(session_id, &bytes, day_first.unwrap_or(false));
    let summary = ctx.apply(op).await?;
    Ok(Imported {
        opened: true,
        summary: Some(summary),
    })
}

pub async fn unmatched_rows(
    ctx: &Ctx,
    session_id: String,
) -> Result<Vec<store::import::UnmatchedRow>, UiError> {
    ctx.read(move |conn, actor, now| store::import::unmatched_rows(conn, actor, &session_id, now))
        .await
}

pub async fn resolve_unmatched(
    ctx: &Ctx,
    row_id: String,
    participant_id: Option<ParticipantId>,
) -> Result<(), UiError> {
    ctx.apply(sync::ops::ResolveUnmatched {
        row_id,
        participant_id,
    })
    .await
}
