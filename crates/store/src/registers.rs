//! The DPO's registers (POL-8, POL-14, POL-34, POL-36, POL-37): the record of
//! processing activities with their legal bases, the processors with their
//! countries and transfer safeguards, and the privacy-policy versions with
//! the significant-change notices and who was notified.

use crate::audit::{self, Outcome};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::access::{authorize, Access, Category};
use domain::{new_id, Actor};
use serde::{Deserialize, Serialize};

pub const LEGAL_BASES: [&str; 4] = [
    "contract",
    "consent",
    "legitimate_interest",
    "legal_obligation",
];

/// POL-36: a significant change is announced at least 30 days ahead.
pub const SIGNIFICANT_NOTICE_DAYS: i64 = 30;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Activity {
    pub id: Option<String>,
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub balancing_test: Option<String>,
    pub data_categories: String,
    pub retention: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Processor {
    pub id: Option<String>,
    pub name: String,
    pub service: String,
    pub country: String,
    pub outside_eea: bool,
    pub transfer_safeguard: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: String,
    pub version: String,
    pub published_at: String,
    pub effective_at: String,
    pub significant: bool,
    pub summary: String,
    /// How many people were notified of this version (POL-36).
    pub notified: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Registers {
    pub activities: Vec<Activity>,
    pub processors: Vec<Processor>,
    pub policy_versions: Vec<PolicyVersion>,
}

fn guard(
    conn: &mut SqliteConnection,
    actor: &Actor,
    need: Access,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Err(denied) = authorize(actor, Category::Registers, need) {
        audit::record_for(conn, actor, action, &[], Outcome::Denied, now)?;
        return Err(denied.into());
    }
    Ok(())
}

fn refused(code: &'static str, message: &str) -> StoreError {
    StoreError::Refused {
        code,
        message: message.to_owned(),
    }
}

fn text(value: &str, what: &str) -> Result<String, StoreError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 500 {
        return Err(StoreError::InvalidInput(format!(
            "{what}: 1 to 500 characters"
        )));
    }
    Ok(value.to_owned())
}

/// The three registers, as the DPO reads them.
pub fn registers(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Registers, StoreError> {
    guard(conn, actor, Access::Read, "registers.read", now)?;
    let activities = processing_register::table
        .order(processing_register::name)
        .select((
            processing_register::id,
            processing_register::name,
            processing_register::purpose,
            processing_register::legal_basis,
            processing_register::balancing_test,
            processing_register::data_categories,
            processing_register::retention,
        ))
        .load::<(
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
        )>(conn)?
        .into_iter()
        .map(
            |(id, name, purpose, legal_basis, balancing_test, data_categories, retention)| {
                Activity {
                    id: Some(id),
                    name,
                    purpose,
                    legal_basis,
                    balancing_test,
                    data_categories,
                    retention,
                }
            },
        )
        .collect();
    let processors_list = processors::table
        .order(processors::name)
        .select((
            processors::id,
            processors::name,
            processors::service,
            processors::country,
            processors::outside_eea,
            processors::transfer_safeguard,
        ))
        .load::<(String, String, String, String, bool, Option<String>)>(conn)?
        .into_iter()
        .map(
            |(id, name, service, country, outside_eea, transfer_safeguard)| Processor {
                id: Some(id),
                name,
                service,
                country,
                outside_eea,
                transfer_safeguard,
            },
        )
        .collect();
    let versions: Vec<(String, String, NaiveDateTime, NaiveDateTime, bool, String)> =
        policy_versions::table
            .order(policy_versions::published_at.desc())
            .select((
                policy_versions::id,
                policy_versions::version,
                policy_versions::published_at,
                policy_versions::effective_at,
                policy_versions::significant,
                policy_versions::summary,
            ))
            .load(conn)?;
    let mut policy = Vec::with_capacity(versions.len());
    for (id, version, published, effective, significant, summary) in versions {
        let notified = policy_notifications::table
            .filter(policy_notifications::policy_version_id.eq(&id))
            .count()
            .get_result(conn)?;
        policy.push(PolicyVersion {
            id,
            version,
            published_at: domain::time::to_rfc3339(published),
            effective_at: domain::time::to_rfc3339(effective),
            significant,
            summary,
            notified,
        });
    }
    Ok(Registers {
        activities,
        processors: processors_list,
        policy_versions: policy,
    })
}

/// Adds or updates a processing activity (POL-8, POL-34). A legitimate
/// interest needs its balancing test written down.
pub fn save_activity(
    conn: &mut SqliteConnection,
    actor: &Actor,
    activity: &Activity,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    guard(conn, actor, Access::Write, "registers.activity.save", now)?;
    if !LEGAL_BASES.contains(&activity.legal_basis.as_str()) {
        return Err(StoreError::InvalidInput(format!(
            "unknown legal basis {}",
            activity.legal_basis
        )));
    }
    let balancing = activity
        .balancing_test
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned);
    if activity.legal_basis == "legitimate_interest" && balancing.is_none() {
        return Err(refused(
            "balancing_test_required",
            "a legitimate interest needs its documented balancing test (POL-34)",
        ));
    }
    let name = text(&activity.name, "name")?;
    let purpose = text(&activity.purpose, "purpose")?;
    let categories = text(&activity.data_categories, "data categories")?;
    let retention = text(&activity.retention, "retention")?;
    let at = now.naive_utc();
    let device = actor.device_id.as_str();
    let id = activity.id.clone().unwrap_or_else(new_id);
    conn.transaction(|conn| -> Result<(), StoreError> {
        diesel::replace_into(processing_register::table)
            .values((
                processing_register::id.eq(&id),
                processing_register::name.eq(&name),
                processing_register::purpose.eq(&purpose),
                processing_register::legal_basis.eq(&activity.legal_basis),
                processing_register::balancing_test.eq(&balancing),
                processing_register::data_categories.eq(&categories),
                processing_register::retention.eq(&retention),
                processing_register::updated_at.eq(at),
                processing_register::updated_device.eq(device),
            ))
            .execute(conn)?;
        audit::record_for(
            conn,
            actor,
            "registers.activity.save",
            &[],
            Outcome::Allowed,
            now,
        )
    })?;
    Ok(id)
}

/// Adds or updates a processor (POL-14, POL-37): outside the EEA, the
/// transfer safeguard is required.
pub fn save_processor(
    conn: &mut SqliteConnection,
    actor: &Actor,
    processor: &Processor,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    guard(conn, actor, Access::Write, "registers.processor.save", now)?;
    let safeguard = processor
        .transfer_safeguard
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if processor.outside_eea && safeguard.is_none() {
        return Err(refused(
            "safeguard_required",
            "a transfer outside the EEA needs its safeguard (POL-37)",
        ));
    }
    let name = text(&processor.name, "name")?;
    let service = text(&processor.service, "service")?;
    let country = text(&processor.country, "country")?;
    let at = now.naive_utc();
    let id = processor.id.clone().unwrap_or_else(new_id);
    conn.transaction(|conn| -> Result<(), StoreError> {
        diesel::replace_into(processors::table)
            .values((
                processors::id.eq(&id),
                processors::name.eq(&name),
                processors::service.eq(&service),
                processors::country.eq(&country),
                processors::outside_eea.eq(processor.outside_eea),
                processors::transfer_safeguard.eq(&safeguard),
                processors::updated_at.eq(at),
                processors::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        audit::record_for(
            conn,
            actor,
            "registers.processor.save",
            &[],
            Outcome::Allowed,
            now,
        )
    })?;
    Ok(id)
}

const POLICY_NOTICE_SUBJECT: &str = "Évolution de notre politique de confidentialité";

/// A new policy version as the DPO publishes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewPolicyVersion {
    pub version: String,
    pub effective_on: NaiveDate,
    pub significant: bool,
    pub summary: String,
}

/// Publishes a policy version (POL-36). A significant change takes effect at
/// least 30 days after publication and every participant is notified (the
/// notice is recorded per person; the server sends the e-mails, issue 5).
pub fn publish_policy_version(
    conn: &mut SqliteConnection,
    actor: &Actor,
    new: &NewPolicyVersion,
    now: DateTime<Utc>,
) -> Result<PolicyVersion, StoreError> {
    const ACTION: &str = "registers.policy.publish";
    guard(conn, actor, Access::Write, ACTION, now)?;
    let version = text(&new.version, "version")?;
    let summary = text(&new.summary, "summary")?;
    let published = now.naive_utc();
    let effective = new.effective_on.and_hms_opt(0, 0, 0).unwrap_or(published);
    if effective < published.date().and_hms_opt(0, 0, 0).unwrap_or(published) {
        return Err(refused(
            "effective_in_past",
            "a version cannot take effect before it is published",
        ));
    }
    if new.significant
        && new.effective_on - published.date() < Duration::days(SIGNIFICANT_NOTICE_DAYS)
    {
        return Err(refused(
            "notice_too_short",
            "a significant change takes effect at least 30 days after it is announced (POL-36)",
        ));
    }
    let id = new_id();
    let notified = conn.transaction(|conn| -> Result<i64, StoreError> {
        let taken = policy_versions::table
            .filter(policy_versions::version.eq(&version))
            .count()
            .get_result::<i64>(conn)?;
        if taken > 0 {
            return Err(refused("version_exists", "this version is already published"));
        }
        diesel::insert_into(policy_versions::table)
            .values((
                policy_versions::id.eq(&id),
                policy_versions::version.eq(&version),
                policy_versions::published_at.eq(published),
                policy_versions::effective_at.eq(effective),
                policy_versions::significant.eq(new.significant),
                policy_versions::summary.eq(&summary),
                policy_versions::updated_at.eq(published),
                policy_versions::updated_device.eq(actor.device_id.as_str()),
            ))
            .execute(conn)?;
        let mut notified = 0;
        if new.significant {
            // One statement: every participant gets a notice row.
            notified = diesel::sql_query(
                "INSERT INTO policy_notifications \
                 (id, policy_version_id, participant_id, notified_at, channel, updated_at, updated_device) \
                 SELECT lower(hex(randomblob(16))), ?, id, ?, 'email', ?, ? FROM participants",
            )
            .bind::<diesel::sql_types::Text, _>(&id)
            .bind::<diesel::sql_types::Timestamp, _>(published)
            .bind::<diesel::sql_types::Timestamp, _>(published)
            .bind::<diesel::sql_types::Text, _>(actor.device_id.as_str())
            .execute(conn)? as i64;
            // POL-13, POL-36: the notice itself, queued for the server to
            // send (it informs; no objection stops it).
            let body_tail = format!(
                ",\n\nNotre politique de confidentialité évolue : la version {version} \
                 s'appliquera à partir du {}.\n\n{summary}\n\n\
                 Vous pouvez la consulter dans votre espace moniravique. Pour toute question, \
                 ou pour exercer vos droits, écrivez-nous en répondant à ce message.\n\n\
                 L'équipe moniravique",
                new.effective_on.format("%d/%m/%Y")
            );
            diesel::sql_query(
                "INSERT INTO outbox_messages (id, participant_id, template, session_id, subject, body, \
                 queued_at, queued_by, status, updated_at, updated_device) \
                 SELECT lower(hex(randomblob(16))), id, 'policy_change', NULL, ?, \
                 'Bonjour ' || given_name || ?, ?, ?, 'queued', ?, ? FROM participants",
            )
            .bind::<diesel::sql_types::Text, _>(POLICY_NOTICE_SUBJECT)
            .bind::<diesel::sql_types::Text, _>(&body_tail)
            .bind::<diesel::sql_types::Timestamp, _>(published)
            .bind::<diesel::sql_types::Text, _>(actor.staff_id.as_str())
            .bind::<diesel::sql_types::Timestamp, _>(published)
            .bind::<diesel::sql_types::Text, _>(actor.device_id.as_str())
            .execute(conn)?;
        }
        audit::record_for(conn, actor, ACTION, &[], Outcome::Allowed, now)?;
        Ok(notified)
    })?;
    Ok(PolicyVersion {
        id,
        version,
        published_at: domain::time::to_rfc3339(published),
        effective_at: domain::time::to_rfc3339(effective),
        significant: new.significant,
        summary,
        notified,
    })
}
