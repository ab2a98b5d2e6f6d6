//! Assistance requests, the DPO's side (ROLE-4): support reaches one account
//! only while an explicit request from that person is open, for 48 hours; the
//! DPO sees the open requests, renews one for another 48 hours, or closes it.

use crate::gate;
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::{Action, Actor};
use serde::Serialize;

/// ROLE-4 Decision: an assistance request opens an account for 48 hours.
pub const RENEWAL_HOURS: i64 = 48;

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct AssistanceRow {
    pub id: String,
    pub participant_id: String,
    pub person: String,
    pub support: String,
    pub opened_at: String,
    pub expires_at: String,
    /// Past its expiry: support no longer reaches the account.
    pub expired: bool,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
);

fn rows(
    conn: &mut SqliteConnection,
    only: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<AssistanceRow>, StoreError> {
    let mut query = assistance_requests::table
        .inner_join(participants::table)
        .inner_join(staff::table)
        .filter(assistance_requests::closed_at.is_null())
        .order(assistance_requests::expires_at)
        .select((
            assistance_requests::id,
            assistance_requests::participant_id,
            participants::given_name,
            participants::family_name,
            staff::display_name,
            assistance_requests::opened_at,
            assistance_requests::expires_at,
        ))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(assistance_requests::id.eq(id.to_owned()));
    }
    let now = now.naive_utc();
    Ok(query
        .load::<Row>(conn)?
        .into_iter()
        .map(
            |(id, participant_id, given, family, support, opened, expires)| AssistanceRow {
                id,
                participant_id,
                person: format!("{given} {family}"),
                support,
                opened_at: domain::time::to_rfc3339(opened),
                expires_at: domain::time::to_rfc3339(expires),
                expired: expires <= now,
            },
        )
        .collect())
}

/// The open assistance requests, soonest expiry first (DPO).
pub fn open_requests(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<AssistanceRow>, StoreError> {
    gate::run(conn, actor, Action::AssistanceList, now, |gate| {
        let list = rows(gate.conn(), None, now)?;
        gate.show(list.iter().map(|r| &r.participant_id));
        Ok(list)
    })
}

/// The open request `id` and its participant.
fn open_request(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<(String, NaiveDateTime), StoreError> {
    assistance_requests::table
        .find(id)
        .filter(assistance_requests::closed_at.is_null())
        .select((
            assistance_requests::participant_id,
            assistance_requests::expires_at,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("open assistance request {id}")))
}

/// Renews an open request for another 48 hours from its expiry, or from now
/// when it has already expired (ROLE-4: "renewable by the DPO").
pub fn renew(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AssistanceRow, StoreError> {
    gate::run(conn, actor, Action::AssistanceRenew, now, |gate| {
        let (person, expires) = open_request(gate.conn(), id)?;
        gate.reach(&person)?;
        let until = expires.max(gate.at()) + Duration::hours(RENEWAL_HOURS);
        let stamp = gate.stamp(
            assistance_requests::updated_at,
            assistance_requests::updated_device,
        );
        diesel::update(assistance_requests::table.find(id))
            .set((assistance_requests::expires_at.eq(until), stamp))
            .execute(gate.conn())?;
        rows(gate.conn(), Some(id), now)?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("assistance request {id}")))
    })
}

/// Closes a request: support loses the account at once.
pub fn close(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::AssistanceClose, now, |gate| {
        let (person, _) = open_request(gate.conn(), id)?;
        gate.reach(&person)?;
        let stamp = gate.stamp(
            assistance_requests::updated_at,
            assistance_requests::updated_device,
        );
        diesel::update(assistance_requests::table.find(id))
            .set((assistance_requests::closed_at.eq(gate.at()), stamp))
            .execute(gate.conn())?;
        Ok(())
    })
}
