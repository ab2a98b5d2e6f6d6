//! Every error code the window can receive, in one enum. The window switches
//! on the code and writes the sentence in the user's language from it and its
//! details (`ui/locales/*.json`, key `error.<code>`); the core never formats
//! text for people. A test fails when a code has no French or English text.

crate::vocabulary! {
    /// A stable, machine-readable error code.
    pub enum ErrorCode {
        // Access and input.
        NotSignedIn => "not_signed_in",
        NotPermitted => "not_permitted",
        NotFound => "not_found",
        InvalidInput => "invalid_input",
        /// The store failed (a database error): nothing was changed.
        Store => "store",
        /// A file could not be read or written.
        Io => "io",
        /// A native file dialog could not be shown.
        Dialog => "dialog",
        /// A document could not be built.
        Export => "export",
        // Opening the store (DC-2, DC-3).
        KeyringUnreachable => "keyring_unreachable",
        KeyMissing => "key_missing",
        WrongKey => "wrong_key",
        Corrupted => "corrupted",
        NotEncrypted => "not_encrypted",
        Migration => "migration",
        // Signing in (POL-18).
        BadCredentials => "bad_credentials",
        SlowedDown => "slowed_down",
        Locked => "locked",
        // Sync (DC-5).
        Offline => "offline",
        NotConfigured => "not_configured",
        NotRegistered => "not_registered",
        BadCertificate => "bad_certificate",
        Unauthenticated => "unauthenticated",
        TokenExpired => "token_expired",
        DeviceRevoked => "device_revoked",
        Malformed => "malformed",
        TooLarge => "too_large",
        Protocol => "protocol",
        Server => "server",
        Erased => "erased",
        /// A long task is already running; try again when it is done.
        Busy => "busy",
        // The window's own: no Tauri backend (a browser), an unreadable answer.
        NoBackend => "no_backend",
        Unknown => "unknown",
        // Registrations, places, planning (POL-10).
        PaymentRequired => "payment_required",
        GroupFull => "group_full",
        WrongState => "wrong_state",
        WrongProgramme => "wrong_programme",
        SameGroup => "same_group",
        RoomClash => "room_clash",
        TrainerClash => "trainer_clash",
        RoomTooSmall => "room_too_small",
        CapacityBelowConfirmed => "capacity_below_confirmed",
        InvalidProposal => "invalid_proposal",
        // The trainer's sheet (POL-9).
        NotAuthor => "not_author",
        // The rights desk (POL-23..28, POL-38).
        ReceivedInFuture => "received_in_future",
        ObjectionPurposeRequired => "objection_purpose_required",
        RequestClosed => "request_closed",
        IdentityMethodRequired => "identity_method_required",
        IdentityAlreadyChecked => "identity_already_checked",
        IdentityNotChecked => "identity_not_checked",
        AlreadyStarted => "already_started",
        AlreadyExtended => "already_extended",
        ExtensionTooLate => "extension_too_late",
        ExtensionGroundsRequired => "extension_grounds_required",
        RefusalGroundsRequired => "refusal_grounds_required",
        ObjectionUndecided => "objection_undecided",
        ObjectionDecided => "objection_decided",
        ObjectionGroundsRequired => "objection_grounds_required",
        WrongRequestType => "wrong_request_type",
        RequestDetached => "request_detached",
        EmailTaken => "email_taken",
        NothingToRectify => "nothing_to_rectify",
        ConsentUnchanged => "consent_unchanged",
        ErasureRequestRequired => "erasure_request_required",
        // Registers (POL-8, POL-34, POL-36, POL-37).
        BalancingTestRequired => "balancing_test_required",
        SafeguardRequired => "safeguard_required",
        EffectiveInPast => "effective_in_past",
        NoticeTooShort => "notice_too_short",
        VersionExists => "version_exists",
        // Retention rules (POL-29..33).
        RetentionUnknownKey => "retention_unknown_key",
        RetentionZero => "retention_zero",
        RetentionTooLong => "retention_too_long",
        RetentionReminderNotAfterInactive => "retention_reminder_not_after_inactive",
        RetentionAbovePolicyMaximum => "retention_above_policy_maximum",
        RetentionBelowLegalMinimum => "retention_below_legal_minimum",
        // Staff accounts and laptops (issue 14, POL-18).
        UsernameTaken => "username_taken",
        RoleNotManaged => "role_not_managed",
        OwnAccount => "own_account",
        AccountInactive => "account_inactive",
        PasswordTooShort => "password_too_short",
        PasswordTooLong => "password_too_long",
        PasswordTooSimple => "password_too_simple",
        PasswordCommon => "password_common",
        PasswordContainsUsername => "password_contains_username",
        PasswordUnchanged => "password_unchanged",
        /// The session is limited to changing the password (first sign-in, reset).
        PasswordChangeRequired => "password_change_required",
        EnrolmentCodeMalformed => "enrolment_code_malformed",
        EnrolmentCodeInvalid => "enrolment_code_invalid",
        EnrolmentCodeUsed => "enrolment_code_used",
        EnrolmentCodeExpired => "enrolment_code_expired",
        /// The server's certificate is not the one the enrolment code names.
        FingerprintMismatch => "fingerprint_mismatch",
        AlreadyConnected => "already_connected",
        /// The server was restored from a backup: this laptop must reconnect.
        ServerRestored => "server_restored",
        // Registrations and payments (issue 15, POL-6, POL-7, POL-35).
        /// No certification of being 16 or older: nothing is saved (POL-35).
        CertificationRequired => "certification_required",
        /// A field of a registration is missing or malformed (details: field, problem).
        RegistrationInvalid => "registration_invalid",
        /// The programme asked for does not exist.
        UnknownProgramme => "unknown_programme",
        /// The payment was already refunded, or is not a confirmed one.
        NotRefundable => "not_refundable",
        /// The processor's payment was already matched to a registration.
        AlreadyMatched => "already_matched",
        // Issue 15: spreadsheet import (POL-7, POL-35).
        /// The file is not a spreadsheet the import reads (XLSX, ODS, CSV),
        /// or is damaged (details: format).
        ImportFileUnreadable => "import_file_unreadable",
        /// The file is over the import's limit (details: limit, what).
        ImportFileTooLarge => "import_file_too_large",
        /// The opened file was closed or replaced by another one.
        ImportFileClosed => "import_file_closed",
        /// The sheet named is not in the file.
        ImportSheetUnknown => "import_sheet_unknown",
        /// Rows or the mapping have problems: nothing was imported (details:
        /// problems, rows, and the first one's row, column, field, problem).
        ImportHasProblems => "import_has_problems",
    }
}

impl ErrorCode {
    /// Refusals decided by a rule about the data (audited as attempts, POL-21),
    /// as opposed to bad input, missing rows and failures.
    pub fn is_refusal(self) -> bool {
        !matches!(
            self,
            ErrorCode::NotSignedIn
                | ErrorCode::NotFound
                | ErrorCode::InvalidInput
                | ErrorCode::Store
                | ErrorCode::Io
                | ErrorCode::Dialog
                | ErrorCode::Export
                | ErrorCode::KeyringUnreachable
                | ErrorCode::KeyMissing
                | ErrorCode::WrongKey
                | ErrorCode::Corrupted
                | ErrorCode::NotEncrypted
                | ErrorCode::Migration
                | ErrorCode::Offline
                | ErrorCode::NotConfigured
                | ErrorCode::NotRegistered
                | ErrorCode::BadCertificate
                | ErrorCode::Malformed
                | ErrorCode::TooLarge
                | ErrorCode::Protocol
                | ErrorCode::Server
                | ErrorCode::Busy
                | ErrorCode::NoBackend
                | ErrorCode::Unknown
                | ErrorCode::PasswordChangeRequired
                | ErrorCode::EnrolmentCodeMalformed
                | ErrorCode::EnrolmentCodeInvalid
                | ErrorCode::EnrolmentCodeUsed
                | ErrorCode::EnrolmentCodeExpired
                | ErrorCode::FingerprintMismatch
                | ErrorCode::AlreadyConnected
                | ErrorCode::ServerRestored
                | ErrorCode::ImportFileUnreadable
                | ErrorCode::ImportFileTooLarge
                | ErrorCode::ImportFileClosed
                | ErrorCode::ImportSheetUnknown
        )
    }
}

/// Structured details of an error: names and values the window puts in its
/// sentence (ids, dates as RFC 3339, counts). Never a person's name, e-mail or
/// free text (POL-22): errors can end up in logs.
pub type Details = std::collections::BTreeMap<String, String>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code:?} twice");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert_eq!(
                serde_json::to_string(code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
