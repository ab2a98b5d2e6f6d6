//! Named domain operations (sync.md): every change a staff member makes that
//! must reach the server. Each is a struct implementing [`Op`], whose
//! [`Op::apply`] calls the store's own function and answers its typed value;
//! [`Operation`] is the enum of them all, the wire format. The same `apply`
//! runs on the laptop (at once, optimistically, through
//! [`crate::local::apply`]), on the server (authoritatively, with the pushing
//! user as the actor, so the store's role, scope and business checks run
//! again there) and on the laptop again when a pull rebases its pending
//! operations. Rows an operation creates get ids derived from the
//! operation's id ([`domain::ids::with_seeded_ids`]), so they are the same
//! everywhere.
//!
//! Field names are the wire format: adding a field needs `#[serde(default)]`,
//! renaming one needs a new operation.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use domain::enrolment::SessionKind;
use domain::rights::{
    Channel, ConsentPurpose, ConsentSource, ObjectionPurpose, RectifiableField, RequestKind, Step,
};
use domain::{Actor, ParticipantId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::schema::{assistance_requests, enrolments, objectives, progress_notes, rights_requests};
use store::{Store, StoreError};

/// One kind of change that syncs.
pub trait Op: Clone + Into<Operation> {
    /// What the store function answers, as the window receives it.
    type Output: Serialize;

    /// Runs the store's own function as `actor` at `at`.
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError>;

    /// The participant the operation is about, looked up in the store when the
    /// operation names a row of theirs; `None` for group-level operations.
    fn subject(&self, _conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(None)
    }
}

/// Runs `op` with ids seeded by `op_id` and `at` (the same rows everywhere).
pub fn run_seeded<O: Op>(
    op: &O,
    store: &mut Store,
    actor: &Actor,
    op_id: &str,
    at: DateTime<Utc>,
) -> Result<O::Output, StoreError> {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    domain::ids::with_seeded_ids(op_id, millis, || op.apply(store, actor, at))
}

macro_rules! operations {
    ($($(#[doc = $doc:literal])* $variant:ident => $kind:literal,)+) => {
        /// Every operation that syncs, as it travels (`{"kind": "...", ...fields}`).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
        #[serde(tag = "kind")]
        pub enum Operation {
            $($(#[doc = $doc])* #[serde(rename = $kind)] $variant($variant),)+
        }

        impl Operation {
            /// A stable name, for the outbox and the refusals list (no data).
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Operation::$variant(_) => $kind,)+
                }
            }

            /// The participant the operation is about (see [`Op::subject`]).
            pub fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
                match self {
                    $(Operation::$variant(op) => op.subject(conn),)+
                }
            }

            /// Applies the operation as `actor`, with ids seeded by `op_id`
            /// (the server's push and the laptop's rebase; the answer is dropped).
            pub fn run(&self, store: &mut Store, actor: &Actor, op_id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
                match self {
                    $(Operation::$variant(op) => run_seeded(op, store, actor, op_id, at).map(drop),)+
                }
            }

            /// Every kind, for the registry test.
            pub const KINDS: &'static [&'static str] = &[$($kind,)+];
        }

        /// Any operation, its answer as JSON: the replays and the tests that
        /// hold operations of several kinds.
        impl Op for Operation {
            type Output = serde_json::Value;

            fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<serde_json::Value, StoreError> {
                match self {
                    $(Operation::$variant(op) => serde_json::to_value(op.apply(store, actor, at)?)
                        .map_err(|error| StoreError::Database(format!("answer not serialisable: {error}"))),)+
                }
            }

            fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
                Operation::subject(self, conn)
            }
        }

        $(impl From<$variant> for Operation {
            fn from(op: $variant) -> Self {
                Operation::$variant(op)
            }
        })+
    };
}

operations! {
    /// ROLE-1, POL-9: the trainer's preparation sheet.
    AddProgressNote => "add_progress_note",
    EditProgressNote => "edit_progress_note",
    AddObjective => "add_objective",
    EditObjective => "edit_objective",
    SetAttendance => "set_attendance",
    /// ROLE-3, POL-10: registrations and groups.
    ConfirmPlace => "confirm_place",
    CancelEnrolment => "cancel_enrolment",
    MoveEnrolment => "move_enrolment",
    AddSession => "add_session",
    UpdateGroup => "update_group",
    ApplyBalancing => "apply_balancing",
    /// POL-13: messages from templates, sent by the server.
    QueueMessages => "queue_messages",
    /// POL-23..28, POL-38: the DPO's desk.
    RegisterRightsRequest => "register_rights_request",
    AdvanceRightsRequest => "advance_rights_request",
    RectifyField => "rectify_field",
    DecideObjection => "decide_objection",
    Unsubscribe => "unsubscribe",
    RecordConsent => "record_consent",
    /// POL-25, POL-35: erasure; on the server it leaves a tombstone.
    EraseParticipant => "erase_participant",
    /// POL-4: a videoconference report imported into a session; the server
    /// matches its rows against its own participants (same ids as the laptop).
    ImportReport => "import_report",
    ResolveUnmatched => "resolve_unmatched",
    /// POL-29..33: the retention rules and the sweep. The server runs the
    /// sweep again at the operation's time on its own data: its erasures
    /// leave tombstones for every laptop (sync.md inv. 3).
    SetRetentionRule => "set_retention_rule",
    RetentionRun => "retention_run",
    /// POL-34, POL-36: the registers and the policy versions.
    SaveProcessor => "save_processor",
    SaveActivity => "save_activity",
    PublishPolicyVersion => "publish_policy_version",
    /// ROLE-4: support access decided by the DPO.
    RenewAssistance => "renew_assistance",
    CloseAssistance => "close_assistance",
    /// POL-21: the DPO marks a server-raised anomaly alert as handled.
    AcknowledgeAlert => "acknowledge_alert",
}

// ---------------------------------------------------------------- trainer

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AddProgressNote {
    pub participant_id: ParticipantId,
    pub body: String,
}

impl Op for AddProgressNote {
    /// The new note's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::trainer::add_progress_note(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            &self.body,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EditProgressNote {
    pub note_id: String,
    pub body: String,
}

impl Op for EditProgressNote {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::trainer::edit_progress_note(store.connection(), actor, &self.note_id, &self.body, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(progress_notes::table
            .find(&self.note_id)
            .select(progress_notes::participant_id)
            .first(conn)
            .optional()?)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AddObjective {
    pub participant_id: ParticipantId,
    pub body: String,
}

impl Op for AddObjective {
    /// The new objective's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::trainer::add_objective(
            store.connection(),
            actor,
            self.participant_id.as_str(),
            &self.body,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EditObjective {
    pub objective_id: String,
    pub body: String,
}

impl Op for EditObjective {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::trainer::edit_objective(
            store.connection(),
            actor,
            &self.objective_id,
            &self.body,
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(objectives::table
            .find(&self.objective_id)
            .select(objectives::participant_id)
            .first(conn)
            .optional()?)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SetAttendance {
    pub session_id: String,
    pub participant_id: ParticipantId,
    pub present: bool,
}

impl Op for SetAttendance {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::trainer::set_attendance(
            store.connection(),
            actor,
            &self.session_id,
            self.participant_id.as_str(),
            self.present,
            at,
        )
    }
    fn subject(&self, _: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(Some(self.participant_id.0.clone()))
    }
}

// ---------------------------------------------------------------- office

fn enrolment_subject(
    conn: &mut SqliteConnection,
    enrolment: &str,
) -> Result<Option<String>, StoreError> {
    Ok(enrolments::table
        .find(enrolment)
        .select(enrolments::participant_id)
        .first(conn)
        .optional()?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConfirmPlace {
    pub enrolment_id: String,
    pub group_id: String,
    pub waiver_reason: Option<String>,
}

impl Op for ConfirmPlace {
    type Output = store::enrolment::Placement;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::enrolment::confirm_place(
            store.connection(),
            actor,
            &self.enrolment_id,
            &self.group_id,
            self.waiver_reason.as_deref(),
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CancelEnrolment {
    pub enrolment_id: String,
}

impl Op for CancelEnrolment {
    /// The freed place offered to the waitlist, if any.
    type Output = Option<store::enrolment::Offer>;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::enrolment::cancel(store.connection(), actor, &self.enrolment_id, at)
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MoveEnrolment {
    pub enrolment_id: String,
    pub group_id: String,
}

impl Op for MoveEnrolment {
    type Output = Option<store::enrolment::Offer>;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::enrolment::move_to_group(
            store.connection(),
            actor,
            &self.enrolment_id,
            &self.group_id,
            at,
        )
    }
    fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        enrolment_subject(conn, &self.enrolment_id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AddSession {
    pub group_id: String,
    pub title: String,
    pub session_kind: SessionKind,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub room_id: Option<String>,
}

impl Op for AddSession {
    /// The new session's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::planning::add_session(
            store.connection(),
            actor,
            &store::planning::NewSessionPlan {
                group: &self.group_id,
                title: &self.title,
                kind: self.session_kind,
                starts: self.starts,
                ends: self.ends,
                room: self.room_id.as_deref(),
            },
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct UpdateGroup {
    pub group_id: String,
    pub trainer_id: Option<String>,
    /// `Some(None)` takes the room away.
    pub room_id: Option<Option<String>>,
    pub capacity: Option<i32>,
    pub schedule: Option<String>,
}

impl Op for UpdateGroup {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::planning::update_group(
            store.connection(),
            actor,
            &self.group_id,
            &store::planning::GroupChange {
                trainer: self.trainer_id.as_deref(),
                room: self.room_id.as_ref().map(|room| room.as_deref()),
                capacity: self.capacity,
                schedule: self.schedule.as_deref(),
            },
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApplyBalancing {
    pub programme_id: String,
    pub assignments: BTreeMap<String, String>,
}

impl Op for ApplyBalancing {
    type Output = store::balancing::Applied;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::balancing::apply(
            store.connection(),
            actor,
            &self.programme_id,
            &self.assignments,
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QueueMessages {
    pub template: domain::messages::Template,
    pub group_id: String,
    pub session_id: Option<String>,
    pub programme_id: Option<String>,
}

impl Op for QueueMessages {
    type Output = store::messages::Queued;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        let context = store::messages::MessageContext {
            session: self.session_id.as_deref(),
            group: Some(&self.group_id),
            programme: self.programme_id.as_deref(),
        };
        store::messages::queue(
            store.connection(),
            actor,
            self.template,
            &self.group_id,
            &context,
            at,
        )
    }
}

// ---------------------------------------------------------------- DPO

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

/// Commands of the window that change data and are not operations, with the
/// reason they stay on the laptop. `crates/sync/tests/registry.rs` fails when a
/// changing command is neither an [`Operation`] nor listed here.
pub const LOCAL_ONLY: &[(contract::Command, &str)] = &[
    (
        contract::Command::SignIn,
        "local sign-in against the laptop's copy of the staff account",
    ),
    (
        contract::Command::SignOut,
        "ends the session on this laptop",
    ),
];
