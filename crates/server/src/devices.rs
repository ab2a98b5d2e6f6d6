//! Devices and their bearer tokens (sync.md, "Devices"). A laptop registers
//! to one staff account by signing in on the server (argon2id, throttled and
//! audited by `store::auth::sign_in`, POL-18) and receives a token: 32 random
//! bytes as hex, of which the store keeps only the SHA-256. Every other
//! request resolves its token to the [`Actor`] it acts as. A revoked device
//! stays revoked for ever: its laptop wipes itself when told so.

use crate::error::{server_codes, ApiError};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::time::utc;
use domain::{Actor, DeviceId, Role, StaffId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::audit::{self, Outcome};
use store::auth::SignInError;
use store::schema::{device_tokens, devices, staff};
use store::{Store, StoreError};
use sync::wire::{codes, DeviceRegistered, RegisterDevice, StaffInfo};
use zeroize::Zeroizing;

/// Days a token stays valid unless `--token-days` says otherwise.
pub const DEFAULT_TOKEN_DAYS: i64 = 30;
/// Longest token lifetime `--token-days` accepts.
pub const MAX_TOKEN_DAYS: i64 = 365;
/// Longest device label kept; longer ones are cut.
pub const MAX_LABEL_CHARS: usize = 100;
const TOKEN_BYTES: usize = 32;

/// Why a registration, a token or an admin device command was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("unknown user name or wrong password")]
    BadCredentials,
    #[error("too many failed sign-in attempts: try again after {}", .until.to_rfc3339())]
    Locked { until: DateTime<Utc> },
    #[error("this device has been revoked; it can never be used or registered again")]
    Revoked,
    #[error("this device id is registered to another staff account")]
    Conflict,
    #[error("the device id must be a UUID")]
    InvalidDeviceId,
    #[error("unknown device token")]
    UnknownToken,
    #[error("the device token has expired; register the device again")]
    Expired,
    #[error("the server was restored from a backup: sign in again on this laptop to reconnect it; your pending changes are kept")]
    Restored,
    #[error("this staff account is not active")]
    Inactive,
    #[error("no staff account has that user name")]
    UnknownStaff,
    #[error("no registered device has the id {0}")]
    UnknownDevice(String),
    #[error("unknown enrolment code")]
    CodeInvalid,
    #[error("this enrolment code has already been used")]
    CodeUsed,
    #[error("this enrolment code has expired")]
    CodeExpired,
    #[error("store error [{code}]: {source}", code = .0.code(), source = .0)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for DeviceError {
    fn from(error: diesel::result::Error) -> Self {
        DeviceError::Store(error.into())
    }
}

impl From<DeviceError> for ApiError {
    fn from(error: DeviceError) -> Self {
        let message = error.to_string();
        let (status, code) = match error {
            DeviceError::BadCredentials => (StatusCode::UNAUTHORIZED, codes::BAD_CREDENTIALS),
            DeviceError::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, codes::LOCKED),
            DeviceError::Revoked => (StatusCode::FORBIDDEN, codes::DEVICE_REVOKED),
            DeviceError::Conflict => (StatusCode::CONFLICT, server_codes::DEVICE_CONFLICT),
            DeviceError::InvalidDeviceId => (StatusCode::BAD_REQUEST, codes::MALFORMED),
            DeviceError::UnknownToken => return ApiError::unauthenticated(),
            DeviceError::Expired => (StatusCode::UNAUTHORIZED, codes::TOKEN_EXPIRED),
            DeviceError::Restored => (StatusCode::UNAUTHORIZED, codes::SERVER_RESTORED),
            DeviceError::Inactive => (StatusCode::FORBIDDEN, codes::UNAUTHENTICATED),
            DeviceError::CodeInvalid => (StatusCode::UNAUTHORIZED, codes::ENROLMENT_CODE_INVALID),
            DeviceError::CodeUsed => (StatusCode::GONE, codes::ENROLMENT_CODE_USED),
            DeviceError::CodeExpired => (StatusCode::GONE, codes::ENROLMENT_CODE_EXPIRED),
            DeviceError::UnknownStaff | DeviceError::UnknownDevice(_) => {
                (StatusCode::NOT_FOUND, server_codes::NOT_FOUND)
            }
            DeviceError::Store(error) => return ApiError::from_store(error),
        };
        ApiError::new(status, code, message)
    }
}

/// A token as issued: shown once, never stored in clear.
pub struct IssuedToken {
    pub token: Zeroizing<String>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A new random token (32 bytes, lower-case hex).
pub fn new_token() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    Zeroizing::new(hex::encode(bytes.as_ref()))
}

/// What the store keeps of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn looks_like_token(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The canonical (lower-case, hyphenated) form of a device id, which must be a UUID.
pub fn parse_device_id(text: &str) -> Result<String, DeviceError> {
    uuid::Uuid::parse_str(text.trim())
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| DeviceError::InvalidDeviceId)
}

fn clean_label(label: &str) -> String {
    let label: String = label
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_LABEL_CHARS)
        .collect();
    if label.is_empty() {
        "laptop".to_owned()
    } else {
        label
    }
}

fn issue_token(
    conn: &mut SqliteConnection,
    device_id: &str,
    token_days: i64,
    now: DateTime<Utc>,
) -> Result<IssuedToken, DeviceError> {
    let token = new_token();
    let expires_at = now + Duration::days(token_days);
    diesel::insert_into(device_tokens::table)
        .values((
            device_tokens::token_hash.eq(token_hash(&token)),
            device_tokens::device_id.eq(device_id),
            device_tokens::issued_at.eq(now.naive_utc()),
            device_tokens::expires_at.eq(expires_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(IssuedToken { token, expires_at })
}

fn revoke_tokens(
    conn: &mut SqliteConnection,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DeviceError> {
    diesel::update(
        device_tokens::table
            .filter(device_tokens::device_id.eq(device_id))
            .filter(device_tokens::revoked_at.is_null()),
    )
    .set(device_tokens::revoked_at.eq(now.naive_utc()))
    .execute(conn)?;
    Ok(())
}

pub(crate) fn sign_in_error(error: SignInError) -> DeviceError {
    match error {
        SignInError::BadCredentials => DeviceError::BadCredentials,
        SignInError::SlowedDown { until } | SignInError::Locked { until } => {
            DeviceError::Locked { until }
        }
        SignInError::Store(error) => DeviceError::Store(error),
    }
}

/// The id a laptop registers under: a UUID, never the server's own.
pub(crate) fn laptop_device_id(store: &mut Store, text: &str) -> Result<String, DeviceError> {
    let device_id = parse_device_id(text)?;
    if device_id == store.device().as_str() {
        return Err(DeviceError::Conflict);
    }
    Ok(device_id)
}

/// `POST /v1/devices/register`: signs in, then creates the device for that
/// staff account or re-registers it (same account, not revoked; its earlier
/// tokens stop working), and issues a token. Audited as `device.register`.
pub fn register(
    store: &mut Store,
    request: &RegisterDevice,
    token_days: i64,
    now: DateTime<Utc>,
) -> Result<DeviceRegistered, DeviceError> {
    let device_id = laptop_device_id(store, &request.device_id)?;
    let signed = store::auth::sign_in(store, &request.username, &request.password, now)
        .map_err(sign_in_error)?;
    let staff_id = signed.actor.staff_id.as_str().to_owned();
    let issued = attach(
        store,
        &staff_id,
        &device_id,
        &request.label,
        token_days,
        now,
        "device.register",
        |_| Ok(()),
    )?;
    Ok(answer(issued, signed))
}

/// The answer to a registration: the token, shown once, and the account.
pub(crate) fn answer(issued: IssuedToken, signed: store::auth::SignedIn) -> DeviceRegistered {
    DeviceRegistered {
        token: issued.token.to_string(),
        expires_at: issued.expires_at,
        staff: StaffInfo {
            id: signed.actor.staff_id.as_str().to_owned(),
            username: signed.username,
            display_name: signed.display_name,
            role: signed.actor.role.as_str().to_owned(),
        },
    }
}

/// Creates the device for `staff_id`, or re-registers it (same account,
/// not revoked; its earlier tokens stop working), and issues a token, in
/// one transaction that first runs `before` (an enrolment code is used
/// there). Audited as `action`; a revoked or foreign device is refused and
/// the attempt audited.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attach(
    store: &mut Store,
    staff_id: &str,
    device_id: &str,
    label: &str,
    token_days: i64,
    now: DateTime<Utc>,
    action: &str,
    before: impl FnOnce(&mut SqliteConnection) -> Result<(), DeviceError>,
) -> Result<IssuedToken, DeviceError> {
    let label = &clean_label(label);
    let server_device = store.device().as_str().to_owned();
    let result = store::tx::immediate(store.connection(), |conn| {
        before(conn)?;
        let existing: Option<(Option<NaiveDateTime>, Option<String>)> = devices::table
            .find(device_id)
            .select((devices::revoked_at, devices::staff_id))
            .first(conn)
            .optional()?;
        match existing {
            Some((Some(_), _)) => return Err(DeviceError::Revoked),
            Some((None, owner)) if owner.as_deref() != Some(staff_id) => {
                return Err(DeviceError::Conflict)
            }
            Some(_) => {
                diesel::update(devices::table.find(device_id))
                    .set((
                        devices::label.eq(label),
                        devices::updated_at.eq(now.naive_utc()),
                        devices::updated_device.eq(&server_device),
                    ))
                    .execute(conn)?;
                revoke_tokens(conn, device_id, now)?;
            }
            None => {
                diesel::insert_into(devices::table)
                    .values((
                        devices::id.eq(device_id),
                        devices::label.eq(label),
                        devices::registered_at.eq(now.naive_utc()),
                        devices::updated_at.eq(now.naive_utc()),
                        devices::updated_device.eq(&server_device),
                        devices::staff_id.eq(staff_id),
                    ))
                    .execute(conn)?;
            }
        }
        let issued = issue_token(conn, device_id, token_days, now)?;
        audit::record(
            conn,
            staff_id,
            device_id,
            action,
            &[],
            Outcome::Allowed,
            now,
        )?;
        Ok(issued)
    });
    match result {
        Ok(issued) => Ok(issued),
        Err(error @ (DeviceError::Revoked | DeviceError::Conflict)) => {
            audit::record(
                store.connection(),
                staff_id,
                device_id,
                action,
                &[],
                Outcome::Denied,
                now,
            )?;
            Err(error)
        }
        Err(error) => Err(error),
    }
}

/// `app_meta` key of the time the store was restored from a backup
/// (`crate::admin::restore`), RFC 3339.
pub const RESTORED_AT_META: &str = "server.restored_at";

/// Revokes every device token (not the devices) at `now`: every laptop must
/// sign in again (`crate::admin::restore`).
pub fn revoke_all_tokens(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<usize, DeviceError> {
    Ok(
        diesel::update(device_tokens::table.filter(device_tokens::revoked_at.is_null()))
            .set(device_tokens::revoked_at.eq(now.naive_utc()))
            .execute(conn)?,
    )
}

/// When the store was restored from a backup, if it was.
pub fn restored_at(store: &mut Store) -> Result<Option<DateTime<Utc>>, DeviceError> {
    Ok(store::open::meta(store, RESTORED_AT_META)?
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|at| at.with_timezone(&Utc)))
}

/// Resolves a bearer token at `now`. Order: unknown token, revoked device
/// (the laptop wipes itself, even with an old token), replaced token,
/// expired token, inactive account. After a restore from a backup, a token
/// the store does not know or that the restore revoked is
/// [`DeviceError::Restored`] (the laptop signs in again, keeping its
/// outbox); a token replaced by a registration after the restore stays
/// [`DeviceError::UnknownToken`].
pub fn resolve(store: &mut Store, token: &str, now: DateTime<Utc>) -> Result<Actor, DeviceError> {
    match resolve_current(store, token, now) {
        Err(DeviceError::UnknownToken) if looks_like_token(token) => {
            let Some(restored) = restored_at(store)? else {
                return Err(DeviceError::UnknownToken);
            };
            let revoked: Option<Option<NaiveDateTime>> = device_tokens::table
                .filter(device_tokens::token_hash.eq(token_hash(token)))
                .select(device_tokens::revoked_at)
                .first(store.connection())
                .optional()?;
            match revoked {
                // Unknown: issued after the backup, on the lost history.
                None => Err(DeviceError::Restored),
                Some(Some(at)) if utc(at) <= restored => Err(DeviceError::Restored),
                Some(_) => Err(DeviceError::UnknownToken),
            }
        }
        other => other,
    }
}

fn resolve_current(
    store: &mut Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Actor, DeviceError> {
    if !looks_like_token(token) {
        return Err(DeviceError::UnknownToken);
    }
    type Row = (
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<String>,
    );
    let row: Option<Row> = device_tokens::table
        .inner_join(devices::table)
        .filter(device_tokens::token_hash.eq(token_hash(token)))
        .select((
            device_tokens::device_id,
            device_tokens::expires_at,
            device_tokens::revoked_at,
            devices::revoked_at,
            devices::staff_id,
        ))
        .first(store.connection())
        .optional()?;
    let Some((device_id, expires_at, token_revoked, device_revoked, staff_id)) = row else {
        return Err(DeviceError::UnknownToken);
    };
    if device_revoked.is_some() {
        return Err(DeviceError::Revoked);
    }
    if token_revoked.is_some() {
        return Err(DeviceError::UnknownToken);
    }
    if utc(expires_at) <= now {
        return Err(DeviceError::Expired);
    }
    let staff_id = staff_id.ok_or(DeviceError::UnknownToken)?;
    let account: Option<(String, bool)> = staff::table
        .find(&staff_id)
        .select((staff::role, staff::active))
        .first(store.connection())
        .optional()?;
    let role = match account {
        Some((role, true)) => Role::parse(&role).ok_or(DeviceError::Inactive)?,
        _ => return Err(DeviceError::Inactive),
    };
    // The office's list of laptops shows the last contact, to the minute.
    diesel::update(
        devices::table.find(&device_id).filter(
            devices::last_contact_at
                .is_null()
                .or(devices::last_contact_at.lt((now - Duration::minutes(1)).naive_utc())),
        ),
    )
    .set(devices::last_contact_at.eq(now.naive_utc()))
    .execute(store.connection())?;
    Ok(Actor::new(StaffId(staff_id), role, DeviceId(device_id)))
}

/// The account an actor acts as (`GET /v1/whoami`).
pub fn staff_info(store: &mut Store, actor: &Actor) -> Result<StaffInfo, DeviceError> {
    let (username, display_name): (String, String) = staff::table
        .find(actor.staff_id.as_str())
        .select((staff::username, staff::display_name))
        .first(store.connection())
        .optional()?
        .ok_or(DeviceError::Inactive)?;
    Ok(StaffInfo {
        id: actor.staff_id.as_str().to_owned(),
        username,
        display_name,
        role: actor.role.as_str().to_owned(),
    })
}

/// The id of the active account `username` (the operator's commands).
pub(crate) fn active_staff_id(
    conn: &mut SqliteConnection,
    username: &str,
) -> Result<String, DeviceError> {
    let account: Option<(String, bool)> = staff::table
        .filter(staff::username.eq(username.trim()))
        .select((staff::id, staff::active))
        .first(conn)
        .optional()?;
    match account {
        Some((id, true)) => Ok(id),
        Some((_, false)) => Err(DeviceError::Inactive),
        None => Err(DeviceError::UnknownStaff),
    }
}

/// Creates a device for a staff account without a sign-in (pre-provisioning
/// by the administrator of the server) and issues its token.
pub fn provision(
    store: &mut Store,
    username: &str,
    label: &str,
    token_days: i64,
    now: DateTime<Utc>,
) -> Result<(DeviceId, IssuedToken), DeviceError> {
    let staff_id = active_staff_id(store.connection(), username)?;
    let device = DeviceId::new();
    let label = clean_label(label);
    let server_device = store.device().as_str().to_owned();
    let issued = store::tx::immediate(store.connection(), |conn| {
        diesel::insert_into(devices::table)
            .values((
                devices::id.eq(device.as_str()),
                devices::label.eq(&label),
                devices::registered_at.eq(now.naive_utc()),
                devices::updated_at.eq(now.naive_utc()),
                devices::updated_device.eq(&server_device),
                devices::staff_id.eq(&staff_id),
            ))
            .execute(conn)?;
        issue_token(conn, device.as_str(), token_days, now)
    })?;
    Ok((device, issued))
}

/// Revokes a device and all its tokens, for ever.
pub fn revoke(store: &mut Store, device_id: &str, now: DateTime<Utc>) -> Result<(), DeviceError> {
    let device_id = parse_device_id(device_id)?;
    let server_device = store.device().as_str().to_owned();
    if device_id == server_device {
        return Err(DeviceError::UnknownDevice(device_id));
    }
    store::tx::immediate(store.connection(), |conn| {
        let found = diesel::update(
            devices::table
                .find(&device_id)
                .filter(devices::staff_id.is_not_null()),
        )
        .set((
            devices::updated_at.eq(now.naive_utc()),
            devices::updated_device.eq(&server_device),
        ))
        .execute(conn)?;
        if found == 0 {
            return Err(DeviceError::UnknownDevice(device_id.clone()));
        }
        diesel::update(
            devices::table
                .find(&device_id)
                .filter(devices::revoked_at.is_null()),
        )
        .set(devices::revoked_at.eq(now.naive_utc()))
        .execute(conn)?;
        revoke_tokens(conn, &device_id, now)
    })
}

/// One registered device, for `list-devices`.
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    pub id: String,
    pub label: String,
    pub staff_id: String,
    pub username: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Expiry of the newest token still valid, if any.
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// Every device registered to a staff account, oldest first.
pub fn list(store: &mut Store, now: DateTime<Utc>) -> Result<Vec<DeviceInfo>, DeviceError> {
    type Row = (
        String,
        String,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = devices::table
        .filter(devices::staff_id.is_not_null())
        .order((devices::registered_at.asc(), devices::id.asc()))
        .select((
            devices::id,
            devices::label,
            devices::staff_id,
            devices::registered_at,
            devices::revoked_at,
        ))
        .load(store.connection())?;
    let mut devices = Vec::with_capacity(rows.len());
    for (id, label, staff_id, registered_at, revoked_at) in rows {
        let staff_id = staff_id.unwrap_or_default();
        let username: Option<String> = staff::table
            .find(&staff_id)
            .select(staff::username)
            .first(store.connection())
            .optional()?;
        let token_expires_at: Option<NaiveDateTime> = device_tokens::table
            .filter(device_tokens::device_id.eq(&id))
            .filter(device_tokens::revoked_at.is_null())
            .filter(device_tokens::expires_at.gt(now.naive_utc()))
            .select(diesel::dsl::max(device_tokens::expires_at))
            .first(store.connection())?;
        devices.push(DeviceInfo {
            id,
            label,
            staff_id,
            username,
            registered_at: utc(registered_at),
            revoked_at: revoked_at.map(utc),
            token_expires_at: token_expires_at.map(utc),
        });
    }
    Ok(devices)
}
