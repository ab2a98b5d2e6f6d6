//! A registration as it comes in (issue 15): the office's form (phone, paper,
//! walk-in), the association's website (signed intake on the server), or a
//! row of the office's spreadsheet. One type and one set of rules for all
//! three, so a registration the office may save is exactly one the website
//! may send.
//!
//! - POL-1: identity and contact; the e-mail is how a known person is matched
//!   (never duplicated).
//! - POL-2 / ROLE-3: children's age brackets only: the family's challenges are
//!   not part of a registration (the office may not read them).
//! - POL-7: one explicit choice per consent purpose, with the policy version
//!   the person was shown; a purpose not mentioned is not given.
//! - POL-35: the certification of being 16 or older, dated; without it
//!   nothing is saved ([`ErrorCode::CertificationRequired`]).
//!
//! Problems name a field and a kind of problem, never the value (values end
//! up in logs and answers to the website).

use crate::rights::{AgeBracket, ConsentPurpose};
use crate::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest e-mail address, in bytes (RFC 5321).
pub const MAX_EMAIL: usize = 254;
/// Most children one registration may mention.
pub const MAX_CHILDREN: i32 = 20;
/// Most preferred slots one registration may list.
pub const MAX_SLOTS: usize = 10;
/// Longest slot label, in characters.
pub const MAX_SLOT: usize = 40;
/// How far in the future a certification's date may be (clock skew).
pub const CERTIFICATION_SKEW_MINUTES: i64 = 5;

crate::vocabulary! {
    /// Where a registration came from (kept on the enrolment; the consents'
    /// source is derived from it).
    pub enum Channel {
        /// The office, on the phone.
        Phone => "phone",
        /// The office, from a paper form.
        Paper => "paper",
        /// The office, someone at the desk.
        WalkIn => "walk_in",
        /// The association's website, through the signed intake.
        Website => "website",
        /// A row of the office's spreadsheet of families.
        Import => "import",
    }
}

impl Channel {
    /// Channels the office's form offers.
    pub const OFFICE: [Channel; 3] = [Channel::Phone, Channel::Paper, Channel::WalkIn];
}

/// One explicit choice about one purpose (POL-7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConsentChoice {
    pub purpose: ConsentPurpose,
    pub granted: bool,
}

/// A registration, from any channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Registration {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: Option<String>,
    /// How many children the parent mentions (POL-2), if they say.
    pub children_count: Option<i32>,
    /// One bracket per child mentioned (ROLE-3: what the office composes groups with).
    pub age_brackets: Vec<AgeBracket>,
    /// The programme asked for; a spreadsheet row of a family already
    /// followed may have none (the person is known, nothing is requested).
    pub programme_id: Option<String>,
    /// The slots the person can attend, best first.
    pub preferred_slots: Vec<String>,
    /// The purposes the person answered; absent means not given.
    pub consents: Vec<ConsentChoice>,
    /// The version of the privacy policy the person was shown (the one in
    /// force when the office registers).
    pub policy_version: Option<String>,
    /// When the person certified being 16 or older (POL-35).
    #[ts(type = "string | null")]
    pub certified_16_plus_at: Option<DateTime<Utc>>,
    pub channel: Channel,
}

crate::vocabulary! {
    /// The fields of a registration, as problems name them.
    pub enum Field {
        GivenName => "given_name",
        FamilyName => "family_name",
        Email => "email",
        Phone => "phone",
        ChildrenCount => "children_count",
        AgeBrackets => "age_brackets",
        ProgrammeId => "programme_id",
        PreferredSlots => "preferred_slots",
        Consents => "consents",
        PolicyVersion => "policy_version",
        Certified16Plus => "certified_16_plus_at",
    }
}

crate::vocabulary! {
    /// What is wrong with a field (never its value).
    pub enum Problem {
        Required => "required",
        TooLong => "too_long",
        Malformed => "malformed",
        OutOfRange => "out_of_range",
        Duplicate => "duplicate",
        InFuture => "in_future",
        Unknown => "unknown",
    }
}

/// One problem of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FieldProblem {
    pub field: Field,
    pub problem: Problem,
}

impl FieldProblem {
    pub fn new(field: Field, problem: Problem) -> Self {
        FieldProblem { field, problem }
    }

    /// The error code a store refusal carries for this problem: a missing
    /// certification is the policy's refusal (POL-35), anything else is an
    /// invalid registration.
    pub fn code(self) -> ErrorCode {
        if self.field == Field::Certified16Plus && self.problem == Problem::Required {
            ErrorCode::CertificationRequired
        } else {
            ErrorCode::RegistrationInvalid
        }
    }
}

/// `Some(normalised)` when `text` is a usable e-mail address: trimmed,
/// one `@`, a local part, a domain with a dot, no spaces or controls.
/// The domain is lower-cased (the store compares case-insensitively anyway).
pub fn normalise_email(text: &str) -> Option<String> {
    let email = text.trim();
    if email.is_empty() || email.len() > MAX_EMAIL {
        return None;
    }
    let (local, domain) = email.rsplit_once('@')?;
    let bad = |s: &str| {
        s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '@')
    };
    if local.is_empty()
        || domain.len() < 3
        || bad(local)
        || bad(domain)
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return None;
    }
    Some(format!("{local}@{}", domain.to_lowercase()))
}

/// `Some(trimmed)` when `text` looks like a phone number: digits with
/// spaces, dots, dashes, parentheses and a leading `+`, 6 to 20 digits.
pub fn normalise_phone(text: &str) -> Option<String> {
    let phone = text.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.char_indices().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    (allowed && (6..=20).contains(&digits)).then(|| phone.to_owned())
}

impl Registration {
    /// Every problem of the registration, in field order; empty when it may
    /// be saved. Trims names and normalises the e-mail and phone in place.
    pub fn check(&mut self, now: DateTime<Utc>) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut name = |value: &mut String, field: Field| {
            *value = value.trim().to_owned();
            if value.is_empty() {
                problems.push(FieldProblem::new(field, Problem::Required));
            } else if value.chars().count() > MAX_NAME {
                problems.push(FieldProblem::new(field, Problem::TooLong));
            } else if value.chars().any(char::is_control) {
                problems.push(FieldProblem::new(field, Problem::Malformed));
            }
        };
        name(&mut self.given_name, Field::GivenName);
        name(&mut self.family_name, Field::FamilyName);
        if self.email.trim().is_empty() {
            problems.push(FieldProblem::new(Field::Email, Problem::Required));
        } else if self.email.trim().len() > MAX_EMAIL {
            problems.push(FieldProblem::new(Field::Email, Problem::TooLong));
        } else {
            match normalise_email(&self.email) {
                Some(email) => self.email = email,
                None => problems.push(FieldProblem::new(Field::Email, Problem::Malformed)),
            }
        }
        if let Some(phone) = &self.phone {
            if phone.trim().is_empty() {
                self.phone = None;
            } else {
                match normalise_phone(phone) {
                    Some(phone) => self.phone = Some(phone),
                    None => problems.push(FieldProblem::new(Field::Phone, Problem::Malformed)),
                }
            }
        }
        if let Some(count) = self.children_count {
            if !(0..=MAX_CHILDREN).contains(&count) {
                problems.push(FieldProblem::new(Field::ChildrenCount, Problem::OutOfRange));
            }
        }
        if self.age_brackets.len() > MAX_CHILDREN as usize
            || self
                .children_count
                .is_some_and(|count| self.age_brackets.len() > count.max(0) as usize)
        {
            problems.push(FieldProblem::new(Field::AgeBrackets, Problem::OutOfRange));
        }
        if let Some(programme) = &self.programme_id {
            if programme.trim().is_empty() {
                problems.push(FieldProblem::new(Field::ProgrammeId, Problem::Required));
            } else if programme.len() > 64 {
                problems.push(FieldProblem::new(Field::ProgrammeId, Problem::TooLong));
            }
        }
        for slot in &mut self.preferred_slots {
            *slot = slot.trim().to_owned();
        }
        self.preferred_slots.retain(|slot| !slot.is_empty());
        if self.preferred_slots.len() > MAX_SLOTS {
            problems.push(FieldProblem::new(
                Field::PreferredSlots,
                Problem::OutOfRange,
            ));
        } else if self
            .preferred_slots
            .iter()
            .any(|slot| slot.chars().count() > MAX_SLOT || slot.contains(','))
        {
            problems.push(FieldProblem::new(Field::PreferredSlots, Problem::Malformed));
        } else if has_duplicates(&self.preferred_slots) {
            problems.push(FieldProblem::new(Field::PreferredSlots, Problem::Duplicate));
        }
        let purposes: Vec<_> = self.consents.iter().map(|c| c.purpose).collect();
        if has_duplicates(&purposes) {
            problems.push(FieldProblem::new(Field::Consents, Problem::Duplicate));
        }
        if let Some(version) = &self.policy_version {
            if version.trim().is_empty() || version.len() > 64 {
                problems.push(FieldProblem::new(Field::PolicyVersion, Problem::Malformed));
            }
        }
        match self.certified_16_plus_at {
            None => problems.push(FieldProblem::new(Field::Certified16Plus, Problem::Required)),
            Some(at) if at > now + Duration::minutes(CERTIFICATION_SKEW_MINUTES) => {
                problems.push(FieldProblem::new(Field::Certified16Plus, Problem::InFuture))
            }
            Some(_) => {}
        }
        problems
    }
}

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, item)| items[..i].contains(item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    pub(crate) fn sample() -> Registration {
        Registration {
            given_name: " Camille ".into(),
            family_name: "Exemple-Fictif".into(),
            email: "camille.fictive@Exemple.TEST".into(),
            phone: Some("02 00 00 00 01".into()),
            children_count: Some(2),
            age_brackets: vec![AgeBracket::Preschool, AgeBracket::Teen],
            programme_id: Some("prog-1".into()),
            preferred_slots: vec!["mardi soir".into(), " ".into()],
            consents: vec![ConsentChoice {
                purpose: ConsentPurpose::Newsletter,
                granted: true,
            }],
            policy_version: Some("2026-01".into()),
            certified_16_plus_at: Some(now()),
            channel: Channel::Phone,
        }
    }

    #[test]
    fn a_complete_registration_has_no_problem_and_is_normalised() {
        let mut registration = sample();
        assert_eq!(registration.check(now()), vec![]);
        assert_eq!(registration.given_name, "Camille");
        assert_eq!(registration.email, "camille.fictive@exemple.test");
        assert_eq!(registration.preferred_slots, vec!["mardi soir".to_owned()]);
    }

    #[test]
    fn pol_35_without_the_certification_nothing_may_be_saved() {
        let mut registration = sample();
        registration.certified_16_plus_at = None;
        let problems = registration.check(now());
        assert_eq!(
            problems,
            vec![FieldProblem::new(Field::Certified16Plus, Problem::Required)]
        );
        assert_eq!(problems[0].code(), ErrorCode::CertificationRequired);
        registration.certified_16_plus_at = Some(now() + Duration::hours(1));
        assert_eq!(
            registration.check(now()),
            vec![FieldProblem::new(Field::Certified16Plus, Problem::InFuture)]
        );
    }

    #[test]
    fn pol_7_one_choice_per_purpose() {
        let mut registration = sample();
        registration.consents.push(ConsentChoice {
            purpose: ConsentPurpose::Newsletter,
            granted: false,
        });
        assert_eq!(
            registration.check(now()),
            vec![FieldProblem::new(Field::Consents, Problem::Duplicate)]
        );
    }

    #[test]
    fn problems_name_fields_never_values() {
        let mut registration = sample();
        registration.given_name = "  ".into();
        registration.email = "pas une adresse".into();
        registration.phone = Some("appelez-moi".into());
        registration.children_count = Some(1);
        let problems = registration.check(now());
        assert_eq!(
            problems,
            vec![
                FieldProblem::new(Field::GivenName, Problem::Required),
                FieldProblem::new(Field::Email, Problem::Malformed),
                FieldProblem::new(Field::Phone, Problem::Malformed),
                FieldProblem::new(Field::AgeBrackets, Problem::OutOfRange),
            ]
        );
        let text = serde_json::to_string(&problems).unwrap();
        assert!(!text.contains("adresse") && !text.contains("appelez"));
    }

    #[test]
    fn e_mail_addresses_are_checked_and_their_domain_lower_cased() {
        assert_eq!(
            normalise_email(" Lou@Exemple.Test "),
            Some("Lou@exemple.test".into())
        );
        for bad in [
            "",
            "lou",
            "lou@",
            "@exemple.test",
            "lou@test",
            "l ou@exemple.test",
            "lou@exemple..test",
            "a@b@c.test",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
        assert_eq!(
            normalise_phone("+33 2 00 00 00 00"),
            Some("+33 2 00 00 00 00".into())
        );
        assert_eq!(normalise_phone("12"), None);
    }
}
