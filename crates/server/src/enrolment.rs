//! Enrolment codes on the server (issue 14): the operator's command makes
//! one ([`issue`]), the office's laptops make them by an operation
//! (`sync::ops::IssueEnrolmentCode`), and a new laptop uses one
//! ([`enrol`], `POST /v1/devices/enrol`). Only the SHA-256 of a code's
//! secret is kept; a code works once, before it expires, for an active
//! account, and with that account's password.

use crate::devices::{self, attach, DeviceError};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::time::utc;
use store::audit::{self, Outcome};
use store::schema::{enrolment_codes, staff};
use store::Store;
use sync::enrol::{secret_hash, EnrolmentCode};
use sync::wire::{DeviceRegistered, EnrolDevice};

/// Makes a code for `username` as the server's operator (no staff actor:
/// the command line of the server, like `add-staff`); audited as
/// `staff.enrolment_code` by `operator`.
pub fn issue(
    store: &mut Store,
    username: &str,
    server_url: &str,
    fingerprint: [u8; 32],
    hours: i64,
    now: DateTime<Utc>,
) -> Result<(EnrolmentCode, DateTime<Utc>), DeviceError> {
    let code = EnrolmentCode::new(server_url, fingerprint).map_err(|_| DeviceError::CodeInvalid)?;
    let staff_id = devices::active_staff_id(store.connection(), username)?;
    let expires_at = now + Duration::hours(hours);
    let server_device = store.device().as_str().to_owned();
    store::tx::immediate(store.connection(), |conn| {
        diesel::insert_into(enrolment_codes::table)
            .values((
                enrolment_codes::id.eq(domain::new_id()),
                enrolment_codes::staff_id.eq(&staff_id),
                enrolment_codes::secret_hash.eq(secret_hash(&code.secret)),
                enrolment_codes::expires_at.eq(expires_at.naive_utc()),
                enrolment_codes::created_at.eq(now.naive_utc()),
                enrolment_codes::updated_at.eq(now.naive_utc()),
                enrolment_codes::updated_device.eq(&server_device),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            "operator",
            &server_device,
            "staff.enrolment_code",
            &[],
            Outcome::Allowed,
            now,
        )?;
        Ok::<_, DeviceError>(())
    })?;
    Ok((code, expires_at))
}

/// `POST /v1/devices/enrol`: the code's secret names the account, the
/// password (checked, throttled and audited like any sign-in) proves the
/// person; the code is used and the device registered in one transaction.
/// A wrong password leaves the code unused.
pub fn enrol(
    store: &mut Store,
    request: &EnrolDevice,
    token_days: i64,
    now: DateTime<Utc>,
) -> Result<DeviceRegistered, DeviceError> {
    let device_id = devices::laptop_device_id(store, &request.device_id)?;
    let hash = secret_hash(request.secret.trim());
    type Row = (String, String, NaiveDateTime, Option<NaiveDateTime>);
    let row: Option<Row> = enrolment_codes::table
        .filter(enrolment_codes::secret_hash.eq(&hash))
        .select((
            enrolment_codes::id,
            enrolment_codes::staff_id,
            enrolment_codes::expires_at,
            enrolment_codes::used_at,
        ))
        .first(store.connection())
        .optional()?;
    let server_device = store.device().as_str().to_owned();
    let refuse = |store: &mut Store, staff: &str, error: DeviceError| {
        audit::record(
            store.connection(),
            staff,
            &device_id,
            "device.enrol",
            &[],
            Outcome::Denied,
            now,
        )?;
        Err(error)
    };
    let Some((code_id, staff_id, expires_at, used_at)) = row else {
        return refuse(store, "unknown", DeviceError::CodeInvalid);
    };
    if used_at.is_some() {
        return refuse(store, &staff_id, DeviceError::CodeUsed);
    }
    if utc(expires_at) <= now {
        return refuse(store, &staff_id, DeviceError::CodeExpired);
    }
    let account: Option<(String, bool)> = staff::table
        .find(&staff_id)
        .select((staff::username, staff::active))
        .first(store.connection())
        .optional()?;
    let username = match account {
        Some((username, true)) => username,
        _ => return refuse(store, &staff_id, DeviceError::Inactive),
    };
    let signed = store::auth::sign_in(store, &username, &request.password, now)
        .map_err(devices::sign_in_error)?;
    let issued = attach(
        store,
        &staff_id,
        &device_id,
        &request.label,
        token_days,
        now,
        "device.enrol",
        |conn| {
            let used = diesel::update(
                enrolment_codes::table
                    .find(&code_id)
                    .filter(enrolment_codes::used_at.is_null()),
            )
            .set((
                enrolment_codes::used_at.eq(now.naive_utc()),
                enrolment_codes::used_device.eq(&device_id),
                enrolment_codes::updated_at.eq(now.naive_utc()),
                enrolment_codes::updated_device.eq(&server_device),
            ))
            .execute(conn)?;
            if used == 0 {
                return Err(DeviceError::CodeUsed);
            }
            Ok(())
        },
    )?;
    tracing::info!(staff = %staff_id, device = %device_id, "laptop enrolled with a code");
    Ok(devices::answer(issued, signed))
}
