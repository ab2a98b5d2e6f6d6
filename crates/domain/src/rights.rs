//! The rights-request register's rules (POL-7, POL-23..28, POL-38): the
//! vocabularies (kinds, channels, statuses, purposes, sources) and the state
//! machine of a request. Pure: the store loads a request's facts, asks
//! [`next`] what a step does, and writes the answer; the sync layer sends the
//! same [`Step`] on the wire.
//!
//! ```text
//! received --check identity--> identity_checked --start--> in_progress
//!     \                              \                        |
//!      \--extend (within 1 month)-->  extended  <-------------/
//! any open status --answer (identity checked)--> answered
//! any open status --refuse (grounds)-----------> refused
//! ```

use crate::errors::ErrorCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// What the person asks for (POL-23..27; the unsubscribe of POL-26).
    pub enum RequestKind {
        Access => "access",
        Rectification => "rectification",
        Erasure => "erasure",
        Objection => "objection",
        Portability => "portability",
        Unsubscribe => "unsubscribe",
    }
}

crate::vocabulary! {
    /// How a request arrived (POL-38).
    pub enum Channel {
        Post => "post",
        Email => "email",
        Phone => "phone",
    }
}

crate::vocabulary! {
    /// Where a request stands.
    pub enum RequestStatus {
        Received => "received",
        IdentityChecked => "identity_checked",
        InProgress => "in_progress",
        Extended => "extended",
        Answered => "answered",
        Refused => "refused",
    }
}

impl RequestStatus {
    /// Answered and refused requests are closed: nothing more happens to them.
    pub fn is_open(self) -> bool {
        !matches!(self, RequestStatus::Answered | RequestStatus::Refused)
    }
}

crate::vocabulary! {
    /// Processing a person may object to (POL-26): those based on legitimate interest.
    pub enum ObjectionPurpose {
        ModuleSuggestions => "module_suggestions",
        Statistics => "statistics",
    }
}

crate::vocabulary! {
    /// Consent purposes (POL-7).
    pub enum ConsentPurpose {
        Newsletter => "newsletter",
        Testimonials => "testimonials",
        Studies => "studies",
    }
}

crate::vocabulary! {
    /// Where a consent decision or an unsubscribe came from.
    pub enum ConsentSource {
        Platform => "platform",
        Email => "email",
        Post => "post",
        Phone => "phone",
        /// Given at the office's desk (issue 15).
        InPerson => "in_person",
        /// Read from the office's spreadsheet of families (issue 15).
        Import => "import",
    }
}

crate::vocabulary! {
    /// The DPO's decision on an objection (POL-26).
    pub enum Decision {
        Accepted => "accepted",
        Rejected => "rejected",
    }
}

crate::vocabulary! {
    /// Fields the DPO may correct (POL-24: contact details, communication
    /// preferences, family details).
    pub enum RectifiableField {
        GivenName => "given_name",
        FamilyName => "family_name",
        Email => "email",
        Phone => "phone",
        MarketingOptOut => "marketing_opt_out",
        ChildrenCount => "children_count",
        AgeBrackets => "age_brackets",
        Challenges => "challenges",
    }
}

crate::vocabulary! {
    /// Children's age brackets (POL-2).
    pub enum AgeBracket {
        Infant => "0-3",
        Preschool => "4-6",
        Child => "7-11",
        Teen => "12-15",
        Older => "16-18",
    }
}

/// What the DPO does to a request's status (also the wire format of
/// `AdvanceRightsRequest`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// POL-38: how the requester's identity was checked.
    CheckIdentity {
        method: String,
    },
    Start,
    /// POL-23: the exceptional extension, with grounds, told within the first month.
    Extend {
        grounds: String,
    },
    Answer {
        note: Option<String>,
    },
    Refuse {
        grounds: String,
    },
}

/// What the rules need to know about a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestFacts {
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub identity_checked: bool,
    pub decision: Option<Decision>,
    /// Whether the request still names a person (erased people leave it detached).
    pub names_a_person: bool,
    /// GDPR art. 12(3): the last day to tell the person of an extension.
    pub legal_deadline: NaiveDate,
}

/// The outcome of a step: the new status, the word the request's log records,
/// and the trimmed text the step carried (method, grounds or note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub status: RequestStatus,
    pub logged_as: &'static str,
    pub text: Option<String>,
}

fn trimmed(text: &str, missing: ErrorCode) -> Result<String, ErrorCode> {
    let text = text.trim();
    if text.is_empty() {
        Err(missing)
    } else {
        Ok(text.to_owned())
    }
}

/// What `step` does to a request, or the rule that refuses it.
pub fn next(
    request: &RequestFacts,
    step: &Step,
    today: NaiveDate,
) -> Result<Transition, ErrorCode> {
    if !request.status.is_open() {
        return Err(ErrorCode::RequestClosed);
    }
    let to = |status, logged_as, text| Transition {
        status,
        logged_as,
        text,
    };
    match step {
        Step::CheckIdentity { method } => {
            let method = trimmed(method, ErrorCode::IdentityMethodRequired)?;
            if request.status != RequestStatus::Received {
                return Err(ErrorCode::IdentityAlreadyChecked);
            }
            Ok(to(
                RequestStatus::IdentityChecked,
                "identity_checked",
                Some(method),
            ))
        }
        Step::Start => {
            require_identity(request)?;
            if request.status != RequestStatus::IdentityChecked {
                return Err(ErrorCode::AlreadyStarted);
            }
            Ok(to(RequestStatus::InProgress, "started", None))
        }
        Step::Extend { grounds } => {
            let grounds = trimmed(grounds, ErrorCode::ExtensionGroundsRequired)?;
            if request.status == RequestStatus::Extended {
                return Err(ErrorCode::AlreadyExtended);
            }
            // GDPR art. 12(3): the person is told within the first month.
            if today > request.legal_deadline {
                return Err(ErrorCode::ExtensionTooLate);
            }
            Ok(to(RequestStatus::Extended, "extended", Some(grounds)))
        }
        Step::Answer { note } => {
            require_identity(request)?;
            if request.kind == RequestKind::Objection && request.decision.is_none() {
                return Err(ErrorCode::ObjectionUndecided);
            }
            let note = note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            Ok(to(RequestStatus::Answered, "answered", note))
        }
        Step::Refuse { grounds } => {
            let grounds = trimmed(grounds, ErrorCode::RefusalGroundsRequired)?;
            Ok(to(RequestStatus::Refused, "refused", Some(grounds)))
        }
    }
}

fn require_identity(request: &RequestFacts) -> Result<(), ErrorCode> {
    if request.identity_checked {
        Ok(())
    } else {
        Err(ErrorCode::IdentityNotChecked)
    }
}

/// The gate before any data leaves or changes on a request (POL-38): open, of
/// one of `kinds`, identity checked, still naming a person.
pub fn actionable(request: &RequestFacts, kinds: &[RequestKind]) -> Result<(), ErrorCode> {
    if !request.status.is_open() {
        return Err(ErrorCode::RequestClosed);
    }
    if !kinds.contains(&request.kind) {
        return Err(ErrorCode::WrongRequestType);
    }
    require_identity(request)?;
    if !request.names_a_person {
        return Err(ErrorCode::RequestDetached);
    }
    Ok(())
}

/// The status a request takes when the DPO acts on it (export, erasure,
/// rectification, objection): an identity-checked request is now in progress.
pub fn status_after_action(status: RequestStatus) -> RequestStatus {
    if status == RequestStatus::IdentityChecked {
        RequestStatus::InProgress
    } else {
        status
    }
}

/// Decides an objection (POL-26): once only; a rejection records compelling
/// legitimate grounds. Returns the decision and the trimmed grounds.
pub fn decide_objection(
    request: &RequestFacts,
    accepted: bool,
    grounds: Option<&str>,
) -> Result<(Decision, Option<String>), ErrorCode> {
    actionable(request, &[RequestKind::Objection])?;
    if request.decision.is_some() {
        return Err(ErrorCode::ObjectionDecided);
    }
    let grounds = grounds
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned);
    if !accepted && grounds.is_none() {
        return Err(ErrorCode::ObjectionGroundsRequired);
    }
    let decision = if accepted {
        Decision::Accepted
    } else {
        Decision::Rejected
    };
    Ok((decision, grounds))
}

/// A short reference to quote to the person, e.g. `DR-2026-3f9a1c`.
pub fn reference_of(id: &str, received: NaiveDate) -> String {
    let tail: String = id.chars().filter(|c| *c != '-').rev().take(6).collect();
    let tail: String = tail.chars().rev().collect();
    format!("DR-{}-{}", received.format("%Y"), tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn facts(status: RequestStatus) -> RequestFacts {
        RequestFacts {
            kind: RequestKind::Access,
            status,
            identity_checked: !matches!(status, RequestStatus::Received),
            decision: None,
            names_a_person: true,
            legal_deadline: day(20),
        }
    }

    #[test]
    fn pol_38_nothing_happens_before_the_identity_check() {
        let received = facts(RequestStatus::Received);
        assert_eq!(
            next(&received, &Step::Start, day(2)),
            Err(ErrorCode::IdentityNotChecked)
        );
        assert_eq!(
            next(&received, &Step::Answer { note: None }, day(2)),
            Err(ErrorCode::IdentityNotChecked)
        );
        assert_eq!(
            actionable(&received, &[RequestKind::Access]),
            Err(ErrorCode::IdentityNotChecked)
        );
        let checked = next(
            &received,
            &Step::CheckIdentity {
                method: "  copie de pièce d'identité ".into(),
            },
            day(2),
        )
        .unwrap();
        assert_eq!(checked.status, RequestStatus::IdentityChecked);
        assert_eq!(checked.text.as_deref(), Some("copie de pièce d'identité"));
    }

    #[test]
    fn pol_23_extension_only_within_the_first_month_and_once() {
        let open = facts(RequestStatus::InProgress);
        let grounds = Step::Extend {
            grounds: "volume".into(),
        };
        assert_eq!(
            next(&open, &grounds, day(21)),
            Err(ErrorCode::ExtensionTooLate)
        );
        assert_eq!(
            next(&open, &grounds, day(20)).unwrap().status,
            RequestStatus::Extended
        );
        assert_eq!(
            next(&facts(RequestStatus::Extended), &grounds, day(3)),
            Err(ErrorCode::AlreadyExtended)
        );
        assert_eq!(
            next(
                &open,
                &Step::Extend {
                    grounds: " ".into()
                },
                day(3)
            ),
            Err(ErrorCode::ExtensionGroundsRequired)
        );
    }

    #[test]
    fn closed_requests_refuse_every_step() {
        for status in [RequestStatus::Answered, RequestStatus::Refused] {
            for step in [
                Step::Start,
                Step::Answer { note: None },
                Step::Refuse {
                    grounds: "x".into(),
                },
            ] {
                assert_eq!(
                    next(&facts(status), &step, day(2)),
                    Err(ErrorCode::RequestClosed)
                );
            }
        }
    }

    #[test]
    fn pol_26_an_objection_is_decided_once_and_a_rejection_has_grounds() {
        let mut objection = facts(RequestStatus::InProgress);
        objection.kind = RequestKind::Objection;
        assert_eq!(
            next(&objection, &Step::Answer { note: None }, day(2)),
            Err(ErrorCode::ObjectionUndecided)
        );
        assert_eq!(
            decide_objection(&objection, false, Some("  ")),
            Err(ErrorCode::ObjectionGroundsRequired)
        );
        assert_eq!(
            decide_objection(&objection, true, None),
            Ok((Decision::Accepted, None))
        );
        objection.decision = Some(Decision::Accepted);
        assert_eq!(
            decide_objection(&objection, true, None),
            Err(ErrorCode::ObjectionDecided)
        );
    }

    #[test]
    fn vocabularies_keep_their_stored_texts() {
        assert_eq!(
            RequestKind::parse("portability"),
            Some(RequestKind::Portability)
        );
        assert_eq!(RequestStatus::IdentityChecked.as_str(), "identity_checked");
        assert_eq!(
            AgeBracket::texts(),
            ["0-3", "4-6", "7-11", "12-15", "16-18"]
        );
        assert_eq!(
            serde_json::to_string(&Step::CheckIdentity { method: "m".into() }).unwrap(),
            r#"{"step":"check_identity","method":"m"}"#
        );
    }
}
