//! DC-5: the DPO's and the trainers' other changing commands sync as
//! operations too (issue 5: "operations added later must sync too"): the
//! retention rules and sweep (POL-29..33), the registers and policy versions
//! (POL-34, POL-36), support access (ROLE-4) and report imports (POL-4).

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use diesel::prelude::*;
use store::schema::{
    assistance_requests, attendance, enrolments, import_unmatched, outbox_messages, participants,
    policy_versions, sessions, sync_outbox, workshop_groups,
};
use sync::Operation;

fn outbox_len(laptop: &mut Laptop) -> i64 {
    sync_outbox::table
        .count()
        .get_result(laptop.store.connection())
        .unwrap()
}

/// The retention rule `key` as `dpo` reads it in `store`.
fn rules_value(store: &mut store::Store, dpo: &domain::Actor, key: &str) -> u32 {
    store::retention::rules(store.connection(), dpo, start())
        .unwrap()
        .into_iter()
        .find(|entry| entry.key == key)
        .map(|entry| entry.value)
        .expect("rule exists")
}

#[test]
fn pol_29_dc_5_a_retention_rule_changed_on_one_laptop_reaches_the_server_and_the_other() {
    let mut server = Server::demo();
    let mut first = Laptop::new(&mut server, "dpo");
    let mut second = Laptop::new(&mut server, "dpo");
    first.sync(&mut server).unwrap();
    second.sync(&mut server).unwrap();
    let key = "inactive_after_months";
    let (staff, role) = server.staff("dpo");
    let on_server = domain::Actor::new(staff, role, server.store.device().clone());
    let before = rules_value(&mut server.store, &on_server, key);
    let wanted = before + 2;
    first
        .apply(
            Operation::SetRetentionRule(sync::ops::SetRetentionRule {
                key: key.into(),
                value: wanted,
            }),
            server.now,
        )
        .unwrap();
    assert_eq!(outbox_len(&mut first), 1, "the change is queued");
    first.sync(&mut server).unwrap();
    assert_eq!(outbox_len(&mut first), 0);
    assert_eq!(rules_value(&mut server.store, &on_server, key), wanted);
    second.sync(&mut server).unwrap();
    assert_eq!(
        rules_value(&mut second.store, &second.actor.clone(), key),
        wanted
    );
    // The laptop's own settings beside the rules survive the pull.
    let device_meta: i64 = store::schema::app_meta::table
        .filter(store::schema::app_meta::key.ne("retention_rules"))
        .count()
        .get_result(second.store.connection())
        .unwrap();
    assert!(device_meta > 0);
    assert_converged(&mut server, &mut second);
}

/// Makes `person` due for erasure on the server: reminded long ago, never back.
fn make_due_for_erasure(server: &mut Server, person: &str) {
    let long_ago = NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let reminded = NaiveDate::from_ymd_opt(2026, 2, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    diesel::update(participants::table.find(person))
        .set((
            participants::last_login_at.eq(long_ago),
            participants::account_status.eq("reminded"),
            participants::reminded_at.eq(reminded),
            participants::updated_at.eq(server.now.naive_utc()),
        ))
        .execute(server.store.connection())
        .unwrap();
}

#[test]
fn pol_30_dc_5_a_retention_run_on_the_dpo_laptop_erases_on_the_server_and_every_laptop() {
    let mut server = Server::demo();
    let mut dpo = Laptop::new(&mut server, "dpo");
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    trainer.sync(&mut server).unwrap();
    let person = trainer.participants().into_iter().next().unwrap();
    make_due_for_erasure(&mut server, &person);
    server.now += Duration::minutes(1);
    dpo.sync(&mut server).unwrap();
    trainer.sync(&mut server).unwrap();
    assert!(trainer.holds(&person));

    // Offline, the DPO runs the sweep: the person goes from the laptop at once.
    let outcome = dpo
        .apply(
            Operation::RetentionRun(sync::ops::RetentionRun {}),
            server.now,
        )
        .unwrap();
    assert!(outcome["executed"].as_u64().unwrap() >= 1);
    assert!(!dpo.holds(&person));
    assert!(sync::replica::holds(server.store.connection(), &person).unwrap());

    // The run reaches the server, which sweeps its own copy at the run's time.
    server.now += Duration::minutes(5);
    dpo.sync(&mut server).unwrap();
    assert!(!sync::replica::holds(server.store.connection(), &person).unwrap());
    let tombstone: i64 = store::schema::sync_tombstones::table
        .filter(store::schema::sync_tombstones::subject_id.eq(&person))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(tombstone, 1, "the erasure leaves a tombstone");
    trainer.sync(&mut server).unwrap();
    assert!(!trainer.holds(&person), "the trainer's copy is erased too");
    assert_converged(&mut server, &mut trainer);
    assert_converged(&mut server, &mut dpo);
}

#[test]
fn pol_36_a_significant_policy_version_published_offline_queues_notices_on_the_server() {
    let mut server = Server::demo();
    let mut dpo = Laptop::new(&mut server, "dpo");
    let mut office = Laptop::new(&mut server, "admin.lemans");
    dpo.sync(&mut server).unwrap();
    office.sync(&mut server).unwrap();
    let notices = |store: &mut store::Store| -> i64 {
        outbox_messages::table
            .filter(outbox_messages::template.eq("policy_change"))
            .count()
            .get_result(store.connection())
            .unwrap()
    };
    let before = notices(&mut server.store);
    let version: store::registers::NewPolicyVersion = serde_json::from_value(serde_json::json!({
        "version": "2027-01",
        "effective_on": "2027-01-15",
        "significant": true,
        "summary": "Nouvelle durée de conservation des notes (version de démonstration)."
    }))
    .unwrap();
    dpo.apply(
        Operation::PublishPolicyVersion(sync::ops::PublishPolicyVersion { version }),
        server.now,
    )
    .unwrap();
    dpo.sync(&mut server).unwrap();
    let published: i64 = policy_versions::table
        .filter(policy_versions::version.eq("2027-01"))
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert_eq!(published, 1);
    let participants: i64 = participants::table
        .count()
        .get_result(server.store.connection())
        .unwrap();
    assert!(
        notices(&mut server.store) - before >= participants - 5,
        "the server queued a notice for (nearly) every participant to send"
    );
    assert_converged(&mut server, &mut dpo);
    office.sync(&mut server).unwrap();
    assert_converged(&mut server, &mut office);
}

#[test]
fn role_4_support_access_closed_offline_is_closed_on_the_server() {
    let mut server = Server::demo();
    let open: Option<String> = assistance_requests::table
        .filter(assistance_requests::closed_at.is_null())
        .select(assistance_requests::id)
        .first(server.store.connection())
        .optional()
        .unwrap();
    let Some(request) = open else {
        panic!("the demo data has an open support request");
    };
    let mut dpo = Laptop::new(&mut server, "dpo");
    dpo.sync(&mut server).unwrap();
    dpo.apply(
        Operation::CloseAssistance(sync::ops::CloseAssistance {
            request_id: request.clone(),
        }),
        server.now,
    )
    .unwrap();
    dpo.sync(&mut server).unwrap();
    let closed: Option<chrono::NaiveDateTime> = assistance_requests::table
        .find(&request)
        .select(assistance_requests::closed_at)
        .first(server.store.connection())
        .unwrap();
    assert!(closed.is_some());
    assert_converged(&mut server, &mut dpo);
}

fn zoom_report(emails: &[&str]) -> Vec<u8> {
    let mut text = String::from(
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n\
         851 1234 5678,Atelier test,11/04/2026 06:30:00 PM,11/04/2026 08:00:00 PM,hote@example.test,90,3\n\n\
         Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n",
    );
    for (i, email) in emails.iter().enumerate() {
        text.push_str(&format!(
            "Personne Fictive {i},{email},11/04/2026 06:3{i}:00 PM,11/04/2026 07:59:00 PM,88,No\n"
        ));
    }
    text.into_bytes()
}

#[test]
fn pol_4_dc_5_an_imported_report_syncs_and_a_later_pull_keeps_it() {
    let mut server = Server::demo();
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    trainer.sync(&mut server).unwrap();
    let own = trainer.actor.staff_id.as_str().to_owned();
    let (session, group): (String, String) = sessions::table
        .inner_join(workshop_groups::table)
        .filter(workshop_groups::trainer_id.eq(&own))
        .order(sessions::starts_at)
        .select((sessions::id, sessions::group_id))
        .first(trainer.store.connection())
        .unwrap();
    let people: Vec<(String, String)> = enrolments::table
        .inner_join(participants::table)
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("confirmed"))
        .select((participants::id, participants::email))
        .limit(2)
        .load(trainer.store.connection())
        .unwrap();
    assert_eq!(people.len(), 2);
    let mut emails: Vec<&str> = people.iter().map(|(_, e)| e.as_str()).collect();
    emails.push("inconnue@example.test");
    let count = |store: &mut store::Store| -> (i64, i64) {
        (
            attendance::table
                .filter(attendance::session_id.eq(&session))
                .count()
                .get_result(store.connection())
                .unwrap(),
            import_unmatched::table
                .filter(import_unmatched::session_id.eq(&session))
                .count()
                .get_result(store.connection())
                .unwrap(),
        )
    };
    let before = count(&mut server.store);
    trainer
        .apply(
            Operation::ImportReport(sync::ops::ImportReport::of_file(
                session.clone(),
                &zoom_report(&emails),
                false,
            )),
            server.now,
        )
        .unwrap();
    let local = count(&mut trainer.store);
    assert_eq!(local.1, 1, "the unknown address waits for the office");
    trainer.sync(&mut server).unwrap();
    let on_server = count(&mut server.store);
    assert_eq!(
        on_server.0, local.0,
        "the server stored the same attendance"
    );
    assert!(on_server.0 > before.0 || before.0 == local.0);
    assert_eq!(on_server.1, 1);
    // A change on the server about one of them: the pull replaces that
    // person's rows, and the imported attendance stays.
    diesel::update(participants::table.find(&people[0].0))
        .set(participants::updated_at.eq(server.now.naive_utc()))
        .execute(server.store.connection())
        .unwrap();
    server.now += Duration::minutes(1);
    trainer.sync(&mut server).unwrap();
    assert_eq!(count(&mut trainer.store).0, local.0);
    // The unmatched row is resolved on the laptop (discarded): the server too.
    let row: String = import_unmatched::table
        .filter(import_unmatched::session_id.eq(&session))
        .select(import_unmatched::id)
        .first(trainer.store.connection())
        .unwrap();
    trainer
        .apply(
            Operation::ResolveUnmatched(sync::ops::ResolveUnmatched {
                row_id: row,
                participant_id: None,
            }),
            server.now,
        )
        .unwrap();
    trainer.sync(&mut server).unwrap();
    assert_eq!(count(&mut server.store).1, 0);
    assert_converged(&mut server, &mut trainer);
}

#[test]
fn dc_5_an_operation_too_large_to_sync_is_refused_before_it_changes_anything() {
    let mut server = Server::demo();
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    trainer.sync(&mut server).unwrap();
    let session: String = sessions::table
        .select(sessions::id)
        .first(trainer.store.connection())
        .unwrap();
    let huge = vec![b'a'; sync::local::MAX_OP_BYTES];
    let result = trainer.apply(
        Operation::ImportReport(sync::ops::ImportReport::of_file(session, &huge, false)),
        server.now,
    );
    let error = result.expect_err("refused");
    assert!(error.to_string().contains("cannot be synced"), "{error}");
    assert_eq!(outbox_len(&mut trainer), 0);
}

fn alert_handled(store: &mut store::Store, id: &str) -> bool {
    store::schema::audit_alerts::table
        .find(id)
        .select(store::schema::audit_alerts::acknowledged_at)
        .first::<Option<chrono::NaiveDateTime>>(store.connection())
        .unwrap()
        .is_some()
}

#[test]
fn pol_21_dc_5_an_alert_marked_handled_offline_is_handled_on_the_server_and_the_other_laptop() {
    let mut server = Server::demo();
    // The server raises alerts on the trails it receives (sync::server);
    // here one is raised directly, as that code inserts it.
    let alert = domain::new_id();
    let when = server.now.naive_utc();
    diesel::insert_into(store::schema::audit_alerts::table)
        .values((
            store::schema::audit_alerts::id.eq(&alert),
            store::schema::audit_alerts::kind.eq("unusual_hours"),
            store::schema::audit_alerts::staff_id.eq("staff-fictional"),
            store::schema::audit_alerts::device_id.eq("device-fictional"),
            store::schema::audit_alerts::first_at.eq(when),
            store::schema::audit_alerts::last_at.eq(when),
            store::schema::audit_alerts::entries.eq(3),
            store::schema::audit_alerts::raised_at.eq(when),
        ))
        .execute(server.store.connection())
        .unwrap();
    let mut first = Laptop::new(&mut server, "dpo");
    let mut second = Laptop::new(&mut server, "dpo");
    let mut trainer = Laptop::new(&mut server, "formatrice.a");
    first.sync(&mut server).unwrap();
    second.sync(&mut server).unwrap();
    trainer.sync(&mut server).unwrap();
    assert!(!alert_handled(&mut first.store, &alert));
    assert!(!alert_handled(&mut second.store, &alert));

    // Offline on the first laptop.
    first
        .apply(
            Operation::AcknowledgeAlert(sync::ops::AcknowledgeAlert {
                alert_id: alert.clone(),
            }),
            server.now,
        )
        .unwrap();
    assert!(alert_handled(&mut first.store, &alert));
    assert_eq!(outbox_len(&mut first), 1, "the mark is queued");
    first.sync(&mut server).unwrap();
    assert_eq!(outbox_len(&mut first), 0);
    assert!(alert_handled(&mut server.store, &alert));
    second.sync(&mut server).unwrap();
    assert!(alert_handled(&mut second.store, &alert));
    assert_converged(&mut server, &mut second);

    // A trainer may not: refused on the laptop, nothing queued.
    let refused = trainer.apply(
        Operation::AcknowledgeAlert(sync::ops::AcknowledgeAlert {
            alert_id: alert.clone(),
        }),
        server.now,
    );
    assert!(refused.is_err());
    assert_eq!(outbox_len(&mut trainer), 0);
}
