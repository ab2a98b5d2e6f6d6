//! The access policy in one place (ROLE-1..5, POL-20): a declarative table
//! role × data category → access, and the scope each role's reads are limited to.
//!
//! The store never decides access on its own: every store function runs
//! through its gate (`crates/store/src/gate.rs`), which checks the action's
//! needs with [`authorize`] (see `crate::actions::Action::authorize`) and
//! limits rows to the actor's [`Scope`].

use crate::ids::{DeviceId, StaffId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Staff roles (ROLE-1..5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// ROLE-1: sees the participants of the groups they lead.
    Trainer,
    /// ROLE-2: names and e-mails of their workshop's participants, nothing else.
    ExternalTrainer,
    /// ROLE-3: registrations, groups, sessions, rooms, enrolment and payment status.
    Administrator,
    /// ROLE-4: one participant while an assistance request is open (48 h).
    Support,
    /// ROLE-5: everything the rights and retention rules require.
    Dpo,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Trainer,
        Role::ExternalTrainer,
        Role::Administrator,
        Role::Support,
        Role::Dpo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Trainer => "trainer",
            Role::ExternalTrainer => "external_trainer",
            Role::Administrator => "administrator",
            Role::Support => "support",
            Role::Dpo => "dpo",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The scope every read of participant data by this role is limited to.
    pub fn scope(self) -> Scope {
        match self {
            Role::Trainer => Scope::LedGroups,
            Role::ExternalTrainer => Scope::OwnWorkshops,
            Role::Administrator | Role::Dpo => Scope::Everyone,
            Role::Support => Scope::OpenAssistance,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which participants a role's reads reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every participant (administrator, DPO).
    Everyone,
    /// Participants with a confirmed place in a group the actor leads (ROLE-1).
    LedGroups,
    /// Participants with a confirmed place in a workshop the actor runs as external trainer (ROLE-2).
    OwnWorkshops,
    /// The participant of an assistance request assigned to the actor, open and not
    /// expired (ROLE-4; 48 h, renewable by the DPO).
    OpenAssistance,
}

/// Categories of data the policy talks about (POL-1..8 and the product's records).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Name and e-mail only (what an external trainer may receive, POL-15).
    ContactList,
    /// POL-1 identity: name, e-mail, phone, 16+ certification, last login.
    Identity,
    /// POL-2 family situation including the free-text challenges (sensitive).
    FamilySituation,
    /// Children's age brackets only (administrators compose groups with them, ROLE-3).
    AgeBrackets,
    /// Declared objectives (POL-9).
    Objectives,
    /// Documented progress (POL-5, POL-9).
    ProgressNotes,
    /// Questions asked in webinars (POL-4).
    Questions,
    /// Webinar and session attendance (POL-4).
    Attendance,
    /// Forum posts (POL-5).
    ForumContributions,
    /// IP addresses, browsers, session durations (POL-3).
    TechnicalTraces,
    /// Registrations and enrolment states (POL-10).
    Enrolments,
    /// Taking in a new registration (issue 15): identity and contact, age
    /// brackets, consents as given and the 16+ certification of a person
    /// who registers, and their request; writes without reading anyone's
    /// history (the office reads neither consents nor family challenges).
    Registration,
    /// Payment status of an enrolment (POL-10); never bank details, which are not held.
    PaymentStatus,
    /// Transactions, invoices, receipts (POL-6).
    Payments,
    /// Consents with their history (POL-7).
    Consents,
    /// Programmes, groups, sessions, rooms.
    Planning,
    /// The audit trail (POL-21).
    AuditTrail,
    /// Rights requests (POL-23..28, POL-38).
    RightsRequests,
    /// Legal holds on kept records (POL-25, POL-31).
    LegalHolds,
    /// Processing register, processors, policy versions (POL-8, POL-14, POL-36, POL-37).
    Registers,
    /// Assistance requests (ROLE-4).
    AssistanceRequests,
    /// Staff accounts and their laptops (issue 14): the administrator
    /// manages every role but the DPO, the DPO manages DPO accounts
    /// (`crate::staff::may_manage` decides on the target's role).
    StaffAccounts,
    /// One's own account: changing one's own password (POL-18).
    OwnAccount,
    /// Importing videoconference reports (POL-4): writes attendance and
    /// questions without reading anyone's history; unmatched rows show the
    /// names and e-mails found in the file. Trainers import for their own
    /// sessions only (scope).
    ReportImport,
    /// Messages from templates queued for sending (POL-13).
    Outbox,
    /// Retention rules, sweeps and the quarterly report (POL-29..33).
    Retention,
    /// The website's usage events (POL-3 technical traces, issue 16):
    /// written by the website's account through the signed intake, read by
    /// no one but the DPO (as traces) and the monthly run.
    UsageEvents,
    /// Published monthly statistics (POL-11, POL-12): only cells that
    /// passed disclosure control. Trainers read the cells of their own
    /// groups (scope); the monthly run on the server publishes (decision 033).
    Statistics,
}

impl Category {
    pub const ALL: [Category; 28] = [
        Category::ContactList,
        Category::Identity,
        Category::FamilySituation,
        Category::AgeBrackets,
        Category::Objectives,
        Category::ProgressNotes,
        Category::Questions,
        Category::Attendance,
        Category::ForumContributions,
        Category::TechnicalTraces,
        Category::Enrolments,
        Category::Registration,
        Category::PaymentStatus,
        Category::Payments,
        Category::Consents,
        Category::Planning,
        Category::AuditTrail,
        Category::RightsRequests,
        Category::LegalHolds,
        Category::Registers,
        Category::AssistanceRequests,
        Category::StaffAccounts,
        Category::OwnAccount,
        Category::ReportImport,
        Category::Outbox,
        Category::Retention,
        Category::UsageEvents,
        Category::Statistics,
    ];
}

/// What a role may do with a category. `Write` includes `Read`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    Read,
    Write,
}

use Access::{None as No, Read as R, Write as W};

/// The policy table (ROLE-1..5). Columns: Trainer, ExternalTrainer, Administrator,
/// Support, Dpo. This is the only place access is decided.
#[rustfmt::skip]
const POLICY: [(Category, [Access; 5]); 28] = [
    //                                  Trainer ExtTr Admin Support DPO
    (Category::ContactList,            [R,      R,    R,    R,      W]),
    (Category::Identity,               [R,      No,   R,    W,      W]), // ROLE-4: contact details on request
    (Category::FamilySituation,        [R,      No,   No,   No,     W]),
    (Category::AgeBrackets,            [R,      No,   R,    No,     W]), // ROLE-3: group composition
    (Category::Objectives,             [W,      No,   No,   No,     W]),
    (Category::ProgressNotes,          [W,      No,   No,   No,     W]),
    (Category::Questions,              [R,      No,   No,   No,     W]),
    (Category::Attendance,             [W,      No,   No,   No,     W]),
    (Category::ForumContributions,     [No,     No,   No,   No,     W]),
    (Category::TechnicalTraces,        [No,     No,   No,   No,     W]),
    (Category::Enrolments,             [R,      No,   W,    No,     W]),
    (Category::Registration,           [No,     No,   W,    No,     W]), // issue 15: decision 030
    (Category::PaymentStatus,          [No,     No,   W,    No,     W]), // manual payments: decision 031
    (Category::Payments,               [No,     No,   No,   No,     W]),
    (Category::Consents,               [No,     No,   No,   No,     W]),
    (Category::Planning,               [R,      R,    W,    No,     W]),
    (Category::AuditTrail,             [No,     No,   No,   No,     R]),
    (Category::RightsRequests,         [No,     No,   No,   No,     W]),
    (Category::LegalHolds,             [No,     No,   No,   No,     W]),
    (Category::Registers,              [No,     No,   No,   No,     W]),
    (Category::AssistanceRequests,     [No,     No,   No,   R,      W]),
    (Category::StaffAccounts,          [No,     No,   W,    No,     W]), // issue 14: admin all but DPO, DPO the DPO
    (Category::OwnAccount,             [W,      W,    W,    W,      W]), // POL-18: one's own password
    (Category::ReportImport,           [W,      No,   W,    No,     W]), // trainers: their sessions
    (Category::Outbox,                 [No,     No,   W,    No,     W]), // the office sends reminders
    (Category::Retention,              [No,     No,   No,   No,     W]), // POL-29..33
    (Category::UsageEvents,            [No,     No,   W,    No,     W]), // issue 16: the website account (decision 033)
    (Category::Statistics,             [R,      No,   R,    No,     W]), // POL-11/12: published cells only; the run publishes
];

fn column(role: Role) -> usize {
    match role {
        Role::Trainer => 0,
        Role::ExternalTrainer => 1,
        Role::Administrator => 2,
        Role::Support => 3,
        Role::Dpo => 4,
    }
}

/// The access a role has to a category, from the policy table.
pub fn access(role: Role, category: Category) -> Access {
    POLICY
        .iter()
        .find(|(row, _)| *row == category)
        .map(|(_, cells)| cells[column(role)])
        .unwrap_or(Access::None)
}

/// The acting staff member. Every store query takes one (POL-20): there is no
/// way to read participant data without saying who reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: StaffId,
    pub role: Role,
    pub device_id: DeviceId,
}

impl Actor {
    pub fn new(staff_id: StaffId, role: Role, device_id: DeviceId) -> Self {
        Self {
            staff_id,
            role,
            device_id,
        }
    }

    pub fn scope(&self) -> Scope {
        self.role.scope()
    }
}

/// A refused access. Its message names the role and the category, never a person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not permitted: the {role} role may not {need} {category:?}")]
pub struct Denied {
    pub role: Role,
    pub category: Category,
    pub need: &'static str,
}

/// Checks the policy table for `need` (Read or Write) on `category`.
pub fn authorize(actor: &Actor, category: Category, need: Access) -> Result<(), Denied> {
    if access(actor.role, category) >= need && need != Access::None {
        Ok(())
    } else {
        Err(Denied {
            role: actor.role,
            category,
            need: if need == Access::Write {
                "change"
            } else {
                "read"
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table_has_one_row_per_category() {
        for category in Category::ALL {
            let rows = POLICY.iter().filter(|(c, _)| *c == category).count();
            assert_eq!(rows, 1, "{category:?} must appear exactly once");
        }
    }

    #[test]
    fn role_2_external_trainer_sees_names_and_emails_only() {
        // Their own account (their password, issue 14) is theirs to change;
        // nothing about anyone else.
        for category in Category::ALL {
            if category == Category::OwnAccount {
                assert_eq!(access(Role::ExternalTrainer, category), Access::Write);
                continue;
            }
            let expected = matches!(category, Category::ContactList | Category::Planning);
            assert_eq!(
                access(Role::ExternalTrainer, category) >= Access::Read,
                expected,
                "{category:?}"
            );
            assert!(access(Role::ExternalTrainer, category) < Access::Write);
        }
    }

    #[test]
    fn role_3_administrator_never_reads_family_challenges_or_bank_data() {
        assert_eq!(
            access(Role::Administrator, Category::FamilySituation),
            Access::None
        );
        assert_eq!(
            access(Role::Administrator, Category::Payments),
            Access::None
        );
        assert_eq!(
            access(Role::Administrator, Category::AgeBrackets),
            Access::Read
        );
        assert_eq!(
            access(Role::Administrator, Category::PaymentStatus),
            Access::Write
        );
    }

    #[test]
    fn role_5_only_the_dpo_reads_the_audit_trail() {
        for role in Role::ALL {
            assert_eq!(
                access(role, Category::AuditTrail) >= Access::Read,
                role == Role::Dpo
            );
        }
    }

    #[test]
    fn denied_message_names_role_and_category() {
        let actor = Actor::new("s".into(), Role::Trainer, "d".into());
        let err = authorize(&actor, Category::AuditTrail, Access::Read).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not permitted: the trainer role may not read AuditTrail"
        );
    }
}
