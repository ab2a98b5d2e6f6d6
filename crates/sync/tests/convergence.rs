//! DC-5 convergence property test: random operations by trainers, an administrator and the DPO while randomly offline, synced in random orders.
//!
//! Afterwards every laptop equals the server's projection of its scope
//! (`assert_converged`), no erased participant exists anywhere, every outbox
//! is empty, every store passes `PRAGMA integrity_check`, and every operation
//! a laptop applied was applied on the server, refused and listed in that
//! laptop's refusals, or discarded (and counted in the certificate) by a
//! local erasure of its subject: nothing is silently dropped.
//!
//! One template world (the server seeded with the demo data, four laptops
//! after their first sync) is built once; every case copies its store files
//! into fresh directories and reopens them with the same keys.
//!
//! Environment: `SYNC_CONVERGENCE_CASES` (default [`DEFAULT_CASES`]),
//! `SYNC_CONVERGENCE_SEED` (the first case's seed; case `i` runs with
//! `base + i`), `SYNC_CONVERGENCE_THREADS` (default: the cores, at most
//! [`MAX_THREADS`]), `SYNC_CONVERGENCE_TRACE=1` (print every case's steps).
//! A failing case prints its steps and the line that replays it alone:
//! `SYNC_CONVERGENCE_CASES=1 SYNC_CONVERGENCE_SEED=<seed> cargo test -p sync --test convergence`.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use diesel::prelude::*;
use domain::Actor;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use store::schema::{
    enrolments, progress_notes, sessions, sync_applied, sync_outbox, sync_refusals,
    sync_tombstones, workshop_groups,
};
use store::StoreKey;
use sync::Operation;

/// Cases run when `SYNC_CONVERGENCE_CASES` is not set. A case costs about
/// 0.26 s of CPU in a debug build (the sync and store crates are not
/// optimised): 1,000 cases took 5.6 min on two busy cores, so the default is
/// what fits about three minutes there. The ">= 1,000 in CI" needs
/// `SYNC_CONVERGENCE_CASES=1000` in the CI job (or more cores); a long run
/// sets more.
const DEFAULT_CASES: u64 = 500;
/// Most threads the cases run on (`SYNC_CONVERGENCE_THREADS` overrides).
const MAX_THREADS: u64 = 4;
/// Seed of the first case when `SYNC_CONVERGENCE_SEED` is not set.
const DEFAULT_SEED: u64 = 0x5EED_DC05;
/// The laptops of the world: two trainers, the office, the DPO.
const USERNAMES: [&str; 4] = ["formatrice.a", "formateur.b", "admin.lemans", "dpo"];
/// Most erasures one case makes (erasure is rare in real life, and each one
/// shrinks the world the other operations draw from).
const MAX_ERASURES: usize = 2;

const NOTE_BODIES: [&str; 4] = [
    "Travaille l'écoute active",
    "A pris la parole en groupe",
    "Préparer un exemple pour la séance suivante",
    "Objectif de la semaine atteint",
];
const OBJECTIVES: [&str; 3] = [
    "Poser des questions ouvertes",
    "Reformuler avant de répondre",
    "Un rituel du soir sans écran",
];

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {text:?}")),
        _ => default,
    }
}

// ---------------------------------------------------------------- template

struct TemplateLaptop {
    dir: tempfile::TempDir,
    key: StoreKey,
    actor: Actor,
    /// Participants held after the first sync.
    held: BTreeSet<String>,
}

/// The world every case starts from: closed, checkpointed store files.
struct Template {
    server_dir: tempfile::TempDir,
    server_key: StoreKey,
    now: DateTime<Utc>,
    laptops: Vec<TemplateLaptop>,
}

fn start_millis() -> u64 {
    u64::try_from(start().timestamp_millis()).unwrap()
}

fn build_template() -> Template {
    let dir = tempfile::tempdir().unwrap();
    let server_key = StoreKey::random();
    let mut store = store::open(&dir.path().join("server.db"), &server_key, true).unwrap();
    sync::server::enable(&mut store).unwrap();
    store::seed::seed_demo(&mut store, start()).unwrap();
    let mut server = Server {
        dir,
        store,
        now: start() + Duration::hours(1),
    };
    let mut laptops = Vec::new();
    for username in USERNAMES {
        let mut laptop = Laptop::new(&mut server, username);
        laptop.sync(&mut server).unwrap();
        assert_converged(&mut server, &mut laptop);
        let held: BTreeSet<String> = laptop.participants().into_iter().collect();
        assert!(
            !held.is_empty(),
            "{username}'s laptop holds someone after its first sync"
        );
        laptop.store.checkpoint().unwrap();
        let Laptop {
            dir,
            key,
            store,
            actor,
        } = laptop;
        drop(store);
        laptops.push(TemplateLaptop {
            dir,
            key,
            actor,
            held,
        });
    }
    server.store.checkpoint().unwrap();
    let Server { dir, store, now } = server;
    drop(store);
    Template {
        server_dir: dir,
        server_key,
        now,
        laptops,
    }
}

/// Copies `name` (and a non-empty WAL, should one be left) from `from` to `to`.
fn copy_store(from: &Path, to: &Path, name: &str) {
    std::fs::copy(from.join(name), to.join(name)).unwrap();
    let wal = format!("{name}-wal");
    if let Ok(meta) = std::fs::metadata(from.join(&wal)) {
        if meta.len() > 0 {
            std::fs::copy(from.join(&wal), to.join(&wal)).unwrap();
        }
    }
}

fn instantiate(template: &Template) -> (Server, Vec<Laptop>) {
    let dir = tempfile::tempdir().unwrap();
    copy_store(template.server_dir.path(), dir.path(), "server.db");
    let store = store::open(&dir.path().join("server.db"), &template.server_key, false).unwrap();
    let server = Server {
        dir,
        store,
        now: template.now,
    };
    let laptops = template
        .laptops
        .iter()
        .map(|t| {
            let dir = tempfile::tempdir().unwrap();
            copy_store(t.dir.path(), dir.path(), "laptop.db");
            let store = store::open(&dir.path().join("laptop.db"), &t.key, false).unwrap();
            assert_eq!(
                store.device(),
                &t.actor.device_id,
                "the copy keeps its device id"
            );
            Laptop {
                dir,
                key: t.key.clone(),
                store,
                actor: t.actor.clone(),
            }
        })
        .collect();
    (server, laptops)
}

// ------------------------------------------------------ reading a laptop

fn held(laptop: &mut Laptop) -> Vec<String> {
    laptop.participants()
}

fn own_notes(laptop: &mut Laptop) -> Vec<String> {
    progress_notes::table
        .filter(progress_notes::author_id.eq(laptop.actor.staff_id.as_str()))
        .order(progress_notes::id)
        .select(progress_notes::id)
        .load(laptop.store.connection())
        .unwrap()
}

/// Sessions of the groups this trainer leads, with their group.
fn my_sessions(laptop: &mut Laptop) -> Vec<(String, String)> {
    sessions::table
        .inner_join(workshop_groups::table)
        .filter(workshop_groups::trainer_id.eq(laptop.actor.staff_id.as_str()))
        .order(sessions::id)
        .select((sessions::id, sessions::group_id))
        .load(laptop.store.connection())
        .unwrap()
}

fn confirmed_in(laptop: &mut Laptop, group: &str) -> Vec<String> {
    enrolments::table
        .filter(enrolments::group_id.eq(group))
        .filter(enrolments::status.eq("confirmed"))
        .order(enrolments::participant_id)
        .select(enrolments::participant_id)
        .load(laptop.store.connection())
        .unwrap()
}

/// (id, participant, programme, group, status)
type EnrolmentRow = (String, String, String, Option<String>, String);

fn all_enrolments(laptop: &mut Laptop) -> Vec<EnrolmentRow> {
    enrolments::table
        .order(enrolments::id)
        .select((
            enrolments::id,
            enrolments::participant_id,
            enrolments::programme_id,
            enrolments::group_id,
            enrolments::status,
        ))
        .load(laptop.store.connection())
        .unwrap()
}

fn groups_of(laptop: &mut Laptop, programme: &str) -> Vec<String> {
    workshop_groups::table
        .filter(workshop_groups::programme_id.eq(programme))
        .order(workshop_groups::id)
        .select(workshop_groups::id)
        .load(laptop.store.connection())
        .unwrap()
}

fn outbox_rows(laptop: &mut Laptop) -> Vec<(i64, String, Option<String>, String)> {
    sync_outbox::table
        .order(sync_outbox::seq)
        .select((
            sync_outbox::seq,
            sync_outbox::op_id,
            sync_outbox::subject_id,
            sync_outbox::kind,
        ))
        .load(laptop.store.connection())
        .unwrap()
}

fn outbox_ids(laptop: &mut Laptop) -> Vec<String> {
    sync_outbox::table
        .order(sync_outbox::seq)
        .select(sync_outbox::op_id)
        .load(laptop.store.connection())
        .unwrap()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows naming `person` in any subject table (participants included).
fn rows_about(conn: &mut SqliteConnection, person: &str) -> Vec<(String, i64)> {
    let mut found = Vec::new();
    for spec in sync::replica::SUBJECT_TABLES {
        let column = spec.subject_column.unwrap_or("participant_id");
        let count: Count = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM {} WHERE \"{column}\" = ?",
            spec.table
        ))
        .bind::<diesel::sql_types::Text, _>(person)
        .get_result(conn)
        .unwrap();
        if count.n > 0 {
            found.push((spec.table.to_owned(), count.n));
        }
    }
    found
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

fn integrity(conn: &mut SqliteConnection) -> Vec<String> {
    diesel::sql_query("PRAGMA integrity_check")
        .load::<Integrity>(conn)
        .unwrap()
        .into_iter()
        .map(|row| row.integrity_check)
        .collect()
}

// ------------------------------------------------------------ one case

/// Prints how to replay the case, and what it did, when it panics.
struct Replay {
    seed: u64,
    trace: Vec<String>,
}

impl Drop for Replay {
    fn drop(&mut self) {
        if std::env::var("SYNC_CONVERGENCE_TRACE").as_deref() == Ok("1")
            && !std::thread::panicking()
        {
            eprintln!("case {}:\n  {}", self.seed, self.trace.join("\n  "));
        }
        if std::thread::panicking() {
            eprintln!(
                "\nconvergence case failed; steps:\n  {}\nreplay with: SYNC_CONVERGENCE_CASES=1 SYNC_CONVERGENCE_SEED={} cargo test -p sync --test convergence\n",
                self.trace.join("\n  "),
                self.seed
            );
        }
    }
}

struct World {
    server: Server,
    laptops: Vec<Laptop>,
    online: Vec<bool>,
    /// Participants each laptop has held at some point (for stale operations).
    ever_held: Vec<BTreeSet<String>>,
    /// Enrolments the office has seen, with their participant.
    seen_enrolments: BTreeMap<String, String>,
    /// Operations applied locally (Ok): (laptop, op id, kind).
    applied: Vec<(usize, String, &'static str)>,
    /// Erasures applied locally by the DPO: (op id, participant).
    erasures: Vec<(String, String)>,
    /// Operations the laptops' own stores refused, by code.
    local_codes: BTreeMap<String, usize>,
    /// Unsent operations a local erasure of their subject discarded.
    discarded: BTreeSet<String>,
}

fn pick<T: Clone>(rng: &mut StdRng, items: &[T]) -> Option<T> {
    items.choose(rng).cloned()
}

/// A random operation for laptop `index`, chosen from what it holds now.
/// Picks among the items `hot` accepts with probability `p` (when there are
/// any), else among all: the office and the DPO act more often on the
/// trainers' participants, which is where offline work conflicts.
fn prefer<T: Clone>(rng: &mut StdRng, items: &[T], hot: impl Fn(&T) -> bool, p: f64) -> Option<T> {
    let hot: Vec<T> = items.iter().filter(|item| hot(item)).cloned().collect();
    if !hot.is_empty() && rng.gen_bool(p) {
        pick(rng, &hot)
    } else {
        pick(rng, items)
    }
}

/// The participants the trainers' laptops hold now.
fn trainers_hold(world: &mut World) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for laptop in world.laptops.iter_mut() {
        if laptop.actor.role == domain::Role::Trainer {
            ids.extend(held(laptop));
        }
    }
    ids
}

fn draw_operation(world: &mut World, index: usize, rng: &mut StdRng) -> Option<Operation> {
    let hot = if world.laptops[index].actor.role == domain::Role::Trainer {
        BTreeSet::new()
    } else {
        trainers_hold(world)
    };
    let laptop = &mut world.laptops[index];
    let people = held(laptop);
    world.ever_held[index].extend(people.iter().cloned());
    let stale: Vec<String> = world.ever_held[index]
        .iter()
        .filter(|id| !people.contains(id))
        .cloned()
        .collect();
    let role = laptop.actor.role;
    // Now and then, an operation about someone the laptop held before.
    if !stale.is_empty() && rng.gen_bool(0.1) {
        let person = pick(rng, &stale)?;
        return Some(match role {
            domain::Role::Trainer => Operation::AddProgressNote(sync::ops::AddProgressNote {
                participant_id: domain::ParticipantId(person),
                body: pick(rng, &NOTE_BODIES)?.to_owned(),
            }),
            domain::Role::Administrator => {
                let theirs: Vec<String> = world
                    .seen_enrolments
                    .iter()
                    .filter(|(_, p)| **p == person)
                    .map(|(e, _)| e.clone())
                    .collect();
                Operation::CancelEnrolment(sync::ops::CancelEnrolment {
                    enrolment_id: pick(rng, &theirs)?,
                })
            }
            _ => Operation::RecordConsent(sync::ops::RecordConsent {
                participant_id: domain::ParticipantId(person),
                purpose: pick(rng, domain::rights::ConsentPurpose::ALL)?,
                granted: rng.gen_bool(0.5),
                source: pick(rng, domain::rights::ConsentSource::ALL)?,
            }),
        });
    }
    match role {
        domain::Role::Trainer => match rng.gen_range(0..4) {
            0 => Some(Operation::AddProgressNote(sync::ops::AddProgressNote {
                participant_id: domain::ParticipantId(pick(rng, &people)?),
                body: pick(rng, &NOTE_BODIES)?.to_owned(),
            })),
            1 => {
                let notes = own_notes(laptop);
                Some(Operation::EditProgressNote(sync::ops::EditProgressNote {
                    note_id: pick(rng, &notes)?,
                    body: format!("{} (revu)", pick(rng, &NOTE_BODIES)?),
                }))
            }
            2 => Some(Operation::AddObjective(sync::ops::AddObjective {
                participant_id: domain::ParticipantId(pick(rng, &people)?),
                body: pick(rng, &OBJECTIVES)?.to_owned(),
            })),
            _ => {
                let (session, group) = pick(rng, &my_sessions(laptop))?;
                let members = confirmed_in(laptop, &group);
                let participant = pick(rng, &members).or_else(|| pick(rng, &people))?;
                Some(Operation::SetAttendance(sync::ops::SetAttendance {
                    session_id: session,
                    participant_id: domain::ParticipantId(participant),
                    present: rng.gen_bool(0.7),
                }))
            }
        },
        domain::Role::Administrator => {
            let rows = all_enrolments(laptop);
            for (id, participant, ..) in &rows {
                world
                    .seen_enrolments
                    .insert(id.clone(), participant.clone());
            }
            match rng.gen_range(0..3) {
                0 => {
                    let confirmed: Vec<&EnrolmentRow> =
                        rows.iter().filter(|e| e.4 == "confirmed").collect();
                    let (id, _, programme, group, _) =
                        prefer(rng, &confirmed, |e| hot.contains(&e.1), 0.7)?.clone();
                    let targets: Vec<String> = groups_of(laptop, &programme)
                        .into_iter()
                        .filter(|g| Some(g) != group.as_ref())
                        .collect();
                    Some(Operation::MoveEnrolment(sync::ops::MoveEnrolment {
                        enrolment_id: id,
                        group_id: pick(rng, &targets)?,
                    }))
                }
                1 => {
                    let live: Vec<&EnrolmentRow> =
                        rows.iter().filter(|e| e.4 != "cancelled").collect();
                    Some(Operation::CancelEnrolment(sync::ops::CancelEnrolment {
                        enrolment_id: prefer(rng, &live, |e| hot.contains(&e.1), 0.7)?.0.clone(),
                    }))
                }
                _ => {
                    let requested: Vec<&EnrolmentRow> = rows
                        .iter()
                        .filter(|e| e.4 == "requested" || e.4 == "waitlisted")
                        .collect();
                    let (id, _, programme, group, _) = (*requested.choose(rng)?).clone();
                    let group = match group {
                        Some(group) if rng.gen_bool(0.6) => group,
                        _ => pick(rng, &groups_of(laptop, &programme))?,
                    };
                    Some(Operation::ConfirmPlace(sync::ops::ConfirmPlace {
                        enrolment_id: id,
                        group_id: group,
                        waiver_reason: rng
                            .gen_bool(0.5)
                            .then(|| "Prise en charge par la CAF".to_owned()),
                    }))
                }
            }
        }
        _ => {
            let person = prefer(rng, &people, |p| hot.contains(p), 0.7)?;
            let erasures = world.erasures.len();
            if erasures < MAX_ERASURES && rng.gen_bool(0.25) {
                return Some(Operation::EraseParticipant(sync::ops::EraseParticipant {
                    participant_id: domain::ParticipantId(person),
                    reason: domain::access_export::ErasureReason::MinorDiscovered,
                    request_id: None,
                    deep: false,
                }));
            }
            Some(if rng.gen_bool(0.7) {
                Operation::RecordConsent(sync::ops::RecordConsent {
                    participant_id: domain::ParticipantId(person),
                    purpose: pick(rng, domain::rights::ConsentPurpose::ALL)?,
                    granted: rng.gen_bool(0.5),
                    source: pick(rng, domain::rights::ConsentSource::ALL)?,
                })
            } else {
                Operation::Unsubscribe(sync::ops::Unsubscribe {
                    participant_id: domain::ParticipantId(person),
                    source: pick(rng, domain::rights::ConsentSource::ALL)?,
                    request_id: None,
                })
            })
        }
    }
}

fn tombstoned(server: &mut Server) -> BTreeSet<String> {
    sync_tombstones::table
        .select(sync_tombstones::subject_id)
        .load::<String>(server.store.connection())
        .unwrap()
        .into_iter()
        .collect()
}

/// An online sync of laptop `index`: it must succeed, and leave the laptop
/// holding nobody the server has erased.
fn sync_online(world: &mut World, index: usize, replay: &mut Replay) {
    let World {
        server, laptops, ..
    } = world;
    let laptop = &mut laptops[index];
    let report = laptop.sync(server).unwrap_or_else(|e| {
        panic!(
            "{}: an online sync failed: {e} ({})",
            USERNAMES[index],
            e.code()
        )
    });
    replay.trace.push(format!(
        "  -> pushed {} refused {} pulls {} updated {} purged {} erased {} dropped {}",
        report.pushed,
        report.refused,
        report.pulls,
        report.participants_updated,
        report.participants_purged,
        report.participants_erased,
        report.operations_dropped
    ));
    for person in tombstoned(server) {
        assert!(
            !laptop.holds(person.as_str()),
            "{}: holds erased participant {person} after a sync",
            USERNAMES[index]
        );
    }
    // Right after its own round, a laptop holds exactly its scope (nothing
    // else has reached the server since).
    let scope =
        sync::server::scope_of(server.store.connection(), &laptop.actor, server.now).unwrap();
    assert_eq!(
        laptop.participants(),
        scope,
        "{}: after a sync, the participants held are not the server's scope",
        USERNAMES[index]
    );
    assert_eq!(
        sync::local::pending_count(&mut laptop.store).unwrap(),
        0,
        "{}: an online round leaves nothing pending",
        USERNAMES[index]
    );
}

fn sync_offline(world: &mut World, index: usize) {
    let now = world.server.now;
    let laptop = &mut world.laptops[index];
    let before = outbox_ids(laptop);
    let actor = laptop.actor.clone();
    let error = sync::client::round(
        &mut laptop.store,
        &actor,
        &mut Offline,
        || now,
        &mut |_, _, _| {},
    )
    .expect_err("a round without a connection fails");
    assert_eq!(error.code(), "offline");
    let after = outbox_ids(laptop);
    assert!(
        after.len() >= before.len(),
        "an offline round lost outbox entries"
    );
    assert_eq!(
        after, before,
        "an offline round changes nothing in the outbox"
    );
}

fn apply_operation(world: &mut World, index: usize, op: Operation, replay: &mut Replay) {
    let at = world.server.now;
    let kind = op.kind();
    let laptop = &mut world.laptops[index];
    let erased_person = match &op {
        Operation::EraseParticipant(sync::ops::EraseParticipant { participant_id, .. }) => {
            Some(participant_id.clone())
        }
        _ => None,
    };
    let before = outbox_rows(laptop);
    let result = sync::local::apply(&mut laptop.store, &laptop.actor, op.clone(), at);
    let after = outbox_rows(laptop);
    match result {
        Ok(value) => {
            // An erasure takes the person's unsent operations with it (their
            // bodies hold the person's data; erase.rs, sync.md inv. 3) and
            // says so in its certificate; anything else is only appended.
            let discarded: Vec<String> = match &erased_person {
                Some(person) => before
                    .iter()
                    .filter(|row| row.2.as_deref() == Some(person.as_str()))
                    .map(|row| row.1.clone())
                    .collect(),
                None => Vec::new(),
            };
            let kept: Vec<_> = before
                .iter()
                .filter(|row| !discarded.contains(&row.1))
                .cloned()
                .collect();
            assert_eq!(
                after.len(),
                kept.len() + 1,
                "{}: {op:?} applied locally at {at}: it is queued once (outbox before {before:?}, after {after:?})",
                USERNAMES[index],
            );
            assert_eq!(
                &after[..kept.len()],
                &kept[..],
                "{}: {op:?}: the other pending operations stay, in order",
                USERNAMES[index]
            );
            let id = after.last().unwrap().1.clone();
            replay
                .trace
                .push(format!("{}: {kind} ok ({id}) {op:?}", USERNAMES[index]));
            if let Some(person) = erased_person {
                assert!(
                    !laptop.holds(person.as_str()),
                    "the local erasure removed the person"
                );
                if !discarded.is_empty() {
                    let told = value["summary"]["deleted"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|row| {
                            row["category_key"] == "sync_outbox"
                                && row["count"] == discarded.len() as u64
                        });
                    assert!(
                        told,
                        "{}: the erasure certificate lists the {} unsent operations it discarded: {}",
                        USERNAMES[index],
                        discarded.len(),
                        value["summary"]
                    );
                    replay
                        .trace
                        .push(format!("  -> discarded unsent {discarded:?}"));
                }
                world.erasures.push((id.clone(), person.to_string()));
                world.discarded.extend(discarded);
            }
            world.applied.push((index, id, kind));
        }
        Err(error) => {
            assert_eq!(after, before, "a refused operation is not queued");
            *world
                .local_codes
                .entry(error.code().to_owned().to_string())
                .or_default() += 1;
            replay.trace.push(format!(
                "{}: {kind} refused locally ({}) {op:?}",
                USERNAMES[index],
                error.code()
            ));
        }
    }
}

#[derive(Default)]
struct CaseStats {
    /// Server refusals and local drops by code.
    codes: BTreeMap<String, usize>,
    /// Operations refused by the laptop's own store, by code.
    local_codes: BTreeMap<String, usize>,
    applied: usize,
    discarded: usize,
    refused_by_server: usize,
    dropped: usize,
    erased: usize,
}

fn run_case(template: &Template, seed: u64) -> CaseStats {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut replay = Replay {
        seed,
        trace: Vec::new(),
    };
    let (server, laptops) = instantiate(template);
    let mut world = World {
        server,
        laptops,
        online: (0..USERNAMES.len()).map(|_| rng.gen_bool(0.5)).collect(),
        ever_held: template.laptops.iter().map(|t| t.held.clone()).collect(),
        seen_enrolments: BTreeMap::new(),
        applied: Vec::new(),
        erasures: Vec::new(),
        local_codes: BTreeMap::new(),
        discarded: BTreeSet::new(),
    };
    replay
        .trace
        .push(format!("online at start: {:?}", world.online));
    let steps = rng.gen_range(5..=25);
    for step in 0..steps {
        world.server.now += Duration::minutes(rng.gen_range(1..=5));
        let index = rng.gen_range(0..USERNAMES.len());
        let millis = u64::try_from(world.server.now.timestamp_millis()).unwrap();
        // Operation ids (and anything else made outside an operation) are
        // derived from the case seed, so a replay makes the same ids.
        let label = format!("convergence-{seed}-{step}");
        domain::ids::with_seeded_ids(&label, millis, || {
            let roll = rng.gen_range(0..100);
            if roll < 55 {
                match draw_operation(&mut world, index, &mut rng) {
                    Some(op) => apply_operation(&mut world, index, op, &mut replay),
                    None => replay
                        .trace
                        .push(format!("{}: nothing to act on", USERNAMES[index])),
                }
            } else if roll < 85 {
                if world.online[index] {
                    replay.trace.push(format!("{}: sync", USERNAMES[index]));
                    sync_online(&mut world, index, &mut replay);
                } else {
                    replay
                        .trace
                        .push(format!("{}: sync while offline", USERNAMES[index]));
                    sync_offline(&mut world, index);
                }
            } else {
                world.online[index] = !world.online[index];
                replay.trace.push(format!(
                    "{}: goes {}",
                    USERNAMES[index],
                    if world.online[index] {
                        "online"
                    } else {
                        "offline"
                    }
                ));
            }
        });
    }

    // Everyone online; two rounds in random orders (one laptop's push can
    // change another's scope after that one pulled).
    world.online.iter_mut().for_each(|online| *online = true);
    for round in 0..2 {
        let mut order: Vec<usize> = (0..USERNAMES.len()).collect();
        order.shuffle(&mut rng);
        replay.trace.push(format!(
            "final round {round}: {:?}",
            order.iter().map(|&i| USERNAMES[i]).collect::<Vec<_>>()
        ));
        for index in order {
            world.server.now += Duration::minutes(1);
            let millis = u64::try_from(world.server.now.timestamp_millis()).unwrap();
            let label = format!("convergence-{seed}-final-{round}-{index}");
            domain::ids::with_seeded_ids(&label, millis, || {
                replay.trace.push(format!("{}: sync", USERNAMES[index]));
                sync_online(&mut world, index, &mut replay);
            });
        }
    }

    let World {
        mut server,
        mut laptops,
        applied,
        erasures,
        local_codes,
        discarded,
        ..
    } = world;
    let mut stats = CaseStats {
        local_codes,
        applied: applied.len(),
        ..CaseStats::default()
    };

    // 1. Each laptop equals the server's projection of its scope.
    for laptop in laptops.iter_mut() {
        assert_converged(&mut server, laptop);
    }

    // 2. Erasure wins, everywhere.
    let erased = tombstoned(&mut server);
    for (op_id, person) in &erasures {
        let outcome: Option<String> = sync_applied::table
            .find(op_id)
            .select(sync_applied::outcome)
            .first(server.store.connection())
            .optional()
            .unwrap();
        if outcome.as_deref() == Some("applied") {
            assert!(
                erased.contains(person),
                "an applied erasure left a tombstone for {person}"
            );
        }
    }
    stats.erased = erased.len();
    for person in &erased {
        assert!(
            !sync::replica::holds(server.store.connection(), person).unwrap(),
            "the server still holds erased participant {person}"
        );
        let left = rows_about(server.store.connection(), person);
        assert!(
            left.is_empty(),
            "the server keeps rows about erased {person}: {left:?}"
        );
        for (index, laptop) in laptops.iter_mut().enumerate() {
            assert!(
                !sync::replica::holds(laptop.store.connection(), person).unwrap(),
                "{}: still holds erased participant {person}",
                USERNAMES[index]
            );
            let left = rows_about(laptop.store.connection(), person);
            assert!(
                left.is_empty(),
                "{}: keeps rows about erased {person}: {left:?}",
                USERNAMES[index]
            );
        }
    }

    // 3. Every outbox is empty; every store is sound.
    for (index, laptop) in laptops.iter_mut().enumerate() {
        let pending = outbox_ids(laptop);
        assert!(
            pending.is_empty(),
            "{}: outbox still holds {pending:?}",
            USERNAMES[index]
        );
        assert_eq!(
            integrity(laptop.store.connection()),
            vec!["ok".to_owned()],
            "{}: integrity_check",
            USERNAMES[index]
        );
    }
    assert_eq!(
        integrity(server.store.connection()),
        vec!["ok".to_owned()],
        "server: integrity_check"
    );

    // 4. Nothing silently dropped: applied on the server, or refused and
    // listed on the laptop that made it (with the server's code).
    let listed: Vec<BTreeSet<String>> = laptops
        .iter_mut()
        .map(|laptop| {
            sync::local::status(&mut laptop.store)
                .unwrap()
                .refusals
                .into_iter()
                .map(|refusal| refusal.op_id)
                .collect()
        })
        .collect();
    for (index, op_id, kind) in &applied {
        let laptop = &mut laptops[*index];
        let listed = listed[*index].contains(op_id);
        let on_server: Option<(String, Option<String>, String)> = sync_applied::table
            .find(op_id)
            .select((
                sync_applied::outcome,
                sync_applied::code,
                sync_applied::device_id,
            ))
            .first(server.store.connection())
            .optional()
            .unwrap();
        let refusal: Option<String> = sync_refusals::table
            .find(op_id)
            .select(sync_refusals::code)
            .first(laptop.store.connection())
            .optional()
            .unwrap();
        match (on_server, refusal) {
            (Some((outcome, _, device)), None) if outcome == "applied" => {
                assert_eq!(device, laptop.actor.device_id.as_str());
            }
            (Some((outcome, code, _)), Some(local_code)) if outcome == "refused" => {
                assert_eq!(
                    code.as_deref(),
                    Some(local_code.as_str()),
                    "{}: {kind} {op_id}: the laptop lists another reason than the server's",
                    USERNAMES[*index]
                );
                assert!(listed, "{}: refusal of {op_id} not in the status", USERNAMES[*index]);
                stats.refused_by_server += 1;
                *stats.codes.entry(local_code).or_default() += 1;
            }
            (None, Some(local_code)) => {
                *stats.codes.entry(format!("{local_code} (dropped)")).or_default() += 1;
                assert!(listed, "{}: refusal of {op_id} not in the status", USERNAMES[*index]);
                stats.dropped += 1;
            }
            (None, None) if discarded.contains(op_id) => {
                // Never sent: its subject was erased on this laptop, and the
                // erasure's certificate counted it (checked when applied).
                stats.discarded += 1;
            }
            (server_side, laptop_side) => panic!(
                "{}: {kind} {op_id} was applied locally, then: server {server_side:?}, laptop refusal {laptop_side:?}",
                USERNAMES[*index]
            ),
        }
    }
    drop(replay);
    stats
}

impl CaseStats {
    fn add(&mut self, other: CaseStats) {
        self.applied += other.applied;
        self.discarded += other.discarded;
        self.refused_by_server += other.refused_by_server;
        self.dropped += other.dropped;
        self.erased += other.erased;
        for (code, n) in other.codes {
            *self.codes.entry(code).or_default() += n;
        }
        for (code, n) in other.local_codes {
            *self.local_codes.entry(code).or_default() += n;
        }
    }
}

#[test]
fn dc_5_convergence_random_operations_offline_and_sync_orders() {
    let cases = env_u64("SYNC_CONVERGENCE_CASES", DEFAULT_CASES);
    let base = env_u64("SYNC_CONVERGENCE_SEED", DEFAULT_SEED);
    // Cases are independent (their own stores, thread-local seeded ids): they
    // run on a few threads; each case's result does not depend on which.
    let parallel = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let workers =
        env_u64("SYNC_CONVERGENCE_THREADS", parallel.min(MAX_THREADS)).clamp(1, cases.max(1));
    let started = Instant::now();
    // Seeded ids: the template (and so every case) has the same ids each run.
    let template =
        domain::ids::with_seeded_ids("convergence-template", start_millis(), build_template);
    let built = started.elapsed();
    let totals = Mutex::new(CaseStats::default());
    let next = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let cases_started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let case = next.fetch_add(1, Ordering::SeqCst);
                if case >= cases || failed.load(Ordering::SeqCst) {
                    break;
                }
                let seed = base.wrapping_add(case);
                match std::panic::catch_unwind(AssertUnwindSafe(|| run_case(&template, seed))) {
                    Ok(stats) => totals.lock().unwrap().add(stats),
                    Err(panic) => {
                        failed.store(true, Ordering::SeqCst);
                        std::panic::resume_unwind(panic);
                    }
                }
            });
        }
    });
    let ran = cases_started.elapsed();
    let totals = totals.into_inner().unwrap();
    eprintln!(
        "convergence: {cases} cases from seed {base} on {workers} threads: template {:.2?}, cases {:.2?} \
         ({:.1} ms/case); {} operations applied locally, {} refused by the server, {} dropped as erased, \
         {} discarded by a local erasure, {} erasures; server refusals {:?}; local refusals {:?}",
        built,
        ran,
        ran.as_secs_f64() * 1000.0 / cases.max(1) as f64,
        totals.applied,
        totals.refused_by_server,
        totals.dropped,
        totals.discarded,
        totals.erased,
        totals.codes,
        totals.local_codes
    );
}
