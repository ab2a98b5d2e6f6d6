//! The intake's events, strictly: an envelope for every event type,
//!
//! ```json
//! {"type": "registration.created", "timestamp": "2026-12-08T09:30:00Z", "data": {...}}
//! ```
//!
//! and, for `registration.created`, a `data` object that maps one to one onto
//! [`domain::intake::Registration`] (channel `website`, set here); for
//! `usage.recorded` (issue 16), `{"events": [...]}`, read by
//! [`super::usage`]. Every unknown field is refused. The body is read as a `serde_json::Value` and
//! walked by hand, so each problem names its field (`data.email`,
//! `data.consents[1].purpose`) and a kind of problem
//! ([`domain::intake::Problem`]), never a value: serde's own messages may
//! quote the input. The rules of a registration are the domain's
//! ([`Registration::check`]); this file only reads the shape.

use chrono::{DateTime, Duration, Utc};
use domain::intake::{
    Channel, ConsentChoice, Field, FieldProblem, Problem, Registration, CERTIFICATION_SKEW_MINUTES,
};
use domain::rights::{AgeBracket, ConsentPurpose};
use serde::Serialize;
use serde_json::{Map, Value};
use store::usage::{Fault, UsageEvent};

/// The kinds of event the intake takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Someone registered on the website.
    RegistrationCreated,
    /// A batch of the website's usage events (issue 16, POL-3).
    UsageRecorded,
}

impl EventType {
    /// Every kind, in declaration order.
    pub const ALL: &'static [EventType] =
        &[EventType::RegistrationCreated, EventType::UsageRecorded];

    /// The kind as `type` names it.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::RegistrationCreated => "registration.created",
            EventType::UsageRecorded => "usage.recorded",
        }
    }

    /// The kind `text` names, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.as_str() == text)
    }
}

/// The envelope's fields.
pub const ENVELOPE_FIELDS: [&str; 3] = ["type", "timestamp", "data"];

/// The fields `data` of a `registration.created` must hold (POL-1, POL-35;
/// the policy version: the website always shows one, POL-7). The others of
/// [`Field`] may be absent or `null`.
pub const REQUIRED: [Field; 5] = [
    Field::GivenName,
    Field::FamilyName,
    Field::Email,
    Field::PolicyVersion,
    Field::Certified16Plus,
];

/// The fields of one consent.
pub const CONSENT_FIELDS: [&str; 2] = ["purpose", "granted"];

/// One event, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    RegistrationCreated {
        /// When the person registered, as the website says.
        at: DateTime<Utc>,
        /// Checked ([`Registration::check`] found nothing) and normalised.
        registration: Box<Registration>,
    },
    UsageRecorded {
        /// When the website sent the batch.
        at: DateTime<Utc>,
        /// 1 to [`store::usage::MAX_EVENTS`] events, each checked
        /// ([`UsageEvent::check`] found nothing).
        events: Vec<UsageEvent>,
    },
}

/// A kind of problem: the registration's vocabulary ([`Problem`]) and the
/// usage events' own (issue 16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Field(Problem),
    /// An event older than the technical traces' retention (POL-32).
    TooOld,
    /// A full IP address where only the truncated form is taken (POL-3).
    NotTruncated,
    /// More events than a delivery may hold.
    TooMany,
}

impl Kind {
    /// The usage events' own kinds, as answers name them.
    pub const USAGE: [Kind; 3] = [Kind::TooOld, Kind::NotTruncated, Kind::TooMany];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Field(problem) => problem.as_str(),
            Kind::TooOld => "too_old",
            Kind::NotTruncated => "not_truncated",
            Kind::TooMany => "too_many",
        }
    }

    /// The kind `text` names, if it is one.
    pub fn parse(text: &str) -> Option<Kind> {
        Problem::parse(text)
            .map(Kind::Field)
            .or_else(|| Self::USAGE.into_iter().find(|k| k.as_str() == text))
    }

    /// Every kind's text: the registration's, then the usage events' own.
    pub fn texts() -> Vec<&'static str> {
        let mut texts: Vec<&'static str> = Problem::ALL.iter().map(|p| p.as_str()).collect();
        texts.extend(Self::USAGE.iter().map(|k| k.as_str()));
        texts
    }
}

impl From<Problem> for Kind {
    fn from(problem: Problem) -> Self {
        Kind::Field(problem)
    }
}

impl From<Fault> for Kind {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Malformed => Kind::Field(Problem::Malformed),
            Fault::OutOfRange => Kind::Field(Problem::OutOfRange),
            Fault::TooLong => Kind::Field(Problem::TooLong),
            Fault::InFuture => Kind::Field(Problem::InFuture),
            Fault::TooOld => Kind::TooOld,
            Fault::NotTruncated => Kind::NotTruncated,
        }
    }
}

impl PartialEq<Problem> for Kind {
    fn eq(&self, other: &Problem) -> bool {
        *self == Kind::Field(*other)
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem of one field: the field's path and the kind of problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Kind,
}

/// Why an event was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not JSON, or not an object (`400 malformed`); the message gives the
    /// parser's category and position only.
    Malformed(String),
    /// `type` names no event this server takes (`422 unknown_event_type`).
    UnknownType,
    /// One problem per field (`422`), in reading order.
    Fields(Vec<FieldError>),
    /// One problem per field of a `usage.recorded` event (`422`).
    Usage(Vec<FieldError>),
}

impl Refusal {
    /// The code of a field refusal: the certification missing is the
    /// policy's refusal (POL-35, `certification_required`); a problem of
    /// the envelope is `invalid_event`; one of the registration only,
    /// `registration_invalid`.
    pub fn code(errors: &[FieldError]) -> &'static str {
        let certification = format!("data.{}", Field::Certified16Plus.as_str());
        if errors
            .iter()
            .any(|e| e.field == certification && e.problem == Problem::Required)
        {
            domain::ErrorCode::CertificationRequired.as_str()
        } else if errors.iter().any(|e| !e.field.starts_with("data.")) {
            super::codes::INVALID_EVENT
        } else {
            domain::ErrorCode::RegistrationInvalid.as_str()
        }
    }
}

/// The path of a registration field inside the event.
pub fn data_path(field: Field) -> String {
    format!("data.{}", field.as_str())
}

/// Collects problems, one per field (the first one found).
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<FieldError>);

impl Problems {
    pub(super) fn add(&mut self, field: impl Into<String>, problem: impl Into<Kind>) {
        let field = field.into();
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError {
                field,
                problem: problem.into(),
            });
        }
    }

    pub(super) fn has_under(&self, prefix: &str) -> bool {
        self.0.iter().any(|e| {
            e.field == prefix
                || e.field.starts_with(&format!("{prefix}."))
                || e.field.starts_with(&format!("{prefix}["))
        })
    }
}

/// A field name the client sent, as it may appear in an answer: a short
/// identifier, else a placeholder (a key could be anything, even a value).
fn shown_key(key: &str) -> &str {
    if !key.is_empty()
        && key.len() <= 64
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        key
    } else {
        "(unknown field)"
    }
}

pub(super) fn unknown_keys(
    map: &Map<String, Value>,
    known: &[&str],
    path: &str,
    problems: &mut Problems,
) {
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            let field = if path.is_empty() {
                shown_key(key).to_owned()
            } else {
                format!("{path}.{}", shown_key(key))
            };
            problems.add(field, Problem::Unknown);
        }
    }
}

/// Reads one event from the raw body (whose signature was checked).
pub fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Event, Refusal> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        Refusal::Malformed(format!(
            "the body is not JSON ({:?} error at line {}, column {})",
            error.classify(),
            error.line(),
            error.column()
        ))
    })?;
    let Value::Object(envelope) = value else {
        return Err(Refusal::Malformed("the body is not a JSON object".into()));
    };
    let mut problems = Problems::default();
    let kind = match envelope.get("type") {
        None | Some(Value::Null) => {
            problems.add("type", Problem::Required);
            None
        }
        Some(Value::String(text)) => match EventType::parse(text) {
            Some(kind) => Some(kind),
            None => return Err(Refusal::UnknownType),
        },
        Some(_) => {
            problems.add("type", Problem::Malformed);
            None
        }
    };
    let at = timestamp(envelope.get("timestamp"), "timestamp", now, &mut problems);
    unknown_keys(&envelope, &ENVELOPE_FIELDS, "", &mut problems);
    let data = match envelope.get("data") {
        None | Some(Value::Null) => {
            problems.add("data", Problem::Required);
            None
        }
        Some(Value::Object(data)) => Some(data),
        Some(_) => {
            problems.add("data", Problem::Malformed);
            None
        }
    };
    let (Some(kind), Some(data)) = (kind, data) else {
        return Err(Refusal::Fields(problems.0));
    };
    match kind {
        EventType::RegistrationCreated => {
            let registration = registration(data, now, &mut problems);
            match (at, problems.0.is_empty()) {
                (Some(at), true) => Ok(Event::RegistrationCreated {
                    at,
                    registration: Box::new(registration),
                }),
                _ => Err(Refusal::Fields(problems.0)),
            }
        }
        EventType::UsageRecorded => {
            let events = super::usage::events(data, now, &mut problems);
            match (at, problems.0.is_empty()) {
                (Some(at), true) => Ok(Event::UsageRecorded { at, events }),
                _ => Err(Refusal::Usage(problems.0)),
            }
        }
    }
}

/// An RFC 3339 date and time, not later than now (with the skew allowed).
fn timestamp(
    value: Option<&Value>,
    path: &str,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Option<DateTime<Utc>> {
    match value {
        None | Some(Value::Null) => {
            problems.add(path, Problem::Required);
            None
        }
        Some(Value::String(text)) => match DateTime::parse_from_rfc3339(text) {
            Ok(at) => {
                let at = at.with_timezone(&Utc);
                if at > now + Duration::minutes(CERTIFICATION_SKEW_MINUTES) {
                    problems.add(path, Problem::InFuture);
                }
                Some(at)
            }
            Err(_) => {
                problems.add(path, Problem::Malformed);
                None
            }
        },
        Some(_) => {
            problems.add(path, Problem::Malformed);
            None
        }
    }
}

fn text(data: &Map<String, Value>, field: Field, problems: &mut Problems) -> Option<String> {
    match data.get(field.as_str()) {
        None | Some(Value::Null) => {
            if REQUIRED.contains(&field) {
                problems.add(data_path(field), Problem::Required);
            }
            None
        }
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => {
            problems.add(data_path(field), Problem::Malformed);
            None
        }
    }
}

fn list<'a>(data: &'a Map<String, Value>, field: Field, problems: &mut Problems) -> &'a [Value] {
    match data.get(field.as_str()) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.add(data_path(field), Problem::Malformed);
            &[]
        }
    }
}

/// Reads each item of a list of vocabulary words.
fn words<T>(
    items: &[Value],
    field: Field,
    parse: impl Fn(&str) -> Option<T>,
    problems: &mut Problems,
) -> Vec<T> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{}[{i}]", data_path(field));
        match item {
            Value::String(text) => match parse(text) {
                Some(word) => out.push(word),
                None => problems.add(path, Problem::Unknown),
            },
            _ => problems.add(path, Problem::Malformed),
        }
    }
    out
}

fn consents(items: &[Value], problems: &mut Problems) -> Vec<ConsentChoice> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{}[{i}]", data_path(Field::Consents));
        let Value::Object(consent) = item else {
            problems.add(path, Problem::Malformed);
            continue;
        };
        unknown_keys(consent, &CONSENT_FIELDS, &path, problems);
        let purpose = match consent.get("purpose") {
            None | Some(Value::Null) => {
                problems.add(format!("{path}.purpose"), Problem::Required);
                None
            }
            Some(Value::String(text)) => {
                let purpose = ConsentPurpose::parse(text);
                if purpose.is_none() {
                    problems.add(format!("{path}.purpose"), Problem::Unknown);
                }
                purpose
            }
            Some(_) => {
                problems.add(format!("{path}.purpose"), Problem::Malformed);
                None
            }
        };
        let granted = match consent.get("granted") {
            None | Some(Value::Null) => {
                problems.add(format!("{path}.granted"), Problem::Required);
                None
            }
            Some(Value::Bool(granted)) => Some(*granted),
            Some(_) => {
                problems.add(format!("{path}.granted"), Problem::Malformed);
                None
            }
        };
        if let (Some(purpose), Some(granted)) = (purpose, granted) {
            out.push(ConsentChoice { purpose, granted });
        }
    }
    out
}

/// Reads `data` as a registration from the website, then applies the
/// domain's rules to it; every problem goes to `problems`.
fn registration(
    data: &Map<String, Value>,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Registration {
    let fields = Field::texts();
    unknown_keys(data, &fields, "data", problems);
    let children_count = match data.get(Field::ChildrenCount.as_str()) {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => match number.as_i64() {
            Some(count) => match i32::try_from(count) {
                Ok(count) => Some(count),
                Err(_) => {
                    problems.add(data_path(Field::ChildrenCount), Problem::OutOfRange);
                    None
                }
            },
            None => {
                problems.add(data_path(Field::ChildrenCount), Problem::Malformed);
                None
            }
        },
        Some(_) => {
            problems.add(data_path(Field::ChildrenCount), Problem::Malformed);
            None
        }
    };
    let brackets = list(data, Field::AgeBrackets, problems);
    let age_brackets = words(brackets, Field::AgeBrackets, AgeBracket::parse, problems);
    let slots = list(data, Field::PreferredSlots, problems);
    let preferred_slots = words(
        slots,
        Field::PreferredSlots,
        |s| Some(s.to_owned()),
        problems,
    );
    let consent_items = list(data, Field::Consents, problems);
    let consents = consents(consent_items, problems);
    let certified_16_plus_at = timestamp(
        data.get(Field::Certified16Plus.as_str()),
        &data_path(Field::Certified16Plus),
        now,
        problems,
    );
    let mut registration = Registration {
        given_name: text(data, Field::GivenName, problems).unwrap_or_default(),
        family_name: text(data, Field::FamilyName, problems).unwrap_or_default(),
        email: text(data, Field::Email, problems).unwrap_or_default(),
        phone: text(data, Field::Phone, problems),
        children_count,
        age_brackets,
        programme_id: text(data, Field::ProgrammeId, problems),
        preferred_slots,
        consents,
        policy_version: text(data, Field::PolicyVersion, problems),
        certified_16_plus_at,
        channel: Channel::Website,
    };
    // The domain's rules, for the fields whose shape was right.
    for FieldProblem { field, problem } in registration.check(now) {
        let path = data_path(field);
        if !problems.has_under(&path) {
            problems.add(path, problem);
        }
    }
    registration
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap()
    }

    fn good() -> Value {
        json!({
            "type": "registration.created",
            "timestamp": "2026-12-08T09:58:00Z",
            "data": {
                "given_name": "Camille",
                "family_name": "Exemple-Fictif",
                "email": "camille.fictive@Exemple.TEST",
                "phone": "02 00 00 00 01",
                "children_count": 2,
                "age_brackets": ["4-6", "12-15"],
                "programme_id": "prog-1",
                "preferred_slots": ["mardi soir"],
                "consents": [{"purpose": "newsletter", "granted": true},
                             {"purpose": "studies", "granted": false}],
                "policy_version": "2026-01",
                "certified_16_plus_at": "2026-12-08T09:57:00+01:00"
            }
        })
    }

    fn errors(value: &Value) -> Vec<(String, &'static str)> {
        match parse(value.to_string().as_bytes(), now()) {
            Err(Refusal::Fields(errors)) => errors
                .into_iter()
                .map(|e| (e.field, e.problem.as_str()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    fn pair(field: &str, problem: &'static str) -> (String, &'static str) {
        (field.to_owned(), problem)
    }

    #[test]
    fn a_good_registration_maps_onto_the_domain_type_with_the_website_channel() {
        let Ok(Event::RegistrationCreated { at, registration }) =
            parse(good().to_string().as_bytes(), now())
        else {
            panic!("a registration")
        };
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 12, 8, 9, 58, 0).unwrap());
        assert_eq!(registration.channel, Channel::Website);
        assert_eq!(registration.email, "camille.fictive@exemple.test");
        assert_eq!(
            registration.age_brackets,
            [AgeBracket::Preschool, AgeBracket::Teen]
        );
        assert_eq!(registration.consents.len(), 2);
        assert_eq!(
            registration.certified_16_plus_at,
            Some(Utc.with_ymd_and_hms(2026, 12, 8, 8, 57, 0).unwrap())
        );
    }

    #[test]
    fn pol_35_without_the_certification_the_code_is_certification_required() {
        let mut event = good();
        event["data"]
            .as_object_mut()
            .unwrap()
            .remove("certified_16_plus_at");
        let found = errors(&event);
        assert_eq!(found, [pair("data.certified_16_plus_at", "required")]);
        let Err(Refusal::Fields(list)) = parse(event.to_string().as_bytes(), now()) else {
            panic!()
        };
        assert_eq!(Refusal::code(&list), "certification_required");
        event["data"]["certified_16_plus_at"] = json!("2026-12-09T10:00:00Z");
        assert_eq!(
            errors(&event),
            [pair("data.certified_16_plus_at", "in_future")]
        );
    }

    #[test]
    fn unknown_fields_are_refused_at_every_level_and_named_only_when_a_plain_name() {
        let mut event = good();
        event["extra"] = json!(1);
        event["data"]["challenges"] = json!("texte libre");
        event["data"]["camille@exemple.test"] = json!(true);
        event["data"]["consents"][0]["note"] = json!("x");
        assert_eq!(
            errors(&event),
            [
                pair("extra", "unknown"),
                pair("data.(unknown field)", "unknown"),
                pair("data.challenges", "unknown"),
                pair("data.consents[0].note", "unknown"),
            ]
        );
    }

    #[test]
    fn one_problem_per_field_and_never_a_value() {
        let event = json!({
            "type": "registration.created",
            "timestamp": "hier",
            "data": {
                "given_name": 12,
                "family_name": "  ",
                "email": "pas-une-adresse",
                "phone": "appelez-moi",
                "children_count": 1.5,
                "age_brackets": ["4-6", "99-100", 3],
                "preferred_slots": "mardi",
                "consents": [{"purpose": "marketing", "granted": "oui"}, 7],
                "policy_version": null,
                "certified_16_plus_at": "2026-13-45"
            }
        });
        let found = errors(&event);
        assert_eq!(
            found,
            [
                pair("timestamp", "malformed"),
                pair("data.children_count", "malformed"),
                pair("data.age_brackets[1]", "unknown"),
                pair("data.age_brackets[2]", "malformed"),
                pair("data.preferred_slots", "malformed"),
                pair("data.consents[0].purpose", "unknown"),
                pair("data.consents[0].granted", "malformed"),
                pair("data.consents[1]", "malformed"),
                pair("data.certified_16_plus_at", "malformed"),
                pair("data.given_name", "malformed"),
                pair("data.policy_version", "required"),
                pair("data.family_name", "required"),
                pair("data.email", "malformed"),
                pair("data.phone", "malformed"),
            ]
        );
        let text = serde_json::to_string(
            &found
                .iter()
                .map(|(f, p)| json!({"field": f, "problem": p}))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        for value in [
            "hier",
            "pas-une-adresse",
            "appelez",
            "99-100",
            "marketing",
            "oui",
            "mardi",
        ] {
            assert!(!text.contains(value), "{value} in {text}");
        }
    }

    #[test]
    fn the_envelope_is_strict_and_an_unknown_type_is_its_own_refusal() {
        let mut event = good();
        event["type"] = json!("usage.page_viewed");
        assert_eq!(
            parse(event.to_string().as_bytes(), now()),
            Err(Refusal::UnknownType)
        );
        let found = errors(&json!({"timestamp": "2026-12-08T09:58:00Z"}));
        assert_eq!(found, [pair("type", "required"), pair("data", "required")]);
        let Err(Refusal::Fields(list)) = parse(br#"{"data": 1}"#, now()) else {
            panic!()
        };
        assert_eq!(Refusal::code(&list), "invalid_event");
        for body in [&b"[1, 2]"[..], b"{\"type\": ", b"\xff"] {
            assert!(matches!(parse(body, now()), Err(Refusal::Malformed(_))));
        }
        let Err(Refusal::Malformed(message)) = parse(br#"{"type": "jean@exemple.test"#, now())
        else {
            panic!()
        };
        assert!(!message.contains("jean"), "{message}");
    }

    #[test]
    fn a_domain_rule_broken_is_a_registration_problem() {
        let mut event = good();
        event["data"]["consents"][1]["purpose"] = json!("newsletter");
        event["data"]["children_count"] = json!(1);
        let found = errors(&event);
        assert_eq!(
            found,
            [
                pair("data.age_brackets", "out_of_range"),
                pair("data.consents", "duplicate"),
            ]
        );
        let Err(Refusal::Fields(list)) = parse(event.to_string().as_bytes(), now()) else {
            panic!()
        };
        assert_eq!(Refusal::code(&list), "registration_invalid");
    }
}
