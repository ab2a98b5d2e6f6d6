//! The partial replica each role may hold (sync.md inv. 1, POL-20): which
//! tables and columns reach a laptop, read on the server as JSON rows and
//! written on the laptop generically.
//!
//! Two kinds of tables:
//! - *subject* tables hold one participant's rows (a column names them); a
//!   laptop holds them only for the participants of its user's scope, one
//!   [`Bundle`] per participant, replaced whole at each change;
//! - *reference* tables (planning, staff names, the DPO's registers) are sent
//!   whole when they change, to the roles whose category allows it.
//!
//! A column the role may not see is replaced by a neutral value before it
//! leaves the server ([`Mask`]), so the laptop's copy equals the server's
//! projection of that role's view, which the convergence test checks.

use crate::wire::{Bundle, TableRows};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use domain::access::{access, Access, Category, Role};
use store::StoreError;

/// A column replaced for a role: the SQL expression sent instead.
type Mask = (&'static str, &'static str);

/// How one table reaches one role.
#[derive(Clone, Copy, Debug)]
pub enum Visibility {
    /// Not at all.
    Hidden,
    /// Every column as stored.
    Whole,
    /// Every column, some replaced by neutral values.
    Masked(&'static [Mask]),
}

/// A replicated table.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    pub table: &'static str,
    pub primary_key: &'static str,
    /// For a subject table, the column naming the participant.
    pub subject_column: Option<&'static str>,
    /// Rows of a reference table a laptop holds (SQL condition), if not all.
    pub filter: Option<&'static str>,
    /// For the roles whose scope is bounded (trainers), a further condition:
    /// `{mine}` is their groups' condition on `workshop_groups`, `{scope}` a
    /// subquery of the participant ids in their scope.
    pub bounded_filter: Option<&'static str>,
    pub visibility: fn(Role) -> Visibility,
}

const CONTACT_ONLY: &[Mask] = &[
    ("phone", "NULL"),
    ("certified_16_plus_at", "'1970-01-01 00:00:00'"),
    ("last_login_at", "NULL"),
    ("account_status", "'active'"),
    ("marketing_opt_out", "0"),
    ("objects_to_suggestions", "0"),
    ("reminded_at", "NULL"),
    ("objects_to_statistics", "0"),
];
const AGE_BRACKETS_ONLY: &[Mask] = &[("challenges", "NULL")];
const PAYMENT_STATUS_ONLY: &[Mask] = &[("amount_cents", "0"), ("processor_ref", "''")];
/// Issue 15: a processor's payment waiting for the office shows the payer as
/// the processor named them, never the amount.
const UNMATCHED_PAYMENT_STATUS_ONLY: &[Mask] = &[("amount_cents", "0")];
const ENROLMENT_MEMBERSHIP_ONLY: &[Mask] = &[
    ("available_slots", "''"),
    ("preferred_slot", "NULL"),
    ("waiver_reason", "NULL"),
    ("decided_by", "NULL"),
];
/// Staff accounts: names and roles for everyone; the password hash only of
/// the laptop's own account (offline sign-in), see [`row_expression`].
const STAFF_PUBLIC: &[Mask] = &[];

fn by_category(category: Category) -> impl Fn(Role) -> Visibility {
    move |role| {
        if access(role, category) >= Access::Read {
            Visibility::Whole
        } else {
            Visibility::Hidden
        }
    }
}

macro_rules! category_table {
    ($fn_name:ident, $category:expr) => {
        fn $fn_name(role: Role) -> Visibility {
            by_category($category)(role)
        }
    };
}

category_table!(consents, Category::Consents);
category_table!(invoices, Category::Payments);
category_table!(attendance, Category::Attendance);
category_table!(questions, Category::Questions);
category_table!(forum, Category::ForumContributions);
category_table!(notes, Category::ProgressNotes);
category_table!(objectives, Category::Objectives);
category_table!(traces, Category::TechnicalTraces);
category_table!(assistance, Category::AssistanceRequests);
category_table!(outbox, Category::Outbox);
category_table!(registers, Category::Registers);
category_table!(planning, Category::Planning);
category_table!(rights, Category::RightsRequests);
category_table!(legal_holds, Category::LegalHolds);
category_table!(retention, Category::Retention);
category_table!(audit_trail, Category::AuditTrail);
category_table!(statistics, Category::Statistics);

fn participants(role: Role) -> Visibility {
    if access(role, Category::Identity) >= Access::Read {
        Visibility::Whole
    } else if access(role, Category::ContactList) >= Access::Read {
        Visibility::Masked(CONTACT_ONLY)
    } else {
        Visibility::Hidden
    }
}

fn family(role: Role) -> Visibility {
    if access(role, Category::FamilySituation) >= Access::Read {
        Visibility::Whole
    } else if access(role, Category::AgeBrackets) >= Access::Read {
        Visibility::Masked(AGE_BRACKETS_ONLY)
    } else {
        Visibility::Hidden
    }
}

fn enrolments(role: Role) -> Visibility {
    if access(role, Category::Enrolments) >= Access::Read {
        Visibility::Whole
    } else if role == Role::ExternalTrainer {
        // ROLE-2: who is enrolled in their workshop, to list names and e-mails.
        Visibility::Masked(ENROLMENT_MEMBERSHIP_ONLY)
    } else {
        Visibility::Hidden
    }
}

fn payments(role: Role) -> Visibility {
    if access(role, Category::Payments) >= Access::Read {
        Visibility::Whole
    } else if access(role, Category::PaymentStatus) >= Access::Read {
        Visibility::Masked(PAYMENT_STATUS_ONLY)
    } else {
        Visibility::Hidden
    }
}

fn payments_unmatched(role: Role) -> Visibility {
    if access(role, Category::Payments) >= Access::Read {
        Visibility::Whole
    } else if access(role, Category::PaymentStatus) >= Access::Write {
        Visibility::Masked(UNMATCHED_PAYMENT_STATUS_ONLY)
    } else {
        Visibility::Hidden
    }
}

fn staff(_role: Role) -> Visibility {
    Visibility::Masked(STAFF_PUBLIC)
}

const fn subject(
    table: &'static str,
    column: &'static str,
    visibility: fn(Role) -> Visibility,
) -> TableSpec {
    TableSpec {
        table,
        primary_key: "id",
        subject_column: Some(column),
        filter: None,
        bounded_filter: None,
        visibility,
    }
}

const fn reference(table: &'static str, visibility: fn(Role) -> Visibility) -> TableSpec {
    TableSpec {
        table,
        primary_key: "id",
        subject_column: None,
        filter: None,
        bounded_filter: None,
        visibility,
    }
}

/// Subject tables, parents first (a bundle is written in this order).
pub const SUBJECT_TABLES: &[TableSpec] = &[
    subject("participants", "id", participants),
    TableSpec {
        primary_key: "participant_id",
        ..subject("family_situations", "participant_id", family)
    },
    subject("consents", "participant_id", consents),
    subject("enrolments", "participant_id", enrolments),
    subject("payments", "participant_id", payments),
    subject("invoices", "participant_id", invoices),
    subject("attendance", "participant_id", attendance),
    subject("questions", "participant_id", questions),
    subject("forum_posts", "participant_id", forum),
    subject("progress_notes", "participant_id", notes),
    subject("objectives", "participant_id", objectives),
    subject("technical_traces", "participant_id", traces),
    subject("assistance_requests", "participant_id", assistance),
    subject("outbox_messages", "participant_id", outbox),
    subject("policy_notifications", "participant_id", registers),
];

const SESSIONS_OF_SCOPE: &str = "group_id IN (SELECT id FROM workshop_groups WHERE {mine}) \
     OR group_id IN (SELECT group_id FROM enrolments WHERE participant_id IN ({scope})) \
     OR id IN (SELECT session_id FROM attendance WHERE participant_id IN ({scope})) \
     OR id IN (SELECT session_id FROM questions WHERE participant_id IN ({scope})) \
     OR id IN (SELECT session_id FROM outbox_messages WHERE participant_id IN ({scope}))";

/// The tables whose rows decide which sessions a bounded role holds
/// ([`SESSIONS_OF_SCOPE`]): a change to one of them sends the sessions again.
pub const SESSION_SCOPE_INPUTS: &[&str] = &[
    "enrolments",
    "attendance",
    "questions",
    "outbox_messages",
    "workshop_groups",
];

/// Issue 16: the statistics cells a bounded role holds: its groups' funnels.
const STAT_CELLS_OF_SCOPE: &str = "table_name = 'funnel' AND group_id IS NOT NULL \
     AND group_id IN (SELECT id FROM workshop_groups WHERE {mine})";

/// Reference tables whose rows a bounded role holds by its groups
/// ([`STAT_CELLS_OF_SCOPE`]): sent again when the groups change.
pub const GROUP_SCOPED_REFERENCES: &[&str] = &["stat_cells"];

/// The SQL condition of `spec`'s rows that `role`, signed in as
/// `own_staff`, holds.
fn reference_filter(spec: &TableSpec, role: Role, own_staff: &str) -> String {
    let base = spec.filter.unwrap_or("1");
    let Some(bounded) = spec.bounded_filter else {
        return base.to_owned();
    };
    // Only the group-bounded roles (trainers, external trainers) hold part
    // of the calendar; support holds one account, the others everything.
    if !matches!(
        role.scope(),
        domain::access::Scope::LedGroups | domain::access::Scope::OwnWorkshops
    ) {
        return base.to_owned();
    }
    // The scope's own definitions (`store::scope`): the same rule as every
    // store query, written once. The group-bounded scopes do not depend on
    // the time (only support's assistance window does), so no clock is read.
    let (Some(groups), Some(people)) = (
        store::scope::groups_sql(role.scope()),
        store::scope::participants_sql(role.scope(), chrono::DateTime::UNIX_EPOCH),
    ) else {
        return base.to_owned();
    };
    let mine = store::scope::inline_staff(groups, own_staff);
    let scope = store::scope::inline_staff(&people, own_staff);
    let bounded = bounded.replace("{mine}", &mine).replace("{scope}", &scope);
    format!("({base}) AND ({bounded})")
}

/// Reference tables, parents first.
pub const REFERENCE_TABLES: &[TableSpec] = &[
    reference("staff", staff),
    reference("programmes", planning),
    reference("rooms", planning),
    reference("workshop_groups", planning),
    // A trainer holds the sessions of their groups and of the groups their
    // participants are enrolled in, and every session their participants'
    // rows name (foreign keys): not the whole organisation's calendar.
    TableSpec {
        bounded_filter: Some(SESSIONS_OF_SCOPE),
        ..reference("sessions", planning)
    },
    reference("processing_register", registers),
    reference("processors", registers),
    reference("policy_versions", registers),
    reference("rights_requests", rights),
    reference("rights_request_actions", rights),
    reference("legal_holds", legal_holds),
    reference("erasure_certificates", rights),
    // The retention rules: one row of the settings table (POL-29..33).
    TableSpec {
        primary_key: "key",
        filter: Some("key = 'retention_rules'"),
        ..reference("app_meta", retention)
    },
    reference("retention_runs", retention),
    reference("retention_log", retention),
    // POL-21: the server's anomaly alerts, for the DPO's laptop.
    reference("audit_alerts", audit_trail),
    // Issue 15: the processor's payments no registration was found for.
    reference("payments_unmatched", payments_unmatched),
    // Issue 16 (POL-11, POL-12): the published statistics, for the roles
    // that read them (office, DPO, trainers). Only published figures exist
    // (a hidden cell has no value on the server either), so nothing hidden
    // leaves it. A trainer holds the funnel cells of the groups they lead,
    // never a programme, format or section cell; every release row.
    TableSpec {
        primary_key: "month",
        ..reference("stat_releases", statistics)
    },
    TableSpec {
        bounded_filter: Some(STAT_CELLS_OF_SCOPE),
        ..reference("stat_cells", statistics)
    },
];

/// Columns the laptop keeps for itself: never sent, never overwritten.
pub const LOCAL_COLUMNS: &[(&str, &str)] =
    &[("staff", "failed_attempts"), ("staff", "blocked_until")];

pub fn spec(table: &str) -> Option<&'static TableSpec> {
    SUBJECT_TABLES
        .iter()
        .chain(REFERENCE_TABLES)
        .find(|spec| spec.table == table)
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The replicated columns of `table` (the schema's, minus local ones).
pub fn columns(conn: &mut SqliteConnection, table: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<ColumnName> = diesel::sql_query(format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| row.name)
        .filter(|name| {
            !LOCAL_COLUMNS
                .iter()
                .any(|(t, column)| *t == table && column == name)
        })
        .collect())
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The `json_object(...)` expression of a table's visible row; `own_staff`
/// is the laptop's account, the only one whose password hash it receives
/// (`None`: the row as stored, for [`dump`]).
fn row_expression(
    conn: &mut SqliteConnection,
    spec: &TableSpec,
    masks: &[Mask],
    own_staff: Option<&str>,
) -> Result<String, StoreError> {
    let parts: Vec<String> = columns(conn, spec.table)?
        .into_iter()
        .map(|column| {
            let value = if let (Some(own), "staff", "password_hash") =
                (own_staff, spec.table, column.as_str())
            {
                format!(
                    "CASE WHEN id = {} THEN password_hash ELSE '' END",
                    quote(own)
                )
            } else {
                masks
                    .iter()
                    .find(|(name, _)| *name == column)
                    .map(|(_, expression)| (*expression).to_owned())
                    .unwrap_or_else(|| format!("\"{column}\""))
            };
            format!("{}, {value}", quote(&column))
        })
        .collect();
    Ok(format!("json_object({})", parts.join(", ")))
}

fn masks_of(visibility: Visibility) -> Option<&'static [Mask]> {
    match visibility {
        Visibility::Hidden => None,
        Visibility::Whole => Some(&[]),
        Visibility::Masked(masks) => Some(masks),
    }
}

fn load_rows(
    conn: &mut SqliteConnection,
    sql: &str,
    bind: Option<&str>,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StoreError> {
    let rows: Vec<JsonRow> = match bind {
        Some(value) => diesel::sql_query(sql).bind::<Text, _>(value).load(conn)?,
        None => diesel::sql_query(sql).load(conn)?,
    };
    rows.into_iter()
        .map(|row| match serde_json::from_str(&row.row) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            _ => Err(StoreError::Database("a row did not encode as JSON".into())),
        })
        .collect()
}

/// A reference table as `role` may hold it, whole.
pub fn reference_rows(
    conn: &mut SqliteConnection,
    spec: &TableSpec,
    role: Role,
    own_staff: &str,
) -> Result<Option<TableRows>, StoreError> {
    let Some(masks) = masks_of((spec.visibility)(role)) else {
        return Ok(None);
    };
    let expression = row_expression(conn, spec, masks, Some(own_staff))?;
    let filter = reference_filter(spec, role, own_staff);
    let sql = format!(
        "SELECT {expression} AS row FROM {} WHERE {filter} ORDER BY \"{}\"",
        spec.table, spec.primary_key
    );
    Ok(Some(TableRows {
        table: spec.table.to_owned(),
        rows: load_rows(conn, &sql, None)?,
    }))
}

/// The bundles of `subjects` (participant ids) as `role` may hold them. Ids
/// with no participant row are left out.
pub fn bundles(
    conn: &mut SqliteConnection,
    subjects: &[String],
    role: Role,
    own_staff: &str,
) -> Result<Vec<Bundle>, StoreError> {
    let mut out: Vec<Bundle> = Vec::new();
    for chunk in subjects.chunks(250) {
        let ids = serde_json::to_string(chunk)
            .map_err(|e| StoreError::Database(format!("encoding ids: {e}")))?;
        let mut by_subject: std::collections::BTreeMap<String, Vec<TableRows>> = Default::default();
        for spec in SUBJECT_TABLES {
            let Some(masks) = masks_of((spec.visibility)(role)) else {
                continue;
            };
            let column = spec.subject_column.unwrap_or("participant_id");
            let expression = row_expression(conn, spec, masks, Some(own_staff))?;
            let sql = format!(
                "SELECT {expression} AS row FROM {table} \
                 WHERE \"{column}\" IN (SELECT value FROM json_each(?)) \
                 ORDER BY \"{column}\", \"{key}\"",
                table = spec.table,
                key = spec.primary_key
            );
            for row in load_rows(conn, &sql, Some(&ids))? {
                let Some(subject) = row.get(column).and_then(|v| v.as_str()).map(str::to_owned)
                else {
                    continue;
                };
                let tables = by_subject.entry(subject).or_default();
                match tables.last_mut() {
                    Some(last) if last.table == spec.table => last.rows.push(row),
                    _ => tables.push(TableRows {
                        table: spec.table.to_owned(),
                        rows: vec![row],
                    }),
                }
            }
        }
        for (subject, tables) in by_subject {
            if tables.first().map(|t| t.table.as_str()) == Some("participants") {
                out.push(Bundle { subject, tables });
            }
        }
    }
    Ok(out)
}

/// Writes `rows` into `table` on the laptop: insert or update by primary key,
/// never a delete-and-insert (which would cascade).
pub fn upsert_rows(
    conn: &mut SqliteConnection,
    spec: &TableSpec,
    rows: &[serde_json::Map<String, serde_json::Value>],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let columns = columns(conn, spec.table)?;
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let values: Vec<String> = columns
        .iter()
        .map(|c| format!("v ->> {}", quote(&format!("$.{c}"))))
        .collect();
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| c.as_str() != spec.primary_key)
        .map(|c| format!("\"{c}\" = excluded.\"{c}\""))
        .collect();
    let sql = format!(
        // Each row parsed once into JSONB, then its columns read from the
        // binary form (reading `value ->> col` parsed the text per column).
        "WITH r(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(?)) \
         INSERT INTO {table} ({names}) SELECT {values} FROM r WHERE true \
         ON CONFLICT (\"{key}\") DO UPDATE SET {updates}",
        table = spec.table,
        names = names.join(", "),
        values = values.join(", "),
        key = spec.primary_key,
        updates = updates.join(", ")
    );
    let json = serde_json::to_string(rows)
        .map_err(|e| StoreError::Database(format!("encoding rows: {e}")))?;
    diesel::sql_query(sql).bind::<Text, _>(json).execute(conn)?;
    Ok(())
}

fn keys_json(
    spec: &TableSpec,
    rows: &[serde_json::Map<String, serde_json::Value>],
) -> Result<String, StoreError> {
    let keys: Vec<&serde_json::Value> = rows
        .iter()
        .filter_map(|row| row.get(spec.primary_key))
        .collect();
    serde_json::to_string(&keys).map_err(|e| StoreError::Database(format!("encoding keys: {e}")))
}

/// Replaces a reference table with `rows`: rows missing from them go.
pub fn replace_reference(
    conn: &mut SqliteConnection,
    spec: &TableSpec,
    rows: &[serde_json::Map<String, serde_json::Value>],
) -> Result<(), StoreError> {
    let keys = keys_json(spec, rows)?;
    // Only the rows the table's filter selects are replicated (app_meta
    // holds the laptop's own settings beside the retention rules).
    diesel::sql_query(format!(
        "DELETE FROM {} WHERE ({}) AND \"{}\" NOT IN (SELECT value FROM json_each(?))",
        spec.table,
        spec.filter.unwrap_or("1"),
        spec.primary_key
    ))
    .bind::<Text, _>(keys)
    .execute(conn)?;
    upsert_rows(conn, spec, rows)
}

/// Replaces everything the laptop holds about one participant with `bundle`.
pub fn replace_subject(conn: &mut SqliteConnection, bundle: &Bundle) -> Result<(), StoreError> {
    replace_subjects(conn, std::slice::from_ref(bundle))
}

/// Replaces everything the laptop holds about the bundles' participants:
/// table by table, parents first, one upsert and one delete of stale rows
/// per table for all of them (a first sync writes 500 bundles: 30
/// statements instead of 15 per participant).
pub fn replace_subjects(conn: &mut SqliteConnection, bundles: &[Bundle]) -> Result<(), StoreError> {
    if bundles.is_empty() {
        return Ok(());
    }
    let subjects: Vec<&str> = bundles.iter().map(|b| b.subject.as_str()).collect();
    let subjects = serde_json::to_string(&subjects)
        .map_err(|e| StoreError::Database(format!("encoding ids: {e}")))?;
    for spec in SUBJECT_TABLES {
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = bundles
            .iter()
            .flat_map(|bundle| bundle.tables.iter())
            .filter(|t| t.table == spec.table)
            .flat_map(|t| t.rows.iter().cloned())
            .collect();
        upsert_rows(conn, spec, &rows)?;
        if spec.table != "participants" {
            let column = spec.subject_column.unwrap_or("participant_id");
            diesel::sql_query(format!(
                "DELETE FROM {} WHERE \"{column}\" IN (SELECT value FROM json_each(?)) \
                 AND \"{}\" NOT IN (SELECT value FROM json_each(?))",
                spec.table, spec.primary_key
            ))
            .bind::<Text, _>(&subjects)
            .bind::<Text, _>(keys_json(spec, &rows)?)
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Deletes every row about `subject` from the laptop (scope left, erased):
/// with `secure_delete` on, the bytes are zeroed (sync.md inv. 2).
pub fn purge_subject(conn: &mut SqliteConnection, subject: &str) -> Result<(), StoreError> {
    for spec in SUBJECT_TABLES.iter().rev() {
        let column = spec.subject_column.unwrap_or("participant_id");
        diesel::sql_query(format!("DELETE FROM {} WHERE \"{column}\" = ?", spec.table))
            .bind::<Text, _>(subject)
            .execute(conn)?;
    }
    // Rows of the DPO's reference tables that name the person are detached by
    // the foreign keys' SET NULL, as on the server; the next reference pull
    // brings the server's scrubbed copy.
    diesel::sql_query("DELETE FROM sync_fetch_queue WHERE subject_id = ?")
        .bind::<Text, _>(subject)
        .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// Whether a participant row exists.
pub fn holds(conn: &mut SqliteConnection, subject: &str) -> Result<bool, StoreError> {
    let found: Count = diesel::sql_query("SELECT count(*) AS n FROM participants WHERE id = ?")
        .bind::<Text, _>(subject)
        .get_result(conn)?;
    Ok(found.n > 0)
}

/// Everything a replica holds, table by table, rows ordered by key: on the
/// laptop its own copy; compare with [`projection`] of the server.
pub fn dump(
    conn: &mut SqliteConnection,
) -> Result<std::collections::BTreeMap<String, Vec<serde_json::Value>>, StoreError> {
    let mut out = std::collections::BTreeMap::new();
    for spec in SUBJECT_TABLES.iter().chain(REFERENCE_TABLES) {
        let expression = row_expression(conn, spec, &[], None)?;
        // Rows detached from an erased person (legal holds, anonymised
        // posts) are not replicated: the server and the laptop that erased
        // keep theirs; the legal-hold register itself is replicated.
        let filter = spec
            .subject_column
            .map(|column| format!("\"{column}\" IS NOT NULL"))
            .unwrap_or_else(|| spec.filter.unwrap_or("1").to_owned());
        let sql = format!(
            "SELECT {expression} AS row FROM {} WHERE {filter} ORDER BY \"{}\"",
            spec.table, spec.primary_key
        );
        let rows = load_rows(conn, &sql, None)?;
        out.insert(
            spec.table.to_owned(),
            rows.into_iter().map(serde_json::Value::Object).collect(),
        );
    }
    Ok(out)
}

/// What a laptop of `role` (signed in as `own_staff`) holding `scope` should
/// hold, computed on the server: the same shape as [`dump`].
pub fn projection(
    conn: &mut SqliteConnection,
    role: Role,
    own_staff: &str,
    scope: &[String],
) -> Result<std::collections::BTreeMap<String, Vec<serde_json::Value>>, StoreError> {
    let mut out = std::collections::BTreeMap::new();
    let mut sorted = scope.to_vec();
    sorted.sort();
    let bundles = bundles(conn, &sorted, role, own_staff)?;
    for spec in SUBJECT_TABLES {
        let mut rows: Vec<serde_json::Value> = bundles
            .iter()
            .flat_map(|bundle| bundle.tables.iter())
            .filter(|t| t.table == spec.table)
            .flat_map(|t| t.rows.iter().cloned().map(serde_json::Value::Object))
            .collect();
        rows.sort_by(|a, b| {
            a[spec.primary_key]
                .as_str()
                .cmp(&b[spec.primary_key].as_str())
        });
        out.insert(spec.table.to_owned(), rows);
    }
    for spec in REFERENCE_TABLES {
        let rows = match reference_rows(conn, spec, role, own_staff)? {
            Some(table) => table
                .rows
                .into_iter()
                .map(serde_json::Value::Object)
                .collect(),
            None => Vec::new(),
        };
        out.insert(spec.table.to_owned(), rows);
    }
    Ok(out)
}
