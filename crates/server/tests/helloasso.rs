//! Issue 15, item 2: the server takes payments from HelloAsso (POL-6,
//! POL-10, POL-14, POL-22). The real `moniravique-server` binary on
//! loopback TLS, configured with `[helloasso]` and its credentials, against
//! the stand-in (`server::helloasso::standin`): a loopback HTTPS server
//! speaking HelloAsso's documented API with payloads shaped as in its
//! OpenAPI file. Nothing here reaches the internet.

use chrono::Utc;
use diesel::prelude::*;
use domain::enrolment::PaymentStatus;
use domain::intake::{Channel, Registration};
use domain::{Actor, DeviceId, ErrorCode, Role, StaffId};
use server::helloasso::standin::{Payer, StandIn};
use server::helloasso::{CLIENT_SECRET_CREDENTIAL, SIGNATURE_KEY_CREDENTIAL};
use server::testing::TestServer;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use store::enrolment::Placement;
use store::payments::PaymentRow;
use store::{Store, StoreError};

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");
const ADMIN: (&str, &str) = ("admin.lemans", "demo-admin-lemans");
const SIGNATURE_KEY: &str = "AyCM0yTeQd8In2OzdP3R2HGTrYiCA818UCFLhrD9BCnNhTriWLipxEDpsaTbdfec";

/// A server taking HelloAsso's payments from a stand-in.
struct Rig {
    standin: StandIn,
    server: TestServer,
    signed: bool,
    config: String,
    _credentials: tempfile::TempDir,
}

fn write_private(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400)).unwrap();
}

/// Starts the stand-in (with what `before` puts in it), then the server
/// with `[helloasso]` pointing at it, the client secret (and the signature
/// key if `signed`) as systemd credentials, and waits for the first
/// reconciliation pass `serve` makes at start.
fn rig_with(signed: bool, before: impl FnOnce(&StandIn)) -> Rig {
    let standin = StandIn::start();
    before(&standin);
    let credentials = tempfile::tempdir().unwrap();
    std::fs::set_permissions(credentials.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    write_private(
        &credentials.path().join(CLIENT_SECRET_CREDENTIAL),
        &format!("{}\n", standin.client_secret),
    );
    if signed {
        write_private(
            &credentials.path().join(SIGNATURE_KEY_CREDENTIAL),
            SIGNATURE_KEY,
        );
    }
    let config = credentials.path().join("server.toml");
    std::fs::write(&config, standin.config_table(1440)).unwrap();
    let server = TestServer::start_with_env(
        BIN,
        true,
        &["--config", config.to_str().unwrap()],
        &[(
            "CREDENTIALS_DIRECTORY",
            credentials.path().to_str().unwrap(),
        )],
    );
    assert!(
        standin.wait_for(Duration::from_secs(60), |calls| calls.list >= 1),
        "serve reconciles at start: {}",
        server.log()
    );
    // The pass ends with its cursor; let it finish before the test acts.
    wait_until(|| cursor_of(&server).is_some());
    Rig {
        standin,
        server,
        signed,
        config: config.to_str().unwrap().to_owned(),
        _credentials: credentials,
    }
}

fn rig(signed: bool) -> Rig {
    rig_with(signed, |_| {})
}

fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("waited 30 s in vain");
}

fn cursor_of(server: &TestServer) -> Option<String> {
    store::open::meta(
        &mut server.open_store(),
        server::helloasso::reconcile::CURSOR_KEY,
    )
    .unwrap()
}

fn admin(store: &mut Store) -> Actor {
    use store::schema::staff;
    let id: String = staff::table
        .filter(staff::username.eq(ADMIN.0))
        .select(staff::id)
        .first(store.connection())
        .unwrap();
    Actor::new(
        StaffId(id),
        Role::Administrator,
        DeviceId(store.device().as_str().to_owned()),
    )
}

/// A family registered by the office for the programme of a demo group:
/// (enrolment, group).
fn register(server: &TestServer, email: &str) -> (String, String) {
    use store::schema::workshop_groups;
    let mut store = server.open_store();
    let actor = admin(&mut store);
    let (group, programme): (String, String) = workshop_groups::table
        .select((workshop_groups::id, workshop_groups::programme_id))
        .order(workshop_groups::name)
        .first(store.connection())
        .unwrap();
    let registration = Registration {
        given_name: "Dominique".into(),
        family_name: "Exemple-Fictif".into(),
        email: email.into(),
        phone: None,
        children_count: Some(1),
        age_brackets: vec![],
        programme_id: Some(programme),
        preferred_slots: vec![],
        consents: vec![],
        policy_version: None,
        certified_16_plus_at: Some(Utc::now()),
        channel: Channel::Phone,
    };
    let registered =
        store::registration::register(store.connection(), &actor, &registration, Utc::now())
            .unwrap();
    (registered.enrolment_id.unwrap(), group)
}

fn payments(server: &TestServer, enrolment: &str) -> Vec<PaymentRow> {
    let mut store = server.open_store();
    let actor = admin(&mut store);
    store::payments::list(store.connection(), &actor, enrolment, Utc::now()).unwrap()
}

/// The office confirms the place (POL-10: the payment gate).
fn confirm(server: &TestServer, enrolment: &str, group: &str) -> Result<Placement, StoreError> {
    let mut store = server.open_store();
    let actor = admin(&mut store);
    store::enrolment::confirm_place(
        store.connection(),
        &actor,
        enrolment,
        group,
        None,
        Utc::now(),
    )
}

fn gate_closed(result: Result<Placement, StoreError>) {
    match result {
        Err(StoreError::Refused { code, .. }) => assert_eq!(code, ErrorCode::PaymentRequired),
        other => panic!("the gate should be closed: {other:?}"),
    }
}

/// Rows of `payments` and `payments_unmatched` for one HelloAsso payment.
fn rows_for(server: &TestServer, payment_id: i64) -> (i64, i64) {
    use store::schema::{payments, payments_unmatched};
    let mut store = server.open_store();
    let reference = payment_id.to_string();
    let matched = payments::table
        .filter(payments::processor_ref.eq(&reference))
        .count()
        .get_result(store.connection())
        .unwrap();
    let unmatched = payments_unmatched::table
        .filter(payments_unmatched::processor_ref.eq(&reference))
        .count()
        .get_result(store.connection())
        .unwrap();
    (matched, unmatched)
}

impl Rig {
    fn key(&self) -> Option<&[u8]> {
        self.signed.then_some(SIGNATURE_KEY.as_bytes())
    }

    fn notify(&self, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let bytes = serde_json::to_vec(body).unwrap();
        self.standin.notify(&self.server, &bytes, self.key())
    }

    /// `moniravique-server helloasso-reconcile`, the operator's one pass.
    fn reconcile(&self) -> std::process::Output {
        self.server
            .admin(&["helloasso-reconcile", "--config", &self.config], "")
    }

    fn notify_payment(&self, id: i64) -> (u16, serde_json::Value) {
        self.notify(&self.standin.notification("Payment", id))
    }
}

#[test]
fn pol_6_pol_10_a_payment_notification_for_a_checkout_records_a_confirmed_payment_and_the_office_confirms_the_place(
) {
    let rig = rig(false);
    let (enrolment, group) = register(&rig.server, "famille.a@exemple.test");
    gate_closed(confirm(&rig.server, &enrolment, &group));
    // Another address pays: the checkout's metadata, not the e-mail, matches.
    let paid = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("autre.payeur"), 12000);
    let (status, body) = rig.notify_payment(paid.payment_id);
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("recorded")),
        "{body}"
    );
    assert_eq!(body["matched"], 1, "{body}");
    assert!(
        rig.standin.calls().checkout_intent >= 1,
        "the metadata comes from the API's checkout intent"
    );
    let rows = payments(&rig.server, &enrolment);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].status, PaymentStatus::Confirmed);
    assert!(!rows[0].manual);
    assert!(rows[0].paid_at.is_some());
    assert!(confirm(&rig.server, &enrolment, &group).is_ok());
}

#[test]
fn pol_6_an_order_notification_records_the_orders_payments() {
    let rig = rig(false);
    let (enrolment, group) = register(&rig.server, "famille.b@exemple.test");
    let paid = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("famille.b"), 9000);
    let (status, body) = rig.notify(&rig.standin.notification("Order", paid.order_id));
    assert_eq!((status, body["matched"].as_u64()), (200, Some(1)), "{body}");
    assert!(
        rig.standin.calls().order >= 1,
        "the order was fetched again"
    );
    assert_eq!(rows_for(&rig.server, paid.payment_id), (1, 0));
    assert_eq!(
        payments(&rig.server, &enrolment)[0].status,
        PaymentStatus::Confirmed
    );
    assert!(confirm(&rig.server, &enrolment, &group).is_ok());
}

#[test]
fn pol_6_a_duplicated_notification_is_applied_once() {
    let rig = rig(false);
    let (enrolment, _) = register(&rig.server, "famille.c@exemple.test");
    let paid = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("famille.c"), 12000);
    let first = rig.notify_payment(paid.payment_id);
    let before = (
        payments(&rig.server, &enrolment),
        stamp(&rig.server, paid.payment_id),
    );
    let second = rig.notify_payment(paid.payment_id);
    let order = rig.notify(&rig.standin.notification("Order", paid.order_id));
    assert_eq!((first.0, second.0, order.0), (200, 200, 200));
    let after = (
        payments(&rig.server, &enrolment),
        stamp(&rig.server, paid.payment_id),
    );
    assert_eq!(after, before, "the same row, not even stamped again");
    assert_eq!(after.0.len(), 1);
    assert_eq!(after.0[0].status, PaymentStatus::Confirmed);
    assert_eq!(rows_for(&rig.server, paid.payment_id), (1, 0));
}

/// When and from where the payment row of a HelloAsso payment last changed.
fn stamp(server: &TestServer, payment_id: i64) -> (chrono::NaiveDateTime, String) {
    use store::schema::payments;
    payments::table
        .filter(payments::processor_ref.eq(payment_id.to_string()))
        .select((payments::updated_at, payments::updated_device))
        .first(server.open_store().connection())
        .unwrap()
}

#[test]
fn pol_10_a_notification_whose_refetch_disagrees_is_not_trusted() {
    let rig = rig(false);
    let (enrolment, group) = register(&rig.server, "famille.d@exemple.test");
    let refused = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("famille.d"), 12000);
    let mut body = rig.standin.notification("Payment", refused.payment_id);
    rig.standin.set_state(refused.payment_id, "Refused");
    // The body still says Authorized (and a larger amount): only the API counts.
    assert_eq!(body["data"]["state"], "Authorized");
    body["data"]["amount"] = serde_json::json!(99999);
    let (status, answer) = rig.notify(&body);
    assert_eq!(status, 200, "{answer}");
    for row in payments(&rig.server, &enrolment) {
        assert_ne!(row.status, PaymentStatus::Confirmed, "{row:?}");
    }
    gate_closed(confirm(&rig.server, &enrolment, &group));

    // An id HelloAsso does not know: nothing recorded.
    let unknown = rig.standin.notification("Payment", 987_654);
    let (status, answer) = rig.notify(&unknown);
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("unknown")),
        "{answer}"
    );
    assert_eq!(rows_for(&rig.server, 987_654), (0, 0));
    let unknown_order = rig.standin.notification("Order", 876_543);
    assert_eq!(rig.notify(&unknown_order).1["status"], "unknown");
    gate_closed(confirm(&rig.server, &enrolment, &group));

    // A body naming another payer (and no metadata) is matched by the API's
    // payer, not the body's: here nobody, so it waits for the office.
    let (other, _) = register(&rig.server, "famille.d2@exemple.test");
    let stranger = rig
        .standin
        .checkout(None, &Payer::fictional("inconnu.d"), 5000);
    let mut body = rig.standin.notification("Payment", stranger.payment_id);
    body["data"]["payer"]["email"] = serde_json::json!("famille.d2@exemple.test");
    assert_eq!(rig.notify(&body).0, 200);
    assert!(payments(&rig.server, &other).is_empty());
    assert_eq!(rows_for(&rig.server, stranger.payment_id), (0, 1));

    // Unsigned metadata naming a registration is not believed either: the
    // checkout intent at HelloAsso names none, so the payment waits.
    let forged = rig
        .standin
        .checkout(None, &Payer::fictional("inconnu.d3"), 5000);
    let mut body = rig.standin.notification("Payment", forged.payment_id);
    body["metadata"] = serde_json::json!({ "enrolment_id": other });
    assert_eq!(rig.notify(&body).0, 200);
    assert!(payments(&rig.server, &other).is_empty());
    assert_eq!(rows_for(&rig.server, forged.payment_id), (0, 1));
}

#[test]
fn pol_6_with_a_signature_key_a_wrong_or_missing_x_ha_signature_changes_nothing() {
    let rig = rig(true);
    let (enrolment, group) = register(&rig.server, "famille.e@exemple.test");
    let paid = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("famille.e"), 12000);
    let body = serde_json::to_vec(&rig.standin.notification("Payment", paid.payment_id)).unwrap();
    let calls = rig.standin.calls();
    let good = server::helloasso::notify::signature(SIGNATURE_KEY.as_bytes(), &body);
    let other_key = server::helloasso::notify::signature(b"another key", &body);
    let mut tampered = body.clone();
    tampered.push(b' ');
    let cases: [(&[u8], Option<&str>); 4] = [
        (&body, None),
        (&body, Some("00")),
        (&body, Some(&other_key)),
        (&tampered, Some(&good)),
    ];
    for (bytes, header) in cases {
        let (status, answer) = rig.standin.notify_with_header(&rig.server, bytes, header);
        assert_eq!(
            (status, answer["code"].as_str()),
            (401, Some("bad_signature"))
        );
    }
    assert_eq!(rig.standin.calls(), calls, "nothing was fetched");
    assert_eq!(rows_for(&rig.server, paid.payment_id), (0, 0));
    gate_closed(confirm(&rig.server, &enrolment, &group));
    // Signed with the key: taken.
    let (status, _) = rig
        .standin
        .notify_with_header(&rig.server, &body, Some(&good));
    assert_eq!(status, 200);
    assert_eq!(
        payments(&rig.server, &enrolment)[0].status,
        PaymentStatus::Confirmed
    );

    // A client without the Checkout privilege cannot read the intent's
    // metadata: a signed notification's metadata is used then.
    rig.standin.forbid_checkout_intents();
    let (second, _) = register(&rig.server, "famille.e2@exemple.test");
    let paid = rig
        .standin
        .checkout(Some(&second), &Payer::fictional("autre.e2"), 8000);
    let (status, body) = rig.notify_payment(paid.payment_id);
    assert_eq!((status, body["matched"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(
        payments(&rig.server, &second)[0].status,
        PaymentStatus::Confirmed
    );
}

#[test]
fn pol_6_pol_10_a_refund_at_helloasso_turns_the_payment_refunded_and_closes_the_gate() {
    let rig = rig(false);
    let (enrolment, group) = register(&rig.server, "famille.f@exemple.test");
    let paid = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("famille.f"), 12000);
    assert_eq!(rig.notify_payment(paid.payment_id).0, 200);
    assert_eq!(
        payments(&rig.server, &enrolment)[0].status,
        PaymentStatus::Confirmed
    );
    rig.standin.set_state(paid.payment_id, "Refunded");
    let (status, body) = rig.notify_payment(paid.payment_id);
    assert_eq!(status, 200, "{body}");
    let rows = payments(&rig.server, &enrolment);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, PaymentStatus::Refunded);
    assert!(rows[0].refunded_at.is_some());
    gate_closed(confirm(&rig.server, &enrolment, &group));
}

#[test]
fn pol_6_the_reconciliation_poll_finds_payments_whose_notification_was_lost() {
    let rig = rig(false);
    let (enrolment, group) = register(&rig.server, "famille.g@exemple.test");
    let lost = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("famille.g"), 12000);
    // More than a page of others (the stand-in pages by 10), none notified.
    let others: Vec<i64> = (0..23)
        .map(|n| {
            rig.standin
                .checkout(None, &Payer::fictional(&format!("autre.{n}")), 1000 + n)
                .payment_id
        })
        .collect();
    // A donation to the association is none of this server's business.
    let gift = rig
        .standin
        .form_payment("Donation", "dons", &Payer::fictional("donatrice.g"), 5000);
    gate_closed(confirm(&rig.server, &enrolment, &group));
    let output = rig.reconcile();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "listed 25, matched 1, unmatched 23, skipped 1"
    );
    assert_eq!(
        payments(&rig.server, &enrolment)[0].status,
        PaymentStatus::Confirmed
    );
    assert!(confirm(&rig.server, &enrolment, &group).is_ok());
    for id in &others {
        assert_eq!(rows_for(&rig.server, *id), (0, 1));
    }
    assert_eq!(rows_for(&rig.server, gift.payment_id), (0, 0));
    // A second pass records nothing twice.
    let again = rig.reconcile();
    assert!(again.status.success());
    assert_eq!(rows_for(&rig.server, lost.payment_id), (1, 0));
    for id in &others {
        assert_eq!(rows_for(&rig.server, *id), (0, 1));
    }
}

#[test]
fn pol_6_serve_reconciles_at_start_a_payment_made_while_it_was_down() {
    let mut made = None;
    let rig = rig_with(false, |standin| {
        made = Some(standin.checkout(None, &Payer::fictional("pendant.panne"), 4000));
    });
    // No notification: the pass at start recorded it (for the office).
    let made = made.unwrap();
    wait_until(|| rows_for(&rig.server, made.payment_id) == (0, 1));
}

#[test]
fn pol_6_a_payment_of_an_unknown_payer_waits_for_the_office_and_reaches_the_administrators_laptop()
{
    let rig = rig(false);
    let stranger = rig
        .standin
        .checkout(None, &Payer::fictional("payeur.inconnu"), 7000);
    let (status, body) = rig.notify_payment(stranger.payment_id);
    assert_eq!(
        (status, body["unmatched"].as_u64()),
        (200, Some(1)),
        "{body}"
    );
    let mut store = rig.server.open_store();
    let actor = admin(&mut store);
    let waiting = store::payments::unmatched(store.connection(), &actor, Utc::now()).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].payer_email, "payeur.inconnu@exemple.test");
    assert_eq!(waiting[0].payer_name, "Camille Exemple-Fictif");
    assert_eq!(waiting[0].status, PaymentStatus::Confirmed);

    // The administrator's laptop syncs and shows the same list.
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, laptop_actor) =
        rig.server
            .synced_laptop(dir.path(), ADMIN.0, ADMIN.1, Role::Administrator);
    let on_laptop =
        store::payments::unmatched(laptop.connection(), &laptop_actor, Utc::now()).unwrap();
    assert_eq!(on_laptop.len(), 1);
    assert_eq!(on_laptop[0].unmatched_id, waiting[0].unmatched_id);
    assert_eq!(on_laptop[0].payer_email, "payeur.inconnu@exemple.test");
}

#[test]
fn pol_14_the_token_is_kept_and_fetched_again_when_helloasso_refuses_it() {
    let rig = rig(false);
    let first = rig
        .standin
        .checkout(None, &Payer::fictional("jeton.a"), 1000);
    let second = rig
        .standin
        .checkout(None, &Payer::fictional("jeton.b"), 1000);
    assert_eq!(rig.notify_payment(first.payment_id).0, 200);
    assert_eq!(rig.notify_payment(second.payment_id).0, 200);
    assert_eq!(
        rig.standin.calls().token,
        1,
        "one token for the start pass and both"
    );
    rig.standin.expire_tokens();
    let (status, body) = rig.notify_payment(first.payment_id);
    assert_eq!(status, 200, "{body}");
    let calls = rig.standin.calls();
    assert_eq!((calls.token, calls.unauthorized), (2, 1));
}

#[test]
fn pol_6_other_events_and_forms_are_ignored_and_bad_bodies_refused() {
    let rig = rig(false);
    let calls = rig.standin.calls();
    let form = serde_json::json!({"eventType": "Form", "data": {"id": 1}});
    assert_eq!(
        rig.notify(&form),
        (200, serde_json::json!({"status": "ignored"}))
    );
    let (status, body) = rig.standin.notify(&rig.server, b"{not json", None);
    assert_eq!((status, body["code"].as_str()), (400, Some("malformed")));
    let big = vec![b' '; server::helloasso::notify::MAX_NOTIFICATION_BYTES + 1];
    let (status, body) = rig.standin.notify(&rig.server, &big, None);
    assert_eq!((status, body["code"].as_str()), (413, Some("too_large")));
    assert_eq!(rig.standin.calls(), calls);

    // A membership paid on the association's own form: fetched, not kept.
    let membership = rig.standin.form_payment(
        "Membership",
        "adhesion-2027",
        &Payer::fictional("adherente"),
        2000,
    );
    let (status, body) = rig.notify_payment(membership.payment_id);
    assert_eq!((status, body["skipped"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(rows_for(&rig.server, membership.payment_id), (0, 0));
}

#[test]
fn pol_22_the_log_names_payment_ids_and_codes_only() {
    let rig = rig(true);
    let (enrolment, _) = register(&rig.server, "famille.h@exemple.test");
    let paid = rig
        .standin
        .checkout(Some(&enrolment), &Payer::fictional("journal.payeur"), 13579);
    let stranger = rig
        .standin
        .checkout(None, &Payer::fictional("journal.inconnu"), 24680);
    assert_eq!(rig.notify_payment(paid.payment_id).0, 200);
    assert_eq!(rig.notify_payment(stranger.payment_id).0, 200);
    rig.reconcile();
    let log = rig.server.log();
    assert!(
        log.contains(&paid.payment_id.to_string()),
        "ids are logged: {log}"
    );
    for secret in [
        "journal.payeur",
        "journal.inconnu",
        "exemple.test",
        "Camille",
        "Exemple-Fictif",
        "=13579",
        ":13579",
        " 13579",
        "=24680",
        " 24680",
        &rig.standin.client_secret,
        SIGNATURE_KEY,
    ] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

#[test]
fn pol_6_the_store_lock_is_not_held_while_helloasso_answers() {
    let standin = StandIn::start();
    let credentials = tempfile::tempdir().unwrap();
    std::fs::set_permissions(credentials.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    write_private(
        &credentials.path().join(CLIENT_SECRET_CREDENTIAL),
        &standin.client_secret,
    );
    let config = server::config::Config::parse(&standin.config_table(10), "server.toml").unwrap();
    let helloasso = server::helloasso::HelloAsso::new(&config.helloasso, Some(credentials.path()))
        .unwrap()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(
        &dir.path().join("server.db"),
        &store::StoreKey::random(),
        true,
    )
    .unwrap();
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let paid = standin.checkout(None, &Payer::fictional("verrou"), 3000);
    let held = standin.hold();
    let pass = {
        let store = std::sync::Arc::clone(&store);
        std::thread::spawn(move || {
            server::helloasso::reconcile::reconcile_once(&store, &helloasso, Utc::now())
        })
    };
    held.started
        .recv_timeout(Duration::from_secs(20))
        .expect("the list request reaches HelloAsso");
    // HelloAsso has the request and has not answered: the store is free.
    drop(
        store
            .try_lock()
            .expect("the store lock is free during HTTP"),
    );
    held.release();
    let report = pass.join().unwrap().unwrap();
    assert_eq!((report.listed, report.unmatched), (1, 1));
    let mut guard = store.lock().unwrap();
    let reference = paid.payment_id.to_string();
    let waiting: i64 = store::schema::payments_unmatched::table
        .filter(store::schema::payments_unmatched::processor_ref.eq(&reference))
        .count()
        .get_result(guard.connection())
        .unwrap();
    assert_eq!(waiting, 1);
}
