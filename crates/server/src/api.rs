//! The HTTP API (JSON over HTTPS). Every error answer is an [`ErrorBody`]
//! JSON; bodies are bounded (`MAX_BODY_BYTES`, after gzip decompression),
//! malformed JSON is a 400 `malformed`, another protocol a 400 `protocol`.
//! Every endpoint but health and registration needs a device token.

use crate::error::{server_codes, ApiError};
use crate::state::AppState;
use crate::{devices, enrolment, helloasso};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use domain::Actor;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sync::wire::{
    codes, AuditAck, AuditPush, DeviceList, DeviceRegistered, EnrolDevice, ErrorBody, PullRequest,
    PullResponse, PushRequest, PushResponse, RegisterDevice, StaffInfo, MAX_AUDIT_PER_PUSH,
    MAX_BODY_BYTES, MAX_FETCH, MAX_OPS_PER_PUSH, PROTOCOL,
};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use zeroize::Zeroizing;

/// The whole API, with its layers (outermost first): response gzip, JSON
/// error bodies for the router's own refusals, request gzip, body limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/devices/register", post(register))
        .route("/v1/devices/enrol", post(enrol))
        .route("/v1/devices", get(list_devices))
        .route("/v1/whoami", get(whoami))
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", post(pull))
        .route("/v1/audit/push", post(audit_push))
        // The website's signed intake (issue 15): its own body limit.
        .route(crate::intake::PATH, crate::intake::route())
        .route(helloasso::notify::PATH, post(helloasso::notify::receive))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestDecompressionLayer::new())
        .layer(axum::middleware::map_response(json_errors))
        // The fastest gzip level: 5-10x smaller pulls for a few ms.
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .with_state(state)
}

/// A JSON request body of the protocol: read within the size limit,
/// parsed, and its `protocol` field checked before anything else.
pub struct Wire<T>(pub T);

#[derive(Deserialize)]
struct ProtocolProbe {
    protocol: Option<serde_json::Value>,
}

impl<S, T> FromRequest<S> for Wire<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(format!("the request body exceeds {MAX_BODY_BYTES} bytes"))
                } else {
                    ApiError::malformed("the request body could not be read")
                }
            })?;
        // Serde's messages may quote the input: only its category and position are told.
        let describe = |error: serde_json::Error| {
            ApiError::malformed(format!(
                "the request body is not the expected JSON ({:?} error at line {}, column {})",
                error.classify(),
                error.line(),
                error.column()
            ))
        };
        let probe: ProtocolProbe = serde_json::from_slice(&bytes).map_err(describe)?;
        match probe.protocol {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(PROTOCOL)) => {}
            Some(serde_json::Value::Number(n)) => return Err(ApiError::protocol(&n.to_string())),
            Some(_) => return Err(ApiError::protocol("(not a number)")),
            None => {
                return Err(ApiError::malformed(
                    "the request body has no protocol field",
                ))
            }
        }
        serde_json::from_slice(&bytes).map(Wire).map_err(describe)
    }
}

/// The device token of the request, resolved to the staff member it acts as.
pub struct Authenticated(pub Actor);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthenticated)?;
        let actor = state
            .with_store(move |store| {
                devices::resolve(store, &token, Utc::now()).map_err(ApiError::from)
            })
            .await?;
        Ok(Authenticated(actor))
    }
}

fn bearer(parts: &Parts) -> Option<Zeroizing<String>> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(Zeroizing::new(token.trim().to_owned()))
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "protocol": PROTOCOL }))
}

async fn register(
    State(state): State<AppState>,
    Wire(request): Wire<RegisterDevice>,
) -> Result<Json<DeviceRegistered>, ApiError> {
    let device = devices::parse_device_id(&request.device_id).map_err(ApiError::from)?;
    let token_days = state.token_days();
    let result = state
        .with_store(move |store| {
            devices::register(store, &request, token_days, Utc::now()).map_err(ApiError::from)
        })
        .await;
    match &result {
        Ok(_) => tracing::info!(device = %device, "device registered"),
        Err(error) => tracing::info!(device = %device, code = error.code, "registration refused"),
    }
    result.map(Json)
}

async fn enrol(
    State(state): State<AppState>,
    Wire(request): Wire<EnrolDevice>,
) -> Result<Json<DeviceRegistered>, ApiError> {
    let device = devices::parse_device_id(&request.device_id).map_err(ApiError::from)?;
    let token_days = state.token_days();
    let result = state
        .with_store(move |store| {
            enrolment::enrol(store, &request, token_days, Utc::now()).map_err(ApiError::from)
        })
        .await;
    if let Err(error) = &result {
        tracing::info!(device = %device, code = error.code, "enrolment refused");
    }
    result.map(Json)
}

/// The office's list of laptops (issue 14): live from the server, gated as
/// `device.list` for the actor (administrator, DPO).
async fn list_devices(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<DeviceList>, ApiError> {
    state
        .with_store(move |store| {
            store::accounts::devices(store.connection(), &actor, Utc::now())
                .map(|devices| DeviceList { devices })
                .map_err(ApiError::from_store)
        })
        .await
        .map(Json)
}

async fn whoami(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<StaffInfo>, ApiError> {
    state
        .with_store(move |store| devices::staff_info(store, &actor).map_err(ApiError::from))
        .await
        .map(Json)
}

async fn push(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Wire(request): Wire<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.ops.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::too_large(format!(
            "a push carries at most {MAX_OPS_PER_PUSH} operations"
        )));
    }
    let ops = request.ops.len();
    let device = actor.device_id.as_str().to_owned();
    let response = state.push(actor, request).await?;
    tracing::info!(device = %device, ops, "push");
    Ok(Json(response))
}

async fn pull(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Wire(request): Wire<PullRequest>,
) -> Result<Json<PullResponse>, ApiError> {
    if request.fetch.len() > MAX_FETCH {
        return Err(ApiError::too_large(format!(
            "a pull fetches at most {MAX_FETCH} participants"
        )));
    }
    let device = actor.device_id.as_str().to_owned();
    let cursor = request.cursor;
    let response = state
        .with_store(move |store| {
            sync::server::pull(store, &actor, request, Utc::now()).map_err(ApiError::from_store)
        })
        .await?;
    tracing::info!(device = %device, cursor, next = response.cursor, "pull");
    Ok(Json(response))
}

async fn audit_push(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Wire(request): Wire<AuditPush>,
) -> Result<Json<AuditAck>, ApiError> {
    if request.entries.len() > MAX_AUDIT_PER_PUSH {
        return Err(ApiError::too_large(format!(
            "an audit push carries at most {MAX_AUDIT_PER_PUSH} entries"
        )));
    }
    let entries = request.entries.len();
    let device = actor.device_id.as_str().to_owned();
    let ack = state
        .with_store(move |store| {
            sync::server::push_audit(store, &actor, request, Utc::now())
                .map_err(ApiError::from_store)
        })
        .await?;
    tracing::info!(device = %device, entries, stored_through = ack.stored_through, "audit push");
    Ok(Json(ack))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        server_codes::NOT_FOUND,
        "no such endpoint",
    )
}

/// Gives the router's and the layers' own refusals (405, 415, ...) an
/// [`ErrorBody`] too; answers that already are JSON keep theirs. Every
/// error closes the connection: a refusal may come before the body was
/// read, and a client must not send its next request after those bytes.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let mut response = error_body(response);
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

fn error_body(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            server_codes::METHOD_NOT_ALLOWED,
            "this endpoint does not take that method",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            server_codes::UNSUPPORTED_ENCODING,
            "request bodies may only be gzip-compressed",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (codes::TOO_LARGE, "the request is too large"),
        StatusCode::NOT_FOUND => (server_codes::NOT_FOUND, "no such endpoint"),
        status if status.is_server_error() => (
            codes::SERVER,
            "the server could not complete the request; try again later",
        ),
        _ => (codes::MALFORMED, "the request could not be understood"),
    };
    let body = ErrorBody {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    (status, Json(body)).into_response()
}
