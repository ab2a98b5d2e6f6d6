//! The GDPR art. 15 information of an access answer (POL-23, POL-28, POL-34,
//! POL-37): controller, purposes and legal bases, processors, the
//! organisation's defaults, the fixed French texts (rights, deadline, CNIL) and
//! the French labels of the store's columns.

use serde::{Deserialize, Serialize};

/// The supervisory authority every answer names (POL-28).
pub const CNIL_FR: &str = "Commission nationale de l'informatique et des libertés (CNIL), \
3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — www.cnil.fr";

/// The controller (responsable du traitement) and how to reach its data
/// protection service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Controller {
    pub name: String,
    /// Postal address, one line per `\n`.
    pub address: String,
    pub dpo_contact: String,
}

crate::vocabulary! {
    /// Legal basis of a processing (POL-8, POL-34). Serialised as in the
    /// `processing_register.legal_basis` column.
    pub enum LegalBasis {
        Contract => "contract",
        Consent => "consent",
        LegitimateInterest => "legitimate_interest",
        LegalObligation => "legal_obligation",
    }
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

pub(super) const AUTOMATED_DECISIONS_FR: &str = "Aucune décision produisant des effets juridiques à votre égard ou vous \
affectant de manière significative n'est prise de façon entièrement automatisée. Des suggestions de modules \
vous sont proposées automatiquement à partir de votre parcours ; vous pouvez vous y opposer.";

pub(super) const NEVER_SOLD_FR: &str =
    "Nous ne vendons jamais vos données et ne les transmettons ni à des annonceurs, ni à \
des courtiers de données.";

pub(super) const EXPIRY_FR: &str =
    "Quand une durée de conservation expire, les données sont supprimées dans les trente \
jours ; nous vérifions ces échéances chaque trimestre.";

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
