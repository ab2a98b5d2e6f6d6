//! The DPO's erasure certificate (POL-25, POL-31): what was deleted,
//! anonymised and kept, as a JSON document with its fingerprint and as a
//! formal French HTML page.

use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::anonymise::REDACTED;
use super::art15::CNIL_FR;
use super::format::{count_fr, french_date, iso_utc, paris_long};

/// Version of the JSON document of an erasure certificate.
pub const CERTIFICATE_SCHEMA_VERSION: &str = "moniravique.erasure-certificate/1";

crate::vocabulary! {
    /// Why the person's data was erased.
    pub enum ErasureReason {
        /// The person asked (POL-25).
        Request => "request",
        /// A minor gave personal data without parental authorisation (POL-35).
        MinorDiscovered => "minor_discovered",
        /// The retention period ran out (POL-30).
        Retention => "retention",
    }
}

impl ErasureReason {
    pub fn label_fr(self) -> &'static str {
        match self {
            ErasureReason::Request => "à la demande de la personne concernée (droit à l'effacement)",
            ErasureReason::MinorDiscovered => {
                "à la suite de la découverte que des données avaient été transmises par une personne mineure \
sans autorisation parentale (suppression immédiate)"
            }
            ErasureReason::Retention => {
                "à l'expiration de la durée de conservation (compte inactif depuis plus de deux ans, sans \
réponse au rappel de réactivation)"
            }
        }
    }
}

/// Records kept after the erasure, under a legal hold (POL-25a, POL-31).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct KeptRecord {
    pub category_key: String,
    pub title_fr: String,
    pub count: u64,
    /// The reason, a fixed text of the retention rule (never person data).
    pub why_fr: String,
    /// The rule, e.g. `POL-31`.
    pub rule_id: String,
    /// Kept until this day included, then deleted within 30 days (POL-33).
    pub until: NaiveDate,
}

/// The search for leftovers of the person's data in the store after the
/// erasure: decrypted database pages and write-ahead-log frames.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ResidualCheck {
    pub pages_scanned: u64,
    pub wal_frames_scanned: u64,
    pub occurrences: u64,
    pub method_fr: String,
}

/// The DPO's erasure certificate (« Attestation d'effacement »): what was
/// deleted, anonymised and kept, why and until when (POL-25, POL-31).
///
/// **Invariant**: it holds no personal data of the erased person. The person
/// is named only by pseudonymous references (`subject_ref`, `request_ref`),
/// the staff member by a pseudonymous id; every other text is a category
/// title, a count, a date, or a fixed text of a rule. There is no field for a
/// name, an e-mail or a phone number, so the certificate can be kept as proof
/// after the erasure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureCertificate {
    pub certificate_ref: String,
    pub request_ref: Option<String>,
    /// Pseudonymous id of the erased person.
    pub subject_ref: String,
    /// When the erasure ran, UTC.
    pub erased_at: NaiveDateTime,
    /// Pseudonymous id of the staff member who ran it.
    pub erased_by_ref: String,
    pub reason: ErasureReason,
    /// (category key, French title, rows deleted).
    pub deleted: Vec<(String, String, u64)>,
    pub kept: Vec<KeptRecord>,
    /// (category key, French title, rows anonymised): forum posts (POL-25b).
    pub anonymised: Vec<(String, String, u64)>,
    pub residual_check: ResidualCheck,
}

#[derive(Serialize)]
struct CountedJson<'a> {
    category_key: &'a str,
    title_fr: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct CertificateJson<'a> {
    schema: &'static str,
    certificate_ref: &'a str,
    request_ref: Option<&'a str>,
    subject_ref: &'a str,
    erased_at: String,
    erased_by_ref: &'a str,
    reason: ErasureReason,
    deleted: Vec<CountedJson<'a>>,
    anonymised: Vec<CountedJson<'a>>,
    kept: &'a [KeptRecord],
    residual_check: &'a ResidualCheck,
}

fn counted(list: &[(String, String, u64)]) -> Vec<CountedJson<'_>> {
    list.iter()
        .map(|(key, title, count)| CountedJson {
            category_key: key,
            title_fr: title,
            count: *count,
        })
        .collect()
}

impl ErasureCertificate {
    /// The certificate as pretty JSON (schema [`CERTIFICATE_SCHEMA_VERSION`]);
    /// the input of [`ErasureCertificate::fingerprint`].
    pub fn to_json(&self) -> String {
        let document = CertificateJson {
            schema: CERTIFICATE_SCHEMA_VERSION,
            certificate_ref: &self.certificate_ref,
            request_ref: self.request_ref.as_deref(),
            subject_ref: &self.subject_ref,
            erased_at: iso_utc(self.erased_at),
            erased_by_ref: &self.erased_by_ref,
            reason: self.reason,
            deleted: counted(&self.deleted),
            anonymised: counted(&self.anonymised),
            kept: &self.kept,
            residual_check: &self.residual_check,
        };
        serde_json::to_string_pretty(&document).expect("a certificate always serialises")
    }

    /// SHA-256 (hex) of [`ErasureCertificate::to_json`], printed on the
    /// certificate so a copy can be checked against the stored JSON.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.to_json().as_bytes()))
    }

    /// The certificate as a formal French document (« Attestation
    /// d'effacement »), self-contained and printable, rendered from
    /// `templates/erasure_certificate.html`.
    pub fn to_html_fr(&self) -> String {
        let check = &self.residual_check;
        CertificatePage {
            cert: self,
            erased_at: paris_long(self.erased_at),
            kept: self
                .kept
                .iter()
                .map(|kept| (kept, french_date(kept.until)))
                .collect(),
            occurrences: count_fr(
                check.occurrences,
                "occurrence trouvée",
                "occurrences trouvées",
            ),
            pages: count_fr(check.pages_scanned, "page déchiffrée", "pages déchiffrées"),
            frames: count_fr(check.wal_frames_scanned, "trame", "trames"),
            fingerprint: self.fingerprint(),
            controller_name: CONTROLLER_NAME,
            reason: self.reason.label_fr(),
            redacted: REDACTED,
            cnil: CNIL_FR,
        }
        .render()
        .expect("rendering into a String cannot fail")
    }
}

/// What `templates/erasure_certificate.html` shows: the certificate, and its
/// dates and counts in French.
#[derive(Template)]
#[template(path = "erasure_certificate.html")]
struct CertificatePage<'a> {
    cert: &'a ErasureCertificate,
    /// `25/11/2026 à 14:30`, Paris time.
    erased_at: String,
    /// Each kept record with its end day, `25/11/2032`.
    kept: Vec<(&'a KeptRecord, String)>,
    /// `0 occurrence trouvée`.
    occurrences: String,
    /// `1234 pages déchiffrées`.
    pages: String,
    /// `56 trames`.
    frames: String,
    fingerprint: String,
    // Fixed texts, written unescaped: they hold no markup.
    controller_name: &'static str,
    reason: &'static str,
    redacted: &'static str,
    cnil: &'static str,
}

pub(super) const CONTROLLER_NAME: &str = "moniravique";
