//! The staff workspaces' store side: trainers preparing sessions (ROLE-1,
//! POL-9), the office confirming places behind the payment gate, the waitlist
//! and moves (ROLE-3, POL-10), and clash-free planning.

mod common;

use chrono::Duration;
use common::{demo, now, Fixture};
use diesel::prelude::*;
use domain::enrolment::PaymentState;
use store::enrolment::{self, Listing, Placement};
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
        kind: domain::enrolment::SessionKind::InPerson,
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

fn programme_with_requests(f: &mut Fixture) -> String {
    enrolments::table
        .filter(enrolments::status.eq("requested"))
        .select(enrolments::programme_id)
        .order(enrolments::programme_id)
        .first(f.store.connection())
        .unwrap()
}

#[test]
fn pol_10_balancing_proposes_within_slots_and_capacities_and_applies_behind_the_payment_gate() {
    use std::collections::BTreeMap;
    use store::balancing;
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let programme = programme_with_requests(&mut f);
    let view = balancing::propose(f.store.connection(), &admin, &programme, now()).unwrap();
    assert!(!view.registrations.is_empty());
    assert_eq!(
        view.assignments.len() + view.unplaced.len(),
        view.registrations.len()
    );
    for (enrolment, group) in &view.assignments {
        let person = view
            .registrations
            .iter()
            .find(|r| &r.enrolment_id == enrolment)
            .unwrap();
        let figure = view
            .groups
            .iter()
            .find(|g| &g.id == group)
            .expect("a group of the programme");
        assert!(
            person.available_slots.contains(&figure.slot),
            "placed in an available slot"
        );
    }
    assert!(view
        .groups
        .iter()
        .all(|g| g.proposed <= g.capacity.max(g.confirmed)));
    let proposed_sum: u32 = view.groups.iter().map(|g| g.proposed - g.confirmed).sum();
    assert_eq!(proposed_sum as usize, view.assignments.len());
    // The office's figures for the same assignments are the proposal's.
    let again = balancing::evaluate(
        f.store.connection(),
        &admin,
        &programme,
        &view.assignments,
        now(),
    )
    .unwrap();
    assert_eq!(again.score, view.score);

    // An edit that breaks a slot is refused whole.
    let mut broken = view.assignments.clone();
    if let Some((enrolment, _)) = broken.iter().next().map(|(e, g)| (e.clone(), g.clone())) {
        let person = view
            .registrations
            .iter()
            .find(|r| r.enrolment_id == enrolment)
            .unwrap();
        if let Some(other) = view
            .groups
            .iter()
            .find(|g| !person.available_slots.contains(&g.slot))
        {
            broken.insert(enrolment.clone(), other.id.clone());
            let error = balancing::apply(f.store.connection(), &admin, &programme, &broken, now())
                .unwrap_err();
            assert_eq!(error.code(), "invalid_proposal");
            assert_eq!(status(&mut f, &enrolment), "requested", "nothing applied");
        }
    }

    let applied = balancing::apply(
        f.store.connection(),
        &admin,
        &programme,
        &view.assignments,
        now(),
    )
    .unwrap();
    assert_eq!(
        (applied.confirmed + applied.awaiting_payment) as usize,
        view.assignments.len()
    );
    for (enrolment, group) in &view.assignments {
        let person = view
            .registrations
            .iter()
            .find(|r| &r.enrolment_id == enrolment)
            .unwrap();
        let (state, placed): (String, Option<String>) = enrolments::table
            .find(enrolment)
            .select((enrolments::status, enrolments::group_id))
            .first(f.store.connection())
            .unwrap();
        assert_eq!(placed.as_ref(), Some(group));
        let expected = if person.payment == PaymentState::Confirmed || person.waiver {
            "confirmed"
        } else {
            "requested"
        };
        assert_eq!(state, expected, "the payment gate applies to balancing too");
    }
    // Trainers do not balance groups.
    let a = f.actor("formatrice.a");
    assert_eq!(
        balancing::propose(f.store.connection(), &a, &programme, now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
    let _ = BTreeMap::<String, String>::new();
}

#[test]
fn pol_13_pol_26_suggestions_skip_people_who_objected_and_reminders_reach_everyone() {
    use domain::messages::Template;
    use store::messages::{self, MessageContext};
    use store::schema::{outbox_messages, participants, programmes};
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let session = sessions_of(&mut f, "formatrice.a")[2].clone();
    let group: String = sessions::table
        .find(&session)
        .select(sessions::group_id)
        .first(f.store.connection())
        .unwrap();
    // The group's confirmed participants: its messages' recipients.
    let recipients: Vec<String> = enrolments::table
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("confirmed"))
        .select(enrolments::participant_id)
        .order(enrolments::participant_id)
        .load(f.store.connection())
        .unwrap();
    assert!(recipients.len() >= 3);
    // One person objects to suggestions (POL-26); another unsubscribed from marketing.
    diesel::update(participants::table.find(&recipients[0]))
        .set(participants::objects_to_suggestions.eq(true))
        .execute(f.store.connection())
        .unwrap();
    diesel::update(participants::table.find(&recipients[1]))
        .set(participants::marketing_opt_out.eq(true))
        .execute(f.store.connection())
        .unwrap();
    let programme: String = programmes::table
        .select(programmes::id)
        .first(f.store.connection())
        .unwrap();
    let context = MessageContext {
        session: Some(&session),
        group: Some(&group),
        programme: Some(&programme),
    };

    let preview = messages::preview(
        f.store.connection(),
        &admin,
        Template::WebinarReminder,
        &recipients[0],
        &context,
        now(),
    )
    .unwrap();
    let given: String = participants::table
        .find(&recipients[0])
        .select(participants::given_name)
        .first(f.store.connection())
        .unwrap();
    assert!(preview.body.starts_with(&format!("Bonjour {given},")));
    assert!(!preview.body.contains('{') && !preview.subject.contains('{'));

    let suggestions = messages::queue(
        f.store.connection(),
        &admin,
        Template::ModuleSuggestion,
        &group,
        &context,
        now(),
    )
    .unwrap();
    let skipped: Vec<&str> = suggestions
        .skipped
        .iter()
        .map(|s| s.participant_id.as_str())
        .collect();
    assert!(skipped.contains(&recipients[0].as_str()) && skipped.contains(&recipients[1].as_str()));
    assert_eq!(
        suggestions.queued + suggestions.skipped.len(),
        recipients.len()
    );
    let reminders = messages::queue(
        f.store.connection(),
        &admin,
        Template::WebinarReminder,
        &group,
        &context,
        now(),
    )
    .unwrap();
    assert_eq!(
        reminders.queued,
        recipients.len(),
        "reminders serve the contract: no one is skipped"
    );
    let suggested_to: Vec<String> = outbox_messages::table
        .filter(outbox_messages::template.eq("module_suggestion"))
        .select(outbox_messages::participant_id)
        .load(f.store.connection())
        .unwrap();
    assert!(!suggested_to.contains(&recipients[0]) && !suggested_to.contains(&recipients[1]));
    let listed = messages::outbox(f.store.connection(), &admin, now()).unwrap();
    assert_eq!(listed.len(), suggestions.queued + reminders.queued);
    // Trainers do not send messages.
    let a = f.actor("formatrice.a");
    assert_eq!(
        messages::queue(
            f.store.connection(),
            &a,
            Template::WebinarReminder,
            &group,
            &context,
            now()
        )
        .unwrap_err()
        .code(),
        "not_permitted"
    );
}

#[test]
fn pol_15_role_2_the_external_trainer_list_holds_names_and_emails_of_their_workshop_only() {
    use domain::contact_list::to_csv;
    use store::contacts::workshop_contacts;
    use store::schema::participants;
    let mut f = demo();
    let external = f.actor("intervenant.x");
    let (own, other): (String, String) = {
        let own: String = workshop_groups::table
            .filter(workshop_groups::external_trainer_id.eq(external.staff_id.as_str()))
            .select(workshop_groups::id)
            .first(f.store.connection())
            .unwrap();
        let other: String = workshop_groups::table
            .filter(workshop_groups::id.ne(&own))
            .select(workshop_groups::id)
            .first(f.store.connection())
            .unwrap();
        (own, other)
    };
    let (_, contacts) = workshop_contacts(f.store.connection(), &external, &own, now()).unwrap();
    let expected: Vec<(String, String, String)> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(&own))
        .filter(enrolments::status.eq("confirmed"))
        .order((participants::family_name, participants::given_name))
        .select((
            participants::given_name,
            participants::family_name,
            participants::email,
        ))
        .load(f.store.connection())
        .unwrap();
    let got: Vec<(String, String, String)> = contacts
        .iter()
        .map(|c| (c.given_name.clone(), c.family_name.clone(), c.email.clone()))
        .collect();
    assert_eq!(got, expected);
    // The file: a BOM, a 3-column header, one 3-column line per person, and no
    // phone, id or other value of theirs anywhere.
    let csv = to_csv(&contacts);
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), expected.len() + 1);
    assert!(
        lines.iter().all(|l| l.matches("\";\"").count() == 2),
        "three columns"
    );
    let phones: Vec<Option<String>> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(&own))
        .select(participants::phone)
        .load(f.store.connection())
        .unwrap();
    for phone in phones.into_iter().flatten() {
        assert!(!text.contains(&phone), "no phone in the list");
    }
    // Not another workshop's list; the office may export any.
    assert_eq!(
        workshop_contacts(f.store.connection(), &external, &other, now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
    let admin = f.actor("admin.lemans");
    assert!(workshop_contacts(f.store.connection(), &admin, &other, now()).is_ok());
    let support = f.actor("support");
    assert_eq!(
        workshop_contacts(f.store.connection(), &support, &own, now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
}

#[test]
fn role_1_trainer_records_attendance_of_their_own_sessions_only() {
    use store::schema::attendance;
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let b = f.actor("formateur.b");
    let session = trainer::upcoming_sessions(f.store.connection(), &a, now()).unwrap()[0].clone();
    let sheet = trainer::preparation_sheet(f.store.connection(), &a, &session.id, now()).unwrap();
    let person = sheet.participants[0].participant_id.clone();
    assert!(
        !sheet.participants[0].present,
        "an upcoming session has no attendance yet"
    );
    let rows = |f: &mut Fixture| -> i64 {
        attendance::table
            .filter(attendance::session_id.eq(&session.id))
            .filter(attendance::participant_id.eq(&person))
            .count()
            .get_result(f.store.connection())
            .unwrap()
    };
    trainer::set_attendance(f.store.connection(), &a, &session.id, &person, true, now()).unwrap();
    trainer::set_attendance(f.store.connection(), &a, &session.id, &person, true, now()).unwrap();
    assert_eq!(rows(&mut f), 1, "present once, however often it is ticked");
    let sheet = trainer::preparation_sheet(f.store.connection(), &a, &session.id, now()).unwrap();
    assert!(
        sheet
            .participants
            .iter()
            .find(|p| p.participant_id == person)
            .unwrap()
            .present
    );
    // Another trainer may not touch it.
    assert_eq!(
        trainer::set_attendance(f.store.connection(), &b, &session.id, &person, false, now())
            .unwrap_err()
            .code(),
        "not_permitted"
    );
    let (action, outcome, _) = last_audit(&mut f);
    assert_eq!(
        (action.as_str(), outcome.as_str()),
        ("attendance.set", "denied")
    );
    trainer::set_attendance(f.store.connection(), &a, &session.id, &person, false, now()).unwrap();
    assert_eq!(rows(&mut f), 0);
}
