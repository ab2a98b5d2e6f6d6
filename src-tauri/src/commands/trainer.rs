//! The trainer's workspace (ROLE-1, POL-9): upcoming sessions, the
//! preparation sheet, progress notes, objectives and attendance. Changes are
//! sync operations (queued for the server in the same transaction).

use crate::error::UiError;
use crate::state::Ctx;
use domain::ParticipantId;
use sync::ops;

pub async fn upcoming_sessions(ctx: &Ctx) -> Result<Vec<store::trainer::SessionRow>, UiError> {
    ctx.read(store::trainer::upcoming_sessions).await
}

pub async fn preparation_sheet(
    ctx: &Ctx,
    session_id: String,
) -> Result<store::trainer::PreparationSheet, UiError> {
    ctx.read(move |conn, actor, now| {
        store::trainer::preparation_sheet(conn, actor, &session_id, now)
    })
    .await
}

pub async fn add_progress_note(
    ctx: &Ctx,
    participant_id: ParticipantId,
    body: String,
) -> Result<String, UiError> {
    ctx.apply(ops::AddProgressNote {
        participant_id,
        body,
    })
    .await
}

pub async fn edit_progress_note(ctx: &Ctx, note_id: String, body: String) -> Result<(), UiError> {
    ctx.apply(ops::EditProgressNote { note_id, body }).await
}

pub async fn add_objective(
    ctx: &Ctx,
    participant_id: ParticipantId,
    body: String,
) -> Result<String, UiError> {
    ctx.apply(ops::AddObjective {
        participant_id,
        body,
    })
    .await
}

pub async fn edit_objective(ctx: &Ctx, objective_id: String, body: String) -> Result<(), UiError> {
    ctx.apply(ops::EditObjective { objective_id, body }).await
}

pub async fn set_attendance(
    ctx: &Ctx,
    session_id: String,
    participant_id: ParticipantId,
    present: bool,
) -> Result<(), UiError> {
    ctx.apply(ops::SetAttendance {
        session_id,
        participant_id,
        present,
    })
    .await
}
