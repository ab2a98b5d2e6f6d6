//! The server's side of the protocol, on the server's own store (sync.md inv.
//! 3 to 6). Push applies each operation as the pushing user, so the store
//! re-checks role, scope and business rules, and records its id and answer
//! in the same transaction (a repeat gets the same answer, never a second
//! application). Pull answers from the change log with the laptop's scope
//! only. Audit push appends each device's trail and verifies its chain.

use crate::replica::{self, REFERENCE_TABLES};
use crate::wire::{
    codes, AuditAck, AuditPush, Envelope, OpAnswer, Outcome, PullRequest, PullResponse,
    PushRequest, PushResponse,
};
use chrono::{DateTime, Duration, Timelike, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use domain::Actor;
use std::collections::{BTreeMap, BTreeSet};
use store::schema::{audit_alerts, device_audit, sync_applied, sync_tombstones};
use store::scope::{self, ScopeFilter};
use store::{Store, StoreError};

/// Change-log entries one pull page reads at most.
pub const PAGE_CHANGES: i64 = 5_000;
/// How far ahead of the server's clock an operation's time may be.
pub const MAX_CLOCK_SKEW_MINUTES: i64 = 10;

/// Marks `store` as the server's: its change-log triggers start writing.
pub fn enable(store: &mut Store) -> Result<(), StoreError> {
    store::open::set_meta(store, "sync.role", "server")
}

fn answer_of(outcome: &str, code: Option<String>, message: Option<String>) -> Outcome {
    if outcome == "applied" {
        Outcome::Applied
    } else {
        Outcome::Refused {
            code: code.unwrap_or_default(),
            message: message.unwrap_or_default(),
        }
    }
}

fn record(
    conn: &mut SqliteConnection,
    actor: &Actor,
    envelope: &Envelope,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (name, code, message) = match outcome {
        Outcome::Applied => ("applied", None, None),
        Outcome::Refused { code, message } => {
            ("refused", Some(code.as_str()), Some(message.as_str()))
        }
    };
    diesel::insert_into(sync_applied::table)
        .values((
            sync_applied::op_id.eq(&envelope.id),
            sync_applied::device_id.eq(actor.device_id.as_str()),
            sync_applied::staff_id.eq(actor.staff_id.as_str()),
            sync_applied::kind.eq(envelope.op.kind()),
            sync_applied::outcome.eq(name),
            sync_applied::code.eq(code),
            sync_applied::message.eq(message),
            sync_applied::applied_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

fn refused(code: &str, message: impl Into<String>) -> Outcome {
    Outcome::Refused {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Applies one pushed operation, or answers as the first time for a repeat.
fn apply_one(
    store: &mut Store,
    actor: &Actor,
    envelope: &Envelope,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let seen: Option<(String, Option<String>, Option<String>, String)> = sync_applied::table
        .find(&envelope.id)
        .select((
            sync_applied::outcome,
            sync_applied::code,
            sync_applied::message,
            sync_applied::device_id,
        ))
        .first(store.connection())
        .optional()?;
    if let Some((outcome, code, message, device)) = seen {
        if device != actor.device_id.as_str() {
            // An id replayed from another device is not that device's answer.
            return Ok(refused(codes::MALFORMED, "operation id already used"));
        }
        return Ok(answer_of(&outcome, code, message));
    }
    // The server's own checks before the store's (sync.md inv. 5).
    let early = if envelope.at > now + Duration::minutes(MAX_CLOCK_SKEW_MINUTES) {
        Some(refused(
            "clock_skew",
            "the operation is dated in the future: check the laptop's clock",
        ))
    } else {
        let subject = envelope.op.subject(store.connection())?;
        let erased = match &subject {
            Some(id) => {
                sync_tombstones::table
                    .find(id)
                    .count()
                    .get_result::<i64>(store.connection())?
                    > 0
            }
            None => false,
        };
        erased.then(|| {
            refused(
                codes::ERASED,
                format!(
                    "participant {} was erased: the change is refused",
                    subject.unwrap_or_default()
                ),
            )
        })
    };
    // Inside the push's transaction. A store function is atomic on its own
    // (its transaction becomes a savepoint) and audits a refusal after
    // rolling its changes back: that audit entry is kept (ROLE-1, POL-21).
    let outcome = match early {
        Some(outcome) => outcome,
        None => match envelope.op.run(store, actor, &envelope.id, envelope.at) {
            Ok(()) => Outcome::Applied,
            Err(error) => refused(error.code().as_str(), error.to_string()),
        },
    };
    record(store.connection(), actor, envelope, &outcome, now)?;
    Ok(outcome)
}

/// Applies a push in order and answers per operation.
pub fn push(
    store: &mut Store,
    actor: &Actor,
    request: PushRequest,
    now: DateTime<Utc>,
) -> Result<PushResponse, StoreError> {
    // One write transaction for the whole push (each operation in its own
    // savepoint): the answers are durable together, and a push of 20
    // operations costs one commit instead of 20 (DC-5 throughput).
    let answers = store::tx::write(store, |store| {
        let mut answers = Vec::with_capacity(request.ops.len());
        for envelope in &request.ops {
            let outcome = apply_one(store, actor, envelope, now)?;
            answers.push(OpAnswer {
                id: envelope.id.clone(),
                outcome,
            });
        }
        Ok(answers)
    })?;
    for (answer, envelope) in answers.iter().zip(&request.ops) {
        if let Outcome::Refused { code, .. } = &answer.outcome {
            tracing::info!(op = %envelope.id, kind = envelope.op.kind(), code, "operation refused");
        }
    }
    Ok(PushResponse { answers })
}

/// Group commit (DC-5 throughput): several pushes, from any devices, in one
/// write transaction. Each push is its own savepoint, checked and answered
/// exactly as [`push`] alone would (the same per-actor checks, in arrival
/// order, each seeing the ones before it); an error in one push undoes that
/// push only and is its answer. The outer `Err` is a failed commit: then no
/// push of the group was applied, and every one of them gets that error.
pub fn push_many(
    store: &mut Store,
    pushes: Vec<(Actor, PushRequest)>,
    now: DateTime<Utc>,
) -> Result<Vec<Result<PushResponse, StoreError>>, StoreError> {
    store::tx::write(store, |store| {
        Ok(pushes
            .into_iter()
            .map(|(actor, request)| push(store, &actor, request, now))
            .collect())
    })
}

#[derive(QueryableByName)]
struct Change {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Nullable<Text>)]
    subject_id: Option<String>,
    #[diesel(sql_type = Text)]
    entity: String,
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

fn all_participants(conn: &mut SqliteConnection) -> Result<Vec<String>, StoreError> {
    let rows: Vec<Id> = diesel::sql_query("SELECT id FROM participants ORDER BY id").load(conn)?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// The participants `actor` may hold now, sorted.
pub fn scope_of(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let mut ids = match scope::participants(conn, actor, now)? {
        ScopeFilter::Everyone => all_participants(conn)?,
        ScopeFilter::Only(ids) => ids.into_iter().collect(),
    };
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// What a laptop of `actor` should hold now, as [`replica::dump`] shows it:
/// the convergence and crash tests compare the two.
pub fn projection_of(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, Vec<serde_json::Value>>, StoreError> {
    let scope = scope_of(conn, actor, now)?;
    replica::projection(conn, actor.role, actor.staff_id.as_str(), &scope)
}

/// Answers a pull: changes after the cursor inside the scope, the fetched
/// participants, tombstones, and the scope itself when the role has one.
pub fn pull(
    store: &mut Store,
    actor: &Actor,
    request: PullRequest,
    now: DateTime<Utc>,
) -> Result<PullResponse, StoreError> {
    let own = actor.staff_id.as_str().to_owned();
    let role = actor.role;
    // One read transaction: the change log, the scope and the rows agree.
    store.connection().transaction(|conn| {
        let head: Head =
            diesel::sql_query("SELECT coalesce(max(seq), 0) AS seq FROM sync_changes")
                .get_result(conn)?;
        let head = head.seq;
        let scope = scope_of(conn, actor, now)?;
        let in_scope: BTreeSet<&str> = scope.iter().map(String::as_str).collect();
        let bounded = actor.scope() != domain::access::Scope::Everyone;
        // A cursor from another history (server restored from a backup:
        // below the restored history's first sequence, or beyond its head)
        // or a first sync: start again from a snapshot.
        let history_from = history_from(conn)?;
        let snapshot = request.cursor <= 0 || request.cursor > head || request.cursor < history_from;
        let mut reference_tables: BTreeSet<&'static str> = BTreeSet::new();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let (cursor, more) = if snapshot {
            reference_tables.extend(REFERENCE_TABLES.iter().map(|spec| spec.table));
            (head, false)
        } else {
            let changes: Vec<Change> = diesel::sql_query(
                "SELECT seq, subject_id, entity FROM sync_changes WHERE seq > ? ORDER BY seq LIMIT ?",
            )
            .bind::<BigInt, _>(request.cursor)
            .bind::<BigInt, _>(PAGE_CHANGES)
            .load(conn)?;
            let end = changes.last().map(|c| c.seq).unwrap_or(head);
            for change in changes {
                if let Some(spec) = replica::spec(&change.entity) {
                    if spec.subject_column.is_none() {
                        reference_tables.insert(spec.table);
                    }
                }
                // What decides a trainer's sessions changed (replica::
                // SESSIONS_OF_SCOPE): send them again.
                if bounded && replica::SESSION_SCOPE_INPUTS.contains(&change.entity.as_str()) {
                    reference_tables.insert("sessions");
                }
                // Issue 16: the groups a trainer leads decide the statistics
                // cells they hold: send them again when the groups change.
                if bounded && change.entity == "workshop_groups" {
                    reference_tables.extend(replica::GROUP_SCOPED_REFERENCES);
                }
                if let Some(subject) = change.subject_id {
                    if in_scope.contains(subject.as_str()) {
                        touched.insert(subject);
                    }
                }
            }
            if request.reference {
                reference_tables.extend(REFERENCE_TABLES.iter().map(|spec| spec.table));
            }
            (end, end < head)
        };
        for id in &request.fetch {
            if in_scope.contains(id.as_str()) {
                touched.insert(id.clone());
            }
        }
        // Participants new to the laptop may name sessions it does not hold.
        if bounded && !request.fetch.is_empty() {
            reference_tables.insert("sessions");
        }
        let touched: Vec<String> = touched.into_iter().collect();
        let bundles = replica::bundles(conn, &touched, role, &own)?;
        let mut reference = Vec::new();
        for spec in REFERENCE_TABLES {
            if reference_tables.contains(spec.table) {
                if let Some(rows) = replica::reference_rows(conn, spec, role, &own)? {
                    reference.push(rows);
                }
            }
        }
        let erased: Vec<String> = if snapshot {
            Vec::new()
        } else {
            sync_tombstones::table
                .filter(sync_tombstones::seq.gt(request.cursor))
                .select(sync_tombstones::subject_id)
                .load(conn)?
        };
        let scope = if snapshot || (bounded && !more) {
            Some(scope)
        } else {
            None
        };
        Ok(PullResponse {
            cursor,
            more,
            reference,
            bundles,
            erased,
            scope,
            refetch: snapshot && request.cursor > 0,
        })
    })
}

/// `app_meta` key: the first change-log sequence of the server's current
/// history, set when the store is restored from a backup.
pub const HISTORY_FROM: &str = "sync.history_from";

/// How far the change log's sequence jumps at a restore: beyond any cursor
/// a laptop can have reached on the lost history.
const HISTORY_GAP: i64 = 1 << 40;

fn history_from(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    use store::schema::app_meta;
    Ok(app_meta::table
        .find(HISTORY_FROM)
        .select(app_meta::value)
        .first::<String>(conn)
        .optional()?
        .and_then(|value| value.parse().ok())
        .unwrap_or(0))
}

/// Starts a new history of the change log (a restore from a backup, issue
/// 14): the sequence jumps by [`HISTORY_GAP`], and every cursor from before
/// (laptops that synced before or after the backup) gets a fresh snapshot
/// at its next pull instead of changes counted on a history that is gone.
/// Answers the new history's first sequence.
pub fn start_new_history(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(&format!(
        "INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'history'); \
         UPDATE sqlite_sequence SET seq = seq + {HISTORY_GAP} WHERE name = 'sync_changes'; \
         INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'history');"
    ))?;
    let head: Head =
        diesel::sql_query("SELECT max(seq) AS seq FROM sync_changes").get_result(conn)?;
    diesel::replace_into(store::schema::app_meta::table)
        .values((
            store::schema::app_meta::key.eq(HISTORY_FROM),
            store::schema::app_meta::value.eq(head.seq.to_string()),
        ))
        .execute(conn)?;
    Ok(head.seq)
}

/// Appends a device's audit entries (POL-21): entries already held are
/// skipped, each new one must hash correctly and chain onto the previous;
/// anomalies raise alerts for the DPO.
pub fn push_audit(
    store: &mut Store,
    actor: &Actor,
    request: AuditPush,
    now: DateTime<Utc>,
) -> Result<AuditAck, StoreError> {
    let device = actor.device_id.as_str().to_owned();
    store::tx::write(store, |store| {
        let conn = store.connection();
        let last: Option<(i64, String)> = device_audit::table
            .filter(device_audit::device_id.eq(&device))
            .order(device_audit::device_seq.desc())
            .select((device_audit::device_seq, device_audit::hash))
            .first(conn)
            .optional()?;
        let (mut last_seq, mut last_hash) = match last {
            Some((seq, hash)) => (seq, Some(hash)),
            None => (0, None),
        };
        let mut entries = request.entries;
        entries.sort_by_key(|entry| entry.seq);
        let mut fresh = Vec::new();
        let mut broken = false;
        for entry in entries {
            if entry.seq <= last_seq {
                continue;
            }
            let fields = domain::audit::AuditFields {
                seq: entry.seq,
                id: entry.id.clone(),
                at: entry.at.clone(),
                actor_id: entry.actor_id.clone(),
                device_id: device.clone(),
                action: entry.action.clone(),
                participant_id: entry.participant_id.clone(),
                outcome: entry.outcome.clone(),
                prev_hash: entry.prev_hash.clone(),
            };
            if fields.hash() != entry.hash {
                return Err(StoreError::InvalidInput(format!(
                    "audit entry {} of device {device} does not match its hash",
                    entry.seq
                )));
            }
            let continues =
                last_hash.as_deref() == Some(entry.prev_hash.as_str()) && entry.seq == last_seq + 1;
            if last_hash.is_some() && !continues {
                broken = true;
            }
            let at = DateTime::parse_from_rfc3339(&entry.at)
                .map_err(|_| StoreError::InvalidInput("audit entry time".into()))?
                .with_timezone(&Utc);
            diesel::insert_into(device_audit::table)
                .values((
                    device_audit::device_id.eq(&device),
                    device_audit::device_seq.eq(entry.seq),
                    device_audit::at.eq(at.naive_utc()),
                    device_audit::staff_id.eq(&entry.actor_id),
                    device_audit::action.eq(&entry.action),
                    device_audit::participant_id.eq(&entry.participant_id),
                    device_audit::outcome.eq(&entry.outcome),
                    device_audit::prev_hash.eq(&entry.prev_hash),
                    device_audit::hash.eq(&entry.hash),
                    device_audit::received_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
            last_seq = entry.seq;
            last_hash = Some(entry.hash.clone());
            fresh.push((at, entry));
        }
        raise_alerts(conn, &device, &fresh, broken, now)?;
        Ok(AuditAck {
            stored_through: last_seq,
        })
    })
}

/// Profile views by one person within [`BURST_WINDOW_MINUTES`] that make a burst.
pub const BURST_VIEWS: usize = 30;
pub const BURST_WINDOW_MINUTES: i64 = 10;

/// Hours (Europe/Paris) outside which reading participant data is unusual.
pub const WORKING_HOURS: std::ops::Range<u32> = 7..21;

/// One anomaly: its kind, whose, when, how many entries.
type Alert = (&'static str, String, DateTime<Utc>, DateTime<Utc>, usize);

fn raise_alerts(
    conn: &mut SqliteConnection,
    device: &str,
    fresh: &[(DateTime<Utc>, crate::wire::AuditEntry)],
    broken: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut alerts: Vec<Alert> = Vec::new();
    let mut by_staff: BTreeMap<&str, Vec<&(DateTime<Utc>, crate::wire::AuditEntry)>> =
        BTreeMap::new();
    for item in fresh {
        by_staff
            .entry(item.1.actor_id.as_str())
            .or_default()
            .push(item);
    }
    for (staff, items) in by_staff {
        let denied: Vec<_> = items
            .iter()
            .filter(|(_, e)| e.outcome == "denied" && e.participant_id.is_some())
            .collect();
        if let (Some(first), Some(last)) = (denied.first(), denied.last()) {
            alerts.push((
                "out_of_scope",
                staff.to_owned(),
                first.0,
                last.0,
                denied.len(),
            ));
        }
        let views: Vec<DateTime<Utc>> = items
            .iter()
            .filter(|(_, e)| e.action == "participant.profile.read" && e.outcome == "allowed")
            .map(|(at, _)| *at)
            .collect();
        let window = Duration::minutes(BURST_WINDOW_MINUTES);
        let mut start = 0;
        for end in 0..views.len() {
            while views[end] - views[start] > window {
                start += 1;
            }
            if end + 1 - start >= BURST_VIEWS {
                alerts.push((
                    "profile_burst",
                    staff.to_owned(),
                    views[start],
                    views[end],
                    end + 1 - start,
                ));
                break;
            }
        }
        let odd: Vec<DateTime<Utc>> = items
            .iter()
            .filter(|(_, e)| e.participant_id.is_some() && e.outcome == "allowed")
            .map(|(at, _)| *at)
            .filter(|at| {
                let hour = at.with_timezone(&chrono_tz::Europe::Paris).hour();
                !WORKING_HOURS.contains(&hour)
            })
            .collect();
        if let (Some(first), Some(last)) = (odd.first(), odd.last()) {
            alerts.push(("unusual_hours", staff.to_owned(), *first, *last, odd.len()));
        }
    }
    if broken {
        if let (Some(first), Some(last)) = (fresh.first(), fresh.last()) {
            alerts.push((
                "broken_chain",
                first.1.actor_id.clone(),
                first.0,
                last.0,
                fresh.len(),
            ));
        }
    }
    for (kind, staff, first, last, entries) in alerts {
        tracing::warn!(kind, device, staff = %staff, entries, "audit alert raised");
        diesel::insert_into(audit_alerts::table)
            .values((
                audit_alerts::id.eq(domain::new_id()),
                audit_alerts::kind.eq(kind),
                audit_alerts::staff_id.eq(&staff),
                audit_alerts::device_id.eq(device),
                audit_alerts::first_at.eq(first.naive_utc()),
                audit_alerts::last_at.eq(last.naive_utc()),
                audit_alerts::entries.eq(i32::try_from(entries).unwrap_or(i32::MAX)),
                audit_alerts::raised_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
