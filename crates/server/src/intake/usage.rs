//! The website's usage events through the signed intake (issue 16; POL-3,
//! POL-11, POL-32): `usage.recorded`, whose `data` is `{"events": [...]}`
//! with 1 to [`MAX_EVENTS`] events, each strictly
//!
//! ```json
//! {"kind": "section.viewed", "section": "ateliers", "at": "2026-12-08T09:30:00Z",
//!  "participant": "0193a4f0-…", "ip": "192.168.0.0", "user_agent": "…", "session_seconds": 95}
//! ```
//!
//! - `kind`: `section.viewed` (with `section`, `[a-z0-9-]{1,64}`),
//!   `programme.step_reached` (with `programme`, an id, and `step` ≥ 1, the
//!   n-th session) or `session.joined` (with `session`, an id); a field of
//!   another kind is unknown;
//! - `at` (RFC 3339): not more than a few minutes ahead, not older than the
//!   traces' retention (`too_old`, POL-32);
//! - optional: `participant` (the pseudonymous id, a UUID), `ip` in its
//!   truncated form only (IPv4 `/16`, IPv6 `/48`: a full address is
//!   `not_truncated`, never echoed), `user_agent` (at most 256 characters),
//!   `session_seconds` (0 to 86,400). No name or e-mail: every other field
//!   is unknown.
//!
//! One problem per field, named by its path (`data.events[3].ip`) and a
//! kind, never the value, as for registrations. The rules are the store's
//! ([`UsageEvent::check`]); this file only reads the shape. The delivery is
//! then written by `store::usage::record` as the website's account: events
//! of a participant the store does not hold are dropped and counted
//! (`ignored`).

use super::schema::{unknown_keys, Kind, Problems};
use chrono::{DateTime, Utc};
use domain::intake::Problem;
use serde_json::{Map, Value};
use std::net::IpAddr;
use store::usage::{participant_id, UsageEvent, UsageKind, COMMON_FIELDS, MAX_EVENTS};

/// The fields of `data`.
pub const DATA_FIELDS: [&str; 1] = ["events"];
/// Every field an event may carry, whatever its kind: the common ones and
/// each kind's own (`store::usage`, written once).
pub fn event_fields() -> Vec<&'static str> {
    let mut fields = COMMON_FIELDS.to_vec();
    for name in UsageKind::NAMES {
        fields.extend_from_slice(UsageKind::fields(name).unwrap_or_default());
    }
    fields
}

/// A text field: `None` when absent (required ones are named).
fn text<'a>(
    event: &'a Map<String, Value>,
    name: &str,
    required: bool,
    path: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match event.get(name) {
        None | Some(Value::Null) => {
            if required {
                problems.add(format!("{path}.{name}"), Problem::Required);
            }
            None
        }
        Some(Value::String(text)) => Some(text),
        Some(_) => {
            problems.add(format!("{path}.{name}"), Problem::Malformed);
            None
        }
    }
}

/// A whole number field that fits in a `u32` (negative: out of range).
fn number(
    event: &Map<String, Value>,
    name: &str,
    required: bool,
    path: &str,
    problems: &mut Problems,
) -> Option<u32> {
    match event.get(name) {
        None | Some(Value::Null) => {
            if required {
                problems.add(format!("{path}.{name}"), Problem::Required);
            }
            None
        }
        Some(Value::Number(number)) => match number.as_i64() {
            Some(n) => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.add(format!("{path}.{name}"), Problem::OutOfRange);
                    None
                }
            },
            None => {
                let kind = if number.as_u64().is_some() {
                    Problem::OutOfRange
                } else {
                    Problem::Malformed
                };
                problems.add(format!("{path}.{name}"), kind);
                None
            }
        },
        Some(_) => {
            problems.add(format!("{path}.{name}"), Problem::Malformed);
            None
        }
    }
}

/// Reads `data` of a `usage.recorded` event; every problem goes to `problems`.
pub(super) fn events(
    data: &Map<String, Value>,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Vec<UsageEvent> {
    unknown_keys(data, &DATA_FIELDS, "data", problems);
    let items = match data.get("events") {
        None | Some(Value::Null) => {
            problems.add("data.events", Problem::Required);
            return Vec::new();
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.add("data.events", Problem::Malformed);
            return Vec::new();
        }
    };
    if items.is_empty() {
        problems.add("data.events", Problem::Required);
        return Vec::new();
    }
    if items.len() > MAX_EVENTS {
        problems.add("data.events", Kind::TooMany);
        return Vec::new();
    }
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("data.events[{i}]");
        let Value::Object(event) = item else {
            problems.add(path, Problem::Malformed);
            continue;
        };
        if let Some(event) = one(event, &path, now, problems) {
            events.push(event);
        }
    }
    events
}

fn one(
    event: &Map<String, Value>,
    path: &str,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Option<UsageEvent> {
    let name = text(event, "kind", true, path, problems);
    let own = name.map(UsageKind::fields);
    if matches!(own, Some(None)) {
        problems.add(format!("{path}.kind"), Problem::Unknown);
    }
    // The common fields and the kind's own; an unknown kind is read
    // against every field (its own problem says enough).
    let mut known: Vec<&str> = COMMON_FIELDS.to_vec();
    match own.flatten() {
        Some(fields) => known.extend_from_slice(fields),
        None => known = event_fields(),
    }
    unknown_keys(event, &known, path, problems);
    let at = match text(event, "at", true, path, problems) {
        Some(text) => match DateTime::parse_from_rfc3339(text) {
            Ok(at) => Some(at.with_timezone(&Utc)),
            Err(_) => {
                problems.add(format!("{path}.at"), Problem::Malformed);
                None
            }
        },
        None => None,
    };
    let participant = match text(event, "participant", false, path, problems) {
        Some(text) => {
            let id = participant_id(text);
            if id.is_none() {
                problems.add(format!("{path}.participant"), Problem::Malformed);
            }
            id
        }
        None => None,
    };
    let ip = match text(event, "ip", false, path, problems) {
        Some(text) => {
            let ip = text.parse::<IpAddr>().ok();
            if ip.is_none() {
                problems.add(format!("{path}.ip"), Problem::Malformed);
            }
            ip
        }
        None => None,
    };
    let user_agent = text(event, "user_agent", false, path, problems).map(str::to_owned);
    let session_seconds = number(event, "session_seconds", false, path, problems);
    let kind = match name? {
        "section.viewed" => UsageKind::SectionViewed {
            section: text(event, "section", true, path, problems)?.to_owned(),
        },
        "programme.step_reached" => {
            let programme = text(event, "programme", true, path, problems);
            let step = number(event, "step", true, path, problems);
            UsageKind::StepReached {
                programme: programme?.to_owned(),
                step: step?,
            }
        }
        "session.joined" => UsageKind::SessionJoined {
            session: text(event, "session", true, path, problems)?.to_owned(),
        },
        _ => return None,
    };
    let event = UsageEvent {
        kind,
        at: at?,
        participant,
        ip,
        user_agent,
        session_seconds,
    };
    // The rules, for the fields whose shape was right.
    for (field, fault) in event.check(now) {
        let field = format!("{path}.{field}");
        if !problems.has_under(&field) {
            problems.add(field, fault);
        }
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::super::schema::{parse, Event, Refusal};
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap()
    }

    fn batch(events: serde_json::Value) -> serde_json::Value {
        json!({"type": "usage.recorded", "timestamp": "2026-12-08T09:59:00Z",
               "data": {"events": events}})
    }

    fn errors(value: &serde_json::Value) -> Vec<(String, &'static str)> {
        match parse(value.to_string().as_bytes(), now()) {
            Err(Refusal::Usage(errors)) => errors
                .into_iter()
                .map(|e| (e.field, e.problem.as_str()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn issue_16_each_kind_reads_its_own_fields() {
        let value = batch(json!([
            {"kind": "section.viewed", "section": "ateliers", "at": "2026-12-08T09:30:00+01:00",
             "participant": "0193A4F0-0000-7000-8000-000000000001", "ip": "2001:db8:12::",
             "user_agent": "Navigateur/1.0", "session_seconds": 95},
            {"kind": "programme.step_reached", "programme": "prog-1", "step": 2,
             "at": "2026-12-07T18:00:00Z"},
            {"kind": "session.joined", "session": "0193a4f0-0000-7000-8000-0000000000aa",
             "at": "2026-12-07T18:01:00Z", "ip": "10.20.0.0"}
        ]));
        let Ok(Event::UsageRecorded { events, .. }) = parse(value.to_string().as_bytes(), now())
        else {
            panic!("accepted")
        };
        assert_eq!(events.len(), 3);
        assert_eq!(
            events[0].participant.as_deref(),
            Some("0193a4f0-0000-7000-8000-000000000001"),
            "written lower-case"
        );
        assert_eq!(events[0].at.to_rfc3339(), "2026-12-08T08:30:00+00:00");
        assert_eq!(events[1].kind.name(), "programme.step_reached");
    }

    #[test]
    fn pol_3_a_full_address_a_name_or_an_e_mail_is_refused_by_field_never_echoed() {
        let value = batch(json!([
            {"kind": "section.viewed", "section": "forum", "at": "2026-12-08T09:00:00Z",
             "ip": "192.168.17.42"},
            {"kind": "section.viewed", "section": "forum", "at": "2026-12-08T09:00:00Z",
             "email": "jean.fictif@exemple.test", "name": "Jean Fictif"},
            {"kind": "section.viewed", "section": "forum", "at": "2026-12-08T09:00:00Z",
             "ip": "2001:db8:12:34::1"}
        ]));
        let found = errors(&value);
        assert_eq!(
            found,
            [
                ("data.events[0].ip".to_owned(), "not_truncated"),
                ("data.events[1].email".to_owned(), "unknown"),
                ("data.events[1].name".to_owned(), "unknown"),
                ("data.events[2].ip".to_owned(), "not_truncated"),
            ]
        );
        let text = format!("{found:?}");
        for value in ["192.168", "jean", "Fictif", "2001"] {
            assert!(!text.contains(value), "{value} in {text}");
        }
    }

    #[test]
    fn issue_16_kinds_fields_and_counts_are_strict() {
        let event = json!({"kind": "section.viewed", "section": "accueil",
                           "at": "2026-12-08T09:00:00Z"});
        let many: Vec<_> = (0..super::MAX_EVENTS + 1).map(|_| event.clone()).collect();
        assert_eq!(
            errors(&batch(json!(many))),
            [("data.events".to_owned(), "too_many")]
        );
        assert_eq!(
            errors(&batch(json!([]))),
            [("data.events".to_owned(), "required")]
        );
        let value = batch(json!([
            {"kind": "page.printed", "at": "2026-12-08T09:00:00Z"},
            {"kind": "section.viewed", "section": "Accueil!", "at": "2025-01-01T00:00:00Z",
             "step": 2},
            {"kind": "programme.step_reached", "programme": "p/1", "step": 0,
             "at": "2026-12-08T10:30:00Z", "session_seconds": 90000},
            {"kind": "session.joined", "at": "hier", "participant": "p-1",
             "user_agent": "x".repeat(300)},
            7
        ]));
        assert_eq!(
            errors(&value),
            [
                ("data.events[0].kind".to_owned(), "unknown"),
                ("data.events[1].step".to_owned(), "unknown"),
                ("data.events[1].section".to_owned(), "malformed"),
                ("data.events[1].at".to_owned(), "too_old"),
                ("data.events[2].programme".to_owned(), "malformed"),
                ("data.events[2].step".to_owned(), "out_of_range"),
                ("data.events[2].at".to_owned(), "in_future"),
                ("data.events[2].session_seconds".to_owned(), "out_of_range"),
                ("data.events[3].at".to_owned(), "malformed"),
                ("data.events[3].participant".to_owned(), "malformed"),
                ("data.events[3].session".to_owned(), "required"),
                ("data.events[4]".to_owned(), "malformed"),
            ]
        );
    }
}
