//! The laptop's link to the central server (issue 5, DC-5): the server's
//! address and certificate (kept in the store's settings), the device token
//! (OS keyring), the first sign-in that registers the laptop, sync rounds and
//! the wipe of a revoked device. The protocol itself is `crates/sync`.

use crate::error::UiError;
use crate::state::AppState;
use chrono::Utc;
use domain::{Actor, DeviceId, Role, StaffId};
use store::Store;
use sync::client::{self, Phase, SyncError, TransportError};
use sync::wire::{RegisterDevice, PROTOCOL};

const URL: &str = "sync.server_url";
const CERT: &str = "sync.server_cert";
const STAFF: &str = "sync.staff_id";
const ROLE: &str = "sync.role_of_staff";

/// Records the server this laptop syncs with (from `--server` and
/// `--server-cert`): the certificate is the only one it will trust.
pub fn configure(store: &mut Store, url: &str, cert_pem: &str) -> Result<(), UiError> {
    if !url.starts_with("https://") {
        return Err(UiError::new(
            "invalid_input",
            "the server address must start with https://",
        ));
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

/// The server no longer accepts this laptop's token (expired, or unknown
/// after a server restore): the next sign-in asks for a new one.
pub fn needs_new_token(store: &mut Store) -> bool {
    use sync::wire::codes::{TOKEN_EXPIRED, UNAUTHENTICATED};
    if server_url(store).is_none() || registered_actor(store).is_none() {
        return false;
    }
    matches!(
        sync::local::status(store)
            .ok()
            .and_then(|s| s.last_error)
            .as_deref(),
        Some(TOKEN_EXPIRED) | Some(UNAUTHENTICATED)
    )
}

fn transport_error(error: TransportError) -> UiError {
    match error {
        TransportError::Unreachable(_) => UiError::new(
            "offline",
            "the server cannot be reached: the laptop keeps working offline",
        ),
        TransportError::Refused(body) => UiError::new(static_code(&body.code), body.message),
    }
}

/// The protocol's codes as the window knows them (it switches on codes).
fn static_code(code: &str) -> &'static str {
    use sync::wire::codes::*;
    [
        UNAUTHENTICATED,
        TOKEN_EXPIRED,
        DEVICE_REVOKED,
        BAD_CREDENTIALS,
        LOCKED,
        MALFORMED,
        TOO_LARGE,
        PROTOCOL,
        "bad_certificate",
    ]
    .into_iter()
    .find(|known| *known == code)
    .unwrap_or(SERVER)
}

fn agent(store: &mut Store) -> Result<(String, ureq::Agent), UiError> {
    let url = server_url(store)
        .ok_or_else(|| UiError::new("not_configured", "no server is configured"))?;
    let cert = store::open::meta(store, CERT)?
        .ok_or_else(|| UiError::new("not_configured", "no server certificate is configured"))?;
    Ok((
        url,
        sync::http::agent(cert.as_bytes()).map_err(transport_error)?,
    ))
}

/// First sign-in on a new laptop: the server checks the password, registers
/// the laptop to that account (token in the keyring), and the first sync
/// brings the account and its scope, so the local sign-in can follow.
pub fn register(store: &mut Store, username: &str, password: &str) -> Result<(), UiError> {
    let (url, agent) = agent(store)?;
    let registered = sync::http::register(
        &agent,
        &url,
        &RegisterDevice {
            protocol: PROTOCOL,
            username: username.to_owned(),
            password: password.to_owned(),
            device_id: store.device().as_str().to_owned(),
            label: "poste moniravique".to_owned(),
        },
    )
    .map_err(transport_error)?;
    let role = Role::parse(&registered.staff.role)
        .ok_or_else(|| UiError::new("server", "the server named an unknown role"))?;
    crate::keystore::save_token(store.path(), &registered.token).map_err(|e| {
        UiError::new(
            e.code(),
            "the device token could not be kept in the keyring",
        )
    })?;
    store::open::set_meta(store, STAFF, &registered.staff.id)?;
    store::open::set_meta(store, ROLE, role.as_str())?;
    tracing::info!(staff = %registered.staff.id, device = %store.device(), "laptop registered");
    let actor = Actor::new(
        StaffId(registered.staff.id),
        role,
        DeviceId(store.device().as_str().to_owned()),
    );
    round(store, &actor, &mut |_, _, _| {}).map(|_| ())
}

/// One sync round as `actor`. A revoked device is wiped by the caller
/// ([`wipe`]) when the error's code says so.
pub fn round(
    store: &mut Store,
    actor: &Actor,
    progress: &mut dyn FnMut(Phase, usize, i64),
) -> Result<client::Report, UiError> {
    let (url, agent) = agent(store)?;
    let token = crate::keystore::load_token(store.path())
        .map_err(|e| UiError::new(e.code(), "the device token is not readable in the keyring"))?
        .ok_or_else(|| {
            UiError::new(
                "not_registered",
                "this laptop is not registered yet: sign in once while online",
            )
        })?;
    let mut transport = sync::http::Https {
        agent,
        base_url: url,
        token,
    };
    match client::round(store, actor, &mut transport, Utc::now, progress) {
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
/// (issue 5: "a revoked device wipes its local store and key").
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

/// Syncs in the background while the server is configured and a staff
/// member is signed in; the window hears `sync-status` after each round.
pub fn start_background(app: tauri::AppHandle) {
    use tauri::{Emitter, Manager};
    std::thread::spawn(move || loop {
        std::thread::sleep(BACKGROUND_EVERY);
        let state = app.state::<AppState>();
        let signed_in = state.session.lock().map(|s| s.is_some()).unwrap_or(false);
        if !signed_in {
            continue;
        }
        let result = state.with_actor(|store, actor| {
            if server_url(store).is_none() || registered_actor(store).is_none() {
                return Ok(None);
            }
            round(store, actor, &mut |_, _, _| {}).map(Some)
        });
        match result {
            Ok(None) => continue,
            Ok(Some(_)) => {}
            Err(error) if error.code == sync::wire::codes::DEVICE_REVOKED => wipe(&state),
            Err(_) => {}
        }
        let _ = app.emit("sync-status", ());
    });
}
