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

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::Actor;
use serde::{Deserialize, Serialize};
use store::{Store, StoreError};

mod accounts;
mod dpo;
mod intake;
mod office;
mod trainer;
pub use accounts::*;
pub use dpo::*;
pub use intake::*;
pub use office::*;
pub use trainer::*;
// Issue 15: spreadsheet import
mod families;
pub use families::*;

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
    /// Issue 14, POL-18: staff accounts, laptops, one's own password.
    CreateStaff => "create_staff",
    ResetStaffPassword => "reset_staff_password",
    DeactivateStaff => "deactivate_staff",
    IssueEnrolmentCode => "issue_enrolment_code",
    RevokeDevice => "revoke_device",
    ChangeOwnPassword => "change_own_password",
    /// Issue 15, POL-6, POL-7, POL-35: registrations and payments by the office.
    RegisterFamily => "register_family",
    RecordPayment => "record_payment",
    RefundPayment => "refund_payment",
    MatchPayment => "match_payment",
    // Issue 15: spreadsheet import
    /// POL-7, POL-35: one part of the office's spreadsheet of families.
    ImportFamilies => "import_families",
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
    (
        contract::Command::ConnectLaptop,
        "registers this laptop with the server (the server records it at once) and keeps its address",
    ),
    // Issue 15: spreadsheet import
    (
        contract::Command::PreviewFamiliesImport,
        "a dry run changes nothing; it keeps the office's column mapping on this laptop for next time (labels, no personal data)",
    ),
];
