//! The contract between the window and the core: every command the window
//! may call, declared once, with its arguments and its answer (DC-4).
//!
//! [`with_commands!`] hands the list to a macro of the caller's. From it
//!
//! - this crate makes [`Command`] (the access matrix test matches on it, so a
//!   new command has its row for every role or the test does not compile);
//! - the desktop's `build.rs` makes the Tauri app manifest and the capability
//!   file (`src-tauri/capabilities/default.json`, generated);
//! - the desktop makes each Tauri handler (an `async` function off the main
//!   thread that calls `commands::<area>::<name>`), the handler list, and the
//!   typed bindings of the window (`ui/bindings.d.ts`, `ui/commands.js`).
//!
//! Types are written as the desktop crate names them; this crate only reads
//! the names. Adding a command: see `docs/adding-a-command.md`.
#![forbid(unsafe_code)]

/// Calls `$callback! { ... }` with every command, as
/// `Variant = area::name(arg: Type, ...) -> Answer [flags];`. Flags:
/// `public` (no session needed, no personal data).
///
/// Types are written `crate::...` on purpose: they name the *caller's* crate
/// (the desktop, whose `commands` modules hold the answers), not this one.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            // Start, sign-in, the window's vocabularies (POL-18).
            /// Version, demo accounts, and why the store did not open, if it did not.
            AppInfo = session::app_info() -> crate::commands::session::AppInfo [public];
            SignIn = session::sign_in(username: String, password: String)
                -> crate::commands::session::SessionDto [public];
            SignOut = session::sign_out() -> () [public];
            CurrentSession = session::current_session()
                -> Option<crate::commands::session::SessionDto> [public];
            /// Connects a freshly installed laptop with an enrolment code (issue 14).
            ConnectLaptop = session::connect_laptop(code: String, password: String)
                -> crate::commands::session::SessionDto [public];
            OpenEnrolmentFile = session::open_enrolment_file(dialog_title: String)
                -> Option<String> [public];
            /// One's own password; the only command a one-time password allows.
            ChangePassword = session::change_password(current: String, new_password: String)
                -> crate::commands::session::SessionDto [];
            /// The closed lists and defaults the window's forms offer (no personal data).
            Vocabularies = session::vocabularies() -> crate::commands::session::Vocabularies [public];

            // Participants, groups and the audit trail (ROLE-1..5, POL-9, POL-21).
            ListParticipants = participants::list_participants(query: Option<String>)
                -> Vec<store::participants::ParticipantRow> [];
            ParticipantProfile = participants::participant_profile(participant_id: domain::ParticipantId)
                -> store::participants::Profile [];
            ListGroups = participants::list_groups() -> Vec<store::groups::GroupRow> [];
            AuditTrail = audit::audit_trail(limit: i64, offset: i64) -> store::audit::AuditPage [];
            VerifyAuditChain = audit::verify_audit_chain() -> domain::audit::Verification [];
            AuditAlerts = audit::audit_alerts() -> Vec<store::audit::AlertRow> [];
            AcknowledgeAlert = audit::acknowledge_alert(alert_id: String) -> () [];

            // The trainer's sheet (ROLE-1, POL-9).
            UpcomingSessions = trainer::upcoming_sessions() -> Vec<store::trainer::SessionRow> [];
            PreparationSheet = trainer::preparation_sheet(session_id: String)
                -> store::trainer::PreparationSheet [];
            AddProgressNote = trainer::add_progress_note(participant_id: domain::ParticipantId, body: String)
                -> String [];
            EditProgressNote = trainer::edit_progress_note(note_id: String, body: String) -> () [];
            AddObjective = trainer::add_objective(participant_id: domain::ParticipantId, body: String)
                -> String [];
            EditObjective = trainer::edit_objective(objective_id: String, body: String) -> () [];
            SetAttendance = trainer::set_attendance(session_id: String, participant_id: domain::ParticipantId, present: bool)
                -> () [];

            // Registrations, places and planning (ROLE-3, POL-10).
            Registrations = office::registrations(group_id: Option<String>)
                -> Vec<store::enrolment::RegistrationRow> [];
            ConfirmPlace = office::confirm_place(enrolment_id: String, group_id: String, waiver_reason: Option<String>)
                -> store::enrolment::Placement [];
            CancelEnrolment = office::cancel_enrolment(enrolment_id: String)
                -> Option<store::enrolment::Offer> [];
            MoveEnrolment = office::move_enrolment(enrolment_id: String, group_id: String)
                -> Option<store::enrolment::Offer> [];
            // New registrations and payments (issue 15; POL-6, POL-7, POL-35).
            /// The programmes, slots and policy version the office's form offers.
            RegistrationForm = intake::registration_form() -> store::registration::FormOptions [];
            /// The known person with this e-mail, offered instead of a duplicate.
            LookupPerson = intake::lookup_person(email: String)
                -> Option<store::registration::KnownPerson> [];
            RegisterFamily = intake::register_family(registration: domain::intake::Registration)
                -> store::registration::Registered [];
            RegistrationPayments = intake::registration_payments(enrolment_id: String)
                -> Vec<store::payments::PaymentRow> [];
            RecordPayment = intake::record_payment(payment: store::payments::ManualPayment) -> String [];
            RefundPayment = intake::refund_payment(payment_id: String) -> () [];
            UnmatchedPayments = intake::unmatched_payments()
                -> Vec<store::payments::UnmatchedPayment> [];
            MatchPayment = intake::match_payment(unmatched_id: String, enrolment_id: String) -> String [];
            PlanningResources = office::planning_resources() -> store::planning::Resources [];
            GroupSessions = office::group_sessions(group_id: String)
                -> Vec<store::planning::PlannedSession> [];
            AddSession = office::add_session(
                group_id: String,
                title: String,
                kind: domain::enrolment::SessionKind,
                starts_at: chrono::DateTime<chrono::Utc>,
                ends_at: chrono::DateTime<chrono::Utc>,
                room_id: Option<String>
            ) -> String [];
            UpdateGroup = office::update_group(group_id: String, trainer_id: Option<String>, room_id: Option<String>, capacity: Option<i32>)
                -> () [];
            BalancingPropose = office::balancing_propose(programme_id: String)
                -> store::balancing::BalancingView [];
            BalancingEvaluate = office::balancing_evaluate(programme_id: String, assignments: std::collections::BTreeMap<String, String>)
                -> store::balancing::BalancingView [];
            BalancingApply = office::balancing_apply(programme_id: String, assignments: std::collections::BTreeMap<String, String>)
                -> store::balancing::Applied [];
            MessagePreview = office::message_preview(
                template: domain::messages::Template,
                participant_id: domain::ParticipantId,
                session_id: Option<String>,
                group_id: Option<String>,
                programme_id: Option<String>
            ) -> domain::messages::Rendered [];
            QueueMessages = office::queue_messages(
                template: domain::messages::Template,
                group_id: String,
                session_id: Option<String>,
                programme_id: Option<String>
            ) -> store::messages::Queued [];
            Outbox = office::outbox() -> Vec<store::messages::OutboxRow> [];

            // Files in and out (DC-7, POL-4, POL-15).
            ExportContactList = exchange::export_contact_list(group_id: String, dialog_title: String)
                -> crate::commands::exchange::Exported [];
            ImportReport = exchange::import_report(session_id: String, day_first: Option<bool>, dialog_title: String)
                -> crate::commands::exchange::Imported [];
            UnmatchedRows = exchange::unmatched_rows(session_id: String)
                -> Vec<store::import::UnmatchedRow> [];
            ResolveUnmatched = exchange::resolve_unmatched(row_id: String, participant_id: Option<domain::ParticipantId>)
                -> () [];

            // The DPO's desk (POL-7, POL-23..28, POL-38).
            RightsRequests = dpo::rights_requests() -> Vec<store::rights::RequestRow> [];
            RegisterRightsRequest = dpo::register_rights_request(request: store::rights::NewRequest)
                -> store::rights::RequestRow [];
            RightsRequestDetail = dpo::rights_request_detail(request_id: String)
                -> store::rights::RequestDetail [];
            AdvanceRightsRequest = dpo::advance_rights_request(request_id: String, step: domain::rights::Step)
                -> store::rights::RequestRow [];
            RectifyField = dpo::rectify_field(request_id: String, field: domain::rights::RectifiableField, value: String)
                -> () [];
            DecideObjection = dpo::decide_objection(request_id: String, accepted: bool, grounds: Option<String>)
                -> store::rights::RequestRow [];
            UnsubscribeParticipant = dpo::unsubscribe_participant(
                participant_id: domain::ParticipantId,
                source: domain::rights::ConsentSource,
                request_id: Option<String>
            ) -> store::rights::Preferences [];
            RecordConsent = dpo::record_consent(
                participant_id: domain::ParticipantId,
                purpose: domain::rights::ConsentPurpose,
                granted: bool,
                source: domain::rights::ConsentSource
            ) -> store::rights::Preferences [];
            ExportAccess = dpo::export_access(
                participant_id: domain::ParticipantId,
                request_id: Option<String>,
                dialog_title: String
            )
                -> crate::commands::dpo::Saved [];
            /// The erasure is done when this answers; the page-level check, when
            /// asked for, goes on in the background (`task` events).
            EraseParticipant = dpo::erase_participant(
                participant_id: domain::ParticipantId,
                reason: domain::access_export::ErasureReason,
                request_id: Option<String>,
                deep: bool
            ) -> crate::commands::dpo::Erased [];
            SaveCertificate = dpo::save_certificate(certificate_id: String, dialog_title: String)
                -> crate::commands::dpo::Saved [];
            LegalHolds = dpo::legal_holds() -> Vec<store::retention::HoldRow> [];
            RetentionRules = dpo::retention_rules() -> Vec<domain::retention::RuleEntry> [];
            SetRetentionRule = dpo::set_retention_rule(key: String, value: u32)
                -> Vec<domain::retention::RuleEntry> [];
            RetentionPreview = dpo::retention_preview() -> store::retention::Preview [];
            RetentionRun = dpo::retention_run() -> store::retention::RunOutcome [];
            SaveQuarterlyReport = dpo::save_quarterly_report(dialog_title: String)
                -> crate::commands::dpo::Saved [];
            Registers = dpo::registers() -> store::registers::Registers [];
            SaveProcessor = dpo::save_processor(processor: store::registers::Processor) -> String [];
            SaveActivity = dpo::save_activity(activity: store::registers::Activity) -> String [];
            PublishPolicyVersion = dpo::publish_policy_version(version: store::registers::NewPolicyVersion)
                -> store::registers::PolicyVersion [];
            AssistanceRequests = dpo::assistance_requests() -> Vec<store::assistance::AssistanceRow> [];
            RenewAssistance = dpo::renew_assistance(request_id: String)
                -> store::assistance::AssistanceRow [];
            CloseAssistance = dpo::close_assistance(request_id: String) -> () [];

            // Staff accounts and laptops (issue 14, POL-18).
            StaffAccounts = accounts::staff_accounts() -> Vec<store::accounts::StaffRow> [];
            CreateStaff = accounts::create_staff(username: String, display_name: String, role: domain::Role)
                -> crate::commands::accounts::Issued [];
            ResetStaffPassword = accounts::reset_staff_password(staff_id: String)
                -> crate::commands::accounts::Issued [];
            IssueEnrolmentCode = accounts::issue_enrolment_code(staff_id: String)
                -> crate::commands::accounts::Issued [];
            DeactivateStaff = accounts::deactivate_staff(staff_id: String)
                -> store::accounts::Deactivated [];
            /// Asked live from the server (it holds the last contact of each laptop).
            Laptops = accounts::laptops() -> Vec<store::accounts::DeviceRow> [];
            RevokeLaptop = accounts::revoke_laptop(device_id: String) -> bool [];
            /// Writes the code given to a file: no store, no personal data.
            SaveEnrolmentCode = accounts::save_enrolment_code(code: String, dialog_title: String)
                -> bool [public];

            // Issue 15: spreadsheet import (POL-7, POL-35, DC-7): the office's
            // spreadsheet of families, dry run by default, then all or nothing.
            /// The spreadsheet chosen in the native dialog, read (XLSX, ODS, CSV);
            /// `None` when the dialog was cancelled.
            OpenFamiliesFile = families_import::open_families_file(dialog_title: String)
                -> Option<crate::commands::families_import::FamiliesFile> [];
            /// One sheet's header and columns, with the mapping saved last time or suggested.
            FamiliesSheet = families_import::families_sheet(file_id: String, sheet: String)
                -> crate::commands::families_import::SheetLayout [];
            /// The dry run: every problem by row and column, and what the import would do.
            PreviewFamiliesImport = families_import::preview_families_import(
                file_id: String,
                sheet: String,
                mapping: Vec<domain::families_import::Target>
            ) -> store::families_import::ImportPreview [];
            /// The import in one transaction, all or nothing (`import-progress` events meanwhile).
            ApplyFamiliesImport = families_import::apply_families_import(
                file_id: String,
                sheet: String,
                mapping: Vec<domain::families_import::Target>
            ) -> store::families_import::ImportCounts [];
            /// Forgets the opened file.
            CloseFamiliesFile = families_import::close_families_file(file_id: String) -> () [];

            // Issue 16: monthly statistics (POL-11, POL-12): published cells only.
            /// The months published, latest first (trainers: those with a cell of their groups).
            StatisticsMonths = statistics::statistics_months()
                -> Vec<store::statistics::read::Release> [];
            /// One month's tables: sections, funnels, formats (trainers: their groups' funnels).
            StatisticsMonth = statistics::statistics_month(month: String)
                -> store::statistics::read::MonthTables [];
            /// A month's cells saved as CSV where the user chooses (`language`: `fr` or `en`).
            StatisticsExport = statistics::statistics_export(month: String, dialog_title: String, language: String)
                -> crate::commands::exchange::Exported [];

            // Sync with the central server (DC-5).
            SyncStatus = sync::sync_status() -> crate::commands::sync::SyncStatusDto [];
            SyncNow = sync::sync_now() -> sync::client::Report [];
            DismissRefusal = sync::dismiss_refusal(op_id: String) -> () [];
        }
    };
}

macro_rules! command_enum {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $area:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $answer:ty [$($flag:ident)*];
    )+) => {
        /// Every command the window can call.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command {
            $($(#[doc = $doc])* $variant,)+
        }

        impl Command {
            /// Every command, in declaration order.
            pub const ALL: &'static [Command] = &[$(Command::$variant,)+];

            /// The name the window invokes.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Command::$variant => stringify!($name),)+
                }
            }

            /// The module of `src-tauri/src/commands` that implements it.
            pub const fn area(self) -> &'static str {
                match self {
                    $(Command::$variant => stringify!($area),)+
                }
            }

            /// Commands that touch no personal data and need no session.
            pub fn is_public(self) -> bool {
                match self {
                    $(Command::$variant => [$(stringify!($flag)),*].contains(&"public"),)+
                }
            }
        }
    };
}

with_commands!(command_enum);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_areas_known() {
        let mut names = std::collections::BTreeSet::new();
        for command in Command::ALL {
            let name = command.name();
            assert!(names.insert(name), "{name} declared twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            assert!(
                [
                    "session",
                    "participants",
                    "audit",
                    "trainer",
                    "office",
                    "intake",
                    "exchange",
                    "dpo",
                    "accounts",
                    "sync",
                    // Issue 15: spreadsheet import
                    "families_import",
                    // Issue 16: monthly statistics
                    "statistics"
                ]
                .contains(&command.area()),
                "{name}"
            );
        }
        assert!(Command::SignIn.is_public() && !Command::ListParticipants.is_public());
    }
}
