//! The website's signed intake (issue 15, item 3) against the real server
//! binary on loopback TLS: a signed registration reaches the office's inbox
//! at the next sync of an administrator's laptop; forged, replayed,
//! expired, future, oversized, unknown-field and uncertified deliveries
//! change nothing and get their code; no answer and no log line holds a
//! value that was sent.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use domain::Role;
use serde_json::{json, Value};
use server::intake::secrets::new_secret;
use server::intake::signature::sign;
use server::testing::TestServer;
use std::io::{Read, Write};
use store::schema::{consents, enrolments, family_situations, intake_deliveries, participants};

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");
const ADMIN: (&str, &str) = ("admin.lemans", "demo-admin-lemans");
/// The policy version of the demo data.
const POLICY: &str = "2025-01-14";

mod site;
use site::{secrets_config, Answer, Site};

impl Site {
    fn programme(&self) -> String {
        store::schema::programmes::table
            .select(store::schema::programmes::id)
            .order(store::schema::programmes::name)
            .first(self.server.open_store().connection())
            .unwrap()
    }

    /// Rows of every table a registration writes.
    fn counts(&self) -> [i64; 5] {
        let mut store = self.server.open_store();
        let conn = store.connection();
        [
            participants::table.count().get_result(conn).unwrap(),
            enrolments::table.count().get_result(conn).unwrap(),
            consents::table.count().get_result(conn).unwrap(),
            family_situations::table.count().get_result(conn).unwrap(),
            intake_deliveries::table.count().get_result(conn).unwrap(),
        ]
    }
}

/// A registration of a fictional person on the website.
fn registration(email: &str, programme: &str) -> Value {
    json!({
        "type": "registration.created",
        "timestamp": Utc::now().to_rfc3339(),
        "data": {
            "given_name": "Maëlle",
            "family_name": "Fictive-Intake",
            "email": email,
            "phone": "02 00 00 00 42",
            "children_count": 2,
            "age_brackets": ["4-6", "12-15"],
            "programme_id": programme,
            "preferred_slots": ["mardi soir", "samedi matin"],
            "consents": [
                {"purpose": "newsletter", "granted": true},
                {"purpose": "testimonials", "granted": false}
            ],
            "policy_version": POLICY,
            "certified_16_plus_at": (Utc::now() - Duration::minutes(2)).to_rfc3339()
        }
    })
}

/// Asserts that no string value of `event` appears in `text`.
fn echoes_nothing(event: &Value, text: &str) {
    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if s.len() >= 4 => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            Value::Object(map) => map.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut sent = Vec::new();
    strings(event, &mut sent);
    for value in sent {
        if ["registration.created", POLICY].contains(&value.as_str()) {
            continue;
        }
        assert!(!text.contains(&value), "{value:?} echoed in {text}");
    }
}

#[test]
fn issue_15_a_signed_registration_reaches_the_office_inbox_at_the_next_sync() {
    let site = Site::start();
    let programme = site.programme();
    let before = site.counts();
    let event = registration("maelle.intake@exemple.test", &programme);
    let answer = site.send("msg_first_0001", &event);
    assert_eq!(answer.status, 201, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["status"], "accepted");
    let enrolment = body["enrolment_id"].as_str().unwrap().to_owned();
    // Minimised: nothing about the person or whether they were known.
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["enrolment_id", "status"]);
    let after = site.counts();
    assert_eq!(
        [
            after[0] - before[0],
            after[1] - before[1],
            after[2] - before[2],
            after[4] - before[4]
        ],
        [1, 1, 2, 1]
    );

    // As stored: the website's channel, the consents with their policy
    // version and source (POL-7), the certification (POL-35).
    let mut store = site.server.open_store();
    let (participant, status, channel): (String, String, String) = enrolments::table
        .find(&enrolment)
        .select((
            enrolments::participant_id,
            enrolments::status,
            enrolments::channel,
        ))
        .first(store.connection())
        .unwrap();
    assert_eq!(
        (status.as_str(), channel.as_str()),
        ("requested", "website")
    );
    let (email, certified): (String, chrono::NaiveDateTime) = participants::table
        .find(&participant)
        .select((participants::email, participants::certified_16_plus_at))
        .first(store.connection())
        .unwrap();
    assert_eq!(email, "maelle.intake@exemple.test");
    assert!(certified < Utc::now().naive_utc());
    let given: Vec<(String, bool, String, Option<String>)> = consents::table
        .filter(consents::participant_id.eq(&participant))
        .select((
            consents::purpose,
            consents::granted,
            consents::source,
            consents::policy_version,
        ))
        .order(consents::purpose)
        .load(store.connection())
        .unwrap();
    assert_eq!(
        given,
        [
            (
                "newsletter".into(),
                true,
                "platform".into(),
                Some(POLICY.into())
            ),
            (
                "testimonials".into(),
                false,
                "platform".into(),
                Some(POLICY.into())
            ),
        ]
    );

    // An administrator's laptop syncs and finds the request in its inbox.
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, actor) =
        site.server
            .synced_laptop(dir.path(), ADMIN.0, ADMIN.1, Role::Administrator);
    let inbox = store::enrolment::registrations(
        laptop.connection(),
        &actor,
        store::enrolment::Listing::Inbox,
        Utc::now(),
    )
    .unwrap();
    let row = inbox
        .iter()
        .find(|row| row.enrolment_id == enrolment)
        .expect("the website's request is in the office's inbox");
    assert_eq!(row.email, "maelle.intake@exemple.test");
    assert_eq!(row.available_slots, ["mardi soir", "samedi matin"]);
}

#[test]
fn pol_35_a_registration_without_the_certification_is_refused_and_changes_nothing() {
    let site = Site::start();
    let mut event = registration("sans.certif@exemple.test", &site.programme());
    event["data"]
        .as_object_mut()
        .unwrap()
        .remove("certified_16_plus_at");
    let before = site.counts();
    let answer = site.send("msg_no_cert", &event);
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (422, "certification_required")
    );
    assert_eq!(
        answer.json()["errors"],
        json!([{"field": "data.certified_16_plus_at", "problem": "required"}])
    );
    assert_eq!(site.counts(), before);
    echoes_nothing(&event, &answer.text);
    // Corrected, the same delivery id is taken: a refusal records nothing.
    event["data"]["certified_16_plus_at"] = json!(Utc::now().to_rfc3339());
    assert_eq!(site.send("msg_no_cert", &event).status, 201);
}

#[test]
fn issue_15_a_forged_signature_or_missing_header_is_401_and_changes_nothing() {
    let site = Site::start();
    let event = registration("forge@exemple.test", &site.programme());
    let body = event.to_string();
    let before = site.counts();
    let other = new_secret();
    let forged = site.send_as(&other, "msg_forged", body.as_bytes(), 0);
    assert_eq!(
        (forged.status, forged.code().as_str()),
        (401, "signature_invalid")
    );
    // Signed, then one character of the body changed.
    let timestamp = Utc::now().timestamp().to_string();
    let signature = sign(
        &site.secret,
        "msg_tampered",
        timestamp.parse().unwrap(),
        body.as_bytes(),
    )
    .unwrap();
    let tampered = body.replace("forge@", "forgf@");
    let headers = [
        ("webhook-id", "msg_tampered"),
        ("webhook-timestamp", timestamp.as_str()),
        ("webhook-signature", signature.as_str()),
        ("Content-Type", "application/json"),
    ];
    let answer = site.raw(tampered.as_bytes(), &headers);
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (401, "signature_invalid")
    );
    // Each header missing in turn.
    for skip in 0..3 {
        let some: Vec<(&str, &str)> = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, h)| *h)
            .collect();
        let answer = site.raw(body.as_bytes(), &some);
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (401, "signature_invalid")
        );
        echoes_nothing(&event, &answer.text);
    }
    assert_eq!(site.counts(), before);
    // The genuine delivery is still taken.
    assert_eq!(site.raw(body.as_bytes(), &headers).status, 201);
}

#[test]
fn issue_15_a_replayed_delivery_is_answered_as_the_first_and_applied_once() {
    let site = Site::start();
    let programme = site.programme();
    let event = registration("rejoue@exemple.test", &programme);
    let before = site.counts();
    let first = site.send("msg_replay", &event);
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!first.replayed);
    let once = site.counts();
    // A sender's retry: the same id, a new timestamp and signature.
    let again = site.send_as(&site.secret, "msg_replay", event.to_string().as_bytes(), 30);
    assert_eq!(
        (again.status, again.text.as_str()),
        (201, first.text.as_str())
    );
    assert!(again.replayed);
    // The same id with another body: the first answer, nothing applied.
    let other = registration("autre.personne@exemple.test", &programme);
    let reused = site.send("msg_replay", &other);
    assert_eq!(reused.text, first.text);
    // Four deliveries of one new id at once: one applied.
    let event = registration("concurrent@exemple.test", &programme);
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| site.send("msg_concurrent", &event)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers
        .iter()
        .all(|a| a.status == 201 && a.text == answers[0].text));
    assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1);
    let after = site.counts();
    assert_eq!(
        [
            once[0] - before[0],
            once[1] - before[1],
            once[4] - before[4]
        ],
        [1, 1, 1]
    );
    assert_eq!(
        [after[0] - once[0], after[1] - once[1], after[4] - once[4]],
        [1, 1, 1],
        "only the concurrent id's one application since"
    );
    let people: i64 = participants::table
        .filter(participants::email.eq("rejoue@exemple.test"))
        .count()
        .get_result(site.server.open_store().connection())
        .unwrap();
    assert_eq!(people, 1);
}

#[test]
fn issue_15_expired_and_future_timestamps_are_401_and_change_nothing() {
    let site = Site::start();
    let body = registration("horloge@exemple.test", &site.programme()).to_string();
    let before = site.counts();
    for offset in [-301, 301, -86_400] {
        let answer = site.send_as(
            &site.secret,
            &format!("msg_clock{offset}"),
            body.as_bytes(),
            offset,
        );
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (401, "timestamp_out_of_window"),
            "{offset}"
        );
    }
    assert_eq!(site.counts(), before);
    // Within the window either way: taken.
    assert_eq!(
        site.send_as(&site.secret, "msg_clock_ok", body.as_bytes(), -240)
            .status,
        201
    );
}

#[test]
fn issue_15_an_oversized_body_is_413_before_it_is_read() {
    let site = Site::start();
    let mut event = registration("grand@exemple.test", &site.programme());
    event["data"]["given_name"] = json!("x".repeat(server::intake::MAX_BODY_BYTES));
    let before = site.counts();
    // Declared length over the limit: the server answers 413 without reading
    // the body and may close the connection while the client still writes
    // it, so the client sees either the 413 or a broken pipe (the raw
    // exchange below reads the 413 every time).
    let body = event.to_string();
    let timestamp = Utc::now().timestamp();
    let signature = sign(&site.secret, "msg_big", timestamp, body.as_bytes()).unwrap();
    let sent = site
        .server
        .agent()
        .post(&format!("{}{}", site.server.url, server::intake::PATH))
        .set("Content-Type", "application/json")
        .set("webhook-id", "msg_big")
        .set("webhook-timestamp", &timestamp.to_string())
        .set("webhook-signature", &signature)
        .send_bytes(body.as_bytes());
    match sent {
        Err(ureq::Error::Status(status, response)) => {
            assert_eq!(status, 413);
            assert!(response.into_string().unwrap().contains("too_large"));
        }
        Err(ureq::Error::Transport(transport)) => {
            let text = transport.to_string();
            assert!(
                text.contains("Broken pipe") || text.contains("reset"),
                "{text}"
            );
        }
        Ok(response) => panic!("accepted: {}", response.status()),
    }
    // Chunked, without a length: refused while reading, at the limit.
    let mut big = event.to_string().into_bytes();
    big.truncate(server::intake::MAX_BODY_BYTES + 100);
    let timestamp = Utc::now().timestamp();
    let signature = sign(&site.secret, "msg_chunked", timestamp, &big).unwrap();
    let response = site
        .server
        .agent()
        .post(&format!("{}{}", site.server.url, server::intake::PATH))
        .set("Content-Type", "application/json")
        .set("webhook-id", "msg_chunked")
        .set("webhook-timestamp", &timestamp.to_string())
        .set("webhook-signature", &signature)
        .send(std::io::Cursor::new(big));
    match response {
        Err(ureq::Error::Status(status, response)) => {
            assert_eq!(status, 413);
            assert!(response.into_string().unwrap().contains("too_large"));
        }
        other => panic!("unexpected {other:?}"),
    }
    // Announced as 10 MB, only the headers sent: answered at once.
    let url = site.server.url.strip_prefix("https://").unwrap().to_owned();
    let tcp = std::net::TcpStream::connect(&url).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let config = server::testing::client_config(&site.server.cert_pem_path);
    let connection =
        rustls::ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let timestamp = Utc::now().timestamp();
    write!(
        tls,
        "POST {} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: 10000000\r\nwebhook-id: msg_huge\r\nwebhook-timestamp: {timestamp}\r\n\
         webhook-signature: v1,AAAA\r\n\r\n{{\"type\":",
        server::intake::PATH
    )
    .unwrap();
    tls.flush().unwrap();
    let mut head = [0u8; 64];
    let read = tls.read(&mut head).unwrap();
    let head = String::from_utf8_lossy(&head[..read]);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert_eq!(site.counts(), before);
}

#[test]
fn issue_15_unknown_fields_get_one_error_per_field_and_never_a_value() {
    let site = Site::start();
    let mut event = registration("pas-une-adresse", &site.programme());
    event["data"]["challenges"] = json!("Difficultés confidentielles de la famille");
    event["data"]["phone"] = json!("appelez-moi le soir");
    event["data"]["age_brackets"] = json!(["4-6", "99-100"]);
    event["source"] = json!("formulaire-accueil");
    let before = site.counts();
    let answer = site.send("msg_fields", &event);
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (422, "invalid_event")
    );
    assert_eq!(
        answer.json()["errors"],
        json!([
            {"field": "source", "problem": "unknown"},
            {"field": "data.challenges", "problem": "unknown"},
            {"field": "data.age_brackets[1]", "problem": "unknown"},
            {"field": "data.email", "problem": "malformed"},
            {"field": "data.phone", "problem": "malformed"},
        ])
    );
    echoes_nothing(&event, &answer.text);
    // An unknown programme is the store's refusal, named the same way.
    let unknown = registration("programme@exemple.test", "prog-inconnu");
    let answer = site.send("msg_programme", &unknown);
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (422, "registration_invalid")
    );
    assert_eq!(
        answer.json()["errors"],
        json!([{"field": "data.programme_id", "problem": "unknown"}])
    );
    // An event type this server does not take, and a body that is no JSON.
    let mut usage = registration("usage@exemple.test", "x");
    usage["type"] = json!("usage.page_viewed");
    let answer = site.send("msg_usage", &usage);
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (422, "unknown_event_type")
    );
    let answer = site.send_as(
        &site.secret,
        "msg_text",
        b"nom=Maelle&email=m@exemple.test",
        0,
    );
    assert_eq!((answer.status, answer.code().as_str()), (400, "malformed"));
    assert!(!answer.text.contains("Maelle"), "{}", answer.text);
    assert_eq!(site.counts(), before);
}

#[test]
fn issue_15_a_second_secret_works_during_a_rotation() {
    let old = new_secret().to_string();
    let new = new_secret().to_string();
    let site = Site::with_secrets(old.clone(), &[&old, &new]);
    let programme = site.programme();
    for (n, secret) in [&old, &new].into_iter().enumerate() {
        let body = registration(&format!("rotation{n}@exemple.test"), &programme).to_string();
        let answer = site.send_as(secret, &format!("msg_rotation_{n}"), body.as_bytes(), 0);
        assert_eq!(answer.status, 201, "secret {n}: {}", answer.text);
    }
    // Both signatures on one delivery, as a website mid-rotation sends them.
    let body = registration("rotation2@exemple.test", &programme).to_string();
    let timestamp = Utc::now().timestamp();
    let both = format!(
        "{} {}",
        sign(&new, "msg_rotation_2", timestamp, body.as_bytes()).unwrap(),
        sign(&old, "msg_rotation_2", timestamp, body.as_bytes()).unwrap()
    );
    let answer = site.raw(
        body.as_bytes(),
        &[
            ("webhook-id", "msg_rotation_2"),
            ("webhook-timestamp", &timestamp.to_string()),
            ("webhook-signature", &both),
            ("Content-Type", "application/json"),
        ],
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    // A third secret, never configured: refused.
    let stranger = new_secret();
    let answer = site.send_as(&stranger, "msg_rotation_3", body.as_bytes(), 0);
    assert_eq!(answer.status, 401);
}

#[test]
fn issue_15_without_a_secret_the_intake_is_503_and_a_non_json_body_is_415() {
    let server = TestServer::start_with(BIN, true, &[]);
    let secret = new_secret();
    let body = br#"{"type":"registration.created"}"#;
    let timestamp = Utc::now().timestamp();
    let signature = sign(&secret, "msg_off", timestamp, body).unwrap();
    let (status, answer) = server.post_bytes(
        server::intake::PATH,
        None,
        body,
        &[
            ("webhook-id", "msg_off"),
            ("webhook-timestamp", &timestamp.to_string()),
            ("webhook-signature", &signature),
        ],
    );
    assert_eq!(
        (status, answer["code"].as_str()),
        (503, Some("intake_not_configured"))
    );

    let site = Site::start();
    let body = registration("texte@exemple.test", &site.programme()).to_string();
    let timestamp = Utc::now().timestamp();
    let signature = sign(&site.secret, "msg_form", timestamp, body.as_bytes()).unwrap();
    let answer = site.raw(
        body.as_bytes(),
        &[
            ("webhook-id", "msg_form"),
            ("webhook-timestamp", &timestamp.to_string()),
            ("webhook-signature", &signature),
            ("Content-Type", "text/plain"),
        ],
    );
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (415, "unsupported_media_type")
    );
    // GET is not a way in.
    let (status, _) = site.server.get(server::intake::PATH, None);
    assert_eq!(status, 405);
}

#[test]
fn pol_22_the_server_log_holds_no_value_of_an_intake_body_nor_a_secret() {
    let mut site = Site::start();
    let programme = site.programme();
    let good = registration("journal.sentinelle@exemple.test", &programme);
    assert_eq!(site.send("msg_log_ok", &good).status, 201);
    let mut bad = registration("journal.refus@exemple.test", &programme);
    bad["data"]["given_name"] = json!("PrenomSentinelle");
    bad["data"]["certified_16_plus_at"] = Value::Null;
    assert_eq!(site.send("msg_log_bad", &bad).status, 422);
    site.server.kill();
    let log = site.server.log();
    assert!(log.contains("intake event accepted"), "{log}");
    assert!(
        log.contains("msg_log_ok") && log.contains("certification_required"),
        "{log}"
    );
    for needle in [
        "journal.sentinelle",
        "journal.refus",
        "PrenomSentinelle",
        "Maëlle",
        "Fictive-Intake",
        "02 00 00 00 42",
        &site.secret[6..],
    ] {
        assert!(!log.contains(needle), "{needle} in the server log");
    }
}

#[test]
fn issue_15_intake_secret_prints_a_new_usable_secret_each_time() {
    let run = || {
        let output = std::process::Command::new(BIN)
            .arg("intake-secret")
            .env_remove("MONIRAVIQUE_SERVER_CONFIG")
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    let (one, two) = (run(), run());
    assert_ne!(one, two);
    for secret in [&one, &two] {
        assert!(secret.starts_with("whsec_"), "{secret}");
        let parsed = server::intake::Secrets::parse(secret, "stdout").unwrap();
        assert_eq!(parsed.len(), 1);
    }
    // `doctor` reports a configured file without printing it.
    let (_dir, config) = secrets_config(&[&one]);
    let output = std::process::Command::new(BIN)
        .args(["doctor", "--config", config.to_str().unwrap()])
        .env_remove("MONIRAVIQUE_SERVER_CONFIG")
        .env_remove("MONIRAVIQUE_SERVER_KEY")
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("intake secrets"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.starts_with("ok ") && line.contains("1 secret(s)"),
        "{line}"
    );
    assert!(!stdout.contains(&one[6..]), "{stdout}");
}
