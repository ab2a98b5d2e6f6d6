//! Enrolment codes against the real server binary (issue 14): the
//! operator's command makes a code, a new laptop uses it once with the
//! account's password; expired, reused, forged codes are refused, a
//! certificate other than the code's is refused before any password is sent.

use diesel::prelude::*;
use server::testing::TestServer;
use sync::enrol::{fetch_certificates, fingerprint, EnrolmentCode};
use sync::wire::{EnrolDevice, PROTOCOL};

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");
const TRAINER: (&str, &str) = ("formatrice.a", "demo-formatrice-a");

fn code_for(server: &TestServer, username: &str, extra: &[&str]) -> EnrolmentCode {
    let cert = server.cert_pem_path.to_str().unwrap().to_owned();
    let mut args = vec![
        "enrolment-code",
        "--username",
        username,
        "--server-url",
        &server.url,
        "--cert",
        &cert,
    ];
    args.extend_from_slice(extra);
    let out = server.admin(&args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    EnrolmentCode::parse(&String::from_utf8_lossy(&out.stdout)).expect("a code is printed")
}

fn enrol(server: &TestServer, secret: &str, password: &str) -> (u16, serde_json::Value) {
    let request = EnrolDevice {
        protocol: PROTOCOL,
        secret: secret.to_owned(),
        password: password.to_owned(),
        device_id: uuid::Uuid::now_v7().to_string(),
        label: "new laptop".into(),
    };
    server.post("/v1/devices/enrol", None, &request)
}

#[test]
fn issue_14_a_code_connects_one_laptop_once() {
    let server = TestServer::start_with(BIN, true, &[]);
    let code = code_for(&server, TRAINER.0, &[]);
    assert_eq!(code.server, server.url);

    // A wrong password is refused and leaves the code usable.
    let (status, body) = enrol(&server, &code.secret, "not-the-password");
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("bad_credentials"))
    );

    let (status, body) = enrol(&server, &code.secret, TRAINER.1);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["staff"]["username"], TRAINER.0);
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, _) = server.get("/v1/whoami", Some(&token));
    assert_eq!(status, 200, "the token works");

    // Used once: a second laptop is refused, and nothing else changed.
    let (status, body) = enrol(&server, &code.secret, TRAINER.1);
    assert_eq!(
        (status, body["code"].as_str()),
        (410, Some("enrolment_code_used"))
    );
    let mut store = server.open_store();
    let registered: i64 = store::schema::devices::table
        .filter(store::schema::devices::staff_id.is_not_null())
        .count()
        .get_result(store.connection())
        .unwrap();
    assert_eq!(registered, 1);
    // The store keeps the secret's hash only.
    let hashes: Vec<String> = store::schema::enrolment_codes::table
        .select(store::schema::enrolment_codes::secret_hash)
        .load(store.connection())
        .unwrap();
    assert_eq!(hashes, vec![sync::enrol::secret_hash(&code.secret)]);
    assert!(!server.log().contains(code.secret.as_str()));
}

#[test]
fn issue_14_forged_and_expired_codes_are_refused() {
    let server = TestServer::start_with(BIN, true, &[]);
    let forged = EnrolmentCode::new(&server.url, [0; 32]).unwrap();
    let (status, body) = enrol(&server, &forged.secret, TRAINER.1);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("enrolment_code_invalid"))
    );

    let code = code_for(&server, TRAINER.0, &["--hours", "1"]);
    let mut store = server.open_store();
    diesel::update(store::schema::enrolment_codes::table)
        .set(
            store::schema::enrolment_codes::expires_at
                .eq((chrono::Utc::now() - chrono::Duration::minutes(1)).naive_utc()),
        )
        .execute(store.connection())
        .unwrap();
    let (status, body) = enrol(&server, &code.secret, TRAINER.1);
    assert_eq!(
        (status, body["code"].as_str()),
        (410, Some("enrolment_code_expired"))
    );

    // The operator's command refuses a lifetime beyond two weeks and unknown accounts.
    let cert = server.cert_pem_path.to_str().unwrap().to_owned();
    for (user, hours) in [(TRAINER.0, "9999"), ("nobody.here", "1")] {
        let out = server.admin(
            &[
                "enrolment-code",
                "--username",
                user,
                "--server-url",
                &server.url,
                "--cert",
                &cert,
                "--hours",
                hours,
            ],
            "",
        );
        assert!(!out.status.success(), "{user} {hours}");
    }
}

#[test]
fn issue_14_the_certificate_is_fetched_without_sending_anything_and_matches_the_code() {
    let server = TestServer::start_with(BIN, true, &[]);
    let code = code_for(&server, TRAINER.0, &[]);
    let chain = fetch_certificates(&code.server).expect("the chain is fetched");
    assert_eq!(fingerprint(&chain[0]), code.fingerprint);

    // Another server's certificate does not match this code.
    let other = TestServer::start_with(BIN, false, &[]);
    let other_chain = fetch_certificates(&other.url).unwrap();
    assert_ne!(fingerprint(&other_chain[0]), code.fingerprint);

    // Nothing reached the API: no request was logged by the fetch.
    assert!(!server.log().contains("enrol"), "{}", server.log());
}
