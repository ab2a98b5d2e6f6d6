//! TLS (POL-17): the server speaks TLS 1.3 only (rustls, ring), HTTP/1.1
//! inside. `self-signed-cert` makes a certificate for the loopback names;
//! the desktop trusts that one certificate explicitly, never "any".

use crate::error::ServerError;
use axum_server::tls_rustls::RustlsConfig;
use chrono::{Datelike, Duration, Utc};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Names every generated certificate covers.
pub const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// Validity of a generated certificate, in days.
pub const CERT_DAYS: i64 = 825;

/// The server's TLS configuration.
#[derive(Clone)]
pub struct Tls(Arc<ServerConfig>);

impl Tls {
    /// Loads a PEM certificate chain and its PEM private key.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Tls, ServerError> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                ServerError::Tls(format!(
                    "cannot read the certificate {}: {e}",
                    cert.display()
                ))
            })?;
        if chain.is_empty() {
            return Err(ServerError::Tls(format!(
                "{} holds no certificate",
                cert.display()
            )));
        }
        let private_key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
            ServerError::Tls(format!(
                "cannot read the private key {}: {e}",
                key.display()
            ))
        })?;
        Self::from_der(chain, private_key)
    }

    pub fn from_der(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Tls, ServerError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| ServerError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| ServerError::Tls(format!("the certificate and key do not fit: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls(Arc::new(config)))
    }

    pub fn server_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.0)
    }

    pub(crate) fn rustls_config(&self) -> RustlsConfig {
        RustlsConfig::from_config(self.server_config())
    }
}

/// What `self-signed-cert` wrote.
#[derive(Clone, Debug)]
pub struct GeneratedCert {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    /// SHA-256 of the certificate (DER), upper-case hex pairs joined by `:`.
    pub fingerprint: String,
}

/// SHA-256 fingerprint of a DER certificate, as `AB:CD:...`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Writes `cert.pem` and `key.pem` (mode 0600) into `out_dir` for the
/// loopback names plus `hosts`; refuses to overwrite either file.
pub fn write_self_signed(out_dir: &Path, hosts: &[String]) -> Result<GeneratedCert, ServerError> {
    let mut names: Vec<String> = LOOPBACK_NAMES.iter().map(|n| (*n).to_owned()).collect();
    for host in hosts {
        if !names.contains(host) {
            names.push(host.clone());
        }
    }
    let mut params = rcgen::CertificateParams::new(names)
        .map_err(|e| ServerError::Tls(format!("invalid host name: {e}")))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "moniravique server");
    let start = Utc::now() - Duration::days(1);
    let end = start + Duration::days(CERT_DAYS);
    params.not_before = rcgen::date_time_ymd(start.year(), start.month() as u8, start.day() as u8);
    params.not_after = rcgen::date_time_ymd(end.year(), end.month() as u8, end.day() as u8);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let key = rcgen::KeyPair::generate().map_err(|e| ServerError::Tls(e.to_string()))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| ServerError::Tls(e.to_string()))?;

    std::fs::create_dir_all(out_dir)
        .map_err(|e| ServerError::io(format!("cannot create {}", out_dir.display()), e))?;
    let cert_path = out_dir.join("cert.pem");
    let key_path = out_dir.join("key.pem");
    for path in [&cert_path, &key_path] {
        if path.exists() {
            return Err(ServerError::Exists(path.clone()));
        }
    }
    write_new(&key_path, key.serialize_pem().as_bytes(), 0o600)?;
    write_new(&cert_path, cert.pem().as_bytes(), 0o644)?;
    Ok(GeneratedCert {
        cert_path,
        key_path,
        fingerprint: fingerprint(cert.der()),
    })
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), ServerError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ServerError::Exists(path.to_owned()),
            _ => ServerError::io(format!("cannot create {}", path.display()), e),
        })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| ServerError::io(format!("cannot write {}", path.display()), e))
}
