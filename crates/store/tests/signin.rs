//! POL-18: argon2id hashes with OWASP's parameters; failures slow down, then lock.

mod common;

use chrono::Duration;
use common::now;
use diesel::prelude::*;
use store::auth::{sign_in, SignInError};

#[test]
fn pol_18_passwords_are_argon2id_with_owasp_parameters() {
    let mut fixture = common::demo();
    let hashes: Vec<String> = store::schema::staff::table
        .select(store::schema::staff::password_hash)
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(hashes.len(), 7);
    for hash in hashes {
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("demo-"));
    }
}

#[test]
fn pol_18_right_password_signs_in_wrong_one_does_not() {
    let mut fixture = common::demo();
    let signed = sign_in(
        &mut fixture.store,
        "formatrice.a",
        "demo-formatrice-a",
        now(),
    )
    .unwrap();
    assert_eq!(signed.actor.role, domain::Role::Trainer);
    assert!(matches!(
        sign_in(&mut fixture.store, "formatrice.a", "nope", now()),
        Err(SignInError::BadCredentials)
    ));
    assert!(matches!(
        sign_in(&mut fixture.store, "nobody", "nope", now()),
        Err(SignInError::BadCredentials)
    ));
}

#[test]
fn pol_18_repeated_failures_slow_down_then_lock_even_the_right_password() {
    let mut fixture = common::demo();
    let mut at = now();
    let store = &mut fixture.store;
    // Two free failures.
    for _ in 0..2 {
        assert!(matches!(
            sign_in(store, "dpo", "wrong", at),
            Err(SignInError::BadCredentials)
        ));
    }
    // Third failure: the next attempt must wait 2 s.
    assert!(matches!(
        sign_in(store, "dpo", "wrong", at),
        Err(SignInError::BadCredentials)
    ));
    assert!(matches!(
        sign_in(store, "dpo", "demo-dpo", at),
        Err(SignInError::SlowedDown { .. })
    ));
    at += Duration::seconds(2);
    assert!(matches!(
        sign_in(store, "dpo", "wrong", at),
        Err(SignInError::BadCredentials)
    ));
    at += Duration::seconds(4);
    // Fifth failure locks for 15 minutes.
    match sign_in(store, "dpo", "wrong", at) {
        Err(SignInError::Locked { until }) => assert_eq!(until, at + Duration::minutes(15)),
        other => panic!("expected a lock, got {other:?}"),
    }
    assert!(matches!(
        sign_in(store, "dpo", "demo-dpo", at + Duration::minutes(10)),
        Err(SignInError::Locked { .. })
    ));
    // After the lock, the right password works and resets the count.
    assert!(sign_in(store, "dpo", "demo-dpo", at + Duration::minutes(15)).is_ok());
    assert!(matches!(
        sign_in(store, "dpo", "wrong", at + Duration::minutes(16)),
        Err(SignInError::BadCredentials)
    ));
}

#[test]
fn pol_21_sign_in_attempts_are_audited() {
    use store::schema::audit_log;
    let mut fixture = common::demo();
    let _ = sign_in(&mut fixture.store, "dpo", "wrong", now());
    sign_in(&mut fixture.store, "dpo", "demo-dpo", now()).unwrap();
    let outcomes: Vec<String> = audit_log::table
        .filter(audit_log::action.eq("auth.sign_in"))
        .order(audit_log::seq)
        .select(audit_log::outcome)
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(outcomes, ["denied", "allowed"]);
}
