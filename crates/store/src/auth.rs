//! Staff sign-in (POL-18): argon2id password hashes with at least OWASP's
//! parameters (19 MiB, 2 iterations, 1 lane); failures slow down, then lock.

use crate::audit::{self, Outcome};
use crate::schema::staff;
use crate::{Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::signin::{after_failure, after_success, may_attempt, Attempts, Refusal};
use domain::{Actor, Role, StaffId};

/// OWASP Password Storage Cheat Sheet minimum for argon2id: m = 19 MiB, t = 2, p = 1.
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_ITERATIONS: u32 = 2;
pub const ARGON2_LANES: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None)
        .expect("argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing does not fail with valid parameters")
        .to_string()
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A signed-in staff member: the actor plus what the UI shows.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub actor: Actor,
    pub username: String,
    pub display_name: String,
    /// A one-time password was used (first sign-in, reset): until the
    /// person chooses their own, the session may do nothing else (issue 14).
    pub must_change_password: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("unknown user name or wrong password")]
    BadCredentials,
    #[error("too many failed attempts: try again after {until}")]
    SlowedDown { until: DateTime<Utc> },
    #[error("account locked after repeated failed attempts until {until}")]
    Locked { until: DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for SignInError {
    fn from(error: diesel::result::Error) -> Self {
        SignInError::Store(error.into())
    }
}

#[derive(Queryable)]
struct StaffLogin {
    id: String,
    display_name: String,
    role: String,
    password_hash: String,
    failed_attempts: i32,
    blocked_until: Option<chrono::NaiveDateTime>,
    active: bool,
    must_change_password: bool,
}

/// Checks a staff member's credentials at `now`.
pub fn sign_in(
    store: &mut Store,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<SignedIn, SignInError> {
    let device = store.device.clone();
    let conn = &mut store.conn;
    let row: Option<StaffLogin> = staff::table
        .filter(staff::username.eq(username.trim()))
        .select((
            staff::id,
            staff::display_name,
            staff::role,
            staff::password_hash,
            staff::failed_attempts,
            staff::blocked_until,
            staff::active,
            staff::must_change_password,
        ))
        .first(conn)
        .optional()?;
    let Some(row) = row else {
        // Same work as a real check, so timing does not reveal which names exist.
        let _ = verify_password(password, DUMMY_HASH);
        audit::record(
            conn,
            "unknown",
            device.as_str(),
            "auth.sign_in",
            &[],
            Outcome::Denied,
            now,
        )?;
        return Err(SignInError::BadCredentials);
    };
    let state = Attempts {
        failures: row.failed_attempts.max(0) as u32,
        blocked_until: row.blocked_until.map(domain::time::utc),
    };
    if let Err(refusal) = may_attempt(&state, now) {
        audit::record(
            conn,
            &row.id,
            device.as_str(),
            "auth.sign_in",
            &[],
            Outcome::Denied,
            now,
        )?;
        return Err(match refusal {
            Refusal::SlowedDown { until } => SignInError::SlowedDown { until },
            Refusal::Locked { until } => SignInError::Locked { until },
        });
    }
    let role = Role::parse(&row.role);
    if !row.active || role.is_none() || !verify_password(password, &row.password_hash) {
        let next = after_failure(&state, now);
        diesel::update(staff::table.filter(staff::id.eq(&row.id)))
            .set((
                staff::failed_attempts.eq(next.failures as i32),
                staff::blocked_until.eq(next.blocked_until.map(|t| t.naive_utc())),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &row.id,
            device.as_str(),
            "auth.sign_in",
            &[],
            Outcome::Denied,
            now,
        )?;
        return Err(match next.blocked_until {
            Some(until) if next.failures >= domain::signin::LOCK_AFTER_FAILURES => {
                SignInError::Locked { until }
            }
            _ => SignInError::BadCredentials,
        });
    }
    let reset = after_success();
    diesel::update(staff::table.filter(staff::id.eq(&row.id)))
        .set((
            staff::failed_attempts.eq(reset.failures as i32),
            staff::blocked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &row.id,
        device.as_str(),
        "auth.sign_in",
        &[],
        Outcome::Allowed,
        now,
    )?;
    Ok(SignedIn {
        actor: Actor::new(StaffId(row.id), role.expect("checked above"), device),
        username: username.trim().to_owned(),
        display_name: row.display_name,
        must_change_password: row.must_change_password,
    })
}

/// Whether `password` is the current password of the active account
/// `staff_id` (changing one's password asks for the current one first).
pub fn is_current_password(
    conn: &mut SqliteConnection,
    staff_id: &str,
    password: &str,
) -> Result<bool, StoreError> {
    let hash: Option<String> = staff::table
        .find(staff_id)
        .filter(staff::active.eq(true))
        .select(staff::password_hash)
        .first(conn)
        .optional()?;
    Ok(hash.is_some_and(|hash| verify_password(password, &hash)))
}

/// A valid argon2id hash of a random string, verified against when the user name is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2zQXxm7tYlX2bG8fZrTn5e6o0Q4Wm4oFv0p4f0G4x3E";

/// Creates a staff account (seeding and, later, the server's admin command).
pub fn create_staff(
    store: &mut Store,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
    now: DateTime<Utc>,
) -> Result<StaffId, StoreError> {
    let id = StaffId::new();
    let naive = now.naive_utc();
    diesel::insert_into(staff::table)
        .values((
            staff::id.eq(id.as_str()),
            staff::username.eq(username),
            staff::display_name.eq(display_name),
            staff::role.eq(role.as_str()),
            staff::password_hash.eq(hash_password(password)),
            staff::created_at.eq(naive),
            staff::updated_at.eq(naive),
            staff::updated_device.eq(store.device.as_str()),
        ))
        .execute(&mut store.conn)?;
    Ok(id)
}
