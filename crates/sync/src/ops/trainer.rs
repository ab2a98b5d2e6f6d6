//! The trainer's operations (ROLE-1, POL-9): the preparation sheet.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{Actor, ParticipantId};
use serde::{Deserialize, Serialize};
use store::schema::{objectives, progress_notes};
use store::{Store, StoreError};

use super::Op;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AddProgressNote {
    pub participant_id: ParticipantId,
    pub body: String,
}

impl Op for AddProgressNote {
    /// The new note's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::trainer::add_progress_note(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            &self.body,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EditProgressNote {
    pub note_id: String,
    pub body: String,
}

impl Op for EditProgressNote {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::trainer::edit_progress_note(store.connection(), actor, &self.note_id, &self.body, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(progress_notes::table
            .find(&self.note_id)
            .select(progress_notes::participant_id)
            .first(conn)
            .optional()?)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AddObjective {
    pub participant_id: ParticipantId,
    pub body: String,
}

impl Op for AddObjective {
    /// The new objective's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::trainer::add_objective(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            &self.body,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EditObjective {
    pub objective_id: String,
    pub body: String,
}

impl Op for EditObjective {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::trainer::edit_objective(
            store.connection(),
            actor,
            &self.objective_id,
            &self.body,
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(objectives::table
            .find(&self.objective_id)
            .select(objectives::participant_id)
            .first(conn)
            .optional()?)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SetAttendance {
    pub session_id: String,
    pub participant_id: ParticipantId,
    pub present: bool,
}

impl Op for SetAttendance {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::trainer::set_attendance(
            store.connection(),
            actor,
            &self.session_id,
            self.participant_id.as_str(),
            self.present,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}
