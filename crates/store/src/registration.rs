//! New registrations (issue 15; POL-1, POL-2, POL-7, POL-35, ROLE-3): the
//! office's form, the website's signed intake (on the server) and the
//! office's spreadsheet all land here, through [`insert`], so one rule set
//! decides what a registration writes:
//!
//! - the registration is checked first ([`domain::intake::Registration::check`]);
//!   a missing 16+ certification refuses it whole (POL-35);
//! - a known person (same e-mail, compared without case) is matched, never
//!   duplicated: their identity stays as it is (the DPO corrects it,
//!   POL-24), their certification too; the request and the new consents are
//!   added to them;
//! - each consent answered becomes a dated row with its source and the
//!   policy version shown (the one in force when none is named); a purpose
//!   not answered is not given (POL-7);
//! - the children's age brackets are written, never the family's challenges
//!   (the office may not read them, ROLE-3);
//! - the request lands in the office's inbox (`requested`), once per
//!   programme: a second request for a programme already requested or held
//!   answers the first.

use crate::gate::{self, Gate};
use crate::models::{NewEnrolment, NewFamilySituation, NewParticipant};
use crate::schema::{
    consents, enrolments, family_situations, participants, policy_versions, programmes,
    workshop_groups,
};
use crate::StoreError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use domain::enrolment::EnrolmentStatus;
use domain::intake::{Channel, Field, FieldProblem, Problem, Registration};
use domain::retention::AccountStatus;
use domain::rights::ConsentSource;
use domain::{new_id, Action, Actor};
use serde::Serialize;

/// What a registration did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Registered {
    pub participant_id: String,
    /// The request in the inbox (`None` when no programme was asked for).
    pub enrolment_id: Option<String>,
    /// The e-mail was a known person's: nothing was duplicated.
    pub known: bool,
    /// The programme was already requested or held: the earlier request stands.
    pub already_requested: bool,
}

/// A known person, as the office's form offers them (ROLE-3: identity).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct KnownPerson {
    pub participant_id: String,
    pub given_name: String,
    pub family_name: String,
}

/// What the office's registration form offers: the programmes with the
/// slots their groups run at, and the policy version in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FormOptions {
    pub programmes: Vec<ProgrammeOption>,
    /// The privacy policy version the consents will be recorded under.
    pub policy_version: Option<String>,
    pub channels: Vec<Channel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ProgrammeOption {
    pub id: String,
    pub name: String,
    pub slots: Vec<String>,
}

/// The form's options (planning data only, no one's personal data).
pub fn form_options(
    conn: &mut SqliteConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<FormOptions, StoreError> {
    gate::run(conn, actor, Action::RegistrationForm, now, |gate| {
        let programmes: Vec<(String, String)> = programmes::table
            .select((programmes::id, programmes::name))
            .order((programmes::name, programmes::id))
            .load(gate.conn())?;
        let slots: Vec<(String, String)> = workshop_groups::table
            .select((workshop_groups::programme_id, workshop_groups::slot))
            .distinct()
            .order(workshop_groups::slot)
            .load(gate.conn())?;
        let policy_version = policy_in_force(gate.conn(), now)?;
        Ok(FormOptions {
            programmes: programmes
                .into_iter()
                .map(|(id, name)| ProgrammeOption {
                    slots: slots
                        .iter()
                        .filter(|(programme, slot)| *programme == id && !slot.is_empty())
                        .map(|(_, slot)| slot.clone())
                        .collect(),
                    id,
                    name,
                })
                .collect(),
            policy_version,
            channels: Channel::OFFICE.to_vec(),
        })
    })
}

/// The consent's source for a registration's channel.
pub fn consent_source(channel: Channel) -> ConsentSource {
    match channel {
        Channel::Phone => ConsentSource::Phone,
        Channel::Paper => ConsentSource::Post,
        Channel::WalkIn => ConsentSource::InPerson,
        Channel::Website => ConsentSource::Platform,
        Channel::Import => ConsentSource::Import,
    }
}

/// The refusal for the first problem of a registration: the code, and the
/// field and problem as details (never the value).
pub fn refusal(problem: FieldProblem) -> StoreError {
    StoreError::refused(problem.code())
        .with("field", problem.field.as_str())
        .with("problem", problem.problem.as_str())
}

/// Takes in one registration as `actor` (the office's form; the website's
/// service account on the server).
pub fn register(
    conn: &mut SqliteConnection,
    actor: &Actor,
    registration: &Registration,
    now: DateTime<Utc>,
) -> Result<Registered, StoreError> {
    let mut registration = registration.clone();
    gate::run(conn, actor, Action::RegistrationCreate, now, |gate| {
        if let Some(problem) = registration.check(gate.now()).into_iter().next() {
            return Err(refusal(problem));
        }
        let registered = insert(gate, &registration)?;
        gate.show([&registered.participant_id]);
        Ok(registered)
    })
}

/// The known person with this e-mail, if any (the form offers them).
pub fn lookup(
    conn: &mut SqliteConnection,
    actor: &Actor,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<KnownPerson>, StoreError> {
    gate::run(conn, actor, Action::RegistrationLookup, now, |gate| {
        let Some(email) = domain::intake::normalise_email(email) else {
            return Ok(None);
        };
        let found: Option<(String, String, String)> = participants::table
            .filter(participants::email.eq(&email))
            .select((
                participants::id,
                participants::given_name,
                participants::family_name,
            ))
            .first(gate.conn())
            .optional()?;
        Ok(found.map(|(participant_id, given_name, family_name)| {
            gate.show([&participant_id]);
            KnownPerson {
                participant_id,
                given_name,
                family_name,
            }
        }))
    })
}

/// The version of the privacy policy in force at `now`, if one was published.
pub fn policy_in_force(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    Ok(policy_versions::table
        .filter(policy_versions::effective_at.le(now.naive_utc()))
        .order((
            policy_versions::effective_at.desc(),
            policy_versions::id.desc(),
        ))
        .select(policy_versions::version)
        .first(conn)
        .optional()?)
}

/// Writes one checked registration inside a gated change (the single place
/// a registration writes; [`register`] and the spreadsheet import call it).
/// The caller has run [`Registration::check`] on it.
pub(crate) fn insert(
    gate: &mut Gate<'_>,
    registration: &Registration,
) -> Result<Registered, StoreError> {
    let at = gate.at();
    let device = gate.device().to_owned();
    if let Some(programme) = &registration.programme_id {
        let exists: i64 = programmes::table
            .filter(programmes::id.eq(programme))
            .count()
            .get_result(gate.conn())?;
        if exists == 0 {
            return Err(refusal(FieldProblem::new(
                Field::ProgrammeId,
                Problem::Unknown,
            )));
        }
    }
    let policy_version = match &registration.policy_version {
        Some(version) => {
            let known: i64 = policy_versions::table
                .filter(policy_versions::version.eq(version))
                .count()
                .get_result(gate.conn())?;
            if known == 0 {
                return Err(refusal(FieldProblem::new(
                    Field::PolicyVersion,
                    Problem::Unknown,
                )));
            }
            Some(version.clone())
        }
        None => {
            let now = gate.now();
            policy_in_force(gate.conn(), now)?
        }
    };
    let existing: Option<String> = participants::table
        .filter(participants::email.eq(&registration.email))
        .select(participants::id)
        .first(gate.conn())
        .optional()?;
    let known = existing.is_some();
    let participant = match existing {
        Some(id) => id,
        None => {
            let id = new_id();
            let certified = registration.certified_16_plus_at.ok_or_else(|| {
                refusal(FieldProblem::new(Field::Certified16Plus, Problem::Required))
            })?;
            diesel::insert_into(participants::table)
                .values(NewParticipant {
                    id: id.clone(),
                    given_name: registration.given_name.clone(),
                    family_name: registration.family_name.clone(),
                    email: registration.email.clone(),
                    phone: registration.phone.clone(),
                    certified_16_plus_at: certified.naive_utc(),
                    last_login_at: None,
                    account_status: AccountStatus::Active.as_str().to_owned(),
                    marketing_opt_out: false,
                    created_at: at,
                    updated_at: at,
                    updated_device: device.clone(),
                })
                .execute(gate.conn())?;
            id
        }
    };
    if registration.children_count.is_some() || !registration.age_brackets.is_empty() {
        let brackets: Vec<&str> = registration
            .age_brackets
            .iter()
            .map(|b| b.as_str())
            .collect();
        let count = registration
            .children_count
            .unwrap_or(registration.age_brackets.len() as i32);
        let stamp = gate.stamp(
            family_situations::updated_at,
            family_situations::updated_device,
        );
        // The challenges column is never named: a known family keeps theirs.
        diesel::insert_into(family_situations::table)
            .values(NewFamilySituation {
                participant_id: participant.clone(),
                children_count: count,
                age_brackets: brackets.join(","),
                challenges: None,
                updated_at: at,
                updated_device: device.clone(),
            })
            .on_conflict(family_situations::participant_id)
            .do_update()
            .set((
                family_situations::children_count.eq(count),
                family_situations::age_brackets.eq(brackets.join(",")),
                stamp,
            ))
            .execute(gate.conn())?;
    }
    let source = consent_source(registration.channel);
    for choice in &registration.consents {
        diesel::insert_into(consents::table)
            .values((
                consents::id.eq(new_id()),
                consents::participant_id.eq(&participant),
                consents::purpose.eq(choice.purpose.as_str()),
                consents::granted.eq(choice.granted),
                consents::recorded_at.eq(at),
                consents::source.eq(source.as_str()),
                consents::policy_version.eq(&policy_version),
                consents::updated_at.eq(at),
                consents::updated_device.eq(&device),
            ))
            .execute(gate.conn())?;
    }
    let mut enrolment_id = None;
    let mut already_requested = false;
    if let Some(programme) = &registration.programme_id {
        let earlier: Option<String> = enrolments::table
            .filter(enrolments::participant_id.eq(&participant))
            .filter(enrolments::programme_id.eq(programme))
            .filter(enrolments::status.ne(EnrolmentStatus::Cancelled.as_str()))
            .select(enrolments::id)
            .first(gate.conn())
            .optional()?;
        match earlier {
            Some(id) => {
                already_requested = true;
                enrolment_id = Some(id);
            }
            None => {
                let id = new_id();
                diesel::insert_into(enrolments::table)
                    .values(NewEnrolment {
                        id: id.clone(),
                        participant_id: participant.clone(),
                        programme_id: programme.clone(),
                        group_id: None,
                        status: EnrolmentStatus::Requested.as_str().to_owned(),
                        available_slots: registration.preferred_slots.join(","),
                        preferred_slot: registration.preferred_slots.first().cloned(),
                        requested_at: at,
                        decided_at: None,
                        decided_by: None,
                        waiver_reason: None,
                        updated_at: at,
                        updated_device: device.clone(),
                    })
                    .execute(gate.conn())?;
                diesel::update(enrolments::table.find(&id))
                    .set(enrolments::channel.eq(registration.channel.as_str()))
                    .execute(gate.conn())?;
                enrolment_id = Some(id);
            }
        }
    }
    Ok(Registered {
        participant_id: participant,
        enrolment_id,
        known,
        already_requested,
    })
}
