//! The sync protocol's guarantees (sync.md, DC-5, POL-20, POL-25) on real
//! SQLCipher stores, server and laptops in one process through the real
//! client engine and the wire types.

mod common;

use chrono::Duration;
use common::*;
use diesel::prelude::*;
use store::schema::{audit_log, progress_notes, sync_applied, sync_outbox};
use sync::wire::{Envelope, Outcome, PushRequest, PROTOCOL};
use sync::Operation;

/// Pushes one operation straight to the server, as a (possibly tampered) laptop would.
fn push_one(server: &mut Server, laptop: &Laptop, op: Operation) -> Outcome {
    let now = server.now;
    let request = request(vec![Envelope {
        id: domain::new_id(),
        at: now,
        op,
    }]);
    let mut answer = sync::server::push(&mut server.store, &laptop.actor, request, now).unwrap();
    answer.answers.remove(0).outcome
}

fn first_participant(laptop: &mut Laptop) -> String {
    laptop
        .participants()
        .into_iter()
        .next()
        .expect("the laptop holds someone")
}

/// Trainer A's and trainer B's laptops, synced, and a participant that only B holds.
fn trainers_a_and_b(server: &mut Server) -> (Laptop, Laptop, String) {
    let mut mine = Laptop::new(server, "formatrice.a");
    let mut other = Laptop::new(server, "formateur.b");
    mine.sync(server).unwrap();
    other.sync(server).unwrap();
    let theirs = other
        .participants()
        .into_iter()
        .find(|id| !mine.participants().contains(id))
        .expect("trainer B has someone trainer A has not");
    (mine, other, theirs)
}

#[test]
fn dc_5_pol_20_first_sync_gives_each_role_exactly_its_projection() {
    let mut server = Server::demo();
    for username in [
        "formatrice.a",
        "formateur.b",
        "intervenant.x",
        "admin.lemans",
        "dpo",
        "support",
    ] {
        let mut laptop = Laptop::new(&mut server, username);
        laptop.sync(&mut server).unwrap();
        assert_converged(&mut server, &mut laptop);
    }
    // A trainer holds only their own participants: fewer than the office.
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    let mut office = Laptop::new(&mut server, "admin.lemans");
    trainer.sync(&mut server).unwrap();
    office.sync(&mut server).unwrap();
    let mine = trainer.participants();
    assert!(!mine.is_empty());
    assert!(mine.len() < office.participants().len());
    let scope =
        sync::server::scope_of(server.store.connection(), &trainer.actor, server.now).unwrap();
    assert_eq!(
        mine, scope,
        "role-1: the trainer's laptop holds exactly their scope"
    );
}

#[test]
fn dc_5_an_offline_note_reaches_the_server_with_the_same_id_and_once() {
    let mut server = Server::demo();
    let mut laptop = Laptop::new(&mut server, "formatrice.a");
    laptop.sync(&mut server).unwrap();
    let person = first_participant(&mut laptop);
    let mut offline = Offline;
    let at = server.now + Duration::minutes(5);
    let note = laptop
        .apply(
            Operation::AddProgressNote(sync::ops::AddProgressNote {
                participant_id: domain::ParticipantId(person.clone()),
                body: "Travaille l'écoute active".into(),
            }),
            at,
        )
        .unwrap();
    let note_id = note.as_str().unwrap().to_owned();
    // Offline: the round fails and the change waits in the outbox.
    let error = sync::client::round(
        &mut laptop.store,
        &laptop.actor.clone(),
        &mut offline,
        || at,
        &mut |_, _, _| {},
    )
    .unwrap_err();
    assert_eq!(error.code(), "offline");
    assert_eq!(laptop.status().pending, 1);
    assert!(laptop.status().last_error.is_some());
    server.now = at + Duration::minutes(1);
    let report = laptop.sync(&mut server).unwrap();
    assert_eq!((report.pushed, report.refused), (1, 0));
    assert_eq!(laptop.status().pending, 0);
    let body: String = progress_notes::table
        .find(&note_id)
        .select(progress_notes::body)
        .first(server.store.connection())
        .expect("the server has the note under the laptop's id");
    assert_eq!(body, "Travaille l'écoute active");
    assert_converged(&mut server, &mut laptop);
}

#[test]
fn dc_5_a_replayed_push_is_answered_again_and_applied_once() {
    let mut server = Server::demo();
    let mut laptop = Laptop::new(&mut server, "formatrice.a");
    laptop.sync(&mut server).unwrap();
    let person = first_participant(&mut laptop);
    let envelope = Envelope {
        id: domain::new_id(),
        at: server.now,
        op: Operation::AddObjective(sync::ops::AddObjective {
            participant_id: domain::ParticipantId(person.clone()),
            body: "Poser des questions ouvertes".into(),
        }),
    };
    let request = PushRequest {
        protocol: PROTOCOL,
        ops: vec![envelope.clone()],
    };
    let now = server.now;
    let first = sync::server::push(&mut server.store, &laptop.actor, request.clone(), now).unwrap();
    let second = sync::server::push(&mut server.store, &laptop.actor, request, now).unwrap();
    assert_eq!(first.answers, second.answers);
    assert_eq!(first.answers[0].outcome, Outcome::Applied);
    let count: i64 = store::schema::objectives::table
        .filter(store::schema::objectives::participant_id.eq(&person))
        .filter(store::schema::objectives::body.eq("Poser des questions ouvertes"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(count, 1, "pushing twice has the effect of once");
    let recorded: i64 = sync_applied::table
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(recorded, 1);
}

#[test]
fn role_1_a_push_about_another_trainers_participant_is_refused_and_audited() {
    let mut server = Server::demo();
    let (mine, _other, theirs) = trainers_a_and_b(&mut server);
    // A tampered laptop pushes a note about B's participant.
    let outcome = push_one(
        &mut server,
        &mine,
        Operation::AddProgressNote(sync::ops::AddProgressNote {
            participant_id: domain::ParticipantId(theirs.clone()),
            body: "hors périmètre".into(),
        }),
    );
    assert!(
        matches!(&outcome, Outcome::Refused { code, .. } if code == "not_permitted"),
        "{outcome:?}"
    );
    let notes: i64 = progress_notes::table
        .filter(progress_notes::participant_id.eq(&theirs))
        .filter(progress_notes::body.eq("hors périmètre"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(notes, 0);
    let denied: i64 = audit_log::table
        .filter(audit_log::actor_id.eq(mine.actor.staff_id.as_str()))
        .filter(audit_log::participant_id.eq(&theirs))
        .filter(audit_log::outcome.eq("denied"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert!(
        denied >= 1,
        "the refused attempt is in the server's audit trail"
    );
}

#[test]
fn role_1_moving_a_participant_purges_the_old_trainers_laptop_at_next_sync() {
    let mut server = Server::demo();
    let (trainer_a, _) = server.staff("formatrice.a");
    let (enrolment, person, target) = movable_enrolment(&mut server, trainer_a.as_str());
    let mut old = Laptop::new(&mut server, "formatrice.a");
    let mut office = Laptop::new(&mut server, "admin.lemans");
    old.sync(&mut server).unwrap();
    office.sync(&mut server).unwrap();
    assert!(old.holds(&person));
    office
        .apply(
            Operation::MoveEnrolment(sync::ops::MoveEnrolment {
                enrolment_id: enrolment,
                group_id: target.clone(),
            }),
            server.now,
        )
        .unwrap();
    office.sync(&mut server).unwrap();
    let report = old.sync(&mut server).unwrap();
    assert!(
        !old.holds(&person),
        "the old trainer's laptop no longer holds the person"
    );
    assert!(report.participants_purged >= 1);
    assert_converged(&mut server, &mut old);
    // The new trainer's laptop gets the person.
    let new_trainer: String = store::schema::workshop_groups::table
        .find(&target)
        .select(store::schema::workshop_groups::trainer_id)
        .first(server.store.connection())
        .unwrap();
    let username: String = store::schema::staff::table
        .find(&new_trainer)
        .select(store::schema::staff::username)
        .first(server.store.connection())
        .unwrap();
    let mut new = Laptop::new(&mut server, &username);
    new.sync(&mut server).unwrap();
    assert!(new.holds(&person));
    assert_converged(&mut server, &mut new);
}

fn erase(person: &str) -> Operation {
    Operation::EraseParticipant(sync::ops::EraseParticipant {
        participant_id: domain::ParticipantId(person.to_owned()),
        reason: domain::access_export::ErasureReason::MinorDiscovered,
        request_id: None,
        deep: false,
    })
}

fn stale_edit(person: &str) -> Operation {
    Operation::AddProgressNote(sync::ops::AddProgressNote {
        participant_id: domain::ParticipantId(person.to_owned()),
        body: "note écrite hors ligne".into(),
    })
}

/// Both laptops synced once, then offline: the DPO erases a participant of
/// the trainer's, the trainer writes a note about the same person.
fn erasure_and_stale_edit_offline() -> (Server, Laptop, Laptop, String) {
    let mut server = Server::demo();
    let mut dpo = Laptop::new(&mut server, "dpo");
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    dpo.sync(&mut server).unwrap();
    trainer.sync(&mut server).unwrap();
    let person = first_participant(&mut trainer);
    dpo.apply(erase(&person), server.now).unwrap();
    trainer.apply(stale_edit(&person), server.now).unwrap();
    (server, dpo, trainer, person)
}

fn assert_gone_everywhere(server: &mut Server, laptops: &mut [&mut Laptop], person: &str) {
    assert!(!sync::replica::holds(server.store.connection(), person).unwrap());
    for laptop in laptops.iter_mut() {
        assert!(
            !laptop.holds(person),
            "a {} laptop still holds the erased person",
            laptop.actor.role
        );
        let queued: i64 = sync_outbox::table
            .filter(sync_outbox::subject_id.eq(person))
            .count()
            .get_result(laptop.store.connection())
            .unwrap();
        assert_eq!(queued, 0);
    }
}

#[test]
fn pol_25_erasure_offline_then_a_stale_edit_pushed_later_never_brings_the_person_back() {
    let (mut server, mut dpo, mut trainer, person) = erasure_and_stale_edit_offline();
    // The DPO syncs first, then the trainer.
    server.now += Duration::minutes(10);
    dpo.sync(&mut server).unwrap();
    let report = trainer.sync(&mut server).unwrap();
    assert_eq!(report.refused, 1, "the trainer's edit is refused");
    let status = trainer.status();
    assert_eq!(status.refusals.len(), 1);
    assert_eq!(status.refusals[0].code, "erased");
    assert!(
        !status.refusals[0].message.contains("hors ligne"),
        "refusals carry no data"
    );
    assert_gone_everywhere(&mut server, &mut [&mut dpo, &mut trainer], &person);
    assert_converged(&mut server, &mut trainer);
    assert_converged(&mut server, &mut dpo);
}

#[test]
fn pol_25_a_stale_edit_pushed_first_is_erased_with_the_person() {
    let (mut server, mut dpo, mut trainer, person) = erasure_and_stale_edit_offline();
    // The trainer syncs first: the note lands, then the erasure removes it.
    server.now += Duration::minutes(10);
    trainer.sync(&mut server).unwrap();
    dpo.sync(&mut server).unwrap();
    trainer.sync(&mut server).unwrap();
    assert_gone_everywhere(&mut server, &mut [&mut dpo, &mut trainer], &person);
    let notes: i64 = progress_notes::table
        .filter(progress_notes::body.eq("note écrite hors ligne"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(notes, 0, "the note went with the person");
    // A later push about the person is refused as erased.
    let outcome = push_one(&mut server, &trainer, stale_edit(&person));
    assert!(matches!(&outcome, Outcome::Refused { code, .. } if code == "erased"));
    assert_converged(&mut server, &mut trainer);
}

#[test]
fn dc_5_a_refused_local_change_is_undone_by_the_next_pull() {
    let mut server = Server::demo();
    let (trainer_a, _) = server.staff("formatrice.a");
    let (enrolment, person, target) = movable_enrolment(&mut server, trainer_a.as_str());
    let mut office = Laptop::new(&mut server, "admin.lemans");
    let mut other_office = Laptop::new(&mut server, "admin.lemans");
    office.sync(&mut server).unwrap();
    other_office.sync(&mut server).unwrap();
    // Both offices act on the same enrolment offline: cancel here, move there.
    office
        .apply(
            Operation::CancelEnrolment(sync::ops::CancelEnrolment {
                enrolment_id: enrolment.clone(),
            }),
            server.now,
        )
        .unwrap();
    other_office
        .apply(
            Operation::MoveEnrolment(sync::ops::MoveEnrolment {
                enrolment_id: enrolment.clone(),
                group_id: target,
            }),
            server.now,
        )
        .unwrap();
    office.sync(&mut server).unwrap();
    let report = other_office.sync(&mut server).unwrap();
    assert_eq!(report.refused, 1, "a cancelled place cannot be moved");
    assert_converged(&mut server, &mut other_office);
    assert_converged(&mut server, &mut office);
    assert!(other_office.holds(&person));
}

#[test]
fn pol_21_laptops_push_their_audit_trail_and_the_server_verifies_each_chain() {
    let mut server = Server::demo();
    let mut laptop = Laptop::new(&mut server, "formatrice.a");
    laptop.sync(&mut server).unwrap();
    let person = first_participant(&mut laptop);
    let actor = laptop.actor.clone();
    store::participants::participant_profile(
        laptop.store.connection(),
        &actor,
        &person,
        server.now,
    )
    .unwrap();
    let report = laptop.sync(&mut server).unwrap();
    assert!(report.audit_pushed >= 1);
    let held: i64 = store::schema::device_audit::table
        .filter(store::schema::device_audit::device_id.eq(laptop.actor.device_id.as_str()))
        .filter(store::schema::device_audit::participant_id.eq(&person))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(
        held, 1,
        "the profile view reached the server's copy of the trail"
    );
    // Pushing again adds nothing.
    let again = laptop.sync(&mut server).unwrap();
    assert_eq!(again.audit_pushed, 0);
}

#[test]
fn pol_21_an_out_of_scope_attempt_on_a_laptop_raises_an_alert_on_the_dpo_laptop() {
    let mut server = Server::demo();
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    let mut dpo = Laptop::new(&mut server, "dpo");
    let mut other = Laptop::new(&mut server, "formateur.b");
    trainer.sync(&mut server).unwrap();
    dpo.sync(&mut server).unwrap();
    other.sync(&mut server).unwrap();
    let own: Vec<String> = trainer.participants();
    let foreign = other
        .participants()
        .into_iter()
        .find(|id| !own.contains(id))
        .expect("trainer B has someone trainer A does not");
    let actor = trainer.actor.clone();
    // The laptop does not hold the person (a profile view is "not found"):
    // the refused attempt is recorded by the store's gate and pushed.
    let refused = store::participants::participant_profile(
        trainer.store.connection(),
        &actor,
        &foreign,
        server.now,
    );
    assert!(
        matches!(refused, Err(store::StoreError::OutOfScope(_))),
        "{refused:?}"
    );
    trainer.sync(&mut server).unwrap();
    let raised: i64 = store::schema::audit_alerts::table
        .filter(store::schema::audit_alerts::kind.eq("out_of_scope"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert!(raised >= 1, "the server raised the alert");
    server.now += Duration::minutes(1);
    dpo.sync(&mut server).unwrap();
    let dpo_actor = dpo.actor.clone();
    let alerts = store::audit::alerts(dpo.store.connection(), &dpo_actor, server.now).unwrap();
    let alert = alerts
        .iter()
        .find(|a| a.kind == "out_of_scope")
        .expect("the DPO's laptop lists the alert");
    assert_eq!(alert.staff_id, trainer.actor.staff_id.as_str());
    assert!(alert.staff_name.is_some());
    assert!(alert.entries >= 1);
    // Nobody else holds the alerts, and nobody else may read them.
    trainer.sync(&mut server).unwrap();
    let held: i64 = store::schema::audit_alerts::table
        .count()
        .get_result(trainer.store.connection())
        .unwrap();
    assert_eq!(held, 0);
    assert!(store::audit::alerts(trainer.store.connection(), &actor, server.now).is_err());
    assert_converged(&mut server, &mut dpo);
}

fn objective(person: &str, body: &str) -> Envelope {
    Envelope {
        id: domain::new_id(),
        at: start() + Duration::hours(1),
        op: Operation::AddObjective(sync::ops::AddObjective {
            participant_id: domain::ParticipantId(person.to_owned()),
            body: body.to_owned(),
        }),
    }
}

fn request(ops: Vec<Envelope>) -> PushRequest {
    PushRequest {
        protocol: PROTOCOL,
        ops,
    }
}

#[test]
fn dc_5_a_group_commit_answers_each_push_as_if_it_were_alone() {
    let mut server = Server::demo();
    let (mut mine, mut other, theirs) = trainers_a_and_b(&mut server);
    let person = first_participant(&mut mine);
    let kept = objective(&person, "Reformuler avant de répondre");
    let group = vec![
        // A's own participant: applied.
        (mine.actor.clone(), request(vec![kept.clone()])),
        // A about B's participant: refused for A, in the same group.
        (
            mine.actor.clone(),
            request(vec![objective(&theirs, "hors périmètre (groupe)")]),
        ),
        // B about B's participant: applied, whatever A's push said.
        (
            other.actor.clone(),
            request(vec![objective(&theirs, "Accueillir les émotions")]),
        ),
        // A's first push replayed in the same group: answered again, applied once.
        (mine.actor.clone(), request(vec![kept.clone()])),
        // The same operation id from B's laptop: not B's operation.
        (other.actor.clone(), request(vec![kept.clone()])),
    ];
    let now = server.now;
    let answers: Vec<Outcome> = sync::server::push_many(&mut server.store, group, now)
        .unwrap()
        .into_iter()
        .map(|push| push.unwrap().answers.remove(0).outcome)
        .collect();
    assert_eq!(answers[0], Outcome::Applied);
    assert!(
        matches!(&answers[1], Outcome::Refused { code, .. } if code == "not_permitted"),
        "{:?}",
        answers[1]
    );
    assert_eq!(answers[2], Outcome::Applied);
    assert_eq!(
        answers[3],
        Outcome::Applied,
        "a replay gets the first answer"
    );
    assert!(
        matches!(&answers[4], Outcome::Refused { code, .. } if code == "malformed"),
        "{:?}",
        answers[4]
    );
    let count = |server: &mut Server, person: &str, body: &str| -> i64 {
        store::schema::objectives::table
            .filter(store::schema::objectives::participant_id.eq(person))
            .filter(store::schema::objectives::body.eq(body))
            .count()
            .get_result(server.store.connection())
            .unwrap()
    };
    assert_eq!(
        count(&mut server, &person, "Reformuler avant de répondre"),
        1
    );
    assert_eq!(count(&mut server, &theirs, "hors périmètre (groupe)"), 0);
    assert_eq!(count(&mut server, &theirs, "Accueillir les émotions"), 1);
    let denied: i64 = audit_log::table
        .filter(audit_log::actor_id.eq(mine.actor.staff_id.as_str()))
        .filter(audit_log::participant_id.eq(&theirs))
        .filter(audit_log::outcome.eq("denied"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert!(denied >= 1, "the refusal inside the group is audited");
    // Both laptops receive what the group committed.
    mine.sync(&mut server).unwrap();
    other.sync(&mut server).unwrap();
    assert_converged(&mut server, &mut mine);
    assert_converged(&mut server, &mut other);
}
