//! The DPO's registers (POL-8, POL-14, POL-34, POL-36, POL-37): the record of
//! processing activities with their legal bases, the processors with their
//! countries and transfer safeguards, and the privacy-policy versions with
//! the significant-change notices and who was notified.

use crate::gate::{self, Gate};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::{new_id, Action, Actor, ErrorCode};
use serde::{Deserialize, Serialize};

use domain::access_export::LegalBasis;

/// POL-36: a significant change is announced at least 30 days ahead.
pub const SIGNIFICANT_NOTICE_DAYS: i64 = 30;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, ts_rs::TS)]
pub struct Activity {
    pub id: Option<String>,
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub balancing_test: Option<String>,
    pub data_categories: String,
    pub retention: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, ts_rs::TS)]
pub struct Processor {
    pub id: Option<String>,
    pub name: String,
    pub service: String,
    pub country: String,
    pub outside_eea: bool,
    pub transfer_safeguard: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
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

#[derive(Clone, Debug, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct Registers {
    pub activities: Vec<Activity>,
    pub processors: Vec<Processor>,
    pub policy_versions: Vec<PolicyVersion>,
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
    gate::run(conn, actor, Action::RegistersRead, now, |gate| {
        read_registers(gate.conn())
    })
}

fn read_registers(conn: &mut SqliteConnection) -> Result<Registers, StoreError> {
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
    gate::run(conn, actor, Action::RegistersActivitySave, now, |gate| {
        let legal_basis = LegalBasis::parse(&activity.legal_basis).ok_or_else(|| {
            StoreError::InvalidInput(format!("unknown legal basis {}", activity.legal_basis))
        })?;
        let balancing = activity
            .balancing_test
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_owned);
        if legal_basis == LegalBasis::LegitimateInterest && balancing.is_none() {
            // POL-34: a legitimate interest needs its documented balancing test.
            return Err(ErrorCode::BalancingTestRequired.into());
        }
        let name = text(&activity.name, "name")?;
        let purpose = text(&activity.purpose, "purpose")?;
        let categories = text(&activity.data_categories, "data categories")?;
        let retention = text(&activity.retention, "retention")?;
        let id = activity.id.clone().unwrap_or_else(new_id);
        let stamp = gate.stamp(
            processing_register::updated_at,
            processing_register::updated_device,
        );
        diesel::replace_into(processing_register::table)
            .values((
                processing_register::id.eq(&id),
                processing_register::name.eq(&name),
                processing_register::purpose.eq(&purpose),
                processing_register::legal_basis.eq(legal_basis.as_str()),
                processing_register::balancing_test.eq(&balancing),
                processing_register::data_categories.eq(&categories),
                processing_register::retention.eq(&retention),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id)
    })
}

/// Adds or updates a processor (POL-14, POL-37): outside the EEA, the
/// transfer safeguard is required.
pub fn save_processor(
    conn: &mut SqliteConnection,
    actor: &Actor,
    processor: &Processor,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::RegistersProcessorSave, now, |gate| {
        let safeguard = processor
            .transfer_safeguard
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if processor.outside_eea && safeguard.is_none() {
            // POL-37: a transfer outside the EEA needs its safeguard.
            return Err(ErrorCode::SafeguardRequired.into());
        }
        let name = text(&processor.name, "name")?;
        let service = text(&processor.service, "service")?;
        let country = text(&processor.country, "country")?;
        let id = processor.id.clone().unwrap_or_else(new_id);
        let stamp = gate.stamp(processors::updated_at, processors::updated_device);
        diesel::replace_into(processors::table)
            .values((
                processors::id.eq(&id),
                processors::name.eq(&name),
                processors::service.eq(&service),
                processors::country.eq(&country),
                processors::outside_eea.eq(processor.outside_eea),
                processors::transfer_safeguard.eq(&safeguard),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id)
    })
}

const POLICY_NOTICE_SUBJECT: &str = "Évolution de notre politique de confidentialité";

/// A new policy version as the DPO publishes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, ts_rs::TS)]
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
    gate::run(conn, actor, Action::RegistersPolicyPublish, now, |gate| {
        publish_in_gate(gate, new)
    })
}

fn publish_in_gate(
    gate: &mut Gate<'_>,
    new: &NewPolicyVersion,
) -> Result<PolicyVersion, StoreError> {
    let version = text(&new.version, "version")?;
    let summary = text(&new.summary, "summary")?;
    let published = gate.at();
    let effective = new.effective_on.and_hms_opt(0, 0, 0).unwrap_or(published);
    if effective < published.date().and_hms_opt(0, 0, 0).unwrap_or(published) {
        return Err(ErrorCode::EffectiveInPast.into());
    }
    if new.significant
        && new.effective_on - published.date() < Duration::days(SIGNIFICANT_NOTICE_DAYS)
    {
        // POL-36: a significant change takes effect at least 30 days after it is announced.
        return Err(
            StoreError::refused(ErrorCode::NoticeTooShort).with("days", SIGNIFICANT_NOTICE_DAYS)
        );
    }
    let id = new_id();
    let device = gate.device().to_owned();
    let staff = gate.actor().staff_id.as_str().to_owned();
    let conn = gate.conn();
    let taken = policy_versions::table
        .filter(policy_versions::version.eq(&version))
        .count()
        .get_result::<i64>(conn)?;
    if taken > 0 {
        return Err(ErrorCode::VersionExists.into());
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
            policy_versions::updated_device.eq(&device),
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
        .bind::<diesel::sql_types::Text, _>(&device)
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
        .bind::<diesel::sql_types::Text, _>(&staff)
        .bind::<diesel::sql_types::Timestamp, _>(published)
        .bind::<diesel::sql_types::Text, _>(&device)
        .execute(conn)?;
    }
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
