//! The website's signed intake (issue 15, item 3): `POST /v1/intake/events`.
//! The association's website sends each registration, and batches of its
//! usage events (issue 16, [`usage`]), as Standard Webhooks deliveries; the
//! server checks, in this order, before anything is written:
//!
//! 1. that the intake is configured (else 503 `intake_not_configured`);
//! 2. the three signature headers and the 5-minute window, on the headers
//!    alone (401 `signature_invalid`, 401 `timestamp_out_of_window`);
//! 3. `Content-Type: application/json` (415 `unsupported_media_type`) and the
//!    size: at most [`MAX_BODY_BYTES`], refused from `Content-Length` before
//!    any byte is read and while reading otherwise (413 `too_large`);
//! 4. the signature, on the raw bytes, under any configured secret
//!    ([`signature::verify`], before the body is parsed);
//! 5. the delivery's `webhook-id`: one seen before is answered as the first
//!    time, and nothing changes (`Idempotent-Replayed: true`);
//! 6. the event, strictly ([`schema::parse`]: 400 `malformed`, 422
//!    `unknown_event_type`, `invalid_event`, `registration_invalid`,
//!    `certification_required` (POL-35), `usage_invalid`, one problem per
//!    field, never a value);
//! 7. then, as the website's service account (`crate::service`), the store's
//!    one registration path (`store::registration::register`: the person
//!    matched by e-mail or created, the consents with the policy version
//!    (POL-7), the certification (POL-35), the request in the office's inbox,
//!    which laptops get at their next sync), or its one writer of usage
//!    events (`store::usage::record`: technical traces, events of unknown
//!    participants dropped and counted), and the delivery recorded in
//!    `intake_deliveries`, in one transaction.
//!
//! What the website learns is kept to what it needs: `{"status":
//! "accepted", "enrolment_id": ...}`. The enrolment id is what its HelloAsso
//! checkout carries in its metadata so the payment finds the request
//! (`store::payments::record_processor`). Neither the participant's id nor
//! whether the e-mail was already known or the programme already requested
//! is told: whoever holds a secret could otherwise ask the server who is a
//! member. (An earlier request's id is returned for a repeated request, so
//! the payment lands on the request the office sees; its UUID v7 carries its
//! creation time, which only the website, the holder of the secret, sees.)
//!
//! The store lock is taken once, after the body was read, verified and
//! parsed (`AppState::with_store`). Logs name the delivery's id, the
//! enrolment's id and codes, never a value of the body (POL-22).

pub mod schema;
pub mod secrets;
pub mod signature;
pub mod usage;

use crate::error::ApiError;
use crate::service::{self, Service};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use domain::intake::{Field, Problem};
use schema::{Event, FieldError, Refusal};
use serde::{Deserialize, Serialize};
use store::schema::intake_deliveries;
use store::{Store, StoreError};

pub use schema::EventType;
pub use secrets::Secrets;

/// Where the website posts its events.
pub const PATH: &str = "/v1/intake/events";
/// Largest body taken, in bytes (a registration is about 1 KiB; a batch
/// of 500 usage events with long browser strings under 200 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Days a delivery's id is remembered (far beyond any sender's retries).
pub const DELIVERY_DAYS: i64 = 30;
/// Header set on the answer to a delivery seen before.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The intake's codes beyond `sync::wire::codes` (`malformed`, `too_large`)
/// and the domain's (`registration_invalid`, `certification_required`).
pub mod codes {
    pub const INTAKE_NOT_CONFIGURED: &str = "intake_not_configured";
    pub const SIGNATURE_INVALID: &str = "signature_invalid";
    pub const TIMESTAMP_OUT_OF_WINDOW: &str = "timestamp_out_of_window";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const UNKNOWN_EVENT_TYPE: &str = "unknown_event_type";
    pub const INVALID_EVENT: &str = "invalid_event";
    /// A `usage.recorded` event's data does not follow its schema (issue 16).
    pub const USAGE_INVALID: &str = "usage_invalid";

    /// Every code an answer of the intake may carry (its OpenAPI document
    /// lists the same, `crates/server/tests/intake_openapi.rs`).
    pub const ALL: [&str; 12] = [
        sync::wire::codes::MALFORMED,
        SIGNATURE_INVALID,
        TIMESTAMP_OUT_OF_WINDOW,
        sync::wire::codes::TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        UNKNOWN_EVENT_TYPE,
        INVALID_EVENT,
        domain::ErrorCode::RegistrationInvalid.as_str(),
        domain::ErrorCode::CertificationRequired.as_str(),
        USAGE_INVALID,
        INTAKE_NOT_CONFIGURED,
        sync::wire::codes::SERVER,
    ];
}

/// The answer to an event taken (201), the same for a delivery seen before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Accepted {
    /// `usage.recorded` (issue 16).
    Usage {
        /// Always `accepted`.
        status: String,
        /// Events stored as technical traces.
        stored: usize,
        /// Events of a participant id the server does not hold (erased or
        /// unknown): dropped, not stored.
        ignored: usize,
    },
    /// `registration.created`.
    Registration {
        /// Always `accepted`.
        status: String,
        /// The request in the office's inbox (`null` when no programme was
        /// asked for): the website's checkout names it in its metadata.
        enrolment_id: Option<String>,
    },
}

impl Accepted {
    /// Always `accepted`.
    pub fn status(&self) -> &str {
        match self {
            Accepted::Usage { status, .. } | Accepted::Registration { status, .. } => status,
        }
    }
}

/// An intake refusal: `{code, message, errors?}`; `errors` names fields
/// and kinds of problem only.
#[derive(Debug)]
pub struct IntakeError {
    status: StatusCode,
    code: &'static str,
    message: String,
    errors: Vec<FieldError>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

impl IntakeError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        IntakeError {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
        }
    }

    fn signature(error: signature::SignatureError) -> Self {
        match error {
            signature::SignatureError::Invalid => Self::new(
                StatusCode::UNAUTHORIZED,
                codes::SIGNATURE_INVALID,
                "the webhook-id, webhook-timestamp and webhook-signature headers must carry a \
                 v1 signature of this body by a secret this server holds",
            ),
            signature::SignatureError::OutOfWindow => Self::new(
                StatusCode::UNAUTHORIZED,
                codes::TIMESTAMP_OUT_OF_WINDOW,
                format!(
                    "webhook-timestamp must be within {} seconds of the server's clock",
                    signature::WINDOW_SECONDS
                ),
            ),
        }
    }

    fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            sync::wire::codes::TOO_LARGE,
            format!("the body exceeds {MAX_BODY_BYTES} bytes"),
        )
    }

    fn fields(errors: Vec<FieldError>) -> Self {
        let code = Refusal::code(&errors);
        Self::unprocessable(code, errors)
    }

    fn unprocessable(code: &'static str, errors: Vec<FieldError>) -> Self {
        IntakeError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: "the event does not follow the schema: see errors (field and problem)".into(),
            errors,
        }
    }

    fn refusal(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Malformed(message) => Self::new(
                StatusCode::BAD_REQUEST,
                sync::wire::codes::MALFORMED,
                message,
            ),
            Refusal::UnknownType => IntakeError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: codes::UNKNOWN_EVENT_TYPE,
                message: "this server takes no event of that type".into(),
                errors: vec![FieldError {
                    field: "type".into(),
                    problem: Problem::Unknown.into(),
                }],
            },
            Refusal::Fields(errors) => Self::fields(errors),
            Refusal::Usage(errors) => {
                let code = if errors.iter().any(|e| !e.field.starts_with("data.")) {
                    codes::INVALID_EVENT
                } else {
                    codes::USAGE_INVALID
                };
                Self::unprocessable(code, errors)
            }
        }
    }

    /// A store refusal of the registration (an unknown programme or policy
    /// version): its field and problem, as the schema's.
    fn store(error: StoreError) -> Self {
        if let StoreError::Refused { details, .. } = &error {
            let field = details.get("field").and_then(|f| Field::parse(f));
            let problem = details.get("problem").and_then(|p| Problem::parse(p));
            if let (Some(field), Some(problem)) = (field, problem) {
                return Self::fields(vec![FieldError {
                    field: schema::data_path(field),
                    problem: problem.into(),
                }]);
            }
        }
        ApiError::from_store(error).into()
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl From<ApiError> for IntakeError {
    fn from(error: ApiError) -> Self {
        IntakeError::new(error.status, error.code, error.message)
    }
}

impl IntoResponse for IntakeError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(
                status = self.status.as_u16(),
                code = self.code,
                "intake failed"
            );
        } else {
            tracing::info!(
                status = self.status.as_u16(),
                code = self.code,
                "intake refused"
            );
        }
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
            errors: &self.errors,
        };
        (self.status, Json(body)).into_response()
    }
}

/// The intake's route, with its own body limit (the router's is larger).
pub fn route() -> MethodRouter<AppState> {
    post(receive).layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn receive(State(state): State<AppState>, request: Request) -> Response {
    match take(&state, request).await {
        Ok((accepted, replayed)) => {
            let mut response = (StatusCode::CREATED, Json(accepted)).into_response();
            if replayed {
                response
                    .headers_mut()
                    .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
            }
            response
        }
        Err(error) => error.into_response(),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

async fn take(state: &AppState, request: Request) -> Result<(Accepted, bool), IntakeError> {
    let secrets = std::sync::Arc::clone(state.intake());
    if secrets.is_empty() {
        return Err(IntakeError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::INTAKE_NOT_CONFIGURED,
            "this server takes no event from the website: no intake secret is configured",
        ));
    }
    let now = Utc::now();
    let delivery = signature::delivery(request.headers(), now).map_err(IntakeError::signature)?;
    if !is_json(request.headers()) {
        return Err(IntakeError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "the body must be Content-Type: application/json",
        ));
    }
    if declared_length(request.headers()).is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(IntakeError::too_large());
    }
    let headers = request.headers().clone();
    let body = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                IntakeError::too_large()
            } else {
                IntakeError::new(
                    StatusCode::BAD_REQUEST,
                    sync::wire::codes::MALFORMED,
                    "the body could not be read",
                )
            }
        })?;
    signature::verify(&secrets, &headers, &body).map_err(IntakeError::signature)?;
    let parsed = schema::parse(&body, now);
    drop(body);
    let id = delivery.id.clone();
    let result = state
        .with_store(move |store| Ok(apply(store, &delivery.id, parsed, now)))
        .await
        .map_err(IntakeError::from)
        .and_then(|answer| answer);
    match &result {
        Ok((Accepted::Registration { enrolment_id, .. }, replayed)) => tracing::info!(
            delivery = %id,
            enrolment = enrolment_id.as_deref().unwrap_or("-"),
            replayed,
            "intake event accepted"
        ),
        Ok((
            Accepted::Usage {
                stored, ignored, ..
            },
            replayed,
        )) => tracing::info!(
            delivery = %id,
            stored,
            ignored,
            replayed,
            "intake usage accepted"
        ),
        Err(error) => tracing::info!(delivery = %id, code = error.code, "intake event refused"),
    }
    result
}

/// The store's part, under its lock: a delivery seen before is answered
/// from its record; otherwise the event is applied and the delivery
/// recorded in one transaction. A refused event records nothing (the
/// gate's trail of the refusal aside, POL-21), so the website may send it
/// again once corrected.
pub fn apply(
    store: &mut Store,
    delivery_id: &str,
    parsed: Result<Event, Refusal>,
    now: DateTime<Utc>,
) -> Result<(Accepted, bool), IntakeError> {
    if let Some(answer) = seen(store, delivery_id).map_err(ApiError::from_store)? {
        return Ok((answer, true));
    }
    let event = parsed.map_err(IntakeError::refusal)?;
    match event {
        Event::UsageRecorded { events, .. } => {
            let actor =
                service::actor(store, Service::Website, now).map_err(ApiError::from_store)?;
            let recorded = store::tx::write(store, |store| {
                let recorded = store::usage::record(store.connection(), &actor, &events, now)?;
                let outcome = usage_outcome(recorded.stored, recorded.ignored);
                record(store, delivery_id, &outcome, None, now)?;
                Ok(recorded)
            })
            .map_err(ApiError::from_store)?;
            Ok((
                Accepted::Usage {
                    status: ACCEPTED.into(),
                    stored: recorded.stored,
                    ignored: recorded.ignored,
                },
                false,
            ))
        }
        Event::RegistrationCreated { registration, .. } => {
            let actor =
                service::actor(store, Service::Website, now).map_err(ApiError::from_store)?;
            let outcome = store::tx::write(store, |store| {
                match store::registration::register(store.connection(), &actor, &registration, now)
                {
                    Ok(registered) => {
                        let enrolment = registered.enrolment_id.as_deref();
                        record(store, delivery_id, ACCEPTED, enrolment, now)?;
                        Ok(Ok(registered))
                    }
                    // Committed as is: the registration's savepoint was
                    // undone, the trail of the refusal stays.
                    Err(refusal @ StoreError::Refused { .. }) => Ok(Err(refusal)),
                    Err(error) => Err(error),
                }
            })
            .map_err(ApiError::from_store)?;
            let registered = outcome.map_err(IntakeError::store)?;
            Ok((accepted(registered.enrolment_id), false))
        }
    }
}

/// The status of every answer, and a registration delivery's outcome.
const ACCEPTED: &str = "accepted";

fn accepted(enrolment_id: Option<String>) -> Accepted {
    Accepted::Registration {
        status: ACCEPTED.into(),
        enrolment_id,
    }
}

/// A usage delivery's outcome, as `intake_deliveries` keeps it (its counts,
/// to answer a repeat as the first time).
fn usage_outcome(stored: usize, ignored: usize) -> String {
    format!("usage stored={stored} ignored={ignored}")
}

/// The answer given to `delivery_id` when it was taken before.
fn seen(store: &mut Store, delivery_id: &str) -> Result<Option<Accepted>, StoreError> {
    let row: Option<(String, Option<String>)> = intake_deliveries::table
        .find(delivery_id)
        .select((intake_deliveries::outcome, intake_deliveries::enrolment_id))
        .first(store.connection())
        .optional()?;
    Ok(row.map(|(outcome, enrolment_id)| {
        let count = |name: &str| {
            outcome
                .split(' ')
                .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        if outcome.starts_with("usage ") {
            Accepted::Usage {
                status: ACCEPTED.into(),
                stored: count("stored"),
                ignored: count("ignored"),
            }
        } else {
            accepted(enrolment_id)
        }
    }))
}

/// Records a delivery taken, and forgets those older than [`DELIVERY_DAYS`].
fn record(
    store: &mut Store,
    delivery_id: &str,
    outcome: &str,
    enrolment_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let device = store.device().as_str().to_owned();
    let at = now.naive_utc();
    diesel::delete(intake_deliveries::table.filter(
        intake_deliveries::received_at.lt((now - Duration::days(DELIVERY_DAYS)).naive_utc()),
    ))
    .execute(store.connection())?;
    diesel::insert_into(intake_deliveries::table)
        .values((
            intake_deliveries::id.eq(delivery_id),
            intake_deliveries::received_at.eq(at),
            intake_deliveries::outcome.eq(outcome),
            intake_deliveries::enrolment_id.eq(enrolment_id),
            intake_deliveries::updated_at.eq(at),
            intake_deliveries::updated_device.eq(device),
        ))
        .execute(store.connection())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_lengths_are_read_strictly() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        for (value, json) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("text/plain", false),
            ("application/json-patch+json", false),
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json(&headers), json, "{value}");
        }
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("70000"));
        assert_eq!(declared_length(&headers), Some(70_000));
    }
}
