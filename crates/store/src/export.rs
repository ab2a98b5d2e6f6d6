//! Access and portability export (POL-23, POL-27, POL-28): everything the
//! store holds about one person, collected by walking the schema's references
//! to the participant ([`crate::erasure::PARTICIPANT_REFERENCES`], the same map
//! erasure uses), plus the rows that carry their e-mail without a link and the
//! record of who consulted their data (dates and purposes, not staff
//! identities: CJEU C-579/21). The documents (JSON, CSV, French summary with
//! the GDPR art. 15 information, zip) are built by `domain::access_export`.
//!
//! A test walks the migrated schema and fails if a table that references a
//! participant is missing from the export.

use crate::audit;
use crate::erasure::PARTICIPANT_REFERENCES;
use crate::gate;
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use domain::access_export::{
    default_art15_info, AccessExport, Category, LegalBasis, Purpose, Recipient, Value,
    EXPORT_SCHEMA_VERSION,
};
use domain::rights::RequestKind;
use domain::{Action, Actor, ErrorCode};

/// Columns that are sync bookkeeping, not the person's data.
const TECHNICAL_COLUMNS: [&str; 2] = ["updated_at", "updated_device"];

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

fn columns_of(conn: &mut SqliteConnection, table: &str) -> Result<Vec<ColumnInfo>, StoreError> {
    Ok(
        diesel::sql_query("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")
            .bind::<Text, _>(table)
            .load::<ColumnInfo>(conn)?
            .into_iter()
            .filter(|c| !TECHNICAL_COLUMNS.contains(&c.name.as_str()))
            .collect(),
    )
}

fn to_value(declared: &str, json: &serde_json::Value) -> Value {
    let declared = declared.to_ascii_uppercase();
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Number(n) if declared.contains("BOOL") => {
            Value::Bool(n.as_i64().unwrap_or(0) != 0)
        }
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .unwrap_or_else(|| Value::Text(n.to_string())),
        serde_json::Value::String(text) if declared.contains("TIMESTAMP") => {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .map(Value::DateTime)
                .unwrap_or_else(|_| Value::Text(text.clone()))
        }
        serde_json::Value::String(text) => Value::Text(text.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// Every row of `table` matching `filter` (a SQL condition with one `?`).
/// Table, column and filter texts come from compile-time constants only.
fn collect(
    conn: &mut SqliteConnection,
    key: &str,
    table: &str,
    filter: &str,
    bound: &str,
    only: Option<&[&str]>,
) -> Result<Category, StoreError> {
    let mut columns = columns_of(conn, table)?;
    if let Some(only) = only {
        columns.retain(|c| only.contains(&c.name.as_str()));
    }
    let list = columns
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT json_array({list}) AS row FROM {table} WHERE {filter}");
    let rows = diesel::sql_query(sql)
        .bind::<Text, _>(bound)
        .load::<JsonRow>(conn)?
        .into_iter()
        .map(|r| {
            let cells: Vec<serde_json::Value> =
                serde_json::from_str(&r.row).map_err(|e| StoreError::Database(e.to_string()))?;
            Ok(columns
                .iter()
                .zip(cells.iter())
                .map(|(c, v)| to_value(&c.r#type, v))
                .collect())
        })
        .collect::<Result<Vec<Vec<Value>>, StoreError>>()?;
    let (title_fr, title_en) = titles(key);
    Ok(Category {
        key: key.to_owned(),
        title_fr: title_fr.to_owned(),
        title_en: title_en.to_owned(),
        columns: columns.into_iter().map(|c| c.name).collect(),
        rows,
    })
}

fn titles(key: &str) -> (&'static str, &'static str) {
    match key {
        "participants" => ("Profil et coordonnées", "Profile and contact details"),
        "family_situations" => ("Situation familiale", "Family situation"),
        "consents" => ("Consentements (historique)", "Consents (history)"),
        "enrolments" => ("Inscriptions", "Enrolments"),
        "payments" => ("Paiements", "Payments"),
        "invoices" => ("Factures et reçus", "Invoices and receipts"),
        "attendance" => ("Présences aux séances", "Session attendance"),
        "questions" => (
            "Questions posées en webinaire",
            "Questions asked in webinars",
        ),
        "forum_posts" => ("Contributions au forum", "Forum contributions"),
        "progress_notes" => ("Notes de progression", "Progress notes"),
        "objectives" => ("Objectifs déclarés", "Declared objectives"),
        "technical_traces" => (
            "Traces techniques de connexion",
            "Technical connection traces",
        ),
        "assistance_requests" => ("Demandes d'assistance", "Assistance requests"),
        "rights_requests" => ("Vos demandes d'exercice des droits", "Your rights requests"),
        "rights_request_actions" => ("Suites données à vos demandes", "Actions on your requests"),
        "outbox_messages" => ("Messages qui vous sont adressés", "Messages to you"),
        "policy_notifications" => (
            "Notifications de changement de la politique",
            "Policy change notices",
        ),
        "import_unmatched" => (
            "Lignes de rapports de visioconférence à votre adresse",
            "Videoconference report rows with your address",
        ),
        "payments_unmatched" => (
            "Paiements reçus à votre adresse, pas encore rattachés",
            "Payments received under your address, not yet matched",
        ),
        "consultations" => (
            "Consultations de vos données par l'équipe (dates et motifs)",
            "Consultations of your data by staff (dates and purposes)",
        ),
        _ => ("Autres données", "Other data"),
    }
}

fn legal_basis(code: &str) -> LegalBasis {
    LegalBasis::parse(code).unwrap_or(LegalBasis::LegalObligation)
}

/// Whether an export may go ahead (the DPO's permission, and the request's
/// state when there is one), before the DPO chooses where to save it: a
/// refused export opens no dialog. Reads nothing of the person.
pub fn check_exportable(
    conn: &mut SqliteConnection,
    actor: &Actor,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::ParticipantExportCheck, now, |gate| {
        if let Some(request_id) = request_id {
            crate::rights::actionable(
                gate.conn(),
                request_id,
                &[RequestKind::Access, RequestKind::Portability],
                now,
            )?;
        }
        Ok(())
    })
}

/// Everything held about `person`, as the DPO sends it (POL-23, POL-27).
/// With `request_id`, the request must be an access or portability request
/// whose identity check is done; the export is logged on it.
pub fn access_export(
    conn: &mut SqliteConnection,
    actor: &Actor,
    person: &str,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<AccessExport, StoreError> {
    gate::run(conn, actor, Action::ParticipantExport, now, |gate| {
        if let Some(request_id) = request_id {
            let request = crate::rights::actionable(
                gate.conn(),
                request_id,
                &[RequestKind::Access, RequestKind::Portability],
                now,
            )?;
            if request.participant_id.as_deref() != Some(person) {
                return Err(
                    StoreError::refused(ErrorCode::WrongRequestType).with("request", request_id)
                );
            }
        }
        gate.reach(person)?;
        let reference = match request_id {
            Some(id) => {
                crate::rights::note_action(gate, id, "exported", None, None)?;
                id.to_owned()
            }
            None => "sans demande".to_owned(),
        };
        let conn = gate.conn();
        let email: String = participants::table
            .find(person)
            .select(participants::email)
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("participant {person}")))?;
        let mut categories = vec![collect(
            conn,
            "participants",
            "participants",
            "id = ?",
            person,
            None,
        )?];
        for reference in PARTICIPANT_REFERENCES {
            let filter = format!("{} = ?", reference.column);
            categories.push(collect(
                conn,
                reference.table,
                reference.table,
                &filter,
                person,
                None,
            )?);
        }
        categories.push(collect(
            conn,
            "rights_request_actions",
            "rights_request_actions",
            "request_id IN (SELECT id FROM rights_requests WHERE participant_id = ?)",
            person,
            Some(&["at", "action", "field", "detail"]),
        )?);
        categories.push(collect(
            conn,
            "import_unmatched",
            "import_unmatched",
            "lower(email) = lower(?)",
            &email,
            None,
        )?);
        categories.push(collect(
            conn,
            "payments_unmatched",
            "payments_unmatched",
            "lower(payer_email) = lower(?)",
            &email,
            None,
        )?);
        // Who consulted their data, from the trail's per-person side index.
        audit::catch_up_subjects(conn)?;
        categories.push(collect(
            conn,
            "consultations",
            "audit_log",
            "seq IN (SELECT seq FROM audit_subjects WHERE participant_id = ?)",
            person,
            Some(&["at", "action", "outcome"]),
        )?);

        let mut info = default_art15_info();
        // The DPO's registers are the source of truth (POL-8, POL-14, POL-37).
        let activities: Vec<(String, String, String, String)> = processing_register::table
            .order(processing_register::name)
            .select((
                processing_register::purpose,
                processing_register::legal_basis,
                processing_register::retention,
                processing_register::data_categories,
            ))
            .load(conn)?;
        if !activities.is_empty() {
            info.purposes = activities
                .into_iter()
                .map(|(purpose, basis, retention, categories)| Purpose {
                    name_fr: purpose,
                    legal_basis: legal_basis(&basis),
                    retention_fr: retention,
                    data_categories_fr: categories,
                })
                .collect();
        }
        let processors_list: Vec<(String, String, String, bool, Option<String>)> =
            processors::table
                .order(processors::name)
                .select((
                    processors::name,
                    processors::service,
                    processors::country,
                    processors::outside_eea,
                    processors::transfer_safeguard,
                ))
                .load(conn)?;
        if !processors_list.is_empty() {
            info.processors = processors_list
                .into_iter()
                .map(
                    |(name, service, country, outside_eea, safeguard)| Recipient {
                        name,
                        service_fr: service,
                        country,
                        outside_eea,
                        safeguard,
                    },
                )
                .collect();
        }
        Ok(AccessExport {
            schema: EXPORT_SCHEMA_VERSION,
            generated_at: now.naive_utc(),
            request_ref: reference,
            subject_ref: person.to_owned(),
            categories,
            info,
        })
    })
}
