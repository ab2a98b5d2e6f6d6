//! POL-21: the trail is append-only in SQL and tamper-evident: editing,
//! deleting or reordering one stored entry is detected and the first broken
//! entry is named.

mod common;

use common::{now, Fixture};
use diesel::connection::SimpleConnection;

/// A demo store with some trail: trainer and DPO views.
fn with_trail() -> Fixture {
    let mut fixture = common::demo();
    let trainer = fixture.actor("formatrice.a");
    let rows =
        store::participants::list_participants(fixture.store.connection(), &trainer, None, now())
            .unwrap();
    for row in rows.iter().take(3) {
        store::participants::participant_profile(
            fixture.store.connection(),
            &trainer,
            &row.id,
            now(),
        )
        .unwrap();
    }
    let dpo = fixture.actor("dpo");
    store::audit::trail_page(fixture.store.connection(), &dpo, 10, 0, now()).unwrap();
    fixture
}

fn verify(fixture: &mut Fixture) -> domain::audit::Verification {
    store::audit::verify_unchecked(fixture.store.connection()).unwrap()
}

/// What an attacker with the key would do first: remove the SQL guards.
fn drop_guards(fixture: &mut Fixture) {
    fixture
        .store
        .connection()
        .batch_execute("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
}

#[test]
fn pol_21_untouched_trail_verifies() {
    let mut fixture = with_trail();
    let result = verify(&mut fixture);
    assert!(result.ok, "{:?}", result.reason);
    assert!(result.checked >= 10);
}

#[test]
fn pol_21_updates_and_deletes_are_refused_by_the_store() {
    let mut fixture = with_trail();
    let update = fixture
        .store
        .connection()
        .batch_execute("UPDATE audit_log SET action = 'x' WHERE seq = 3;");
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = fixture
        .store
        .connection()
        .batch_execute("DELETE FROM audit_log WHERE seq = 3;");
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert!(verify(&mut fixture).ok);
}

#[test]
fn pol_21_an_edited_entry_is_named() {
    let mut fixture = with_trail();
    drop_guards(&mut fixture);
    fixture
        .store
        .connection()
        .batch_execute("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 4;")
        .unwrap();
    let result = verify(&mut fixture);
    assert!(!result.ok);
    assert_eq!(result.first_broken, Some(4));
}

#[test]
fn pol_21_a_deleted_entry_is_named() {
    let mut fixture = with_trail();
    drop_guards(&mut fixture);
    fixture
        .store
        .connection()
        .batch_execute("DELETE FROM audit_log WHERE seq = 5;")
        .unwrap();
    let result = verify(&mut fixture);
    assert!(!result.ok);
    assert_eq!(result.first_broken, Some(6));
}

#[test]
fn pol_21_reordered_entries_are_named() {
    let mut fixture = with_trail();
    drop_guards(&mut fixture);
    // Swap entries 6 and 7 by exchanging their sequence numbers.
    fixture
        .store
        .connection()
        .batch_execute(
            "UPDATE audit_log SET seq = -1 WHERE seq = 6;
             UPDATE audit_log SET seq = 6 WHERE seq = 7;
             UPDATE audit_log SET seq = 7 WHERE seq = -1;",
        )
        .unwrap();
    let result = verify(&mut fixture);
    assert!(!result.ok);
    assert_eq!(result.first_broken, Some(6));
}

#[test]
fn pol_21_removing_the_newest_entries_is_detected() {
    let mut fixture = with_trail();
    drop_guards(&mut fixture);
    fixture
        .store
        .connection()
        .batch_execute("DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log);")
        .unwrap();
    assert!(!verify(&mut fixture).ok);
}
