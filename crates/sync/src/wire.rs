//! What travels between a laptop and the central server (JSON over HTTPS,
//! POL-17). Shared by the client engine and the server so both sides agree by
//! construction. No type here carries a password or a token in a `Debug`
//! output, and error bodies name codes and ids, never a person (POL-22).

use crate::ops::Operation;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version of the protocol; the server refuses another one with 400.
pub const PROTOCOL: u32 = 1;

/// Most operations one push may carry (bounded requests).
pub const MAX_OPS_PER_PUSH: usize = 500;
/// Most participants one pull may ask to fetch.
pub const MAX_FETCH: usize = 500;
/// Most audit entries one audit push may carry.
pub const MAX_AUDIT_PER_PUSH: usize = 5_000;
/// Largest request body the server reads, in bytes.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One operation as the laptop made it: its random id (UUID v7), when it was
/// made (the laptop's clock; the rows it writes carry this time on both sides)
/// and what it does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Envelope {
    pub id: String,
    pub at: DateTime<Utc>,
    pub op: Operation,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct PushRequest {
    pub protocol: u32,
    pub ops: Vec<Envelope>,
}

/// The server's answer for one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// Refused by the server's checks: `code` is stable, `message` names ids only.
    Refused {
        code: String,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OpAnswer {
    pub id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct PushResponse {
    pub answers: Vec<OpAnswer>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct PullRequest {
    pub protocol: u32,
    /// The last change-log sequence the laptop applied (0: never synced).
    pub cursor: i64,
    /// Participants of the scope the laptop does not hold yet.
    #[serde(default)]
    pub fetch: Vec<String>,
    /// Send every reference table whole (after a refused group-level change).
    #[serde(default)]
    pub reference: bool,
}

/// Rows of one table, each a JSON object keyed by column name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TableRows {
    pub table: String,
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Everything the laptop's role may hold about one participant, current as of
/// the pull: it replaces what the laptop had.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Bundle {
    pub subject: String,
    pub tables: Vec<TableRows>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct PullResponse {
    /// The cursor to send next time.
    pub cursor: i64,
    /// More changes wait after `cursor`: pull again at once.
    pub more: bool,
    /// Reference tables (planning, staff names, registers) that changed, each
    /// whole: rows missing from it are deleted on the laptop.
    pub reference: Vec<TableRows>,
    /// Participants whose rows changed, or asked for in `fetch`.
    pub bundles: Vec<Bundle>,
    /// Erasure tombstones: the laptop erases these ids and drops their
    /// pending operations (sync.md inv. 3).
    pub erased: Vec<String>,
    /// The laptop's whole scope, when it has one (trainers, external
    /// trainers, support) or on a first sync: anything held outside it is
    /// purged, anything in it not held is fetched (sync.md inv. 1, 2).
    pub scope: Option<Vec<String>>,
    /// The laptop's cursor came from another history of the server (a
    /// restore from a backup, issue 14): it fetches every participant of
    /// its scope again, not only those it does not hold.
    #[serde(default)]
    pub refetch: bool,
}

/// Registration of a laptop to one staff account (sign-in on the server).
#[derive(Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct RegisterDevice {
    pub protocol: u32,
    pub username: String,
    pub password: String,
    pub device_id: String,
    pub label: String,
}

impl std::fmt::Debug for RegisterDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterDevice")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// Registration of a laptop with an enrolment code (issue 14): the code's
/// one-time secret names the account, the password proves the person.
#[derive(Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct EnrolDevice {
    pub protocol: u32,
    pub secret: String,
    pub password: String,
    pub device_id: String,
    pub label: String,
}

impl std::fmt::Debug for EnrolDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolDevice")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// The laptops registered on the server (`GET /v1/devices`, the office's list).
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct DeviceList {
    pub devices: Vec<store::accounts::DeviceRow>,
}

/// The staff account a device belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StaffInfo {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

#[derive(Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct DeviceRegistered {
    /// Bearer token; the laptop keeps it in the OS keyring.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffInfo,
}

impl std::fmt::Debug for DeviceRegistered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRegistered")
            .field("expires_at", &self.expires_at)
            .field("staff", &self.staff.id)
            .finish_non_exhaustive()
    }
}

/// One entry of a laptop's audit trail, as pushed (ids only, POL-21).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, diesel::Queryable, ts_rs::TS)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    /// As hashed: RFC 3339, microseconds, UTC.
    pub at: String,
    pub actor_id: String,
    pub action: String,
    pub participant_id: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditPush {
    pub protocol: u32,
    pub entries: Vec<AuditEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditAck {
    /// The highest device sequence the server holds for this device.
    pub stored_through: i64,
}

/// Every 4xx/5xx answer: a stable code the client switches on, and a message
/// in plain words that names no person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// Error codes of the protocol.
pub mod codes {
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    pub const TOKEN_EXPIRED: &str = "token_expired";
    /// The server was restored from a backup and forgot every device token:
    /// the laptop signs in again (registers the same device) and keeps its
    /// pending changes (401).
    pub const SERVER_RESTORED: &str = "server_restored";
    /// The device was revoked: the laptop wipes its store and key.
    pub const DEVICE_REVOKED: &str = "device_revoked";
    pub const BAD_CREDENTIALS: &str = "bad_credentials";
    pub const LOCKED: &str = "locked";
    pub const MALFORMED: &str = "malformed";
    pub const TOO_LARGE: &str = "too_large";
    pub const PROTOCOL: &str = "protocol";
    pub const SERVER: &str = "server";
    /// Refusal of an operation about an erased participant.
    pub const ERASED: &str = "erased";
    /// Enrolment codes (issue 14): unknown (or forged), already used, expired.
    pub const ENROLMENT_CODE_INVALID: &str = "enrolment_code_invalid";
    pub const ENROLMENT_CODE_USED: &str = "enrolment_code_used";
    pub const ENROLMENT_CODE_EXPIRED: &str = "enrolment_code_expired";
    pub const NOT_PERMITTED: &str = "not_permitted";
}
