//! The website's client for the signed intake, shared by the intake's and
//! the statistics' tests: a demo server whose intake accepts given secrets,
//! and deliveries signed as the website signs them (Standard Webhooks).
#![allow(dead_code)]

use chrono::Utc;
use serde_json::Value;
use server::intake::secrets::new_secret;
use server::intake::signature::sign;
use server::testing::TestServer;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");

/// A demo server whose intake accepts `secrets`, and the website's client.
pub struct Site {
    pub server: TestServer,
    pub secret: String,
    _dir: tempfile::TempDir,
}

/// An answer: status, the `idempotent-replayed` header, the raw body.
pub struct Answer {
    pub status: u16,
    pub replayed: bool,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}

pub fn secrets_config(secrets: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("intake-secrets");
    let mut text = "# the website's secrets, newest last\n".to_owned();
    for secret in secrets {
        text.push_str(secret);
        text.push('\n');
    }
    std::fs::write(&file, text).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = dir.path().join("server.toml");
    std::fs::write(&config, format!("[intake]\nsecrets_file = {file:?}\n")).unwrap();
    (dir, config)
}

impl Site {
    pub fn start() -> Site {
        let secret = new_secret().to_string();
        Site::with_secrets(secret.clone(), &[&secret])
    }

    pub fn with_secrets(secret: String, secrets: &[&str]) -> Site {
        let (dir, config) = secrets_config(secrets);
        let server = TestServer::start_with(BIN, true, &["--config", config.to_str().unwrap()]);
        Site {
            server,
            secret,
            _dir: dir,
        }
    }

    /// Posts `body` as the delivery `id`, signed now with `secret`.
    pub fn send_as(&self, secret: &str, id: &str, body: &[u8], offset_secs: i64) -> Answer {
        let timestamp = Utc::now().timestamp() + offset_secs;
        let signature = sign(secret, id, timestamp, body).unwrap();
        self.raw(
            body,
            &[
                ("webhook-id", id),
                ("webhook-timestamp", &timestamp.to_string()),
                ("webhook-signature", &signature),
                ("Content-Type", "application/json"),
            ],
        )
    }

    pub fn send(&self, id: &str, event: &Value) -> Answer {
        self.send_as(&self.secret, id, event.to_string().as_bytes(), 0)
    }

    pub fn raw(&self, body: &[u8], headers: &[(&str, &str)]) -> Answer {
        let mut request =
            self.server
                .agent()
                .post(&format!("{}{}", self.server.url, server::intake::PATH));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let response = match request.send_bytes(body) {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(error) => panic!("transport error: {error}"),
        };
        Answer {
            status: response.status(),
            replayed: response.header("idempotent-replayed") == Some("true"),
            text: response.into_string().unwrap(),
        }
    }
}
