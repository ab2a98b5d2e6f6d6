//! The DPO's desk and the registers on demo data (issue 4).

use crate::StoreError;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::new_id;

use super::*;

/// The DPO's desk on demo data (issue 4): rights requests in every state of
/// urgency, accounts due for each retention step, old technical traces, the
/// policy's current version, and the legal hold of an earlier erasure. Only
/// waitlisted people and pending requests are touched, so trainers' scopes
/// stay as they are.
pub(super) fn seed_dpo_desk(
    conn: &mut SqliteConnection,
    device: &str,
    now: DateTime<Utc>,
    dpo: &str,
) -> Result<(), StoreError> {
    use diesel::connection::SimpleConnection;
    let waitlisted: Vec<String> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::status.eq_any(["waitlisted", "requested"]))
        .order(participants::email)
        .select(participants::id)
        .limit(7)
        .load(conn)?;
    if waitlisted.len() < 7 {
        return Ok(());
    }
    let at = |days: i64| {
        naive(now - Duration::days(days))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let day = |days: i64| {
        naive(now - Duration::days(days))
            .format("%Y-%m-%d 00:00:00")
            .to_string()
    };
    let t = at(0);
    let [idle, unreminded, unanswered, access, erasure, rectification, objection] =
        [0, 1, 2, 3, 4, 5, 6].map(|i| waitlisted[i].clone());
    let mut sql = format!(
        "UPDATE participants SET last_login_at = '{}' WHERE id = '{idle}';
         UPDATE participants SET last_login_at = '{}', account_status = 'inactive' WHERE id = '{unreminded}';
         UPDATE participants SET last_login_at = '{}', account_status = 'reminded', reminded_at = '{}' WHERE id = '{unanswered}';",
        at(19 * 31),
        at(25 * 31),
        at(28 * 31),
        at(3 * 31 + 5),
    );
    for n in 0..3 {
        sql.push_str(&format!(
            "INSERT INTO technical_traces (id, participant_id, ip_address, user_agent, session_seconds, recorded_at, updated_at, updated_device) VALUES ('{}', '{idle}', '198.51.100.{n}', 'Navigateur-Démo/0.9', 300, '{}', '{t}', '{device}');",
            new_id(),
            at(14 * 31 + n),
        ));
    }
    let requests = [
        (
            &access,
            "access",
            "email",
            16,
            "identity_checked",
            "Réponse depuis l'adresse connue du compte",
        ),
        (&erasure, "erasure", "post", 2, "received", ""),
        (
            &rectification,
            "rectification",
            "phone",
            30,
            "in_progress",
            "Rappel au numéro du compte",
        ),
        (
            &objection,
            "objection",
            "email",
            5,
            "identity_checked",
            "Réponse depuis l'adresse connue du compte",
        ),
    ];
    for (person, kind, channel, days, status, method) in requests {
        let method = method.replace('\'', "''");
        let method = method.as_str();
        let id = new_id();
        let checked = !method.is_empty();
        let purpose = if kind == "objection" {
            "'module_suggestions'"
        } else {
            "NULL"
        };
        sql.push_str(&format!(
            "INSERT INTO rights_requests (id, participant_id, kind, channel, received_at, identity_check_method, identity_checked_by, identity_checked_at, status, updated_at, updated_device, objection_purpose)
               VALUES ('{id}', '{person}', '{kind}', '{channel}', '{}', {}, {}, {}, '{status}', '{t}', '{device}', {purpose});
             INSERT INTO rights_request_actions VALUES ('{}', '{id}', '{}', '{dpo}', 'registered', NULL, NULL, '{t}', '{device}');",
            day(days),
            if checked { format!("'{method}'") } else { "NULL".into() },
            if checked { format!("'{dpo}'") } else { "NULL".into() },
            if checked { format!("'{}'", at(days - 1)) } else { "NULL".into() },
            new_id(),
            at(days),
        ));
        if checked {
            sql.push_str(&format!(
                "INSERT INTO rights_request_actions VALUES ('{}', '{id}', '{}', '{dpo}', 'identity_checked', NULL, '{method}', '{t}', '{device}');",
                new_id(),
                at(days - 1),
            ));
        }
    }
    // The policy of 14 January 2025, and the kept records of an earlier erasure.
    let erased = new_id();
    let (payment, invoice) = (new_id(), new_id());
    sql.push_str(&format!(
        "INSERT INTO policy_versions VALUES ('{}', '2025-01-14', '2025-01-14 00:00:00', '2025-01-14 00:00:00', 0, 'Politique de confidentialité en vigueur', '{t}', '{device}');
         INSERT INTO payments (id, participant_id, enrolment_id, amount_cents, currency, status, processor_ref, paid_at, updated_at, updated_device) VALUES ('{payment}', NULL, NULL, 9000, 'EUR', 'confirmed', 'PSP-DEMO-ERASED', '2025-03-10 10:00:00', '{t}', '{device}');
         INSERT INTO invoices VALUES ('{invoice}', NULL, '{payment}', 'F-DEMO-2025-0042', 'invoice', 9000, '2025-03-11 10:00:00', '{t}', '{device}');
         INSERT INTO legal_holds VALUES ('{}', '{erased}', 'payments', '{payment}', 'POL-25a', '2032-03-11 00:00:00', '{t}', '{t}', '{device}');
         INSERT INTO legal_holds VALUES ('{}', '{erased}', 'invoices', '{invoice}', 'POL-31', '2032-03-11 00:00:00', '{t}', '{t}', '{device}');",
        new_id(),
        new_id(),
        new_id(),
    ));
    conn.batch_execute(&sql)?;
    Ok(())
}

pub(super) fn seed_registers(
    conn: &mut SqliteConnection,
    device: &str,
    t: NaiveDateTime,
) -> Result<(), StoreError> {
    let activities = [
        (
            "Inscriptions et suivi des programmes",
            "Gestion des inscriptions, accès aux contenus, suivi de progression",
            "contract",
            None,
            "identité, situation familiale, progression",
            "durée du compte + 27 mois d'inactivité",
        ),
        (
            "Bulletin mensuel",
            "Envoi du bulletin",
            "consent",
            None,
            "identité",
            "jusqu'au retrait du consentement",
        ),
        (
            "Analyses internes",
            "Statistiques agrégées d'usage",
            "legitimate_interest",
            Some("Mise en balance documentée : agrégats k ≥ 5, aucune donnée nominative"),
            "traces techniques",
            "13 mois",
        ),
        (
            "Comptabilité",
            "Factures et reçus",
            "legal_obligation",
            None,
            "paiements, factures",
            "6 ans (transactions), 7 ans (factures)",
        ),
    ];
    for (name, purpose, basis, balancing, categories, retention) in activities {
        diesel::insert_into(processing_register::table)
            .values(NewProcessingActivity {
                id: new_id(),
                name: name.into(),
                purpose: purpose.into(),
                legal_basis: basis.into(),
                balancing_test: balancing.map(Into::into),
                data_categories: categories.into(),
                retention: retention.into(),
                updated_at: t,
                updated_device: device.into(),
            })
            .execute(conn)?;
    }
    let processors_list = [
        (
            "Hébergeur (fictif)",
            "hébergement de la plateforme",
            "France",
            false,
            None,
        ),
        (
            "Messagerie (fictive)",
            "envoi des e-mails",
            "Irlande",
            false,
            None,
        ),
        (
            "Visioconférence (fictive)",
            "webinaires",
            "États-Unis",
            true,
            Some("clauses contractuelles types"),
        ),
        ("Paiement (fictif)", "encaissement", "Pays-Bas", false, None),
    ];
    for (name, service, country, outside, safeguard) in processors_list {
        diesel::insert_into(processors::table)
            .values(NewProcessor {
                id: new_id(),
                name: name.into(),
                service: service.into(),
                country: country.into(),
                outside_eea: outside,
                transfer_safeguard: safeguard.map(Into::into),
                updated_at: t,
                updated_device: device.into(),
            })
            .execute(conn)?;
    }
    Ok(())
}
