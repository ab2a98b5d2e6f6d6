//! Staff accounts and laptops, managed from the window (issue 14, POL-18).
//! Every function runs through the gate with its action; the role of the
//! account acted on is checked by [`domain::staff::may_manage`] inside the
//! work (the administrator manages every role but the DPO, the DPO the DPO
//! accounts), so a refusal is audited like any other.
//!
//! Passwords reach this module as argon2id hashes: the plain password is
//! checked and hashed once by [`hash_new_password`] on the laptop where it
//! is typed, and only the hash travels in the operation (the server cannot
//! check the rule again on a hash; it checks who may set it).
//!
//! Nothing of a person who leaves is deleted here: their account is made
//! inactive, their laptops revoked and their unused enrolment codes
//! expired; the trail, their notes and their groups stay (the groups are
//! listed for reassignment).

use crate::gate::{self, Gate};
use crate::schema::{device_tokens, devices, enrolment_codes, staff, workshop_groups};
use crate::StoreError;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::staff::{check_password, may_manage, valid_username};
use domain::{Action, Actor, ErrorCode, Role, StaffId};
use serde::Serialize;

/// One staff account as the office sees it (no password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub must_change_password: bool,
    /// May the signed-in staff member manage this account?
    pub manageable: bool,
    /// Is it the signed-in staff member's own account (no reset, no
    /// deactivation of oneself)?
    pub own: bool,
}

/// A new account, its first password already hashed.
#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

/// A group the person who left led or co-led, to give to someone else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct GroupToReassign {
    pub id: String,
    pub name: String,
}

/// What a deactivation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Deactivated {
    /// Laptops revoked here (on a laptop, none: the server revokes them
    /// when the operation reaches it, and each wipes itself at its next contact).
    pub revoked_devices: i64,
    pub groups: Vec<GroupToReassign>,
}

/// One laptop registered on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DeviceRow {
    pub id: String,
    pub label: String,
    pub staff_id: String,
    pub username: String,
    pub display_name: String,
    #[ts(type = "string")]
    pub registered_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub last_contact_at: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub manageable: bool,
}

/// Checks a new password against the rule (`domain::staff`) and hashes it
/// (argon2id). The only way a plain password becomes a stored one.
pub fn hash_new_password(password: &str, username: &str) -> Result<String, StoreError> {
    check_password(password, username).map_err(|problem| StoreError::refused(problem.code()))?;
    Ok(crate::auth::hash_password(password))
}

fn target(conn: &mut SqliteConnection, staff_id: &str) -> Result<(Role, bool), StoreError> {
    let row: Option<(String, bool)> = staff::table
        .find(staff_id)
        .select((staff::role, staff::active))
        .first(conn)
        .optional()?;
    let (role, active) = row.ok_or_else(|| StoreError::NotFound(format!("staff {staff_id}")))?;
    let role = Role::parse(&role)
        .ok_or_else(|| StoreError::Database(format!("staff {staff_id} has an unknown role")))?;
    Ok((role, active))
}

/// The account `staff_id`, which `actor` must be allowed to manage.
fn managed(gate: &mut Gate<'_>, staff_id: &str) -> Result<(Role, bool), StoreError> {
    let (role, active) = target(gate.conn(), staff_id)?;
    if !may_manage(gate.actor().role, role) {
        return Err(StoreError::refused(ErrorCode::RoleNotManaged).with("role", role.as_str()));
    }
    Ok((role, active))
}

/// Every staff account, by name; `manageable` says which the actor may manage.
pub fn list(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<StaffRow>, StoreError> {
    gate::run(conn, actor, Action::StaffList, now, |gate| {
        let rows: Vec<(String, String, String, String, bool, bool)> = staff::table
            .order((staff::display_name.asc(), staff::id.asc()))
            .select((
                staff::id,
                staff::username,
                staff::display_name,
                staff::role,
                staff::active,
                staff::must_change_password,
            ))
            .load(gate.conn())?;
        let mine = gate.actor().role;
        let me = gate.actor().staff_id.as_str().to_owned();
        Ok(rows
            .into_iter()
            .filter_map(|(id, username, display_name, role, active, must)| {
                let role = Role::parse(&role)?;
                Some(StaffRow {
                    own: id == me,
                    id,
                    username,
                    display_name,
                    role,
                    active,
                    must_change_password: must,
                    manageable: may_manage(mine, role),
                })
            })
            .collect())
    })
}

/// Creates an account whose first password is one-time (`password_hash`
/// of [`hash_new_password`]); the person changes it at first sign-in.
/// Its id is the operation's seeded id, the same on every machine.
pub fn create(
    conn: &mut SqliteConnection,
    actor: &Actor,
    account: &NewAccount<'_>,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::StaffCreate, now, |gate| {
        if !may_manage(gate.actor().role, account.role) {
            return Err(
                StoreError::refused(ErrorCode::RoleNotManaged).with("role", account.role.as_str())
            );
        }
        let username = account.username.trim();
        let display_name = account.display_name.trim();
        if !valid_username(username) {
            return Err(StoreError::InvalidInput("user name".into()));
        }
        if display_name.is_empty() || display_name.chars().count() > 100 {
            return Err(StoreError::InvalidInput("display name".into()));
        }
        if !account.password_hash.starts_with("$argon2id$") {
            return Err(StoreError::InvalidInput("password hash".into()));
        }
        let taken: i64 = staff::table
            .filter(staff::username.eq(username))
            .count()
            .get_result(gate.conn())?;
        if taken > 0 {
            return Err(StoreError::refused(ErrorCode::UsernameTaken));
        }
        let id = StaffId::new();
        let stamp = gate.stamp(staff::updated_at, staff::updated_device);
        let at = gate.at();
        diesel::insert_into(staff::table)
            .values((
                staff::id.eq(id.as_str()),
                staff::username.eq(username),
                staff::display_name.eq(display_name),
                staff::role.eq(account.role.as_str()),
                staff::password_hash.eq(account.password_hash),
                staff::must_change_password.eq(true),
                staff::created_at.eq(at),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id.as_str().to_owned())
    })
}

/// Gives an account a new one-time password (forgotten password); the
/// person must change it at their next sign-in. Unblocks the account.
pub fn reset_password(
    conn: &mut SqliteConnection,
    actor: &Actor,
    staff_id: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::StaffPasswordReset, now, |gate| {
        let (_, active) = managed(gate, staff_id)?;
        if !active {
            return Err(StoreError::refused(ErrorCode::AccountInactive));
        }
        if staff_id == gate.actor().staff_id.as_str() {
            return Err(StoreError::refused(ErrorCode::OwnAccount));
        }
        if !password_hash.starts_with("$argon2id$") {
            return Err(StoreError::InvalidInput("password hash".into()));
        }
        let stamp = gate.stamp(staff::updated_at, staff::updated_device);
        diesel::update(staff::table.find(staff_id))
            .set((
                staff::password_hash.eq(password_hash),
                staff::must_change_password.eq(true),
                staff::failed_attempts.eq(0),
                staff::blocked_until.eq(None::<NaiveDateTime>),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(())
    })
}

/// Revokes the laptops of `staff_id` held in this store (the server's) and
/// their tokens; answers how many.
fn revoke_laptops_of(gate: &mut Gate<'_>, staff_id: &str) -> Result<i64, StoreError> {
    let at = gate.at();
    let device = gate.device().to_owned();
    let ids: Vec<String> = devices::table
        .filter(devices::staff_id.eq(staff_id))
        .filter(devices::revoked_at.is_null())
        .select(devices::id)
        .load(gate.conn())?;
    for id in &ids {
        revoke_one(gate.conn(), id, at, &device)?;
    }
    Ok(ids.len() as i64)
}

fn revoke_one(
    conn: &mut SqliteConnection,
    device_id: &str,
    at: NaiveDateTime,
    by_device: &str,
) -> Result<(), StoreError> {
    diesel::update(devices::table.find(device_id))
        .set((
            devices::revoked_at.eq(at),
            devices::updated_at.eq(at),
            devices::updated_device.eq(by_device),
        ))
        .execute(conn)?;
    diesel::update(
        device_tokens::table
            .filter(device_tokens::device_id.eq(device_id))
            .filter(device_tokens::revoked_at.is_null()),
    )
    .set(device_tokens::revoked_at.eq(at))
    .execute(conn)?;
    Ok(())
}

/// Deactivates the account of someone who leaves: they can no longer sign
/// in, their laptops are revoked (each wipes itself at its next contact),
/// their unused enrolment codes stop working, and the groups they lead are
/// listed for reassignment. Nothing is deleted.
pub fn deactivate(
    conn: &mut SqliteConnection,
    actor: &Actor,
    staff_id: &str,
    now: DateTime<Utc>,
) -> Result<Deactivated, StoreError> {
    gate::run(conn, actor, Action::StaffDeactivate, now, |gate| {
        if staff_id == gate.actor().staff_id.as_str() {
            return Err(StoreError::refused(ErrorCode::OwnAccount));
        }
        let (_, active) = managed(gate, staff_id)?;
        if !active {
            return Err(StoreError::refused(ErrorCode::AccountInactive));
        }
        let stamp = gate.stamp(staff::updated_at, staff::updated_device);
        diesel::update(staff::table.find(staff_id))
            .set((staff::active.eq(false), stamp))
            .execute(gate.conn())?;
        let revoked_devices = revoke_laptops_of(gate, staff_id)?;
        let at = gate.at();
        let stamp = gate.stamp(enrolment_codes::updated_at, enrolment_codes::updated_device);
        diesel::update(
            enrolment_codes::table
                .filter(enrolment_codes::staff_id.eq(staff_id))
                .filter(enrolment_codes::used_at.is_null())
                .filter(enrolment_codes::expires_at.gt(at)),
        )
        .set((enrolment_codes::expires_at.eq(at), stamp))
        .execute(gate.conn())?;
        let groups = workshop_groups::table
            .filter(
                workshop_groups::trainer_id
                    .eq(staff_id)
                    .or(workshop_groups::external_trainer_id.eq(staff_id)),
            )
            .order((workshop_groups::name.asc(), workshop_groups::id.asc()))
            .select((workshop_groups::id, workshop_groups::name))
            .load::<(String, String)>(gate.conn())?
            .into_iter()
            .map(|(id, name)| GroupToReassign { id, name })
            .collect();
        Ok(Deactivated {
            revoked_devices,
            groups,
        })
    })
}

/// Records an enrolment code for `staff_id`: only the SHA-256 of its
/// secret (`secret_hash`), its expiry, who made it. Answers its id.
pub fn issue_enrolment_code(
    conn: &mut SqliteConnection,
    actor: &Actor,
    staff_id: &str,
    secret_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::StaffEnrolmentCode, now, |gate| {
        let (_, active) = managed(gate, staff_id)?;
        if !active {
            return Err(StoreError::refused(ErrorCode::AccountInactive));
        }
        let hours = (expires_at - gate.now()).num_hours();
        if expires_at <= gate.now() || hours > domain::staff::MAX_CODE_HOURS {
            return Err(StoreError::InvalidInput("code lifetime".into()));
        }
        if secret_hash.len() != 64 || !secret_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::InvalidInput("code secret hash".into()));
        }
        let id = domain::new_id();
        let at = gate.at();
        let created_by = gate.actor().staff_id.as_str().to_owned();
        let stamp = gate.stamp(enrolment_codes::updated_at, enrolment_codes::updated_device);
        diesel::insert_into(enrolment_codes::table)
            .values((
                enrolment_codes::id.eq(&id),
                enrolment_codes::staff_id.eq(staff_id),
                enrolment_codes::secret_hash.eq(secret_hash.to_ascii_lowercase()),
                enrolment_codes::expires_at.eq(expires_at.naive_utc()),
                enrolment_codes::created_by.eq(created_by),
                enrolment_codes::created_at.eq(at),
                stamp,
            ))
            .execute(gate.conn())?;
        Ok(id)
    })
}

/// The laptops registered in this store (the server's), newest contact first.
pub fn devices(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<DeviceRow>, StoreError> {
    gate::run(conn, actor, Action::DeviceList, now, |gate| {
        type Row = (
            String,
            String,
            Option<String>,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            String,
            String,
            String,
        );
        let rows: Vec<Row> = devices::table
            .inner_join(staff::table.on(devices::staff_id.eq(staff::id.nullable())))
            .order((devices::registered_at.desc(), devices::id.asc()))
            .select((
                devices::id,
                devices::label,
                devices::staff_id,
                devices::registered_at,
                devices::last_contact_at,
                devices::revoked_at,
                staff::username,
                staff::display_name,
                staff::role,
            ))
            .load(gate.conn())?;
        let mine = gate.actor().role;
        let utc = domain::time::utc;
        Ok(rows
            .into_iter()
            .map(
                |(id, label, staff_id, registered, contact, revoked, username, name, role)| {
                    DeviceRow {
                        id,
                        label,
                        staff_id: staff_id.unwrap_or_default(),
                        username,
                        display_name: name,
                        registered_at: utc(registered),
                        last_contact_at: contact.map(utc),
                        revoked_at: revoked.map(utc),
                        manageable: Role::parse(&role).is_some_and(|r| may_manage(mine, r)),
                    }
                },
            )
            .collect())
    })
}

/// Revokes one laptop (lost, stolen, replaced): on the server, the device
/// and its tokens; the laptop wipes itself at its next contact. On a laptop
/// the store holds no other device: the operation is queued for the server
/// and answers `false` here.
pub fn revoke_device(
    conn: &mut SqliteConnection,
    actor: &Actor,
    device_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    gate::run(conn, actor, Action::DeviceRevoke, now, |gate| {
        if device_id == gate.actor().device_id.as_str() {
            return Err(StoreError::refused(ErrorCode::OwnAccount));
        }
        let owner: Option<(Option<String>, Option<NaiveDateTime>)> = devices::table
            .find(device_id)
            .select((devices::staff_id, devices::revoked_at))
            .first(gate.conn())
            .optional()?;
        let Some((Some(owner), revoked)) = owner else {
            return Ok(false);
        };
        managed(gate, &owner)?;
        if revoked.is_none() {
            let at = gate.at();
            let by = gate.device().to_owned();
            revoke_one(gate.conn(), device_id, at, &by)?;
        }
        Ok(true)
    })
}

/// Sets the actor's own password (`password_hash` of [`hash_new_password`],
/// after the caller checked the current one) and lifts the one-time flag.
pub fn change_own_password(
    conn: &mut SqliteConnection,
    actor: &Actor,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    gate::run(conn, actor, Action::PasswordChange, now, |gate| {
        if !password_hash.starts_with("$argon2id$") {
            return Err(StoreError::InvalidInput("password hash".into()));
        }
        let id = gate.actor().staff_id.as_str().to_owned();
        let stamp = gate.stamp(staff::updated_at, staff::updated_device);
        let changed = diesel::update(staff::table.find(&id).filter(staff::active.eq(true)))
            .set((
                staff::password_hash.eq(password_hash),
                staff::must_change_password.eq(false),
                stamp,
            ))
            .execute(gate.conn())?;
        if changed == 0 {
            return Err(StoreError::refused(ErrorCode::AccountInactive));
        }
        Ok(())
    })
}

/// Must `staff_id` change their password before anything else?
pub fn must_change_password(
    conn: &mut SqliteConnection,
    staff_id: &str,
) -> Result<bool, StoreError> {
    Ok(staff::table
        .find(staff_id)
        .select(staff::must_change_password)
        .first(conn)
        .optional()?
        .unwrap_or(false))
}
