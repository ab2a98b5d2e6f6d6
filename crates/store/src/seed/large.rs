//! The large synthetic dataset for benchmarks (never a real person's data).

use crate::auth::hash_password;
use crate::open::set_meta;
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::new_id;

use super::*;

/// Sizes of the synthetic dataset.
#[derive(Clone, Copy, Debug)]
pub struct LargeSize {
    pub participants: usize,
    pub attendance_per_participant: usize,
    pub participants_per_group: usize,
    pub groups_per_trainer: usize,
}

impl Default for LargeSize {
    /// 100,000 participants, 1,000,000 attendance rows; 200 trainers of 500 participants.
    fn default() -> Self {
        LargeSize {
            participants: 100_000,
            attendance_per_participant: 10,
            participants_per_group: 25,
            groups_per_trainer: 20,
        }
    }
}

/// Synthetic family name for participant `n`: "Synth" and letters, unmistakably fake.
pub fn synthetic_family_name(n: usize) -> String {
    let mut letters = String::from("Synth");
    let mut rest = n;
    for _ in 0..4 {
        letters.push((b'a' + (rest % 26) as u8) as char);
        rest /= 26;
    }
    letters
}

/// The synthetic trainers' user names are `trainer0001`...; their password is `synthetic`.
pub fn seed_large(
    store: &mut Store,
    size: LargeSize,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let device = store.device.as_str().to_owned();
    let t = naive(now);
    let groups_count = size.participants.div_ceil(size.participants_per_group);
    let trainers_count = groups_count.div_ceil(size.groups_per_trainer);
    let shared_hash = hash_password("synthetic");
    let conn = &mut store.conn;
    let (programme, group_ids, session_ids) = crate::tx::immediate(conn, |conn| {
        let mut trainer_ids = Vec::with_capacity(trainers_count);
        for n in 0..trainers_count {
            let id = new_id();
            diesel::insert_into(staff::table)
                .values((
                    staff::id.eq(&id),
                    staff::username.eq(format!("trainer{:04}", n + 1)),
                    staff::display_name.eq(format!("Formateur synthétique {}", n + 1)),
                    staff::role.eq("trainer"),
                    staff::password_hash.eq(&shared_hash),
                    staff::created_at.eq(t),
                    staff::updated_at.eq(t),
                    staff::updated_device.eq(&device),
                ))
                .execute(conn)?;
            trainer_ids.push(id);
        }
        let programme = new_id();
        diesel::insert_into(crate::schema::programmes::table)
            .values(NewProgramme {
                id: programme.clone(),
                name: "Programme synthétique".into(),
                format: "workshop".into(),
                advanced: false,
                updated_at: t,
                updated_device: device.clone(),
            })
            .execute(conn)?;
        let mut group_ids = Vec::with_capacity(groups_count);
        let mut session_ids: Vec<Vec<(String, NaiveDateTime)>> = Vec::with_capacity(groups_count);
        for chunk_start in (0..groups_count).step_by(500) {
            let mut groups = Vec::new();
            let mut sessions = Vec::new();
            for g in chunk_start..(chunk_start + 500).min(groups_count) {
                let id = new_id();
                groups.push(NewGroup {
                    id: id.clone(),
                    programme_id: programme.clone(),
                    name: format!("Groupe synthétique {:05}", g + 1),
                    trainer_id: trainer_ids[g / size.groups_per_trainer].clone(),
                    external_trainer_id: None,
                    capacity: size.participants_per_group as i32 + 5,
                    schedule: "mercredi 18:30–20:00".into(),
                    slot: "wed-18:30".into(),
                    room_id: None,
                    updated_at: t,
                    updated_device: device.clone(),
                });
                let mut own = Vec::new();
                for s in 0..size.attendance_per_participant {
                    let starts = t - Duration::weeks(s as i64 + 1);
                    let sid = new_id();
                    own.push((sid.clone(), starts));
                    sessions.push(NewSession {
                        id: sid,
                        group_id: id.clone(),
                        kind: "webinar".into(),
                        title: format!("Séance synthétique {}", s + 1),
                        starts_at: starts,
                        ends_at: starts + Duration::minutes(90),
                        room_id: None,
                        updated_at: t,
                        updated_device: device.clone(),
                    });
                }
                group_ids.push(id);
                session_ids.push(own);
            }
            diesel::insert_into(workshop_groups::table)
                .values(&groups)
                .execute(conn)?;
            for part in sessions.chunks(1000) {
                diesel::insert_into(crate::schema::sessions::table)
                    .values(part)
                    .execute(conn)?;
            }
        }
        Ok::<_, StoreError>((programme, group_ids, session_ids))
    })?;
    // The participants in transactions of a few thousand: SQLite's
    // per-statement savepoint (the tables have triggers) costs in proportion
    // to the pages the open transaction already wrote, so one transaction for
    // the whole dataset grew quadratically (issue 13: 212 s for 100,000).
    //
    // Foreign keys are off while the rows go in and checked once at the end
    // (`PRAGMA foreign_key_check`): an immediate foreign key lets a statement
    // abort midway, so SQLite copies every page a multi-row insert touches
    // into a statement journal (17 % of the seeding profile even with
    // `defer_foreign_keys`, which does not change the declared constraint).
    diesel::connection::SimpleConnection::batch_execute(conn, "PRAGMA foreign_keys = OFF;")?;
    let inserted =
        insert_participants(conn, size, &device, t, &programme, &group_ids, &session_ids);
    let checked = inserted.and_then(|()| foreign_keys_hold(conn));
    diesel::connection::SimpleConnection::batch_execute(conn, "PRAGMA foreign_keys = ON;")?;
    checked?;
    set_meta(store, "large_seed", &size.participants.to_string())?;
    Ok(())
}

/// Every row of the store points at rows that exist (the check the seed
/// postponed); an error names the first table that breaks it.
fn foreign_keys_hold(conn: &mut diesel::SqliteConnection) -> Result<(), StoreError> {
    #[derive(diesel::QueryableByName)]
    struct Broken {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table: String,
    }
    let broken: Vec<Broken> = diesel::sql_query("PRAGMA foreign_key_check").load(conn)?;
    match broken.first() {
        None => Ok(()),
        Some(row) => Err(StoreError::Database(format!(
            "the synthetic data breaks a foreign key of {} ({} rows)",
            row.table,
            broken.len()
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_participants(
    conn: &mut diesel::SqliteConnection,
    size: LargeSize,
    device: &str,
    t: NaiveDateTime,
    programme: &str,
    group_ids: &[String],
    session_ids: &[Vec<(String, NaiveDateTime)>],
) -> Result<(), StoreError> {
    let device = device.to_owned();
    let programme = programme.to_owned();
    fill_session_times(conn, group_ids, session_ids)?;
    let batch = 1000;
    let per_transaction = 5 * batch;
    for first in (0..size.participants).step_by(per_transaction) {
        let last = (first + per_transaction).min(size.participants);
        crate::tx::immediate(conn, |conn| {
            for start in (first..last).step_by(batch) {
                let end = (start + batch).min(last);
                let mut people = Vec::with_capacity(end - start);
                let mut enrols = Vec::with_capacity(end - start);
                let before: Option<i64> = enrolments::table
                    .select(diesel::dsl::sql::<
                        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
                    >("max(rowid)"))
                    .get_result(conn)?;
                for n in start..end {
                    let id = new_id();
                    let group = n / size.participants_per_group;
                    people.push(NewParticipant {
                        id: id.clone(),
                        given_name: GIVEN_NAMES[n % GIVEN_NAMES.len()].into(),
                        family_name: synthetic_family_name(n),
                        email: format!("p{n:06}@example.test"),
                        phone: None,
                        certified_16_plus_at: t,
                        last_login_at: Some(t - Duration::days((n % 800) as i64)),
                        account_status: "active".into(),
                        marketing_opt_out: false,
                        created_at: t,
                        updated_at: t,
                        updated_device: device.clone(),
                    });
                    enrols.push(NewEnrolment {
                        id: new_id(),
                        participant_id: id.clone(),
                        programme_id: programme.clone(),
                        group_id: Some(group_ids[group].clone()),
                        status: "confirmed".into(),
                        available_slots: "wed-18:30".into(),
                        preferred_slot: None,
                        requested_at: t,
                        decided_at: Some(t),
                        decided_by: None,
                        waiver_reason: None,
                        updated_at: t,
                        updated_device: device.clone(),
                    });
                }
                bulk(
                    conn,
                    people.len(),
                    diesel::insert_or_ignore_into(participants::table).values(&people),
                )?;
                bulk(
                    conn,
                    enrols.len(),
                    diesel::insert_or_ignore_into(enrolments::table).values(&enrols),
                )?;
                insert_attendance(
                    conn,
                    before.unwrap_or(0),
                    (end - start) * size.attendance_per_participant,
                    t,
                    &device,
                )?;
            }
            Ok::<_, StoreError>(())
        })?;
    }
    Ok(())
}

/// The sessions of every group with their times, in a temporary table the
/// attendance insert joins (`insert_attendance`). The times are bound as
/// diesel timestamps, so they are stored exactly as the app writes them.
fn fill_session_times(
    conn: &mut diesel::SqliteConnection,
    group_ids: &[String],
    session_ids: &[Vec<(String, NaiveDateTime)>],
) -> Result<(), StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    diesel::connection::SimpleConnection::batch_execute(
        conn,
        "DROP TABLE IF EXISTS temp.seed_session_times;
         CREATE TEMP TABLE seed_session_times (
             group_id TEXT NOT NULL, n INTEGER NOT NULL, session_id TEXT NOT NULL,
             joined_at TIMESTAMP NOT NULL, left_at TIMESTAMP NOT NULL,
             PRIMARY KEY (group_id, n)) WITHOUT ROWID;",
    )?;
    crate::tx::immediate(conn, |conn| {
        for (group, sessions) in group_ids.iter().zip(session_ids) {
            for (n, (session, starts)) in sessions.iter().enumerate() {
                diesel::sql_query("INSERT INTO temp.seed_session_times VALUES (?, ?, ?, ?, ?)")
                    .bind::<Text, _>(group)
                    .bind::<BigInt, _>(n as i64)
                    .bind::<Text, _>(session)
                    .bind::<Timestamp, _>(*starts)
                    .bind::<Timestamp, _>(*starts + Duration::minutes(80))
                    .execute(conn)?;
            }
        }
        Ok::<_, StoreError>(())
    })
}

/// The attendance of every enrolment after rowid `after` (the batch just
/// inserted), generated by SQLite from the session times: a million rows
/// bound one by one from Rust spent 40 % of the seeding in diesel's binding
/// and timestamp formatting. The ids are UUIDs: a fresh version-7 prefix per
/// batch and a unique suffix (enrolment rowid, session number).
fn insert_attendance(
    conn: &mut diesel::SqliteConnection,
    after: i64,
    expected: usize,
    t: NaiveDateTime,
    device: &str,
) -> Result<(), StoreError> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let fresh = uuid::Uuid::now_v7().to_string();
    let prefix = &fresh[..24];
    let inserted = diesel::sql_query(
        "INSERT OR IGNORE INTO attendance \
             (id, session_id, participant_id, joined_at, left_at, updated_at, updated_device) \
         SELECT printf('%s%012x', ?, e.rowid * 64 + st.n), st.session_id, e.participant_id, \
                st.joined_at, st.left_at, ?, ? \
         FROM enrolments e JOIN temp.seed_session_times st ON st.group_id = e.group_id \
         WHERE e.rowid > ? ORDER BY e.rowid, st.n",
    )
    .bind::<Text, _>(prefix)
    .bind::<Timestamp, _>(t)
    .bind::<Text, _>(device)
    .bind::<BigInt, _>(after)
    .execute(conn)?;
    if inserted != expected {
        return Err(StoreError::Database(format!(
            "bulk insert wrote {inserted} of {expected} attendance rows"
        )));
    }
    Ok(())
}

/// A multi-row insert that must insert every row: `INSERT OR IGNORE` needs no
/// statement journal, and a row it would have ignored is an error here.
fn bulk<Q>(conn: &mut diesel::SqliteConnection, rows: usize, insert: Q) -> Result<(), StoreError>
where
    Q: diesel::query_dsl::methods::ExecuteDsl<diesel::SqliteConnection>,
{
    let inserted = diesel::query_dsl::methods::ExecuteDsl::execute(insert, conn)?;
    if inserted != rows {
        return Err(StoreError::Database(format!(
            "bulk insert wrote {inserted} of {rows} rows"
        )));
    }
    Ok(())
}
