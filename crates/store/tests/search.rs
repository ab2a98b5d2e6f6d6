//! The name / e-mail prefix search (POL-10 administrators review registrations;
//! ROLE-1 trainers search only their own people).

mod common;

use common::{demo, now};
use store::participants::list_participants;

#[test]
fn pol_10_prefix_search_is_case_insensitive_on_family_given_name_and_email() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let conn = f.store.connection();
    let all = list_participants(conn, &admin, None, now()).unwrap();
    let expected = |pred: &dyn Fn(&store::participants::ParticipantRow) -> bool| {
        let mut ids: Vec<String> = all
            .iter()
            .filter(|r| pred(r))
            .map(|r| r.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let found = |conn: &mut diesel::SqliteConnection, q: &str| {
        let mut ids: Vec<String> = list_participants(conn, &admin, Some(q), now())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    };
    let fictif = expected(&|r| r.family_name.starts_with("Fictif"));
    assert!(!fictif.is_empty());
    assert_eq!(
        found(conn, "fict"),
        fictif,
        "lower case finds the family name"
    );
    assert_eq!(found(conn, "FICTIF"), fictif, "upper case too");
    assert_eq!(
        found(conn, "  Fictif "),
        fictif,
        "surrounding spaces are ignored"
    );
    let first = &all[0];
    let by_email = expected(&|r| r.email.starts_with(&first.email[..first.email.len() - 5]));
    assert_eq!(
        found(conn, &first.email[..first.email.len() - 5]),
        by_email,
        "e-mail prefix"
    );
    assert!(by_email.contains(&first.id));
    let given = expected(&|r| {
        r.given_name
            .to_lowercase()
            .starts_with(&first.given_name.to_lowercase()[..3])
    });
    assert_eq!(
        found(conn, &first.given_name[..3]),
        given,
        "given-name prefix"
    );
}

#[test]
fn pol_10_search_text_is_literal_not_a_pattern() {
    let mut f = demo();
    let admin = f.actor("admin.lemans");
    let conn = f.store.connection();
    for wildcard in ["%", "_", "%fictif", "_ictif", "\\", "'", "\"", "*"] {
        assert!(
            list_participants(conn, &admin, Some(wildcard), now())
                .unwrap()
                .is_empty(),
            "{wildcard:?} is searched literally and matches no one"
        );
    }
    assert!(list_participants(conn, &admin, Some("zzz-nobody"), now())
        .unwrap()
        .is_empty());
}

#[test]
fn role_1_trainer_search_stays_within_their_groups() {
    let mut f = demo();
    let a = f.actor("formatrice.a");
    let b = f.actor("formateur.b");
    let conn = f.store.connection();
    let mine: Vec<String> = list_participants(conn, &a, None, now())
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let theirs = list_participants(conn, &b, None, now()).unwrap();
    let other = theirs
        .iter()
        .find(|r| !mine.contains(&r.id))
        .expect("B has someone A has not");
    for q in [
        other.family_name.as_str(),
        other.email.as_str(),
        other.given_name.as_str(),
    ] {
        let hits = list_participants(conn, &a, Some(q), now()).unwrap();
        assert!(
            hits.iter().all(|r| mine.contains(&r.id)),
            "only A's people come back"
        );
        assert!(
            !hits.iter().any(|r| r.id == other.id),
            "B's participant is unreachable"
        );
    }
}
