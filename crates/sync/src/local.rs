//! The laptop's side: applying an operation locally and queueing it in the
//! outbox in one transaction, reading the outbox for a push, taking the
//! server's answers, applying a pull (reference tables, bundles, purges,
//! tombstones) and replaying what is still pending on top (rebase).

use crate::ops::Op;
use crate::replica::{self, REFERENCE_TABLES};
use crate::wire::{AuditEntry, Envelope, OpAnswer, Outcome, PullResponse};
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::Actor;
use serde::Serialize;
use std::collections::BTreeSet;
use store::schema::{audit_log, participants, sync_fetch_queue, sync_outbox, sync_refusals};
use store::{Store, StoreError};

const CURSOR: &str = "sync.cursor";
const AUDIT_PUSHED: &str = "sync.audit_pushed";
const NEEDS_REFERENCE: &str = "sync.needs_reference";
const LAST_SYNC: &str = "sync.last_sync_at";
const LAST_ERROR: &str = "sync.last_error";

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(format!("encoding: {e}")))
}

/// Queues `envelope` in the outbox (the spreadsheet import queues its parts
/// from inside its one transaction: `crate::ops::import_families`).
pub(crate) fn append(
    conn: &mut SqliteConnection,
    envelope: &Envelope,
    subject: Option<&str>,
) -> Result<(), StoreError> {
    diesel::insert_into(sync_outbox::table)
        .values((
            sync_outbox::op_id.eq(&envelope.id),
            sync_outbox::kind.eq(envelope.op.kind()),
            sync_outbox::subject_id.eq(subject),
            sync_outbox::body.eq(encode(envelope)?),
            sync_outbox::created_at.eq(envelope.at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Applies `op` on the laptop as `actor` and queues it for the server, in one
/// transaction (sync.md: outbox), and answers the store function's value. A
/// refused operation changes nothing and is not queued; the store's audit
/// entry of the refusal stays.
pub fn apply<O: Op>(
    store: &mut Store,
    actor: &Actor,
    op: O,
    now: DateTime<Utc>,
) -> Result<O::Output, StoreError> {
    let envelope = Envelope {
        id: domain::new_id(),
        at: now,
        op: op.clone().into(),
    };
    // An operation the server would refuse as oversized is refused here,
    // before it changes anything (a stuck outbox would block every later one).
    if encode(&envelope)?.len() > MAX_OP_BYTES {
        return Err(StoreError::InvalidInput(format!(
            "this change is larger than {} MB and cannot be synced; split the file",
            MAX_OP_BYTES / (1024 * 1024)
        )));
    }
    let subject = envelope.op.subject(store.connection())?;
    let result = store::tx::write(store, |store| {
        let result = crate::ops::run_seeded(&op, store, actor, &envelope.id, now);
        if result.is_ok() {
            append(store.connection(), &envelope, subject.as_deref())?;
        }
        Ok(result)
    })?;
    result
}

/// The largest operation the laptop queues (its push must fit the server's
/// body limit, [`crate::wire::MAX_BODY_BYTES`]).
pub const MAX_OP_BYTES: usize = 3 * 1024 * 1024;

/// The oldest pending operations, at most `limit` and, after the first, at
/// most [`MAX_OP_BYTES`] of them in all.
pub fn pending(store: &mut Store, limit: i64) -> Result<Vec<Envelope>, StoreError> {
    let bodies: Vec<String> = sync_outbox::table
        .order(sync_outbox::seq)
        .limit(limit)
        .select(sync_outbox::body)
        .load(store.connection())?;
    let mut total = 0;
    let taken = bodies
        .iter()
        .take_while(|body| {
            total += body.len();
            total == body.len() || total <= MAX_OP_BYTES
        })
        .count();
    bodies[..taken]
        .iter()
        .map(|body| {
            serde_json::from_str(body)
                .map_err(|e| StoreError::Database(format!("an outbox entry does not decode: {e}")))
        })
        .collect()
}

pub fn pending_count(store: &mut Store) -> Result<i64, StoreError> {
    Ok(sync_outbox::table.count().get_result(store.connection())?)
}

/// Takes the server's answers: each answered operation leaves the outbox; a
/// refused one is listed for the user (kind, ids, reason: no data) and its
/// participant is fetched again so the laptop shows the server's state.
pub fn acknowledge(
    store: &mut Store,
    answers: &[OpAnswer],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    store::tx::write(store, |store| {
        let conn = store.connection();
        let mut refused = 0;
        for answer in answers {
            let entry: Option<(String, Option<String>)> = sync_outbox::table
                .filter(sync_outbox::op_id.eq(&answer.id))
                .select((sync_outbox::kind, sync_outbox::subject_id))
                .first(conn)
                .optional()?;
            let Some((kind, subject)) = entry else {
                continue;
            };
            diesel::delete(sync_outbox::table.filter(sync_outbox::op_id.eq(&answer.id)))
                .execute(conn)?;
            if let Outcome::Refused { code, message } = &answer.outcome {
                refused += 1;
                note_refusal(
                    conn,
                    &answer.id,
                    &kind,
                    subject.as_deref(),
                    code,
                    message,
                    now,
                )?;
                match subject {
                    Some(subject) => {
                        diesel::insert_or_ignore_into(sync_fetch_queue::table)
                            .values(sync_fetch_queue::subject_id.eq(subject))
                            .execute(conn)?;
                    }
                    None => set_meta(conn, NEEDS_REFERENCE, "1")?,
                }
            }
        }
        Ok(refused)
    })
}

fn note_refusal(
    conn: &mut SqliteConnection,
    op_id: &str,
    kind: &str,
    subject: Option<&str>,
    code: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_or_ignore_into(sync_refusals::table)
        .values((
            sync_refusals::op_id.eq(op_id),
            sync_refusals::kind.eq(kind),
            sync_refusals::subject_id.eq(subject),
            sync_refusals::code.eq(code),
            sync_refusals::message.eq(message),
            sync_refusals::refused_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

fn meta(conn: &mut SqliteConnection, key: &str) -> Result<Option<String>, StoreError> {
    use store::schema::app_meta;
    Ok(app_meta::table
        .find(key)
        .select(app_meta::value)
        .first(conn)
        .optional()?)
}

fn set_meta(conn: &mut SqliteConnection, key: &str, value: &str) -> Result<(), StoreError> {
    use store::schema::app_meta;
    diesel::replace_into(app_meta::table)
        .values((app_meta::key.eq(key), app_meta::value.eq(value)))
        .execute(conn)?;
    Ok(())
}

/// The cursor to send with the next pull.
pub fn cursor(store: &mut Store) -> Result<i64, StoreError> {
    Ok(meta(store.connection(), CURSOR)?
        .and_then(|text| text.parse().ok())
        .unwrap_or(0))
}

/// Whether the next pull must ask for every reference table.
pub fn needs_reference(store: &mut Store) -> Result<bool, StoreError> {
    Ok(meta(store.connection(), NEEDS_REFERENCE)?.as_deref() == Some("1"))
}

/// Participants to fetch next, at most `limit`.
pub fn to_fetch(store: &mut Store, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(sync_fetch_queue::table
        .order(sync_fetch_queue::subject_id)
        .limit(limit)
        .select(sync_fetch_queue::subject_id)
        .load(store.connection())?)
}

/// What one applied pull did, for the status line (counts only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Pulled {
    pub participants_updated: usize,
    pub participants_purged: usize,
    pub participants_erased: usize,
    pub operations_dropped: usize,
    pub still_to_fetch: i64,
}

/// Applies a pull in one transaction, then replays the pending operations
/// about what it replaced (rebase). `actor` is the laptop's signed-in user.
pub fn apply_pull(
    store: &mut Store,
    actor: &Actor,
    response: &PullResponse,
    now: DateTime<Utc>,
) -> Result<Pulled, StoreError> {
    let mut pulled = Pulled::default();
    let replaced = store::tx::write(store, |store| {
        let conn = store.connection();
        // Rows arrive parents first, but a bundle may name a group whose
        // reference rows come in the same pull: check keys at commit.
        conn.batch_execute("PRAGMA defer_foreign_keys = ON;")?;
        for table in &response.reference {
            let spec = REFERENCE_TABLES
                .iter()
                .find(|spec| spec.table == table.table)
                .ok_or_else(|| {
                    StoreError::InvalidInput(format!("unknown table {}", table.table))
                })?;
            replica::replace_reference(conn, spec, &table.rows)?;
        }
        if response.reference.len() == REFERENCE_TABLES.len() {
            set_meta(conn, NEEDS_REFERENCE, "0")?;
        }
        for subject in &response.erased {
            if replica::holds(conn, subject)? {
                pulled.participants_erased += 1;
            }
            replica::purge_subject(conn, subject)?;
            pulled.operations_dropped += drop_pending(conn, subject, now)?;
        }
        replica::replace_subjects(conn, &response.bundles)?;
        let replaced: BTreeSet<String> =
            response.bundles.iter().map(|b| b.subject.clone()).collect();
        for chunk in response.bundles.chunks(500) {
            let ids: Vec<&str> = chunk.iter().map(|b| b.subject.as_str()).collect();
            diesel::delete(
                sync_fetch_queue::table.filter(sync_fetch_queue::subject_id.eq_any(ids)),
            )
            .execute(conn)?;
        }
        pulled.participants_updated = replaced.len();
        if let Some(scope) = &response.scope {
            let scope: BTreeSet<&str> = scope.iter().map(String::as_str).collect();
            let held: Vec<String> = participants::table.select(participants::id).load(conn)?;
            for id in &held {
                if !scope.contains(id.as_str()) {
                    replica::purge_subject(conn, id)?;
                    pulled.participants_purged += 1;
                }
            }
            diesel::delete(sync_fetch_queue::table)
                .filter(sync_fetch_queue::subject_id.ne_all(scope.iter().copied()))
                .execute(conn)?;
            let held: BTreeSet<&str> = held.iter().map(String::as_str).collect();
            for id in scope {
                // After a restore of the server, what the laptop holds may
                // be from the lost history: everything is fetched again.
                if (response.refetch || !held.contains(id)) && !replaced.contains(id) {
                    diesel::insert_or_ignore_into(sync_fetch_queue::table)
                        .values(sync_fetch_queue::subject_id.eq(id))
                        .execute(conn)?;
                }
            }
        }
        let received: Vec<&str> = response
            .reference
            .iter()
            .map(|t| t.table.as_str())
            .collect();
        if prune_dangling(conn, &received)? > 0 {
            // Reference rows naming participants not fetched yet (a first
            // sync): asked for again once the scope is held.
            set_meta(conn, NEEDS_REFERENCE, "1")?;
        }
        set_meta(conn, CURSOR, &response.cursor.to_string())?;
        Ok(replaced)
    })?;
    pulled.still_to_fetch = sync_fetch_queue::table
        .count()
        .get_result(store.connection())?;
    rebase(store, actor, &replaced, !response.reference.is_empty())?;
    Ok(pulled)
}

#[derive(diesel::QueryableByName)]
struct Violation {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    rowid: i64,
}

/// Deletes the rows of the reference tables just received whose foreign keys
/// point at nothing the laptop holds (checked before the pull's transaction
/// commits), until none is left. Only those tables are checked: a whole-store
/// check on every pull would cost more than the pull.
fn prune_dangling(conn: &mut SqliteConnection, tables: &[&str]) -> Result<usize, StoreError> {
    let mut pruned = 0;
    if tables.is_empty() {
        return Ok(0);
    }
    let checks: Vec<String> = tables
        .iter()
        .filter(|table| replica::spec(table).is_some())
        .map(|table| {
            format!("SELECT \"table\" AS \"table\", rowid FROM pragma_foreign_key_check('{table}')")
        })
        .collect();
    let sql = checks.join(" UNION ALL ");
    for _ in 0..8 {
        let violations: Vec<Violation> = diesel::sql_query(&sql).load(conn)?;
        if violations.is_empty() {
            break;
        }
        for violation in violations {
            if replica::spec(&violation.table).is_none() {
                return Err(StoreError::Database(format!(
                    "a pulled row breaks a foreign key of {}",
                    violation.table
                )));
            }
            diesel::sql_query(format!("DELETE FROM {} WHERE rowid = ?", violation.table))
                .bind::<diesel::sql_types::BigInt, _>(violation.rowid)
                .execute(conn)?;
            pruned += 1;
        }
    }
    Ok(pruned)
}

/// Drops the pending operations about an erased participant; the user is
/// told through the refusals list (sync.md inv. 3).
fn drop_pending(
    conn: &mut SqliteConnection,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let ops: Vec<(String, String)> = sync_outbox::table
        .filter(sync_outbox::subject_id.eq(subject))
        .select((sync_outbox::op_id, sync_outbox::kind))
        .load(conn)?;
    for (op_id, kind) in &ops {
        note_refusal(
            conn,
            op_id,
            kind,
            Some(subject),
            crate::wire::codes::ERASED,
            &format!("participant {subject} was erased: the change was not sent"),
            now,
        )?;
    }
    diesel::delete(sync_outbox::table.filter(sync_outbox::subject_id.eq(subject))).execute(conn)?;
    Ok(ops.len())
}

/// Replays pending operations whose rows a pull just replaced, in order, so
/// the window still shows the user's unsent changes. Each replay creates the
/// same ids (seeded by the operation id); one that no longer applies is left
/// for the server to answer.
fn rebase(
    store: &mut Store,
    actor: &Actor,
    replaced: &BTreeSet<String>,
    reference_changed: bool,
) -> Result<(), StoreError> {
    let entries: Vec<(Option<String>, String)> = sync_outbox::table
        .order(sync_outbox::seq)
        .select((sync_outbox::subject_id, sync_outbox::body))
        .load(store.connection())?;
    for (subject, body) in entries {
        let affected = match &subject {
            Some(subject) => replaced.contains(subject),
            None => reference_changed,
        };
        if !affected {
            continue;
        }
        let envelope: Envelope = serde_json::from_str(&body)
            .map_err(|e| StoreError::Database(format!("an outbox entry does not decode: {e}")))?;
        let outcome = store::tx::write(store, |store| {
            Ok(envelope.op.run(store, actor, &envelope.id, envelope.at))
        })?;
        if let Err(error) = outcome {
            tracing::debug!(op = %envelope.id, code = %error.code(), "pending operation no longer applies locally");
        }
    }
    Ok(())
}

/// The audit entries not yet pushed, at most `limit`, oldest first.
pub fn audit_to_push(store: &mut Store, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let after: i64 = meta(store.connection(), AUDIT_PUSHED)?
        .and_then(|text| text.parse().ok())
        .unwrap_or(0);
    Ok(audit_log::table
        .filter(audit_log::seq.gt(after))
        .order(audit_log::seq)
        .limit(limit)
        .select((
            audit_log::seq,
            audit_log::id,
            audit_log::at,
            audit_log::actor_id,
            audit_log::action,
            audit_log::participant_id,
            audit_log::outcome,
            audit_log::prev_hash,
            audit_log::hash,
        ))
        .load::<AuditEntry>(store.connection())?)
}

pub fn audit_pushed(store: &mut Store, through: i64) -> Result<(), StoreError> {
    set_meta(store.connection(), AUDIT_PUSHED, &through.to_string())
}

/// A refused operation as the window lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Refusal {
    pub op_id: String,
    pub kind: String,
    pub subject_id: Option<String>,
    pub code: String,
    pub message: String,
    pub refused_at: DateTime<Utc>,
}

/// What the status line shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Status {
    pub pending: i64,
    pub to_fetch: i64,
    pub last_sync_at: Option<String>,
    /// The last round's error code (`offline`, `token_expired`…), if it failed.
    pub last_error: Option<String>,
    pub refusals: Vec<Refusal>,
}

pub fn status(store: &mut Store) -> Result<Status, StoreError> {
    let conn = store.connection();
    let refusals: Vec<(
        String,
        String,
        Option<String>,
        String,
        String,
        chrono::NaiveDateTime,
    )> = sync_refusals::table
        .filter(sync_refusals::dismissed_at.is_null())
        .order(sync_refusals::refused_at.desc())
        .limit(50)
        .select((
            sync_refusals::op_id,
            sync_refusals::kind,
            sync_refusals::subject_id,
            sync_refusals::code,
            sync_refusals::message,
            sync_refusals::refused_at,
        ))
        .load(conn)?;
    Ok(Status {
        pending: sync_outbox::table.count().get_result(conn)?,
        to_fetch: sync_fetch_queue::table.count().get_result(conn)?,
        last_sync_at: meta(conn, LAST_SYNC)?,
        last_error: meta(conn, LAST_ERROR)?.filter(|text| !text.is_empty()),
        refusals: refusals
            .into_iter()
            .map(|(op_id, kind, subject_id, code, message, at)| Refusal {
                op_id,
                kind,
                subject_id,
                code,
                message,
                refused_at: domain::time::utc(at),
            })
            .collect(),
    })
}

/// Records the end of a sync round: its time, or the error in plain words.
pub fn note_round(
    store: &mut Store,
    now: DateTime<Utc>,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let conn = store.connection();
    if error.is_none() {
        set_meta(conn, LAST_SYNC, &now.to_rfc3339())?;
    }
    set_meta(conn, LAST_ERROR, error.unwrap_or(""))
}

/// Hides a refusal the user has read.
pub fn dismiss_refusal(
    store: &mut Store,
    op_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(sync_refusals::table.find(op_id))
        .set(sync_refusals::dismissed_at.eq(Some(now.naive_utc())))
        .execute(store.connection())?;
    Ok(())
}

/// Takes `ids` off the fetch queue (asked for once; the scope list decides).
pub fn forget_fetch(store: &mut Store, ids: &[String]) -> Result<(), StoreError> {
    diesel::delete(sync_fetch_queue::table.filter(sync_fetch_queue::subject_id.eq_any(ids)))
        .execute(store.connection())?;
    Ok(())
}
