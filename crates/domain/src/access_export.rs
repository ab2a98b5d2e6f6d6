//! The documents of the DPO's answer to an access or portability request
//! (POL-23, POL-27, POL-28) and the erasure certificate (POL-25, POL-31), plus
//! the redaction of forum posts kept after an erasure (POL-25b).
//!
//! The store collects everything held about a person, table by table, as
//! [`Category`] values (column names and typed rows) and hands them here with
//! the GDPR art. 15 information ([`Art15Info`], from the DPO's registers or
//! [`default_art15_info`]). This module only builds documents in memory: a
//! versioned JSON file, one CSV per category, a readable French summary (HTML)
//! and a ZIP holding them all. No I/O, no clock: the time is passed in.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{Cursor, Write};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Europe::Paris;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Version of the JSON document of an access export (`donnees.json`). Bump it
/// whenever the shape of the document changes.
pub const EXPORT_SCHEMA_VERSION: &str = "moniravique.access-export/1";

/// Version of the JSON document of an erasure certificate.
pub const CERTIFICATE_SCHEMA_VERSION: &str = "moniravique.erasure-certificate/1";

/// What replaces a name, an e-mail or a phone number in an anonymised forum
/// post (POL-25b).
pub const REDACTED: &str = "[supprimé]";

/// The supervisory authority every answer names (POL-28).
pub const CNIL_FR: &str = "Commission nationale de l'informatique et des libertés (CNIL), \
3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — www.cnil.fr";

/// Names of the fixed files inside the ZIP of an access export.
pub const ZIP_JSON: &str = "donnees.json";
pub const ZIP_HTML: &str = "synthese.html";
pub const ZIP_README: &str = "LISEZMOI.txt";
/// Folder of the per-category CSV files inside the ZIP (`csv/<key>.csv`).
pub const ZIP_CSV_DIR: &str = "csv/";

/// Why an export could not be built. Messages name tables, columns and
/// positions, never a value (they may reach logs, POL-22).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("category key {0:?} is empty or not made of ascii letters, digits, '_' and '-'")]
    UnsafeCategoryKey(String),
    #[error("category {0:?} appears twice")]
    DuplicateCategory(String),
    #[error("category {category:?} has an empty or repeated column name at position {position}")]
    BadColumn { category: String, position: usize },
    #[error("category {category:?}, row {row}: {found} values for {expected} columns")]
    RowWidth {
        category: String,
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("zip archive: {0}")]
    Io(#[from] std::io::Error),
}

// ---------------------------------------------------------------------------
// Data held about the person
// ---------------------------------------------------------------------------

/// One cell of a category. Serialises to JSON null, string, number, boolean,
/// and for a date-time an ISO 8601 UTC string ending in `Z`
/// (`2026-11-25T13:30:00Z`; fractional seconds only when present).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Integer(i64),
    Bool(bool),
    /// A stored timestamp, UTC.
    DateTime(NaiveDateTime),
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Text(text) => serializer.serialize_str(text),
            Value::Integer(number) => serializer.serialize_i64(*number),
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::DateTime(at) => serializer.serialize_str(&iso_utc(*at)),
        }
    }
}

/// Everything held about the person in one table (POL-23: profile, activity
/// history, community contributions, exchanges with the team...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Table name, e.g. `attendance`; also the CSV file name (`csv/attendance.csv`).
    pub key: String,
    pub title_fr: String,
    pub title_en: String,
    pub columns: Vec<String>,
    /// One row per record, values in the order of `columns`.
    pub rows: Vec<Vec<Value>>,
}

impl Category {
    /// Number of cells a row is laid out with: the columns, or more if a row
    /// is wider (which [`AccessExport::validate`] refuses; the documents still
    /// show every value rather than drop one).
    fn width(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .fold(self.columns.len(), usize::max)
    }

    fn column_name(&self, index: usize) -> Cow<'_, str> {
        match self.columns.get(index) {
            Some(name) => Cow::Borrowed(name.as_str()),
            None => Cow::Owned(format!("column_{}", index + 1)),
        }
    }
}

// ---------------------------------------------------------------------------
// GDPR art. 15 information
// ---------------------------------------------------------------------------

/// The controller (responsable du traitement) and how to reach its data
/// protection service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Controller {
    pub name: String,
    /// Postal address, one line per `\n`.
    pub address: String,
    pub dpo_contact: String,
}

/// Legal basis of a processing (POL-8, POL-34). Serialised as in the
/// `processing_register.legal_basis` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Contract,
    Consent,
    LegitimateInterest,
    LegalObligation,
}

impl LegalBasis {
    /// Plain-French wording for a parent.
    pub fn label_fr(self) -> &'static str {
        match self {
            LegalBasis::Contract => {
                "Exécution du contrat : nécessaire pour vous fournir le service souscrit"
            }
            LegalBasis::Consent => "Votre consentement, que vous pouvez retirer à tout moment",
            LegalBasis::LegitimateInterest => {
                "Notre intérêt légitime, mis en balance avec vos droits ; vous pouvez vous y opposer"
            }
            LegalBasis::LegalObligation => "Obligation légale",
        }
    }
}

/// One purpose of the processing (finalité), with its legal basis and
/// retention period (POL-8, POL-29..POL-34).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Purpose {
    pub name_fr: String,
    pub legal_basis: LegalBasis,
    pub retention_fr: String,
    pub data_categories_fr: String,
}

/// A processor (sous-traitant) or other recipient outside the organisation,
/// with its country and, outside the EEA, the transfer safeguard (POL-14, POL-37).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Recipient {
    pub name: String,
    pub service_fr: String,
    pub country: String,
    pub outside_eea: bool,
    pub safeguard: Option<String>,
}

/// The information GDPR art. 15(1) and (2) requires in an access answer,
/// besides the data itself: purposes, legal bases, recipients, transfers,
/// retention, source. Rights and the CNIL are fixed texts of this module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Art15Info {
    pub controller: Controller,
    pub purposes: Vec<Purpose>,
    pub processors: Vec<Recipient>,
    /// Who inside the organisation sees the data (staff roles), in French.
    pub internal_recipients_fr: Vec<String>,
    pub source_fr: String,
}

/// Country text of a default processor whose country the policy does not
/// state. [`Art15Info::unconfirmed_processors`] finds them.
pub const COUNTRY_TO_CONFIRM: &str = "à confirmer (registre des sous-traitants)";

impl Art15Info {
    /// Processors whose country is still the placeholder of
    /// [`default_art15_info`], or which are outside the EEA without a recorded
    /// safeguard (POL-37): the DPO should complete the register before sending.
    pub fn unconfirmed_processors(&self) -> Vec<&Recipient> {
        self.processors
            .iter()
            .filter(|p| {
                let has_safeguard = p.safeguard.as_deref().is_some_and(|s| !s.trim().is_empty());
                p.country == COUNTRY_TO_CONFIRM
                    || p.country.trim().is_empty()
                    || (p.outside_eea && !has_safeguard)
            })
            .collect()
    }
}

/// The organisation's defaults, worded from the privacy policy of 14 January
/// 2025 (controller, purposes and legal bases POL-34, retention POL-29..POL-33,
/// processors POL-14, staff roles ROLE-1..ROLE-5).
///
/// These are a fallback only: the store builds the [`Art15Info`] of an answer
/// from the DPO's record of processing activities (`processing_register`) and
/// processor register (`processors`), which override these defaults. The policy
/// names no processor and gives a country only for the main servers (France
/// métropolitaine, POL-37), so the other processors carry
/// [`COUNTRY_TO_CONFIRM`] and no safeguard.
pub fn default_art15_info() -> Art15Info {
    fn purpose(name: &str, basis: LegalBasis, data: &str, retention: &str) -> Purpose {
        Purpose {
            name_fr: name.to_owned(),
            legal_basis: basis,
            data_categories_fr: data.to_owned(),
            retention_fr: retention.to_owned(),
        }
    }
    fn processor(name: &str, service: &str, country: &str) -> Recipient {
        Recipient {
            name: name.to_owned(),
            service_fr: service.to_owned(),
            country: country.to_owned(),
            outside_eea: false,
            safeguard: None,
        }
    }
    const ACTIVE_ACCOUNT: &str =
        "Tant que votre compte est actif (au moins une connexion tous les dix-huit mois). \
Après deux ans sans connexion, nous vous proposons de réactiver votre compte ; \
sans réponse dans les trois mois suivants, il est supprimé définitivement.";
    use LegalBasis::*;
    Art15Info {
        controller: Controller {
            name: "moniravique".to_owned(),
            address: "moniravique – Service Protection des Données\n\
Centre Commercial Leclerc des Fontenelles\n\
Route de Bonnétable\n\
72100 Le Mans, France"
                .to_owned(),
            dpo_contact: "Service Protection des Données — courrier électronique : help@moniravique.com — \
téléphone : +33 9 81 81 05 50"
                .to_owned(),
        },
        purposes: vec![
            purpose(
                "Vous inscrire à nos ateliers et webinaires, vous donner accès aux contenus et suivre votre progression",
                Contract,
                "Identité et coordonnées (nom, e-mail, téléphone), situation familiale pour les programmes avancés, \
objectifs déclarés, progrès documentés, inscriptions, participation aux webinaires et questions posées",
                ACTIVE_ACCOUNT,
            ),
            purpose(
                "Communiquer avec vous sur vos séances : rappels avant les webinaires, confirmations d'inscription, \
changements de calendrier",
                Contract,
                "Nom, e-mail, inscriptions et séances",
                ACTIVE_ACCOUNT,
            ),
            purpose(
                "Faire vivre les forums et espaces collaboratifs",
                Contract,
                "Vos contributions (messages, récits, questions)",
                "Tant que votre compte est actif. Si vous demandez l'effacement, vos messages publiés peuvent \
être anonymisés plutôt que supprimés, pour que les discussions restent compréhensibles.",
            ),
            purpose(
                "Vous suggérer des modules complémentaires selon votre parcours",
                LegitimateInterest,
                "Inscriptions et parcours",
                ACTIVE_ACCOUNT,
            ),
            purpose(
                "Vous envoyer notre bulletin mensuel",
                Consent,
                "Nom et e-mail",
                "Jusqu'au retrait de votre consentement ou la suppression de votre compte.",
            ),
            purpose(
                "Utiliser vos témoignages dans notre communication",
                Consent,
                "Témoignages que vous nous avez autorisés à utiliser",
                "Jusqu'au retrait de votre consentement ou la suppression de votre compte.",
            ),
            purpose(
                "Études sur l'efficacité de nos méthodes pédagogiques",
                Consent,
                "Participation et progrès",
                "Jusqu'au retrait de votre consentement ou la suppression de votre compte.",
            ),
            purpose(
                "Améliorer nos programmes : statistiques d'utilisation et comparaison des formats",
                LegitimateInterest,
                "Traces techniques (adresse IP, navigateur, durée des sessions) et utilisation des contenus",
                "Treize mois au maximum, puis suppression ou anonymisation complète.",
            ),
            purpose(
                "Sécuriser nos systèmes et prévenir la fraude, y compris le journal des consultations de vos \
données par notre personnel",
                LegitimateInterest,
                "Journaux de connexion ; qui a consulté ou modifié vos données, et quand",
                "Journaux de connexion : treize mois au maximum. Journal des consultations par le personnel : \
douze mois.",
            ),
            purpose(
                "Encaisser le paiement de vos inscriptions",
                Contract,
                "Confirmations de paiement (vos coordonnées bancaires sont traitées par notre processeur de paiement, \
jamais par nous)",
                "Six ans après la transaction (durée légale comptable), même après la fermeture du compte.",
            ),
            purpose(
                "Tenir notre comptabilité et respecter nos obligations fiscales",
                LegalObligation,
                "Factures, reçus et documents comptables",
                "Sept ans, même après la fermeture de votre compte.",
            ),
            purpose(
                "Répondre aux demandes des autorités compétentes et à vos demandes d'exercice de vos droits",
                LegalObligation,
                "Les données demandées ; pour vos demandes : date, canal, vérification d'identité, réponse",
                "Le temps nécessaire pour répondre et pouvoir prouver la réponse.",
            ),
        ],
        processors: vec![
            processor(
                "Hébergeur web",
                "Stocke toutes les données de la plateforme sur ses serveurs sécurisés",
                "France (métropolitaine)",
            ),
            processor(
                "Service de messagerie électronique",
                "Envoie nos communications par e-mail",
                COUNTRY_TO_CONFIRM,
            ),
            processor(
                "Solution de visioconférence",
                "Héberge les webinaires en direct et nous transmet le rapport de participation \
(heures d'arrivée et de départ, questions posées)",
                COUNTRY_TO_CONFIRM,
            ),
            processor(
                "Processeur de paiement",
                "Reçoit directement vos coordonnées bancaires quand vous réglez une inscription ; \
nous ne recevons que la confirmation de la transaction",
                COUNTRY_TO_CONFIRM,
            ),
        ],
        internal_recipients_fr: vec![
            "Vos formateurs : uniquement s'ils animent un groupe auquel vous participez (identité, situation \
familiale, objectifs, progrès, questions, présence)"
                .to_owned(),
            "Les formateurs externes (experts indépendants) de vos ateliers spécialisés : uniquement vos nom et \
e-mail"
                .to_owned(),
            "Le personnel administratif : inscriptions, groupes, statut de paiement (jamais vos coordonnées \
bancaires), tranches d'âge des enfants"
                .to_owned(),
            "Le support technique : votre compte, seulement pendant une demande d'assistance de votre part et pour \
une durée limitée"
                .to_owned(),
            "Le Service Protection des Données : l'ensemble, pour traiter vos demandes et faire respecter les durées \
de conservation"
                .to_owned(),
        ],
        source_fr: "Vous nous avez fourni la plupart de ces données vous-même : à l'inscription, dans votre \
espace personnel, dans les forums et pendant les webinaires. Les heures d'arrivée et de départ et les questions \
posées en webinaire proviennent du rapport de participation de notre solution de visioconférence ; les \
confirmations de paiement viennent de notre processeur de paiement ; les traces techniques sont produites par \
votre navigation sur la plateforme ; les notes de progression sont rédigées par vos formateurs."
            .to_owned(),
    }
}

/// The rights every answer lists (POL-23..POL-28), in plain French.
pub const RIGHTS_FR: [(&str, &str); 7] = [
    (
        "Droit d'accès",
        "Obtenir une copie de toutes les données que nous détenons sur vous : c'est l'objet de ce document.",
    ),
    (
        "Droit de rectification",
        "Faire corriger une donnée inexacte ou incomplète. Vos coordonnées, vos préférences de communication et \
vos détails familiaux se modifient directement depuis votre tableau de bord personnel ; pour le reste, \
écrivez-nous.",
    ),
    (
        "Droit à l'effacement",
        "Demander la suppression de vos données. Certaines sont alors conservées : les données liées à des \
transactions financières, pendant les durées légales comptables ; vos messages publiés dans les forums peuvent \
être anonymisés plutôt que supprimés. Les statistiques anonymes ne sont plus des données personnelles.",
    ),
    (
        "Droit d'opposition",
        "Vous opposer à un usage de vos données que vous estimez injustifié : nous l'arrêtons, sauf motifs \
légitimes impérieux. Pour nos e-mails d'information, un simple clic sur le lien de désinscription suffit.",
    ),
    (
        "Droit à la portabilité",
        "Récupérer vos données dans un format structuré et courant pour les transmettre à un autre service : \
ce sont le fichier donnees.json (JSON) et les fichiers du dossier csv joints à ce document.",
    ),
    (
        "Droit à la limitation",
        "Nous demander de geler l'utilisation de certaines données, par exemple le temps de vérifier une \
correction que vous avez demandée.",
    ),
    (
        "Retrait de votre consentement",
        "Retirer à tout moment un consentement donné (bulletin mensuel, témoignages, études), sans remettre en \
cause ce qui a été fait auparavant.",
    ),
];

/// The answer deadline as the policy words it (POL-23).
pub const ANSWER_DELAY_FR: &str =
    "Nous vous répondons généralement sous quinze jours ouvrables ; pour des \
volumes exceptionnels, ce délai peut s'étendre à un mois.";

const AUTOMATED_DECISIONS_FR: &str = "Aucune décision produisant des effets juridiques à votre égard ou vous \
affectant de manière significative n'est prise de façon entièrement automatisée. Des suggestions de modules \
vous sont proposées automatiquement à partir de votre parcours ; vous pouvez vous y opposer.";

const NEVER_SOLD_FR: &str =
    "Nous ne vendons jamais vos données et ne les transmettons ni à des annonceurs, ni à \
des courtiers de données.";

const EXPIRY_FR: &str =
    "Quand une durée de conservation expire, les données sont supprimées dans les trente \
jours ; nous vérifions ces échéances chaque trimestre.";

// ---------------------------------------------------------------------------
// The access export
// ---------------------------------------------------------------------------

/// Everything held about one person, with the art. 15 information: the
/// answer to an access (POL-23) or portability (POL-27) request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessExport {
    /// Always [`EXPORT_SCHEMA_VERSION`].
    pub schema: &'static str,
    /// When the export was produced, UTC.
    pub generated_at: NaiveDateTime,
    /// Reference of the rights request it answers.
    pub request_ref: String,
    /// Pseudonymous id of the person (the participant id).
    pub subject_ref: String,
    pub categories: Vec<Category>,
    pub info: Art15Info,
}

impl AccessExport {
    /// An export with the current schema version.
    pub fn new(
        generated_at: NaiveDateTime,
        request_ref: impl Into<String>,
        subject_ref: impl Into<String>,
        categories: Vec<Category>,
        info: Art15Info,
    ) -> Self {
        Self {
            schema: EXPORT_SCHEMA_VERSION,
            generated_at,
            request_ref: request_ref.into(),
            subject_ref: subject_ref.into(),
            categories,
            info,
        }
    }

    /// Checks what the documents rely on: category keys safe as file names and
    /// unique, column names present and unique, every row exactly as wide as
    /// the columns. [`AccessExport::to_zip`] refuses an export that fails.
    pub fn validate(&self) -> Result<(), ExportError> {
        let mut keys = HashSet::new();
        for category in &self.categories {
            let key = category.key.as_str();
            let safe = !key.is_empty()
                && key.len() <= 64
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !safe {
                return Err(ExportError::UnsafeCategoryKey(key.to_owned()));
            }
            if !keys.insert(key) {
                return Err(ExportError::DuplicateCategory(key.to_owned()));
            }
            let mut columns = HashSet::new();
            for (position, column) in category.columns.iter().enumerate() {
                if column.trim().is_empty() || !columns.insert(column.as_str()) {
                    return Err(ExportError::BadColumn {
                        category: key.to_owned(),
                        position,
                    });
                }
            }
            for (row, values) in category.rows.iter().enumerate() {
                if values.len() != category.columns.len() {
                    return Err(ExportError::RowWidth {
                        category: key.to_owned(),
                        row,
                        expected: category.columns.len(),
                        found: values.len(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The structured document (POL-27), pretty-printed:
    ///
    /// ```text
    /// { "schema": "moniravique.access-export/1",
    ///   "generated_at": "2026-11-25T13:30:00Z",
    ///   "request_ref": "...",
    ///   "subject": { "ref": "..." },
    ///   "categories": { "attendance": [ { "joined_at": "...Z", ... }, ... ], ... },
    ///   "category_info": { "attendance": { "title_fr", "title_en", "columns", "count" }, ... },
    ///   "information": { "controller", "purposes", "processors", "internal_recipients_fr",
    ///                    "source_fr", "rights_fr", "answer_delay_fr", "automated_decisions_fr",
    ///                    "complaint_authority_fr" } }
    /// ```
    ///
    /// Row objects keep the column order; a category without rows is `[]` and
    /// its columns are still listed in `category_info`.
    pub fn to_json(&self) -> String {
        let document = JsonExport { export: self };
        serde_json::to_string_pretty(&document).expect("an export always serialises")
    }

    /// One category as CSV for a French spreadsheet (POL-27): UTF-8 with a
    /// byte-order mark, `;` separator, CRLF line ends, a header row of the
    /// column names, every field quoted (RFC 4180, `"` doubled). Values: text
    /// as is, integers in decimal, booleans `true`/`false`, date-times in ISO
    /// 8601 UTC as in the JSON, null as an empty field. A text cell starting
    /// with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` so a spreadsheet
    /// never runs it as a formula (same guard as `contact_list`, plus TAB/CR).
    pub fn to_csv(&self, category: &Category) -> String {
        let width = category.width();
        let mut out = String::from("\u{feff}");
        let header: Vec<String> = (0..width)
            .map(|i| csv_text_cell(&category.column_name(i)))
            .collect();
        out.push_str(&header.join(";"));
        out.push_str("\r\n");
        for row in &category.rows {
            let cells: Vec<String> = (0..width)
                .map(|i| csv_cell(row.get(i).unwrap_or(&Value::Null)))
                .collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        }
        out
    }

    /// The readable French summary (POL-23, POL-28): a self-contained,
    /// printable HTML page for a parent. Dates in Paris time
    /// (`25/11/2026 14:30`), booleans `oui`/`non`, empty values `—`; every
    /// interpolated string is HTML-escaped.
    pub fn to_html_fr(&self) -> String {
        let info = &self.info;
        let mut h = String::with_capacity(32 * 1024);
        h.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.push_str(&format!(
            "<title>Vos données personnelles — demande {}</title>\n",
            esc(&self.request_ref)
        ));
        h.push_str(STYLE);
        h.push_str("</head>\n<body>\n<main>\n");

        // What this document is.
        h.push_str(
            "<header>\n<h1>Réponse à votre demande d'accès à vos données personnelles</h1>\n",
        );
        h.push_str("<table class=\"meta\">\n");
        h.push_str(&format!(
            "<tr><th>Référence de votre demande</th><td>{}</td></tr>\n",
            esc(&self.request_ref)
        ));
        h.push_str(&format!(
            "<tr><th>Document établi le</th><td>{} (heure de Paris)</td></tr>\n",
            paris_long(self.generated_at)
        ));
        h.push_str(&format!(
            "<tr><th>Votre identifiant dans nos systèmes</th><td>{}</td></tr>\n",
            esc(&self.subject_ref)
        ));
        h.push_str(&format!(
            "<tr><th>Responsable du traitement</th><td>{}<br>{}</td></tr>\n",
            esc(&info.controller.name),
            esc_lines(&info.controller.address)
        ));
        h.push_str("</table>\n");
        h.push_str(&format!(
            "<p class=\"encadre\">Vous nous avez demandé quelles données personnelles nous détenons sur vous. \
Ce document les reprend toutes, catégorie par catégorie, puis explique pourquoi nous les utilisons, qui y a \
accès, combien de temps nous les gardons et quels sont vos droits. Les mêmes données sont jointes dans un format \
réutilisable : le fichier {ZIP_JSON} et un fichier CSV par catégorie (dossier csv), que vous pouvez transmettre \
à un autre service.</p>\n"
        ));
        h.push_str("</header>\n");

        // 1. The data.
        let total: usize = self.categories.iter().map(|c| c.rows.len()).sum();
        h.push_str("<section>\n<h2>1. Les données que nous détenons sur vous</h2>\n");
        h.push_str(&format!(
            "<p>{} au total, en {}. Les dates et heures sont indiquées à l'heure de Paris.</p>\n",
            count_fr(total as u64, "enregistrement", "enregistrements"),
            count_fr(self.categories.len() as u64, "catégorie", "catégories"),
        ));
        if !self.categories.is_empty() {
            h.push_str("<table class=\"sommaire\">\n<thead><tr><th>Catégorie</th><th>Nombre d'enregistrements</th></tr></thead>\n<tbody>\n");
            for category in &self.categories {
                h.push_str(&format!(
                    "<tr><td><a href=\"#cat-{}\">{}</a></td><td>{}</td></tr>\n",
                    esc(&category.key),
                    esc(&category.title_fr),
                    category.rows.len()
                ));
            }
            h.push_str("</tbody>\n</table>\n");
        }
        for category in &self.categories {
            html_category(&mut h, category);
        }
        h.push_str("</section>\n");

        // 2. Purposes and legal bases.
        h.push_str("<section>\n<h2>2. Pourquoi nous utilisons vos données, et sur quelle base légale</h2>\n");
        h.push_str("<table>\n<thead><tr><th>Finalité</th><th>Base légale</th><th>Données concernées</th></tr></thead>\n<tbody>\n");
        for purpose in &info.purposes {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&purpose.name_fr),
                esc(purpose.legal_basis.label_fr()),
                esc(&purpose.data_categories_fr)
            ));
        }
        h.push_str("</tbody>\n</table>\n");
        h.push_str(&format!("<p>{AUTOMATED_DECISIONS_FR}</p>\n</section>\n"));

        // 3. Recipients and processors.
        h.push_str("<section>\n<h2>3. Qui a accès à vos données</h2>\n");
        h.push_str("<h3>Au sein de notre équipe, selon le rôle de chacun</h3>\n<ul>\n");
        for role in &info.internal_recipients_fr {
            h.push_str(&format!("<li>{}</li>\n", esc(role)));
        }
        h.push_str("</ul>\n");
        h.push_str("<h3>Nos prestataires (sous-traitants)</h3>\n");
        h.push_str("<p>Ils agissent sous contrat, avec des clauses strictes de protection, et ne peuvent utiliser \
vos données qu'aux fins que nous leur fixons.</p>\n");
        h.push_str("<table>\n<thead><tr><th>Prestataire</th><th>Ce qu'il fait</th><th>Pays</th><th>Transfert hors de l'Espace économique européen</th></tr></thead>\n<tbody>\n");
        for processor in &info.processors {
            let transfer = if processor.outside_eea {
                match processor.safeguard.as_deref() {
                    Some(safeguard) if !safeguard.trim().is_empty() => {
                        format!("Oui — garantie : {}", esc(safeguard))
                    }
                    _ => "Oui — garantie à préciser".to_owned(),
                }
            } else if processor.country == COUNTRY_TO_CONFIRM {
                "à confirmer".to_owned()
            } else {
                "Non".to_owned()
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&processor.name),
                esc(&processor.service_fr),
                esc(&processor.country),
                transfer
            ));
        }
        h.push_str("</tbody>\n</table>\n");
        h.push_str(&format!("<p>{NEVER_SOLD_FR}</p>\n</section>\n"));

        // 4. Retention.
        h.push_str("<section>\n<h2>4. Combien de temps nous gardons vos données</h2>\n<ul>\n");
        for purpose in &info.purposes {
            h.push_str(&format!(
                "<li><strong>{}</strong> : {}</li>\n",
                esc(&purpose.name_fr),
                esc(&purpose.retention_fr)
            ));
        }
        h.push_str(&format!("</ul>\n<p>{EXPIRY_FR}</p>\n</section>\n"));

        // 5. Source.
        h.push_str("<section>\n<h2>5. D'où viennent ces données</h2>\n");
        h.push_str(&format!("<p>{}</p>\n</section>\n", esc(&info.source_fr)));

        // 6. Rights.
        h.push_str("<section>\n<h2>6. Vos droits</h2>\n<dl>\n");
        for (right, text) in RIGHTS_FR {
            h.push_str(&format!("<dt>{right}</dt><dd>{text}</dd>\n"));
        }
        h.push_str("</dl>\n<h3>Comment les exercer</h3>\n");
        h.push_str("<p>Écrivez-nous de préférence : c'est plus simple pour garder une trace de votre demande.</p>\n");
        h.push_str(&format!(
            "<p>{}</p>\n<p>Par courrier postal :<br>{}</p>\n",
            esc(&info.controller.dpo_contact),
            esc_lines(&info.controller.address)
        ));
        h.push_str(&format!("<p>{ANSWER_DELAY_FR}</p>\n</section>\n"));

        // 7. CNIL (POL-28).
        h.push_str("<section>\n<h2>7. Si notre réponse ne vous satisfait pas</h2>\n");
        h.push_str(&format!(
            "<p class=\"encadre\">Vous pouvez déposer une réclamation auprès de l'autorité française de protection \
des données : {CNIL_FR}.</p>\n</section>\n"
        ));

        h.push_str(&format!(
            "<footer><p>Document établi par {} le {} (heure de Paris) — demande {} — format des données : {}.</p></footer>\n",
            esc(&info.controller.name),
            paris_long(self.generated_at),
            esc(&self.request_ref),
            esc(self.schema)
        ));
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }

    /// The French `LISEZMOI.txt` of the ZIP: what each file is. CRLF line ends.
    pub fn readme_fr(&self) -> String {
        let mut lines: Vec<String> = vec![
            "Réponse à votre demande d'accès à vos données personnelles".to_owned(),
            format!("Référence de la demande : {}", self.request_ref),
            format!(
                "Établie le {} (heure de Paris) par {}.",
                paris_long(self.generated_at),
                self.info.controller.name
            ),
            String::new(),
            "Ce dossier contient :".to_owned(),
            String::new(),
            ZIP_HTML.to_owned(),
            "    À lire en premier. Un résumé lisible de toutes vos données, avec les raisons pour lesquelles".to_owned(),
            "    nous les utilisons, qui y a accès, combien de temps nous les gardons et vos droits.".to_owned(),
            "    Ouvrez-le avec votre navigateur internet ; il peut être imprimé.".to_owned(),
            String::new(),
            ZIP_JSON.to_owned(),
            "    Toutes vos données dans un format structuré (JSON), pour les transmettre à un autre service".to_owned(),
            format!("    (droit à la portabilité). Format : {}.", self.schema),
            String::new(),
            ZIP_CSV_DIR.to_owned(),
            "    Un fichier par catégorie de données, à ouvrir avec un tableur (séparateur point-virgule,".to_owned(),
            "    encodage UTF-8). Les dates y sont en temps universel (UTC), au format ISO 8601. Une cellule".to_owned(),
            "    qui commence par =, +, -, @ est précédée d'une apostrophe pour qu'un tableur ne l'exécute pas.".to_owned(),
        ];
        for category in &self.categories {
            lines.push(format!(
                "    {}{}.csv : {} ({})",
                ZIP_CSV_DIR,
                category.key,
                category.title_fr,
                count_fr(
                    category.rows.len() as u64,
                    "enregistrement",
                    "enregistrements"
                )
            ));
        }
        lines.push(String::new());
        lines.push(ZIP_README.to_owned());
        lines.push("    Ce fichier.".to_owned());
        lines.push(String::new());
        lines.push(format!(
            "Pour toute question ou pour exercer vos droits : {}",
            self.info.controller.dpo_contact
        ));
        lines.push(format!(
            "Si notre réponse ne vous satisfait pas, vous pouvez saisir la {CNIL_FR}"
        ));
        let mut out = lines.join("\r\n");
        out.push_str("\r\n");
        out
    }

    /// The ZIP handed to the person: [`ZIP_README`], [`ZIP_HTML`],
    /// [`ZIP_JSON`] and `csv/<key>.csv` for every category (header only when
    /// empty), deflated, dated with `generated_at` in Paris time. Runs
    /// [`AccessExport::validate`] first.
    pub fn to_zip(&self) -> Result<Vec<u8>, ExportError> {
        self.validate()?;
        let local = Paris.from_utc_datetime(&self.generated_at);
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(local.year()).unwrap_or(1980),
            local.month() as u8,
            local.day() as u8,
            local.hour() as u8,
            local.minute() as u8,
            local.second() as u8,
        )
        .unwrap_or_default();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(stamp)
            .unix_permissions(0o644);
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut add = |name: &str, content: &str| -> Result<(), ExportError> {
            zip.start_file(name, options)?;
            zip.write_all(content.as_bytes())?;
            Ok(())
        };
        add(ZIP_README, &self.readme_fr())?;
        add(ZIP_HTML, &self.to_html_fr())?;
        add(ZIP_JSON, &self.to_json())?;
        for category in &self.categories {
            add(
                &format!("{ZIP_CSV_DIR}{}.csv", category.key),
                &self.to_csv(category),
            )?;
        }
        Ok(zip.finish()?.into_inner())
    }
}

struct JsonExport<'a> {
    export: &'a AccessExport,
}

impl Serialize for JsonExport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let export = self.export;
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("schema", export.schema)?;
        map.serialize_entry("generated_at", &iso_utc(export.generated_at))?;
        map.serialize_entry("request_ref", &export.request_ref)?;
        map.serialize_entry(
            "subject",
            &SubjectJson {
                r#ref: &export.subject_ref,
            },
        )?;
        map.serialize_entry("categories", &CategoriesJson(&export.categories))?;
        map.serialize_entry("category_info", &CategoryInfoJson(&export.categories))?;
        map.serialize_entry(
            "information",
            &InformationJson {
                info: &export.info,
                fixed: Art15Fixed,
            },
        )?;
        map.end()
    }
}

#[derive(Serialize)]
struct SubjectJson<'a> {
    r#ref: &'a str,
}

struct CategoriesJson<'a>(&'a [Category]);

impl Serialize for CategoriesJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for category in self.0 {
            map.serialize_entry(&category.key, &RowsJson(category))?;
        }
        map.end()
    }
}

struct RowsJson<'a>(&'a Category);

impl Serialize for RowsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let category = self.0;
        let mut seq = serializer.serialize_seq(Some(category.rows.len()))?;
        for row in &category.rows {
            seq.serialize_element(&RowJson { category, row })?;
        }
        seq.end()
    }
}

struct RowJson<'a> {
    category: &'a Category,
    row: &'a [Value],
}

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let width = self.category.columns.len().max(self.row.len());
        let mut map = serializer.serialize_map(Some(width))?;
        for index in 0..width {
            map.serialize_entry(
                &self.category.column_name(index),
                self.row.get(index).unwrap_or(&Value::Null),
            )?;
        }
        map.end()
    }
}

struct CategoryInfoJson<'a>(&'a [Category]);

impl Serialize for CategoryInfoJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct One<'a> {
            title_fr: &'a str,
            title_en: &'a str,
            columns: &'a [String],
            count: usize,
        }
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for category in self.0 {
            map.serialize_entry(
                &category.key,
                &One {
                    title_fr: &category.title_fr,
                    title_en: &category.title_en,
                    columns: &category.columns,
                    count: category.rows.len(),
                },
            )?;
        }
        map.end()
    }
}

/// The art. 15 information of the JSON: the DPO's registers plus the fixed
/// texts (rights, deadline, automated decisions, CNIL).
#[derive(Serialize)]
struct InformationJson<'a> {
    #[serde(flatten)]
    info: &'a Art15Info,
    #[serde(flatten)]
    fixed: Art15Fixed,
}

struct RightsJson;

impl Serialize for RightsJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(RIGHTS_FR.len()))?;
        for (right, text) in RIGHTS_FR {
            seq.serialize_element(&serde_json::json!({ "right": right, "text": text }))?;
        }
        seq.end()
    }
}

struct Art15Fixed;

impl Serialize for Art15Fixed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("rights_fr", &RightsJson)?;
        map.serialize_entry("answer_delay_fr", ANSWER_DELAY_FR)?;
        map.serialize_entry("automated_decisions_fr", AUTOMATED_DECISIONS_FR)?;
        map.serialize_entry("complaint_authority_fr", CNIL_FR)?;
        map.end()
    }
}

// ---------------------------------------------------------------------------
// The erasure certificate
// ---------------------------------------------------------------------------

/// Why the person's data was erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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

const CONTROLLER_NAME: &str = "moniravique";

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

// ---------------------------------------------------------------------------
// Anonymising forum posts (POL-25b)
// ---------------------------------------------------------------------------

/// Replaces every occurrence of each needle (the person's given name, family
/// name, full name, e-mail, phone number) in a forum post with
/// [`REDACTED`] (POL-25b).
///
/// - Text needles match case-insensitively and ignoring French accents, so
///   `Hélène` also removes `HÉLÈNE` and `Helene` (and decomposed accents);
///   runs of spaces match any whitespace run.
/// - A needle starting or ending with a letter or digit matches only a whole
///   word on that side: `Paul` removes `Paul,` and `Paul's` but leaves
///   `épaule` alone. **Decision**: a short given name inside ordinary words
///   (`Ange` in `changer`) would otherwise wreck the post; the cost is that a
///   nickname glued to the name (`Zorglubette`) stays.
/// - A needle of digits and separators (at least 6 digits) is a phone number:
///   it matches any writing with the same digits (`06 12 34 56 78`,
///   `0612345678`, `06.12.34.56.78`, `+33 6 12 34 56 78`, `+33 (0)6 ...`,
///   `0033 6 ...`): `+33`/`0033` count as the leading `0`.
/// - Needles shorter than 2 characters are ignored. Overlapping or adjacent
///   matches become one [`REDACTED`].
pub fn anonymise_text(body: &str, needles: &[&str]) -> String {
    let folded = fold_with_spans(body);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for needle in needles {
        let needle = needle.trim();
        if needle.chars().count() < 2 {
            continue;
        }
        if let Some(phone) = phone_needle(needle) {
            ranges.extend(phone_matches(body, &phone));
        } else {
            ranges.extend(text_matches(body, &folded, needle));
        }
    }
    if ranges.is_empty() {
        return body.to_owned();
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut cursor = 0;
    for (start, end) in merged {
        out.push_str(&body[cursor..start]);
        out.push_str(REDACTED);
        cursor = end;
    }
    out.push_str(&body[cursor..]);
    out
}

/// One folded character of the body and the byte span of the original
/// character it comes from (one original character may give 0, 1 or 2).
#[derive(Clone, Copy)]
struct Folded {
    c: char,
    start: usize,
    end: usize,
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Lower case, French accents removed, whitespace runs as one space.
fn fold_char(c: char, out: &mut Vec<char>) {
    for lower in c.to_lowercase() {
        match lower {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.extend(['o', 'e']),
            'æ' => out.extend(['a', 'e']),
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c if is_combining(c) => {}
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
}

fn fold_with_spans(text: &str) -> Vec<Folded> {
    let mut out: Vec<Folded> = Vec::with_capacity(text.len());
    let mut buffer = Vec::with_capacity(2);
    for (start, c) in text.char_indices() {
        buffer.clear();
        fold_char(c, &mut buffer);
        let end = start + c.len_utf8();
        for &f in &buffer {
            if f == ' ' && out.last().is_some_and(|last| last.c == ' ') {
                // A whitespace run folds to one space, spanning the whole run.
                if let Some(last) = out.last_mut() {
                    last.end = end;
                }
                continue;
            }
            out.push(Folded { c: f, start, end });
        }
    }
    out
}

fn fold_needle(needle: &str) -> Vec<char> {
    fold_with_spans(needle).into_iter().map(|f| f.c).collect()
}

fn text_matches(body: &str, folded: &[Folded], needle: &str) -> Vec<(usize, usize)> {
    let pattern = fold_needle(needle);
    let n = pattern.len();
    let mut found = Vec::new();
    if n == 0 || folded.len() < n {
        return found;
    }
    let needs_left_boundary = pattern[0].is_alphanumeric();
    let needs_right_boundary = pattern[n - 1].is_alphanumeric();
    for i in 0..=folded.len() - n {
        if !folded[i..i + n]
            .iter()
            .zip(&pattern)
            .all(|(f, p)| f.c == *p)
        {
            continue;
        }
        let first = folded[i];
        let last = folded[i + n - 1];
        // Never split an original character (e.g. "œ" folded to "oe").
        if i > 0 && folded[i - 1].start == first.start {
            continue;
        }
        if i + n < folded.len() && folded[i + n].start == last.start {
            continue;
        }
        // Combining accents after the last letter belong to the match.
        let mut end = last.end;
        while let Some(c) = body[end..].chars().next().filter(|c| is_combining(*c)) {
            end += c.len_utf8();
        }
        if needs_left_boundary {
            let before = body[..first.start]
                .chars()
                .rev()
                .find(|c| !is_combining(*c));
            if before.is_some_and(char::is_alphanumeric) {
                continue;
            }
        }
        if needs_right_boundary
            && body[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        found.push((first.start, end));
    }
    found
}

fn is_phone_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{202f}' | '.' | '-' | '(' | ')' | '/' | '\u{2010}' | '\u{2011}'
    )
}

/// The canonical digits of a phone needle, or `None` if it is not one.
fn phone_needle(needle: &str) -> Option<String> {
    let phone_like = needle
        .chars()
        .all(|c| c.is_ascii_digit() || c == '+' || is_phone_separator(c));
    let digits = needle.chars().filter(char::is_ascii_digit).count();
    (phone_like && digits >= 6).then(|| phone_canonical(needle))
}

/// Digits of a phone number, French international forms folded to the
/// national one: `+33 (0)6 12...`, `0033 6 12...` → `0612...`; another
/// international number keeps a leading `+`.
fn phone_canonical(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let international = if text.trim_start().starts_with('+') {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    match international {
        Some(rest) => match rest.strip_prefix("33") {
            Some(national) => format!("0{}", national.strip_prefix('0').unwrap_or(national)),
            None => format!("+{rest}"),
        },
        None => digits,
    }
}

fn phone_matches(body: &str, canonical: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let starts_run = c.is_ascii_digit()
            || (c == '+' && chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit()));
        if !starts_run {
            i += 1;
            continue;
        }
        // The run: from here over digits and separators, ending on a digit.
        let mut last_digit = i;
        let mut j = i + 1;
        while j < chars.len() && (chars[j].1.is_ascii_digit() || is_phone_separator(chars[j].1)) {
            if chars[j].1.is_ascii_digit() {
                last_digit = j;
            }
            j += 1;
        }
        // Candidate starts: the run's start and every digit group's first digit;
        // candidate ends: every digit group's last digit.
        let starts: Vec<usize> = (i..=last_digit)
            .filter(|&k| {
                k == i || (chars[k].1.is_ascii_digit() && !chars[k - 1].1.is_ascii_digit())
            })
            .collect();
        let ends: Vec<usize> = (i..=last_digit)
            .filter(|&k| {
                chars[k].1.is_ascii_digit() && (k == last_digit || !chars[k + 1].1.is_ascii_digit())
            })
            .collect();
        for &s in &starts {
            for &e in ends.iter().filter(|&&e| e >= s) {
                let start_byte = chars[s].0;
                let end_byte = chars[e].0 + chars[e].1.len_utf8();
                if phone_canonical(&body[start_byte..end_byte]) == canonical {
                    found.push((start_byte, end_byte));
                }
            }
        }
        i = last_digit + 1;
    }
    found
}

// ---------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------

/// ISO 8601 UTC with `Z`; fractional seconds only when present.
fn iso_utc(at: NaiveDateTime) -> String {
    crate::time::utc(at).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// `25/11/2026 14:30`, Paris time.
fn paris_short(at: NaiveDateTime) -> String {
    Paris
        .from_utc_datetime(&at)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// `25/11/2026 à 14:30`, Paris time.
fn paris_long(at: NaiveDateTime) -> String {
    Paris
        .from_utc_datetime(&at)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

fn french_date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// French count: 0 and 1 take the singular.
fn count_fr(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n <= 1 { singular } else { plural })
}

/// HTML-escapes text for element content and double- or single-quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks as `<br>`.
fn esc_lines(text: &str) -> String {
    text.lines().map(esc).collect::<Vec<_>>().join("<br>")
}

fn html_value(value: &Value) -> String {
    match value {
        Value::Null => "<span class=\"vide\">—</span>".to_owned(),
        Value::Text(text) if text.is_empty() => "<span class=\"vide\">—</span>".to_owned(),
        Value::Text(text) => esc(text),
        Value::Integer(number) => number.to_string(),
        Value::Bool(true) => "oui".to_owned(),
        Value::Bool(false) => "non".to_owned(),
        Value::DateTime(at) => paris_short(*at),
    }
}

/// More columns than this and each record is shown as its own two-column
/// table, which stays readable on paper.
const WIDE_TABLE: usize = 5;

fn html_category(h: &mut String, category: &Category) {
    let count = category.rows.len();
    h.push_str(&format!(
        "<section class=\"categorie\" id=\"cat-{}\">\n<h3>{} <span class=\"compte\">({})</span></h3>\n",
        esc(&category.key),
        esc(&category.title_fr),
        count_fr(count as u64, "enregistrement", "enregistrements")
    ));
    if count == 0 {
        h.push_str("<p class=\"vide\">Aucune donnée dans cette catégorie.</p>\n</section>\n");
        return;
    }
    let width = category.width();
    let header = |i: usize| -> String {
        let name = category.column_name(i);
        match column_label_fr(&name) {
            Some(label) => format!("<th title=\"{}\">{}</th>", esc(&name), esc(label)),
            None => format!("<th>{}</th>", esc(&name)),
        }
    };
    if width <= WIDE_TABLE {
        h.push_str("<table>\n<thead><tr>");
        for i in 0..width {
            h.push_str(&header(i));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for row in &category.rows {
            h.push_str("<tr>");
            for i in 0..width {
                h.push_str(&format!(
                    "<td>{}</td>",
                    html_value(row.get(i).unwrap_or(&Value::Null))
                ));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    } else {
        for (number, row) in category.rows.iter().enumerate() {
            h.push_str(&format!(
                "<table class=\"fiche\">\n<caption>Enregistrement {} sur {count}</caption>\n<tbody>\n",
                number + 1
            ));
            for i in 0..width {
                h.push_str(&format!(
                    "<tr>{}<td>{}</td></tr>\n",
                    header(i),
                    html_value(row.get(i).unwrap_or(&Value::Null))
                ));
            }
            h.push_str("</tbody>\n</table>\n");
        }
    }
    h.push_str("</section>\n");
}

/// French label of a column of the store, for the HTML summary (the JSON and
/// CSV keep the column names). `None` for a column it does not know.
pub fn column_label_fr(column: &str) -> Option<&'static str> {
    Some(match column {
        "id" => "Identifiant",
        "participant_id" => "Votre identifiant",
        "given_name" => "Prénom",
        "family_name" => "Nom",
        "email" => "Adresse e-mail",
        "phone" => "Téléphone",
        "certified_16_plus_at" => "Certifié avoir 16 ans ou plus, le",
        "last_login_at" => "Dernière connexion",
        "account_status" => "État du compte",
        "marketing_opt_out" => "Désinscrit des communications marketing",
        "objects_to_suggestions" => "Opposé aux suggestions de modules",
        "created_at" => "Créé le",
        "updated_at" => "Modifié le",
        "updated_device" => "Appareil de la dernière modification",
        "children_count" => "Nombre d'enfants",
        "age_brackets" => "Tranches d'âge des enfants",
        "challenges" => "Défis rencontrés",
        "purpose" => "Finalité",
        "granted" => "Accordé",
        "recorded_at" => "Enregistré le",
        "source" => "Origine",
        "programme_id" => "Programme",
        "group_id" => "Groupe",
        "status" => "Statut",
        "available_slots" => "Créneaux possibles",
        "preferred_slot" => "Créneau préféré",
        "requested_at" => "Demandé le",
        "decided_at" => "Décidé le",
        "decided_by" => "Décidé par",
        "waiver_reason" => "Motif de dispense de paiement",
        "enrolment_id" => "Inscription",
        "amount_cents" => "Montant (centimes)",
        "currency" => "Devise",
        "processor_ref" => "Référence chez le processeur de paiement",
        "paid_at" => "Payé le",
        "payment_id" => "Paiement",
        "number" => "Numéro",
        "kind" => "Type",
        "issued_at" => "Émis le",
        "session_id" => "Séance",
        "joined_at" => "Arrivée",
        "left_at" => "Départ",
        "asked_at" => "Posée le",
        "body" => "Texte",
        "thread" => "Discussion",
        "posted_at" => "Publié le",
        "anonymised" => "Anonymisé",
        "author_id" => "Rédigé par",
        "written_at" => "Rédigé le",
        "declared_at" => "Déclaré le",
        "ip_address" => "Adresse IP",
        "user_agent" => "Navigateur",
        "session_seconds" => "Durée de session (secondes)",
        "support_id" => "Agent du support",
        "opened_at" => "Ouverte le",
        "expires_at" => "Expire le",
        "closed_at" => "Fermée le",
        "channel" => "Canal",
        "received_at" => "Reçue le",
        "identity_check_method" => "Vérification d'identité",
        "identity_checked_by" => "Identité vérifiée par",
        "identity_checked_at" => "Identité vérifiée le",
        "grounds" => "Motifs",
        "template" => "Modèle de message",
        "subject" => "Objet",
        "queued_at" => "Préparé le",
        "queued_by" => "Préparé par",
        _ => return None,
    })
}

fn csv_text_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn csv_cell(value: &Value) -> String {
    match value {
        Value::Null => "\"\"".to_owned(),
        Value::Text(text) => csv_text_cell(text),
        Value::Integer(number) => format!("\"{number}\""),
        Value::Bool(flag) => format!("\"{flag}\""),
        Value::DateTime(at) => format!("\"{}\"", iso_utc(*at)),
    }
}

const STYLE: &str = "<style>
body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0;line-height:1.45}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.3rem;border-bottom:2px solid #2b5d8a;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.1rem;margin-top:1.4rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #b8c2cc;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td{white-space:pre-wrap;overflow-wrap:anywhere}
table.meta th{width:35%}
table.fiche th{width:35%}
caption{text-align:left;font-weight:600;padding:.2rem 0}
.compte{font-weight:normal;color:#444}
.vide{color:#6b6b6b}
.encadre{border:1px solid #2b5d8a;background:#f3f7fb;padding:.6rem .9rem;border-radius:4px}
.alerte{border:1px solid #a12622;background:#fbeeee;padding:.6rem .9rem;border-radius:4px}
dt{font-weight:600;margin-top:.6rem}
dd{margin-left:1.2rem}
footer{margin-top:2.5rem;border-top:1px solid #b8c2cc;color:#444;font-size:.85rem}
code{overflow-wrap:anywhere}
@media print{main{max-width:none;padding:0}body{font-size:10.5pt}h2,h3{break-after:avoid}tr,table.fiche{break-inside:avoid}a{color:inherit;text-decoration:none}.encadre,.alerte{background:none}}
</style>
";

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed French texts go into the HTML unescaped: they must hold no markup.
    #[test]
    fn pol_28_fixed_texts_need_no_escaping() {
        let mut texts = vec![
            CNIL_FR,
            ANSWER_DELAY_FR,
            AUTOMATED_DECISIONS_FR,
            NEVER_SOLD_FR,
            EXPIRY_FR,
            REDACTED,
            CONTROLLER_NAME,
        ];
        for (right, text) in RIGHTS_FR {
            texts.push(right);
            texts.push(text);
        }
        for reason in [
            ErasureReason::Request,
            ErasureReason::MinorDiscovered,
            ErasureReason::Retention,
        ] {
            texts.push(reason.label_fr());
        }
        for text in texts {
            assert!(!text.contains(['<', '>', '&', '"']), "{text}");
        }
    }

    #[test]
    fn phone_canonical_folds_french_international_forms() {
        let cases = [
            ("06 12 34 56 78", "0612345678"),
            ("+33 6 12 34 56 78", "0612345678"),
            ("+33 (0)6 12 34 56 78", "0612345678"),
            ("0033612345678", "0612345678"),
            ("+32 470 12 34 56", "+32470123456"),
            ("0032 470 12 34 56", "+32470123456"),
        ];
        for (input, expected) in cases {
            assert_eq!(phone_canonical(input), expected, "{input}");
        }
        assert_eq!(phone_needle("Zorglub"), None);
        assert_eq!(phone_needle("12 34"), None, "too few digits for a phone");
    }
}
