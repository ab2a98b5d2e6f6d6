//! `POST /v1/helloasso/notifications` (POL-6, POL-10, POL-22): HelloAsso
//! tells this server that an order or a payment changed.
//!
//! 1. The body is read within [`MAX_NOTIFICATION_BYTES`] (413 `too_large`).
//! 2. With a signature key, `x-ha-signature` must be the hex HMAC-SHA256 of
//!    the raw body under that key, compared in constant time, before the
//!    body is parsed (401 `bad_signature`, nothing done).
//! 3. `eventType` and `data.id` are read (400 `malformed`); `Form` and
//!    `Organization` events are answered 200 `ignored`.
//! 4. The payment (`GET /v5/payments/{id}`) or the order
//!    (`GET /v5/orders/{id}`) is fetched again, and each of its payments is
//!    recorded from the API's answer ([`super::record`]). The body's state,
//!    amount and payer are never used; its metadata only when signed.
//!
//! Answers: 200 `{"status": "recorded", "matched", "unmatched", "skipped"}`;
//! 200 `{"status": "unknown"}` when the API does not know the id (nothing
//! recorded: a forged or stale notification); 502
//! `helloasso_unavailable` when the API could not be asked (the poll will
//! catch up); 503 `busy` beyond [`super::MAX_IN_FLIGHT`] notifications at
//! once; 404 when HelloAsso is not configured. The same notification again
//! records nothing more (one row per HelloAsso payment id).

use super::record::{self, Failure};
use super::HelloAsso;
use crate::error::{server_codes, ApiError};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::sync::Arc;

/// The route.
pub const PATH: &str = "/v1/helloasso/notifications";
/// The header HelloAsso signs notifications in (partner accounts).
pub const SIGNATURE_HEADER: &str = "x-ha-signature";
/// The largest notification read (an order with many items is far smaller).
pub const MAX_NOTIFICATION_BYTES: usize = 256 * 1024;

/// Codes of this endpoint.
pub mod codes {
    /// A signature key is configured and the header is missing or wrong.
    pub const BAD_SIGNATURE: &str = "bad_signature";
    /// Too many notifications are being fetched again at once.
    pub const BUSY: &str = "busy";
    /// HelloAsso's API could not be asked; nothing was recorded.
    pub const UNAVAILABLE: &str = "helloasso_unavailable";
}

/// The hex HMAC-SHA256 of `body` under `key`, as HelloAsso sends it.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `header` is the hex HMAC-SHA256 of `body` under `key` (either
/// case), compared in constant time.
pub fn signature_matches(key: &[u8], body: &[u8], header: &str) -> bool {
    let Ok(expected) = hex::decode(header.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// What a notification asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Payment(i64),
    Order(i64),
    /// `Form`, `Organization` or a type this server does not take.
    Ignored,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    event_type: Option<String>,
    data: Option<serde_json::Value>,
    metadata: Option<serde_json::Value>,
}

/// The event and the metadata's enrolment hint of a notification body.
/// Errors name what is missing, never a value.
pub fn parse(body: &[u8]) -> Result<(Event, Option<String>), ApiError> {
    let notification: Notification = serde_json::from_slice(body).map_err(|error| {
        ApiError::malformed(format!(
            "the notification is not the expected JSON ({:?} error at line {}, column {})",
            error.classify(),
            error.line(),
            error.column()
        ))
    })?;
    let kind = notification
        .event_type
        .ok_or_else(|| ApiError::malformed("the notification has no eventType"))?;
    if kind != "Payment" && kind != "Order" {
        return Ok((Event::Ignored, None));
    }
    let id = notification
        .data
        .as_ref()
        .and_then(|data| data.get("id"))
        .and_then(serde_json::Value::as_i64)
        .filter(|id| (1..=i64::from(i32::MAX)).contains(id))
        .ok_or_else(|| ApiError::malformed("the notification's data has no valid id"))?;
    let hint = record::enrolment_hint(notification.metadata.as_ref());
    let event = if kind == "Payment" {
        Event::Payment(id)
    } else {
        Event::Order(id)
    };
    Ok((event, hint))
}

/// What [`process`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processed {
    Recorded(record::Tally),
    /// The API does not know the payment or the order: nothing recorded.
    Unknown,
}

/// Fetches the event's payment or order again and records it (blocking:
/// HTTP calls without the store lock, then the records under it).
pub fn process(
    store: &std::sync::Mutex<store::Store>,
    helloasso: &HelloAsso,
    event: &Event,
    signed_hint: Option<String>,
) -> Result<Processed, Failure> {
    use super::client::CallError;
    let fetched = match event {
        Event::Payment(id) => helloasso.client.payment(*id).map(|p| vec![p.into()]),
        Event::Order(id) => helloasso.client.order(*id).map(record::of_order),
        Event::Ignored => return Ok(Processed::Recorded(record::Tally::default())),
    };
    let fetched = match fetched {
        Ok(fetched) => fetched,
        Err(CallError::NotFound(_)) => return Ok(Processed::Unknown),
        Err(error) => return Err(error.into()),
    };
    record::record_all(store, helloasso, fetched, signed_hint, Utc::now()).map(Processed::Recorded)
}

fn not_configured() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        server_codes::NOT_FOUND,
        "no such endpoint",
    )
}

/// The handler of [`PATH`].
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let helloasso = Arc::clone(state.helloasso().ok_or_else(not_configured)?);
    let body = axum::body::to_bytes(body, MAX_NOTIFICATION_BYTES)
        .await
        .map_err(|_| {
            ApiError::too_large(format!(
                "a notification is read within {MAX_NOTIFICATION_BYTES} bytes"
            ))
        })?;
    let signed = match helloasso.signature_key() {
        None => false,
        Some(key) => {
            let header = headers
                .get(SIGNATURE_HEADER)
                .and_then(|value| value.to_str().ok());
            if !header.is_some_and(|header| signature_matches(key, &body, header)) {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    codes::BAD_SIGNATURE,
                    "the x-ha-signature header is missing or does not sign this body",
                ));
            }
            true
        }
    };
    let (event, hint) = parse(&body)?;
    let (kind, id) = match event {
        Event::Payment(id) => ("Payment", id),
        Event::Order(id) => ("Order", id),
        Event::Ignored => return Ok(Json(serde_json::json!({ "status": "ignored" }))),
    };
    let Ok(permit) = Arc::clone(helloasso.permits()).try_acquire_owned() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::BUSY,
            "too many notifications at once; the reconciliation will catch up",
        ));
    };
    let store = Arc::clone(state.store());
    let hint = hint.filter(|_| signed);
    let processed = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        process(&store, &helloasso, &event, hint)
    })
    .await
    .map_err(|_| ApiError::server())?;
    match processed {
        Ok(Processed::Recorded(tally)) => {
            tracing::info!(
                event = kind,
                id,
                signed,
                matched = tally.matched,
                unmatched = tally.unmatched,
                skipped = tally.skipped,
                "helloasso notification"
            );
            Ok(Json(serde_json::json!({
                "status": "recorded",
                "matched": tally.matched,
                "unmatched": tally.unmatched,
                "skipped": tally.skipped,
            })))
        }
        Ok(Processed::Unknown) => {
            tracing::warn!(
                event = kind,
                id,
                code = "unknown_to_helloasso",
                "helloasso notification not trusted"
            );
            Ok(Json(serde_json::json!({ "status": "unknown" })))
        }
        Err(Failure::Api(error)) => {
            tracing::warn!(
                event = kind,
                id,
                code = error.code(),
                "helloasso notification not fetched"
            );
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                codes::UNAVAILABLE,
                "HelloAsso's API could not be asked; nothing was recorded",
            ))
        }
        Err(error) => {
            tracing::error!(
                event = kind,
                id,
                code = error.code(),
                "helloasso notification failed"
            );
            Err(ApiError::server())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2: our hex HMAC-SHA256 is the standard one.
    #[test]
    fn pol_6_the_signature_is_the_standard_hex_hmac_sha256() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let body = b"what do ya want for nothing?";
        assert_eq!(signature(b"Jefe", body), expected);
        assert!(signature_matches(b"Jefe", body, expected));
        assert!(signature_matches(b"Jefe", body, &expected.to_uppercase()));
        assert!(!signature_matches(
            b"Jefe",
            b"what do ya want for nothing!",
            expected
        ));
        assert!(!signature_matches(b"jefe", body, expected));
        assert!(!signature_matches(b"Jefe", body, &expected[..62]));
        assert!(!signature_matches(b"Jefe", body, "not hex"));
        assert!(!signature_matches(b"Jefe", body, ""));
    }

    #[test]
    fn payment_and_order_events_are_taken_and_others_ignored() {
        let parse_json = |value: serde_json::Value| parse(value.to_string().as_bytes());
        let (event, hint) = parse_json(serde_json::json!({
            "eventType": "Payment", "data": {"id": 52001, "state": "Authorized"},
            "metadata": {"enrolment_id": "0193-ab"}
        }))
        .unwrap();
        assert_eq!(
            (event, hint.as_deref()),
            (Event::Payment(52001), Some("0193-ab"))
        );
        let (event, _) =
            parse_json(serde_json::json!({"eventType": "Order", "data": {"id": 7}})).unwrap();
        assert_eq!(event, Event::Order(7));
        for kind in ["Form", "Organization", "Something"] {
            let (event, _) =
                parse_json(serde_json::json!({"eventType": kind, "data": {}})).unwrap();
            assert_eq!(event, Event::Ignored);
        }
        for bad in [
            serde_json::json!({"data": {"id": 1}}),
            serde_json::json!({"eventType": "Payment", "data": {"id": "52001"}}),
            serde_json::json!({"eventType": "Payment", "data": {"id": -1}}),
            serde_json::json!({"eventType": "Payment"}),
        ] {
            assert_eq!(parse_json(bad).unwrap_err().code, "malformed");
        }
        let error =
            parse(b"{\"eventType\": \"Payment\", \"data\": {\"id\": camille@exemple.test}}")
                .unwrap_err();
        assert!(!error.message.contains("camille"), "{}", error.message);
    }
}
