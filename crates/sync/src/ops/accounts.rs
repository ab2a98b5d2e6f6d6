//! Staff accounts and laptops (issue 14, POL-18): the office's and the
//! DPO's changes to accounts, and everyone's own password. Passwords travel
//! as argon2id hashes only (`store::accounts::hash_new_password`), secrets
//! of enrolment codes as their SHA-256 only.

use chrono::{DateTime, Utc};
use domain::{Actor, Role};
use serde::{Deserialize, Serialize};
use store::{Store, StoreError};

use super::Op;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CreateStaff {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The one-time first password, hashed (argon2id PHC string).
    pub password_hash: String,
}

impl Op for CreateStaff {
    /// The new account's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let account = store::accounts::NewAccount {
            username: &self.username,
            display_name: &self.display_name,
            role: self.role,
            password_hash: &self.password_hash,
        };
        store::accounts::create(store.connection(), actor, &account, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ResetStaffPassword {
    pub staff_id: String,
    /// The one-time password, hashed.
    pub password_hash: String,
}

impl Op for ResetStaffPassword {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::accounts::reset_password(
            store.connection(),
            actor,
            &self.staff_id,
            &self.password_hash,
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DeactivateStaff {
    pub staff_id: String,
}

impl Op for DeactivateStaff {
    type Output = store::accounts::Deactivated;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Self::Output, StoreError> {
        store::accounts::deactivate(store.connection(), actor, &self.staff_id, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct IssueEnrolmentCode {
    pub staff_id: String,
    /// SHA-256 of the code's secret, hex.
    pub secret_hash: String,
    #[ts(type = "string")]
    pub expires_at: DateTime<Utc>,
}

impl Op for IssueEnrolmentCode {
    /// The code's id.
    type Output = String;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        store::accounts::issue_enrolment_code(
            store.connection(),
            actor,
            &self.staff_id,
            &self.secret_hash,
            self.expires_at,
            at,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RevokeDevice {
    pub device_id: String,
}

impl Op for RevokeDevice {
    /// Whether this store held the device (the server does).
    type Output = bool;
    fn apply(
        &self,
        store: &mut Store,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        store::accounts::revoke_device(store.connection(), actor, &self.device_id, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeOwnPassword {
    /// The new password, hashed.
    pub password_hash: String,
}

impl Op for ChangeOwnPassword {
    type Output = ();
    fn apply(&self, store: &mut Store, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
        store::accounts::change_own_password(store.connection(), actor, &self.password_hash, at)
    }
}
