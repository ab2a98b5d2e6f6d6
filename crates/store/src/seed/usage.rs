//! Issue 16: the demo's usage, obviously fictional, and its statistics.
//! Over the three months before the seed's `now` (and the current one up
//! to `now`): sections of the website viewed (`accueil`, `ateliers`, …;
//! `temoignages` by three people each month, so one cell is shown as
//! "< 5"), anonymous visits, an autumn series of two webinars for the
//! webinar groups (attendance, a few questions, the website's
//! `session.joined` and `programme.step_reached` events), truncated
//! addresses from the documentation ranges only. Then the releases of the
//! three ended months, published by the demo DPO (a laptop's demo store
//! has no server and no statistics account).

use super::*;
use crate::statistics::facts::month_start;
use domain::statistics::Month;
use domain::{Actor, DeviceId, StaffId};

/// A seeded participant, as the usage needs them.
pub(super) struct Person {
    pub id: String,
    pub group: usize,
    pub confirmed: bool,
}

/// Sections and the share of the demo's people who view each in a month.
const SECTIONS: [(&str, f64); 6] = [
    ("accueil", 0.9),
    ("ateliers", 0.55),
    ("ecoute-active", 0.4),
    ("webinaires", 0.3),
    ("forum", 0.25),
    ("ressources", 0.15),
];
/// Viewed by three people a month (every 20th person from the fourth).
const RARE_SECTION: &str = "temoignages";

const ADDRESSES: [&str; 4] = ["192.0.0.0", "198.51.0.0", "203.0.0.0", "2001:db8:4d2::"];
const AGENT: &str = "Navigateur-Démo/1.0 (fictif)";

/// One usage event of the demo.
struct Trace {
    participant: Option<String>,
    seconds: Option<i32>,
    at: NaiveDateTime,
    event: &'static str,
    section: Option<&'static str>,
    programme: Option<String>,
    step: Option<i32>,
    session: Option<String>,
}

impl Trace {
    fn view(participant: Option<&str>, at: NaiveDateTime, section: &'static str) -> Self {
        Trace {
            participant: participant.map(str::to_owned),
            seconds: Some(120),
            at,
            event: "section.viewed",
            section: Some(section),
            programme: None,
            step: None,
            session: None,
        }
    }
}

fn insert_traces(
    conn: &mut SqliteConnection,
    device: &str,
    t: NaiveDateTime,
    rows: &[Trace],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(100) {
        let values: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, row)| {
                (
                    technical_traces::id.eq(new_id()),
                    technical_traces::participant_id.eq(row.participant.clone()),
                    technical_traces::ip_address.eq(Some(ADDRESSES[i % ADDRESSES.len()])),
                    technical_traces::user_agent.eq(Some(AGENT)),
                    technical_traces::session_seconds.eq(row.seconds),
                    technical_traces::recorded_at.eq(row.at),
                    technical_traces::updated_at.eq(t),
                    technical_traces::updated_device.eq(device),
                    technical_traces::event.eq(Some(row.event)),
                    technical_traces::section.eq(row.section),
                    technical_traces::programme_id.eq(row.programme.clone()),
                    technical_traces::step.eq(row.step),
                    technical_traces::session_id.eq(row.session.clone()),
                )
            })
            .collect();
        diesel::insert_into(technical_traces::table)
            .values(values)
            .execute(conn)?;
    }
    Ok(())
}

/// A random instant in `[from, to)`.
fn between(rng: &mut StdRng, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
    let span = (to - from).num_seconds().max(1);
    from + Duration::seconds(rng.gen_range(0..span))
}

/// Seeds the usage (see the module doc) and publishes the three releases.
pub(super) fn seed_usage(
    conn: &mut SqliteConnection,
    device: &str,
    now: DateTime<Utc>,
    people: &[Person],
    groups: &[NewGroup],
    dpo: &str,
) -> Result<(), StoreError> {
    let mut rng = StdRng::seed_from_u64(20_261_209);
    let t = naive(now);
    let mut traces: Vec<Trace> = Vec::new();

    // The webinars' autumn series: two sessions before the others.
    for (index, group) in groups.iter().enumerate().filter(|(i, _)| i % 3 == 2) {
        for (rank, weeks) in [(1, 7i64), (2, 5)] {
            let starts = naive(now - Duration::weeks(weeks) + Duration::hours(2 * index as i64));
            let session = NewSession {
                id: new_id(),
                group_id: group.id.clone(),
                kind: "webinar".into(),
                title: format!("{} — série d'automne {rank}", group.name),
                starts_at: starts,
                ends_at: starts + Duration::minutes(60),
                room_id: None,
                updated_at: t,
                updated_device: device.to_owned(),
            };
            diesel::insert_into(sessions::table)
                .values(&session)
                .execute(conn)?;
            let members = people.iter().filter(|p| p.confirmed && p.group == index);
            for (n, person) in members.enumerate() {
                if !rng.gen_bool(0.8) {
                    continue;
                }
                let joined = starts + Duration::minutes(rng.gen_range(0..8));
                diesel::insert_into(attendance::table)
                    .values(NewAttendance {
                        id: new_id(),
                        session_id: session.id.clone(),
                        participant_id: person.id.clone(),
                        joined_at: joined,
                        left_at: Some(session.ends_at - Duration::minutes(rng.gen_range(0..10))),
                        updated_at: t,
                        updated_device: device.to_owned(),
                    })
                    .execute(conn)?;
                if n % 3 == rank % 3 {
                    diesel::insert_into(questions::table)
                        .values(NewQuestion {
                            id: new_id(),
                            session_id: session.id.clone(),
                            participant_id: person.id.clone(),
                            asked_at: joined + Duration::minutes(25),
                            body: QUESTIONS[(n + rank) % QUESTIONS.len()].into(),
                            updated_at: t,
                            updated_device: device.to_owned(),
                        })
                        .execute(conn)?;
                }
                let seconds = Some(rng.gen_range(1800..3600));
                traces.push(Trace {
                    participant: Some(person.id.clone()),
                    seconds,
                    at: joined,
                    event: "session.joined",
                    section: None,
                    programme: None,
                    step: None,
                    session: Some(session.id.clone()),
                });
                traces.push(Trace {
                    participant: Some(person.id.clone()),
                    seconds,
                    at: joined,
                    event: "programme.step_reached",
                    section: None,
                    programme: Some(group.programme_id.clone()),
                    step: Some(rank as i32),
                    session: None,
                });
            }
        }
    }

    // The website's sections, over the three months before now and this one.
    let this_month = Month::of(now);
    let released = [
        this_month.previous().previous().previous(),
        this_month.previous().previous(),
        this_month.previous(),
    ];
    for month in released.iter().copied().chain([this_month]) {
        let from = month_start(month);
        let to = month_start(month.next()).min(t);
        if to <= from {
            continue;
        }
        for (n, person) in people.iter().enumerate() {
            for (section, share) in SECTIONS {
                if rng.gen_bool(share) {
                    for _ in 0..rng.gen_range(1..=3) {
                        let at = between(&mut rng, from, to);
                        traces.push(Trace::view(Some(&person.id), at, section));
                    }
                }
            }
            if n % 20 == 3 {
                let at = between(&mut rng, from, to);
                traces.push(Trace::view(Some(&person.id), at, RARE_SECTION));
            }
        }
        // Visitors who are not signed in (no participant: counted by no one).
        for _ in 0..20 {
            let at = between(&mut rng, from, to);
            traces.push(Trace::view(
                None,
                at,
                SECTIONS[rng.gen_range(0..SECTIONS.len())].0,
            ));
        }
    }
    traces.sort_by_key(|row| row.at);
    insert_traces(conn, device, t, &traces)?;

    let dpo = Actor::new(
        StaffId(dpo.to_owned()),
        Role::Dpo,
        DeviceId(device.to_owned()),
    );
    for month in released {
        crate::statistics::run::publish(conn, &dpo, month, now)?;
    }
    Ok(())
}
