//! The HTTPS transport of the client engine (POL-17): rustls, TLS 1.3, and
//! trust in exactly the server certificate the laptop was given (pinning by
//! making it the only root), never the system roots or "accept invalid".

use crate::client::{Transport, TransportError};
use crate::wire::{
    codes, AuditAck, AuditPush, DeviceList, DeviceRegistered, EnrolDevice, ErrorBody, PullRequest,
    PullResponse, PushRequest, PushResponse, RegisterDevice,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

/// An agent that trusts only the certificates in `cert_pem`.
pub fn agent(cert_pem: &[u8]) -> Result<ureq::Agent, TransportError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(cert_pem) {
        let cert = cert.map_err(|_| bad_certificate())?;
        roots.add(cert).map_err(|_| bad_certificate())?;
    }
    if roots.is_empty() {
        return Err(bad_certificate());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|_| bad_certificate())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .timeout_connect(Duration::from_secs(5))
        .timeout(Duration::from_secs(120))
        .build())
}

fn bad_certificate() -> TransportError {
    TransportError::Refused(ErrorBody {
        code: "bad_certificate".into(),
        message: "the server certificate file is not a PEM certificate".into(),
    })
}

/// The largest answer the laptop reads (a pull page is far smaller).
const MAX_ANSWER_BYTES: u64 = 512 * 1024 * 1024;

fn post<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
    body: &Q,
) -> Result<A, TransportError> {
    let mut request = agent.post(url);
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    match request.send_json(body) {
        Ok(response) => {
            // Read the (gunzipped) body whole, then parse: serde_json reading
            // byte by byte through the gzip decoder cost a fifth of a first
            // sync (DC-5 benchmark).
            let mut bytes = Vec::new();
            response
                .into_reader()
                .take(MAX_ANSWER_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| TransportError::Unreachable(format!("unreadable answer: {e}")))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| TransportError::Unreachable(format!("unreadable answer: {e}")))
        }
        Err(ureq::Error::Status(status, response)) => {
            let body = response.into_json::<ErrorBody>().unwrap_or(ErrorBody {
                code: codes::SERVER.into(),
                message: format!("the server answered {status}"),
            });
            Err(TransportError::Refused(body))
        }
        Err(ureq::Error::Transport(error)) => Err(TransportError::Unreachable(error.to_string())),
    }
}

/// Registers this laptop to a staff account and returns its token.
pub fn register(
    agent: &ureq::Agent,
    base_url: &str,
    request: &RegisterDevice,
) -> Result<DeviceRegistered, TransportError> {
    post(
        agent,
        &format!("{}/v1/devices/register", base_url.trim_end_matches('/')),
        None,
        request,
    )
}

/// Registers this laptop with an enrolment code (issue 14); `agent` trusts
/// only the chain whose fingerprint the code named.
pub fn enrol(
    agent: &ureq::Agent,
    base_url: &str,
    request: &EnrolDevice,
) -> Result<DeviceRegistered, TransportError> {
    post(
        agent,
        &format!("{}/v1/devices/enrol", base_url.trim_end_matches('/')),
        None,
        request,
    )
}

/// The laptops registered on the server, as the office sees them.
pub fn devices(
    agent: &ureq::Agent,
    base_url: &str,
    token: &str,
) -> Result<DeviceList, TransportError> {
    let url = format!("{}/v1/devices", base_url.trim_end_matches('/'));
    match agent
        .get(&url)
        .set("Authorization", &format!("Bearer {token}"))
        .call()
    {
        Ok(response) => response
            .into_json()
            .map_err(|e| TransportError::Unreachable(format!("unreadable answer: {e}"))),
        Err(ureq::Error::Status(status, response)) => Err(TransportError::Refused(
            response.into_json::<ErrorBody>().unwrap_or(ErrorBody {
                code: codes::SERVER.into(),
                message: format!("the server answered {status}"),
            }),
        )),
        Err(ureq::Error::Transport(error)) => Err(TransportError::Unreachable(error.to_string())),
    }
}

/// The transport of a registered laptop.
pub struct Https {
    pub agent: ureq::Agent,
    pub base_url: String,
    pub token: String,
}

impl Https {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}

impl Transport for Https {
    fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        post(
            &self.agent,
            &self.url("/v1/sync/push"),
            Some(&self.token),
            request,
        )
    }
    fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        post(
            &self.agent,
            &self.url("/v1/sync/pull"),
            Some(&self.token),
            request,
        )
    }
    fn push_audit(&mut self, request: &AuditPush) -> Result<AuditAck, TransportError> {
        post(
            &self.agent,
            &self.url("/v1/audit/push"),
            Some(&self.token),
            request,
        )
    }
}
