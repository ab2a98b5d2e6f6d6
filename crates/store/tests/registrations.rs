//! Issue 15: new registrations (POL-1, POL-2, POL-7, POL-35, ROLE-3) and
//! payments (POL-6, POL-10) in the store, as the office's form, the website's
//! intake and the processor's notifications reach them.

mod common;

use common::{now, Fixture};
use diesel::prelude::*;
use domain::enrolment::{PaymentState, PaymentStatus};
use domain::intake::{Channel, ConsentChoice, Registration};
use domain::payments::{HelloAssoOutcome, PaymentMethod};
use domain::rights::{AgeBracket, ConsentPurpose};
use domain::ErrorCode;
use store::payments::{ManualPayment, ProcessorPayment, ProcessorRecorded};
use store::schema::{
    audit_log, consents, enrolments, family_situations, participants, payments, programmes,
    workshop_groups,
};

fn registration(email: &str, programme: &str) -> Registration {
    Registration {
        given_name: "Alix".into(),
        family_name: "Fictive-Exemple".into(),
        email: email.into(),
        phone: Some("02 00 00 00 42".into()),
        children_count: Some(2),
        age_brackets: vec![AgeBracket::Preschool, AgeBracket::Child],
        programme_id: Some(programme.into()),
        preferred_slots: vec!["mardi soir".into()],
        consents: vec![
            ConsentChoice {
                purpose: ConsentPurpose::Newsletter,
                granted: true,
            },
            ConsentChoice {
                purpose: ConsentPurpose::Testimonials,
                granted: false,
            },
        ],
        policy_version: None,
        certified_16_plus_at: Some(now()),
        channel: Channel::Phone,
    }
}

fn programme(fixture: &mut Fixture) -> String {
    programmes::table
        .select(programmes::id)
        .order(programmes::id)
        .first(fixture.store.connection())
        .unwrap()
}

macro_rules! count {
    ($fixture:expr, $table:expr) => {
        $table
            .count()
            .get_result::<i64>($fixture.store.connection())
            .unwrap()
    };
}

#[test]
fn pol_35_without_the_certification_nothing_is_saved_and_the_attempt_is_audited() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let programme = programme(&mut fixture);
    let people = count!(fixture, participants::table);
    let requests = count!(fixture, enrolments::table);
    let mut uncertified = registration("sans.certif@exemple.test", &programme);
    uncertified.certified_16_plus_at = None;
    let error =
        store::registration::register(fixture.store.connection(), &office, &uncertified, now())
            .unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificationRequired);
    assert_eq!(
        error.details().get("field").map(String::as_str),
        Some("certified_16_plus_at")
    );
    assert_eq!(count!(fixture, participants::table), people);
    assert_eq!(count!(fixture, enrolments::table), requests);
    let refused: i64 = audit_log::table
        .filter(audit_log::action.eq("registration.create"))
        .filter(audit_log::outcome.eq("denied"))
        .count()
        .get_result(fixture.store.connection())
        .unwrap();
    assert_eq!(refused, 1, "the refusal is in the trail (POL-21)");
}

#[test]
fn pol_1_a_known_e_mail_is_matched_never_duplicated() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let programme = programme(&mut fixture);
    let first = store::registration::register(
        fixture.store.connection(),
        &office,
        &registration("alix.fictive@exemple.test", &programme),
        now(),
    )
    .unwrap();
    assert!(!first.known && !first.already_requested);
    // The same person on the phone again, the address typed otherwise.
    let mut again = registration("  Alix.Fictive@EXEMPLE.test ", &programme);
    again.given_name = "Autre prénom".into();
    let second =
        store::registration::register(fixture.store.connection(), &office, &again, now()).unwrap();
    assert!(second.known && second.already_requested);
    assert_eq!(second.participant_id, first.participant_id);
    assert_eq!(second.enrolment_id, first.enrolment_id);
    let same: i64 = participants::table
        .filter(participants::email.eq("alix.fictive@exemple.test"))
        .count()
        .get_result(fixture.store.connection())
        .unwrap();
    assert_eq!(same, 1);
    let name: String = participants::table
        .find(&first.participant_id)
        .select(participants::given_name)
        .first(fixture.store.connection())
        .unwrap();
    assert_eq!(
        name, "Alix",
        "identity is corrected by the DPO, not by a new registration"
    );
    let known = store::registration::lookup(
        fixture.store.connection(),
        &office,
        "ALIX.FICTIVE@exemple.test",
        now(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(known.participant_id, first.participant_id);
    // The request is in the office's inbox like any other.
    let inbox = store::enrolment::registrations(
        fixture.store.connection(),
        &office,
        store::enrolment::Listing::Inbox,
        now(),
    )
    .unwrap();
    assert!(inbox
        .iter()
        .any(|r| Some(&r.enrolment_id) == first.enrolment_id.as_ref()));
}

#[test]
fn pol_7_each_answer_is_a_dated_consent_with_its_source_and_policy_version_and_silence_is_not_consent(
) {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let programme = programme(&mut fixture);
    let in_force = store::registration::policy_in_force(fixture.store.connection(), now()).unwrap();
    assert!(in_force.is_some(), "the demo publishes a policy version");
    let done = store::registration::register(
        fixture.store.connection(),
        &office,
        &registration("consent.fictif@exemple.test", &programme),
        now(),
    )
    .unwrap();
    let rows: Vec<(String, bool, String, Option<String>)> = consents::table
        .filter(consents::participant_id.eq(&done.participant_id))
        .select((
            consents::purpose,
            consents::granted,
            consents::source,
            consents::policy_version,
        ))
        .order(consents::purpose)
        .load(fixture.store.connection())
        .unwrap();
    assert_eq!(
        rows,
        vec![
            ("newsletter".into(), true, "phone".into(), in_force.clone()),
            (
                "testimonials".into(),
                false,
                "phone".into(),
                in_force.clone()
            ),
        ],
        "studies was not answered: no row, so not given"
    );
}

#[test]
fn role_3_a_registration_writes_age_brackets_and_never_the_family_challenges() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let programme = programme(&mut fixture);
    // A demo family whose challenges the office may not read.
    let (person, email): (String, String) = participants::table
        .inner_join(family_situations::table)
        .filter(family_situations::challenges.is_not_null())
        .select((participants::id, participants::email))
        .first(fixture.store.connection())
        .unwrap();
    let before: Option<String> = family_situations::table
        .find(&person)
        .select(family_situations::challenges)
        .first(fixture.store.connection())
        .unwrap();
    let done = store::registration::register(
        fixture.store.connection(),
        &office,
        &registration(&email, &programme),
        now(),
    )
    .unwrap();
    assert_eq!(done.participant_id, person);
    let (brackets, challenges): (String, Option<String>) = family_situations::table
        .find(&person)
        .select((
            family_situations::age_brackets,
            family_situations::challenges,
        ))
        .first(fixture.store.connection())
        .unwrap();
    assert_eq!(brackets, "4-6,7-11");
    assert_eq!(challenges, before);
}

fn paid_request(fixture: &mut Fixture) -> (String, String) {
    let office = fixture.actor("admin.lemans");
    let programme = programme(fixture);
    let done = store::registration::register(
        fixture.store.connection(),
        &office,
        &registration("cheque.fictif@exemple.test", &programme),
        now(),
    )
    .unwrap();
    let group: String = workshop_groups::table
        .filter(workshop_groups::programme_id.eq(&programme))
        .select(workshop_groups::id)
        .first(fixture.store.connection())
        .unwrap();
    (done.enrolment_id.unwrap(), group)
}

#[test]
fn pol_10_a_cheque_received_by_hand_opens_the_payment_gate_and_its_refund_closes_it() {
    let mut fixture = common::demo();
    let office = fixture.actor("admin.lemans");
    let (request, group) = paid_request(&mut fixture);
    let gate = store::enrolment::confirm_place(
        fixture.store.connection(),
        &office,
        &request,
        &group,
        None,
        now(),
    );
    assert_eq!(gate.unwrap_err().code(), ErrorCode::PaymentRequired);
    let cheque = ManualPayment {
        enrolment_id: request.clone(),
        method: PaymentMethod::Cheque,
        received_on: domain::time::paris_date(now()),
        amount_cents: 12_000,
        reference: "CHQ 1234567".into(),
    };
    // Not in the future, not by a method the processor reports.
    let mut tomorrow = cheque.clone();
    tomorrow.received_on = domain::time::paris_date(now()).succ_opt().unwrap();
    let error =
        store::payments::record_manual(fixture.store.connection(), &office, &tomorrow, now())
            .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ReceivedInFuture);
    let mut processor = cheque.clone();
    processor.method = PaymentMethod::HelloAsso;
    let error =
        store::payments::record_manual(fixture.store.connection(), &office, &processor, now())
            .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);

    let payment =
        store::payments::record_manual(fixture.store.connection(), &office, &cheque, now())
            .unwrap();
    let rows = store::payments::list(fixture.store.connection(), &office, &request, now()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].method, rows[0].status, rows[0].manual),
        (PaymentMethod::Cheque, PaymentStatus::Confirmed, true)
    );
    let recorded_by: Option<String> = payments::table
        .find(&payment)
        .select(payments::recorded_by)
        .first(fixture.store.connection())
        .unwrap();
    assert_eq!(recorded_by.as_deref(), Some(office.staff_id.as_str()));
    let inbox = store::enrolment::registrations(
        fixture.store.connection(),
        &office,
        store::enrolment::Listing::Inbox,
        now(),
    )
    .unwrap();
    let row = inbox.iter().find(|r| r.enrolment_id == request).unwrap();
    assert_eq!(row.payment, PaymentState::Confirmed);

    store::payments::refund(fixture.store.connection(), &office, &payment, now()).unwrap();
    let again =
        store::payments::refund(fixture.store.connection(), &office, &payment, now()).unwrap_err();
    assert_eq!(again.code(), ErrorCode::NotRefundable);
    let gate = store::enrolment::confirm_place(
        fixture.store.connection(),
        &office,
        &request,
        &group,
        None,
        now(),
    );
    assert_eq!(
        gate.unwrap_err().code(),
        ErrorCode::PaymentRequired,
        "a refunded payment does not open the gate"
    );
    // Paid again: the place can be confirmed.
    store::payments::record_manual(fixture.store.connection(), &office, &cheque, now()).unwrap();
    store::enrolment::confirm_place(
        fixture.store.connection(),
        &office,
        &request,
        &group,
        None,
        now(),
    )
    .unwrap();
}

fn helloasso(
    reference: &str,
    outcome: HelloAssoOutcome,
    email: &str,
    hint: Option<String>,
) -> ProcessorPayment {
    ProcessorPayment {
        method: PaymentMethod::HelloAsso,
        processor_ref: reference.into(),
        outcome,
        amount_cents: 9_000,
        paid_at: Some(now()),
        payer_name: "Payeur Fictif".into(),
        payer_email: email.into(),
        enrolment_hint: hint,
    }
}

#[test]
fn pol_6_a_processor_payment_is_recorded_once_and_follows_the_processors_state() {
    let mut fixture = common::demo();
    let dpo = fixture.actor("dpo");
    let (request, _) = paid_request(&mut fixture);
    let paid = helloasso(
        "ha-100",
        HelloAssoOutcome::Paid,
        "autre@exemple.test",
        Some(request.clone()),
    );
    let first =
        store::payments::record_processor(fixture.store.connection(), &dpo, &paid, now()).unwrap();
    let again =
        store::payments::record_processor(fixture.store.connection(), &dpo, &paid, now()).unwrap();
    assert_eq!(first, again, "the same state twice changes nothing more");
    let ProcessorRecorded::Matched {
        payment_id,
        enrolment_id,
        status,
    } = first
    else {
        panic!("the checkout's metadata names the registration");
    };
    assert_eq!(
        (enrolment_id.as_str(), status),
        (request.as_str(), PaymentStatus::Confirmed)
    );
    let rows: i64 = payments::table
        .filter(payments::processor_ref.eq("ha-100"))
        .count()
        .get_result(fixture.store.connection())
        .unwrap();
    assert_eq!(rows, 1);
    // Refunded at HelloAsso: the row follows.
    let refunded = helloasso(
        "ha-100",
        HelloAssoOutcome::Refunded,
        "autre@exemple.test",
        None,
    );
    store::payments::record_processor(fixture.store.connection(), &dpo, &refunded, now()).unwrap();
    let status: String = payments::table
        .find(&payment_id)
        .select(payments::status)
        .first(fixture.store.connection())
        .unwrap();
    assert_eq!(status, "refunded");
    // The office refunds at HelloAsso, not by hand.
    let office = fixture.actor("admin.lemans");
    let error = store::payments::refund(fixture.store.connection(), &office, &payment_id, now())
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::NotRefundable);
}

#[test]
fn pol_6_a_payment_is_matched_by_the_payers_e_mail_or_waits_for_the_office() {
    let mut fixture = common::demo();
    let dpo = fixture.actor("dpo");
    let office = fixture.actor("admin.lemans");
    let (request, group) = paid_request(&mut fixture);
    // By e-mail: the payer's one registration waiting in the inbox.
    let by_email = helloasso(
        "ha-200",
        HelloAssoOutcome::Paid,
        "CHEQUE.fictif@exemple.test",
        None,
    );
    match store::payments::record_processor(fixture.store.connection(), &dpo, &by_email, now())
        .unwrap()
    {
        ProcessorRecorded::Matched { enrolment_id, .. } => assert_eq!(enrolment_id, request),
        other => panic!("matched by e-mail: {other:?}"),
    }
    // An unknown payer waits, without its amount shown to the office.
    let unknown = helloasso(
        "ha-300",
        HelloAssoOutcome::Paid,
        "personne@exemple.test",
        None,
    );
    let ProcessorRecorded::Unmatched { unmatched_id } =
        store::payments::record_processor(fixture.store.connection(), &dpo, &unknown, now())
            .unwrap()
    else {
        panic!("an unknown payer is not matched");
    };
    store::payments::record_processor(fixture.store.connection(), &dpo, &unknown, now()).unwrap();
    let waiting = store::payments::unmatched(fixture.store.connection(), &office, now()).unwrap();
    assert_eq!(waiting.len(), 1, "recorded once");
    assert_eq!(waiting[0].unmatched_id, unmatched_id);
    // The office matches it; it leaves the list and opens the gate.
    store::payments::match_unmatched(
        fixture.store.connection(),
        &office,
        &unmatched_id,
        &request,
        now(),
    )
    .unwrap();
    assert!(
        store::payments::unmatched(fixture.store.connection(), &office, now())
            .unwrap()
            .is_empty()
    );
    let again = store::payments::match_unmatched(
        fixture.store.connection(),
        &office,
        &unmatched_id,
        &request,
        now(),
    );
    assert_eq!(again.unwrap_err().code(), ErrorCode::AlreadyMatched);
    store::enrolment::confirm_place(
        fixture.store.connection(),
        &office,
        &request,
        &group,
        None,
        now(),
    )
    .unwrap();
}
