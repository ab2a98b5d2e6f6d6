//! Erasure of one person (POL-25, POL-35, POL-30), in one transaction:
//!
//! - every row that references the person is deleted (the `ON DELETE` actions
//!   declared in [`crate::erasure::PARTICIPANT_REFERENCES`]), and the report
//!   rows that carry their e-mail without a link (`import_unmatched`);
//! - forum contributions are kept, detached and anonymised: the person's
//!   names, e-mail and phone are replaced in the text (POL-25b);
//! - payments and invoices are kept, detached, under a legal hold of 6 and 7
//!   years (POL-25a, POL-31; the longer wins for a payment with an invoice),
//!   visible to the DPO only with their expiry date; a record whose hold has
//!   already run out is deleted instead;
//! - the rights-request register keeps its rows, detached, with the person's
//!   identity scrubbed from its free texts;
//! - aggregates stay (POL-25c): there is no per-person statistic to delete.
//!
//! A residual check proves it. The targeted check (no row left in any
//! referencing table, no occurrence in the kept texts) runs inside the
//! erasure's transaction, and the certificate is stored with it: an erasure
//! never exists without its certificate. The deep check ([`deep_check`]) runs
//! afterwards, outside any lock, on the committed file: it decrypts every page,
//! free pages and WAL included, looking for the name, e-mail and phone
//! ([`pagescan`]), and [`record_deep_check`] adds its figures to the
//! certificate. The DPO gets a certificate naming what was deleted, what was
//! kept, why and until when; it holds no identity, only pseudonymous ids.

use crate::erasure::{OnErasure, PARTICIPANT_REFERENCES};
use crate::gate::{self, Gate};
use crate::schema::*;
use crate::StoreError;
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use domain::access_export::{
    anonymise_text, ErasureCertificate, ErasureReason, KeptRecord, ResidualCheck,
};
use domain::rights::RequestKind;
use domain::{new_id, Action, Actor, ErrorCode};
use serde::Serialize;
use zeroize::Zeroizing;

/// What the DPO sees after an erasure.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct ErasureOutcome {
    pub certificate_id: String,
    #[serde(skip)]
    pub certificate: ErasureCertificate,
    /// The certificate's reference, what was deleted/kept, and the residual check.
    pub summary: serde_json::Value,
    pub html: String,
    /// The strings to look for in the deep check, in memory only (zeroed on
    /// drop; never serialised, never logged).
    #[serde(skip)]
    pub probes: Probes,
}

/// The person's identifying strings. Zeroed on drop.
///
/// `scrub` (every name part, e-mail, phone) is removed from the texts that are
/// kept; `probe` (the strings that single the person out: e-mail, phone, full
/// name as stored and as written) is searched for afterwards. A first name
/// alone is not a probe: other people share it.
struct Needles {
    scrub: Vec<Zeroizing<String>>,
    probe: Vec<(&'static str, Zeroizing<String>)>,
}

/// The strings that single an erased person out, kept in memory between the
/// erasure and its deep check. Zeroed on drop; `Debug` prints nothing.
#[derive(Clone, Default)]
pub struct Probes(Vec<(&'static str, Zeroizing<String>)>);

impl std::fmt::Debug for Probes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Probes({} strings)", self.0.len())
    }
}

impl Needles {
    fn scrub_texts(&self) -> Vec<&str> {
        self.scrub.iter().map(|v| v.as_str()).collect()
    }

    fn email(&self) -> &str {
        self.probe
            .iter()
            .find(|(label, _)| *label == "e-mail")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

fn load_needles(conn: &mut SqliteConnection, person: &str) -> Result<Needles, StoreError> {
    let (given, family, email, phone): (String, String, String, Option<String>) =
        participants::table
            .find(person)
            .select((
                participants::given_name,
                participants::family_name,
                participants::email,
                participants::phone,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("participant {person}")))?;
    let mut probe = vec![
        ("full name", Zeroizing::new(format!("{given} {family}"))),
        // Adjacent columns of a record are stored back to back.
        (
            "full name as stored",
            Zeroizing::new(format!("{given}{family}")),
        ),
        ("e-mail", Zeroizing::new(email.clone())),
    ];
    let mut scrub = vec![
        Zeroizing::new(format!("{given} {family}")),
        Zeroizing::new(format!("{family} {given}")),
        Zeroizing::new(email),
        Zeroizing::new(family),
        Zeroizing::new(given),
    ];
    if let Some(phone) = phone.filter(|p| p.chars().filter(char::is_ascii_digit).count() >= 6) {
        probe.push(("phone", Zeroizing::new(phone.clone())));
        scrub.push(Zeroizing::new(phone));
    }
    Ok(Needles { scrub, probe })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count_rows(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    person: &str,
) -> Result<i64, StoreError> {
    // Table and column names come from the compile-time erasure map, never from input.
    let sql = format!("SELECT count(*) AS n FROM {table} WHERE {column} = ?");
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(person)
        .get_result::<Count>(conn)?
        .n)
}

fn title_fr(table: &str) -> &'static str {
    match table {
        "participants" => "Profil",
        "family_situations" => "Situation familiale",
        "consents" => "Consentements",
        "enrolments" => "Inscriptions",
        "payments" => "Paiements",
        "invoices" => "Factures et reçus",
        "attendance" => "Présences",
        "questions" => "Questions posées",
        "forum_posts" => "Contributions au forum",
        "progress_notes" => "Notes de progression",
        "objectives" => "Objectifs",
        "technical_traces" => "Traces techniques",
        "assistance_requests" => "Demandes d'assistance",
        "rights_requests" => "Demandes d'exercice des droits",
        "outbox_messages" => "Messages en file",
        "policy_notifications" => "Notifications de changement de politique",
        "import_unmatched" => "Lignes de rapports non rattachées",
        "payments_unmatched" => "Paiements en attente de rattachement",
        _ => "Autres données",
    }
}

fn plus_years(at: NaiveDateTime, years: u32) -> NaiveDate {
    at.date()
        .checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// Erases one person. `request_id` ties the erasure to an erasure request
/// whose identity check is done (refused otherwise); the "minor discovered"
/// action (POL-35) and the retention sweep (POL-30) need no request. The
/// deep check is [`deep_check`], run afterwards on the committed file.
pub fn erase(
    conn: &mut SqliteConnection,
    actor: &Actor,
    person: &str,
    reason: ErasureReason,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ErasureOutcome, StoreError> {
    let action = if matches!(reason, ErasureReason::Retention) {
        Action::ParticipantEraseRetention
    } else {
        Action::ParticipantErase
    };
    gate::run(conn, actor, action, now, |gate| {
        erase_in_gate(gate, person, reason, request_id)
    })
}

fn erase_in_gate(
    gate: &mut Gate<'_>,
    person: &str,
    reason: ErasureReason,
    request_id: Option<&str>,
) -> Result<ErasureOutcome, StoreError> {
    if matches!(reason, ErasureReason::Request) && request_id.is_none() {
        return Err(ErrorCode::ErasureRequestRequired.into());
    }
    let actor = gate.actor().clone();
    let actor = &actor;
    let now = gate.now();
    let at = gate.at();
    if let Some(request_id) = request_id {
        let request =
            crate::rights::actionable(gate.conn(), request_id, &[RequestKind::Erasure], now)?;
        if request.participant_id.as_deref() != Some(person) {
            return Err(
                StoreError::refused(ErrorCode::WrongRequestType).with("request", request_id)
            );
        }
    }
    gate.reach(person)?;
    let conn = gate.conn();
    let needles = load_needles(conn, person)?;
    let rules = crate::retention::current_rules(conn)?;
    let (mut certificate, certificate_id, post_ids) = {
        {
            let texts = needles.scrub_texts();
            let mut deleted: Vec<(String, String, u64)> =
                vec![("participants".into(), title_fr("participants").into(), 1)];
            let mut anonymised: Vec<(String, String, u64)> = Vec::new();
            let mut kept: Vec<KeptRecord> = Vec::new();

            for reference in PARTICIPANT_REFERENCES {
                let n = count_rows(conn, reference.table, reference.column, person)?;
                match reference.on_erasure {
                    OnErasure::Delete => deleted.push((
                        reference.table.into(),
                        title_fr(reference.table).into(),
                        n as u64,
                    )),
                    OnErasure::Anonymise
                    | OnErasure::Detach
                    | OnErasure::KeepUnderLegalHold { .. } => {}
                }
            }

            // POL-25b: forum contributions kept, the person's identity removed from the text.
            let posts: Vec<(String, String)> = forum_posts::table
                .filter(forum_posts::participant_id.eq(person))
                .select((forum_posts::id, forum_posts::body))
                .load(conn)?;
            for (id, body) in &posts {
                diesel::update(forum_posts::table.find(id))
                    .set((
                        forum_posts::body.eq(anonymise_text(body, &texts)),
                        forum_posts::anonymised.eq(true),
                        forum_posts::updated_at.eq(at),
                        forum_posts::updated_device.eq(actor.device_id.as_str()),
                    ))
                    .execute(conn)?;
            }
            if !posts.is_empty() {
                anonymised.push((
                    "forum_posts".into(),
                    title_fr("forum_posts").into(),
                    posts.len() as u64,
                ));
            }

            // POL-25a, POL-31: transactions 6 years, invoices 7, the longer wins.
            let payments_rows: Vec<(String, Option<NaiveDateTime>, NaiveDateTime)> =
                payments::table
                    .filter(payments::participant_id.eq(person))
                    .select((payments::id, payments::paid_at, payments::updated_at))
                    .load(conn)?;
            let invoice_rows: Vec<(String, Option<String>, NaiveDateTime)> = invoices::table
                .filter(invoices::participant_id.eq(person))
                .select((invoices::id, invoices::payment_id, invoices::issued_at))
                .load(conn)?;
            let today = at.date();
            let mut held_payments = (0u64, NaiveDate::MIN);
            let mut held_invoices = (0u64, NaiveDate::MIN);
            let mut expired = 0u64;
            for (id, paid_at, changed_at) in &payments_rows {
                let mut until =
                    plus_years(paid_at.unwrap_or(*changed_at), rules.payment_hold_years);
                for (_, payment, issued) in &invoice_rows {
                    if payment.as_deref() == Some(id.as_str()) {
                        until = until.max(plus_years(*issued, rules.invoice_hold_years));
                    }
                }
                if until <= today {
                    diesel::delete(payments::table.find(id)).execute(conn)?;
                    expired += 1;
                    continue;
                }
                hold(conn, actor, person, "payments", id, "POL-25a", until, at)?;
                held_payments = (held_payments.0 + 1, held_payments.1.max(until));
            }
            for (id, _, issued) in &invoice_rows {
                let until = plus_years(*issued, rules.invoice_hold_years);
                if until <= today {
                    diesel::delete(invoices::table.find(id)).execute(conn)?;
                    expired += 1;
                    continue;
                }
                hold(conn, actor, person, "invoices", id, "POL-31", until, at)?;
                held_invoices = (held_invoices.0 + 1, held_invoices.1.max(until));
            }
            if held_payments.0 > 0 {
                kept.push(KeptRecord {
                    category_key: "payments".into(),
                    title_fr: title_fr("payments").into(),
                    count: held_payments.0,
                    why_fr: "Obligation comptable : les données liées aux transactions financières sont conservées pendant la durée légale, détachées de votre identité et accessibles au seul délégué à la protection des données.".into(),
                    rule_id: "POL-25a".into(),
                    until: held_payments.1,
                });
            }
            if held_invoices.0 > 0 {
                kept.push(KeptRecord {
                    category_key: "invoices".into(),
                    title_fr: title_fr("invoices").into(),
                    count: held_invoices.0,
                    why_fr: "Obligation comptable : factures et reçus conservés sept ans, sans votre nom, accessibles au seul délégué à la protection des données.".into(),
                    rule_id: "POL-31".into(),
                    until: held_invoices.1,
                });
            }
            if expired > 0 {
                deleted.push((
                    "payments_expired".into(),
                    "Paiements et factures dont la durée légale est écoulée".into(),
                    expired,
                ));
            }

            // The register keeps the request, not the identity: scrub its free texts.
            let requests: Vec<(String, Option<String>, Option<String>)> = rights_requests::table
                .filter(rights_requests::participant_id.eq(person))
                .select((
                    rights_requests::id,
                    rights_requests::grounds,
                    rights_requests::identity_check_method,
                ))
                .load(conn)?;
            for (id, grounds, method) in &requests {
                diesel::update(rights_requests::table.find(id))
                    .set((
                        rights_requests::grounds
                            .eq(grounds.as_deref().map(|g| anonymise_text(g, &texts))),
                        rights_requests::identity_check_method
                            .eq(method.as_deref().map(|m| anonymise_text(m, &texts))),
                        rights_requests::updated_at.eq(at),
                        rights_requests::updated_device.eq(actor.device_id.as_str()),
                    ))
                    .execute(conn)?;
                let details: Vec<(String, String)> = rights_request_actions::table
                    .filter(rights_request_actions::request_id.eq(id))
                    .filter(rights_request_actions::detail.is_not_null())
                    .select((
                        rights_request_actions::id,
                        rights_request_actions::detail.assume_not_null(),
                    ))
                    .load(conn)?;
                for (action_id, detail) in details {
                    diesel::update(rights_request_actions::table.find(action_id))
                        .set(rights_request_actions::detail.eq(anonymise_text(&detail, &texts)))
                        .execute(conn)?;
                }
            }
            if !requests.is_empty() {
                kept.push(KeptRecord {
                    category_key: "rights_requests".into(),
                    title_fr: title_fr("rights_requests").into(),
                    count: requests.len() as u64,
                    why_fr: "Preuve que vos demandes ont été traitées (type, dates, suites), sans votre identité.".into(),
                    rule_id: "POL-38".into(),
                    until: plus_years(at, 5),
                });
            }

            // Report rows that carry the e-mail with no link to the person.
            let email = needles.email().to_owned();
            let unmatched =
                diesel::delete(import_unmatched::table.filter(import_unmatched::email.eq(&email)))
                    .execute(conn)?;
            // `=` on this column is case-sensitive: catch other spellings too.
            let unmatched = unmatched
                + diesel::sql_query("DELETE FROM import_unmatched WHERE lower(email) = lower(?)")
                    .bind::<Text, _>(&email)
                    .execute(conn)?;
            deleted.push((
                "import_unmatched".into(),
                title_fr("import_unmatched").into(),
                unmatched as u64,
            ));
            // Processor payments waiting for the office under their e-mail (issue 15).
            let waiting = diesel::sql_query(
                "DELETE FROM payments_unmatched WHERE lower(payer_email) = lower(?)",
            )
            .bind::<Text, _>(&email)
            .execute(conn)?;
            deleted.push((
                "payments_unmatched".into(),
                title_fr("payments_unmatched").into(),
                waiting as u64,
            ));

            // Operations about the person not yet sent to the server hold
            // their data in their bodies: they go too (sync.md inv. 3; the
            // erasure itself is queued after this transaction's rows).
            let unsent = diesel::delete(
                crate::schema::sync_outbox::table
                    .filter(crate::schema::sync_outbox::subject_id.eq(person)),
            )
            .execute(conn)?;
            diesel::delete(
                crate::schema::sync_fetch_queue::table
                    .filter(crate::schema::sync_fetch_queue::subject_id.eq(person)),
            )
            .execute(conn)?;
            if unsent > 0 {
                deleted.push((
                    "sync_outbox".into(),
                    "Modifications non encore synchronisées".into(),
                    unsent as u64,
                ));
            }

            // The cascades and detachments of the schema do the rest.
            let gone = diesel::delete(participants::table.find(person)).execute(conn)?;
            if gone != 1 {
                return Err(StoreError::NotFound(format!("participant {person}")));
            }
            deleted.retain(|(_, _, n)| *n > 0);
            let certificate_id = new_id();
            let certificate = ErasureCertificate {
                certificate_ref: format!("AE-{}", &certificate_id[certificate_id.len() - 8..]),
                request_ref: request_id.map(str::to_owned),
                subject_ref: person.to_owned(),
                erased_at: at,
                erased_by_ref: actor.staff_id.as_str().to_owned(),
                reason,
                deleted,
                kept,
                anonymised,
                residual_check: ResidualCheck {
                    pages_scanned: 0,
                    wal_frames_scanned: 0,
                    occurrences: 0,
                    method_fr: String::new(),
                },
            };
            let post_ids: Vec<String> = posts.into_iter().map(|(id, _)| id).collect();
            (certificate, certificate_id, post_ids)
        }
    };

    if let Some(request_id) = request_id {
        crate::rights::note_action(gate, request_id, "erased", None, None)?;
    }
    let conn = gate.conn();
    // The targeted residual check, before the commit: the certificate is
    // stored with the erasure, never after it.
    let occurrences = targeted_residue(conn, person, &needles, &post_ids)?;
    certificate.residual_check.occurrences = occurrences;
    certificate.residual_check.method_fr = format!(
        "Contrôle ciblé : aucune ligne restante dans les {} tables qui référencent la personne, aucune occurrence de son nom, de son e-mail ni de son téléphone dans les textes conservés.",
        PARTICIPANT_REFERENCES.len() + 2
    );
    warn_if_residue(person, occurrences);
    let json = certificate.to_json();
    let fingerprint = certificate.fingerprint();
    let html = certificate.to_html_fr();
    diesel::insert_into(erasure_certificates::table)
        .values((
            erasure_certificates::id.eq(&certificate_id),
            erasure_certificates::subject_ref.eq(person),
            erasure_certificates::request_id.eq(request_id),
            erasure_certificates::reason.eq(certificate.reason.as_str()),
            erasure_certificates::erased_at.eq(at),
            erasure_certificates::erased_by.eq(actor.staff_id.as_str()),
            erasure_certificates::document.eq(&json),
            erasure_certificates::html.eq(&html),
            erasure_certificates::fingerprint.eq(&fingerprint),
            erasure_certificates::updated_at.eq(at),
            erasure_certificates::updated_device.eq(actor.device_id.as_str()),
        ))
        .execute(conn)?;
    let summary = serde_json::from_str(&json).unwrap_or(serde_json::Value::Null);
    Ok(ErasureOutcome {
        certificate_id,
        certificate,
        summary,
        html,
        probes: Probes(needles.probe.clone()),
    })
}

fn warn_if_residue(person: &str, occurrences: u64) {
    if occurrences > 0 {
        // Never silently: the certificate says it and the DPO sees it.
        tracing::error!(
            subject = person,
            occurrences,
            "residual data found after erasure"
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn hold(
    conn: &mut SqliteConnection,
    actor: &Actor,
    person: &str,
    table: &str,
    record: &str,
    rule: &str,
    until: NaiveDate,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(legal_holds::table)
        .values((
            legal_holds::id.eq(new_id()),
            legal_holds::subject_ref.eq(person),
            legal_holds::record_table.eq(table),
            legal_holds::record_id.eq(record),
            legal_holds::reason.eq(rule),
            legal_holds::held_until.eq(until.and_hms_opt(0, 0, 0).unwrap_or(at)),
            legal_holds::created_at.eq(at),
            legal_holds::updated_at.eq(at),
            legal_holds::updated_device.eq(actor.device_id.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Rows left that still name the person, and occurrences of their identity
/// in the texts that are kept (their former forum posts, the register, report
/// rows). Zero after a good erasure.
fn targeted_residue(
    conn: &mut SqliteConnection,
    person: &str,
    needles: &Needles,
    former_posts: &[String],
) -> Result<u64, StoreError> {
    let mut left = count_rows(conn, "participants", "id", person)? as u64;
    for reference in PARTICIPANT_REFERENCES {
        left += count_rows(conn, reference.table, reference.column, person)? as u64;
    }
    let bodies: Vec<String> = forum_posts::table
        .filter(forum_posts::id.eq_any(former_posts))
        .select(forum_posts::body)
        .load(conn)?;
    for body in &bodies {
        let lower = body.to_lowercase();
        left += needles
            .scrub
            .iter()
            .filter(|n| n.chars().count() >= 2 && lower.contains(&n.to_lowercase()))
            .count() as u64;
    }
    for (_, needle) in &needles.probe {
        for sql in [
            "SELECT count(*) AS n FROM forum_posts WHERE instr(lower(body), lower(?)) > 0",
            "SELECT count(*) AS n FROM rights_requests WHERE instr(lower(coalesce(grounds, '') || ' ' || coalesce(identity_check_method, '')), lower(?)) > 0",
            "SELECT count(*) AS n FROM rights_request_actions WHERE instr(lower(coalesce(detail, '')), lower(?)) > 0",
            "SELECT count(*) AS n FROM import_unmatched WHERE instr(lower(email), lower(?)) > 0",
            "SELECT count(*) AS n FROM payments_unmatched WHERE instr(lower(payer_email || ' ' || payer_name), lower(?)) > 0",
        ] {
            left += diesel::sql_query(sql)
                .bind::<Text, _>(needle.as_str())
                .get_result::<Count>(conn)?
                .n as u64;
        }
    }
    Ok(left)
}

/// Where and how to read the store's pages: its file and raw key. Taken
/// under the store's lock, used without it.
#[derive(Clone)]
pub struct PageReader {
    pub(crate) path: std::path::PathBuf,
    pub(crate) key: crate::StoreKey,
}

/// The deep residual check of an erasure (POL-25's proof of "nothing
/// left"): decrypts every page of the file and its WAL, looking for the
/// person's name, e-mail and phone. Needs no lock on the store: the caller
/// checkpoints first ([`crate::Store::checkpoint`]) and keeps the background
/// checkpointer from rewriting pages meanwhile ([`crate::checkpoint::Checkpointer::pause`]).
pub fn deep_check(reader: &PageReader, probes: &Probes) -> Result<pagescan::Report, StoreError> {
    let list: Vec<pagescan::Needle> = probes
        .0
        .iter()
        .filter(|(_, v)| v.len() >= 3)
        .map(|(label, v)| pagescan::Needle {
            label,
            bytes: v.as_bytes(),
        })
        .collect();
    pagescan::scan(&reader.path, reader.key.bytes(), &list)
        .map_err(|e| StoreError::Database(e.to_string()))
}

/// Adds the deep check's figures to the certificate of `erased` and stores
/// it again (its document, HTML and fingerprint).
pub fn record_deep_check(
    conn: &mut SqliteConnection,
    actor: &Actor,
    erased: ErasureOutcome,
    report: &pagescan::Report,
    now: DateTime<Utc>,
) -> Result<ErasureOutcome, StoreError> {
    gate::run(conn, actor, Action::ErasureDeepCheck, now, |gate| {
        let mut certificate = erased.certificate.clone();
        let check = &mut certificate.residual_check;
        check.pages_scanned = u64::from(report.main_pages);
        check.wal_frames_scanned = u64::from(report.wal_frames);
        check.occurrences += report.hits.len() as u64;
        check.method_fr.push_str(" Contrôle complet : après report du journal (checkpoint), chaque page du fichier chiffré, pages libres et journal compris, a été déchiffrée et parcourue.");
        warn_if_residue(&certificate.subject_ref, report.hits.len() as u64);
        let json = certificate.to_json();
        let html = certificate.to_html_fr();
        let stamp = gate.stamp(
            erasure_certificates::updated_at,
            erasure_certificates::updated_device,
        );
        let updated = diesel::update(erasure_certificates::table.find(&erased.certificate_id))
            .set((
                erasure_certificates::document.eq(&json),
                erasure_certificates::html.eq(&html),
                erasure_certificates::fingerprint.eq(certificate.fingerprint()),
                stamp,
            ))
            .execute(gate.conn())?;
        if updated != 1 {
            return Err(StoreError::NotFound(format!(
                "certificate {}",
                erased.certificate_id
            )));
        }
        Ok(ErasureOutcome {
            certificate_id: erased.certificate_id.clone(),
            summary: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
            certificate,
            html,
            probes: Probes::default(),
        })
    })
}

/// A stored certificate, as HTML (DPO only).
pub fn certificate_html(
    conn: &mut SqliteConnection,
    actor: &Actor,
    certificate_id: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    gate::run(conn, actor, Action::ErasureCertificateRead, now, |gate| {
        erasure_certificates::table
            .find(certificate_id)
            .select(erasure_certificates::html)
            .first::<String>(gate.conn())
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("certificate {certificate_id}")))
    })
}
