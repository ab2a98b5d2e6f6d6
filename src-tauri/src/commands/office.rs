//! The office's workspace (ROLE-3, POL-10, POL-13): the registrations inbox,
//! places behind the payment gate, the waitlist, moves, planning resources
//! and sessions, balancing, and messages from templates. Decided and
//! enforced by the store; changes are sync operations.

use crate::error::UiError;
use crate::state::Ctx;
use chrono::{DateTime, Utc};
use domain::enrolment::SessionKind;
use domain::messages::Template;
use domain::ParticipantId;
use std::collections::BTreeMap;
use sync::ops;

/// The inbox (requests and waitlist), or one group's list.
pub async fn registrations(
    ctx: &Ctx,
    group_id: Option<String>,
) -> Result<Vec<store::enrolment::RegistrationRow>, UiError> {
    ctx.read(move |conn, actor, now| {
        let listing = match group_id.as_deref() {
            Some(group) => store::enrolment::Listing::Group(group),
            None => store::enrolment::Listing::Inbox,
        };
        store::enrolment::registrations(conn, actor, listing, now)
    })
    .await
}

pub async fn confirm_place(
    ctx: &Ctx,
    enrolment_id: String,
    group_id: String,
    waiver_reason: Option<String>,
) -> Result<store::enrolment::Placement, UiError> {
    ctx.apply(ops::ConfirmPlace {
        enrolment_id,
        group_id,
        waiver_reason,
    })
    .await
}

pub async fn cancel_enrolment(
    ctx: &Ctx,
    enrolment_id: String,
) -> Result<Option<store::enrolment::Offer>, UiError> {
    ctx.apply(ops::CancelEnrolment { enrolment_id }).await
}

pub async fn move_enrolment(
    ctx: &Ctx,
    enrolment_id: String,
    group_id: String,
) -> Result<Option<store::enrolment::Offer>, UiError> {
    ctx.apply(ops::MoveEnrolment {
        enrolment_id,
        group_id,
    })
    .await
}

pub async fn planning_resources(ctx: &Ctx) -> Result<store::planning::Resources, UiError> {
    ctx.read(store::planning::resources).await
}

pub async fn group_sessions(
    ctx: &Ctx,
    group_id: String,
) -> Result<Vec<store::planning::PlannedSession>, UiError> {
    ctx.read(move |conn, actor, now| store::planning::group_sessions(conn, actor, &group_id, now))
        .await
}

pub async fn add_session(
    ctx: &Ctx,
    group_id: String,
    title: String,
    kind: SessionKind,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    room_id: Option<String>,
) -> Result<String, UiError> {
    ctx.apply(ops::AddSession {
        group_id,
        title,
        session_kind: kind,
        starts: starts_at,
        ends: ends_at,
        room_id: room_id.filter(|r| !r.is_empty()),
    })
    .await
}

/// An empty room id means "no room"; no room id means "unchanged".
pub async fn update_group(
    ctx: &Ctx,
    group_id: String,
    trainer_id: Option<String>,
    room_id: Option<String>,
    capacity: Option<i32>,
) -> Result<(), UiError> {
    ctx.apply(ops::UpdateGroup {
        group_id,
        trainer_id,
        room_id: room_id.map(|r| Some(r).filter(|r| !r.is_empty())),
        capacity,
        schedule: None,
    })
    .await
}

pub async fn balancing_propose(
    ctx: &Ctx,
    programme_id: String,
) -> Result<store::balancing::BalancingView, UiError> {
    ctx.read(move |conn, actor, now| store::balancing::propose(conn, actor, &programme_id, now))
        .await
}

pub async fn balancing_evaluate(
    ctx: &Ctx,
    programme_id: String,
    assignments: BTreeMap<String, String>,
) -> Result<store::balancing::BalancingView, UiError> {
    ctx.read(move |conn, actor, now| {
        store::balancing::evaluate(conn, actor, &programme_id, &assignments, now)
    })
    .await
}

pub async fn balancing_apply(
    ctx: &Ctx,
    programme_id: String,
    assignments: BTreeMap<String, String>,
) -> Result<store::balancing::Applied, UiError> {
    ctx.apply(ops::ApplyBalancing {
        programme_id,
        assignments,
    })
    .await
}

pub async fn message_preview(
    ctx: &Ctx,
    template: Template,
    participant_id: ParticipantId,
    session_id: Option<String>,
    group_id: Option<String>,
    programme_id: Option<String>,
) -> Result<domain::messages::Rendered, UiError> {
    ctx.read(move |conn, actor, now| {
        let context = store::messages::MessageContext {
            session: session_id.as_deref(),
            group: group_id.as_deref(),
            programme: programme_id.as_deref(),
        };
        store::messages::preview(
            conn,
            actor,
            template,
            participant_id.as_str(),
            &context,
            now,
        )
    })
    .await
}

pub async fn queue_messages(
    ctx: &Ctx,
    template: Template,
    group_id: String,
    session_id: Option<String>,
    programme_id: Option<String>,
) -> Result<store::messages::Queued, UiError> {
    ctx.apply(ops::QueueMessages {
        template,
        group_id,
        session_id,
        programme_id,
    })
    .await
}

pub async fn outbox(ctx: &Ctx) -> Result<Vec<store::messages::OutboxRow>, UiError> {
    ctx.read(store::messages::outbox).await
}
