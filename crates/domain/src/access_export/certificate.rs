//! The DPO's erasure certificate (POL-25, POL-31): what was deleted,
//! anonymised and kept, as a JSON document with its fingerprint and as a
//! formal French HTML page.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::anonymise::REDACTED;
use super::art15::CNIL_FR;
use super::format::{count_fr, french_date, iso_utc, paris_long};
use super::html::{esc, STYLE};

/// Version of the JSON document of an erasure certificate.
pub const CERTIFICATE_SCHEMA_VERSION: &str = "moniravique.erasure-certificate/1";

/// Why the person's data was erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    /// The person asked (POL-25).
    Request,
    /// A minor gave personal data without parental authorisation (POL-35).
    MinorDiscovered,
    /// The retention period ran out (POL-30).
    Retention,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// d'effacement »), self-contained and printable.
    pub fn to_html_fr(&self) -> String {
        let mut h = String::with_capacity(12 * 1024);
        h.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str(&format!(
            "<title>Attestation d'effacement {}</title>\n",
            esc(&self.certificate_ref)
        ));
        h.push_str(STYLE);
        h.push_str("</head>\n<body>\n<main>\n");
        h.push_str("<header>\n<h1>Attestation d'effacement de données personnelles</h1>\n");
        h.push_str("<table class=\"meta\">\n");
        h.push_str(&format!(
            "<tr><th>Référence de l'attestation</th><td>{}</td></tr>\n",
            esc(&self.certificate_ref)
        ));
        h.push_str(&format!(
            "<tr><th>Référence de la demande</th><td>{}</td></tr>\n",
            match &self.request_ref {
                Some(r) => esc(r),
                None => "— (effacement sans demande)".to_owned(),
            }
        ));
        h.push_str(&format!(
            "<tr><th>Personne concernée (identifiant pseudonyme)</th><td>{}</td></tr>\n",
            esc(&self.subject_ref)
        ));
        h.push_str(&format!(
            "<tr><th>Date de l'effacement</th><td>{} (heure de Paris)</td></tr>\n",
            paris_long(self.erased_at)
        ));
        h.push_str(&format!(
            "<tr><th>Effacement réalisé par (identifiant pseudonyme)</th><td>{}</td></tr>\n",
            esc(&self.erased_by_ref)
        ));
        h.push_str("</table>\n</header>\n");
        h.push_str(&format!(
            "<p class=\"encadre\">Le responsable du traitement, {CONTROLLER_NAME}, atteste avoir effacé le {} les \
données personnelles de la personne désignée ci-dessus, {}. Le détail figure ci-dessous : données supprimées, \
données anonymisées, données conservées (avec la raison et la date jusqu'à laquelle elles le sont), et la \
vérification effectuée après l'effacement.</p>\n",
            paris_long(self.erased_at),
            self.reason.label_fr()
        ));

        h.push_str("<section>\n<h2>Données supprimées</h2>\n");
        counted_table(&mut h, &self.deleted, "Nombre d'enregistrements supprimés");
        h.push_str("</section>\n");

        h.push_str("<section>\n<h2>Données anonymisées</h2>\n");
        if !self.anonymised.is_empty() {
            h.push_str(&format!(
                "<p>Contributions publiées dans les forums, conservées pour que les discussions restent \
compréhensibles : l'auteur en a été retiré, et les nom, adresse e-mail et numéro de téléphone de la personne \
ont été remplacés par « {REDACTED} » dans le texte.</p>\n"
            ));
        }
        counted_table(
            &mut h,
            &self.anonymised,
            "Nombre d'enregistrements anonymisés",
        );
        h.push_str("</section>\n");

        h.push_str("<section>\n<h2>Données conservées</h2>\n");
        if self.kept.is_empty() {
            h.push_str("<p>Aucune.</p>\n");
        } else {
            h.push_str("<p>Ces données sont conservées parce que la loi l'impose. Elles sont placées sous \
conservation restreinte : elles ne servent plus qu'à cette obligation, puis sont supprimées dans les trente jours \
suivant la date indiquée.</p>\n");
            h.push_str("<table>\n<thead><tr><th>Catégorie</th><th>Nombre</th><th>Raison</th><th>Règle</th><th>Durée</th></tr></thead>\n<tbody>\n");
            for kept in &self.kept {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>jusqu'au {}</td></tr>\n",
                    esc(&kept.title_fr),
                    kept.count,
                    esc(&kept.why_fr),
                    esc(&kept.rule_id),
                    french_date(kept.until)
                ));
            }
            h.push_str("</tbody>\n</table>\n");
        }
        h.push_str("</section>\n");

        let check = &self.residual_check;
        h.push_str("<section>\n<h2>Vérification</h2>\n");
        h.push_str(&format!(
            "<p>Après l'effacement, la base de données a été parcourue à la recherche de toute trace des données \
supprimées : {} dans {} et {} du journal.</p>\n",
            count_fr(check.occurrences, "occurrence trouvée", "occurrences trouvées"),
            count_fr(check.pages_scanned, "page déchiffrée", "pages déchiffrées"),
            count_fr(check.wal_frames_scanned, "trame", "trames"),
        ));
        h.push_str(&format!("<p>Méthode : {}</p>\n", esc(&check.method_fr)));
        if check.occurrences > 0 {
            h.push_str("<p class=\"alerte\">Attention : des traces subsistent ; l'effacement n'est pas complet et \
doit être repris avant de remettre cette attestation.</p>\n");
        }
        h.push_str("</section>\n");

        h.push_str(&format!(
            "<footer>\n<p>Cette attestation ne contient aucune donnée personnelle de la personne concernée : elle n'y \
est désignée que par des références pseudonymes.</p>\n<p>Si la réponse apportée ne vous satisfait pas, vous \
pouvez déposer une réclamation auprès de la {CNIL_FR}.</p>\n<p>Empreinte SHA-256 du document JSON de cette \
attestation : <code>{}</code></p>\n</footer>\n",
            self.fingerprint()
        ));
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }
}

pub(super) const CONTROLLER_NAME: &str = "moniravique";

fn counted_table(h: &mut String, list: &[(String, String, u64)], count_header: &str) {
    if list.is_empty() {
        h.push_str("<p>Aucune.</p>\n");
        return;
    }
    h.push_str(&format!(
        "<table>\n<thead><tr><th>Catégorie</th><th>{count_header}</th></tr></thead>\n<tbody>\n"
    ));
    for (_, title, count) in list {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{count}</td></tr>\n",
            esc(title)
        ));
    }
    h.push_str("</tbody>\n</table>\n");
}
