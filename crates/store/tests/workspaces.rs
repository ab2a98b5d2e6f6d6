//! The staff workspaces' store side: trainers preparing sessions (ROLE-1,
//! POL-9), the office confirming places behind the payment gate, the waitlist
//! and moves (ROLE-3, POL-10), and clash-free planning.

mod common;

use chrono::Duration;
use common::{demo, now, Fixture};
use diesel::prelude::*;
use store::enrolment::{self, Listing, PaymentState, Placement};
use store::planning::{self, GroupChange, NewSessionPlan};
use store::schema::{audit_log, enrolments, sessions, workshop_groups};
use store::trainer;
use store::StoreError;

fn sessions_of(f: &mut Fixture, username: &str) -> Vec<String> {
    let actor = f.actor(username);
    sessions::table
        .inner_join(workshop_groups::table)
        .filter(workshop_groups::trainer_id.eq(actor.staff_id.as_str()))
        .select(sessions::id)
        .order(sessions::starts_at)
        .load(f.store.connection())
        .unwrap()
}

fn last_audit(f: &mut Fixture) -> (String, String, Option<String>) {
    audit_log::table
        .order(audit_log::seq.desc())
        .select((
            audit_log::action,
            audit_log::outcome,
            audit_log::participant_id,
        ))
        .first(f.store.connection())
        .unwrap()
}

#[test]
fn role_1_trainer_sees_only_their_upcoming_sessions() {
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let mine = sessions_of(&mut f, "formatrice.a");
    let listed = trainer::upcoming_sessions(f.store.connection(), &a, now()).unwrap();
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|s| mine.contains(&s.id)),
        "only sessions of groups A leads"
    );
    assert!(
        listed.iter().all(|s| s.ends_at.as_str() >= "2026-11-25"),
        "upcoming only"
    );
}

#[test]
fn pol_9_preparation_sheet_shows_the_groups_confirmed_people_and_is_audited() {
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let session = trainer::upcoming_sessions(f.store.connection(), &a, now()).unwrap()[0].clone();
    let sheet = trainer::preparation_sheet(f.store.connection(), &a, &session.id, now()).unwrap();
    let confirmed: Vec<String> = enrolments::table
        .filter(enrolments::group_id.eq(&session.group_id))
        .filter(enrolments::status.eq("confirmed"))
        .select(enrolments::participant_id)
        .load(f.store.connection())
        .unwrap();
    let shown: Vec<String> = sheet
        .participants
        .iter()
        .map(|p| p.participant_id.clone())
        .collect();
    assert_eq!(shown.len(), confirmed.len());
    assert!(shown.iter().all(|p| confirmed.contains(p)));
    assert!(sheet.past_sessions >= 1, "the demo has past sessions");
    assert!(sheet.participants.iter().any(|p| !p.objectives.is_empty()));
    assert!(sheet
        .participants
        .iter()
        .all(|p| p.attended <= sheet.past_sessions));
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("session.sheet.read"))
        .select(audit_log::participant_id)
        .load(f.store.connection())
        .unwrap();
    assert_eq!(
        audited.len(),
        shown.len(),
        "one audit entry per participant shown"
    );
}

#[test]
fn role_1_another_trainers_session_sheet_is_refused_and_audited() {
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let theirs = sessions_of(&mut f, "formateur.b")[0].clone();
    let error = trainer::preparation_sheet(f.store.connection(), &a, &theirs, now()).unwrap_err();
    assert_eq!(error.code(), "not_permitted");
    let (action, outcome, _) = last_audit(&mut f);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("session.sheet.read", "denied")
    );
}

#[test]
fn role_1_trainer_adds_and_edits_notes_and_objectives_of_their_participants_only() {
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let b = f.actor("formateur.b");
    let session = trainer::upcoming_sessions(f.store.connection(), &a, now()).unwrap()[0].clone();
    let sheet = trainer::preparation_sheet(f.store.connection(), &a, &session.id, now()).unwrap();
    let person = sheet.participants[0].participant_id.clone();

    let note = trainer::add_progress_note(
        f.store.connection(),
        &a,
        &person,
        "  Écoute mieux (fictif).  ",
        now(),
    )
    .unwrap();
    let (action, outcome, subject) = last_audit(&mut f);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("progress_note.add", "allowed")
    );
    assert_eq!(subject.as_deref(), Some(person.as_str()));
    trainer::edit_progress_note(
        f.store.connection(),
        &a,
        &note,
        "Écoute nettement mieux.",
        now(),
    )
    .unwrap();
    let sheet = trainer::preparation_sheet(f.store.connection(), &a, &session.id, now()).unwrap();
    let entry = sheet
        .participants
        .iter()
        .find(|p| p.participant_id == person)
        .unwrap();
    assert_eq!(entry.notes[0].body, "Écoute nettement mieux.");
    assert!(entry.notes[0].mine);

    let objective =
        trainer::add_objective(f.store.connection(), &a, &person, "Parler calmement", now())
            .unwrap();
    trainer::edit_objective(
        f.store.connection(),
        &a,
        &objective,
        "Parler calmement au dîner",
        now(),
    )
    .unwrap();

    // Trainer B may not write about A's participant, nor edit A's note.
    let error =
        trainer::add_progress_note(f.store.connection(), &b, &person, "x", now()).unwrap_err();
    assert!(matches!(error, StoreError::OutOfScope(_)), "{error}");
    let (action, outcome, _) = last_audit(&mut f);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("progress_note.add", "denied")
    );
    assert_eq!(
        trainer::edit_progress_note(f.store.connection(), &b, &note, "x", now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
    // Empty and oversized text are refused before anything is written.
    assert_eq!(
        trainer::add_progress_note(f.store.connection(), &a, &person, "   ", now())
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    let long = "x".repeat(trainer::MAX_TEXT + 1);
    assert_eq!(
        trainer::add_objective(f.store.connection(), &a, &person, &long, now())
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    // The office does not write progress notes (ROLE-3).
    let admin = f.actor("admin.lemans");
    assert_eq!(
        trainer::add_progress_note(f.store.connection(), &admin, &person, "x", now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
}

fn inbox(f: &mut Fixture) -> Vec<enrolment::RegistrationRow> {
    let admin = f.actor("admin.lemans");
    enrolment::registrations(f.store.connection(), &admin, Listing::Inbox, now()).unwrap()
}

fn group_of_programme(f: &mut Fixture, programme: &str, skip: usize) -> String {
    workshop_groups::table
        .filter(workshop_groups::programme_id.eq(programme))
        .order(workshop_groups::name)
        .select(workshop_groups::id)
        .offset(skip as i64)
        .first(f.store.connection())
        .unwrap()
}

fn status(f: &mut Fixture, enrolment: &str) -> String {
    enrolments::table
        .find(enrolment)
        .select(enrolments::status)
        .first(f.store.connection())
        .unwrap()
}

#[test]
fn pol_10_a_place_is_confirmed_only_with_a_confirmed_payment_or_a_recorded_waiver() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let requests: Vec<_> = inbox(&mut f)
        .into_iter()
        .filter(|r| r.status == "requested")
        .collect();
    let paid = requests
        .iter()
        .find(|r| r.payment == PaymentState::Confirmed)
        .unwrap()
        .clone();
    let unpaid = requests
        .iter()
        .find(|r| r.payment == PaymentState::Pending)
        .unwrap()
        .clone();

    let group = group_of_programme(&mut f, &paid.programme_id, 0);
    let placed = enrolment::confirm_place(
        f.store.connection(),
        &admin,
        &paid.enrolment_id,
        &group,
        None,
        now(),
    );
    // The demo's groups have free places (capacity 10, 6 confirmed).
    assert_eq!(placed.unwrap(), Placement::Confirmed);
    assert_eq!(status(&mut f, &paid.enrolment_id), "confirmed");

    let group = group_of_programme(&mut f, &unpaid.programme_id, 0);
    let error = enrolment::confirm_place(
        f.store.connection(),
        &admin,
        &unpaid.enrolment_id,
        &group,
        None,
        now(),
    )
    .unwrap_err();
    assert_eq!(error.code(), "payment_required");
    assert_eq!(
        status(&mut f, &unpaid.enrolment_id),
        "requested",
        "nothing changed"
    );
    let (action, outcome, _) = last_audit(&mut f);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("enrolment.confirm", "denied")
    );

    let waived = enrolment::confirm_place(
        f.store.connection(),
        &admin,
        &unpaid.enrolment_id,
        &group,
        Some("Tarif solidaire accordé"),
        now(),
    )
    .unwrap();
    assert_eq!(waived, Placement::Confirmed);
    let reason: Option<String> = enrolments::table
        .find(&unpaid.enrolment_id)
        .select(enrolments::waiver_reason)
        .first(f.store.connection())
        .unwrap();
    assert_eq!(reason.as_deref(), Some("Tarif solidaire accordé"));

    // A trainer cannot confirm places (ROLE-1 reads enrolments only).
    let a = f.actor("formatrice.a");
    assert_eq!(
        enrolment::confirm_place(
            f.store.connection(),
            &a,
            &paid.enrolment_id,
            &group,
            None,
            now()
        )
        .unwrap_err()
        .code(),
        "not_permitted"
    );
}

#[test]
fn pol_10_a_full_group_waitlists_and_a_cancellation_offers_the_place_to_the_first_waitlisted() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let requests: Vec<_> = inbox(&mut f)
        .into_iter()
        .filter(|r| r.status == "requested")
        .collect();
    let first = requests[0].clone();
    let group = group_of_programme(&mut f, &first.programme_id, 0);
    // Shrink the group to its confirmed places: it is full.
    let confirmed: i64 = enrolments::table
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("confirmed"))
        .count()
        .get_result(f.store.connection())
        .unwrap();
    planning::update_group(
        f.store.connection(),
        &admin,
        &group,
        &GroupChange {
            capacity: Some(confirmed as i32),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert_eq!(
        planning::update_group(
            f.store.connection(),
            &admin,
            &group,
            &GroupChange {
                capacity: Some(confirmed as i32 - 1),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err()
        .code(),
        "capacity_below_confirmed"
    );
    let already_waiting =
        enrolment::registrations(f.store.connection(), &admin, Listing::Group(&group), now())
            .unwrap()
            .iter()
            .filter(|r| r.status == "waitlisted")
            .count() as i64;
    let placed = enrolment::confirm_place(
        f.store.connection(),
        &admin,
        &first.enrolment_id,
        &group,
        Some("test"),
        now(),
    )
    .unwrap();
    assert_eq!(
        placed,
        Placement::Waitlisted {
            position: already_waiting + 1
        }
    );
    assert_eq!(status(&mut f, &first.enrolment_id), "waitlisted");

    // Cancel one confirmed place: the first waitlisted person is offered it.
    let holder: String = enrolments::table
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("confirmed"))
        .select(enrolments::id)
        .first(f.store.connection())
        .unwrap();
    let offer = enrolment::cancel(
        f.store.connection(),
        &admin,
        &holder,
        now() + Duration::minutes(1),
    )
    .unwrap()
    .expect("the freed place is offered");
    // First come, first served: the earliest put on the waitlist.
    let first_waiting: String = enrolments::table
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("waitlisted"))
        .order((enrolments::decided_at.asc(), enrolments::requested_at.asc()))
        .select(enrolments::id)
        .first(f.store.connection())
        .unwrap();
    assert_eq!(
        offer.enrolment_id, first_waiting,
        "first come, first served"
    );
    assert_ne!(
        offer.enrolment_id, first.enrolment_id,
        "the newcomer waits behind earlier people"
    );
    assert_eq!(status(&mut f, &holder), "cancelled");
    // Moving a confirmed person into the full group is refused; into a free one works.
    let other_group = group_of_programme(&mut f, &first.programme_id, 1);
    let mover: String = enrolments::table
        .filter(enrolments::group_id.eq(&other_group))
        .filter(enrolments::status.eq("confirmed"))
        .select(enrolments::id)
        .first(f.store.connection())
        .unwrap();
    enrolment::confirm_place(
        f.store.connection(),
        &admin,
        &offer.enrolment_id,
        &group,
        Some("test"),
        now(),
    )
    .unwrap();
    assert_eq!(
        enrolment::move_to_group(f.store.connection(), &admin, &mover, &group, now())
            .unwrap_err()
            .code(),
        "group_full"
    );
    let third = group_of_programme(&mut f, &first.programme_id, 2);
    enrolment::move_to_group(f.store.connection(), &admin, &mover, &third, now()).unwrap();
    let moved_to: Option<String> = enrolments::table
        .find(&mover)
        .select(enrolments::group_id)
        .first(f.store.connection())
        .unwrap();
    assert_eq!(moved_to.as_deref(), Some(third.as_str()));
}

#[test]
fn pol_10_a_room_or_a_trainer_booked_twice_is_refused_with_the_clash_named() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    // A session of a group with a room.
    let (existing_group, room, starts, ends, title): (
        String,
        Option<String>,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        String,
    ) = sessions::table
        .filter(sessions::room_id.is_not_null())
        .select((
            sessions::group_id,
            sessions::room_id,
            sessions::starts_at,
            sessions::ends_at,
            sessions::title,
        ))
        .first(f.store.connection())
        .unwrap();
    let room = room.unwrap();
    let (trainer, programme): (String, String) = workshop_groups::table
        .find(&existing_group)
        .select((workshop_groups::trainer_id, workshop_groups::programme_id))
        .first(f.store.connection())
        .unwrap();
    // Another group with another trainer, same room, overlapping time.
    let other: String = workshop_groups::table
        .filter(workshop_groups::trainer_id.ne(&trainer))
        .select(workshop_groups::id)
        .first(f.store.connection())
        .unwrap();
    let at = starts.and_utc() + Duration::minutes(30);
    let plan = NewSessionPlan {
        group: &other,
        title: "Séance ajoutée",
        kind: "in_person",
        starts: at,
        ends: at + Duration::minutes(90),
        room: Some(&room),
    };
    let error = planning::add_session(f.store.connection(), &admin, &plan, now()).unwrap_err();
    assert_eq!(error.code(), "room_clash");
    assert!(
        error.to_string().contains(&title),
        "the clash names the other session: {error}"
    );

    // Same trainer, no room, overlapping: trainer clash.
    let sibling: String = workshop_groups::table
        .filter(workshop_groups::trainer_id.eq(&trainer))
        .filter(workshop_groups::id.ne(&existing_group))
        .select(workshop_groups::id)
        .first(f.store.connection())
        .unwrap();
    let plan = NewSessionPlan {
        group: &sibling,
        room: None,
        ..plan
    };
    assert_eq!(
        planning::add_session(f.store.connection(), &admin, &plan, now())
            .unwrap_err()
            .code(),
        "trainer_clash"
    );

    // After the existing session ends, the room is free.
    let later = ends.and_utc();
    let plan = NewSessionPlan {
        group: &other,
        starts: later,
        ends: later + Duration::minutes(60),
        room: Some(&room),
        ..plan
    };
    let result = planning::add_session(f.store.connection(), &admin, &plan, now());
    assert!(
        result.is_ok() || result.as_ref().unwrap_err().code() == "room_too_small",
        "{result:?}"
    );
    let _ = programme;

    // Trainers do not plan (ROLE-1 reads planning only).
    let a = f.actor("formatrice.a");
    assert_eq!(
        planning::add_session(f.store.connection(), &a, &plan, now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
}
