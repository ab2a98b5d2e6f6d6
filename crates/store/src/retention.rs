//! The retention engine, store side (POL-21, POL-25, POL-29..33): reads the
//! DPO's rules (app_meta `retention_rules`, defaults in `domain::retention`),
//! gathers the facts a sweep needs with SQL bounded by the rules' cutoffs,
//! lets `domain::retention::plan` decide, and executes the plan: accounts
//! marked inactive, reminders queued, accounts erased, technical traces
//! deleted, legal holds released (the kept record deleted), audit entries
//! past 12 months deleted (the chain's anchor moves forward first).
//! Every executed item is logged (`retention_log`) for the quarterly report.
//! Time is passed in: tests run years in seconds.

use crate::gate::{self, Gate};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use domain::access_export::ErasureReason;
use domain::retention::{
    plan, quarter_of, AccountFacts, AccountStatus, Action, DayCount, ExecutedItem, HoldFacts,
    PlanSummary, Quarter, QuarterlyReport, RetentionPlan, RetentionRules, RuleEntry,
};
use domain::{new_id, Actor};
use serde::Serialize;

const RULES_KEY: &str = "retention_rules";

/// The rules in force (the DPO's, or the defaults).
pub fn current_rules(conn: &mut SqliteConnection) -> Result<RetentionRules, StoreError> {
    let stored: Option<String> = app_meta::table
        .filter(app_meta::key.eq(RULES_KEY))
        .select(app_meta::value)
        .first(conn)
        .optional()?;
    Ok(match stored {
        Some(json) => serde_json::from_str::<RetentionRules>(&json)
            .ok()
            .filter(|rules| rules.validate().is_ok())
            .unwrap_or_default(),
        None => RetentionRules::default(),
    })
}

/// The rules as the settings screen shows them.
pub fn rules(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<RuleEntry>, StoreError> {
    gate::run(
        conn,
        actor,
        domain::Action::RetentionRulesRead,
        now,
        |gate| Ok(current_rules(gate.conn())?.entries()),
    )
}

/// Changes one duration; refused with the rule's bound when out of range.
pub fn set_rule(
    conn: &mut SqliteConnection,
    actor: &Actor,
    key: &str,
    value: u32,
    now: DateTime<Utc>,
) -> Result<Vec<RuleEntry>, StoreError> {
    gate::run(
        conn,
        actor,
        domain::Action::RetentionRulesChange,
        now,
        |gate| {
            let conn = gate.conn();
            let mut rules = current_rules(conn)?;
            rules.set(key, value).map_err(|e| StoreError::Refused {
                code: e.code(),
                details: e.details(),
            })?;
            let json =
                serde_json::to_string(&rules).map_err(|e| StoreError::Database(e.to_string()))?;
            diesel::replace_into(app_meta::table)
                .values((app_meta::key.eq(RULES_KEY), app_meta::value.eq(json)))
                .execute(conn)?;
            Ok(rules.entries())
        },
    )
}

#[derive(QueryableByName)]
struct DayRow {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn day_counts(rows: Vec<DayRow>) -> Vec<DayCount> {
    rows.into_iter()
        .filter_map(|r| {
            NaiveDate::parse_from_str(&r.day, "%Y-%m-%d")
                .ok()
                .map(|day| DayCount {
                    day,
                    count: r.n as u64,
                })
        })
        .collect()
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// id, last login, creation, status, reminder.
type AccountRow = (
    String,
    Option<NaiveDateTime>,
    NaiveDateTime,
    String,
    Option<NaiveDateTime>,
);

/// Computes the sweep at `now` from the store (no change).
pub(crate) fn compute_plan(
    conn: &mut SqliteConnection,
    rules: &RetentionRules,
    now: DateTime<Utc>,
) -> Result<RetentionPlan, StoreError> {
    let at = now.naive_utc();
    let cut = rules.cutoffs(at);
    // Accounts past inactivity, and accounts not active (which may reactivate).
    let rows: Vec<AccountRow> = participants::table
        .filter(
            participants::account_status
                .ne("active")
                .or(participants::last_login_at.lt(cut.inactive_before))
                .or(participants::last_login_at
                    .is_null()
                    .and(participants::created_at.lt(cut.inactive_before))),
        )
        .select((
            participants::id,
            participants::last_login_at,
            participants::created_at,
            participants::account_status,
            participants::reminded_at,
        ))
        .load(conn)?;
    let accounts: Vec<AccountFacts> = rows
        .into_iter()
        .map(|(id, login, created, status, reminded)| AccountFacts {
            participant_ref: id,
            last_activity: login.unwrap_or(created),
            status: AccountStatus::parse(&status).unwrap_or(AccountStatus::Active),
            reminded_at: reminded,
        })
        .collect();
    let traces = day_counts(
        diesel::sql_query(
            "SELECT date(recorded_at) AS day, count(*) AS n FROM technical_traces \
             WHERE recorded_at < ? GROUP BY day",
        )
        .bind::<diesel::sql_types::Timestamp, _>(cut.traces_before)
        .load(conn)?,
    );
    let holds: Vec<HoldFacts> = legal_holds::table
        .filter(legal_holds::held_until.le(cut.holds_ended_by))
        .select((
            legal_holds::id,
            legal_holds::record_table,
            legal_holds::held_until,
        ))
        .load::<(String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, record_table, held_until)| HoldFacts {
            id,
            record_table,
            held_until,
        })
        .collect();
    let audit_days = day_counts(
        diesel::sql_query(
            "SELECT substr(at, 1, 10) AS day, count(*) AS n FROM audit_log \
             WHERE at < ? GROUP BY day",
        )
        .bind::<Text, _>(rfc3339(cut.audit_before))
        .load(conn)?,
    );
    Ok(plan(rules, &accounts, traces, &holds, audit_days, at))
}

/// The dry-run preview: what a sweep would do now, changing nothing.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct Preview {
    pub summary: PlanSummary,
    /// The first items, in plan order (the whole plan can be long).
    pub items: Vec<domain::retention::PlanItem>,
    pub total: usize,
}

pub fn preview(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Preview, StoreError> {
    gate::run(conn, actor, domain::Action::RetentionPreview, now, |gate| {
        let conn = gate.conn();
        let rules = current_rules(conn)?;
        let plan = compute_plan(conn, &rules, now)?;
        Ok(Preview {
            summary: plan.summary(),
            total: plan.items.len(),
            items: plan.items.into_iter().take(500).collect(),
        })
    })
}

/// What a sweep did.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct RunOutcome {
    pub run_id: String,
    pub summary: PlanSummary,
    pub executed: usize,
}

const REMINDER_SUBJECT: &str = "Votre compte moniravique : souhaitez-vous le garder ?";

/// Runs the sweep at `now` (POL-29..33): executes every due item. Each
/// account erasure is its own transaction with its certificate; the other
/// items go in one transaction with the run's log.
pub fn run(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<RunOutcome, StoreError> {
    gate::run(conn, actor, domain::Action::RetentionRun, now, |gate| {
        run_in_gate(gate, Sweep::All)
    })
}

/// What a sweep executes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sweep {
    All,
    /// The technical traces past their period only (POL-32).
    Traces,
}

/// Whether technical traces past their period are still held at `now`
/// (POL-32): the sweep's own cutoff, one indexed lookup.
pub(crate) fn traces_due(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let rules = current_rules(conn)?;
    let cut = rules.cutoffs(now.naive_utc());
    Ok(diesel::select(diesel::dsl::exists(
        technical_traces::table.filter(technical_traces::recorded_at.lt(cut.traces_before)),
    ))
    .get_result(conn)?)
}

/// The sweep's trace items only (POL-32), run and logged as a retention
/// run: the monthly statistics (issue 16) call it before counting, so no
/// trace past its period is ever counted, whenever the full sweep last ran.
pub fn sweep_traces(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<RunOutcome, StoreError> {
    gate::run(conn, actor, domain::Action::RetentionRun, now, |gate| {
        run_in_gate(gate, Sweep::Traces)
    })
}

fn run_in_gate(gate: &mut Gate<'_>, sweep: Sweep) -> Result<RunOutcome, StoreError> {
    let actor = gate.actor().clone();
    let actor = &actor;
    let now = gate.now();
    let conn = gate.conn();
    let rules = current_rules(conn)?;
    let mut plan = compute_plan(conn, &rules, now)?;
    if sweep == Sweep::Traces {
        plan.items
            .retain(|item| matches!(item.action, Action::DeleteTraces { .. }));
    }
    let at = now.naive_utc();
    let run_id = new_id();
    let device = actor.device_id.as_str().to_owned();
    let mut executed: Vec<ExecutedItem> = Vec::with_capacity(plan.items.len());

    let rules_json =
        serde_json::to_string(&rules).map_err(|e| StoreError::Database(e.to_string()))?;
    let summary = plan.summary();
    let summary_json =
        serde_json::to_string(&summary).map_err(|e| StoreError::Database(e.to_string()))?;
    let cut = rules.cutoffs(at);
    let log_row = |item: &domain::retention::PlanItem| -> Result<_, StoreError> {
        Ok((
            retention_log::id.eq(new_id()),
            retention_log::run_id.eq(run_id.clone()),
            retention_log::action.eq(serde_json::to_string(&item.action)
                .map_err(|e| StoreError::Database(e.to_string()))?),
            retention_log::subject_ref.eq(item.subject.clone()),
            retention_log::due_since.eq(item.due_since),
            retention_log::deadline.eq(item.deadline),
            retention_log::executed_at.eq(at),
            retention_log::updated_at.eq(at),
            retention_log::updated_device.eq(device.clone()),
        ))
    };
    // The run is recorded first, so that each erasure below (its own
    // transaction, with its certificate) is logged as soon as it is done: a
    // later failure cannot leave an erasure out of the quarterly report.
    diesel::insert_into(retention_runs::table)
        .values((
            retention_runs::id.eq(&run_id),
            retention_runs::ran_at.eq(at),
            retention_runs::ran_by.eq(actor.staff_id.as_str()),
            retention_runs::rules.eq(&rules_json),
            retention_runs::summary.eq(&summary_json),
            retention_runs::updated_at.eq(at),
            retention_runs::updated_device.eq(&device),
        ))
        .execute(conn)?;
    for item in plan
        .items
        .iter()
        .filter(|i| i.action == Action::EraseAccount)
    {
        crate::erase::erase(
            conn,
            actor,
            &item.subject,
            ErasureReason::Retention,
            None,
            now,
        )?;
        diesel::insert_into(retention_log::table)
            .values(log_row(item)?)
            .execute(conn)?;
        executed.push(item.executed(at));
    }

    {
        // Account steps in set-based statements, 500 accounts at a time: a
        // first sweep on an old store can have tens of thousands of them.
        let of_kind = |wanted: fn(&Action) -> bool| -> Vec<&str> {
            plan.items
                .iter()
                .filter(|i| wanted(&i.action))
                .map(|i| i.subject.as_str())
                .collect()
        };
        for chunk in of_kind(|a| *a == Action::Reactivate).chunks(500) {
            diesel::update(participants::table.filter(participants::id.eq_any(chunk)))
                .set((
                    participants::account_status.eq(AccountStatus::Active.as_str()),
                    participants::reminded_at.eq(None::<NaiveDateTime>),
                    participants::updated_at.eq(at),
                    participants::updated_device.eq(&device),
                ))
                .execute(conn)?;
        }
        for chunk in of_kind(|a| *a == Action::MarkInactive).chunks(500) {
            diesel::update(participants::table.filter(participants::id.eq_any(chunk)))
                .set((
                    participants::account_status.eq(AccountStatus::Inactive.as_str()),
                    participants::reminded_at.eq(None::<NaiveDateTime>),
                    participants::updated_at.eq(at),
                    participants::updated_device.eq(&device),
                ))
                .execute(conn)?;
        }
        let deadline =
            domain::retention::add_calendar_months(at.date(), rules.erase_after_reminder_months);
        let body_tail = format!(
            ",\n\nVous ne vous êtes pas connecté·e à votre espace moniravique depuis {} mois. \
             Pour garder votre compte, il suffit de vous connecter avant le {}. \
             Sans nouvelle de votre part, votre compte et vos données seront supprimés définitivement, \
             à l'exception des pièces comptables que la loi nous oblige à conserver.\n\n\
             Vous pouvez aussi demander la suppression dès maintenant en écrivant à help@moniravique.com.",
            rules.reminder_after_months,
            deadline.format("%d/%m/%Y"),
        );
        for chunk in of_kind(|a| *a == Action::QueueReminder).chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO outbox_messages (id, participant_id, template, session_id, subject, body, \
                 queued_at, queued_by, status, updated_at, updated_device) \
                 SELECT lower(hex(randomblob(16))), id, 'reactivation_reminder', NULL, ?, \
                 'Bonjour ' || given_name || ?, ?, ?, 'queued', ?, ? \
                 FROM participants WHERE id IN ({placeholders})"
            );
            let mut query = diesel::sql_query(sql)
                .bind::<Text, _>(REMINDER_SUBJECT)
                .bind::<Text, _>(&body_tail)
                .bind::<diesel::sql_types::Timestamp, _>(at)
                .bind::<Text, _>(actor.staff_id.as_str())
                .bind::<diesel::sql_types::Timestamp, _>(at)
                .bind::<Text, _>(&device)
                .into_boxed();
            for id in chunk {
                query = query.bind::<Text, _>(*id);
            }
            query.execute(conn)?;
            diesel::update(participants::table.filter(participants::id.eq_any(chunk)))
                .set((
                    participants::account_status.eq(AccountStatus::Reminded.as_str()),
                    participants::reminded_at.eq(at),
                    participants::updated_at.eq(at),
                    participants::updated_device.eq(&device),
                ))
                .execute(conn)?;
        }
        // POL-32: the per-day items are exactly the rows below the cutoff: one
        // indexed statement (`technical_traces_recorded`).
        if plan
            .items
            .iter()
            .any(|i| matches!(i.action, Action::DeleteTraces { .. }))
        {
            diesel::delete(
                technical_traces::table.filter(technical_traces::recorded_at.lt(cut.traces_before)),
            )
            .execute(conn)?;
        }
        // POL-25a, POL-31: a hold that ran out releases (deletes) its record.
        for item in &plan.items {
            let Action::ReleaseHold { record_table } = &item.action else {
                continue;
            };
            let record: Option<String> = legal_holds::table
                .find(&item.subject)
                .select(legal_holds::record_id)
                .first(conn)
                .optional()?;
            if let Some(record) = record {
                match record_table.as_str() {
                    "payments" => {
                        diesel::delete(payments::table.find(&record)).execute(conn)?;
                    }
                    "invoices" => {
                        diesel::delete(invoices::table.find(&record)).execute(conn)?;
                    }
                    _ => {}
                }
                diesel::delete(legal_holds::table.find(&item.subject)).execute(conn)?;
            }
        }
        // Every other item, in the log the quarterly report reads.
        let mut rows = Vec::with_capacity(plan.items.len());
        for item in plan
            .items
            .iter()
            .filter(|i| i.action != Action::EraseAccount)
        {
            rows.push(log_row(item)?);
            executed.push(item.executed(at));
        }
        for chunk in rows.chunks(500) {
            diesel::insert_into(retention_log::table)
                .values(chunk)
                .execute(conn)?;
        }
        if plan
            .items
            .iter()
            .any(|i| matches!(i.action, Action::DeleteAuditEntries { .. }))
        {
            prune_audit(conn, &rfc3339(cut.audit_before))?;
        }
    }
    Ok(RunOutcome {
        run_id,
        summary,
        executed: executed.len(),
    })
}

#[derive(QueryableByName)]
struct AnchorRow {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    hash: String,
}

/// Deletes the audit entries older than `before` (POL-21: 12 months). The
/// chain's anchor moves to the newest deleted entry first, so the triggers
/// allow the delete and the remaining chain still verifies from the anchor.
fn prune_audit(conn: &mut SqliteConnection, before: &str) -> Result<(), StoreError> {
    let newest_old: Option<AnchorRow> =
        diesel::sql_query("SELECT seq, hash FROM audit_log WHERE at < ? ORDER BY seq DESC LIMIT 1")
            .bind::<Text, _>(before)
            .get_result(conn)
            .optional()?;
    let Some(anchor) = newest_old else {
        return Ok(());
    };
    diesel::update(audit_chain::table.filter(audit_chain::id.eq(1)))
        .set((
            audit_chain::anchor_seq.eq(anchor.seq),
            audit_chain::anchor_hash.eq(&anchor.hash),
        ))
        .execute(conn)?;
    diesel::delete(audit_log::table.filter(audit_log::seq.le(anchor.seq))).execute(conn)?;
    diesel::delete(audit_subjects::table.filter(audit_subjects::seq.le(anchor.seq)))
        .execute(conn)?;
    Ok(())
}

/// The quarterly report (POL-33) of `quarter` (the current one when `None`).
pub fn quarterly_report(
    conn: &mut SqliteConnection,
    actor: &Actor,
    quarter: Option<Quarter>,
    now: DateTime<Utc>,
) -> Result<QuarterlyReport, StoreError> {
    gate::run(conn, actor, domain::Action::RetentionReport, now, |gate| {
        report_of(gate.conn(), quarter, now)
    })
}

fn report_of(
    conn: &mut SqliteConnection,
    quarter: Option<Quarter>,
    now: DateTime<Utc>,
) -> Result<QuarterlyReport, StoreError> {
    let quarter = quarter.unwrap_or_else(|| quarter_of(now.naive_utc().date()));
    let rules = current_rules(conn)?;
    let start = quarter.start.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = quarter
        .end
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(start);
    let rows: Vec<(String, String, NaiveDate, NaiveDate, NaiveDateTime)> = retention_log::table
        .filter(retention_log::executed_at.ge(start))
        .filter(retention_log::executed_at.lt(end))
        .select((
            retention_log::action,
            retention_log::subject_ref,
            retention_log::due_since,
            retention_log::deadline,
            retention_log::executed_at,
        ))
        .load(conn)?;
    let executed: Vec<ExecutedItem> = rows
        .into_iter()
        .filter_map(|(action, subject, due_since, deadline, executed_at)| {
            serde_json::from_str::<Action>(&action)
                .ok()
                .map(|action| ExecutedItem {
                    action,
                    subject,
                    executed_at,
                    due_since,
                    deadline,
                })
        })
        .collect();
    let pending = compute_plan(conn, &rules, now)?;
    Ok(QuarterlyReport::new(
        quarter,
        now.naive_utc(),
        executed,
        &pending,
        rules,
    ))
}

/// A record kept under legal hold, as the DPO sees it (POL-25, POL-31).
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct HoldRow {
    pub id: String,
    pub subject_ref: String,
    pub record_table: String,
    pub record_id: String,
    pub reason: String,
    pub held_until: String,
    pub amount_cents: Option<i64>,
    pub number: Option<String>,
}

/// Every legal hold, soonest expiry first (DPO only).
pub fn legal_holds(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<HoldRow>, StoreError> {
    gate::run(conn, actor, domain::Action::LegalHoldsRead, now, |gate| {
        holds(gate.conn())
    })
}

fn holds(conn: &mut SqliteConnection) -> Result<Vec<HoldRow>, StoreError> {
    let rows: Vec<(String, String, String, String, String, NaiveDateTime)> = legal_holds::table
        .order((legal_holds::held_until, legal_holds::id))
        .select((
            legal_holds::id,
            legal_holds::subject_ref,
            legal_holds::record_table,
            legal_holds::record_id,
            legal_holds::reason,
            legal_holds::held_until,
        ))
        .limit(1000)
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, subject_ref, record_table, record_id, reason, until) in rows {
        let (amount_cents, number) = match record_table.as_str() {
            "payments" => (
                payments::table
                    .find(&record_id)
                    .select(payments::amount_cents)
                    .first::<i64>(conn)
                    .optional()?,
                None,
            ),
            "invoices" => invoices::table
                .find(&record_id)
                .select((invoices::amount_cents, invoices::number))
                .first::<(i64, String)>(conn)
                .optional()?
                .map(|(a, n)| (Some(a), Some(n)))
                .unwrap_or((None, None)),
            _ => (None, None),
        };
        out.push(HoldRow {
            id,
            subject_ref,
            record_table,
            record_id,
            reason,
            held_until: domain::time::to_rfc3339(until),
            amount_cents,
            number,
        });
    }
    Ok(out)
}
