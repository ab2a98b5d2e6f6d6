//! The laptop's link to the central server (DC-5): the server's address and
//! certificate (kept in the store's settings), the device token (OS keyring),
//! the first sign-in that registers the laptop, sync rounds and the wipe of a
//! revoked device. The protocol itself is `crates/sync`.
//!
//! **Invariant**: no request to the server is made while the store is
//! locked: what a request needs is read under the lock, the lock is released,
//! the request goes out, and the answer is applied under the lock again
//! (`crate::state::LockedStore`). A stalled server stalls the round, never
//! the window.

use crate::error::UiError;
use crate::state::{AppState, LockedStore};
use chrono::Utc;
use domain::{Actor, DeviceId, ErrorCode, Role, StaffId};
use store::Store;
use sync::client::{self, Phase, SyncError, TransportError};
use sync::enrol::EnrolmentCode;
use sync::wire::{EnrolDevice, RegisterDevice, PROTOCOL};

const URL: &str = "sync.server_url";
const CERT: &str = "sync.server_cert";
const STAFF: &str = "sync.staff_id";
const ROLE: &str = "sync.role_of_staff";

/// Records the server this laptop syncs with (from `--server` and
/// `--server-cert`): the certificate is the only one it will trust.
pub fn configure(store: &mut Store, url: &str, cert_pem: &str) -> Result<(), UiError> {
    if !url.starts_with("https://") {
        return Err(UiError::new(ErrorCode::InvalidInput)
            .noting("the server address must start with https://"));
    }
    sync::http::agent(cert_pem.as_bytes()).map_err(transport_error)?;
    store::open::set_meta(store, URL, url)?;
    store::open::set_meta(store, CERT, cert_pem)?;
    Ok(())
}

pub fn server_url(store: &mut Store) -> Option<String> {
    store::open::meta(store, URL).ok().flatten()
}

/// The staff account this laptop is registered to, once it is.
pub fn registered_actor(store: &mut Store) -> Option<Actor> {
    let staff = store::open::meta(store, STAFF).ok().flatten()?;
    let role = store::open::meta(store, ROLE).ok().flatten()?;
    Some(Actor::new(
        StaffId(staff),
        Role::parse(&role)?,
        DeviceId(store.device().as_str().to_owned()),
    ))
}

/// The server no longer accepts this laptop's token (expired, unknown, or
/// revoked by a restore of the server from a backup): the next sign-in
/// asks for a new one, and the pending changes stay in the outbox.
pub fn needs_new_token(store: &mut Store) -> bool {
    use sync::wire::codes::{SERVER_RESTORED, TOKEN_EXPIRED, UNAUTHENTICATED};
    if server_url(store).is_none() || registered_actor(store).is_none() {
        return false;
    }
    matches!(
        sync::local::status(store)
            .ok()
            .and_then(|s| s.last_error)
            .as_deref(),
        Some(TOKEN_EXPIRED) | Some(UNAUTHENTICATED) | Some(SERVER_RESTORED)
    )
}

/// The window's error for a failed request: offline, or the server's code.
fn transport_error(error: TransportError) -> UiError {
    match error {
        TransportError::Unreachable(_) => UiError::new(ErrorCode::Offline),
        TransportError::Refused(body) => {
            UiError::new(ErrorCode::parse(&body.code).unwrap_or(ErrorCode::Server))
                .noting(body.code)
        }
    }
}

fn agent(store: &mut Store) -> Result<(String, ureq::Agent), UiError> {
    let url = server_url(store).ok_or_else(|| UiError::new(ErrorCode::NotConfigured))?;
    let cert =
        store::open::meta(store, CERT)?.ok_or_else(|| UiError::new(ErrorCode::NotConfigured))?;
    Ok((
        url,
        sync::http::agent(cert.as_bytes()).map_err(transport_error)?,
    ))
}

/// First sign-in on a new laptop: the server checks the password, registers
/// the laptop to that account (token in the keyring), and the first sync
/// brings the account and its scope, so the local sign-in can follow.
pub fn register(state: &AppState, username: &str, password: &str) -> Result<(), UiError> {
    let (url, agent, device, path) = state.with_store(|store| {
        let (url, agent) = agent(store)?;
        Ok((
            url,
            agent,
            store.device().as_str().to_owned(),
            store.path().to_owned(),
        ))
    })?;
    let registered = sync::http::register(
        &agent,
        &url,
        &RegisterDevice {
            protocol: PROTOCOL,
            username: username.to_owned(),
            password: password.to_owned(),
            device_id: device.clone(),
            label: laptop_label(),
        },
    )
    .map_err(transport_error)?;
    adopt(state, &path, device, registered, None)
}

/// Takes the server's yes: the token in the keyring, the server's address
/// and certificate when they are new (`server`), the account and its role,
/// then the first round as that account (no session yet), which brings the
/// account and its scope so the local sign-in can follow.
fn adopt(
    state: &AppState,
    path: &std::path::Path,
    device: String,
    registered: sync::wire::DeviceRegistered,
    server: Option<(&str, &str)>,
) -> Result<(), UiError> {
    let role = Role::parse(&registered.staff.role).ok_or_else(|| {
        UiError::new(ErrorCode::Server).noting("the server named an unknown role")
    })?;
    crate::keystore::save_token(path, &registered.token).map_err(|e| {
        UiError::new(e.code()).noting("the device token could not be kept in the keyring")
    })?;
    state.with_store(|store| {
        if let Some((url, cert_pem)) = server {
            configure(store, url, cert_pem)?;
        }
        store::open::set_meta(store, STAFF, &registered.staff.id)?;
        store::open::set_meta(store, ROLE, role.as_str())?;
        Ok(())
    })?;
    tracing::info!(staff = %registered.staff.id, device = %device, "laptop registered");
    let actor = Actor::new(StaffId(registered.staff.id), role, DeviceId(device));
    round(state, &actor, false, &mut |_, _, _| {}).map(|_| ())
}

/// Connects a freshly installed laptop with an enrolment code (issue 14):
/// reads the code, fetches the server's certificate and checks its
/// fingerprint (a mismatch is refused before the password leaves the
/// laptop), registers with the code's secret and the password, keeps the
/// server's address and certificate, and pulls the account and its scope.
/// Until the server has said yes, nothing is written: a wrong, used or
/// expired code, a mismatch or an unreachable server change nothing.
pub fn connect(state: &AppState, code: &str, password: &str) -> Result<(), UiError> {
    let code =
        EnrolmentCode::parse(code).map_err(|_| UiError::new(ErrorCode::EnrolmentCodeMalformed))?;
    let (device, path) = state.with_store(|store| {
        if server_url(store).is_some() && registered_actor(store).is_some() {
            return Err(UiError::new(ErrorCode::AlreadyConnected));
        }
        Ok((store.device().as_str().to_owned(), store.path().to_owned()))
    })?;
    let chain = sync::enrol::fetch_certificates(&code.server).map_err(|error| {
        tracing::info!(kind = ?std::mem::discriminant(&error), "server certificate not fetched");
        UiError::new(ErrorCode::Offline)
    })?;
    if sync::enrol::fingerprint(&chain[0]) != code.fingerprint {
        tracing::warn!("the server's certificate is not the one the enrolment code names");
        return Err(UiError::new(ErrorCode::FingerprintMismatch));
    }
    let cert_pem = sync::enrol::to_pem(&chain);
    let agent = sync::http::agent(cert_pem.as_bytes()).map_err(transport_error)?;
    let registered = sync::http::enrol(
        &agent,
        &code.server,
        &EnrolDevice {
            protocol: PROTOCOL,
            secret: code.secret.to_string(),
            password: password.to_owned(),
            device_id: device.clone(),
            label: laptop_label(),
        },
    )
    .map_err(transport_error)?;
    adopt(
        state,
        &path,
        device,
        registered,
        Some((&code.server, &cert_pem)),
    )
}

/// The laptop's name on the server's list: the machine's host name when
/// it has one (never a person's name typed by us).
fn laptop_label() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "poste moniravique".to_owned())
}

/// The server's address and its certificate's fingerprint, to make an
/// enrolment code for someone else (the office).
pub fn server_identity(store: &mut Store) -> Result<(String, [u8; 32]), UiError> {
    let url = server_url(store).ok_or_else(|| UiError::new(ErrorCode::NotConfigured))?;
    let cert =
        store::open::meta(store, CERT)?.ok_or_else(|| UiError::new(ErrorCode::NotConfigured))?;
    let fingerprint = sync::enrol::fingerprint_of_pem(cert.as_bytes())
        .ok_or_else(|| UiError::new(ErrorCode::BadCertificate))?;
    Ok((url, fingerprint))
}

/// What a request as this registered laptop needs: the server's address,
/// an agent trusting its certificate, the device token (read under the
/// store's lock, used after it is released).
fn registered_link(state: &AppState) -> Result<(String, ureq::Agent, String), UiError> {
    let (url, agent, path) = state.with_store(|store| {
        let (url, agent) = agent(store)?;
        Ok((url, agent, store.path().to_owned()))
    })?;
    let token = crate::keystore::load_token(&path)
        .map_err(|e| {
            UiError::new(e.code()).noting("the device token is not readable in the keyring")
        })?
        .ok_or_else(|| UiError::new(ErrorCode::NotRegistered))?;
    Ok((url, agent, token))
}

/// The user name of the account this laptop is registered to, once it is.
pub fn registered_username(store: &mut Store) -> Option<String> {
    use diesel::prelude::*;
    let actor = registered_actor(store)?;
    store::schema::staff::table
        .find(actor.staff_id.as_str())
        .select(store::schema::staff::username)
        .first::<String>(store.connection())
        .ok()
}

/// The laptops registered on the server (the office's list): asked live,
/// with the store released while the request is out.
pub fn devices(state: &AppState) -> Result<Vec<store::accounts::DeviceRow>, UiError> {
    let (url, agent, token) = registered_link(state)?;
    sync::http::devices(&agent, &url, &token)
        .map(|list| list.devices)
        .map_err(transport_error)
}

/// One sync round as `actor`, the store locked per step (never while a
/// request is out). With `signed_in`, the round stops at its next step if
/// that staff member signs out meanwhile. A revoked device is wiped by the
/// caller ([`wipe`]) when the error's code says so.
pub fn round(
    state: &AppState,
    actor: &Actor,
    signed_in: bool,
    progress: &mut dyn FnMut(Phase, usize, i64),
) -> Result<client::Report, UiError> {
    let _one_at_a_time = state.round.lock().map_err(|_| crate::state::poisoned())?;
    let (url, agent, token) = registered_link(state)?;
    let mut transport = sync::http::Https {
        agent,
        base_url: url,
        token,
    };
    let local = LockedStore {
        state,
        actor: actor.clone(),
        signed_in,
    };
    match client::round(local, actor, &mut transport, Utc::now, progress) {
        Ok(report) => {
            tracing::info!(
                pushed = report.pushed,
                refused = report.refused,
                pulls = report.pulls,
                "sync round done"
            );
            Ok(report)
        }
        Err(SyncError::Transport(error)) => {
            tracing::warn!("sync round failed; local changes kept");
            Err(transport_error(error))
        }
        Err(SyncError::Store(error)) => Err(error.into()),
    }
}

/// Wipes a revoked laptop: the store's files, its key and its token go
/// ("a revoked device wipes its local store and key").
pub fn wipe(state: &AppState) {
    let path = {
        let mut guard = match state.store.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let path = guard.as_ref().map(|store| store.path().to_owned());
        *guard = None;
        path
    };
    if let Ok(mut session) = state.session.lock() {
        *session = None;
    }
    if let Some(path) = path {
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            let _ = std::fs::remove_file(file);
        }
        let _ = crate::keystore::delete(&path);
        let _ = crate::keystore::delete_token(&path);
        tracing::warn!("device revoked by the server: local store and key wiped");
    }
}

/// How often the laptop syncs by itself while someone is signed in.
pub const BACKGROUND_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// One round as the signed-in staff member, if the laptop is registered; the
/// window hears `sync-status` after it. A revoked laptop wipes itself.
pub fn round_now(
    app: &tauri::AppHandle,
    progress: &mut dyn FnMut(Phase, usize, i64),
) -> Result<Option<client::Report>, UiError> {
    use tauri::{Emitter, Manager};
    let state = app.state::<AppState>();
    let actor = state.actor()?;
    let registered = state
        .with_store(|store| Ok(server_url(store).is_some() && registered_actor(store).is_some()))?;
    if !registered {
        return Ok(None);
    }
    let result = round(&state, &actor, true, progress);
    if let Err(error) = &result {
        if error.code == ErrorCode::DeviceRevoked {
            wipe(&state);
        }
    }
    // Whether the round brought people's data: the window's lists reload
    // their rows then (and only then: a list read is audited per person).
    let changed = result.as_ref().is_ok_and(|report| {
        report.participants_updated + report.participants_purged + report.participants_erased > 0
    });
    let _ = app.emit("sync-status", serde_json::json!({ "changed": changed }));
    result.map(Some)
}

/// A round as soon as possible, on a thread of its own (after the office
/// made a code or revoked a laptop: the server should know at once).
pub fn round_soon(app: &tauri::AppHandle) {
    let app = app.clone();
    std::thread::spawn(move || {
        if let Err(error) = round_now(&app, &mut |_, _, _| {}) {
            tracing::info!(code = %error.code, "immediate sync round failed; the next one retries");
        }
    });
}

/// Syncs in the background while the server is configured and a staff
/// member is signed in.
pub fn start_background(app: tauri::AppHandle) {
    std::thread::spawn(move || loop {
        std::thread::sleep(BACKGROUND_EVERY);
        let _ = round_now(&app, &mut |_, _, _| {});
    });
}
