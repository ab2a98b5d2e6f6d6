//! Planning resources (ROLE-3, POL-10): groups, their sessions, rooms and
//! trainers. A room or a trainer booked twice at the same time is refused with
//! the clash named (the other session's title, group and time; no personal data).

use crate::gate;
use crate::schema::{enrolments, rooms, sessions, staff, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::enrolment::{EnrolmentStatus, SessionKind};
use domain::time::to_rfc3339;
use domain::{Action, Actor, Details, ErrorCode};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Room {
    pub id: String,
    pub name: String,
    pub capacity: i32,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Trainer {
    pub id: String,
    pub display_name: String,
    pub external: bool,
}

/// What the office plans with.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Resources {
    pub rooms: Vec<Room>,
    pub trainers: Vec<Trainer>,
}

/// Rooms and trainers, for the office's planning forms.
pub fn resources(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Resources, StoreError> {
    gate::run(conn, actor, Action::PlanningResources, now, |gate| {
        rooms_and_trainers(gate.conn())
    })
}

fn rooms_and_trainers(conn: &mut SqliteConnection) -> Result<Resources, StoreError> {
    let rooms = rooms::table
        .order(rooms::name)
        .select((rooms::id, rooms::name, rooms::capacity))
        .load::<(String, String, i32)>(conn)?
        .into_iter()
        .map(|(id, name, capacity)| Room { id, name, capacity })
        .collect();
    let trainers = staff::table
        .filter(staff::role.eq_any([
            domain::Role::Trainer.as_str(),
            domain::Role::ExternalTrainer.as_str(),
        ]))
        .filter(staff::active.eq(true))
        .order(staff::display_name)
        .select((staff::id, staff::display_name, staff::role))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, display_name, role)| Trainer {
            id,
            display_name,
            external: role == domain::Role::ExternalTrainer.as_str(),
        })
        .collect();
    Ok(Resources { rooms, trainers })
}

/// A session of a group, as the office plans it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct PlannedSession {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub room_id: Option<String>,
}

pub fn group_sessions(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
    now: DateTime<Utc>,
) -> Result<Vec<PlannedSession>, StoreError> {
    gate::run(conn, actor, Action::PlanningSessions, now, |gate| {
        sessions_of(gate.conn(), group)
    })
}

fn sessions_of(
    conn: &mut SqliteConnection,
    group: &str,
) -> Result<Vec<PlannedSession>, StoreError> {
    Ok(sessions::table
        .filter(sessions::group_id.eq(group))
        .order(sessions::starts_at)
        .select((
            sessions::id,
            sessions::title,
            sessions::kind,
            sessions::starts_at,
            sessions::ends_at,
            sessions::room_id,
        ))
        .load::<(
            String,
            String,
            String,
            NaiveDateTime,
            NaiveDateTime,
            Option<String>,
        )>(conn)?
        .into_iter()
        .map(|(id, title, kind, starts, ends, room_id)| PlannedSession {
            id,
            title,
            kind,
            starts_at: to_rfc3339(starts),
            ends_at: to_rfc3339(ends),
            room_id,
        })
        .collect())
}

/// The first session that overlaps `[starts, ends)` in `room` or with one of
/// `trainers`, other than the `excluded` sessions: the refusal naming it (its
/// title, group and times; the window formats them).
fn first_clash(
    conn: &mut SqliteConnection,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    room: Option<&str>,
    trainers: &[String],
    excluded: &[String],
) -> Result<Option<StoreError>, StoreError> {
    type Row = (
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
        Option<String>,
        String,
        Option<String>,
    );
    let overlapping: Vec<(String, Row)> = sessions::table
        .inner_join(workshop_groups::table)
        .filter(sessions::starts_at.lt(ends))
        .filter(sessions::ends_at.gt(starts))
        .filter(sessions::id.ne_all(excluded))
        .order(sessions::starts_at)
        .select((
            sessions::id,
            (
                sessions::title,
                workshop_groups::name,
                sessions::starts_at,
                sessions::ends_at,
                sessions::room_id,
                workshop_groups::trainer_id,
                workshop_groups::external_trainer_id,
            ),
        ))
        .load(conn)?;
    let clash = |code: ErrorCode, (title, group, s, e, ..): &Row| {
        let details: Details = [
            ("title", title.clone()),
            ("group", group.clone()),
            ("starts", to_rfc3339(*s)),
            ("ends", to_rfc3339(*e)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        StoreError::Refused { code, details }
    };
    for (_, row) in &overlapping {
        if let (Some(room), Some(other)) = (room, row.4.as_deref()) {
            if room == other {
                return Ok(Some(clash(ErrorCode::RoomClash, row)));
            }
        }
        let people = [Some(row.5.clone()), row.6.clone()];
        if people.iter().flatten().any(|p| trainers.contains(p)) {
            return Ok(Some(clash(ErrorCode::TrainerClash, row)));
        }
    }
    Ok(None)
}

fn group_people(
    conn: &mut SqliteConnection,
    group: &str,
) -> Result<(Vec<String>, i32), StoreError> {
    let (trainer, external, capacity): (String, Option<String>, i32) = workshop_groups::table
        .filter(workshop_groups::id.eq(group))
        .select((
            workshop_groups::trainer_id,
            workshop_groups::external_trainer_id,
            workshop_groups::capacity,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("group {group}")))?;
    Ok((std::iter::once(trainer).chain(external).collect(), capacity))
}

fn room_capacity(conn: &mut SqliteConnection, room: &str) -> Result<i32, StoreError> {
    rooms::table
        .filter(rooms::id.eq(room))
        .select(rooms::capacity)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("room {room}")))
}

/// A session to plan for a group.
#[derive(Clone, Debug)]
pub struct NewSessionPlan<'a> {
    pub group: &'a str,
    pub title: &'a str,
    pub kind: SessionKind,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub room: Option<&'a str>,
}

/// Adds a session; refused when the room or the group's trainer is already
/// booked at that time, or the room is smaller than the group.
pub fn add_session(
    conn: &mut SqliteConnection,
    actor: &Actor,
    plan: &NewSessionPlan<'_>,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::PlanningSessionAdd, now, |gate| {
        let title = plan.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(StoreError::InvalidInput(
                "a session needs a title of 1 to 200 characters".into(),
            ));
        }
        if plan.ends <= plan.starts {
            return Err(StoreError::InvalidInput(
                "a session ends after it starts".into(),
            ));
        }
        let (trainers, capacity) = group_people(gate.conn(), plan.group)?;
        if let Some(room) = plan.room {
            let seats = room_capacity(gate.conn(), room)?;
            if seats < capacity {
                return Err(too_small(seats, capacity));
            }
        }
        let (starts, ends) = (plan.starts.naive_utc(), plan.ends.naive_utc());
        if let Some(clash) = first_clash(gate.conn(), starts, ends, plan.room, &trainers, &[])? {
            return Err(clash);
        }
        let id = domain::new_id();
        let stamp = gate.stamp(sessions::updated_at, sessions::updated_device);
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&id),
                sessions::group_id.eq(plan.group),
                sessions::kind.eq(plan.kind.as_str()),
                sessions::title.eq(title),
                sessions::starts_at.eq(starts),
                sessions::ends_at.eq(ends),
                sessions::room_id.eq(plan.room),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id)
    })
}

fn too_small(seats: i32, capacity: i32) -> StoreError {
    StoreError::refused(ErrorCode::RoomTooSmall)
        .with("seats", seats)
        .with("capacity", capacity)
}

/// Changes to a group's resources.
#[derive(Clone, Debug, Default)]
pub struct GroupChange<'a> {
    pub trainer: Option<&'a str>,
    pub room: Option<Option<&'a str>>,
    pub capacity: Option<i32>,
    pub schedule: Option<&'a str>,
}

/// Updates a group's trainer, room, capacity or schedule text. Every future
/// session of the group is re-checked for clashes with the new trainer or
/// room; the capacity never drops below the confirmed places.
pub fn update_group(
    conn: &mut SqliteConnection,
    actor: &Actor,
    group: &str,
    change: &GroupChange<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::PlanningGroupUpdate, now, |gate| {
        let (mut people, old_capacity) = group_people(gate.conn(), group)?;
        if let Some(trainer) = change.trainer {
            let role: Option<String> = staff::table
                .filter(staff::id.eq(trainer))
                .select(staff::role)
                .first(gate.conn())
                .optional()?;
            if role.as_deref() != Some(domain::Role::Trainer.as_str()) {
                return Err(StoreError::InvalidInput(format!(
                    "staff {trainer} is not a trainer"
                )));
            }
            people[0] = trainer.to_owned();
        }
        let capacity = change.capacity.unwrap_or(old_capacity);
        if capacity <= 0 {
            return Err(StoreError::InvalidInput("capacity is at least 1".into()));
        }
        let confirmed: i64 = enrolments::table
            .filter(enrolments::group_id.eq(group))
            .filter(enrolments::status.eq(EnrolmentStatus::Confirmed.as_str()))
            .count()
            .get_result(gate.conn())?;
        if i64::from(capacity) < confirmed {
            return Err(
                StoreError::refused(ErrorCode::CapacityBelowConfirmed).with("confirmed", confirmed)
            );
        }
        let future: Vec<(String, NaiveDateTime, NaiveDateTime, Option<String>)> = sessions::table
            .filter(sessions::group_id.eq(group))
            .filter(sessions::ends_at.gt(gate.at()))
            .select((
                sessions::id,
                sessions::starts_at,
                sessions::ends_at,
                sessions::room_id,
            ))
            .load(gate.conn())?;
        let own: Vec<String> = future.iter().map(|s| s.0.clone()).collect();
        for (_, starts, ends, room) in &future {
            let room = match change.room {
                Some(new_room) => new_room.map(str::to_owned),
                None => room.clone(),
            };
            if let Some(room) = &room {
                let seats = room_capacity(gate.conn(), room)?;
                if seats < capacity {
                    return Err(too_small(seats, capacity));
                }
            }
            if let Some(clash) =
                first_clash(gate.conn(), *starts, *ends, room.as_deref(), &people, &own)?
            {
                return Err(clash);
            }
        }
        let at = gate.at();
        let stamp = gate.stamp(workshop_groups::updated_at, workshop_groups::updated_device);
        diesel::update(workshop_groups::table.filter(workshop_groups::id.eq(group)))
            .set((
                workshop_groups::trainer_id.eq(&people[0]),
                workshop_groups::capacity.eq(capacity),
                stamp,
            ))
            .execute(gate.conn())?;
        if let Some(schedule) = change.schedule {
            diesel::update(workshop_groups::table.filter(workshop_groups::id.eq(group)))
                .set(workshop_groups::schedule.eq(schedule.trim()))
                .execute(gate.conn())?;
        }
        if let Some(room) = change.room {
            diesel::update(workshop_groups::table.filter(workshop_groups::id.eq(group)))
                .set(workshop_groups::room_id.eq(room))
                .execute(gate.conn())?;
            let stamp = gate.stamp(sessions::updated_at, sessions::updated_device);
            diesel::update(
                sessions::table
                    .filter(sessions::group_id.eq(group))
                    .filter(sessions::ends_at.gt(at)),
            )
            .set((sessions::room_id.eq(room), stamp))
            .execute(gate.conn())?;
        }
        Ok(())
    })
}
