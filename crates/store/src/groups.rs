//! The groups staff see (ROLE-1, ROLE-3, POL-10): every group for the office
//! and the DPO, the groups they lead for trainers, with headcounts against
//! capacity. No personal data: refusals only are audited.

use crate::gate;
use crate::schema::*;
use crate::scope;
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::enrolment::EnrolmentStatus;
use domain::{Action, Actor};
use serde::Serialize;

/// A group with its headcount against capacity.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub programme_id: String,
    pub programme: String,
    pub slot: String,
    pub trainer: String,
    pub capacity: i32,
    pub confirmed: i64,
    pub waitlisted: i64,
    pub requested: i64,
    pub schedule: String,
    pub room: Option<String>,
}

/// The groups the actor may see (all for the office and the DPO, their own for trainers).
pub fn list_groups(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<GroupRow>, StoreError> {
    gate::run(conn, actor, Action::GroupsList, now, |gate| {
        groups_in_scope(gate.conn(), actor)
    })
}

fn groups_in_scope(
    conn: &mut SqliteConnection,
    actor: &Actor,
) -> Result<Vec<GroupRow>, StoreError> {
    let query = workshop_groups::table
        .inner_join(programmes::table)
        .inner_join(staff::table.on(staff::id.eq(workshop_groups::trainer_id)))
        .left_join(rooms::table)
        .filter(scope::groups_condition(actor))
        .select((
            workshop_groups::id,
            workshop_groups::name,
            (programmes::id, programmes::name, workshop_groups::slot),
            staff::display_name,
            workshop_groups::capacity,
            workshop_groups::schedule,
            rooms::name.nullable(),
        ))
        .order(workshop_groups::name);
    type Row = (
        String,
        String,
        (String, String, String),
        String,
        i32,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = query.load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|row| row.0.as_str()).collect();
    let counts: Vec<(Option<String>, String, i64)> = enrolments::table
        .filter(enrolments::group_id.eq_any(&ids))
        .group_by((enrolments::group_id, enrolments::status))
        .select((
            enrolments::group_id,
            enrolments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let count = |group: &str, status: EnrolmentStatus| {
        counts
            .iter()
            .find(|(g, s, _)| g.as_deref() == Some(group) && s == status.as_str())
            .map(|(_, _, n)| *n)
            .unwrap_or(0)
    };
    Ok(rows
        .iter()
        .map(
            |(id, name, (programme_id, programme, slot), trainer, capacity, schedule, room)| {
                GroupRow {
                    programme_id: programme_id.clone(),
                    slot: slot.clone(),
                    confirmed: count(id, EnrolmentStatus::Confirmed),
                    waitlisted: count(id, EnrolmentStatus::Waitlisted),
                    requested: count(id, EnrolmentStatus::Requested),
                    id: id.clone(),
                    name: name.clone(),
                    programme: programme.clone(),
                    trainer: trainer.clone(),
                    capacity: *capacity,
                    schedule: schedule.clone(),
                    room: room.clone(),
                }
            },
        )
        .collect())
}

/// A group's name (planning data, no personal data), for a suggested file name.
pub fn group_name(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::GroupsList, now, |gate| {
        gate.reach_group(group)?;
        workshop_groups::table
            .filter(workshop_groups::id.eq(group))
            .select(workshop_groups::name)
            .first(gate.conn())
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("group {group}")))
    })
}
