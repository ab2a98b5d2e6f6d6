//! Participant lists and profiles, and the groups staff see, scoped and
//! audited by the store (ROLE-1..5, POL-9, POL-21).

use crate::error::UiError;
use crate::state::Ctx;
use domain::ParticipantId;

pub async fn list_participants(
    ctx: &Ctx,
    query: Option<String>,
) -> Result<Vec<store::participants::ParticipantRow>, UiError> {
    ctx.read(move |conn, actor, now| {
        store::participants::list_participants(conn, actor, query.as_deref(), now)
    })
    .await
}

pub async fn participant_profile(
    ctx: &Ctx,
    participant_id: ParticipantId,
) -> Result<store::participants::Profile, UiError> {
    ctx.read(move |conn, actor, now| {
        store::participants::participant_profile(conn, actor, participant_id.as_str(), now)
    })
    .await
}

pub async fn list_groups(ctx: &Ctx) -> Result<Vec<store::groups::GroupRow>, UiError> {
    ctx.read(store::groups::list_groups).await
}
