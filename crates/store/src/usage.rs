//! The website's usage events (issue 16; POL-3, POL-11, POL-32): the one
//! writer of events into `technical_traces` ([`record`]), and their rules
//! ([`UsageEvent::check`]), which the server's signed intake applies to
//! each event before it reaches here (`crates/server/src/intake/usage.rs`)
//! and this writer applies again.
//!
//! An event is a technical trace (POL-3): a pseudonymous participant id or
//! none, never a name or an e-mail (there is no field for them), an IP
//! address only in its truncated form (IPv4 `/16`, IPv6 `/48`, the setting
//! Matomo documents for the CNIL's consent exemption; decision 033), a
//! browser string of at most [`MAX_USER_AGENT`] characters and a session
//! duration. It is kept 13 months at most and deleted by the retention
//! engine like every trace (POL-32): an event older than the sweep's cutoff
//! is refused ([`oldest_accepted`]).
//!
//! Events of a participant id the store does not hold (erased, or never
//! known) are dropped and counted as `ignored`: an erased person's traces
//! must not come back (POL-25), and the answer says how many without
//! saying which. One gated action per delivery (`usage.record`), audited
//! once without participants: each event is itself a trace, and an entry
//! per event would copy the traces into the trail.

use crate::gate;
use crate::schema::{participants, technical_traces};
use crate::StoreError;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::retention::RetentionRules;
use domain::{new_id, Action, Actor};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Events in one delivery, at most.
pub const MAX_EVENTS: usize = 500;
/// Characters of a browser string, at most.
pub const MAX_USER_AGENT: usize = 256;
/// A session's duration, at most (a day).
pub const MAX_SESSION_SECONDS: u32 = 86_400;
/// How far ahead of the server's clock an event's time may be.
pub const FUTURE_SKEW_MINUTES: i64 = 5;
/// Characters of a programme's or a session's id, at most.
pub const MAX_ID: usize = 64;

/// What happened, with what it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageKind {
    /// A section of the website was viewed (`domain::statistics::is_section_key`).
    SectionViewed { section: String },
    /// A step (the n-th session, 1-based) of a programme was reached.
    StepReached { programme: String, step: u32 },
    /// A session (a webinar's room) was joined.
    SessionJoined { session: String },
}

impl UsageKind {
    /// Every kind's name, as events and the `event` column write it.
    pub const NAMES: [&'static str; 3] =
        ["section.viewed", "programme.step_reached", "session.joined"];

    pub fn name(&self) -> &'static str {
        match self {
            UsageKind::SectionViewed { .. } => Self::NAMES[0],
            UsageKind::StepReached { .. } => Self::NAMES[1],
            UsageKind::SessionJoined { .. } => Self::NAMES[2],
        }
    }

    /// The fields a kind needs, besides the common ones.
    pub fn fields(name: &str) -> Option<&'static [&'static str]> {
        match name {
            "section.viewed" => Some(&["section"]),
            "programme.step_reached" => Some(&["programme", "step"]),
            "session.joined" => Some(&["session"]),
            _ => None,
        }
    }
}

/// The fields every event may carry (`kind` and `at` required).
pub const COMMON_FIELDS: [&str; 6] = [
    "kind",
    "at",
    "participant",
    "ip",
    "user_agent",
    "session_seconds",
];

/// One usage event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageEvent {
    pub kind: UsageKind,
    /// When it happened (stored as the trace's `recorded_at`).
    pub at: DateTime<Utc>,
    /// The pseudonymous participant id (a UUID, written lower-case), if any.
    pub participant: Option<String>,
    /// The truncated address (see [`is_truncated`]), if any.
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_seconds: Option<u32>,
}

/// What is wrong with a field of an event (never its value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Malformed,
    OutOfRange,
    TooLong,
    InFuture,
    /// Older than the traces' retention (POL-32).
    TooOld,
    /// A full IP address: only the truncated form is kept (decision 033).
    NotTruncated,
}

impl Fault {
    pub const fn as_str(self) -> &'static str {
        match self {
            Fault::Malformed => "malformed",
            Fault::OutOfRange => "out_of_range",
            Fault::TooLong => "too_long",
            Fault::InFuture => "in_future",
            Fault::TooOld => "too_old",
            Fault::NotTruncated => "not_truncated",
        }
    }
}

/// Whether `ip` is in the truncated form the policy allows: IPv4 with its
/// last two octets zero (`192.168.0.0`), IPv6 with only its first 48 bits
/// set (`2001:db8:1234::`).
pub fn is_truncated(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[2..] == [0, 0],
        IpAddr::V6(v6) => v6.segments()[3..].iter().all(|s| *s == 0),
    }
}

/// The earliest time an event may carry at `now`: the retention sweep's
/// cutoff for traces under the default (maximum) rule of 13 months, so an
/// accepted event is never already due for deletion (POL-32).
pub fn oldest_accepted(now: DateTime<Utc>) -> NaiveDateTime {
    RetentionRules::default()
        .cutoffs(now.naive_utc())
        .traces_before
}

/// A programme's or a session's id: 1 to [`MAX_ID`] letters, digits, `-`
/// or `_` (ids are UUIDs; the shape keeps anything else out of the store).
pub fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_ID
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A participant id as the store writes it (a UUID, lower-case,
/// hyphenated), if `text` is one.
pub fn participant_id(text: &str) -> Option<String> {
    uuid::Uuid::parse_str(text)
        .ok()
        .map(|id| id.hyphenated().to_string())
}

impl UsageEvent {
    /// The event's problems at `now`, one per field (its name in the
    /// event), never a value.
    pub fn check(&self, now: DateTime<Utc>) -> Vec<(&'static str, Fault)> {
        let mut problems = Vec::new();
        match &self.kind {
            UsageKind::SectionViewed { section } => {
                if !domain::statistics::is_section_key(section) {
                    problems.push(("section", Fault::Malformed));
                }
            }
            UsageKind::StepReached { programme, step } => {
                if !is_id(programme) {
                    problems.push(("programme", Fault::Malformed));
                }
                if *step == 0 || *step > u32::from(u16::MAX) {
                    problems.push(("step", Fault::OutOfRange));
                }
            }
            UsageKind::SessionJoined { session } => {
                if !is_id(session) {
                    problems.push(("session", Fault::Malformed));
                }
            }
        }
        if self.at > now + Duration::minutes(FUTURE_SKEW_MINUTES) {
            problems.push(("at", Fault::InFuture));
        } else if self.at.naive_utc() < oldest_accepted(now) {
            problems.push(("at", Fault::TooOld));
        }
        if let Some(participant) = &self.participant {
            if participant_id(participant).as_deref() != Some(participant.as_str()) {
                problems.push(("participant", Fault::Malformed));
            }
        }
        if self.ip.as_ref().is_some_and(|ip| !is_truncated(ip)) {
            problems.push(("ip", Fault::NotTruncated));
        }
        if self
            .user_agent
            .as_ref()
            .is_some_and(|agent| agent.chars().count() > MAX_USER_AGENT)
        {
            problems.push(("user_agent", Fault::TooLong));
        } else if self
            .user_agent
            .as_ref()
            .is_some_and(|agent| agent.chars().any(char::is_control))
        {
            problems.push(("user_agent", Fault::Malformed));
        }
        if self
            .session_seconds
            .is_some_and(|seconds| seconds > MAX_SESSION_SECONDS)
        {
            problems.push(("session_seconds", Fault::OutOfRange));
        }
        problems
    }
}

/// What a delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Events stored as traces.
    pub stored: usize,
    /// Events of a participant id the store does not hold: dropped.
    pub ignored: usize,
}

/// Stores one delivery of events as technical traces, as `actor` (the
/// website's service account on the server), in one gated action. Every
/// event is checked again ([`UsageEvent::check`]); one bad event refuses
/// the delivery whole (its index and field named, never a value).
pub fn record(
    conn: &mut SqliteConnection,
    actor: &Actor,
    events: &[UsageEvent],
    now: DateTime<Utc>,
) -> Result<Recorded, StoreError> {
    gate::run(conn, actor, Action::UsageRecord, now, |gate| {
        if events.is_empty() || events.len() > MAX_EVENTS {
            return Err(StoreError::InvalidInput(format!(
                "a delivery holds 1 to {MAX_EVENTS} usage events"
            )));
        }
        for (index, event) in events.iter().enumerate() {
            if let Some((field, fault)) = event.check(now).first() {
                return Err(StoreError::InvalidInput(format!(
                    "usage event {index}: {field} is {}",
                    fault.as_str()
                )));
            }
        }
        let named: BTreeSet<&str> = events
            .iter()
            .filter_map(|e| e.participant.as_deref())
            .collect();
        let named: Vec<&str> = named.into_iter().collect();
        let mut known: BTreeSet<String> = BTreeSet::new();
        for chunk in named.chunks(500) {
            let found: Vec<String> = participants::table
                .filter(participants::id.eq_any(chunk))
                .select(participants::id)
                .load(gate.conn())?;
            known.extend(found);
        }
        let device = gate.device().to_owned();
        let stamped = gate.at();
        let mut recorded = Recorded::default();
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            if event
                .participant
                .as_ref()
                .is_some_and(|id| !known.contains(id))
            {
                recorded.ignored += 1;
                continue;
            }
            let (section, programme, step, session) = match &event.kind {
                UsageKind::SectionViewed { section } => (Some(section.clone()), None, None, None),
                UsageKind::StepReached { programme, step } => {
                    (None, Some(programme.clone()), Some(*step as i32), None)
                }
                UsageKind::SessionJoined { session } => (None, None, None, Some(session.clone())),
            };
            rows.push((
                technical_traces::id.eq(new_id()),
                technical_traces::participant_id.eq(event.participant.clone()),
                technical_traces::ip_address.eq(event.ip.map(|ip| ip.to_string())),
                technical_traces::user_agent.eq(event.user_agent.clone()),
                technical_traces::session_seconds.eq(event.session_seconds.map(|s| s as i32)),
                technical_traces::recorded_at.eq(event.at.naive_utc()),
                technical_traces::updated_at.eq(stamped),
                technical_traces::updated_device.eq(device.clone()),
                technical_traces::event.eq(Some(event.kind.name())),
                technical_traces::section.eq(section),
                technical_traces::programme_id.eq(programme),
                technical_traces::step.eq(step),
                technical_traces::session_id.eq(session),
            ));
            recorded.stored += 1;
        }
        for chunk in rows.chunks(50) {
            diesel::insert_into(technical_traces::table)
                .values(chunk)
                .execute(gate.conn())?;
        }
        Ok(recorded)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap()
    }

    fn event(kind: UsageKind) -> UsageEvent {
        UsageEvent {
            kind,
            at: now() - Duration::hours(1),
            participant: Some("0193a4f0-0000-7000-8000-000000000001".into()),
            ip: Some("192.168.0.0".parse().unwrap()),
            user_agent: Some("Navigateur/1.0".into()),
            session_seconds: Some(600),
        }
    }

    #[test]
    fn pol_3_only_truncated_addresses_pass() {
        for (text, truncated) in [
            ("192.168.0.0", true),
            ("0.0.0.0", true),
            ("192.168.1.0", false),
            ("192.168.0.7", false),
            ("2001:db8:1234::", true),
            ("2001:db8:1234:1::", false),
            ("2001:db8:1234::1", false),
            ("::ffff:192.168.0.0", false),
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(is_truncated(&ip), truncated, "{text}");
        }
    }

    #[test]
    fn pol_32_events_older_than_the_traces_retention_or_in_the_future_are_refused() {
        let mut e = event(UsageKind::SectionViewed {
            section: "ateliers".into(),
        });
        assert!(e.check(now()).is_empty());
        e.at = now() + Duration::minutes(FUTURE_SKEW_MINUTES + 1);
        assert_eq!(e.check(now()), [("at", Fault::InFuture)]);
        e.at = now() - Duration::days(12 * 31);
        assert!(e.check(now()).is_empty(), "a year ago is kept");
        e.at = now() - Duration::days(14 * 31);
        assert_eq!(e.check(now()), [("at", Fault::TooOld)]);
    }

    #[test]
    fn each_kind_checks_its_own_fields_and_never_a_value() {
        let mut e = event(UsageKind::StepReached {
            programme: "prog/1".into(),
            step: 0,
        });
        e.participant = Some("0193A4F0-0000-7000-8000-000000000001".into());
        e.ip = Some("10.1.2.3".parse().unwrap());
        e.user_agent = Some("x".repeat(MAX_USER_AGENT + 1));
        e.session_seconds = Some(MAX_SESSION_SECONDS + 1);
        assert_eq!(
            e.check(now()),
            [
                ("programme", Fault::Malformed),
                ("step", Fault::OutOfRange),
                ("participant", Fault::Malformed),
                ("ip", Fault::NotTruncated),
                ("user_agent", Fault::TooLong),
                ("session_seconds", Fault::OutOfRange),
            ]
        );
        let section = event(UsageKind::SectionViewed {
            section: "Ateliers".into(),
        });
        assert_eq!(section.check(now()), [("section", Fault::Malformed)]);
        assert_eq!(
            participant_id("0193A4F0-0000-7000-8000-000000000001").as_deref(),
            Some("0193a4f0-0000-7000-8000-000000000001")
        );
        assert_eq!(participant_id("jean@exemple.test"), None);
    }
}
