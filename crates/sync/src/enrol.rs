//! Enrolment codes (issue 14): how a freshly installed laptop is connected
//! to the server without a command line. The office makes a code for a
//! staff member; it holds the server's address, the SHA-256 fingerprint of
//! the server's certificate and a one-time secret. The laptop
//!
//! 1. reads the code ([`EnrolmentCode::parse`]),
//! 2. fetches the certificate chain the server presents, without sending
//!    anything but a TLS hello ([`fetch_certificates`]: the handshake is
//!    aborted as soon as the chain is seen),
//! 3. checks the first certificate's fingerprint against the code, so a
//!    mismatch is refused before any password is sent,
//! 4. registers with the secret and the person's password over TLS 1.3,
//!    trusting only the chain it just checked ([`crate::http::enrol`]).
//!
//! The server keeps only the SHA-256 of the secret ([`secret_hash`]); a code
//! works once, before it expires. A code is text, `MNV1-` followed by
//! base64url JSON, so it survives a copy and paste, an e-mail or a file
//! (whitespace inside it is ignored).

use base64::Engine;
use rand::RngCore;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// The code's prefix and version.
pub const PREFIX: &str = "MNV1-";
/// The suffix of an enrolment file (the code as text, one line).
pub const FILE_EXTENSION: &str = "moniravique-code";
const SECRET_BYTES: usize = 16;

/// A parsed enrolment code.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    /// `https://host:port`, no path.
    pub server: String,
    /// SHA-256 of the server certificate (DER).
    pub fingerprint: [u8; 32],
    /// The one-time secret, hex.
    pub secret: Zeroizing<String>,
}

impl std::fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolmentCode")
            .field("server", &self.server)
            .field("fingerprint", &fingerprint_text(&self.fingerprint))
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    s: String,
    f: String,
    k: String,
}

/// Why a text is not an enrolment code (nothing about its content is told).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("this is not a moniravique enrolment code")]
pub struct Malformed;

impl EnrolmentCode {
    /// A new code for `server`, whose certificate has `fingerprint`, with a
    /// fresh random secret.
    pub fn new(server: &str, fingerprint: [u8; 32]) -> Result<Self, Malformed> {
        let mut bytes = Zeroizing::new([0u8; SECRET_BYTES]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Ok(EnrolmentCode {
            server: check_server(server)?,
            fingerprint,
            secret: Zeroizing::new(hex::encode(bytes.as_ref())),
        })
    }

    /// The code as text.
    pub fn encode(&self) -> Zeroizing<String> {
        let payload = Zeroizing::new(
            serde_json::to_string(&Payload {
                s: self.server.clone(),
                f: hex::encode(self.fingerprint),
                k: self.secret.to_string(),
            })
            .expect("a payload of strings serialises"),
        );
        Zeroizing::new(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.as_bytes())
        ))
    }

    /// Reads a code typed, pasted or read from a file.
    pub fn parse(text: &str) -> Result<Self, Malformed> {
        let compact: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
        let body = compact.strip_prefix(PREFIX).ok_or(Malformed)?;
        let json = Zeroizing::new(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(body)
                .map_err(|_| Malformed)?,
        );
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| Malformed)?;
        let Payload {
            s: server,
            f: fingerprint,
            k: secret,
        } = payload;
        let secret = Zeroizing::new(secret);
        let fingerprint: [u8; 32] = hex::decode(&fingerprint)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(Malformed)?;
        if secret.len() != SECRET_BYTES * 2 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Malformed);
        }
        Ok(EnrolmentCode {
            server: check_server(&server)?,
            fingerprint,
            secret,
        })
    }
}

/// `https://host[:port]`, nothing else (no path, no user, no query).
fn check_server(server: &str) -> Result<String, Malformed> {
    let rest = server.strip_prefix("https://").ok_or(Malformed)?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty()
        || rest.contains(['/', '@', '?', '#', ' '])
        || rest.len() > 255
        || host_and_port(rest).is_none()
    {
        return Err(Malformed);
    }
    Ok(format!("https://{rest}"))
}

/// The host and port of `host[:port]` (IPv6 in brackets), port 443 by default.
fn host_and_port(authority: &str) -> Option<(String, u16)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse().ok()?,
            None if after.is_empty() => 443,
            None => return None,
        };
        return Some((host.to_owned(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_owned(), port.parse().ok()?)),
        None => Some((authority.to_owned(), 443)),
    }
}

/// SHA-256 of a secret, hex: what the server keeps.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// SHA-256 of a certificate (DER).
pub fn fingerprint(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// The SHA-256 of the first certificate of a PEM file.
pub fn fingerprint_of_pem(pem: &[u8]) -> Option<[u8; 32]> {
    use rustls_pki_types::pem::PemObject;
    let first = CertificateDer::pem_slice_iter(pem).next()?.ok()?;
    Some(fingerprint(first.as_ref()))
}

/// A fingerprint as people compare it: `AB:CD:…` (32 pairs).
pub fn fingerprint_text(fingerprint: &[u8; 32]) -> String {
    fingerprint
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Certificates as PEM text.
pub fn to_pem(chain: &[Vec<u8>]) -> String {
    let mut out = String::new();
    for der in chain {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in text.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// Why the certificate could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    #[error("the server presented no certificate")]
    NoCertificate,
}

/// Records the chain the server presents and refuses it, so the handshake
/// stops there: nothing is sent to a server whose certificate is unchecked.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            chain.push(end_entity.as_ref().to_vec());
            chain.extend(intermediates.iter().map(|c| c.as_ref().to_vec()));
        }
        Err(rustls::Error::General("certificate recorded".into()))
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("not used".into()))
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("not used".into()))
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The certificate chain the server at `server` (`https://host:port`)
/// presents, leaf first. Only a TLS 1.3 hello is sent; the handshake is
/// aborted once the chain is seen.
pub fn fetch_certificates(server: &str) -> Result<Vec<Vec<u8>>, FetchError> {
    let authority =
        check_server(server).map_err(|_| FetchError::Unreachable("not an https address".into()))?;
    let (host, port) = host_and_port(&authority["https://".len()..])
        .ok_or_else(|| FetchError::Unreachable("not an https address".into()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        provider: provider.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| FetchError::Unreachable(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.clone())
        .map_err(|_| FetchError::Unreachable("not a host name".into()))?;
    let mut connection = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| FetchError::Unreachable(e.to_string()))?;
    let address = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| FetchError::Unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| FetchError::Unreachable("no address for the host".into()))?;
    let mut socket = TcpStream::connect_timeout(&address, Duration::from_secs(5))
        .map_err(|e| FetchError::Unreachable(e.to_string()))?;
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .and_then(|()| socket.set_write_timeout(Some(Duration::from_secs(10))))
        .map_err(|e| FetchError::Unreachable(e.to_string()))?;
    // The handshake fails on purpose at the certificate; any other failure
    // before a chain was seen means the server is not a TLS 1.3 server.
    while connection.is_handshaking() {
        if connection.complete_io(&mut socket).is_err() {
            break;
        }
    }
    let _ = socket.flush();
    let chain = recorder
        .chain
        .lock()
        .map(|chain| chain.clone())
        .unwrap_or_default();
    if chain.is_empty() {
        return Err(FetchError::NoCertificate);
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_14_a_code_reads_back_and_survives_line_breaks() {
        let code = EnrolmentCode::new("https://moniravique.example.org:8443", [7; 32]).unwrap();
        let text = code.encode();
        assert!(text.starts_with(PREFIX));
        let wrapped: String = text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| if i % 20 == 19 { vec![c, '\n'] } else { vec![c] })
            .collect();
        assert_eq!(
            EnrolmentCode::parse(&format!("  {wrapped}\n")).unwrap(),
            code
        );
        assert_ne!(
            EnrolmentCode::new("https://a.test", [7; 32])
                .unwrap()
                .secret,
            EnrolmentCode::new("https://a.test", [7; 32])
                .unwrap()
                .secret
        );
    }

    #[test]
    fn issue_14_anything_else_is_malformed() {
        let good = EnrolmentCode::new("https://a.test:8443", [1; 32])
            .unwrap()
            .encode();
        let cut = &good[..good.len() - 5];
        for text in ["", "MNV1-", "hello", cut, &good.replace("MNV1-", "MNV2-")] {
            assert_eq!(EnrolmentCode::parse(text), Err(Malformed), "{text}");
        }
        for server in [
            "http://a.test",
            "https://a.test/path",
            "https://u@a.test",
            "https://",
        ] {
            assert!(EnrolmentCode::new(server, [1; 32]).is_err(), "{server}");
        }
    }

    #[test]
    fn issue_14_fingerprints_read_like_openssl_prints_them() {
        let text = fingerprint_text(&[0xab; 32]);
        assert_eq!(text.len(), 32 * 3 - 1);
        assert!(text.starts_with("AB:AB:"));
        assert_eq!(secret_hash("x").len(), 64);
    }
}
