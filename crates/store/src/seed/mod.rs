//! Fictional data: a small demo dataset (obviously fake names, `example.test`
//! e-mails, phone numbers from the range ARCEP reserves for fiction) and a
//! large synthetic one for benchmarks. Never a real person's data.

use crate::auth::create_staff;
use crate::models::*;
use crate::open::set_meta;
use crate::schema::*;
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{new_id, Role};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod desk;
mod large;
mod usage;
use desk::{seed_dpo_desk, seed_registers};
pub use large::{seed_large, synthetic_family_name, LargeSize};

/// A demo account, listed on the sign-in screen of a demo store.
#[derive(Clone, Debug, serde::Serialize, ts_rs::TS)]
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub display_name: &'static str,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 7] = [
    DemoAccount {
        username: "formatrice.a",
        password: "demo-formatrice-a",
        role: Role::Trainer,
        display_name: "Alice Formatrice-Démo",
    },
    DemoAccount {
        username: "formateur.b",
        password: "demo-formateur-b",
        role: Role::Trainer,
        display_name: "Bruno Formateur-Démo",
    },
    DemoAccount {
        username: "formatrice.c",
        password: "demo-formatrice-c",
        role: Role::Trainer,
        display_name: "Chloé Formatrice-Démo",
    },
    DemoAccount {
        username: "intervenant.x",
        password: "demo-intervenant-x",
        role: Role::ExternalTrainer,
        display_name: "Xavier Intervenant-Démo",
    },
    DemoAccount {
        username: "admin.lemans",
        password: "demo-admin-lemans",
        role: Role::Administrator,
        display_name: "Aurore Administration-Démo",
    },
    DemoAccount {
        username: "dpo",
        password: "demo-dpo",
        role: Role::Dpo,
        display_name: "Denis Délégué-Démo",
    },
    DemoAccount {
        username: "support",
        password: "demo-support",
        role: Role::Support,
        display_name: "Sam Support-Démo",
    },
];

const GIVEN_NAMES: [&str; 20] = [
    "Camille", "Léa", "Hugo", "Manon", "Théo", "Inès", "Louis", "Jade", "Nathan", "Zoé", "Lucas",
    "Chloé", "Arthur", "Emma", "Jules", "Lina", "Noah", "Rose", "Paul", "Alma",
];

/// Family names that say they are invented.
const FAMILY_NAMES: [(&str, &str); 12] = [
    ("Fictif", "fictif"),
    ("Exemple", "exemple"),
    ("Démo", "demo"),
    ("Testeur", "testeur"),
    ("Imaginaire", "imaginaire"),
    ("Factice", "factice"),
    ("Inventé", "invente"),
    ("Fantaisie", "fantaisie"),
    ("Maquette", "maquette"),
    ("Essai", "essai"),
    ("Simulé", "simule"),
    ("Prototype", "prototype"),
];

const OBJECTIVES: [&str; 6] = [
    "Mieux écouter sans interrompre pendant les repas.",
    "Garder son calme lors des devoirs du soir.",
    "Instaurer un moment d'échange hebdomadaire en famille.",
    "Reformuler les émotions de l'enfant avant de répondre.",
    "Réduire les conflits au moment du coucher.",
    "Encourager l'aîné à exprimer ses besoins.",
];

const NOTES: [&str; 5] = [
    "Progrès nets sur la reformulation ; à encourager.",
    "A partagé une situation difficile, à suivre en douceur.",
    "Exercice du miroir réussi, souhaite approfondir.",
    "Absent à la dernière séance, prévoir un rattrapage.",
    "Très impliqué dans les jeux de rôle.",
];

const QUESTIONS: [&str; 5] = [
    "Comment réagir quand mon enfant refuse de parler ?",
    "Quelle durée conseillez-vous pour le rituel du soir ?",
    "Peut-on adapter l'exercice pour un adolescent ?",
    "Que faire si les deux parents ne sont pas d'accord ?",
    "Y a-t-il des lectures recommandées ?",
];

const AGE_BRACKETS: [&str; 5] = ["0-3", "4-6", "7-11", "12-15", "16-18"];

fn naive(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

/// What the demo seed created, for tests (leak checks look for these strings).
#[derive(Clone, Debug, Default)]
pub struct DemoSummary {
    pub participants: usize,
    pub groups: usize,
    /// Every seeded participant's name, e-mail and phone.
    pub personal_strings: Vec<String>,
}

/// Creates the demo dataset at `now`: 7 staff accounts (3 trainers, 1 external
/// trainer, 1 administrator, 1 DPO, 1 support agent), 60 families, 8 groups,
/// sessions, attendance, questions, forum posts, payments and the registers;
/// the website's usage and the statistics of the three months before `now`
/// (issue 16).
pub fn seed_demo(store: &mut Store, now: DateTime<Utc>) -> Result<DemoSummary, StoreError> {
    let mut rng = StdRng::seed_from_u64(20_261_125);
    let device = store.device.as_str().to_owned();
    let t = naive(now);
    let mut staff_ids = Vec::new();
    for account in &DEMO_ACCOUNTS {
        staff_ids.push(create_staff(
            store,
            account.username,
            account.display_name,
            account.role,
            account.password,
            now,
        )?);
    }
    let trainers = [&staff_ids[0], &staff_ids[1], &staff_ids[2]];
    let external = &staff_ids[3];
    let support = &staff_ids[6];
    let conn = &mut store.conn;
    let mut summary = DemoSummary::default();
    let mut people: Vec<usage::Person> = Vec::new();

    crate::tx::immediate(conn, |conn| {
        let programmes = [
            ("Écouter en famille — les bases", "workshop", false),
            ("Écoute avancée — adolescents", "workshop", true),
            ("Webinaires parents", "webinar", false),
        ];
        let programme_ids: Vec<String> = programmes.iter().map(|_| new_id()).collect();
        diesel::insert_into(crate::schema::programmes::table)
            .values(
                programmes
                    .iter()
                    .zip(&programme_ids)
                    .map(|((name, format, advanced), id)| NewProgramme {
                        id: id.clone(),
                        name: (*name).into(),
                        format: (*format).into(),
                        advanced: *advanced,
                        updated_at: t,
                        updated_device: device.clone(),
                    })
                    .collect::<Vec<_>>(),
            )
            .execute(conn)?;
        let room_names = [
            ("Salle Sarthe", 14),
            ("Salle Huisne", 10),
            ("Salle des Jacobins", 20),
        ];
        let room_ids: Vec<String> = room_names.iter().map(|_| new_id()).collect();
        diesel::insert_into(rooms::table)
            .values(
                room_names
                    .iter()
                    .zip(&room_ids)
                    .map(|((name, capacity), id)| NewRoom {
                        id: id.clone(),
                        name: (*name).into(),
                        capacity: *capacity,
                        updated_at: t,
                        updated_device: device.clone(),
                    })
                    .collect::<Vec<_>>(),
            )
            .execute(conn)?;

        // 8 groups: trainer A leads 3, B 3, C 2; the external trainer runs C's last workshop.
        let days = [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "mardi", "jeudi",
        ];
        let slots = [
            "mon-18:30",
            "tue-18:30",
            "wed-18:30",
            "thu-18:30",
            "fri-18:30",
            "sat-10:00",
            "tue-20:00",
            "thu-20:00",
        ];
        let hours = [
            "18:30–20:00",
            "18:30–20:00",
            "18:30–20:00",
            "18:30–20:00",
            "18:30–20:00",
            "10:00–11:30",
            "20:00–21:30",
            "20:00–21:30",
        ];
        let mut groups = Vec::new();
        for index in 0..8usize {
            let trainer = trainers[match index {
                0..=2 => 0,
                3..=5 => 1,
                _ => 2,
            }];
            let programme = index % 3;
            groups.push(NewGroup {
                id: new_id(),
                programme_id: programme_ids[programme].clone(),
                name: format!("Groupe {} — {}", (b'A' + index as u8) as char, days[index]),
                trainer_id: trainer.as_str().into(),
                external_trainer_id: (index == 7).then(|| external.as_str().to_owned()),
                capacity: 10,
                schedule: format!("{} {}", days[index], hours[index]),
                slot: slots[index].into(),
                room_id: (programme != 2).then(|| room_ids[index % 3].clone()),
                updated_at: t,
                updated_device: device.clone(),
            });
        }
        diesel::insert_into(workshop_groups::table)
            .values(&groups)
            .execute(conn)?;

        // 4 sessions per group: two past, two upcoming.
        let mut sessions = Vec::new();
        for (index, group) in groups.iter().enumerate() {
            let webinar = index % 3 == 2;
            for week in [-3i64, -1, 1, 3] {
                let starts = now + Duration::weeks(week) + Duration::hours(2 * index as i64);
                sessions.push(NewSession {
                    id: new_id(),
                    group_id: group.id.clone(),
                    kind: if webinar { "webinar" } else { "in_person" }.into(),
                    title: format!(
                        "{} — séance {}",
                        group.name,
                        match week {
                            -3 => 1,
                            -1 => 2,
                            1 => 3,
                            _ => 4,
                        }
                    ),
                    starts_at: naive(starts),
                    ends_at: naive(starts + Duration::minutes(90)),
                    room_id: group.room_id.clone(),
                    updated_at: t,
                    updated_device: device.clone(),
                });
            }
        }
        diesel::insert_into(crate::schema::sessions::table)
            .values(&sessions)
            .execute(conn)?;

        for index in 0..60usize {
            let given = GIVEN_NAMES[index % GIVEN_NAMES.len()];
            let (family, family_ascii) = FAMILY_NAMES[index % FAMILY_NAMES.len()];
            let email = format!(
                "{}.{}.{:02}@example.test",
                given.to_lowercase().replace(['é', 'è'], "e"),
                family_ascii,
                index
            );
            let phone =
                (index % 3 != 0).then(|| format!("+33 6 39 98 {:02} {:02}", index / 10, index));
            let id = new_id();
            summary.personal_strings.push(family.to_owned() + "");
            summary.personal_strings.push(email.clone());
            if let Some(phone) = &phone {
                summary.personal_strings.push(phone.clone());
            }
            diesel::insert_into(participants::table)
                .values(NewParticipant {
                    id: id.clone(),
                    given_name: given.into(),
                    family_name: family.into(),
                    email,
                    phone,
                    certified_16_plus_at: naive(now - Duration::days(200 + index as i64)),
                    last_login_at: Some(naive(now - Duration::days(rng.gen_range(0..400)))),
                    account_status: "active".into(),
                    marketing_opt_out: index % 7 == 0,
                    created_at: naive(now - Duration::days(300)),
                    updated_at: t,
                    updated_device: device.clone(),
                })
                .execute(conn)?;

            let group_index = index % 8;
            let group = &groups[group_index];
            let status = match index / 8 {
                0..=5 => "confirmed",
                6 => "requested",
                _ => "waitlisted",
            };
            let enrolment_id = new_id();
            diesel::insert_into(enrolments::table)
                .values(NewEnrolment {
                    id: enrolment_id.clone(),
                    participant_id: id.clone(),
                    programme_id: group.programme_id.clone(),
                    // Requests wait in the office's inbox without a group.
                    group_id: (status != "requested").then(|| group.id.clone()),
                    status: status.into(),
                    // Available for the group's slot and the next one of the
                    // same programme; first choice: their group's slot.
                    available_slots: [slots[group_index], slots[(group_index + 3) % 8]].join(","),
                    preferred_slot: Some(slots[group_index].into()),
                    requested_at: naive(now - Duration::days(60 - index as i64 % 7)),
                    decided_at: match status {
                        "confirmed" => Some(naive(now - Duration::days(50))),
                        "waitlisted" => Some(naive(now - Duration::days(40 - index as i64 % 5))),
                        _ => None,
                    },
                    decided_by: None,
                    waiver_reason: None,
                    updated_at: t,
                    updated_device: device.clone(),
                })
                .execute(conn)?;
            let payment_id = new_id();
            // Confirmed places are paid; half of the pending requests too (the
            // office can confirm those, and is refused the others).
            let paid = status == "confirmed" || (status == "requested" && index % 2 == 0);
            diesel::insert_into(payments::table)
                .values(NewPayment {
                    id: payment_id.clone(),
                    participant_id: Some(id.clone()),
                    enrolment_id: Some(enrolment_id),
                    amount_cents: 12_000,
                    currency: "EUR".into(),
                    status: if paid { "confirmed" } else { "pending" }.into(),
                    processor_ref: format!("DEMO-TX-{:05}", index),
                    paid_at: paid.then(|| naive(now - Duration::days(52))),
                    updated_at: t,
                    updated_device: device.clone(),
                })
                .execute(conn)?;
            if paid {
                diesel::insert_into(invoices::table)
                    .values(NewInvoice {
                        id: new_id(),
                        participant_id: Some(id.clone()),
                        payment_id: Some(payment_id),
                        number: format!("DEMO-2026-{:04}", index),
                        kind: "invoice".into(),
                        amount_cents: 12_000,
                        issued_at: naive(now - Duration::days(52)),
                        updated_at: t,
                        updated_device: device.clone(),
                    })
                    .execute(conn)?;
            }
            if index % 2 == 0 {
                let children = 1 + (index % 3) as i32;
                let brackets: Vec<&str> = (0..children as usize)
                    .map(|c| AGE_BRACKETS[(index + c) % AGE_BRACKETS.len()])
                    .collect();
                diesel::insert_into(family_situations::table)
                    .values(NewFamilySituation {
                        participant_id: id.clone(),
                        children_count: children,
                        age_brackets: brackets.join(","),
                        challenges: Some("Tensions au moment des écrans (exemple fictif).".into()),
                        updated_at: t,
                        updated_device: device.clone(),
                    })
                    .execute(conn)?;
            }
            diesel::insert_into(objectives::table)
                .values(NewObjective {
                    id: new_id(),
                    participant_id: id.clone(),
                    body: OBJECTIVES[index % OBJECTIVES.len()].into(),
                    declared_at: naive(now - Duration::days(55)),
                    updated_at: t,
                    updated_device: device.clone(),
                })
                .execute(conn)?;
            diesel::insert_into(consents::table)
                .values(NewConsent {
                    id: new_id(),
                    participant_id: id.clone(),
                    purpose: "newsletter".into(),
                    granted: index % 4 != 0,
                    recorded_at: naive(now - Duration::days(58)),
                    source: "formulaire d'inscription".into(),
                    updated_at: t,
                    updated_device: device.clone(),
                })
                .execute(conn)?;
            diesel::insert_into(technical_traces::table)
                .values(NewTechnicalTrace {
                    id: new_id(),
                    participant_id: Some(id.clone()),
                    ip_address: Some(format!("192.0.2.{}", index + 1)),
                    user_agent: Some("Navigateur-Démo/1.0".into()),
                    session_seconds: Some(rng.gen_range(60..3600)),
                    recorded_at: naive(now - Duration::days(rng.gen_range(1..120))),
                    updated_at: t,
                    updated_device: device.clone(),
                })
                .execute(conn)?;

            if status == "confirmed" {
                let trainer = &group.trainer_id;
                let past: Vec<&NewSession> = sessions
                    .iter()
                    .filter(|s| s.group_id == group.id && s.starts_at < t)
                    .collect();
                for session in &past {
                    if rng.gen_bool(0.85) {
                        let joined = session.starts_at + Duration::minutes(rng.gen_range(0..10));
                        diesel::insert_into(attendance::table)
                            .values(NewAttendance {
                                id: new_id(),
                                session_id: session.id.clone(),
                                participant_id: id.clone(),
                                joined_at: joined,
                                left_at: Some(
                                    session.ends_at - Duration::minutes(rng.gen_range(0..15)),
                                ),
                                updated_at: t,
                                updated_device: device.clone(),
                            })
                            .execute(conn)?;
                    }
                }
                if index % 3 == 0 {
                    diesel::insert_into(questions::table)
                        .values(NewQuestion {
                            id: new_id(),
                            session_id: past[0].id.clone(),
                            participant_id: id.clone(),
                            asked_at: past[0].starts_at + Duration::minutes(40),
                            body: QUESTIONS[index % QUESTIONS.len()].into(),
                            updated_at: t,
                            updated_device: device.clone(),
                        })
                        .execute(conn)?;
                }
                if index % 2 == 1 {
                    diesel::insert_into(progress_notes::table)
                        .values(NewProgressNote {
                            id: new_id(),
                            participant_id: id.clone(),
                            author_id: trainer.clone(),
                            body: NOTES[index % NOTES.len()].into(),
                            written_at: naive(now - Duration::days(7)),
                            updated_at: t,
                            updated_device: device.clone(),
                        })
                        .execute(conn)?;
                }
            }
            if index % 3 == 1 {
                diesel::insert_into(forum_posts::table)
                    .values(NewForumPost {
                        id: new_id(),
                        participant_id: Some(id.clone()),
                        thread: "Rituels du soir".into(),
                        body: format!(
                            "Bonjour, ici {given} (compte fictif). Le rituel du soir marche mieux depuis deux semaines."
                        ),
                        posted_at: naive(now - Duration::days(rng.gen_range(1..90))),
                        anonymised: false,
                        updated_at: t,
                        updated_device: device.clone(),
                    })
                    .execute(conn)?;
            }
            if index == 5 {
                diesel::insert_into(assistance_requests::table)
                    .values(NewAssistanceRequest {
                        id: new_id(),
                        participant_id: id.clone(),
                        support_id: support.as_str().into(),
                        opened_at: naive(now - Duration::hours(2)),
                        expires_at: naive(now + Duration::hours(46)),
                        closed_at: None,
                        updated_at: t,
                        updated_device: device.clone(),
                    })
                    .execute(conn)?;
            }
            people.push(usage::Person {
                id: id.clone(),
                group: group_index,
                confirmed: status == "confirmed",
            });
            summary.participants += 1;
        }
        // Issue 16: the website's usage and the statistics released from it.
        usage::seed_usage(conn, &device, now, &people, &groups, staff_ids[5].as_str())?;
        seed_registers(conn, &device, t)?;
        seed_dpo_desk(conn, &device, now, staff_ids[5].as_str())?;
        summary.groups = groups.len();
        Ok::<_, StoreError>(())
    })?;
    // The given names are common first names; the family names and contact
    // details are what identifies a seeded person.
    summary.personal_strings.sort();
    summary.personal_strings.dedup();
    set_meta(store, "demo", "true")?;
    Ok(summary)
}

/// Whether the store holds no staff account yet (seeding refuses a non-empty store).
pub fn is_empty(store: &mut Store) -> Result<bool, StoreError> {
    let count: i64 = staff::table.count().get_result(&mut store.conn)?;
    Ok(count == 0)
}
