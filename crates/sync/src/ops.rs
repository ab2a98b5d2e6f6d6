//! Named domain operations (sync.md): every change a staff member makes that
//! must reach the server. The same [`Operation::run`] applies one on the
//! laptop (at once, optimistically), on the server (authoritatively, with the
//! pushing user as the actor, so the store's role, scope and business checks
//! run again there) and on the laptop again when a pull rebases its pending
//! operations. Rows an operation creates get ids derived from the operation's
//! id ([`domain::ids::with_seeded_ids`]), so they are the same everywhere.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use domain::Actor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::schema::{assistance_requests, enrolments, objectives, progress_notes, rights_requests};
use store::{Store, StoreError};

/// Mirrors `store::rights::Step` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum RequestStep {
    CheckIdentity { method: String },
    Start,
    Extend { grounds: String },
    Answer { note: Option<String> },
    Refuse { grounds: String },
}

impl RequestStep {
    fn to_store(&self) -> store::rights::Step {
        use store::rights::Step;
        match self.clone() {
            RequestStep::CheckIdentity { method } => Step::CheckIdentity { method },
            RequestStep::Start => Step::Start,
            RequestStep::Extend { grounds } => Step::Extend { grounds },
            RequestStep::Answer { note } => Step::Answer { note },
            RequestStep::Refuse { grounds } => Step::Refuse { grounds },
        }
    }
}

/// Every operation that syncs. Field names are the wire format: adding a
/// field needs `#[serde(default)]`, renaming one needs a new variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    // ROLE-1, POL-9: the trainer's preparation sheet.
    AddProgressNote {
        participant_id: String,
        body: String,
    },
    EditProgressNote {
        note_id: String,
        body: String,
    },
    AddObjective {
        participant_id: String,
        body: String,
    },
    EditObjective {
        objective_id: String,
        body: String,
    },
    SetAttendance {
        session_id: String,
        participant_id: String,
        present: bool,
    },
    // ROLE-3, POL-10: registrations and groups.
    ConfirmPlace {
        enrolment_id: String,
        group_id: String,
        waiver_reason: Option<String>,
    },
    CancelEnrolment {
        enrolment_id: String,
    },
    MoveEnrolment {
        enrolment_id: String,
        group_id: String,
    },
    AddSession {
        group_id: String,
        title: String,
        session_kind: String,
        starts: DateTime<Utc>,
        ends: DateTime<Utc>,
        room_id: Option<String>,
    },
    UpdateGroup {
        group_id: String,
        trainer_id: Option<String>,
        /// `Some(None)` takes the room away.
        room_id: Option<Option<String>>,
        capacity: Option<i32>,
        schedule: Option<String>,
    },
    ApplyBalancing {
        programme_id: String,
        assignments: BTreeMap<String, String>,
    },
    // POL-13: messages from templates, sent by the server.
    QueueMessages {
        template: domain::messages::Template,
        group_id: String,
        session_id: Option<String>,
        programme_id: Option<String>,
    },
    // POL-23..28, POL-38: the DPO's desk.
    RegisterRightsRequest {
        participant_id: String,
        request_kind: String,
        channel: String,
        received_on: NaiveDate,
        objection_purpose: Option<String>,
    },
    AdvanceRightsRequest {
        request_id: String,
        step: RequestStep,
    },
    RectifyField {
        request_id: String,
        field: String,
        value: String,
    },
    DecideObjection {
        request_id: String,
        accepted: bool,
        grounds: Option<String>,
    },
    Unsubscribe {
        participant_id: String,
        source: String,
        request_id: Option<String>,
    },
    RecordConsent {
        participant_id: String,
        purpose: String,
        granted: bool,
        source: String,
    },
    /// POL-25, POL-35: erasure; on the server it leaves a tombstone.
    EraseParticipant {
        participant_id: String,
        reason: String,
        request_id: Option<String>,
        /// The page-level residual check on the laptop; the server always
        /// runs the targeted one only.
        #[serde(default)]
        deep: bool,
    },
    // POL-4: a videoconference report imported into a session; the server
    // matches its rows against its own participants (same ids as the laptop).
    ImportReport {
        session_id: String,
        /// The file as read, base64 (reports need not be UTF-8).
        report_base64: String,
        day_first: bool,
    },
    ResolveUnmatched {
        row_id: String,
        participant_id: Option<String>,
    },
    // POL-29..33: the retention rules and the sweep. The server runs the
    // sweep again at the operation's time on its own data: its erasures
    // leave tombstones for every laptop (sync.md inv. 3).
    SetRetentionRule {
        key: String,
        value: u32,
    },
    RetentionRun {},
    // POL-34, POL-36: the registers and the policy versions.
    SaveProcessor {
        processor: store::registers::Processor,
    },
    SaveActivity {
        activity: store::registers::Activity,
    },
    PublishPolicyVersion {
        version: store::registers::NewPolicyVersion,
    },
    // ROLE-4: support access decided by the DPO.
    RenewAssistance {
        request_id: String,
    },
    CloseAssistance {
        request_id: String,
    },
    // POL-21: the DPO marks a server-raised anomaly alert as handled.
    AcknowledgeAlert {
        alert_id: String,
    },
}

impl Operation {
    /// A stable name, for the outbox and the refusals list (no data).
    pub fn kind(&self) -> &'static str {
        match self {
            Operation::AddProgressNote { .. } => "add_progress_note",
            Operation::EditProgressNote { .. } => "edit_progress_note",
            Operation::AddObjective { .. } => "add_objective",
            Operation::EditObjective { .. } => "edit_objective",
            Operation::SetAttendance { .. } => "set_attendance",
            Operation::ConfirmPlace { .. } => "confirm_place",
            Operation::CancelEnrolment { .. } => "cancel_enrolment",
            Operation::MoveEnrolment { .. } => "move_enrolment",
            Operation::AddSession { .. } => "add_session",
            Operation::UpdateGroup { .. } => "update_group",
            Operation::ApplyBalancing { .. } => "apply_balancing",
            Operation::QueueMessages { .. } => "queue_messages",
            Operation::RegisterRightsRequest { .. } => "register_rights_request",
            Operation::AdvanceRightsRequest { .. } => "advance_rights_request",
            Operation::RectifyField { .. } => "rectify_field",
            Operation::DecideObjection { .. } => "decide_objection",
            Operation::Unsubscribe { .. } => "unsubscribe",
            Operation::RecordConsent { .. } => "record_consent",
            Operation::EraseParticipant { .. } => "erase_participant",
            Operation::ImportReport { .. } => "import_report",
            Operation::ResolveUnmatched { .. } => "resolve_unmatched",
            Operation::SetRetentionRule { .. } => "set_retention_rule",
            Operation::RetentionRun { .. } => "retention_run",
            Operation::SaveProcessor { .. } => "save_processor",
            Operation::SaveActivity { .. } => "save_activity",
            Operation::PublishPolicyVersion { .. } => "publish_policy_version",
            Operation::RenewAssistance { .. } => "renew_assistance",
            Operation::CloseAssistance { .. } => "close_assistance",
            Operation::AcknowledgeAlert { .. } => "acknowledge_alert",
        }
    }

    /// The participant this operation is about, looked up in `conn` when the
    /// operation names a row of theirs; `None` for group-level operations.
    pub fn subject(&self, conn: &mut SqliteConnection) -> Result<Option<String>, StoreError> {
        Ok(match self {
            Operation::AddProgressNote { participant_id, .. }
            | Operation::AddObjective { participant_id, .. }
            | Operation::SetAttendance { participant_id, .. }
            | Operation::RegisterRightsRequest { participant_id, .. }
            | Operation::Unsubscribe { participant_id, .. }
            | Operation::RecordConsent { participant_id, .. }
            | Operation::EraseParticipant { participant_id, .. } => Some(participant_id.clone()),
            Operation::EditProgressNote { note_id, .. } => progress_notes::table
                .find(note_id)
                .select(progress_notes::participant_id)
                .first(conn)
                .optional()?,
            Operation::EditObjective { objective_id, .. } => objectives::table
                .find(objective_id)
                .select(objectives::participant_id)
                .first(conn)
                .optional()?,
            Operation::ConfirmPlace { enrolment_id, .. }
            | Operation::CancelEnrolment { enrolment_id }
            | Operation::MoveEnrolment { enrolment_id, .. } => enrolments::table
                .find(enrolment_id)
                .select(enrolments::participant_id)
                .first(conn)
                .optional()?,
            Operation::AdvanceRightsRequest { request_id, .. }
            | Operation::RectifyField { request_id, .. }
            | Operation::DecideObjection { request_id, .. } => rights_requests::table
                .find(request_id)
                .select(rights_requests::participant_id)
                .first::<Option<String>>(conn)
                .optional()?
                .flatten(),
            Operation::ResolveUnmatched { participant_id, .. } => participant_id.clone(),
            Operation::RenewAssistance { request_id }
            | Operation::CloseAssistance { request_id } => assistance_requests::table
                .find(request_id)
                .select(assistance_requests::participant_id)
                .first(conn)
                .optional()?,
            Operation::AddSession { .. }
            | Operation::UpdateGroup { .. }
            | Operation::ApplyBalancing { .. }
            | Operation::QueueMessages { .. }
            | Operation::ImportReport { .. }
            | Operation::SetRetentionRule { .. }
            | Operation::RetentionRun {}
            | Operation::SaveProcessor { .. }
            | Operation::SaveActivity { .. }
            | Operation::PublishPolicyVersion { .. }
            | Operation::AcknowledgeAlert { .. } => None,
        })
    }

    /// Whether the operation must run outside an enclosing transaction
    /// (erasure checkpoints the WAL for its page-level residual check).
    pub fn runs_alone(&self) -> bool {
        matches!(self, Operation::EraseParticipant { deep: true, .. })
    }

    /// Applies the operation through the store's own function, as `actor`, at
    /// `at`, with ids seeded by `op_id`. Returns what the store function
    /// returned, as the window shows it.
    pub fn run(
        &self,
        store: &mut Store,
        actor: &Actor,
        op_id: &str,
        at: DateTime<Utc>,
    ) -> Result<serde_json::Value, StoreError> {
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        domain::ids::with_seeded_ids(op_id, millis, || self.dispatch(store, actor, at))
    }

    fn dispatch(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<serde_json::Value, StoreError> {
        use store::{enrolment, messages, planning, rights, trainer};
        let conn = store.connection();
        match self {
            Operation::AddProgressNote {
                participant_id,
                body,
            } => json(trainer::add_progress_note(
                conn,
                actor,
                participant_id,
                body,
                at,
            )),
            Operation::EditProgressNote { note_id, body } => {
                json(trainer::edit_progress_note(conn, actor, note_id, body, at))
            }
            Operation::AddObjective {
                participant_id,
                body,
            } => json(trainer::add_objective(
                conn,
                actor,
                participant_id,
                body,
                at,
            )),
            Operation::EditObjective { objective_id, body } => {
                json(trainer::edit_objective(conn, actor, objective_id, body, at))
            }
            Operation::SetAttendance {
                session_id,
                participant_id,
                present,
            } => json(trainer::set_attendance(
                conn,
                actor,
                session_id,
                participant_id,
                *present,
                at,
            )),
            Operation::ConfirmPlace {
                enrolment_id,
                group_id,
                waiver_reason,
            } => json(enrolment::confirm_place(
                conn,
                actor,
                enrolment_id,
                group_id,
                waiver_reason.as_deref(),
                at,
            )),
            Operation::CancelEnrolment { enrolment_id } => {
                json(enrolment::cancel(conn, actor, enrolment_id, at))
            }
            Operation::MoveEnrolment {
                enrolment_id,
                group_id,
            } => json(enrolment::move_to_group(
                conn,
                actor,
                enrolment_id,
                group_id,
                at,
            )),
            Operation::AddSession {
                group_id,
                title,
                session_kind,
                starts,
                ends,
                room_id,
            } => json(planning::add_session(
                conn,
                actor,
                &planning::NewSessionPlan {
                    group: group_id,
                    title,
                    kind: session_kind,
                    starts: *starts,
                    ends: *ends,
                    room: room_id.as_deref(),
                },
                at,
            )),
            Operation::UpdateGroup {
                group_id,
                trainer_id,
                room_id,
                capacity,
                schedule,
            } => json(planning::update_group(
                conn,
                actor,
                group_id,
                &planning::GroupChange {
                    trainer: trainer_id.as_deref(),
                    room: room_id.as_ref().map(|room| room.as_deref()),
                    capacity: *capacity,
                    schedule: schedule.as_deref(),
                },
                at,
            )),
            Operation::ApplyBalancing {
                programme_id,
                assignments,
            } => json(store::balancing::apply(
                conn,
                actor,
                programme_id,
                assignments,
                at,
            )),
            Operation::QueueMessages {
                template,
                group_id,
                session_id,
                programme_id,
            } => {
                let recipients = messages::group_recipients(conn, group_id)?;
                let context = messages::MessageContext {
                    session: session_id.as_deref(),
                    group: Some(group_id),
                    programme: programme_id.as_deref(),
                };
                json(messages::queue(
                    conn,
                    actor,
                    *template,
                    &recipients,
                    &context,
                    at,
                ))
            }
            Operation::RegisterRightsRequest {
                participant_id,
                request_kind,
                channel,
                received_on,
                objection_purpose,
            } => json(rights::register_request(
                conn,
                actor,
                &rights::NewRequest {
                    participant_id: participant_id.clone(),
                    kind: request_kind.clone(),
                    channel: channel.clone(),
                    received_on: *received_on,
                    objection_purpose: objection_purpose.clone(),
                },
                at,
            )),
            Operation::AdvanceRightsRequest { request_id, step } => json(rights::advance(
                conn,
                actor,
                request_id,
                &step.to_store(),
                at,
            )),
            Operation::RectifyField {
                request_id,
                field,
                value,
            } => json(rights::rectify(conn, actor, request_id, field, value, at)),
            Operation::DecideObjection {
                request_id,
                accepted,
                grounds,
            } => json(rights::decide_objection(
                conn,
                actor,
                request_id,
                *accepted,
                grounds.as_deref(),
                at,
            )),
            Operation::Unsubscribe {
                participant_id,
                source,
                request_id,
            } => json(rights::unsubscribe(
                conn,
                actor,
                participant_id,
                source,
                request_id.as_deref(),
                at,
            )),
            Operation::RecordConsent {
                participant_id,
                purpose,
                granted,
                source,
            } => json(rights::record_consent(
                conn,
                actor,
                participant_id,
                purpose,
                *granted,
                source,
                at,
            )),
            Operation::EraseParticipant {
                participant_id,
                reason,
                request_id,
                deep,
            } => {
                let reason = store::erase::parse_reason(reason)
                    .ok_or_else(|| StoreError::InvalidInput("unknown erasure reason".to_owned()))?;
                json(store::erase::erase(
                    store,
                    actor,
                    participant_id,
                    reason,
                    request_id.as_deref(),
                    *deep,
                    at,
                ))
            }
            Operation::ImportReport {
                session_id,
                report_base64,
                day_first,
            } => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(report_base64)
                    .map_err(|_| {
                        StoreError::InvalidInput("the report does not decode".to_owned())
                    })?;
                json(store::import::import_report(
                    conn,
                    actor,
                    session_id,
                    &bytes,
                    chrono_tz::Europe::Paris,
                    *day_first,
                    at,
                ))
            }
            Operation::ResolveUnmatched {
                row_id,
                participant_id,
            } => json(store::import::resolve_unmatched(
                conn,
                actor,
                row_id,
                participant_id.as_deref(),
                at,
            )),
            Operation::SetRetentionRule { key, value } => {
                json(store::retention::set_rule(conn, actor, key, *value, at))
            }
            Operation::RetentionRun {} => json(store::retention::run(store, actor, at)),
            Operation::SaveProcessor { processor } => {
                json(store::registers::save_processor(conn, actor, processor, at))
            }
            Operation::SaveActivity { activity } => {
                json(store::registers::save_activity(conn, actor, activity, at))
            }
            Operation::PublishPolicyVersion { version } => json(
                store::registers::publish_policy_version(conn, actor, version, at),
            ),
            Operation::RenewAssistance { request_id } => {
                json(store::assistance::renew(conn, actor, request_id, at))
            }
            Operation::CloseAssistance { request_id } => {
                json(store::assistance::close(conn, actor, request_id, at))
            }
            Operation::AcknowledgeAlert { alert_id } => {
                json(store::audit::acknowledge_alert(conn, actor, alert_id, at))
            }
        }
    }

    /// Encodes a report file for [`Operation::ImportReport`].
    pub fn encode_report(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

fn json<T: Serialize>(result: Result<T, StoreError>) -> Result<serde_json::Value, StoreError> {
    let value = result?;
    serde_json::to_value(value).map_err(|e| StoreError::Database(format!("encoding a result: {e}")))
}

/// Commands of the window that change data and are not operations, with the
/// reason they stay on the laptop. `crates/sync/tests/registry.rs` fails when a changing
/// command is neither an [`Operation`] nor listed here.
pub const LOCAL_ONLY: &[(store::api::Command, &str)] = &[
    (
        store::api::Command::SignIn,
        "local sign-in against the laptop's copy of the staff account",
    ),
    (
        store::api::Command::SignOut,
        "ends the session on this laptop",
    ),
];
