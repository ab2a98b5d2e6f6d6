//! Start-up information, sign-in and sign-out (POL-18), and the closed
//! vocabularies the window's forms offer. The session lives in memory only.

use crate::error::UiError;
use crate::state::{poisoned, Ctx};
use domain::ErrorCode;
use serde::Serialize;

/// Why the store did not open: its code (the window explains it).
#[derive(Serialize, ts_rs::TS)]
pub struct StoreErrorDto {
    pub code: ErrorCode,
}

#[derive(Serialize, ts_rs::TS)]
pub struct AppInfo {
    pub version: String,
    pub demo: bool,
    pub demo_accounts: Vec<store::seed::DemoAccount>,
    pub store_error: Option<StoreErrorDto>,
    /// Whether this laptop can sign in already: it is connected to a
    /// server, or its store holds accounts of its own (a standalone demo
    /// store). A freshly installed laptop cannot, and opens on "Connect
    /// this laptop" (issue 14).
    pub connected: bool,
    /// A code offered by whoever started the app (the demo's own), to fill
    /// the connect screen; never one typed by a person.
    pub offered_code: Option<String>,
    /// On a demo laptop, the demo account the offered code is for.
    pub offered_account: Option<store::seed::DemoAccount>,
}

#[derive(Serialize, Clone, ts_rs::TS)]
pub struct SessionDto {
    pub staff_id: String,
    pub username: String,
    pub display_name: String,
    pub role: domain::Role,
    /// Until the person sets their own password, nothing else is allowed.
    pub must_change_password: bool,
}

impl From<&store::auth::SignedIn> for SessionDto {
    fn from(signed: &store::auth::SignedIn) -> Self {
        SessionDto {
            staff_id: signed.actor.staff_id.to_string(),
            username: signed.username.clone(),
            display_name: signed.display_name.clone(),
            role: signed.actor.role,
            must_change_password: signed.must_change_password,
        }
    }
}

/// Version, demo accounts (demo stores only) and why the store did not open, if it did not.
pub async fn app_info(ctx: &Ctx) -> Result<AppInfo, UiError> {
    let app = ctx.app().clone();
    ctx.blocking(move |state| {
        // The window has drawn its first screen: now the store's file can
        // be read whole in the background.
        state.start_integrity_check(app);
        let (demo, connected) = match state.store.lock().map_err(|_| poisoned())?.as_mut() {
            Some(store) => (
                store::open::meta(store, "demo")?.as_deref() == Some("true"),
                crate::sync_link::server_url(store).is_some()
                    || !store::seed::is_empty(store).unwrap_or(true),
            ),
            None => (false, false),
        };
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            demo,
            demo_accounts: if demo {
                store::seed::DEMO_ACCOUNTS.to_vec()
            } else {
                Vec::new()
            },
            store_error: state.store_error().map(|(code, _)| StoreErrorDto { code }),
            connected,
            offered_code: if connected {
                None
            } else {
                state.offered_code.clone()
            },
            offered_account: match (&state.offered_account, demo && !connected) {
                (Some(name), true) => store::seed::DEMO_ACCOUNTS
                    .iter()
                    .find(|account| account.username == name.as_str())
                    .cloned(),
                _ => None,
            },
        })
    })
    .await
}

/// Signs in against the laptop's copy of the account. A new laptop knows
/// nobody yet: its first sign-in goes to the server, which registers the
/// laptop and sends the account and its scope (DC-5); the store is not held
/// while the server is asked.
pub async fn sign_in(ctx: &Ctx, username: String, password: String) -> Result<SessionDto, UiError> {
    ctx.blocking(move |state| {
        let now = chrono::Utc::now();
        let local = state.with_store(|store| {
            let signed = store::auth::sign_in(store, &username, &password, now);
            let first_on_this_laptop = crate::sync_link::server_url(store).is_some()
                && crate::sync_link::registered_actor(store).is_none();
            Ok((signed, first_on_this_laptop))
        })?;
        let signed = match local {
            (Ok(signed), _) => signed,
            (Err(store::auth::SignInError::BadCredentials), true) => {
                crate::sync_link::register(state, &username, &password)?;
                state.with_store(|store| {
                    store::auth::sign_in(store, &username, &password, chrono::Utc::now())
                        .map_err(Into::into)
                })?
            }
            // A password the office has just reset is not on this laptop
            // yet: the server checks it, and the round brings the account's
            // new password to the laptop (issue 14). Offline, or refused
            // there too, the answer stays "wrong password".
            (Err(store::auth::SignInError::BadCredentials), false)
                if state.with_store(|store| Ok(is_own_account(store, &username)))? =>
            {
                if crate::sync_link::register(state, &username, &password).is_err() {
                    return Err(store::auth::SignInError::BadCredentials.into());
                }
                state.with_store(|store| {
                    store::auth::sign_in(store, &username, &password, chrono::Utc::now())
                        .map_err(Into::into)
                })?
            }
            (Err(other), _) => return Err(other.into()),
        };
        // An expired device token (30 days) is renewed with the password just
        // checked; offline, the laptop keeps working and retries at the next sign-in.
        if state.with_store(|store| Ok(crate::sync_link::needs_new_token(store)))? {
            match crate::sync_link::register(state, &username, &password) {
                Ok(()) => tracing::info!("device token renewed"),
                Err(error) => tracing::warn!(code = %error.code, "device token not renewed"),
            }
        }
        tracing::info!(staff = %signed.actor.staff_id, role = %signed.actor.role, "signed in");
        let dto = SessionDto::from(&signed);
        *state.session.lock().map_err(|_| poisoned())? = Some(signed);
        Ok(dto)
    })
    .await
}

/// Whether `username` is the account this connected laptop belongs to.
fn is_own_account(store: &mut store::Store, username: &str) -> bool {
    crate::sync_link::server_url(store).is_some()
        && crate::sync_link::registered_username(store)
            .is_some_and(|name| name.eq_ignore_ascii_case(username.trim()))
}

/// Connects a freshly installed laptop with an enrolment code and the
/// person's password, then signs them in (issue 14).
pub async fn connect_laptop(
    ctx: &Ctx,
    code: String,
    password: String,
) -> Result<SessionDto, UiError> {
    ctx.blocking(move |state| {
        crate::sync_link::connect(state, &code, &password)?;
        let username = state
            .with_store(|store| Ok(crate::sync_link::registered_username(store)))?
            .ok_or_else(|| {
                UiError::new(ErrorCode::NotFound).noting("the account did not arrive")
            })?;
        let signed = state.with_store(|store| {
            store::auth::sign_in(store, &username, &password, chrono::Utc::now())
                .map_err(Into::into)
        })?;
        tracing::info!(staff = %signed.actor.staff_id, "signed in on a newly connected laptop");
        let dto = SessionDto::from(&signed);
        *state.session.lock().map_err(|_| poisoned())? = Some(signed);
        Ok(dto)
    })
    .await
}

/// Reads an enrolment file chosen in a dialog; `None` when cancelled. The
/// code is checked for shape only: the connect screen shows it to the
/// person, who then gives their password.
pub async fn open_enrolment_file(
    _ctx: &Ctx,
    dialog_title: String,
) -> Result<Option<String>, UiError> {
    let Some(path) = crate::dialogs::open_path(
        dialog_title,
        ("moniravique", &[sync::enrol::FILE_EXTENSION, "txt"]),
    )
    .await?
    else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .ok()
        .filter(|text| text.len() < 4096)
        .ok_or_else(|| UiError::new(ErrorCode::EnrolmentCodeMalformed))?;
    sync::enrol::EnrolmentCode::parse(&text)
        .map_err(|_| UiError::new(ErrorCode::EnrolmentCodeMalformed))?;
    Ok(Some(text.trim().to_owned()))
}

/// Changes the signed-in person's password: the current one first, then
/// the rule (`domain::staff::check_password`), then an operation that
/// carries only the new hash. Lifts the one-time restriction.
pub async fn change_password(
    ctx: &Ctx,
    current: String,
    new_password: String,
) -> Result<SessionDto, UiError> {
    ctx.blocking(move |state| {
        let (actor, username) = {
            let session = state.session.lock().map_err(|_| poisoned())?;
            let signed = session.as_ref().ok_or_else(UiError::not_signed_in)?;
            (signed.actor.clone(), signed.username.clone())
        };
        let current_ok = state.with_store(|store| {
            store::auth::is_current_password(store.connection(), actor.staff_id.as_str(), &current)
                .map_err(Into::into)
        })?;
        if !current_ok {
            return Err(store::auth::SignInError::BadCredentials.into());
        }
        if current == new_password {
            return Err(UiError::new(ErrorCode::PasswordUnchanged));
        }
        let password_hash = store::accounts::hash_new_password(&new_password, &username)?;
        state.with_store(|store| {
            sync::local::apply(
                store,
                &actor,
                sync::ops::ChangeOwnPassword { password_hash },
                chrono::Utc::now(),
            )
            .map_err(UiError::from)
        })?;
        let mut session = state.session.lock().map_err(|_| poisoned())?;
        let signed = session.as_mut().ok_or_else(UiError::not_signed_in)?;
        signed.must_change_password = false;
        tracing::info!(staff = %actor.staff_id, "password changed");
        Ok(SessionDto::from(&*signed))
    })
    .await
}

pub async fn sign_out(ctx: &Ctx) -> Result<(), UiError> {
    *ctx.state().session.lock().map_err(|_| poisoned())? = None;
    // Issue 15: spreadsheet import: a spreadsheet opened in the wizard is forgotten.
    crate::commands::families_import::forget();
    Ok(())
}

pub async fn current_session(ctx: &Ctx) -> Result<Option<SessionDto>, UiError> {
    Ok(ctx
        .state()
        .session
        .lock()
        .map_err(|_| poisoned())?
        .as_ref()
        .map(SessionDto::from))
}

/// The closed lists the window's forms offer, and the retention defaults: the
/// window asks instead of restating them (one place per rule).
#[derive(Serialize, ts_rs::TS)]
pub struct Vocabularies {
    pub request_kinds: Vec<domain::rights::RequestKind>,
    pub channels: Vec<domain::rights::Channel>,
    pub objection_purposes: Vec<domain::rights::ObjectionPurpose>,
    pub consent_purposes: Vec<domain::rights::ConsentPurpose>,
    pub consent_sources: Vec<domain::rights::ConsentSource>,
    pub rectifiable_fields: Vec<domain::rights::RectifiableField>,
    pub age_brackets: Vec<domain::rights::AgeBracket>,
    pub session_kinds: Vec<domain::enrolment::SessionKind>,
    pub templates: Vec<domain::messages::Template>,
    pub legal_bases: Vec<domain::access_export::LegalBasis>,
    pub error_codes: Vec<ErrorCode>,
    /// The policy's durations, as the DPO's settings start (POL-29..33).
    pub retention_defaults: Vec<domain::retention::RuleEntry>,
    /// The sweep's operations in plan order, with the requirement behind each.
    pub retention_actions: Vec<RetentionAction>,
}

/// One kind of operation of the retention sweep and its requirement (`POL-30`…).
#[derive(Serialize, ts_rs::TS)]
pub struct RetentionAction {
    pub kind: domain::retention::ActionKind,
    pub rule_id: String,
}

pub async fn vocabularies(_ctx: &Ctx) -> Result<Vocabularies, UiError> {
    Ok(Vocabularies {
        request_kinds: domain::rights::RequestKind::ALL.to_vec(),
        channels: domain::rights::Channel::ALL.to_vec(),
        objection_purposes: domain::rights::ObjectionPurpose::ALL.to_vec(),
        consent_purposes: domain::rights::ConsentPurpose::ALL.to_vec(),
        consent_sources: domain::rights::ConsentSource::ALL.to_vec(),
        rectifiable_fields: domain::rights::RectifiableField::ALL.to_vec(),
        age_brackets: domain::rights::AgeBracket::ALL.to_vec(),
        session_kinds: domain::enrolment::SessionKind::ALL.to_vec(),
        templates: domain::messages::Template::ALL.to_vec(),
        legal_bases: domain::access_export::LegalBasis::ALL.to_vec(),
        error_codes: ErrorCode::ALL.to_vec(),
        retention_defaults: domain::retention::RetentionRules::default().entries(),
        retention_actions: domain::retention::ActionKind::ALL
            .iter()
            .map(|kind| RetentionAction {
                kind: *kind,
                rule_id: kind.rule_id().to_owned(),
            })
            .collect(),
    })
}
