//! Staff accounts (issue 14, POL-18): who manages whom, what a deactivation
//! does and keeps, one-time passwords.

mod common;

use common::now;
use diesel::prelude::*;
use domain::{ErrorCode, Role};
use store::accounts::{self, NewAccount};
use store::schema::{audit_log, device_tokens, devices, enrolment_codes, staff};

fn hash(password: &str) -> String {
    accounts::hash_new_password(password, "x").unwrap()
}

fn create(
    fixture: &mut common::Fixture,
    actor: &domain::Actor,
    username: &str,
    role: Role,
) -> Result<String, store::StoreError> {
    let password_hash = hash("Premier mot de passe long");
    accounts::create(
        fixture.store.connection(),
        actor,
        &NewAccount {
            username,
            display_name: "Compte Fictif",
            role,
            password_hash: &password_hash,
        },
        now(),
    )
}

#[test]
fn issue_14_accounts_manage_by_target_role() {
    let mut fixture = common::demo();
    let admin = fixture.actor("admin.lemans");
    let dpo = fixture.actor("dpo");

    // The office creates every role but the DPO; the DPO creates DPO accounts only.
    for role in [
        Role::Trainer,
        Role::ExternalTrainer,
        Role::Administrator,
        Role::Support,
    ] {
        let name = format!("nouveau.{}", role.as_str().replace('_', "-"));
        create(&mut fixture, &admin, &name, role).unwrap();
    }
    let refused = create(&mut fixture, &admin, "nouveau.dpo", Role::Dpo).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::RoleNotManaged);
    let refused = create(&mut fixture, &dpo, "par.le.dpo", Role::Trainer).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::RoleNotManaged);
    let second_dpo = create(&mut fixture, &dpo, "dpo.adjoint", Role::Dpo).unwrap();

    // The office may not reset the DPO's password nor deactivate the DPO.
    let reset = accounts::reset_password(
        fixture.store.connection(),
        &admin,
        &second_dpo,
        &hash("Une phrase de passe longue"),
        now(),
    );
    assert_eq!(reset.unwrap_err().code(), ErrorCode::RoleNotManaged);
    let off = accounts::deactivate(fixture.store.connection(), &admin, &second_dpo, now());
    assert_eq!(off.unwrap_err().code(), ErrorCode::RoleNotManaged);
    // The refusals are in the trail.
    let denied: i64 = audit_log::table
        .filter(audit_log::actor_id.eq(admin.staff_id.as_str()))
        .filter(audit_log::outcome.eq("denied"))
        .filter(audit_log::action.like("staff.%"))
        .count()
        .get_result(fixture.store.connection())
        .unwrap();
    assert_eq!(denied, 3);

    // A user name is taken once, whatever its case.
    let taken = create(&mut fixture, &admin, "formatrice.a", Role::Trainer).unwrap_err();
    assert_eq!(taken.code(), ErrorCode::UsernameTaken);
    // Nobody deactivates themselves.
    let own = accounts::deactivate(
        fixture.store.connection(),
        &admin,
        admin.staff_id.as_str(),
        now(),
    );
    assert_eq!(own.unwrap_err().code(), ErrorCode::OwnAccount);
}

#[test]
fn issue_14_a_new_account_must_change_its_one_time_password_at_first_sign_in() {
    let mut fixture = common::demo();
    let admin = fixture.actor("admin.lemans");
    let one_time = domain::staff::one_time_password(&[9u8; 16]);
    let password_hash = accounts::hash_new_password(&one_time, "nouvelle.formatrice").unwrap();
    accounts::create(
        fixture.store.connection(),
        &admin,
        &NewAccount {
            username: "nouvelle.formatrice",
            display_name: "Nouvelle Fictive",
            role: Role::Trainer,
            password_hash: &password_hash,
        },
        now(),
    )
    .unwrap();
    let signed =
        store::auth::sign_in(&mut fixture.store, "nouvelle.formatrice", &one_time, now()).unwrap();
    assert!(signed.must_change_password);
    let own =
        accounts::hash_new_password("Ma propre phrase de passe", "nouvelle.formatrice").unwrap();
    accounts::change_own_password(fixture.store.connection(), &signed.actor, &own, now()).unwrap();
    let again = store::auth::sign_in(
        &mut fixture.store,
        "nouvelle.formatrice",
        "Ma propre phrase de passe",
        now(),
    )
    .unwrap();
    assert!(!again.must_change_password);
    // The password rule is the domain's: a common one is refused before hashing.
    assert_eq!(
        accounts::hash_new_password("Motdepasse2026!", "nouvelle.formatrice")
            .unwrap_err()
            .code(),
        ErrorCode::PasswordCommon
    );
}

#[test]
fn issue_14_deactivation_revokes_laptops_lists_groups_and_deletes_nothing() {
    let mut fixture = common::demo();
    let admin = fixture.actor("admin.lemans");
    let trainer = fixture.actor("formatrice.a");
    let conn = fixture.store.connection();
    let at = now().naive_utc();
    // A laptop of hers, registered as the server would, with a token and an unused code.
    let laptop = domain::new_id();
    diesel::insert_into(devices::table)
        .values((
            devices::id.eq(&laptop),
            devices::label.eq("portable"),
            devices::registered_at.eq(at),
            devices::updated_at.eq(at),
            devices::updated_device.eq("server"),
            devices::staff_id.eq(trainer.staff_id.as_str()),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(device_tokens::table)
        .values((
            device_tokens::token_hash.eq("t".repeat(64)),
            device_tokens::device_id.eq(&laptop),
            device_tokens::issued_at.eq(at),
            device_tokens::expires_at.eq(at + chrono::Duration::days(30)),
        ))
        .execute(conn)
        .unwrap();
    accounts::issue_enrolment_code(
        conn,
        &admin,
        trainer.staff_id.as_str(),
        &"c".repeat(64),
        now() + chrono::Duration::hours(72),
        now(),
    )
    .unwrap();
    let notes_before: i64 = store::schema::progress_notes::table
        .count()
        .get_result(conn)
        .unwrap();

    let done = accounts::deactivate(conn, &admin, trainer.staff_id.as_str(), now()).unwrap();
    assert_eq!(done.revoked_devices, 1);
    assert!(
        !done.groups.is_empty(),
        "her groups are listed for reassignment"
    );

    let revoked: Option<chrono::NaiveDateTime> = devices::table
        .find(&laptop)
        .select(devices::revoked_at)
        .first(conn)
        .unwrap();
    assert!(revoked.is_some());
    let live_tokens: i64 = device_tokens::table
        .filter(device_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(live_tokens, 0);
    let live_codes: i64 = enrolment_codes::table
        .filter(enrolment_codes::expires_at.gt(now().naive_utc()))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(live_codes, 0, "her unused code no longer works");
    // Her account and her notes stay (the trail and the law need them).
    let active: bool = staff::table
        .find(trainer.staff_id.as_str())
        .select(staff::active)
        .first(conn)
        .unwrap();
    assert!(!active);
    let notes_after: i64 = store::schema::progress_notes::table
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(notes_before, notes_after);
    // She can no longer sign in.
    assert!(store::auth::sign_in(
        &mut fixture.store,
        "formatrice.a",
        "demo-formatrice-a",
        now()
    )
    .is_err());
}
