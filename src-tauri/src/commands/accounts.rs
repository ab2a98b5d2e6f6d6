//! Staff accounts and laptops from the window (issue 14, POL-18): the
//! administrator (every role but the DPO) and the DPO (DPO accounts) create
//! accounts, reset forgotten passwords, make enrolment codes for new
//! laptops, deactivate people who leave, and revoke lost laptops. The store
//! decides who may manage whom; each change is a sync operation. One-time
//! passwords and codes are made here, shown once, and travel only hashed.

use crate::dialogs;
use crate::error::UiError;
use crate::state::Ctx;
use chrono::{DateTime, Duration, Utc};
use domain::{ErrorCode, Role};
use rand::RngCore;
use serde::Serialize;
use sync::ops;

/// What the office hands over to a person: shown once, never stored in clear.
#[derive(Serialize, ts_rs::TS)]
pub struct Issued {
    pub staff_id: String,
    /// The one-time password (new account, reset); `None` for a code alone.
    pub one_time_password: Option<String>,
    /// The enrolment code that connects a new laptop to the account.
    pub code: String,
    #[ts(type = "string")]
    pub expires_at: DateTime<Utc>,
    /// The server certificate's SHA-256, as people compare it.
    pub fingerprint: String,
}

pub async fn staff_accounts(ctx: &Ctx) -> Result<Vec<store::accounts::StaffRow>, UiError> {
    ctx.read(store::accounts::list).await
}

fn one_time_password() -> String {
    let mut random = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut random);
    domain::staff::one_time_password(&random)
}

/// The server's address and certificate fingerprint, read before any
/// change: a laptop that cannot make a code refuses before it creates an
/// account or resets a password (else the one-time password would be lost).
async fn server_identity(ctx: &Ctx) -> Result<(String, [u8; 32]), UiError> {
    ctx.blocking(|state| state.with_store(crate::sync_link::server_identity))
        .await
}

/// A new enrolment code for `staff_id` (the operation carries only the
/// hash of its secret).
async fn issue_code(
    ctx: &Ctx,
    (server, fingerprint): (String, [u8; 32]),
    staff_id: String,
    one_time_password: Option<String>,
) -> Result<Issued, UiError> {
    let code = sync::enrol::EnrolmentCode::new(&server, fingerprint)
        .map_err(|_| UiError::new(ErrorCode::NotConfigured))?;
    let expires_at = Utc::now() + Duration::hours(domain::staff::DEFAULT_CODE_HOURS);
    ctx.apply(ops::IssueEnrolmentCode {
        staff_id: staff_id.clone(),
        secret_hash: sync::enrol::secret_hash(&code.secret),
        expires_at,
    })
    .await?;
    crate::sync_link::round_soon(ctx.app());
    Ok(Issued {
        staff_id,
        one_time_password,
        code: code.encode().to_string(),
        expires_at,
        fingerprint: sync::enrol::fingerprint_text(&fingerprint),
    })
}

/// Creates an account with a one-time password and an enrolment code.
pub async fn create_staff(
    ctx: &Ctx,
    username: String,
    display_name: String,
    role: Role,
) -> Result<Issued, UiError> {
    let identity = server_identity(ctx).await?;
    let password = one_time_password();
    let password_hash = {
        let (password, username) = (password.clone(), username.clone());
        ctx.blocking(move |_| {
            store::accounts::hash_new_password(&password, &username).map_err(Into::into)
        })
        .await?
    };
    let staff_id = ctx
        .apply(ops::CreateStaff {
            username: username.trim().to_owned(),
            display_name,
            role,
            password_hash,
        })
        .await?;
    issue_code(ctx, identity, staff_id, Some(password)).await
}

/// A forgotten password: a new one-time password (and a code, for a
/// laptop the person does not have yet).
pub async fn reset_staff_password(ctx: &Ctx, staff_id: String) -> Result<Issued, UiError> {
    let identity = server_identity(ctx).await?;
    let password = one_time_password();
    let password_hash = {
        let password = password.clone();
        ctx.blocking(move |_| {
            // The one-time password contains no user name by construction.
            store::accounts::hash_new_password(&password, "").map_err(Into::into)
        })
        .await?
    };
    ctx.apply(ops::ResetStaffPassword {
        staff_id: staff_id.clone(),
        password_hash,
    })
    .await?;
    issue_code(ctx, identity, staff_id, Some(password)).await
}

/// A code for one more laptop of an existing account (its own password).
pub async fn issue_enrolment_code(ctx: &Ctx, staff_id: String) -> Result<Issued, UiError> {
    let identity = server_identity(ctx).await?;
    issue_code(ctx, identity, staff_id, None).await
}

pub async fn deactivate_staff(
    ctx: &Ctx,
    staff_id: String,
) -> Result<store::accounts::Deactivated, UiError> {
    let done = ctx.apply(ops::DeactivateStaff { staff_id }).await?;
    crate::sync_link::round_soon(ctx.app());
    Ok(done)
}

/// The laptops registered on the server, asked live (the server holds
/// their last contact); offline, the window says so.
pub async fn laptops(ctx: &Ctx) -> Result<Vec<store::accounts::DeviceRow>, UiError> {
    // The server's gate decides and audits (`device.list`); a role without
    // access gets `not_permitted` from it.
    ctx.blocking(|state| {
        state.actor()?;
        crate::sync_link::devices(state)
    })
    .await
}

pub async fn revoke_laptop(ctx: &Ctx, device_id: String) -> Result<bool, UiError> {
    let done = ctx.apply(ops::RevokeDevice { device_id }).await?;
    crate::sync_link::round_soon(ctx.app());
    Ok(done)
}

/// Saves an enrolment code as a file (to hand over on a USB stick or by a
/// secure channel); false when the dialog was cancelled.
pub async fn save_enrolment_code(
    _ctx: &Ctx,
    code: String,
    dialog_title: String,
) -> Result<bool, UiError> {
    sync::enrol::EnrolmentCode::parse(&code)
        .map_err(|_| UiError::new(ErrorCode::EnrolmentCodeMalformed))?;
    let name = format!("moniravique.{}", sync::enrol::FILE_EXTENSION);
    let Some(path) = dialogs::save_path(
        dialog_title,
        name,
        ("moniravique", &[sync::enrol::FILE_EXTENSION]),
    )
    .await?
    else {
        return Ok(false);
    };
    write_private(&path, code.trim())?;
    Ok(true)
}

/// Writes a new file readable by its owner only (where the OS has modes).
fn write_private(path: &std::path::Path, text: &str) -> Result<(), UiError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|_| UiError::new(ErrorCode::Io).noting("the file could not be written"))?;
    writeln!(file, "{text}")
        .map_err(|_| UiError::new(ErrorCode::Io).noting("the file could not be written"))
}
