//! The real `moniravique-server` binary on loopback, over TLS with a
//! certificate made by its own `self-signed-cert` command (POL-17..19,
//! POL-22, and the bad-input rules of `../shared/design/sync.md`).

use diesel::prelude::*;
use server::testing::{client_agent, read, TestServer};
use std::io::{Read, Write};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");
const TRAINER: (&str, &str) = ("formatrice.a", "demo-formatrice-a");

fn demo_server() -> TestServer {
    TestServer::start_with(BIN, true, &[])
}

fn code(body: &serde_json::Value) -> &str {
    body["code"].as_str().unwrap_or("")
}

fn token_of(server: &TestServer) -> String {
    server
        .register(TRAINER.0, TRAINER.1)
        .expect("the demo trainer registers")
        .token
}

#[test]
fn pol_17_health_answers_over_tls_and_plain_http_is_refused() {
    let server = demo_server();
    assert!(server.url.starts_with("https://127.0.0.1:"));
    let (status, body) = server.get("/v1/health", None);
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"status": "ok", "protocol": 1}));

    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = ureq::get(&format!("http://127.0.0.1:{}/v1/health", server.port())).call();
    assert!(plain.is_err(), "plain HTTP must fail");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(
        !answer.starts_with(b"HTTP/"),
        "a plain HTTP answer came back"
    );
}

#[test]
fn pol_17_a_client_that_does_not_trust_the_certificate_fails() {
    let server = demo_server();
    let url = format!("{}/v1/health", server.url);
    // The public web roots do not vouch for the server's certificate.
    assert!(matches!(
        ureq::get(&url).call(),
        Err(ureq::Error::Transport(_))
    ));
    // Nor does another self-signed certificate.
    let other = tempfile::tempdir().unwrap();
    let made = Command::new(BIN)
        .args([
            "self-signed-cert",
            "--out-dir",
            other.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(made.status.success());
    let stranger = client_agent(&other.path().join("cert.pem"));
    assert!(matches!(
        stranger.get(&url).call(),
        Err(ureq::Error::Transport(_))
    ));
    // The certificate covers the loopback names, not only the address.
    let by_name = server.url.replace("127.0.0.1", "localhost");
    let (status, _) = read(server.agent().get(&format!("{by_name}/v1/health")).call());
    assert_eq!(status, 200);
}

#[test]
fn pol_17_tls_1_2_is_refused() {
    let server = demo_server();
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    for cert in rustls::pki_types::CertificateDer::pem_file_iter(&server.cert_pem_path).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let agent = ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .build();
    assert!(matches!(
        agent.get(&format!("{}/v1/health", server.url)).call(),
        Err(ureq::Error::Transport(_))
    ));
}

#[test]
fn pol_17_self_signed_cert_writes_a_private_key_of_mode_0600_and_prints_its_fingerprint() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tls");
    let made = Command::new(BIN)
        .args([
            "self-signed-cert",
            "--out-dir",
            out.to_str().unwrap(),
            "--host",
            "sync.example.test",
        ])
        .output()
        .unwrap();
    assert!(made.status.success());
    let stdout = String::from_utf8(made.stdout).unwrap();
    let fingerprint = stdout
        .lines()
        .find_map(|line| line.strip_prefix("sha256 fingerprint "))
        .expect("a fingerprint line");
    assert_eq!(fingerprint.len(), 32 * 3 - 1);
    let mode = std::fs::metadata(out.join("key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Never over an existing pair.
    let again = Command::new(BIN)
        .args(["self-signed-cert", "--out-dir", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
}

#[test]
fn pol_18_wrong_passwords_get_401_then_429_locked() {
    let server = demo_server();
    let (username, password) = ("formateur.b", "demo-formateur-b");
    let (status, body) = server.register(username, "wrong").unwrap_err();
    assert_eq!((status, code(&body)), (401, "bad_credentials"));
    // An unknown user name is the same answer.
    let (status, body) = server.register("nobody.here", "wrong").unwrap_err();
    assert_eq!((status, code(&body)), (401, "bad_credentials"));
    let mut locked = None;
    for _ in 0..6 {
        match server.register(username, "wrong") {
            Err((401, body)) => assert_eq!(code(&body), "bad_credentials"),
            Err((429, body)) => {
                locked = Some(body);
                break;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    let body = locked.expect("repeated failures end in 429");
    assert_eq!(code(&body), "locked");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("try again after"));
    // Even the right password waits.
    let (status, body) = server.register(username, password).unwrap_err();
    assert_eq!((status, code(&body)), (429, "locked"));
}

#[test]
fn pol_18_registration_gives_a_token_that_authenticates() {
    let server = demo_server();
    let device = uuid::Uuid::now_v7().to_string();
    let registered = server
        .register_device(TRAINER.0, TRAINER.1, &device)
        .unwrap();
    assert_eq!(registered.token.len(), 64);
    assert!(registered.token.bytes().all(|b| b.is_ascii_hexdigit()));
    let days = (registered.expires_at - chrono::Utc::now()).num_days();
    assert!((29..=30).contains(&days), "{days}");
    assert_eq!(registered.staff.username, TRAINER.0);
    assert_eq!(registered.staff.role, "trainer");
    let (status, me) = server.get("/v1/whoami", Some(&registered.token));
    assert_eq!(status, 200);
    assert_eq!(me["id"], registered.staff.id.as_str());

    // Registering the same laptop again replaces its token.
    let again = server
        .register_device(TRAINER.0, TRAINER.1, &device)
        .unwrap();
    assert_ne!(again.token, registered.token);
    assert_eq!(server.get("/v1/whoami", Some(&again.token)).0, 200);
    let (status, body) = server.get("/v1/whoami", Some(&registered.token));
    assert_eq!((status, code(&body)), (401, "unauthenticated"));

    // Another account cannot take that laptop's id.
    let (status, body) = server
        .register_device("formatrice.c", "demo-formatrice-c", &device)
        .unwrap_err();
    assert_eq!((status, code(&body)), (409, "device_conflict"));

    // The store keeps the token's hash only.
    let mut store = server.open_store();
    use store::schema::device_tokens;
    let hashes: Vec<String> = device_tokens::table
        .select(device_tokens::token_hash)
        .load(store.connection())
        .unwrap();
    assert!(hashes.contains(&server::devices::token_hash(&again.token)));
    assert!(!hashes.contains(&again.token));
}

#[test]
fn pol_18_requests_without_a_valid_token_are_401() {
    let server = demo_server();
    let pull = serde_json::json!({"protocol": 1, "cursor": 0});
    for path in ["/v1/sync/push", "/v1/sync/pull", "/v1/audit/push"] {
        let (status, body) = server.post(path, None, &pull);
        assert_eq!((status, code(&body)), (401, "unauthenticated"), "{path}");
    }
    let unknown = "ab".repeat(32);
    for token in ["garbage", unknown.as_str(), ""] {
        let (status, body) = server.post("/v1/sync/pull", Some(token), &pull);
        assert_eq!((status, code(&body)), (401, "unauthenticated"), "{token}");
    }
    let token = token_of(&server);
    let basic = server
        .agent()
        .get(&format!("{}/v1/whoami", server.url))
        .set("Authorization", &format!("Basic {token}"))
        .call();
    assert_eq!(read(basic).0, 401);
}

#[test]
fn sync_an_expired_token_is_401_token_expired_and_the_same_laptop_signs_in_for_a_new_one() {
    let server = demo_server();
    let device = uuid::Uuid::now_v7().to_string();
    let token = server
        .register_device(TRAINER.0, TRAINER.1, &device)
        .unwrap()
        .token;
    let mut store = server.open_store();
    use store::schema::device_tokens;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).naive_utc();
    diesel::update(device_tokens::table)
        .set(device_tokens::expires_at.eq(past))
        .execute(store.connection())
        .unwrap();
    drop(store);
    let (status, body) = server.get("/v1/whoami", Some(&token));
    assert_eq!((status, code(&body)), (401, "token_expired"));
    // The window's next sign-in registers the same laptop again with the
    // password (src-tauri sync_link::needs_new_token): a new token works,
    // the expired one stays refused.
    let renewed = server
        .register_device(TRAINER.0, TRAINER.1, &device)
        .unwrap()
        .token;
    assert_ne!(renewed, token);
    assert_eq!(server.get("/v1/whoami", Some(&renewed)).0, 200);
    assert_eq!(server.get("/v1/whoami", Some(&token)).0, 401);
    let wrong = server.register_device(TRAINER.0, "not-the-password", &device);
    assert!(wrong.is_err(), "a wrong password gets no token");
}

#[test]
fn sync_a_revoked_device_is_403_device_revoked_for_ever() {
    let server = demo_server();
    let device = uuid::Uuid::now_v7().to_string();
    let token = server
        .register_device(TRAINER.0, TRAINER.1, &device)
        .unwrap()
        .token;
    assert_eq!(server.get("/v1/whoami", Some(&token)).0, 200);
    let revoked = server.admin(&["revoke-device", "--device", &device], "");
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let (status, body) = server.post(
        "/v1/sync/push",
        Some(&token),
        &serde_json::json!({"protocol": 1, "ops": []}),
    );
    assert_eq!((status, code(&body)), (403, "device_revoked"));
    let (status, body) = server
        .register_device(TRAINER.0, TRAINER.1, &device)
        .unwrap_err();
    assert_eq!((status, code(&body)), (403, "device_revoked"));
    let listed = server.admin(&["list-devices"], "");
    let listing = String::from_utf8(listed.stdout).unwrap();
    let line = listing.lines().find(|l| l.starts_with(&device)).unwrap();
    assert!(line.contains("\trevoked\t"), "{line}");
}

#[test]
fn sync_malformed_json_is_400_malformed_and_quotes_nothing() {
    let server = demo_server();
    let (status, body) = server.post_bytes("/v1/devices/register", None, b"{not json", &[]);
    assert_eq!((status, code(&body)), (400, "malformed"));
    let sentinel =
        br#"{"protocol":1,"username":"SENTINEL-NAME","password":5,"device_id":"x","label":"y"}"#;
    let (status, body) = server.post_bytes("/v1/devices/register", None, sentinel, &[]);
    assert_eq!((status, code(&body)), (400, "malformed"));
    assert!(!body.to_string().contains("SENTINEL"), "{body}");
    let token = token_of(&server);
    let (status, body) = server.post_bytes(
        "/v1/sync/push",
        Some(&token),
        br#"{"protocol":1,"ops":"x"}"#,
        &[],
    );
    assert_eq!((status, code(&body)), (400, "malformed"));
    let (status, body) = server.post_bytes("/v1/sync/pull", Some(&token), br#"{"cursor":0}"#, &[]);
    assert_eq!((status, code(&body)), (400, "malformed"));
    // A device id that is no UUID.
    let (status, body) = server
        .register_device(TRAINER.0, TRAINER.1, "laptop-1")
        .unwrap_err();
    assert_eq!((status, code(&body)), (400, "malformed"));
    // Even the router's own refusals are JSON error bodies.
    let (status, body) = server.get("/v1/nowhere", None);
    assert_eq!((status, code(&body)), (404, "not_found"));
    let (status, body) = server.get("/v1/sync/push", Some(&token));
    assert_eq!((status, code(&body)), (405, "method_not_allowed"));
}

#[test]
fn sync_another_protocol_is_400_protocol() {
    let server = demo_server();
    let (status, body) = server.post(
        "/v1/devices/register",
        None,
        &serde_json::json!({"protocol": 2, "username": "x", "password": "y", "device_id": "z", "label": "l"}),
    );
    assert_eq!((status, code(&body)), (400, "protocol"));
    let token = token_of(&server);
    let (status, body) = server.post(
        "/v1/sync/pull",
        Some(&token),
        &serde_json::json!({"protocol": 0, "cursor": 0}),
    );
    assert_eq!((status, code(&body)), (400, "protocol"));
}

#[test]
fn sync_oversized_requests_are_413_too_large() {
    let server = demo_server();
    let token = token_of(&server);
    // Too many participants to fetch in one pull.
    let fetch: Vec<String> = (0..=sync::wire::MAX_FETCH)
        .map(|n| format!("p{n}"))
        .collect();
    let (status, body) = server.post(
        "/v1/sync/pull",
        Some(&token),
        &serde_json::json!({"protocol": 1, "cursor": 0, "fetch": fetch}),
    );
    assert_eq!((status, code(&body)), (413, "too_large"));
    // A small gzip body that inflates past the limit.
    let mut big = br#"{"protocol":1,"cursor":0,"fetch":[""#.to_vec();
    big.resize(big.len() + sync::wire::MAX_BODY_BYTES + 1, b'a');
    big.extend(br#""]}"#);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&big).unwrap();
    let gzipped = encoder.finish().unwrap();
    assert!(gzipped.len() < 100_000);
    let (status, body) = server.post_bytes(
        "/v1/sync/pull",
        Some(&token),
        &gzipped,
        &[("Content-Encoding", "gzip")],
    );
    assert_eq!((status, code(&body)), (413, "too_large"));
    // The same compressed but within the limit is read.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(br#"{"protocol":0,"cursor":0}"#).unwrap();
    let (status, body) = server.post_bytes(
        "/v1/sync/pull",
        Some(&token),
        &encoder.finish().unwrap(),
        &[("Content-Encoding", "gzip")],
    );
    assert_eq!((status, code(&body)), (400, "protocol"));
    // A plain body past the limit, announced by its Content-Length.
    let response = server
        .agent()
        .post(&format!("{}/v1/sync/pull", server.url))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/json")
        .send_bytes(&big);
    match response {
        Err(ureq::Error::Status(413, response)) => {
            let body: serde_json::Value = response.into_json().unwrap();
            assert_eq!(code(&body), "too_large");
        }
        // The server answers 413 without reading the body and closes; the
        // client may see the closed connection before the answer.
        Err(ureq::Error::Transport(_)) => {}
        other => panic!("unexpected {other:?}"),
    }
    // The server still serves.
    assert_eq!(server.get("/v1/health", None).0, 200);
}

#[test]
fn sync_an_empty_push_answers_200_with_no_answers() {
    let server = demo_server();
    let token = token_of(&server);
    let (status, body) = server.post(
        "/v1/sync/push",
        Some(&token),
        &serde_json::json!({"protocol": 1, "ops": []}),
    );
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"answers": []}));
}

/// The payload of an HTTP/1.1 chunked body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 2 + size + 2..];
    }
}

#[test]
fn sync_responses_are_gzip_compressed() {
    let server = demo_server();
    let body = serde_json::json!({
        "protocol": 1,
        "username": TRAINER.0,
        "password": TRAINER.1,
        "device_id": uuid::Uuid::now_v7().to_string(),
        "label": "test laptop",
    })
    .to_string();
    // By hand, since ureq hides the encoding it undoes.
    let config = server::testing::client_config(&server.cert_pem_path);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(config, name).unwrap();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    write!(
        tls,
        "POST /v1/devices/register HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let raw = &answer[split + 4..];
    let compressed = if head.contains("transfer-encoding: chunked") {
        dechunk(raw)
    } else {
        raw.to_vec()
    };
    let mut inflated = String::new();
    let mut decoder = flate2::read::GzDecoder::new(compressed.as_slice());
    decoder.read_to_string(&mut inflated).unwrap();
    let registered: serde_json::Value = serde_json::from_str(&inflated).unwrap();
    assert_eq!(registered["staff"]["username"], TRAINER.0);
}

#[test]
fn pol_19_backup_is_encrypted_and_opens_with_the_key_only() {
    let server = demo_server();
    let out = server.dir().join("backup.db");
    let made = server.admin(&["backup", "--out", out.to_str().unwrap()], "");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    assert_ne!(&bytes[..16], b"SQLite format 3\0");
    for needle in [TRAINER.0.as_bytes(), b"example.test", b"CREATE TABLE"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} in clear",
            String::from_utf8_lossy(needle)
        );
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut copy = store::open(&out, &server.key(), true).unwrap();
    assert!(!store::seed::is_empty(&mut copy).unwrap());
    drop(copy);
    assert!(matches!(
        store::open(&out, &store::StoreKey::random(), true),
        Err(store::OpenError::WrongKey { .. })
    ));
    let again = server.admin(&["backup", "--out", out.to_str().unwrap()], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
}

#[test]
fn pol_19_init_refuses_to_overwrite_and_the_key_file_must_be_private() {
    let server = TestServer::start_with(BIN, false, &[]);
    let other_key = server.dir().join("other.key");
    let init = |data: &std::path::Path, key: &std::path::Path| {
        Command::new(BIN)
            .args([
                "init",
                "--data-dir",
                data.to_str().unwrap(),
                "--key-file",
                key.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let over_store = init(&server.data_dir, &other_key);
    assert!(!over_store.status.success());
    assert!(String::from_utf8_lossy(&over_store.stderr).contains("refusing to overwrite"));
    assert!(!other_key.exists(), "no key was made for a refused init");
    let over_key = init(&server.dir().join("data2"), &server.key_file);
    assert!(!over_key.status.success());
    assert!(!server.dir().join("data2/server.db").exists());
    // The original key still opens the original store.
    assert!(server.admin(&["list-devices"], "").status.success());

    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&server.key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let refused = server.admin(&["list-devices"], "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("chmod 600"));
    std::fs::set_permissions(&server.key_file, std::fs::Permissions::from_mode(0o600)).unwrap();

    // The key may come from the environment instead.
    let key = std::fs::read_to_string(&server.key_file).unwrap();
    let listed = Command::new(BIN)
        .args([
            "list-devices",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
        ])
        .env(server::keys::KEY_ENV, key.trim())
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
}

#[test]
fn pol_18_add_staff_reads_the_password_from_stdin_and_register_device_provisions() {
    let server = demo_server();
    let add = |password: &str| {
        server.admin(
            &[
                "add-staff",
                "--username",
                "nouvelle.formatrice",
                "--display-name",
                "Nouvelle Démo",
                "--role",
                "trainer",
            ],
            password,
        )
    };
    assert!(
        !add("court\n").status.success(),
        "a short password is refused"
    );
    let added = add("un-mot-de-passe-assez-long\n");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(
        !add("un-mot-de-passe-assez-long\n").status.success(),
        "no duplicate"
    );
    let registered = server
        .register("nouvelle.formatrice", "un-mot-de-passe-assez-long")
        .unwrap();
    assert_eq!(registered.staff.role, "trainer");

    let provisioned = server.admin(
        &[
            "register-device",
            "--username",
            "admin.lemans",
            "--label",
            "poste accueil",
        ],
        "",
    );
    assert!(provisioned.status.success());
    let stdout = String::from_utf8(provisioned.stdout).unwrap();
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .unwrap()
            .to_owned()
    };
    let (device, token) = (field("device "), field("token "));
    let (status, me) = server.get("/v1/whoami", Some(&token));
    assert_eq!(status, 200);
    assert_eq!(me["role"], "administrator");
    let listed = String::from_utf8(server.admin(&["list-devices"], "").stdout).unwrap();
    assert!(listed
        .lines()
        .any(|l| l.starts_with(&device) && l.contains("\tactive\t")));
}

#[test]
fn pol_22_the_server_log_holds_no_user_name_password_or_token() {
    let mut server = demo_server();
    let _ = server.register("SENTINEL-USER", "SENTINEL-PASSWORD");
    let _ = server.register(TRAINER.0, "SENTINEL-WRONG");
    let registered = server.register(TRAINER.0, TRAINER.1).unwrap();
    let _ = server.get("/v1/whoami", Some(&registered.token));
    let _ = server.post_bytes(
        "/v1/sync/pull",
        Some(&registered.token),
        br#"{"protocol":1,"cursor":"SENTINEL-CURSOR"}"#,
        &[],
    );
    server.kill();
    let log = server.log();
    assert!(
        log.contains("device registered"),
        "the log is written: {log}"
    );
    for needle in [
        "SENTINEL",
        TRAINER.0,
        TRAINER.1,
        registered.token.as_str(),
        registered.staff.display_name.as_str(),
    ] {
        assert!(!log.contains(needle), "{needle} in the server log");
    }
}

#[test]
fn harness_restart_keeps_the_data_and_the_port() {
    let mut server = demo_server();
    let token = token_of(&server);
    let url = server.url.clone();
    server.kill();
    assert!(!server.is_running());
    server.restart();
    assert!(server.is_running());
    assert_eq!(server.url, url);
    assert_eq!(server.get("/v1/whoami", Some(&token)).0, 200);
}

/// DC-5: the group commit, through the real binary: laptops of two trainers
/// push at once; each push is answered for itself (its own refusals only) and
/// every applied operation is in the store exactly once.
#[test]
fn dc_5_concurrent_pushes_from_several_laptops_are_each_answered_and_applied_once() {
    use domain::{Actor, DeviceId, Role, StaffId};
    use sync::wire::{Envelope, Outcome, PushRequest, PushResponse, PROTOCOL};
    let server = demo_server();
    let laptops: Vec<(String, Actor)> = [TRAINER, ("formateur.b", "demo-formateur-b")]
        .into_iter()
        .map(|(user, password)| {
            let device = uuid::Uuid::now_v7().to_string();
            let registered = server.register_device(user, password, &device).unwrap();
            let actor = Actor::new(
                StaffId(registered.staff.id.clone()),
                Role::Trainer,
                DeviceId(device),
            );
            (registered.token, actor)
        })
        .collect();
    let scopes: Vec<Vec<String>> = {
        let mut store = server.open_store();
        laptops
            .iter()
            .map(|(_, actor)| {
                sync::server::scope_of(store.connection(), actor, chrono::Utc::now()).unwrap()
            })
            .collect()
    };
    let strangers: Vec<&String> = scopes[1]
        .iter()
        .filter(|id| !scopes[0].contains(id))
        .collect();
    assert!(!scopes[0].is_empty() && !strangers.is_empty());
    let pushes_per_thread = 8;
    let results: Vec<(usize, Vec<(String, Outcome)>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|thread| {
                let (token, _) = &laptops[thread % 2];
                let mine = &scopes[thread % 2];
                let stranger = strangers[0];
                let server = &server;
                scope.spawn(move || {
                    let mut seen = Vec::new();
                    for push in 0..pushes_per_thread {
                        let mut ops: Vec<Envelope> = mine
                            .iter()
                            .take(3)
                            .enumerate()
                            .map(|(i, person)| Envelope {
                                id: domain::new_id(),
                                at: chrono::Utc::now(),
                                op: sync::Operation::AddObjective(sync::ops::AddObjective {
                                    participant_id: domain::ParticipantId(person.clone()),
                                    body: format!("objectif concurrent {thread}-{push}-{i}"),
                                }),
                            })
                            .collect();
                        if thread % 2 == 0 {
                            // Trainer A about one of B's participants: refused.
                            ops.push(Envelope {
                                id: domain::new_id(),
                                at: chrono::Utc::now(),
                                op: sync::Operation::AddObjective(sync::ops::AddObjective {
                                    participant_id: domain::ParticipantId(stranger.clone()),
                                    body: format!("hors périmètre {thread}-{push}"),
                                }),
                            });
                        }
                        let request = PushRequest {
                            protocol: PROTOCOL,
                            ops: ops.clone(),
                        };
                        let (status, body) = server.post("/v1/sync/push", Some(token), &request);
                        assert_eq!(status, 200, "{body}");
                        let answer: PushResponse = serde_json::from_value(body).unwrap();
                        assert_eq!(answer.answers.len(), ops.len());
                        for (envelope, answered) in ops.iter().zip(answer.answers) {
                            assert_eq!(answered.id, envelope.id, "answers in push order");
                            let sync::Operation::AddObjective(sync::ops::AddObjective {
                                body, ..
                            }) = &envelope.op
                            else {
                                unreachable!()
                            };
                            seen.push((body.clone(), answered.outcome));
                        }
                    }
                    (thread, seen)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut store = server.open_store();
    let mut applied = 0;
    for (_, seen) in &results {
        for (body, outcome) in seen {
            let rows: i64 = store::schema::objectives::table
                .filter(store::schema::objectives::body.eq(body))
                .count()
                .get_result(store.connection())
                .unwrap();
            if body.starts_with("hors périmètre") {
                assert!(
                    matches!(outcome, Outcome::Refused { code, .. } if code == "not_permitted"),
                    "{outcome:?}"
                );
                assert_eq!(rows, 0, "a refused operation leaves nothing");
            } else {
                assert_eq!(outcome, &Outcome::Applied, "{body}");
                assert_eq!(rows, 1, "applied exactly once: {body}");
                applied += 1;
            }
        }
    }
    assert_eq!(applied, 4 * pushes_per_thread * 3);
}
