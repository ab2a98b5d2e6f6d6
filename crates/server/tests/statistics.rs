//! Issue 16 against the real server binary: the website's usage events
//! through the signed intake over loopback TLS (stored as technical traces;
//! a full IP address, a name or an e-mail, an unknown kind, too many events
//! refused with the field named and nothing stored), `serve`'s release of
//! the previous month at start, and the operator's `statistics` command.

use chrono::{DateTime, Duration, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::statistics::Month;
use serde_json::{json, Value};
use server::testing::TestServer;
use std::process::Command;
use store::schema::{audit_log, participants, staff, stat_cells, stat_releases, technical_traces};
use store::statistics::facts::month_start;

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");

mod site;
use site::Site;

impl Site {
    fn traces(&self) -> i64 {
        technical_traces::table
            .filter(technical_traces::event.is_not_null())
            .count()
            .get_result(self.server.open_store().connection())
            .unwrap()
    }

    fn participant(&self) -> String {
        participants::table
            .select(participants::id)
            .order(participants::email)
            .first(self.server.open_store().connection())
            .unwrap()
    }
}

fn batch(events: Vec<Value>) -> Value {
    json!({"type": "usage.recorded", "timestamp": Utc::now().to_rfc3339(),
           "data": {"events": events}})
}

fn viewed(participant: Option<&str>, at: DateTime<Utc>) -> Value {
    let mut event = json!({"kind": "section.viewed", "section": "ecoute-active",
                           "at": at.to_rfc3339(), "ip": "198.51.0.0",
                           "user_agent": "Navigateur-Test/2.0", "session_seconds": 42});
    if let Some(id) = participant {
        event["participant"] = json!(id);
    }
    event
}

#[test]
fn issue_16_signed_usage_deliveries_are_stored_once_as_technical_traces() {
    let site = Site::start();
    let person = site.participant();
    let at = Utc::now() - Duration::minutes(30);
    let before = site.traces();
    let event = batch(vec![
        viewed(Some(&person), at),
        viewed(None, at),
        viewed(Some("0193a4f0-0000-7000-8000-00000000beef"), at),
        json!({"kind": "session.joined", "session": "0193a0aa-1111-7222-8333-444455556666",
               "at": at.to_rfc3339(), "participant": person.to_uppercase()}),
    ]);
    let answer = site.send("msg_usage_0001", &event);
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(
        answer.json(),
        json!({"status": "accepted", "stored": 3, "ignored": 1}),
        "the unknown participant's event is dropped and counted"
    );
    assert_eq!(site.traces(), before + 3);
    let mut store = site.server.open_store();
    let stored: Vec<(Option<String>, Option<String>, Option<String>)> = technical_traces::table
        .filter(technical_traces::recorded_at.eq(at.naive_utc()))
        .select((
            technical_traces::participant_id,
            technical_traces::event,
            technical_traces::ip_address,
        ))
        .order((technical_traces::event, technical_traces::participant_id))
        .load(store.connection())
        .unwrap();
    assert_eq!(
        stored,
        [
            (
                None,
                Some("section.viewed".into()),
                Some("198.51.0.0".into())
            ),
            (
                Some(person.clone()),
                Some("section.viewed".into()),
                Some("198.51.0.0".into())
            ),
            (Some(person.clone()), Some("session.joined".into()), None),
        ]
    );
    // One audited action per delivery, as the website's account.
    let entries: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::action.eq("usage.record"))
        .select((audit_log::actor_id, audit_log::participant_id))
        .load(store.connection())
        .unwrap();
    assert_eq!(
        entries,
        [(
            server::service::Service::Website.staff_id().to_owned(),
            None
        )]
    );
    drop(store);
    // The same delivery again: the same answer, nothing stored.
    let again = site.send("msg_usage_0001", &event);
    assert_eq!((again.status, again.replayed), (201, true));
    assert_eq!(again.json(), answer.json());
    assert_eq!(site.traces(), before + 3);
}

#[test]
fn pol_3_a_full_address_a_name_an_unknown_kind_or_too_many_events_get_422_and_store_nothing() {
    let site = Site::start();
    let person = site.participant();
    let at = Utc::now() - Duration::minutes(5);
    let before = site.traces();
    let mut full = viewed(Some(&person), at);
    full["ip"] = json!("198.51.100.23");
    let mut named = viewed(Some(&person), at);
    named["email"] = json!("nina.fictive@exemple.test");
    named["name"] = json!("Nina Fictive");
    let unknown = json!({"kind": "page.printed", "at": at.to_rfc3339()});
    let many: Vec<Value> = (0..store::usage::MAX_EVENTS + 1)
        .map(|_| viewed(None, at))
        .collect();
    let cases = [
        (
            batch(vec![viewed(None, at), full]),
            "data.events[1].ip",
            "not_truncated",
        ),
        (batch(vec![named]), "data.events[0].email", "unknown"),
        (batch(vec![unknown]), "data.events[0].kind", "unknown"),
        (batch(many), "data.events", "too_many"),
    ];
    for (n, (event, field, problem)) in cases.iter().enumerate() {
        let answer = site.send(&format!("msg_refused_{n}"), event);
        assert_eq!(answer.status, 422, "{field}: {}", answer.text);
        let body = answer.json();
        assert_eq!(body["code"], "usage_invalid", "{}", answer.text);
        assert!(
            body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == *field && e["problem"] == *problem),
            "{field} {problem}: {}",
            answer.text
        );
        for value in ["198.51.100", "nina", "Fictive", "page.printed"] {
            assert!(!answer.text.contains(value), "{value} in {}", answer.text);
        }
    }
    assert_eq!(site.traces(), before, "nothing stored");
    let log = site.server.log();
    for value in ["198.51.100", "nina", "Fictive", &person] {
        assert!(!log.contains(value), "{value} in the server's log");
    }
}

#[test]
fn pol_11_serve_releases_the_previous_month_at_start() {
    let mut server = TestServer::start_with(BIN, false, &[]);
    let previous = Month::of(Utc::now()).previous().to_string();
    let mut released = None;
    for _ in 0..100 {
        released = stat_releases::table
            .find(&previous)
            .select(stat_releases::cells)
            .first::<i32>(server.open_store().connection())
            .optional()
            .unwrap();
        if released.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let cells = released.expect("the previous month is released at start");
    assert!(cells > 0);
    let role: String = staff::table
        .filter(staff::username.eq("service.statistiques"))
        .select(staff::role)
        .first(server.open_store().connection())
        .unwrap();
    assert_eq!(role, "dpo", "the run reads technical traces: a DPO");
    // A restart finds nothing more to release.
    server.restart();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let releases: i64 = stat_releases::table
        .count()
        .get_result(server.open_store().connection())
        .unwrap();
    assert_eq!(releases, 1);
    assert!(server.log().contains("monthly statistics"));
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn pol_11_the_statistics_command_publishes_the_previous_month() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("server.key");
    let (data, key) = (data.to_str().unwrap(), key.to_str().unwrap());
    assert!(run(&["init", "--data-dir", data, "--key-file", key])
        .status
        .success());
    // Six fictional people viewed a section of the website last month.
    let previous = Month::of(Utc::now()).previous();
    let at = month_start(previous) + Duration::days(10);
    {
        let key = store::StoreKey::from_hex(&std::fs::read_to_string(key).unwrap()).unwrap();
        let mut store = store::open(
            &server::admin::store_path(dir.path().join("data").as_path()),
            &key,
            false,
        )
        .unwrap();
        let mut sql = String::new();
        for n in 0..6 {
            sql.push_str(&format!(
                "INSERT INTO participants (id, given_name, family_name, email, certified_16_plus_at, \
                 created_at, updated_at, updated_device) VALUES \
                 ('0193a4f0-0000-7000-8000-00000000000{n}', 'Test', 'Fictif-{n}', \
                 'fictif.{n}@exemple.test', '{at}', '{at}', '{at}', 'test'); \
                 INSERT INTO technical_traces (id, participant_id, recorded_at, updated_at, \
                 updated_device, event, section) VALUES ('trace-{n}', \
                 '0193a4f0-0000-7000-8000-00000000000{n}', '{at}', '{at}', 'test', \
                 'section.viewed', 'ressources');"
            ));
        }
        store.connection().batch_execute(&sql).unwrap();
    }
    let output = run(&["statistics", "--data-dir", data, "--key-file", key]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(&format!("statistics {previous}: released;")),
        "{stdout}"
    );
    let store_path = server::admin::store_path(dir.path().join("data").as_path());
    let key_value = store::StoreKey::from_hex(&std::fs::read_to_string(key).unwrap()).unwrap();
    let mut store = store::open(&store_path, &key_value, false).unwrap();
    let value: Option<i64> = stat_cells::table
        .find(format!("sections/{previous}/ressources"))
        .select(stat_cells::value)
        .first(store.connection())
        .unwrap();
    assert_eq!(value, Some(6), "six people: published");
    drop(store);
    // Again: the release as it was; a month that has not ended: refused.
    let again = run(&["statistics", "--data-dir", data, "--key-file", key]);
    let again_out = String::from_utf8_lossy(&again.stdout);
    assert!(again_out.contains("already released"), "{again_out}");
    let current = Month::of(Utc::now()).to_string();
    let early = run(&[
        "statistics",
        "--data-dir",
        data,
        "--key-file",
        key,
        "--month",
        &current,
    ]);
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("has not ended"));
    let bad = run(&[
        "statistics",
        "--data-dir",
        data,
        "--key-file",
        key,
        "--month",
        "novembre",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM"));
    // Doctor's line names the latest release (the other checks need a certificate).
    let doctor = run(&["doctor", "--data-dir", data, "--key-file", key]);
    let doctor_out = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        doctor_out.contains(&format!(
            "statistics: {previous} is the latest month released"
        )),
        "{doctor_out}"
    );
}
