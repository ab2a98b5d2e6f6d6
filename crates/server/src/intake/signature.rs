//! Standard Webhooks signatures (`../shared/design/intake-and-delivery.md`):
//! the headers `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>` entries),
//! the signed content `{id}.{timestamp}.{raw body}`, secrets `whsec_` +
//! base64 of 24 to 64 random bytes.
//!
//! The `standardwebhooks` crate (1.0.x, the format's reference library) is
//! named in this file only, in [`verify`] and in [`sign`] (the website's
//! side, for tests, the bench and the OpenAPI examples): replacing it means
//! rewriting these two functions. It compares signatures without an early
//! exit (constant time for equal lengths) and, given several secrets during
//! a rotation, each is tried on every `v1` entry.
//!
//! The headers and the time window are checked here first ([`delivery`])
//! with the server's clock passed in, before the body is even read; the
//! crate checks the window again with the system clock (the same clock in
//! the server: a delivery at the edge of the window may fall either side).

use super::secrets::Secrets;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use standardwebhooks::{Webhook, WebhookError};

/// `webhook-id`
pub const ID_HEADER: &str = standardwebhooks::HEADER_WEBHOOK_ID;
/// `webhook-timestamp`
pub const TIMESTAMP_HEADER: &str = standardwebhooks::HEADER_WEBHOOK_TIMESTAMP;
/// `webhook-signature`
pub const SIGNATURE_HEADER: &str = standardwebhooks::HEADER_WEBHOOK_SIGNATURE;
/// How far a delivery's timestamp may be from the server's clock, either way.
pub const WINDOW_SECONDS: i64 = 5 * 60;
/// Longest `webhook-id`.
pub const MAX_ID: usize = 128;
/// Longest `webhook-signature` header (a rotation sends a few entries).
pub const MAX_SIGNATURE_HEADER: usize = 4096;

/// Why a delivery's signature is not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// A header is missing or malformed, or no entry matches any secret.
    Invalid,
    /// `webhook-timestamp` is more than [`WINDOW_SECONDS`] away from now.
    OutOfWindow,
}

/// The signed headers of one delivery, checked for form and time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `webhook-id`: 1 to [`MAX_ID`] characters of `A-Z a-z 0-9 _ - . :`
    /// (an opaque id; it is logged and stored, so nothing else is taken).
    pub id: String,
    pub timestamp: i64,
}

/// Whether `id` is a `webhook-id` this server takes.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let value = values.next().ok_or(SignatureError::Invalid)?;
    if values.next().is_some() {
        return Err(SignatureError::Invalid);
    }
    value.to_str().map_err(|_| SignatureError::Invalid)
}

/// The delivery's id and timestamp, if its three headers are present, once
/// each and well formed, and its timestamp is within the window of `now`.
pub fn delivery(headers: &HeaderMap, now: DateTime<Utc>) -> Result<Delivery, SignatureError> {
    let id = header(headers, ID_HEADER)?;
    let timestamp = header(headers, TIMESTAMP_HEADER)?;
    let signature = header(headers, SIGNATURE_HEADER)?;
    if !valid_id(id) || signature.is_empty() || signature.len() > MAX_SIGNATURE_HEADER {
        return Err(SignatureError::Invalid);
    }
    if timestamp.is_empty()
        || timestamp.len() > 12
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(SignatureError::Invalid);
    }
    let timestamp: i64 = timestamp.parse().map_err(|_| SignatureError::Invalid)?;
    if (now.timestamp() - timestamp).abs() > WINDOW_SECONDS {
        return Err(SignatureError::OutOfWindow);
    }
    Ok(Delivery {
        id: id.to_owned(),
        timestamp,
    })
}

/// Accepts the raw `body` when an entry of `webhook-signature` is a `v1`
/// signature of `{id}.{timestamp}.{body}` under any of `secrets`. The one
/// function that verifies: call it on the bytes as received, before
/// parsing them.
pub fn verify(secrets: &Secrets, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let mut outcome = Err(SignatureError::Invalid);
    for key in secrets.keys() {
        let webhook = Webhook::from_bytes(key.to_vec()).map_err(|_| SignatureError::Invalid)?;
        match webhook.verify(body, headers) {
            Ok(()) => return Ok(()),
            Err(WebhookError::TimestampTooOldError | WebhookError::FutureTimestampError) => {
                outcome = Err(SignatureError::OutOfWindow)
            }
            // A wrong signature, a body that is not UTF-8 (it cannot have
            // been signed as Standard Webhooks sign), a bad header.
            Err(_) => {}
        }
    }
    outcome
}

/// The `webhook-signature` value the website sends: `v1,<base64>` of
/// `{id}.{timestamp}.{body}` under `secret` (`whsec_...`). `None` for a
/// secret that is not `whsec_` + base64 or a body that is not UTF-8.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let secret = secret.trim().strip_prefix(super::secrets::PREFIX)?;
    Webhook::new(secret).ok()?.sign(id, timestamp, body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const OTHER: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    fn headers(id: &str, timestamp: i64, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ID_HEADER, HeaderValue::from_str(id).unwrap());
        headers.insert(
            TIMESTAMP_HEADER,
            HeaderValue::from_str(&timestamp.to_string()).unwrap(),
        );
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).unwrap());
        headers
    }

    fn secrets(lines: &str) -> Secrets {
        Secrets::parse(lines, "test").unwrap()
    }

    #[test]
    fn the_reference_example_of_standard_webhooks_signs_as_published() {
        // The example of the standard's own test suite.
        assert_eq!(
            sign(
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            )
            .as_deref(),
            Some("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=")
        );
    }

    #[test]
    fn any_secret_may_match_any_v1_entry() {
        let now = Utc::now();
        let body = br#"{"type":"registration.created"}"#;
        let good = sign(OTHER, "msg_1", now.timestamp(), body).unwrap();
        let forged = "v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU=";
        let both = format!("{forged} v2,abc {good}");
        let rotation = secrets(&format!("{SECRET}\n{OTHER}\n"));
        let map = headers("msg_1", now.timestamp(), &both);
        assert_eq!(
            delivery(&map, now).unwrap(),
            Delivery {
                id: "msg_1".into(),
                timestamp: now.timestamp()
            }
        );
        assert_eq!(verify(&rotation, &map, body), Ok(()));
        assert_eq!(
            verify(&secrets(SECRET), &map, body),
            Err(SignatureError::Invalid),
            "only the other secret signed it"
        );
        // One byte of the body changed, or another id: refused.
        assert_eq!(
            verify(&rotation, &map, br#"{"type":"registration.created "}"#),
            Err(SignatureError::Invalid)
        );
        let other_id = headers("msg_2", now.timestamp(), &both);
        assert_eq!(
            verify(&rotation, &other_id, body),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify(&rotation, &map, &[0xff, 0xfe]),
            Err(SignatureError::Invalid),
            "not UTF-8"
        );
    }

    #[test]
    fn the_window_is_five_minutes_either_way() {
        let now = Utc::now();
        for (offset, ok) in [
            (0, true),
            (-300, true),
            (300, true),
            (-301, false),
            (301, false),
        ] {
            let map = headers("msg_1", now.timestamp() + offset, "v1,x");
            let result = delivery(&map, now);
            if ok {
                assert!(result.is_ok(), "{offset}");
            } else {
                assert_eq!(result, Err(SignatureError::OutOfWindow), "{offset}");
            }
        }
        // The crate's own check agrees.
        let body = b"{}";
        let old = now.timestamp() - 400;
        let signed = sign(SECRET, "msg_1", old, body).unwrap();
        assert_eq!(
            verify(&secrets(SECRET), &headers("msg_1", old, &signed), body),
            Err(SignatureError::OutOfWindow)
        );
    }

    #[test]
    fn missing_repeated_or_malformed_headers_are_invalid() {
        let now = Utc::now();
        let good = headers("msg_1", now.timestamp(), "v1,x");
        for name in [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER] {
            let mut map = good.clone();
            map.remove(name);
            assert_eq!(delivery(&map, now), Err(SignatureError::Invalid), "{name}");
            let mut map = good.clone();
            map.append(name, HeaderValue::from_static("1"));
            assert_eq!(
                delivery(&map, now),
                Err(SignatureError::Invalid),
                "{name} twice"
            );
        }
        for id in ["", "a b", "jean@exemple.test", &"x".repeat(MAX_ID + 1)] {
            let map = headers(id, now.timestamp(), "v1,x");
            assert_eq!(delivery(&map, now), Err(SignatureError::Invalid), "{id:?}");
        }
        for timestamp in ["", "-5", "1e9", "12345678901234", "soon"] {
            let mut map = good.clone();
            map.insert(TIMESTAMP_HEADER, HeaderValue::from_str(timestamp).unwrap());
            assert_eq!(
                delivery(&map, now),
                Err(SignatureError::Invalid),
                "{timestamp:?}"
            );
        }
        assert!(valid_id("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"));
        assert!(valid_id("0192f4e1-7c3a-7b1e-9d2f-1a2b3c4d5e6f"));
    }
}
