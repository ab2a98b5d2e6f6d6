//! DC-5: every command of the window that changes data either syncs (it is
//! an `Operation`) or is listed in `sync::ops::LOCAL_ONLY` with its reason. A
//! new command does not compile here until it is classified.

use contract::Command;

enum Sync {
    /// Reads only: nothing to send.
    ReadOnly,
    /// An operation of this kind (`Operation::kind`).
    Operation(&'static str),
    /// Changes data on this laptop only, listed in `LOCAL_ONLY`.
    LocalOnly,
}

fn classify(command: Command) -> Sync {
    use Command::*;
    match command {
        AppInfo | Vocabularies | CurrentSession | ListParticipants | ParticipantProfile
        | ListGroups | AuditTrail | VerifyAuditChain | UpcomingSessions | PreparationSheet
        | Registrations | PlanningResources | GroupSessions | BalancingPropose
        | BalancingEvaluate | UnmatchedRows | MessagePreview | Outbox | ExportContactList
        | RightsRequests | RightsRequestDetail | ExportAccess | SaveCertificate | LegalHolds
        | RetentionRules | RetentionPreview | SaveQuarterlyReport | Registers
        | AssistanceRequests | SyncStatus | SyncNow | DismissRefusal | AuditAlerts
        | StaffAccounts | Laptops | OpenEnrolmentFile | SaveEnrolmentCode => Sync::ReadOnly,
        AddProgressNote => Sync::Operation("add_progress_note"),
        EditProgressNote => Sync::Operation("edit_progress_note"),
        AddObjective => Sync::Operation("add_objective"),
        EditObjective => Sync::Operation("edit_objective"),
        SetAttendance => Sync::Operation("set_attendance"),
        ConfirmPlace => Sync::Operation("confirm_place"),
        CancelEnrolment => Sync::Operation("cancel_enrolment"),
        MoveEnrolment => Sync::Operation("move_enrolment"),
        AddSession => Sync::Operation("add_session"),
        UpdateGroup => Sync::Operation("update_group"),
        BalancingApply => Sync::Operation("apply_balancing"),
        QueueMessages => Sync::Operation("queue_messages"),
        RegisterRightsRequest => Sync::Operation("register_rights_request"),
        AdvanceRightsRequest => Sync::Operation("advance_rights_request"),
        RectifyField => Sync::Operation("rectify_field"),
        DecideObjection => Sync::Operation("decide_objection"),
        UnsubscribeParticipant => Sync::Operation("unsubscribe"),
        RecordConsent => Sync::Operation("record_consent"),
        EraseParticipant => Sync::Operation("erase_participant"),
        ImportReport => Sync::Operation("import_report"),
        ResolveUnmatched => Sync::Operation("resolve_unmatched"),
        SetRetentionRule => Sync::Operation("set_retention_rule"),
        RetentionRun => Sync::Operation("retention_run"),
        SaveProcessor => Sync::Operation("save_processor"),
        SaveActivity => Sync::Operation("save_activity"),
        PublishPolicyVersion => Sync::Operation("publish_policy_version"),
        RenewAssistance => Sync::Operation("renew_assistance"),
        CloseAssistance => Sync::Operation("close_assistance"),
        AcknowledgeAlert => Sync::Operation("acknowledge_alert"),
        // Issue 14 (creating an account also issues its code, a second operation).
        CreateStaff => Sync::Operation("create_staff"),
        ResetStaffPassword => Sync::Operation("reset_staff_password"),
        IssueEnrolmentCode => Sync::Operation("issue_enrolment_code"),
        DeactivateStaff => Sync::Operation("deactivate_staff"),
        RevokeLaptop => Sync::Operation("revoke_device"),
        // Issue 15: the office's registrations and payments.
        RegistrationForm | LookupPerson | RegistrationPayments | UnmatchedPayments => {
            Sync::ReadOnly
        }
        RegisterFamily => Sync::Operation("register_family"),
        RecordPayment => Sync::Operation("record_payment"),
        RefundPayment => Sync::Operation("refund_payment"),
        MatchPayment => Sync::Operation("match_payment"),
        ChangePassword => Sync::Operation("change_own_password"),
        SignIn | SignOut | ConnectLaptop => Sync::LocalOnly,
        // Issue 15: spreadsheet import (the preview keeps the mapping on the laptop).
        OpenFamiliesFile | FamiliesSheet | CloseFamiliesFile => Sync::ReadOnly,
        PreviewFamiliesImport => Sync::LocalOnly,
        ApplyFamiliesImport => Sync::Operation("import_families"),
        // Issue 16: published statistics arrive as reference tables; reading
        // and exporting them changes nothing (the export's trail entry syncs
        // with the audit trail).
        StatisticsMonths | StatisticsMonth | StatisticsExport => Sync::ReadOnly,
    }
}

/// The kinds `Operation::kind` names.
fn operation_kinds() -> Vec<String> {
    sync::Operation::KINDS
        .iter()
        .map(|kind| (*kind).to_owned())
        .collect()
}

#[test]
fn dc_5_every_changing_command_syncs_or_says_why_not() {
    let kinds = operation_kinds();
    assert_eq!(kinds.len(), 40, "Operation::kind names every variant");
    let mut synced = Vec::new();
    for &command in Command::ALL {
        let local_only = sync::ops::LOCAL_ONLY
            .iter()
            .find(|(listed, _)| *listed == command);
        match classify(command) {
            Sync::ReadOnly => assert!(local_only.is_none(), "{}", command.name()),
            Sync::Operation(kind) => {
                assert!(
                    kinds.iter().any(|k| k == kind),
                    "{} → {kind}",
                    command.name()
                );
                assert!(local_only.is_none(), "{} syncs", command.name());
                synced.push(kind);
            }
            Sync::LocalOnly => {
                let (_, why) =
                    local_only.unwrap_or_else(|| panic!("{} is not in LOCAL_ONLY", command.name()));
                assert!(!why.is_empty());
            }
        }
    }
    synced.sort();
    synced.dedup();
    assert_eq!(
        synced.len(),
        kinds.len(),
        "every operation is reachable from a command"
    );
}
