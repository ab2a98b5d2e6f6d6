//! The DPO's operations (POL-23..38): rights desk, erasure, retention, registers, assistance, alerts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use domain::rights::{
    Channel, ConsentPurpose, ConsentSource, ObjectionPurpose, RectifiableField, RequestKind, Step,
};
use domain::{Actor, ParticipantId};
use serde::{Deserialize, Serialize};
use store::schema::{assistance_requests, rights_requests};
use store::{Store, StoreError};

use super::Op;

fn request_subject(
    conn: &mut SqliteConnection,
    request: &str,
) -> Result<Option<String>, StoreError> {
    Ok(rights_requests::table
        .find(request)
        .select(rights_requests::participant_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RegisterRightsRequest {
    pub participant_id: ParticipantId,
    pub request_kind: RequestKind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub objection_purpose: Option<ObjectionPurpose>,
}

impl Op for RegisterRightsRequest {
    type Output = store::rights::RequestRow;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::rights::register_request(
            store.connection(),
            actor,
            &store::rights::NewRequest {
                participant_id: self.participant_id.clone(),
                kind: self.request_kind,
                channel: self.channel,
                received_on: self.received_on,
                objection_purpose: self.objection_purpose,
            },
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AdvanceRightsRequest {
    pub request_id: String,
    pub step: Step,
}

impl Op for AdvanceRightsRequest {
    type Output = store::rights::RequestRow;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::rights::advance(store.connection(), actor, &self.request_id, &self.step, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        request_subject(conn, &self.request_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RectifyField {
    pub request_id: String,
    pub field: RectifiableField,
    pub value: String,
}

impl Op for RectifyField {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::rights::rectify(
            store.connection(),
            actor,
            &self.request_id,
            self.field,
            &self.value,
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        request_subject(conn, &self.request_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DecideObjection {
    pub request_id: String,
    pub accepted: bool,
    pub grounds: Option<String>,
}

impl Op for DecideObjection {
    type Output = store::rights::RequestRow;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::rights::decide_objection(
            store.connection(),
            actor,
            &self.request_id,
            self.accepted,
            self.grounds.as_deref(),
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        request_subject(conn, &self.request_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Unsubscribe {
    pub participant_id: ParticipantId,
    pub source: ConsentSource,
    pub request_id: Option<String>,
}

impl Op for Unsubscribe {
    type Output = store::rights::Preferences;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::rights::unsubscribe(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            self.source,
            self.request_id.as_deref(),
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RecordConsent {
    pub participant_id: ParticipantId,
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub source: ConsentSource,
}

impl Op for RecordConsent {
    type Output = store::rights::Preferences;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::rights::record_consent(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            self.purpose,
            self.granted,
            self.source,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EraseParticipant {
    pub participant_id: ParticipantId,
    pub reason: domain::access_export::ErasureReason,
    pub request_id: Option<String>,
    /// Whether the laptop runs the page-level residual check after the
    /// erasure (outside the operation, on the committed file); the server
    /// never does.
    #[serde(default)]
    pub deep: bool,
}

impl Op for EraseParticipant {
    /// The certificate (and, in memory only, what the deep check looks for).
    type Output = store::erase::ErasureOutcome;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::erase::erase(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            self.reason,
            self.request_id.as_deref(),
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportReport {
    pub session_id: String,
    /// The file as read, base64 (reports need not be UTF-8).
    pub report_base64: String,
    pub day_first: bool,
}

impl ImportReport {
    /// An import of `bytes` (the file as read) into `session_id`.
    pub fn of_file(session_id: String, bytes: &[u8], day_first: bool) -> Self {
        use base64::Engine as _;
        ImportReport {
            session_id,
            report_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            day_first,
        }
    }
}

impl Op for ImportReport {
    type Output = store::import::ImportSummary;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.report_base64)
            .map_err(|_| StoreError::InvalidInput("the report does not decode".to_owned()))?;
        store::import::import_report(
            store.connection(),
            actor,
            &self.session_id,
            &bytes,
            chrono_tz::Europe::Paris,
            self.day_first,
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ResolveUnmatched {
    pub row_id: String,
    pub participant_id: Option<ParticipantId>,
}

impl Op for ResolveUnmatched {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::import::resolve_unmatched(
            store.connection(),
            actor,
            &self.row_id,
            self.participant_id.as_ref().map(ParticipantId::as_str),
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(self.participant_id.as_ref().map(|p| p.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SetRetentionRule {
    pub key: String,
    pub value: u32,
}

impl Op for SetRetentionRule {
    type Output = Vec<domain::retention::RuleEntry>;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::retention::set_rule(store.connection(), actor, &self.key, self.value, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RetentionRun {}

impl Op for RetentionRun {
    type Output = store::retention::RunOutcome;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::retention::run(store.connection(), actor, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SaveProcessor {
    pub processor: store::registers::Processor,
}

impl Op for SaveProcessor {
    /// The processor's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::registers::save_processor(store.connection(), actor, &self.processor, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SaveActivity {
    pub activity: store::registers::Activity,
}

impl Op for SaveActivity {
    /// The activity's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::registers::save_activity(store.connection(), actor, &self.activity, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PublishPolicyVersion {
    pub version: store::registers::NewPolicyVersion,
}

impl Op for PublishPolicyVersion {
    type Output = store::registers::PolicyVersion;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::registers::publish_policy_version(store.connection(), actor, &self.version, at)
    }
}

fn assistance_subject(
    conn: &mut SqliteConnection,
    request: &str,
) -> Result<Option<String>, StoreError> {
    Ok(assistance_requests::table
        .find(request)
        .select(assistance_requests::participant_id)
        .first(conn)
        .optional()?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RenewAssistance {
    pub request_id: String,
}

impl Op for RenewAssistance {
    type Output = store::assistance::AssistanceRow;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::assistance::renew(store.connection(), actor, &self.request_id, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        assistance_subject(conn, &self.request_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CloseAssistance {
    pub request_id: String,
}

impl Op for CloseAssistance {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::assistance::close(store.connection(), actor, &self.request_id, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        assistance_subject(conn, &self.request_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AcknowledgeAlert {
    pub alert_id: String,
}

impl Op for AcknowledgeAlert {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::audit::acknowledge_alert(store.connection(), actor, &self.alert_id, at)
    }
}
