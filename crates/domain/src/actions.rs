//! Every audited action of the product in one table (POL-20, POL-21): its
//! name in the audit trail, the categories of data it needs and how, and what
//! a success leaves in the trail. The store's gate (`store::gate`) is the
//! only caller: it authorises an action from this table, checks the scope,
//! runs the work and audits it, so a store function names its action and
//! nothing else about access.

use crate::access::{authorize, Access, Actor, Category, Denied};

/// What a success appends to the audit trail, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trail {
    /// A read: one entry per participant shown (one entry without a
    /// participant when there was none), appended once the read is done.
    Shown,
    /// A change: one entry per participant changed (or one without a
    /// participant), in the change's own transaction.
    Changed,
    /// Nothing on success: the action shows no personal data (planning,
    /// settings). Refusals are audited all the same.
    RefusalsOnly,
}

macro_rules! actions {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident => $name:literal, [$($category:ident: $need:ident),+], $trail:ident;
    )+) => {
        /// An audited action. Its [`Action::name`] is what the trail records.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[doc = $doc])* $variant,)+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The action's name in the audit trail (stable: the trail keeps it).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            /// The categories of data the action needs, and how.
            pub const fn needs(self) -> &'static [(Category, Access)] {
                match self {
                    $(Action::$variant => &[$((Category::$category, Access::$need)),+],)+
                }
            }

            /// What a success leaves in the trail.
            pub const fn trail(self) -> Trail {
                match self {
                    $(Action::$variant => Trail::$trail,)+
                }
            }
        }
    };
}

actions! {
    // Participants (ROLE-1..5, POL-9, POL-20).
    /// A list or search of participants: one entry per person shown.
    ParticipantList => "participant.list", [ContactList: Read], Shown;
    /// A profile; external trainers (names and e-mails only) are refused.
    ParticipantProfileRead => "participant.profile.read", [Identity: Read], Shown;
    GroupsList => "groups.list", [Planning: Read], RefusalsOnly;
    // The audit trail (POL-21).
    AuditRead => "audit.read", [AuditTrail: Read], Shown;
    AuditVerify => "audit.verify", [AuditTrail: Read], Shown;
    AuditAlertsRead => "audit.alerts.read", [AuditTrail: Read], Shown;
    AuditAlertAcknowledge => "audit.alert.acknowledge", [AuditTrail: Read], Changed;
    // The trainer's workspace (ROLE-1, POL-9).
    SessionList => "session.list", [Planning: Read], RefusalsOnly;
    SessionSheetRead => "session.sheet.read",
        [Objectives: Read, ProgressNotes: Read, Questions: Read, Attendance: Read], Shown;
    ProgressNoteAdd => "progress_note.add", [ProgressNotes: Write], Changed;
    ProgressNoteEdit => "progress_note.edit", [ProgressNotes: Write], Changed;
    ObjectiveAdd => "objective.add", [Objectives: Write], Changed;
    ObjectiveEdit => "objective.edit", [Objectives: Write], Changed;
    AttendanceSet => "attendance.set", [Attendance: Write], Changed;
    // Registrations and places (ROLE-3, POL-10).
    RegistrationList => "registration.list", [Enrolments: Read, PaymentStatus: Read], Shown;
    EnrolmentConfirm => "enrolment.confirm", [Enrolments: Write], Changed;
    /// A confirmation that found the group full put the person on the waitlist.
    EnrolmentWaitlist => "enrolment.waitlist", [Enrolments: Write], Changed;
    EnrolmentCancel => "enrolment.cancel", [Enrolments: Write], Changed;
    EnrolmentMove => "enrolment.move", [Enrolments: Write], Changed;
    // New registrations and payments (issue 15, POL-6, POL-7, POL-35).
    /// A registration taken by the office or received from the website.
    RegistrationCreate => "registration.create", [Registration: Write], Changed;
    /// The office's spreadsheet of families, all rows in one transaction.
    RegistrationImport => "registration.import", [Registration: Write], Changed;
    /// The programmes, slots and policy version the registration form offers.
    RegistrationForm => "registration.form", [Registration: Write, Planning: Read], RefusalsOnly;
    /// Issue 15: spreadsheet import. Preparing an import (the programmes a
    /// sheet may name; no one's data): refused to those who may not import.
    RegistrationImportPrepare => "registration.import.prepare", [Registration: Write], RefusalsOnly;
    /// Whether an e-mail is a known person's (offered, not duplicated).
    RegistrationLookup => "registration.lookup", [Registration: Write, Identity: Read], Shown;
    /// The payments of one registration: status, method, date (never amounts).
    PaymentList => "payment.list", [PaymentStatus: Read], Shown;
    /// A payment received by hand (cheque, transfer, cash).
    PaymentRecord => "payment.record", [PaymentStatus: Write], Changed;
    PaymentRefund => "payment.refund", [PaymentStatus: Write], Changed;
    /// A processor's payment, created or updated from its re-fetched state.
    PaymentProcessor => "payment.processor", [PaymentStatus: Write], Changed;
    /// Processor payments no registration was found for.
    PaymentUnmatchedList => "payment.unmatched.list", [PaymentStatus: Write], RefusalsOnly;
    PaymentMatch => "payment.match", [PaymentStatus: Write], Changed;
    // Planning (ROLE-3, POL-10).
    PlanningResources => "planning.resources", [Planning: Read], RefusalsOnly;
    PlanningSessions => "planning.sessions", [Planning: Read], RefusalsOnly;
    PlanningSessionAdd => "planning.session.add", [Planning: Write], Changed;
    PlanningGroupUpdate => "planning.group.update", [Planning: Write], Changed;
    // Balancing (POL-10).
    BalancingPropose => "balancing.propose",
        [Enrolments: Write, AgeBrackets: Read, Planning: Read], Shown;
    BalancingEvaluate => "balancing.evaluate",
        [Enrolments: Write, AgeBrackets: Read, Planning: Read], RefusalsOnly;
    BalancingApply => "balancing.apply",
        [Enrolments: Write, AgeBrackets: Read, Planning: Read], Changed;
    // Reports of the videoconference service (POL-4).
    ReportImport => "report.import", [ReportImport: Write], Changed;
    ReportUnmatchedList => "report.unmatched.list", [ReportImport: Write], RefusalsOnly;
    ReportUnmatchedResolve => "report.unmatched.resolve", [ReportImport: Write], Changed;
    // Messages from templates (POL-13).
    MessagePreview => "message.preview", [Outbox: Write, ContactList: Read], Shown;
    MessageQueue => "message.queue", [Outbox: Write, ContactList: Read], Changed;
    MessageOutboxRead => "message.outbox.read", [Outbox: Write, ContactList: Read], Shown;
    // The external trainer's list (ROLE-2, POL-15).
    ContactListExport => "contact_list.export", [ContactList: Read], Shown;
    // The DPO's desk (POL-7, POL-23..28, POL-38).
    RightsRequestRegister => "rights.request.register", [RightsRequests: Write], Changed;
    RightsRequestList => "rights.request.list", [RightsRequests: Write], Shown;
    RightsRequestRead => "rights.request.read", [RightsRequests: Write], Shown;
    RightsRequestUpdate => "rights.request.update", [RightsRequests: Write], Changed;
    ParticipantRectify => "participant.rectify", [RightsRequests: Write], Changed;
    ParticipantObjection => "participant.objection", [RightsRequests: Write], Changed;
    ParticipantUnsubscribe => "participant.unsubscribe", [Consents: Write], Changed;
    ParticipantConsent => "participant.consent", [Consents: Write], Changed;
    /// The consents and objections of one person, as the DPO reads them.
    ParticipantPreferencesRead => "participant.preferences.read", [Consents: Read], Shown;
    ParticipantExport => "participant.export", [RightsRequests: Write], Changed;
    /// Whether an export may go ahead, before the DPO chooses where to save it.
    ParticipantExportCheck => "participant.export", [RightsRequests: Write], RefusalsOnly;
    /// An erasure on request or after a minor was discovered (POL-25, POL-35).
    ParticipantErase => "participant.erase", [RightsRequests: Write], Changed;
    /// An erasure decided by the retention sweep (POL-30).
    ParticipantEraseRetention => "participant.erase", [Retention: Write], Changed;
    /// The page-level residual check of an erasure, added to its certificate.
    ErasureDeepCheck => "erasure.deep_check", [RightsRequests: Write], Changed;
    ErasureCertificateRead => "erasure.certificate.read", [RightsRequests: Read], Shown;
    // Retention (POL-29..33).
    RetentionRulesRead => "retention.rules.read", [Retention: Read], RefusalsOnly;
    RetentionRulesChange => "retention.rules.change", [Retention: Write], Changed;
    RetentionPreview => "retention.preview", [Retention: Read], Shown;
    RetentionRun => "retention.run", [Retention: Write], Changed;
    RetentionReport => "retention.report", [Retention: Read], Shown;
    LegalHoldsRead => "legal_holds.read", [LegalHolds: Read], Shown;
    // Registers (POL-8, POL-14, POL-34, POL-36, POL-37).
    RegistersRead => "registers.read", [Registers: Read], RefusalsOnly;
    RegistersActivitySave => "registers.activity.save", [Registers: Write], Changed;
    RegistersProcessorSave => "registers.processor.save", [Registers: Write], Changed;
    RegistersPolicyPublish => "registers.policy.publish", [Registers: Write], Changed;
    // Support access (ROLE-4).
    AssistanceList => "assistance.list", [AssistanceRequests: Write], Shown;
    AssistanceRenew => "assistance.renew", [AssistanceRequests: Write], Changed;
    AssistanceClose => "assistance.close", [AssistanceRequests: Write], Changed;
    // Monthly statistics (issue 16, POL-11, POL-12): published cells only;
    // trainers read the cells of the groups they lead (scope, in the query).
    /// The releases and one month's tables (no personal data: refusals only).
    StatisticsList => "statistics.list", [Statistics: Read], RefusalsOnly;
    /// A month's cells saved as CSV: one entry in the trail, without a participant.
    StatisticsExport => "statistics.export", [Statistics: Read], Shown;
    // Staff accounts and laptops (issue 14, POL-18); the target's role is
    // checked by `crate::staff::may_manage` inside the work.
    StaffList => "staff.list", [StaffAccounts: Read], RefusalsOnly;
    StaffCreate => "staff.create", [StaffAccounts: Write], Changed;
    StaffPasswordReset => "staff.password.reset", [StaffAccounts: Write], Changed;
    StaffDeactivate => "staff.deactivate", [StaffAccounts: Write], Changed;
    StaffEnrolmentCode => "staff.enrolment_code", [StaffAccounts: Write], Changed;
    DeviceList => "device.list", [StaffAccounts: Read], RefusalsOnly;
    DeviceRevoke => "device.revoke", [StaffAccounts: Write], Changed;
    /// Changing one's own password (first sign-in, after a reset, or at will).
    PasswordChange => "password.change", [OwnAccount: Write], Changed;
    // Usage events and the monthly statistics (issue 16, POL-3, POL-11,
    // POL-12, POL-32).
    /// A delivery of the website's usage events, stored as technical
    /// traces: one entry per delivery, without participants (each event
    /// is itself a trace, and the trail would otherwise hold a copy of it).
    UsageRecord => "usage.record", [UsageEvents: Write], Changed;
    /// The monthly run: counts everyone's traces, enrolments, attendance
    /// and questions, and writes a release into the frozen ledger; one
    /// entry per publication, without participants (the server's
    /// statistics account, a DPO: only the DPO reads technical traces).
    StatisticsPublish => "statistics.publish",
        [Statistics: Write, TechnicalTraces: Read, Enrolments: Read, Attendance: Read, Questions: Read],
        Changed;
}

impl Action {
    /// Checks every need of the action against the policy table.
    pub fn authorize(self, actor: &Actor) -> Result<(), Denied> {
        self.needs()
            .iter()
            .try_for_each(|(category, need)| authorize(actor, *category, *need))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    #[test]
    fn every_action_needs_something_and_names_are_dotted() {
        for action in Action::ALL {
            assert!(!action.needs().is_empty(), "{action:?}");
            assert!(action.name().contains('.'), "{action:?}");
            assert!(
                action.needs().iter().all(|(_, need)| *need != Access::None),
                "{action:?}"
            );
        }
    }

    #[test]
    fn role_5_the_dpo_may_do_every_action_but_no_other_role_may_do_them_all() {
        for role in Role::ALL {
            let actor = Actor::new("s".into(), role, "d".into());
            let all = Action::ALL.iter().all(|a| a.authorize(&actor).is_ok());
            assert_eq!(all, role == Role::Dpo, "{role:?}");
        }
    }

    #[test]
    fn role_1_trainers_write_notes_but_never_read_the_rights_register() {
        let trainer = Actor::new("s".into(), Role::Trainer, "d".into());
        assert!(Action::ProgressNoteAdd.authorize(&trainer).is_ok());
        assert!(Action::RightsRequestList.authorize(&trainer).is_err());
        assert!(Action::AuditRead.authorize(&trainer).is_err());
    }
}
