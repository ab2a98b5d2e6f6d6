//! Planning resources (ROLE-3, POL-10): groups, their sessions, rooms and
//! trainers. A room or a trainer booked twice at the same time is refused with
//! the clash named (the other session's title, group and time; no personal data).

use crate::audit::{self, Outcome};
use crate::schema::{enrolments, rooms, sessions, staff, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{authorize, Access, Category};
use domain::time::{paris_fr, to_rfc3339};
use domain::Actor;
use serde::Serialize;

fn check(
    conn: &mut SqliteConnection,
    actor: &Actor,
    need: Access,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Err(denied) = authorize(actor, Category::Planning, need) {
        audit::record_for(conn, actor, action, &[], Outcome::Denied, now)?;
        return Err(denied.into());
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Room {
    pub id: String,
    pub name: String,
    pub capacity: i32,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Trainer {
    pub id: String,
    pub display_name: String,
    pub external: bool,
}

/// Rooms and trainers, for the office's planning forms.
pub fn resources(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Vec<Room>, Vec<Trainer>), StoreError> {
    check(conn, actor, Access::Read, "planning.resources", now)?;
    let rooms = rooms::table
        .order(rooms::name)
        .select((rooms::id, rooms::name, rooms::capacity))
        .load::<(String, String, i32)>(conn)?
        .into_iter()
        .map(|(id, name, capacity)| Room { id, name, capacity })
        .collect();
    let trainers = staff::table
        .filter(staff::role.eq_any(["trainer", "external_trainer"]))
        .filter(staff::active.eq(true))
        .order(staff::display_name)
        .select((staff::id, staff::display_name, staff::role))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, display_name, role)| Trainer {
            id,
            display_name,
            external: role == "external_trainer",
        })
        .collect();
    Ok((rooms, trainers))
}

/// A session of a group, as the office plans it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
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
    check(conn, actor, Access::Read, "planning.sessions", now)?;
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
/// `trainers`, other than the `excluded` sessions: (code, message naming it).
fn first_clash(
    conn: &mut SqliteConnection,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    room: Option<&str>,
    trainers: &[String],
    excluded: &[String],
) -> Result<Option<(&'static str, String)>, StoreError> {
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
    let describe = |(title, group, s, e, ..): &Row| {
        format!(
            "« {title} » ({group}), {} – {}",
            paris_fr(s.and_utc()),
            paris_fr(e.and_utc())
        )
    };
    for (_, row) in &overlapping {
        if let (Some(room), Some(other)) = (room, row.4.as_deref()) {
            if room == other {
                return Ok(Some(("room_clash", describe(row))));
            }
        }
        let people = [Some(row.5.clone()), row.6.clone()];
        if people.iter().flatten().any(|p| trainers.contains(p)) {
            return Ok(Some(("trainer_clash", describe(row))));
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
    pub kind: &'a str,
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
    const ACTION: &str = "planning.session.add";
    check(conn, actor, Access::Write, ACTION, now)?;
    let title = plan.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(StoreError::InvalidInput(
            "a session needs a title of 1 to 200 characters".into(),
        ));
    }
    if !matches!(plan.kind, "webinar" | "in_person") {
        return Err(StoreError::InvalidInput(
            "kind is webinar or in_person".into(),
        ));
    }
    if plan.ends <= plan.starts {
        return Err(StoreError::InvalidInput(
            "a session ends after it starts".into(),
        ));
    }
    crate::tx::immediate(conn, |conn| {
        let (trainers, capacity) = group_people(conn, plan.group)?;
        if let Some(room) = plan.room {
            let seats = room_capacity(conn, room)?;
            if seats < capacity {
                return Err(StoreError::Refused {
                    code: "room_too_small",
                    message: format!("the room has {seats} seats for a group of {capacity}"),
                });
            }
        }
        let (starts, ends) = (plan.starts.naive_utc(), plan.ends.naive_utc());
        if let Some((code, message)) = first_clash(conn, starts, ends, plan.room, &trainers, &[])? {
            return Err(StoreError::Refused { code, message });
        }
        let id = domain::new_id();
        let at = now.naive_utc();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&id),
                sessions::group_id.eq(plan.group),
                sessions::kind.eq(plan.kind),
                sessions::title.eq(title),
                sessions::starts_at.eq(starts),
                sessions::ends_at.eq(ends),
                sessions::room_id.eq(plan.room),
                sessions::updated_at.eq(at),
                sessions::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        audit::record_for(conn, actor, ACTION, &[], Outcome::Allowed, now)?;
        Ok(id)
    })
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
    const ACTION: &str = "planning.group.update";
    check(conn, actor, Access::Write, ACTION, now)?;
    crate::tx::immediate(conn, |conn| {
        let (mut people, old_capacity) = group_people(conn, group)?;
        if let Some(trainer) = change.trainer {
            let role: Option<String> = staff::table
                .filter(staff::id.eq(trainer))
                .select(staff::role)
                .first(conn)
                .optional()?;
            if role.as_deref() != Some("trainer") {
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
            .filter(enrolments::status.eq("confirmed"))
            .count()
            .get_result(conn)?;
        if i64::from(capacity) < confirmed {
            return Err(StoreError::Refused {
                code: "capacity_below_confirmed",
                message: format!("the group already has {confirmed} confirmed places"),
            });
        }
        let future: Vec<(String, NaiveDateTime, NaiveDateTime, Option<String>)> = sessions::table
            .filter(sessions::group_id.eq(group))
            .filter(sessions::ends_at.gt(now.naive_utc()))
            .select((
                sessions::id,
                sessions::starts_at,
                sessions::ends_at,
                sessions::room_id,
            ))
            .load(conn)?;
        let own: Vec<String> = future.iter().map(|s| s.0.clone()).collect();
        for (_, starts, ends, room) in &future {
            let room = match change.room {
                Some(new_room) => new_room.map(str::to_owned),
                None => room.clone(),
            };
            if let Some(room) = &room {
                let seats = room_capacity(conn, room)?;
                if seats < capacity {
                    return Err(StoreError::Refused {
                        code: "room_too_small",
                        message: format!("the room has {seats} seats for a group of {capacity}"),
                    });
                }
            }
            if let Some((code, message)) =
                first_clash(conn, *starts, *ends, room.as_deref(), &people, &own)?
            {
                return Err(StoreError::Refused { code, message });
            }
        }
        let at = now.naive_utc();
        diesel::update(workshop_groups::table.filter(workshop_groups::id.eq(group)))
            .set((
                workshop_groups::trainer_id.eq(&people[0]),
                workshop_groups::capacity.eq(capacity),
                workshop_groups::updated_at.eq(at),
                workshop_groups::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        if let Some(schedule) = change.schedule {
            diesel::update(workshop_groups::table.filter(workshop_groups::id.eq(group)))
                .set(workshop_groups::schedule.eq(schedule.trim()))
                .execute(conn)?;
        }
        if let Some(room) = change.room {
            diesel::update(workshop_groups::table.filter(workshop_groups::id.eq(group)))
                .set(workshop_groups::room_id.eq(room))
                .execute(conn)?;
            diesel::update(
                sessions::table
                    .filter(sessions::group_id.eq(group))
                    .filter(sessions::ends_at.gt(now.naive_utc())),
            )
            .set((
                sessions::room_id.eq(room),
                sessions::updated_at.eq(at),
                sessions::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        }
        audit::record_for(conn, actor, ACTION, &[], Outcome::Allowed, now)?;
        Ok(())
    })
}
