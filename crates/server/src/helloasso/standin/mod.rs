//! A loopback HelloAsso (cargo feature `testing`; tests and benches only):
//! a real HTTPS server on `127.0.0.1` speaking the part of HelloAsso's API
//! v5 this server calls, with payloads shaped as in HelloAsso's OpenAPI
//! file (the templates are the fixtures of
//! `crates/server/tests/fixtures/helloasso/`; ids, amounts, dates, states
//! and payers are filled in):
//!
//! - `POST /oauth2/token` (form: `grant_type=client_credentials`,
//!   `client_id`, `client_secret`, checked) answers a bearer token;
//! - `GET /v5/payments/{id}`, `GET /v5/orders/{id}`,
//!   `GET /v5/organizations/{slug}/checkout-intents/{id}` and
//!   `GET /v5/organizations/{slug}/payments?from&to&states&pageSize&pageIndex&continuationToken`
//!   need that token (401 otherwise), answer 404 for an unknown id, and the
//!   list pages (newest first, at most [`MAX_PAGE`] a page, a
//!   `continuationToken` on every page, as HelloAsso's do).
//!
//! The test controls the payments (a checkout, a state change such as a
//! refund), can expire every token, counts the calls, and posts
//! notifications to the server with or without a valid `x-ha-signature`.
//! Its certificate (`ca_file`) is self-signed for the loopback names: the
//! server under test trusts it through `[helloasso] ca_file`.

mod api;

use crate::testing::TestServer;
use api::{
    lock, template, OrderRec, PaymentRec, Shared, World, NOTIFICATION_ORDER, NOTIFICATION_PAYMENT,
};
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most payments the stand-in puts on one page, whatever `pageSize`
/// asks (a server may answer less than asked: the client must follow the
/// continuation).
pub const MAX_PAGE: usize = 10;

/// A fictional payer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payer {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

impl Payer {
    /// `{local}@exemple.test`, named Camille Exemple-Fictif.
    pub fn fictional(local: &str) -> Payer {
        Payer {
            email: format!("{local}@exemple.test"),
            first_name: "Camille".into(),
            last_name: "Exemple-Fictif".into(),
        }
    }
}

/// The ids of a checkout made at the stand-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkout {
    /// `None` for a payment on one of the association's own forms.
    pub checkout_intent_id: Option<i64>,
    pub order_id: i64,
    pub payment_id: i64,
}

/// Calls the stand-in answered, by endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    pub token: usize,
    pub payment: usize,
    pub order: usize,
    pub checkout_intent: usize,
    pub list: usize,
    /// Refused for a missing, unknown or expired bearer token.
    pub unauthorized: usize,
}

/// A request held by [`StandIn::hold`].
pub struct Hold {
    pub started: std::sync::mpsc::Receiver<()>,
    gate: Arc<tokio::sync::Semaphore>,
}

impl Hold {
    /// Lets the held request be answered.
    pub fn release(&self) {
        self.gate.add_permits(1);
    }
}

/// A running stand-in; dropping it stops the server.
pub struct StandIn {
    /// `https://127.0.0.1:PORT`: the server's `api_url` and `oauth_url`.
    pub url: String,
    /// The stand-in's certificate (PEM): the server's `ca_file`.
    pub ca_file: PathBuf,
    pub client_id: String,
    pub client_secret: String,
    pub organization_slug: String,
    world: Shared,
    runtime: Option<tokio::runtime::Runtime>,
    _dir: tempfile::TempDir,
}

impl StandIn {
    /// Starts a stand-in on a free loopback port, with a new client secret.
    /// Panics on any set-up failure: test code only.
    pub fn start() -> StandIn {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let generated = crate::tls::write_self_signed(&dir.path().join("tls"), &[])
            .expect("a certificate for the stand-in");
        let tls = crate::Tls::from_pem_files(&generated.cert_path, &generated.key_path)
            .expect("the stand-in's TLS configuration");
        let world: Shared = Arc::new(Mutex::new(World {
            client_id: "moniravique-test-client".into(),
            client_secret: hex::encode(rand::random::<[u8; 16]>()),
            slug: "moniravique-exemple".into(),
            tokens: HashSet::new(),
            payments: BTreeMap::new(),
            orders: BTreeMap::new(),
            intents: BTreeMap::new(),
            next_id: 52_001,
            calls: Calls::default(),
            intents_forbidden: false,
            hold: None,
        }));
        let app = api::router(Arc::clone(&world));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking socket");
        let port = listener.local_addr().expect("the bound address").port();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the stand-in");
        let config = tls.rustls_config();
        runtime.spawn(async move {
            let server = axum_server::from_tcp_rustls(listener, config).expect("listen");
            let _ = server.serve(app.into_make_service()).await;
        });
        let (client_id, client_secret, organization_slug) = {
            let guard = lock(&world);
            (
                guard.client_id.clone(),
                guard.client_secret.clone(),
                guard.slug.clone(),
            )
        };
        StandIn {
            url: format!("https://127.0.0.1:{port}"),
            ca_file: generated.cert_path,
            client_id,
            client_secret,
            organization_slug,
            world,
            runtime: Some(runtime),
            _dir: dir,
        }
    }

    /// A `[helloasso]` table pointing the server at this stand-in.
    pub fn config_table(&self, poll_minutes: u64) -> String {
        format!(
            "[helloasso]\napi_url = \"{url}\"\noauth_url = \"{url}\"\norganization_slug = \"{slug}\"\n\
             client_id = \"{id}\"\npoll_minutes = {poll_minutes}\nca_file = \"{ca}\"\n",
            url = self.url,
            slug = self.organization_slug,
            id = self.client_id,
            ca = self.ca_file.display()
        )
    }

    /// A checkout paid by `payer` now (one order, one `Authorized`
    /// payment); its intent's metadata names `enrolment_id` if given.
    pub fn checkout(
        &self,
        enrolment_id: Option<&str>,
        payer: &Payer,
        amount_cents: i64,
    ) -> Checkout {
        let metadata = enrolment_id.map(|id| json!({ "enrolment_id": id }));
        self.paid(Some(metadata), ("Checkout", "default"), payer, amount_cents)
    }

    /// A payment made now on one of the association's own forms (no
    /// checkout intent): `form_type` as HelloAsso's `Enums.FormType`
    /// (`Donation`, `Membership`, `Event`...), `form_slug` its slug.
    pub fn form_payment(
        &self,
        form_type: &str,
        form_slug: &str,
        payer: &Payer,
        amount_cents: i64,
    ) -> Checkout {
        self.paid(None, (form_type, form_slug), payer, amount_cents)
    }

    /// An order with one `Authorized` payment; a checkout intent with
    /// `intent` as its metadata if `Some`.
    fn paid(
        &self,
        intent: Option<Option<Value>>,
        (form_type, form_slug): (&str, &str),
        payer: &Payer,
        amount_cents: i64,
    ) -> Checkout {
        let mut world = lock(&self.world);
        let now = Utc::now();
        let intent_id = world.next_id;
        let order_id = intent_id + 1;
        let payment_id = intent_id + 2;
        world.next_id += 3;
        let intent = intent.map(|metadata| {
            world.intents.insert(intent_id, metadata);
            intent_id
        });
        world.orders.insert(
            order_id,
            OrderRec {
                intent,
                form: (form_type.to_owned(), form_slug.to_owned()),
                payer: payer.clone(),
                payments: vec![payment_id],
                date: now,
            },
        );
        world.payments.insert(
            payment_id,
            PaymentRec {
                order_id,
                amount: amount_cents,
                state: "Authorized".into(),
                date: now,
                updated: now,
            },
        );
        Checkout {
            checkout_intent_id: intent,
            order_id,
            payment_id,
        }
    }

    /// HelloAsso changes a payment's state (`Refunded`, `Refused`, ...).
    pub fn set_state(&self, payment_id: i64, state: &str) {
        let mut world = lock(&self.world);
        let payment = world
            .payments
            .get_mut(&payment_id)
            .expect("a known payment");
        payment.state = state.to_owned();
        payment.updated = Utc::now();
    }

    /// The next payment or list request is held, unanswered, until
    /// [`Hold::release`]; [`Hold::started`] receives once it arrived.
    pub fn hold(&self) -> Hold {
        let (sender, started) = std::sync::mpsc::channel();
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        lock(&self.world).hold = Some((sender, Arc::clone(&gate)));
        Hold { started, gate }
    }

    /// Checkout intents answer 403 from now on, as to an API client without
    /// HelloAsso's `Checkout` privilege.
    pub fn forbid_checkout_intents(&self) {
        lock(&self.world).intents_forbidden = true;
    }

    /// Every token issued so far stops working (401 at the next call).
    pub fn expire_tokens(&self) {
        lock(&self.world).tokens.clear();
    }

    pub fn calls(&self) -> Calls {
        lock(&self.world).calls
    }

    /// Waits until `done(calls)` (at most `timeout`); whether it happened.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&Calls) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if done(&self.calls()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        done(&self.calls())
    }

    /// The notification HelloAsso would send now about a payment or an
    /// order of this stand-in (`eventType` `Payment` or `Order`, `data` as
    /// the API shows it, `metadata` of its checkout intent); for an id the
    /// stand-in does not know, the fixture's notification with that id.
    pub fn notification(&self, event_type: &str, id: i64) -> Value {
        let world = lock(&self.world);
        let (data, order_id) = match event_type {
            "Payment" => (
                world.payment_json(id),
                world.payments.get(&id).map(|p| p.order_id),
            ),
            _ => (world.order_json(id), Some(id)),
        };
        let metadata = order_id
            .and_then(|o| world.orders.get(&o))
            .and_then(|order| order.intent)
            .and_then(|intent| world.intents.get(&intent).cloned().flatten());
        let mut body = template(if event_type == "Payment" {
            NOTIFICATION_PAYMENT
        } else {
            NOTIFICATION_ORDER
        });
        match data {
            Some(data) => {
                body["data"] = data;
                body["metadata"] = metadata.unwrap_or(Value::Null);
            }
            None => body["data"]["id"] = json!(id),
        }
        body
    }

    /// POSTs `body` to the server's notification endpoint, signed with
    /// `key` if given.
    pub fn notify(&self, server: &TestServer, body: &[u8], key: Option<&[u8]>) -> (u16, Value) {
        let signature = key.map(|key| super::notify::signature(key, body));
        self.notify_with_header(server, body, signature.as_deref())
    }

    /// POSTs `body` with `x-ha-signature: header` if given (any text).
    pub fn notify_with_header(
        &self,
        server: &TestServer,
        body: &[u8],
        header: Option<&str>,
    ) -> (u16, Value) {
        let headers: Vec<(&str, &str)> = header
            .map(|h| vec![(super::notify::SIGNATURE_HEADER, h)])
            .unwrap_or_default();
        server.post_bytes(super::notify::PATH, None, body, &headers)
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
