//! Start-up information, sign-in and sign-out (POL-18). The session lives in memory only.

use crate::error::UiError;
use crate::state::{poisoned, store_unavailable, AppState};
use serde::Serialize;
use tauri::State;

#[derive(Serialize)]
pub struct StoreErrorDto {
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub demo: bool,
    pub demo_accounts: Vec<store::seed::DemoAccount>,
    pub store_error: Option<StoreErrorDto>,
}

#[derive(Serialize, Clone)]
pub struct SessionDto {
    pub staff_id: String,
    pub username: String,
    pub display_name: String,
    pub role: domain::Role,
}

impl From<&store::auth::SignedIn> for SessionDto {
    fn from(signed: &store::auth::SignedIn) -> Self {
        SessionDto {
            staff_id: signed.actor.staff_id.to_string(),
            username: signed.username.clone(),
            display_name: signed.display_name.clone(),
            role: signed.actor.role,
        }
    }
}

/// Version, demo accounts (demo stores only) and why the store did not open, if it did not.
#[tauri::command(async)]
#[tracing::instrument(skip_all)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, UiError> {
    let demo = match state.store.lock().map_err(|_| poisoned())?.as_mut() {
        Some(store) => store::open::meta(store, "demo")?.as_deref() == Some("true"),
        None => false,
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        demo,
        demo_accounts: if demo {
            store::seed::DEMO_ACCOUNTS.to_vec()
        } else {
            Vec::new()
        },
        store_error: state
            .store_error
            .as_ref()
            .map(|(code, message)| StoreErrorDto {
                code,
                message: message.clone(),
            }),
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err)]
pub fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<SessionDto, UiError> {
    let mut guard = state.store.lock().map_err(|_| poisoned())?;
    let store = guard.as_mut().ok_or_else(store_unavailable)?;
    let signed = match store::auth::sign_in(store, &username, &password, chrono::Utc::now()) {
        Ok(signed) => signed,
        // A new laptop knows nobody yet: the first sign-in goes to the
        // server, which registers the laptop and sends the account (issue 5).
        Err(store::auth::SignInError::BadCredentials)
            if crate::sync_link::server_url(store).is_some()
                && crate::sync_link::registered_actor(store).is_none() =>
        {
            crate::sync_link::register(store, &username, &password)?;
            store::auth::sign_in(store, &username, &password, chrono::Utc::now())?
        }
        Err(other) => return Err(other.into()),
    };
    // An expired device token (30 days, issue 5) is renewed with the
    // password just checked; offline, the laptop keeps working and retries
    // at the next sign-in.
    if crate::sync_link::needs_new_token(store) {
        match crate::sync_link::register(store, &username, &password) {
            Ok(()) => tracing::info!("device token renewed"),
            Err(error) => tracing::warn!(code = error.code, "device token not renewed"),
        }
    }
    tracing::info!(staff = %signed.actor.staff_id, role = %signed.actor.role, "signed in");
    let dto = SessionDto::from(&signed);
    *state.session.lock().map_err(|_| poisoned())? = Some(signed);
    Ok(dto)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all)]
pub fn sign_out(state: State<'_, AppState>) -> Result<(), UiError> {
    *state.session.lock().map_err(|_| poisoned())? = None;
    Ok(())
}

#[tauri::command(async)]
#[tracing::instrument(skip_all)]
pub fn current_session(state: State<'_, AppState>) -> Result<Option<SessionDto>, UiError> {
    Ok(state
        .session
        .lock()
        .map_err(|_| poisoned())?
        .as_ref()
        .map(SessionDto::from))
}
