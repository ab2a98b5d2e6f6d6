//! The website developers' document of the intake,
//! `crates/server/openapi/intake.json` (OpenAPI 3.1), cannot drift from the
//! code: every example request is accepted by the real parser, the worked
//! signature is what the server verifies, and every list of fields, required
//! fields and enum values is the Rust one (registrations, issue 15; usage
//! events, issue 16).

use chrono::Utc;
use domain::intake::{Field, Problem, MAX_CHILDREN, MAX_EMAIL, MAX_NAME, MAX_SLOT, MAX_SLOTS};
use domain::rights::{AgeBracket, ConsentPurpose};
use serde_json::Value;
use server::intake::schema::{self, EventType, Kind, CONSENT_FIELDS, ENVELOPE_FIELDS, REQUIRED};
use server::intake::signature::{self, SignatureError};
use server::intake::usage::{event_fields, DATA_FIELDS};
use server::intake::{codes, Secrets, MAX_BODY_BYTES, PATH};
use std::collections::BTreeSet;
use store::usage::{UsageKind, COMMON_FIELDS, MAX_EVENTS, MAX_SESSION_SECONDS, MAX_USER_AGENT};

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/intake.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("valid JSON")
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

fn operation(doc: &Value) -> &Value {
    &doc["paths"][PATH]["post"]
}

#[test]
fn issue_15_every_example_of_the_openapi_document_is_accepted_by_the_real_parser() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let examples = operation(&doc)["requestBody"]["content"]["application/json"]["examples"]
        .as_object()
        .unwrap();
    assert!(examples.len() >= 3);
    let mut usage = 0;
    for (name, example) in examples {
        let body = example["value"].to_string();
        // Usage events are taken for 13 months: the example is read at its
        // own time, so it never grows too old for the test.
        let sent = example["value"]["timestamp"].as_str().unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(sent).unwrap().to_utc();
        let now = if example["value"]["type"] == "usage.recorded" {
            at + chrono::Duration::minutes(1)
        } else {
            Utc::now()
        };
        match schema::parse(body.as_bytes(), now) {
            Ok(schema::Event::RegistrationCreated { registration, .. }) => {
                assert!(
                    registration.email.ends_with("@exemple.test"),
                    "{name}: fictional people only"
                );
            }
            Ok(schema::Event::UsageRecorded { events, .. }) => {
                let kinds: BTreeSet<&str> = events.iter().map(|e| e.kind.name()).collect();
                assert_eq!(
                    kinds,
                    set(UsageKind::NAMES).iter().map(String::as_str).collect()
                );
                usage += 1;
            }
            Err(refusal) => panic!("example {name} is refused: {refusal:?}"),
        }
    }
    assert_eq!(usage, 1, "one example of every usage kind");
    // The worked signature is the one the server verifies.
    let worked = &doc["x-signature-example"];
    let secret = worked["secret"].as_str().unwrap();
    let id = worked["webhook-id"].as_str().unwrap();
    let timestamp: i64 = worked["webhook-timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = worked["body"].as_str().unwrap();
    assert_eq!(
        signature::sign(secret, id, timestamp, body.as_bytes()).as_deref(),
        worked["webhook-signature"].as_str()
    );
    let mut headers = axum::http::HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        headers.insert(name, worked[name].as_str().unwrap().parse().unwrap());
    }
    let secrets = Secrets::parse(secret, "the document").unwrap();
    // Its timestamp is long past: the server's window says so, the signature is right.
    assert_eq!(
        signature::delivery(&headers, Utc::now()),
        Err(SignatureError::OutOfWindow)
    );
    let at = chrono::DateTime::from_timestamp(timestamp, 0).unwrap();
    assert!(signature::delivery(&headers, at).is_ok());
    assert_eq!(
        signature::verify(&secrets, &headers, body.as_bytes()),
        Err(SignatureError::OutOfWindow),
        "the signature matched; only the clock refuses it"
    );
    assert!(schema::parse(body.as_bytes(), Utc::now()).is_ok());
    // Header examples are the worked example's.
    for parameter in operation(&doc)["parameters"].as_array().unwrap() {
        let name = parameter["name"].as_str().unwrap();
        assert_eq!(parameter["example"], worked[name], "{name}");
    }
    // Answers: the success examples are `Accepted`, the errors' codes and
    // problems are the server's.
    for (status, response) in operation(&doc)["responses"].as_object().unwrap() {
        let examples = response["content"]["application/json"]["examples"]
            .as_object()
            .unwrap();
        for (name, example) in examples {
            let value = &example["value"];
            if status == "201" {
                let accepted: server::intake::Accepted =
                    serde_json::from_value(value.clone()).unwrap();
                assert_eq!(accepted.status(), "accepted");
                assert_eq!(serde_json::to_value(&accepted).unwrap(), *value);
                continue;
            }
            let code = value["code"].as_str().unwrap();
            assert!(codes::ALL.contains(&code), "{status} {name}: {code}");
            for error in value["errors"].as_array().into_iter().flatten() {
                assert!(Kind::parse(error["problem"].as_str().unwrap()).is_some());
            }
        }
    }
}

#[test]
fn issue_15_the_openapi_schema_matches_the_rust_types() {
    let doc = document();
    // The headers, the window, the body's limit.
    let headers: Vec<&str> = operation(&doc)["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        [
            signature::ID_HEADER,
            signature::TIMESTAMP_HEADER,
            signature::SIGNATURE_HEADER
        ]
    );
    assert_eq!(
        doc["info"]["x-timestamp-window-seconds"],
        signature::WINDOW_SECONDS
    );
    assert_eq!(doc["info"]["x-max-body-bytes"], MAX_BODY_BYTES);
    // The envelope and its types.
    let envelope = schema(&doc, "RegistrationCreated");
    assert_eq!(keys(&envelope["properties"]), set(ENVELOPE_FIELDS));
    assert_eq!(strings(&envelope["required"]), set(ENVELOPE_FIELDS));
    assert_eq!(envelope["additionalProperties"], false);
    assert_eq!(
        strings(&schema(&doc, "EventType")["enum"]),
        set(EventType::ALL.iter().map(|t| t.as_str()))
    );
    assert_eq!(
        envelope["properties"]["type"]["const"],
        EventType::RegistrationCreated.as_str()
    );
    // The registration: every field of the domain's type, the required ones.
    let registration = schema(&doc, "Registration");
    assert_eq!(keys(&registration["properties"]), set(Field::texts()));
    assert_eq!(
        strings(&registration["required"]),
        set(REQUIRED.iter().map(|f| f.as_str()))
    );
    assert_eq!(registration["additionalProperties"], false);
    let property = |field: Field| &registration["properties"][field.as_str()];
    assert_eq!(property(Field::GivenName)["maxLength"], MAX_NAME);
    assert_eq!(property(Field::FamilyName)["maxLength"], MAX_NAME);
    assert_eq!(property(Field::Email)["maxLength"], MAX_EMAIL);
    assert_eq!(property(Field::ChildrenCount)["maximum"], MAX_CHILDREN);
    assert_eq!(property(Field::AgeBrackets)["maxItems"], MAX_CHILDREN);
    assert_eq!(property(Field::PreferredSlots)["maxItems"], MAX_SLOTS);
    assert_eq!(
        property(Field::PreferredSlots)["items"]["maxLength"],
        MAX_SLOT
    );
    // The consents and the vocabularies.
    let consent = schema(&doc, "Consent");
    assert_eq!(keys(&consent["properties"]), set(CONSENT_FIELDS));
    assert_eq!(strings(&consent["required"]), set(CONSENT_FIELDS));
    assert_eq!(
        strings(&schema(&doc, "ConsentPurpose")["enum"]),
        set(ConsentPurpose::texts())
    );
    assert_eq!(
        strings(&schema(&doc, "AgeBracket")["enum"]),
        set(AgeBracket::texts())
    );
    assert_eq!(
        strings(&schema(&doc, "Problem")["enum"]),
        set(Kind::texts())
    );
    assert!(Problem::texts().iter().all(|p| Kind::parse(p).is_some()));
    assert_eq!(strings(&schema(&doc, "ErrorCode")["enum"]), set(codes::ALL));
    // Every $ref points at a schema of the document.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target}"));
        assert!(schema(&doc, name).is_object(), "{target}");
    }
}

#[test]
fn issue_16_the_usage_events_schema_matches_the_rust_types() {
    let doc = document();
    let envelope = schema(&doc, "UsageRecorded");
    assert_eq!(keys(&envelope["properties"]), set(ENVELOPE_FIELDS));
    assert_eq!(strings(&envelope["required"]), set(ENVELOPE_FIELDS));
    assert_eq!(envelope["additionalProperties"], false);
    assert_eq!(
        envelope["properties"]["type"]["const"],
        EventType::UsageRecorded.as_str()
    );
    let data = schema(&doc, "UsageData");
    assert_eq!(keys(&data["properties"]), set(DATA_FIELDS));
    assert_eq!(data["properties"]["events"]["maxItems"], MAX_EVENTS);
    assert_eq!(data["additionalProperties"], false);
    assert_eq!(
        strings(&schema(&doc, "UsageKind")["enum"]),
        set(UsageKind::NAMES)
    );
    let mapping = schema(&doc, "UsageEvent")["discriminator"]["mapping"]
        .as_object()
        .unwrap();
    assert_eq!(
        mapping.keys().cloned().collect::<BTreeSet<_>>(),
        set(UsageKind::NAMES)
    );
    let mut every = BTreeSet::new();
    for (name, target) in mapping {
        let kind = schema(
            &doc,
            target
                .as_str()
                .unwrap()
                .trim_start_matches("#/components/schemas/"),
        );
        let own = UsageKind::fields(name).unwrap();
        let mut fields = set(COMMON_FIELDS);
        fields.extend(set(own.iter().copied()));
        assert_eq!(keys(&kind["properties"]), fields, "{name}");
        let mut required = set(["kind", "at"]);
        required.extend(set(own.iter().copied()));
        assert_eq!(strings(&kind["required"]), required, "{name}");
        assert_eq!(kind["additionalProperties"], false, "{name}");
        assert_eq!(kind["properties"]["kind"]["const"], name.as_str());
        assert_eq!(
            kind["properties"]["user_agent"]["maxLength"],
            MAX_USER_AGENT
        );
        assert_eq!(
            kind["properties"]["session_seconds"]["maximum"],
            MAX_SESSION_SECONDS
        );
        every.extend(fields);
    }
    assert_eq!(
        every,
        set(event_fields()),
        "no field the parser does not read"
    );
    let usage = schema(&doc, "UsageAccepted");
    assert_eq!(
        keys(&usage["properties"]),
        set(["status", "stored", "ignored"])
    );
}
