//! The stand-in's HTTP side: the state the test controls, HelloAsso's
//! payloads made from the fixtures, and the handlers of the documented
//! endpoints (see the parent module).

use super::{Calls, Payer, MAX_PAGE};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

const PAYMENT: &str = include_str!("../../../tests/fixtures/helloasso/payment.json");
const ORDER: &str = include_str!("../../../tests/fixtures/helloasso/order.json");
const INTENT: &str = include_str!("../../../tests/fixtures/helloasso/checkout-intent.json");
const PAGE: &str = include_str!("../../../tests/fixtures/helloasso/payments-page.json");
const TOKEN: &str = include_str!("../../../tests/fixtures/helloasso/token.json");
pub(super) const NOTIFICATION_PAYMENT: &str =
    include_str!("../../../tests/fixtures/helloasso/notification-payment.json");
pub(super) const NOTIFICATION_ORDER: &str =
    include_str!("../../../tests/fixtures/helloasso/notification-order.json");

pub(super) struct PaymentRec {
    pub(super) order_id: i64,
    pub(super) amount: i64,
    pub(super) state: String,
    pub(super) date: DateTime<Utc>,
    pub(super) updated: DateTime<Utc>,
}

pub(super) struct OrderRec {
    pub(super) intent: Option<i64>,
    /// `formType` and `formSlug`.
    pub(super) form: (String, String),
    pub(super) payer: Payer,
    pub(super) payments: Vec<i64>,
    pub(super) date: DateTime<Utc>,
}

pub(super) struct World {
    pub(super) client_id: String,
    pub(super) client_secret: String,
    pub(super) slug: String,
    pub(super) tokens: HashSet<String>,
    pub(super) payments: BTreeMap<i64, PaymentRec>,
    pub(super) orders: BTreeMap<i64, OrderRec>,
    pub(super) intents: BTreeMap<i64, Option<Value>>,
    pub(super) next_id: i64,
    pub(super) calls: Calls,
    /// Checkout intents answer 403 (a client without the `Checkout` privilege).
    pub(super) intents_forbidden: bool,
    /// The next payment or list request waits on this (see [`super::StandIn::hold`]).
    pub(super) hold: Option<(std::sync::mpsc::Sender<()>, Arc<tokio::sync::Semaphore>)>,
}

pub(super) type Shared = Arc<Mutex<World>>;

pub(super) fn template(text: &str) -> Value {
    serde_json::from_str(text).expect("the fixtures are JSON")
}

fn time(at: DateTime<Utc>) -> String {
    let paris_winter = FixedOffset::east_opt(3600).expect("a valid offset");
    at.with_timezone(&paris_winter)
        .to_rfc3339_opts(SecondsFormat::Micros, false)
}

impl World {
    fn payer_json(payer: &Payer, mut into: Value) -> Value {
        into["email"] = json!(payer.email);
        into["firstName"] = json!(payer.first_name);
        into["lastName"] = json!(payer.last_name);
        into
    }

    /// The fields a payment has in every shape (`PaymentDetail`,
    /// `Payment`, `OrderPayment`).
    fn payment_fields(&self, id: i64, payment: &PaymentRec, into: &mut Value) {
        into["id"] = json!(id);
        into["amount"] = json!(payment.amount);
        into["date"] = json!(time(payment.date));
        into["state"] = json!(payment.state);
        into["meta"]["createdAt"] = json!(time(payment.date));
        into["meta"]["updatedAt"] = json!(time(payment.updated));
        into["refundOperations"] = if payment.state == "Refunded" {
            json!([{
                "id": id + 1_000_000,
                "amount": payment.amount,
                "amountTip": 0,
                "status": "Processed",
                "meta": {"createdAt": time(payment.updated), "updatedAt": time(payment.updated)}
            }])
        } else {
            json!([])
        };
    }

    /// `Statistics.PaymentDetail`.
    pub(super) fn payment_json(&self, id: i64) -> Option<Value> {
        let payment = self.payments.get(&id)?;
        let order = self.orders.get(&payment.order_id)?;
        let mut value = template(PAYMENT);
        self.payment_fields(id, payment, &mut value);
        value["payer"] = Self::payer_json(&order.payer, value["payer"].take());
        value["order"]["id"] = json!(payment.order_id);
        value["order"]["date"] = json!(time(order.date));
        value["order"]["organizationSlug"] = json!(self.slug);
        value["order"]["formType"] = json!(order.form.0);
        value["order"]["formSlug"] = json!(order.form.1);
        value["order"]["checkoutIntentId"] = json!(order.intent);
        value["items"][0]["id"] = json!(payment.order_id);
        for field in ["amount", "shareAmount", "shareItemAmount"] {
            value["items"][0][field] = json!(payment.amount);
        }
        Some(value)
    }

    /// `Statistics.OrderDetail`.
    pub(super) fn order_json(&self, id: i64) -> Option<Value> {
        let order = self.orders.get(&id)?;
        let mut value = template(ORDER);
        let payment_template = value["payments"][0].take();
        let mut total = 0;
        let mut payments = Vec::new();
        for payment_id in &order.payments {
            let payment = &self.payments[payment_id];
            let mut shown = payment_template.clone();
            self.payment_fields(*payment_id, payment, &mut shown);
            shown["items"][0]["id"] = json!(id);
            shown["items"][0]["shareAmount"] = json!(payment.amount);
            shown["items"][0]["shareItemAmount"] = json!(payment.amount);
            total += payment.amount;
            payments.push(shown);
        }
        value["payments"] = json!(payments);
        value["payer"] = Self::payer_json(&order.payer, value["payer"].take());
        value["items"][0]["id"] = json!(id);
        value["items"][0]["amount"] = json!(total);
        value["items"][0]["initialAmount"] = json!(total);
        value["items"][0]["payments"] = json!(order
            .payments
            .iter()
            .map(|p| json!({"id": p, "shareAmount": self.payments[p].amount}))
            .collect::<Vec<_>>());
        value["items"][0]["user"]["firstName"] = json!(order.payer.first_name);
        value["items"][0]["user"]["lastName"] = json!(order.payer.last_name);
        value["amount"] = json!({"total": total, "vat": 0, "discount": 0});
        value["id"] = json!(id);
        value["date"] = json!(time(order.date));
        value["organizationSlug"] = json!(self.slug);
        value["formType"] = json!(order.form.0);
        value["formSlug"] = json!(order.form.1);
        value["checkoutIntentId"] = json!(order.intent);
        value["meta"] = json!({"createdAt": time(order.date), "updatedAt": time(order.date)});
        Some(value)
    }

    /// `Carts.CheckoutIntentResponse`: the order only once a payment is
    /// authorized, as the API documents.
    fn intent_json(&self, id: i64) -> Option<Value> {
        let metadata = self.intents.get(&id)?;
        let order = self
            .orders
            .iter()
            .find(|(_, order)| order.intent == Some(id))
            .map(|(order_id, _)| *order_id);
        let authorized = order.is_some_and(|order_id| {
            self.orders[&order_id]
                .payments
                .iter()
                .any(|p| self.payments[p].state == "Authorized")
        });
        let mut value = template(INTENT);
        value["id"] = json!(id);
        value["metadata"] = metadata.clone().unwrap_or(Value::Null);
        value["order"] = match order.filter(|_| authorized) {
            Some(order_id) => self.order_json(order_id).unwrap_or(Value::Null),
            None => Value::Null,
        };
        value["redirectUrl"] = json!(format!(
            "https://www.helloasso-sandbox.com/associations/{}/checkout/{id}",
            self.slug
        ));
        Some(value)
    }
}

pub(super) fn lock(world: &Shared) -> MutexGuard<'_, World> {
    world
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn refused(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// The world, if the request carries a token the stand-in issued (else
/// [`unauthorized`] is the answer).
fn authorised<'a>(world: &'a Shared, headers: &HeaderMap) -> Option<MutexGuard<'a, World>> {
    let mut guard = lock(world);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if token.is_some_and(|t| guard.tokens.contains(&t)) {
        Some(guard)
    } else {
        guard.calls.unauthorized += 1;
        None
    }
}

fn unauthorized() -> Response {
    refused(StatusCode::UNAUTHORIZED, "unauthorized")
}

fn found(value: Option<Value>) -> Response {
    match value {
        Some(value) => Json(value).into_response(),
        None => refused(StatusCode::NOT_FOUND, "not_found"),
    }
}

async fn token(State(world): State<Shared>, Form(form): Form<Vec<(String, String)>>) -> Response {
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let mut guard = lock(&world);
    guard.calls.token += 1;
    if field("grant_type") != Some("client_credentials") {
        return refused(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    if field("client_id") != Some(guard.client_id.as_str())
        || field("client_secret") != Some(guard.client_secret.as_str())
    {
        return refused(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let issued = hex::encode(rand::random::<[u8; 24]>());
    guard.tokens.insert(issued.clone());
    let mut answer = template(TOKEN);
    answer["access_token"] = json!(issued);
    answer["refresh_token"] = json!(hex::encode(rand::random::<[u8; 24]>()));
    Json(answer).into_response()
}

/// Waits for [`Hold::release`] if the test holds the next request.
async fn pause(world: &Shared) {
    let hold = lock(world).hold.take();
    if let Some((started, gate)) = hold {
        let _ = started.send(());
        let _ = gate.acquire().await;
    }
}

async fn payment(
    State(world): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<i64>,
) -> Response {
    pause(&world).await;
    match authorised(&world, &headers) {
        Some(mut guard) => {
            guard.calls.payment += 1;
            found(guard.payment_json(id))
        }
        None => unauthorized(),
    }
}

async fn order(
    State(world): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<i64>,
) -> Response {
    match authorised(&world, &headers) {
        Some(mut guard) => {
            guard.calls.order += 1;
            found(guard.order_json(id))
        }
        None => unauthorized(),
    }
}

async fn intent(
    State(world): State<Shared>,
    headers: HeaderMap,
    UrlPath((slug, id)): UrlPath<(String, i64)>,
) -> Response {
    match authorised(&world, &headers) {
        Some(mut guard) => {
            guard.calls.checkout_intent += 1;
            if guard.intents_forbidden {
                return refused(StatusCode::FORBIDDEN, "forbidden");
            }
            found(
                (slug == guard.slug)
                    .then(|| guard.intent_json(id))
                    .flatten(),
            )
        }
        None => unauthorized(),
    }
}

async fn list(
    State(world): State<Shared>,
    headers: HeaderMap,
    UrlPath(slug): UrlPath<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    pause(&world).await;
    let Some(mut guard) = authorised(&world, &headers) else {
        return unauthorized();
    };
    guard.calls.list += 1;
    if slug != guard.slug {
        return refused(StatusCode::NOT_FOUND, "not_found");
    }
    let value = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let when = |name: &str| -> Result<Option<DateTime<Utc>>, ()> {
        value(name)
            .map(|text| {
                DateTime::parse_from_rfc3339(text)
                    .map(|at| at.with_timezone(&Utc))
                    .map_err(|_| ())
            })
            .transpose()
    };
    let (Ok(from), Ok(to)) = (when("from"), when("to")) else {
        return refused(StatusCode::BAD_REQUEST, "bad_date");
    };
    let states: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "states")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut ids: Vec<(DateTime<Utc>, i64)> = guard
        .payments
        .iter()
        .filter(|(_, p)| from.is_none_or(|from| p.date >= from) && to.is_none_or(|to| p.date < to))
        .filter(|(_, p)| states.is_empty() || states.contains(&p.state.as_str()))
        .map(|(id, p)| (p.date, *id))
        .collect();
    ids.sort_by(|a, b| b.cmp(a));
    let size = value("pageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, MAX_PAGE);
    let start = match value("continuationToken") {
        Some(token) => match token
            .strip_prefix("ct-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(offset) => offset,
            None => return refused(StatusCode::BAD_REQUEST, "bad_continuation_token"),
        },
        None => {
            let index = value("pageIndex")
                .and_then(|s| s.parse::<usize>().ok())
                .unwrap_or(1);
            index.max(1).saturating_sub(1) * size
        }
    };
    let page: Vec<Value> = ids
        .iter()
        .skip(start)
        .take(size)
        .filter_map(|(_, id)| guard.payment_json(*id))
        .collect();
    let mut answer = template(PAGE);
    let shown = start + page.len();
    answer["data"] = json!(page);
    answer["pagination"] = json!({
        "pageSize": size,
        "totalCount": ids.len(),
        "pageIndex": start / size + 1,
        "totalPages": ids.len().div_ceil(size),
        "continuationToken": format!("ct-{shown}"),
    });
    Json(answer).into_response()
}

/// The documented endpoints over `world`.
pub(super) fn router(world: Shared) -> Router {
    Router::new()
        .route("/oauth2/token", post(token))
        .route("/v5/payments/{id}", get(payment))
        .route("/v5/orders/{id}", get(order))
        .route(
            "/v5/organizations/{slug}/checkout-intents/{id}",
            get(intent),
        )
        .route("/v5/organizations/{slug}/payments", get(list))
        .with_state(world)
}
