//! The office's operations (ROLE-3, POL-10, POL-13): registrations, groups, messages.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::enrolment::SessionKind;
use domain::Actor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::schema::enrolments;
use store::{Store, StoreError};

use super::Op;

/// The participant an enrolment belongs to (operations that name an enrolment).
pub(super) fn enrolment_subject(
    conn: &mut SqliteConnection,
    enrolment: &str,
) -> Result<Option<String>, StoreError> {
    Ok(enrolments::table
        .find(enrolment)
        .select(enrolments::participant_id)
        .first(conn)
        .optional()?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConfirmPlace {
    pub enrolment_id: String,
    pub group_id: String,
    pub waiver_reason: Option<String>,
}

impl Op for ConfirmPlace {
    type Output = store::enrolment::Placement;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::enrolment::confirm_place(
            store.connection(),
            actor,
            &self.enrolment_id,
            &self.group_id,
            self.waiver_reason.as_deref(),
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CancelEnrolment {
    pub enrolment_id: String,
}

impl Op for CancelEnrolment {
    /// The freed place offered to the waitlist, if any.
    type Output = Option<store::enrolment::Offer>;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::enrolment::cancel(store.connection(), actor, &self.enrolment_id, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MoveEnrolment {
    pub enrolment_id: String,
    pub group_id: String,
}

impl Op for MoveEnrolment {
    type Output = Option<store::enrolment::Offer>;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::enrolment::move_to_group(
            store.connection(),
            actor,
            &self.enrolment_id,
            &self.group_id,
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AddSession {
    pub group_id: String,
    pub title: String,
    pub session_kind: SessionKind,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub room_id: Option<String>,
}

impl Op for AddSession {
    /// The new session's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::planning::add_session(
            store.connection(),
            actor,
            &store::planning::NewSessionPlan {
                group: &self.group_id,
                title: &self.title,
                kind: self.session_kind,
                starts: self.starts,
                ends: self.ends,
                room: self.room_id.as_deref(),
            },
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct UpdateGroup {
    pub group_id: String,
    pub trainer_id: Option<String>,
    /// `Some(None)` takes the room away.
    pub room_id: Option<Option<String>>,
    pub capacity: Option<i32>,
    pub schedule: Option<String>,
}

impl Op for UpdateGroup {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::planning::update_group(
            store.connection(),
            actor,
            &self.group_id,
            &store::planning::GroupChange {
                trainer: self.trainer_id.as_deref(),
                room: self.room_id.as_ref().map(|room| room.as_deref()),
                capacity: self.capacity,
                schedule: self.schedule.as_deref(),
            },
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApplyBalancing {
    pub programme_id: String,
    pub assignments: BTreeMap<String, String>,
}

impl Op for ApplyBalancing {
    type Output = store::balancing::Applied;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::balancing::apply(
            store.connection(),
            actor,
            &self.programme_id,
            &self.assignments,
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QueueMessages {
    pub template: domain::messages::Template,
    pub group_id: String,
    pub session_id: Option<String>,
    pub programme_id: Option<String>,
}

impl Op for QueueMessages {
    type Output = store::messages::Queued;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        let context = store::messages::MessageContext {
            session: self.session_id.as_deref(),
            group: Some(&self.group_id),
            programme: self.programme_id.as_deref(),
        };
        store::messages::queue(
            store.connection(),
            actor,
            self.template,
            &self.group_id,
            &context,
            at,
        )
    }
}
