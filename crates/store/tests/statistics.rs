//! The monthly statistics, store side (issue 16; POL-11, POL-12, POL-26,
//! POL-32, POL-3): the facts leave out objectors and erased people, traces
//! past their period are deleted before the run, a month is released once
//! and the ledger is frozen on the server, hidden cells carry no value,
//! each publication is audited, and the usage writer drops events of
//! people the store does not hold.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{demo, now, Fixture};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::access_export::ErasureReason;
use domain::rights::{Channel, ObjectionPurpose, RequestKind, Step};
use domain::statistics::{Facts, Month};
use domain::{Actor, ParticipantId};
use std::collections::BTreeMap;
use store::rights::{self, NewRequest};
use store::schema::{audit_log, participants, questions, sessions, stat_cells, technical_traces};
use store::statistics::{facts, run};
use store::usage::{self, UsageEvent, UsageKind};
use store::StoreError;

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// A week after the end of the fixture's month (November 2026 has ended).
fn december() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()
}

fn view(participant: Option<&str>, section: &str, at: DateTime<Utc>) -> UsageEvent {
    UsageEvent {
        kind: UsageKind::SectionViewed {
            section: section.to_owned(),
        },
        at,
        participant: participant.map(str::to_owned),
        ip: Some("192.168.0.0".parse().unwrap()),
        user_agent: None,
        session_seconds: Some(30),
    }
}

/// Two people who asked a question in October 2026 (the demo's webinars).
fn askers(f: &mut Fixture) -> (String, String) {
    let start = facts::month_start(month("2026-10"));
    let end = facts::month_start(month("2026-11"));
    let mut people: Vec<String> = questions::table
        .inner_join(sessions::table)
        .filter(questions::asked_at.ge(start))
        .filter(questions::asked_at.lt(end))
        .select(questions::participant_id)
        .distinct()
        .order(questions::participant_id)
        .load(f.store.connection())
        .unwrap();
    assert!(people.len() >= 2, "the demo has questions in October");
    let second = people.pop().unwrap();
    (people.remove(0), second)
}

/// The facts of `month` counting `person` only (everyone else objecting,
/// in a transaction that is rolled back).
fn facts_of_one(f: &mut Fixture, person: &str, month: Month) -> Facts {
    let mut found = None;
    let _ = f
        .store
        .connection()
        .transaction::<(), diesel::result::Error, _>(|conn| {
            diesel::update(participants::table.filter(participants::id.ne(person)))
                .set(participants::objects_to_statistics.eq(true))
                .execute(conn)?;
            found = Some(facts::count(conn, month, now()).unwrap());
            Err(diesel::result::Error::RollbackTransaction)
        });
    found.unwrap()
}

fn sum<K: Ord + Clone>(a: &BTreeMap<K, u64>, b: &BTreeMap<K, u64>) -> BTreeMap<K, u64> {
    let mut out = a.clone();
    for (k, v) in b {
        *out.entry(k.clone()).or_default() += v;
    }
    out.retain(|_, v| *v > 0);
    out
}

fn nonzero<K: Ord + Clone>(a: &BTreeMap<K, u64>) -> BTreeMap<K, u64> {
    a.iter()
        .filter(|(_, v)| **v > 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// Every count of `before` is the count of `after` plus the person's own:
/// they are gone from every cell, and no one else is.
fn assert_removed(before: &Facts, after: &Facts, person: &Facts) {
    assert!(
        !person.section_viewers.is_empty()
            && !person.reached.is_empty()
            && !person.format_parts.is_empty()
            && !person.questions.is_empty(),
        "the person counts in every table: {person:?}"
    );
    assert_eq!(
        nonzero(&before.section_viewers),
        sum(&after.section_viewers, &person.section_viewers)
    );
    assert_eq!(
        nonzero(&before.reached),
        sum(&after.reached, &person.reached)
    );
    assert_eq!(
        nonzero(&before.format_parts),
        sum(&after.format_parts, &person.format_parts)
    );
    assert_eq!(
        nonzero(&before.questions),
        sum(&after.questions, &person.questions)
    );
}

fn request(f: &mut Fixture, person: &str, kind: RequestKind) -> String {
    let dpo = f.actor("dpo");
    let id = rights::register_request(
        f.store.connection(),
        &dpo,
        &NewRequest {
            participant_id: ParticipantId(person.to_owned()),
            kind,
            channel: Channel::Post,
            received_on: now().date_naive(),
            objection_purpose: (kind == RequestKind::Objection)
                .then_some(ObjectionPurpose::Statistics),
        },
        now(),
    )
    .unwrap()
    .id;
    rights::advance(
        f.store.connection(),
        &dpo,
        &id,
        &Step::CheckIdentity {
            method: "copie de pièce d'identité reçue par courrier".into(),
        },
        now(),
    )
    .unwrap();
    id
}

fn object(f: &mut Fixture, person: &str) {
    let dpo = f.actor("dpo");
    let id = request(f, person, RequestKind::Objection);
    rights::decide_objection(f.store.connection(), &dpo, &id, true, None, now()).unwrap();
}

fn erase(f: &mut Fixture, person: &str) {
    let dpo = f.actor("dpo");
    let id = request(f, person, RequestKind::Erasure);
    store::erase::erase(
        f.store.connection(),
        &dpo,
        person,
        ErasureReason::Request,
        Some(&id),
        now(),
    )
    .unwrap();
}

fn audit_count(f: &mut Fixture, action: &str) -> i64 {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .count()
        .get_result(f.store.connection())
        .unwrap()
}

#[test]
fn pol_26_pol_25_objectors_and_erased_people_are_absent_from_every_count() {
    let mut f = demo();
    let october = month("2026-10");
    let (objector, erased) = askers(&mut f);
    // Both viewed a section of the website in October, as the website says.
    let admin = f.actor("admin.lemans");
    let at = Utc.with_ymd_and_hms(2026, 10, 20, 12, 0, 0).unwrap();
    let events = [
        view(Some(&objector), "ateliers", at),
        view(Some(&erased), "ateliers", at),
    ];
    usage::record(f.store.connection(), &admin, &events, now()).unwrap();

    let everyone = facts::count(f.store.connection(), october, now()).unwrap();
    let objector_alone = facts_of_one(&mut f, &objector, october);
    object(&mut f, &objector);
    let without_objector = facts::count(f.store.connection(), october, now()).unwrap();
    assert_removed(&everyone, &without_objector, &objector_alone);

    let erased_alone = facts_of_one(&mut f, &erased, october);
    erase(&mut f, &erased);
    let without_both = facts::count(f.store.connection(), october, now()).unwrap();
    assert_removed(&without_objector, &without_both, &erased_alone);

    // The release of the month after counts neither.
    let dpo = f.actor("dpo");
    run::publish(f.store.connection(), &dpo, month("2026-11"), december()).unwrap();
    let november = facts::count(f.store.connection(), month("2026-11"), december()).unwrap();
    let objector_now = facts_of_one(&mut f, &objector, month("2026-11"));
    assert_eq!(
        objector_now.reached,
        BTreeMap::new(),
        "objectors count nowhere"
    );
    assert!(november.format_parts.values().sum::<u64>() > 0);
}

#[test]
fn pol_32_traces_older_than_13_months_are_gone_before_the_run() {
    let mut f = demo();
    let (person, _) = askers(&mut f);
    let programme: String = diesel::sql_query(
        "SELECT g.programme_id AS id FROM enrolments e JOIN workshop_groups g ON g.id = e.group_id \
         WHERE e.participant_id = ? AND e.status = 'confirmed'",
    )
    .bind::<Text, _>(&person)
    .get_result::<Id>(f.store.connection())
    .unwrap()
    .id;
    // A step the website saw reached 14 months before the run, written as
    // it was then (the intake refuses such an old event today).
    let old = (december() - Duration::days(14 * 31)).naive_utc();
    f.store
        .connection()
        .batch_execute(&format!(
            "INSERT INTO technical_traces (id, participant_id, recorded_at, updated_at, \
             updated_device, event, programme_id, step) VALUES \
             ('old-trace-1', '{person}', '{old}', '{old}', 'test', 'programme.step_reached', \
             '{programme}', 1)"
        ))
        .unwrap();
    let cutoff = domain::retention::RetentionRules::default()
        .cutoffs(december().naive_utc())
        .traces_before;
    let expired = |f: &mut Fixture| -> i64 {
        technical_traces::table
            .filter(technical_traces::recorded_at.lt(cutoff))
            .count()
            .get_result(f.store.connection())
            .unwrap()
    };
    let kept = |f: &mut Fixture| -> i64 {
        technical_traces::table
            .filter(technical_traces::recorded_at.ge(cutoff))
            .count()
            .get_result(f.store.connection())
            .unwrap()
    };
    let before = expired(&mut f);
    let young = kept(&mut f);
    assert!(before >= 2, "the demo's old traces and ours");
    // Counted, the old step would reach back 14 months.
    let counted = facts::count(f.store.connection(), month("2026-11"), december()).unwrap();
    assert!(counted.universe.first_month.unwrap() < month("2025-11"));

    let dpo = f.actor("dpo");
    let summary = run::publish(f.store.connection(), &dpo, month("2026-11"), december()).unwrap();
    assert_eq!(summary.traces_deleted, before as u64);
    assert_eq!(expired(&mut f), 0, "POL-32: nothing past 13 months");
    assert_eq!(kept(&mut f), young, "younger traces stay");
    let after = facts::count(f.store.connection(), month("2026-11"), december()).unwrap();
    assert!(after.universe.first_month.unwrap() >= month("2025-11"));
    // The sweep ran, and was audited, before the publication.
    let order: Vec<String> = audit_log::table
        .filter(audit_log::at.like("2026-12-02%"))
        .order(audit_log::seq)
        .select(audit_log::action)
        .load(f.store.connection())
        .unwrap();
    assert_eq!(order, ["retention.run", "statistics.publish"]);
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

type CellRow = (String, Option<i64>, String, i32);

fn cells_of(f: &mut Fixture, month: Month) -> Vec<CellRow> {
    stat_cells::table
        .filter(stat_cells::month.eq(month.to_string()))
        .order(stat_cells::id)
        .select((
            stat_cells::id,
            stat_cells::value,
            stat_cells::outcome,
            stat_cells::position,
        ))
        .load(f.store.connection())
        .unwrap()
}

#[test]
fn pol_11_a_month_already_released_is_returned_unchanged_and_the_ledger_is_frozen_on_the_server() {
    let mut f = demo();
    let october = month("2026-10");
    let cells = cells_of(&mut f, october);
    assert!(!cells.is_empty(), "the demo released October");
    let stored = run::released(f.store.connection(), october)
        .unwrap()
        .unwrap();
    store::open::set_meta(&mut f.store, "sync.role", "server").unwrap();
    // October's counts change afterwards (more people viewed a section)...
    let admin = f.actor("admin.lemans");
    let people: Vec<String> = participants::table
        .select(participants::id)
        .limit(12)
        .load(f.store.connection())
        .unwrap();
    let at = Utc.with_ymd_and_hms(2026, 10, 12, 9, 0, 0).unwrap();
    let events: Vec<UsageEvent> = people
        .iter()
        .map(|p| view(Some(p), "nouvelle-rubrique", at))
        .collect();
    usage::record(f.store.connection(), &admin, &events, now()).unwrap();
    // ...and the release stays what it was.
    let dpo = f.actor("dpo");
    let again = run::publish(f.store.connection(), &dpo, october, now()).unwrap();
    assert!(again.already_released);
    assert_eq!(again, stored);
    assert_eq!(cells_of(&mut f, october), cells);
    // The ledger refuses any change on the server (POL-25c: kept as published).
    for sql in [
        "UPDATE stat_cells SET value = 999 WHERE month = '2026-10'",
        "DELETE FROM stat_cells WHERE month = '2026-10'",
        "UPDATE stat_releases SET published = 0 WHERE month = '2026-10'",
        "DELETE FROM stat_releases WHERE month = '2026-10'",
    ] {
        let refused = f.store.connection().batch_execute(sql).unwrap_err();
        assert!(refused.to_string().contains("frozen"), "{sql}: {refused}");
    }
    assert_eq!(cells_of(&mut f, october), cells);
}

#[test]
fn pol_11_a_month_that_has_not_ended_or_comes_before_the_latest_release_is_refused() {
    let mut f = demo();
    let dpo = f.actor("dpo");
    let november = month("2026-11");
    // The fixture's now is 25 November: November has not ended in Paris.
    let refused = run::publish(f.store.connection(), &dpo, november, now()).unwrap_err();
    assert!(matches!(refused, StoreError::InvalidInput(_)), "{refused}");
    // One minute before midnight in Paris (23:00 UTC in winter), still not.
    let almost = Utc.with_ymd_and_hms(2026, 11, 30, 22, 59, 0).unwrap();
    assert!(run::publish(f.store.connection(), &dpo, november, almost).is_err());
    assert!(cells_of(&mut f, november).is_empty());
    assert!(run::released(f.store.connection(), november)
        .unwrap()
        .is_none());
    // The demo released up to October: an earlier month is refused.
    let earlier = run::publish(f.store.connection(), &dpo, month("2026-06"), now()).unwrap_err();
    assert!(matches!(earlier, StoreError::InvalidInput(_)), "{earlier}");
    assert!(cells_of(&mut f, month("2026-06")).is_empty());
    // At midnight it is released.
    let midnight = almost + Duration::minutes(1);
    let summary = run::publish(f.store.connection(), &dpo, november, midnight).unwrap();
    assert!(!summary.already_released);
    assert_eq!(summary.cells, cells_of(&mut f, november).len());
}

#[test]
fn pol_11_hidden_cells_have_no_value_stored() {
    let mut f = demo();
    let dpo = f.actor("dpo");
    run::publish(f.store.connection(), &dpo, month("2026-11"), december()).unwrap();
    let rows: Vec<(Option<i64>, String)> = stat_cells::table
        .select((stat_cells::value, stat_cells::outcome))
        .load(f.store.connection())
        .unwrap();
    let hidden = rows.iter().filter(|(_, o)| o != "published").count();
    assert!(hidden > 0, "the demo has cells under 5");
    assert!(rows.len() > hidden, "and published cells");
    for (value, outcome) in &rows {
        assert_eq!(value.is_some(), outcome == "published", "{outcome}");
    }
    // Every release says how many of its cells are published.
    for m in ["2026-08", "2026-09", "2026-10", "2026-11"] {
        let summary = run::released(f.store.connection(), month(m))
            .unwrap()
            .unwrap();
        let cells = cells_of(&mut f, month(m));
        assert_eq!(summary.cells, cells.len(), "{m}");
        assert_eq!(
            summary.published,
            cells.iter().filter(|c| c.1.is_some()).count(),
            "{m}"
        );
    }
}

#[test]
fn pol_21_each_publication_is_audited_once_and_only_a_dpo_publishes() {
    let mut f = demo();
    assert_eq!(
        audit_count(&mut f, "statistics.publish"),
        3,
        "the demo's three"
    );
    let trainer = f.actor("formatrice.a");
    let refused = run::publish(f.store.connection(), &trainer, month("2026-11"), december());
    assert_eq!(refused.unwrap_err().code().as_str(), "not_permitted");
    let denied: i64 = audit_log::table
        .filter(audit_log::action.eq("statistics.publish"))
        .filter(audit_log::outcome.eq("denied"))
        .filter(audit_log::actor_id.eq(trainer.staff_id.as_str()))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    assert_eq!(denied, 1, "the attempt is in the trail");
    assert!(cells_of(&mut f, month("2026-11")).is_empty());

    let dpo: Actor = f.actor("dpo");
    run::publish(f.store.connection(), &dpo, month("2026-11"), december()).unwrap();
    run::publish(f.store.connection(), &dpo, month("2026-11"), december()).unwrap();
    let entries: Vec<(String, Option<String>, String)> = audit_log::table
        .filter(audit_log::action.eq("statistics.publish"))
        .filter(audit_log::outcome.eq("allowed"))
        .filter(audit_log::at.like("2026-12-02%"))
        .select((
            audit_log::actor_id,
            audit_log::participant_id,
            audit_log::outcome,
        ))
        .load(f.store.connection())
        .unwrap();
    assert_eq!(
        entries,
        [(dpo.staff_id.as_str().to_owned(), None, "allowed".to_owned())],
        "one entry for the publication, none for the repeat, no participant"
    );
}

#[test]
fn pol_25_pol_3_the_usage_writer_drops_unknown_participants_and_refuses_full_addresses() {
    let mut f = demo();
    let (known, erased) = askers(&mut f);
    erase(&mut f, &erased);
    let admin = f.actor("admin.lemans");
    let at = now() - Duration::hours(3);
    let unknown = "0193a4f0-0000-7000-8000-00000000dead";
    let events = [
        view(Some(&known), "ressources", at),
        view(Some(unknown), "ressources", at),
        view(Some(&erased), "ressources", at),
        view(None, "ressources", at),
    ];
    let traces = |f: &mut Fixture| -> Vec<Option<String>> {
        technical_traces::table
            .filter(technical_traces::recorded_at.eq(at.naive_utc()))
            .select(technical_traces::participant_id)
            .order(technical_traces::participant_id)
            .load(f.store.connection())
            .unwrap()
    };
    let recorded = usage::record(f.store.connection(), &admin, &events, now()).unwrap();
    assert_eq!((recorded.stored, recorded.ignored), (2, 2));
    assert_eq!(traces(&mut f), [None, Some(known.clone())]);
    assert_eq!(
        audit_count(&mut f, "usage.record"),
        1,
        "one entry per delivery"
    );

    // A full address, anywhere in the delivery, refuses it whole.
    let mut full = view(Some(&known), "forum", at);
    full.ip = Some("192.168.10.27".parse().unwrap());
    let refused = usage::record(
        f.store.connection(),
        &admin,
        &[view(Some(&known), "forum", at), full],
        now(),
    )
    .unwrap_err();
    assert!(matches!(refused, StoreError::InvalidInput(_)));
    let message = refused.to_string();
    assert!(message.contains("event 1: ip") && !message.contains("192.168"));
    assert_eq!(traces(&mut f).len(), 2, "nothing stored");
    // A trainer writes no usage.
    let trainer = f.actor("formatrice.a");
    let refused = usage::record(f.store.connection(), &trainer, &events[..1], now());
    assert_eq!(refused.unwrap_err().code().as_str(), "not_permitted");
}
