//! HelloAsso's API v5 as this server calls it (POL-14, POL-17): OAuth2
//! client credentials, then `GET` of a payment, an order, a checkout intent
//! and the organisation's payments, with the field names of HelloAsso's
//! OpenAPI file (`helloasso.json`). Blocking (ureq, the workspace's HTTP
//! client): callers run it on tokio's blocking pool, never under the store
//! lock.
//!
//! - The token (`POST {oauth_url}/oauth2/token`, form-encoded
//!   `grant_type=client_credentials`, `client_id`, `client_secret`) is kept
//!   until [`TOKEN_MARGIN`] before its `expires_in`, and fetched again when
//!   a call answers 401 (once per call).
//! - Every call has a connect timeout and an overall deadline, follows no
//!   redirect, and reads at most [`MAX_ANSWER_BYTES`].
//! - TLS: rustls with ring, TLS 1.2 or 1.3, Mozilla's roots (webpki-roots),
//!   plus the certificates of the configured `ca_file` if any.
//! - Errors carry codes and HTTP statuses, never an answer's text.

use chrono::{DateTime, SecondsFormat, Utc};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Connect timeout of every call.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Deadline of every call, from connect to the last byte of the answer.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest answer read (a page of 100 payments is far smaller).
pub const MAX_ANSWER_BYTES: u64 = 4 * 1024 * 1024;
/// Payments asked per page of the organisation's list.
pub const PAGE_SIZE: u32 = 100;
/// Pages read at most in one listing (a runaway continuation is an error).
pub const MAX_PAGES: usize = 500;
/// A token is fetched again this long before HelloAsso says it expires.
pub const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// Why a call failed: a code and, for an HTTP answer, its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// 404: HelloAsso does not know this payment, order or checkout intent.
    #[error("HelloAsso does not know this {0}")]
    NotFound(&'static str),
    /// The token endpoint refused the client id and secret.
    #[error("HelloAsso refused the client id or secret (HTTP {0})")]
    Credentials(u16),
    /// Another HTTP status (403: the client lacks a privilege; 429, 5xx).
    #[error("HelloAsso answered HTTP {0}")]
    Status(u16),
    /// No answer: DNS, connection, TLS, timeout or I/O (the code says which).
    #[error("HelloAsso could not be reached ({0})")]
    Unreachable(&'static str),
    /// An answer that is not the documented JSON, or too large.
    #[error("HelloAsso's answer is not the documented JSON ({0})")]
    Unreadable(&'static str),
}

impl CallError {
    pub fn code(&self) -> &'static str {
        match self {
            CallError::NotFound(_) => "helloasso_not_found",
            CallError::Credentials(_) => "helloasso_credentials",
            CallError::Status(_) => "helloasso_status",
            CallError::Unreachable(code) | CallError::Unreadable(code) => code,
        }
    }
}

/// A payer as HelloAsso names them (`Statistics.Payer`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Payer {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// The order a payment belongs to (`Statistics.OrderLight`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderLight {
    pub id: i64,
    /// `Enums.FormType`: `Checkout`, `Event`, `Donation`, `Membership`...
    pub form_type: Option<String>,
    pub form_slug: Option<String>,
    pub organization_slug: Option<String>,
    pub checkout_intent_id: Option<i64>,
}

/// A payment (`Statistics.PaymentDetail`, and `Statistics.Payment` in lists).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: i64,
    /// Cents.
    #[serde(default)]
    pub amount: i64,
    pub date: Option<String>,
    /// `Enums.PaymentState`.
    pub state: Option<String>,
    pub payer: Option<Payer>,
    pub order: Option<OrderLight>,
}

/// A payment inside an order (`Statistics.OrderPayment`: no payer, no order).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OrderPayment {
    pub id: i64,
    #[serde(default)]
    pub amount: i64,
    pub date: Option<String>,
    pub state: Option<String>,
}

/// An order (`Statistics.OrderDetail`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: i64,
    pub payer: Option<Payer>,
    pub payments: Option<Vec<OrderPayment>>,
    pub form_type: Option<String>,
    pub form_slug: Option<String>,
    pub organization_slug: Option<String>,
    pub checkout_intent_id: Option<i64>,
}

/// A checkout intent (`Carts.CheckoutIntentResponse`): the metadata this
/// association's website set when it created it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutIntent {
    pub id: i64,
    pub metadata: Option<serde_json::Value>,
}

/// `Common.PaginationModel`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page_size: Option<i64>,
    pub total_count: Option<i64>,
    pub page_index: Option<i64>,
    pub total_pages: Option<i64>,
    pub continuation_token: Option<String>,
}

/// `Common.ResultsWithPaginationModel<T>`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Page<T> {
    pub data: Option<Vec<T>>,
    pub pagination: Option<Pagination>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
}

struct Token {
    bearer: Zeroizing<String>,
    renew_at: Instant,
}

/// Where the API and the token endpoint are, and who this server is there.
pub struct Endpoint {
    /// e.g. `https://api.helloasso.com` (paths start with `/v5`).
    pub api_url: String,
    /// e.g. `https://api.helloasso.com` (`/oauth2/token` is added).
    pub oauth_url: String,
    pub organization_slug: String,
    pub client_id: String,
    pub client_secret: Zeroizing<String>,
}

/// The TLS configuration of the client: TLS 1.2 or 1.3 (ring), Mozilla's
/// roots, and the certificates of `ca_file` if given (a loopback stand-in in
/// tests, a proxy's CA in production). `Err` names the file, never a byte.
pub fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|_| format!("cannot read the certificates of {}", path.display()))?;
        if certs.is_empty() {
            return Err(format!("{} holds no PEM certificate", path.display()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|_| format!("{} holds an unusable certificate", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|_| "TLS set-up failed".to_owned())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The API client; shared by the notification endpoint and the poll.
pub struct Client {
    agent: ureq::Agent,
    endpoint: Endpoint,
    token: Mutex<Option<Token>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.endpoint.api_url)
            .field("organization_slug", &self.endpoint.organization_slug)
            .finish_non_exhaustive()
    }
}

fn transport_code(error: &ureq::Transport) -> &'static str {
    use ureq::ErrorKind;
    match error.kind() {
        ErrorKind::Dns => "helloasso_dns",
        ErrorKind::ConnectionFailed => "helloasso_connection",
        ErrorKind::Io => "helloasso_io",
        ErrorKind::TooManyRedirects => "helloasso_redirect",
        _ => "helloasso_transport",
    }
}

fn read_json<T: DeserializeOwned>(response: ureq::Response) -> Result<T, CallError> {
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| CallError::Unreachable("helloasso_io"))?;
    if bytes.len() as u64 > MAX_ANSWER_BYTES {
        return Err(CallError::Unreadable("helloasso_too_large"));
    }
    serde_json::from_slice(&bytes).map_err(|_| CallError::Unreadable("helloasso_unreadable"))
}

/// A date-time as the API's `from` and `to` take it (whole seconds, UTC).
pub fn query_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Client {
    pub fn new(endpoint: Endpoint, tls: Arc<rustls::ClientConfig>) -> Client {
        let agent = ureq::AgentBuilder::new()
            .tls_config(tls)
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .redirects(0)
            .user_agent(concat!("moniravique-server/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent,
            endpoint: Endpoint {
                api_url: endpoint.api_url.trim_end_matches('/').to_owned(),
                oauth_url: endpoint.oauth_url.trim_end_matches('/').to_owned(),
                ..endpoint
            },
            token: Mutex::new(None),
        }
    }

    pub fn organization_slug(&self) -> &str {
        &self.endpoint.organization_slug
    }

    /// A valid bearer token: the kept one, or a new one. The token's lock
    /// (not the store's) is held while a new one is fetched, so concurrent
    /// calls ask for one token, not several.
    fn bearer(&self) -> Result<Zeroizing<String>, CallError> {
        let mut kept = self
            .token
            .lock()
            .map_err(|_| CallError::Unreadable("poisoned"))?;
        if let Some(token) = kept.as_ref() {
            if Instant::now() < token.renew_at {
                return Ok(token.bearer.clone());
            }
        }
        let token = self.fetch_token()?;
        let bearer = token.bearer.clone();
        *kept = Some(token);
        Ok(bearer)
    }

    fn forget_token(&self) {
        if let Ok(mut kept) = self.token.lock() {
            *kept = None;
        }
    }

    fn fetch_token(&self) -> Result<Token, CallError> {
        let url = format!("{}/oauth2/token", self.endpoint.oauth_url);
        let answer = self
            .agent
            .post(&url)
            .set("Accept", "application/json")
            .send_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.endpoint.client_id),
                ("client_secret", self.endpoint.client_secret.as_str()),
            ]);
        let mut answer: TokenAnswer = match answer {
            Ok(response) => read_json(response)?,
            Err(ureq::Error::Status(status @ (400 | 401 | 403), _)) => {
                return Err(CallError::Credentials(status))
            }
            Err(ureq::Error::Status(status, _)) => return Err(CallError::Status(status)),
            Err(ureq::Error::Transport(error)) => {
                return Err(CallError::Unreachable(transport_code(&error)))
            }
        };
        if answer.access_token.trim().is_empty() {
            return Err(CallError::Unreadable("helloasso_unreadable"));
        }
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(0));
        tracing::info!(
            expires_in_secs = lifetime.as_secs(),
            "helloasso token obtained"
        );
        Ok(Token {
            bearer: Zeroizing::new(std::mem::take(&mut answer.access_token)),
            renew_at: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN),
        })
    }

    /// `GET {api_url}{path}` with the bearer token; a 401 drops the token
    /// and tries once more with a new one.
    fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        what: &'static str,
    ) -> Result<T, CallError> {
        let url = format!("{}{path}", self.endpoint.api_url);
        for attempt in 0..2 {
            let bearer = self.bearer()?;
            let mut request = self
                .agent
                .get(&url)
                .set("Authorization", &format!("Bearer {}", bearer.as_str()))
                .set("Accept", "application/json");
            for (name, value) in query {
                request = request.query(name, value);
            }
            match request.call() {
                Ok(response) => return read_json(response),
                Err(ureq::Error::Status(401, _)) if attempt == 0 => {
                    tracing::info!(code = "token_refused", "helloasso token renewed after 401");
                    self.forget_token();
                }
                Err(ureq::Error::Status(404, _)) => return Err(CallError::NotFound(what)),
                Err(ureq::Error::Status(status, _)) => return Err(CallError::Status(status)),
                Err(ureq::Error::Transport(error)) => {
                    return Err(CallError::Unreachable(transport_code(&error)))
                }
            }
        }
        Err(CallError::Status(401))
    }

    /// `GET /v5/payments/{paymentId}`.
    pub fn payment(&self, id: i64) -> Result<Payment, CallError> {
        self.get(&format!("/v5/payments/{id}"), &[], "payment")
    }

    /// `GET /v5/orders/{orderId}`.
    pub fn order(&self, id: i64) -> Result<Order, CallError> {
        self.get(&format!("/v5/orders/{id}"), &[], "order")
    }

    /// `GET /v5/organizations/{organizationSlug}/checkout-intents/{checkoutIntentId}`
    /// (needs the client's `Checkout` privilege).
    pub fn checkout_intent(&self, id: i64) -> Result<CheckoutIntent, CallError> {
        let path = format!(
            "/v5/organizations/{}/checkout-intents/{id}",
            self.endpoint.organization_slug
        );
        self.get(&path, &[], "checkout intent")
    }

    /// `GET /v5/organizations/{organizationSlug}/payments?from&to` (`to`
    /// exclusive), every page: `pageSize` [`PAGE_SIZE`], then each answer's
    /// `continuationToken`, until a page is empty or comes without a new
    /// token. More than [`MAX_PAGES`] pages is an error (nothing is half-read).
    pub fn payments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Payment>, CallError> {
        let path = format!(
            "/v5/organizations/{}/payments",
            self.endpoint.organization_slug
        );
        // Whole seconds: `from` rounded down, `to` (exclusive) up.
        let to = to + chrono::Duration::seconds(1);
        let (from, to, size) = (query_time(from), query_time(to), PAGE_SIZE.to_string());
        let mut all = Vec::new();
        let mut continuation: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![
                ("from", from.as_str()),
                ("to", to.as_str()),
                ("pageSize", size.as_str()),
            ];
            if let Some(token) = &continuation {
                query.push(("continuationToken", token.as_str()));
            }
            let page: Page<Payment> = self.get(&path, &query, "organization")?;
            let data = page.data.unwrap_or_default();
            let next = page
                .pagination
                .and_then(|p| p.continuation_token)
                .filter(|token| !token.is_empty());
            if data.is_empty() || next.is_none() || next == continuation {
                all.extend(data);
                return Ok(all);
            }
            all.extend(data);
            continuation = next;
        }
        Err(CallError::Unreadable("helloasso_too_many_pages"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/helloasso")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    }

    /// The models read HelloAsso's documented payloads (field names of its
    /// OpenAPI file), ignoring what they do not need.
    #[test]
    fn pol_6_the_models_read_the_documented_payloads() {
        let payment: Payment = serde_json::from_str(&fixture("payment.json")).unwrap();
        assert_eq!(payment.state.as_deref(), Some("Authorized"));
        assert!(payment.amount > 0);
        let order = payment.order.as_ref().unwrap();
        assert!(order.checkout_intent_id.is_some());
        assert!(order.organization_slug.is_some());
        assert_eq!(order.form_type.as_deref(), Some("Checkout"));
        assert!(payment
            .payer
            .unwrap()
            .email
            .unwrap()
            .ends_with("@exemple.test"));
        assert!(DateTime::parse_from_rfc3339(payment.date.as_deref().unwrap()).is_ok());

        let order: Order = serde_json::from_str(&fixture("order.json")).unwrap();
        let payments = order.payments.unwrap();
        assert_eq!(payments.len(), 1);
        assert!(payments[0].state.is_some());
        assert!(order.payer.is_some() && order.checkout_intent_id.is_some());

        let intent: CheckoutIntent =
            serde_json::from_str(&fixture("checkout-intent.json")).unwrap();
        assert!(intent.metadata.unwrap()["enrolment_id"].is_string());

        let page: Page<Payment> = serde_json::from_str(&fixture("payments-page.json")).unwrap();
        assert!(page.pagination.unwrap().continuation_token.is_some());

        let token: TokenAnswer = serde_json::from_str(&fixture("token.json")).unwrap();
        assert!(token.expires_in.is_some());
    }

    #[test]
    fn pol_17_an_extra_ca_file_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here").unwrap();
        assert!(tls_config(Some(&empty)).unwrap_err().contains("no PEM"));
        assert!(tls_config(Some(&dir.path().join("absent.pem"))).is_err());
        assert!(tls_config(None).is_ok());
    }
}
