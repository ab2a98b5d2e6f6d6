//! The audit trail (POL-21): every read of a participant's personal data and
//! every change, append-only (SQL triggers refuse updates and deletes) and
//! hash-chained. Entries hold pseudonymous ids only: actor, device, participant.

use crate::schema::{audit_alerts, audit_chain, audit_log, staff};
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use domain::audit::{verify, Anchor, AuditFields, Head, StoredEntry, Verification};
use domain::{Action, Actor};
use serde::Serialize;
use std::collections::HashMap;

/// Whether the audited attempt was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }
}

#[derive(Insertable, Queryable, Selectable, Clone, Debug, Serialize, ts_rs::TS)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor_id: String,
    pub device_id: String,
    pub action: String,
    pub participant_id: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    fn fields(&self) -> AuditFields {
        AuditFields {
            seq: self.seq,
            id: self.id.clone(),
            at: self.at.clone(),
            actor_id: self.actor_id.clone(),
            device_id: self.device_id.clone(),
            action: self.action.clone(),
            participant_id: self.participant_id.clone(),
            outcome: self.outcome.clone(),
            prev_hash: self.prev_hash.clone(),
        }
    }
}

/// Appends one entry per participant in `participants` (or one entry without a
/// participant when the slice is empty), chained to the current head, in the
/// caller's transaction or a new one.
pub fn record(
    conn: &mut SqliteConnection,
    actor_id: &str,
    device_id: &str,
    action: &str,
    participants: &[&str],
    outcome: Outcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // A savepoint inside the caller's transaction, or a write transaction of
    // its own (taking the write lock first: reading the head and upgrading
    // later could fail on a concurrent writer instead of waiting).
    crate::tx::immediate(conn, |conn| {
        let (mut seq, mut prev_hash): (i64, String) = audit_chain::table
            .filter(audit_chain::id.eq(1))
            .select((audit_chain::head_seq, audit_chain::head_hash))
            .first(conn)?;
        let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let subjects: Vec<Option<&str>> = if participants.is_empty() {
            vec![None]
        } else {
            participants.iter().map(|p| Some(*p)).collect()
        };
        let mut rows = Vec::with_capacity(subjects.len());
        for subject in subjects {
            seq += 1;
            let fields = AuditFields {
                seq,
                // Random even while a sync operation seeds the row ids: a
                // rebase replays operations, never audit entries.
                id: uuid::Uuid::now_v7().to_string(),
                at: at_text.clone(),
                actor_id: actor_id.to_owned(),
                device_id: device_id.to_owned(),
                action: action.to_owned(),
                participant_id: subject.map(str::to_owned),
                outcome: outcome.as_str().to_owned(),
                prev_hash: prev_hash.clone(),
            };
            let hash = fields.hash();
            prev_hash = hash.clone();
            rows.push(AuditRow {
                seq: fields.seq,
                id: fields.id,
                at: fields.at,
                actor_id: fields.actor_id,
                device_id: fields.device_id,
                action: fields.action,
                participant_id: fields.participant_id,
                outcome: fields.outcome,
                prev_hash: fields.prev_hash,
                hash,
            });
        }
        insert_entries(conn, &rows)?;
        diesel::update(audit_chain::table.filter(audit_chain::id.eq(1)))
            .set((
                audit_chain::head_seq.eq(seq),
                audit_chain::head_hash.eq(&prev_hash),
            ))
            .execute(conn)?;
        Ok::<_, StoreError>(())
    })
}

/// Appends entries of one action. One entry (a change, a profile read, a
/// synced operation: most of them) goes through diesel's cached insert.
/// Several (a list shows up to 200 people) go as one constant statement over
/// a JSON array of what differs between them: a multi-row insert was a new
/// statement for every count of rows, built and prepared again each time
/// (issue 13: half of a trainer list's time).
fn insert_entries(conn: &mut SqliteConnection, rows: &[AuditRow]) -> Result<(), StoreError> {
    let [first, ..] = rows else {
        return Ok(());
    };
    if rows.len() == 1 {
        diesel::insert_into(audit_log::table)
            .values(first)
            .execute(conn)?;
        return Ok(());
    }
    let varying: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            serde_json::json!([row.seq, row.id, row.participant_id, row.prev_hash, row.hash])
        })
        .collect();
    let inserted = diesel::sql_query(
        "INSERT INTO audit_log \
             (seq, id, at, actor_id, device_id, action, participant_id, outcome, prev_hash, hash) \
         SELECT value ->> 0, value ->> 1, ?, ?, ?, ?, value ->> 2, ?, value ->> 3, value ->> 4 \
         FROM json_each(?) ORDER BY key",
    )
    .bind::<Text, _>(&first.at)
    .bind::<Text, _>(&first.actor_id)
    .bind::<Text, _>(&first.device_id)
    .bind::<Text, _>(&first.action)
    .bind::<Text, _>(&first.outcome)
    .bind::<Text, _>(serde_json::Value::Array(varying).to_string())
    .execute(conn)?;
    if inserted != rows.len() {
        return Err(StoreError::Database(format!(
            "the trail took {inserted} of {} entries",
            rows.len()
        )));
    }
    Ok(())
}

/// Records an attempt by `actor` (allowed or refused).
pub(crate) fn record_for(
    conn: &mut SqliteConnection,
    actor: &Actor,
    action: &str,
    participants: &[&str],
    outcome: Outcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    record(
        conn,
        actor.staff_id.as_str(),
        actor.device_id.as_str(),
        action,
        participants,
        outcome,
        at,
    )
}

/// Walks the whole chain (DPO only) and names the first broken entry.
pub fn verify_chain(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Verification, StoreError> {
    crate::gate::run(conn, actor, Action::AuditVerify, now, |gate| {
        verify_unchecked(gate.conn())
    })
}

/// The verification itself, without access check: for tests and the command line.
pub fn verify_unchecked(conn: &mut SqliteConnection) -> Result<Verification, StoreError> {
    let (anchor_seq, anchor_hash, head_seq, head_hash): (i64, String, i64, String) =
        audit_chain::table
            .filter(audit_chain::id.eq(1))
            .select((
                audit_chain::anchor_seq,
                audit_chain::anchor_hash,
                audit_chain::head_seq,
                audit_chain::head_hash,
            ))
            .first(conn)?;
    let rows: Vec<AuditRow> = audit_log::table
        .order(audit_log::seq.asc())
        .select(AuditRow::as_select())
        .load(conn)?;
    let entries = rows.into_iter().map(|row| StoredEntry {
        fields: row.fields(),
        hash: row.hash,
    });
    Ok(verify(
        entries,
        &Anchor {
            prev_hash: anchor_hash,
            next_seq: anchor_seq + 1,
        },
        Some(&Head {
            last_seq: head_seq,
            last_hash: head_hash,
        }),
    ))
}

/// An audit entry as the DPO sees it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub device: String,
    pub action: String,
    pub participant_id: Option<String>,
    pub outcome: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct AuditPage {
    pub total: i64,
    pub entries: Vec<AuditEntryDto>,
}

/// A page of the trail, newest first (DPO only; the read is itself audited).
/// Actors are shown by user name (staff, not participants); participants by
/// their pseudonymous id.
pub fn trail_page(
    conn: &mut SqliteConnection,
    actor: &Actor,
    limit: i64,
    offset: i64,
    now: DateTime<Utc>,
) -> Result<AuditPage, StoreError> {
    crate::gate::run(conn, actor, Action::AuditRead, now, |gate| {
        let conn = gate.conn();
        let total: i64 = audit_log::table.count().get_result(conn)?;
        let rows = audit_log::table
            .order(audit_log::seq.desc())
            .limit(limit.clamp(1, 1000))
            .offset(offset.max(0))
            .select(AuditRow::as_select())
            .load(conn)?;
        let names: HashMap<String, String> = staff::table
            .select((staff::id, staff::username))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        Ok(AuditPage {
            total,
            entries: rows
                .into_iter()
                .map(|row| AuditEntryDto {
                    seq: row.seq,
                    at: row.at,
                    actor: names.get(&row.actor_id).cloned().unwrap_or(row.actor_id),
                    device: row.device_id,
                    action: row.action,
                    participant_id: row.participant_id,
                    outcome: row.outcome,
                })
                .collect(),
        })
    })
}

/// Entries indexed per participant at most per call of [`index_subjects`] in
/// the background: small, so the write lock it takes is held for a few
/// milliseconds even on a cold cache, and a command of the window waits on one
/// batch at most (issue 13: 5,000 held it past the 5 s busy timeout).
pub const SUBJECT_BATCH: i64 = 250;

#[derive(diesel::QueryableByName)]
struct Watermark {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    low: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    high: i64,
}

/// Adds the next entries of the trail to the per-participant side index
/// (`audit_subjects`), at most `batch` of them, and moves the watermark.
/// Returns how many entries were covered (0: up to date). Called by the
/// background checkpointer and, to catch up fully, by the access export.
pub fn index_subjects(conn: &mut SqliteConnection, batch: i64) -> Result<i64, StoreError> {
    // The write lock first: reading the watermark and upgrading later would
    // fail whenever a command wrote in between.
    crate::tx::immediate(conn, |conn| {
        let mark: Watermark = diesel::sql_query(
            "SELECT CAST(value AS INTEGER) AS low, \
                    min((SELECT coalesce(max(seq), 0) FROM audit_log), CAST(value AS INTEGER) + ?) AS high \
             FROM app_meta WHERE key = 'audit_subjects_seq'",
        )
        .bind::<diesel::sql_types::BigInt, _>(batch)
        .get_result(conn)?;
        if mark.high <= mark.low {
            return Ok(0);
        }
        diesel::sql_query(
            "INSERT OR IGNORE INTO audit_subjects (participant_id, seq) \
             SELECT participant_id, seq FROM audit_log \
             WHERE seq > ? AND seq <= ? AND participant_id IS NOT NULL",
        )
        .bind::<diesel::sql_types::BigInt, _>(mark.low)
        .bind::<diesel::sql_types::BigInt, _>(mark.high)
        .execute(conn)?;
        diesel::sql_query("UPDATE app_meta SET value = ? WHERE key = 'audit_subjects_seq'")
            .bind::<diesel::sql_types::Text, _>(mark.high.to_string())
            .execute(conn)?;
        Ok(mark.high - mark.low)
    })
}

/// Brings the side index fully up to date (the export's first step).
pub fn catch_up_subjects(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    while index_subjects(conn, 100_000)? > 0 {}
    Ok(())
}

/// An anomaly the server found in a device's trail (POL-21, issue 5): a burst
/// of profile views, refused out-of-scope attempts, activity at unusual
/// hours, a broken chain. Ids and counts only.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct AlertRow {
    pub id: String,
    pub kind: String,
    pub staff_id: String,
    /// The staff member's display name, when the laptop holds the account.
    pub staff_name: Option<String>,
    pub device_id: String,
    pub first_at: String,
    pub last_at: String,
    pub entries: i32,
    pub raised_at: String,
    pub acknowledged: bool,
}

/// Marks an anomaly alert as handled (POL-21): the DPO has looked into it.
/// DPO only (reviewing the trail is what the DPO's read of the audit-trail
/// category is for; the trail itself stays append-only, and the alert keeps
/// its kind, staff, device and counts). Audited. Marking an alert already
/// marked keeps the first time: replays and a second laptop change nothing.
pub fn acknowledge_alert(
    conn: &mut SqliteConnection,
    actor: &Actor,
    alert_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::gate::run(conn, actor, Action::AuditAlertAcknowledge, at, |gate| {
        let conn = gate.conn();
        let current: Option<Option<chrono::NaiveDateTime>> = audit_alerts::table
            .find(alert_id)
            .select(audit_alerts::acknowledged_at)
            .first(conn)
            .optional()?;
        match current {
            None => Err(StoreError::NotFound(format!("alert {alert_id}"))),
            Some(Some(_)) => Ok(()),
            Some(None) => {
                diesel::update(audit_alerts::table.find(alert_id))
                    .set(audit_alerts::acknowledged_at.eq(at.naive_utc()))
                    .execute(conn)?;
                Ok(())
            }
        }
    })
}

/// The anomaly alerts raised by the server, newest first (DPO only, ROLE-5;
/// the read is itself audited). On a laptop they arrive with the sync.
pub fn alerts(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<AlertRow>, StoreError> {
    crate::gate::run(conn, actor, Action::AuditAlertsRead, now, |gate| {
        alert_rows(gate.conn())
    })
}

fn alert_rows(conn: &mut SqliteConnection) -> Result<Vec<AlertRow>, StoreError> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        i32,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Row> = audit_alerts::table
        .left_join(staff::table.on(staff::id.eq(audit_alerts::staff_id)))
        .order((audit_alerts::raised_at.desc(), audit_alerts::id))
        .limit(500)
        .select((
            audit_alerts::id,
            audit_alerts::kind,
            audit_alerts::staff_id,
            staff::display_name.nullable(),
            audit_alerts::device_id,
            audit_alerts::first_at,
            audit_alerts::last_at,
            audit_alerts::entries,
            audit_alerts::raised_at,
            audit_alerts::acknowledged_at,
        ))
        .load(conn)?;
    let text = |at: chrono::NaiveDateTime| domain::time::to_rfc3339(at);
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, staff_id, staff_name, device_id, first, last, entries, raised, ack)| {
                AlertRow {
                    id,
                    kind,
                    staff_id,
                    staff_name,
                    device_id,
                    first_at: text(first),
                    last_at: text(last),
                    entries,
                    raised_at: text(raised),
                    acknowledged: ack.is_some(),
                }
            },
        )
        .collect())
}
