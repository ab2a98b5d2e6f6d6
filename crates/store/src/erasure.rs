//! How every reference to a participant behaves when the participant is erased
//! (POL-25). The `pol_25_every_participant_reference_has_a_declared_erasure_behaviour` test checks this table against the real
//! foreign keys of the migrated schema, so a new table that references a
//! participant cannot be added without deciding its fate here.

/// What happens to a row that references an erased participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnErasure {
    /// The row is deleted with the participant (`ON DELETE CASCADE`).
    Delete,
    /// The row is kept, detached from the person (`ON DELETE SET NULL`), under a
    /// legal hold for this many years (POL-25a, POL-31).
    KeepUnderLegalHold { years: u32 },
    /// The row is kept, detached and anonymised (POL-25b: forum contributions).
    Anonymise,
    /// The row is kept, detached: it holds no identity once detached (the rights
    /// request register proves the request was handled).
    Detach,
}

/// A column that references a participant.
#[derive(Clone, Copy, Debug)]
pub struct ParticipantReference {
    pub table: &'static str,
    pub column: &'static str,
    pub on_erasure: OnErasure,
}

const fn reference(
    table: &'static str,
    column: &'static str,
    on_erasure: OnErasure,
) -> ParticipantReference {
    ParticipantReference {
        table,
        column,
        on_erasure,
    }
}

/// Every foreign key to `participants(id)`.
pub const PARTICIPANT_REFERENCES: &[ParticipantReference] = &[
    reference("family_situations", "participant_id", OnErasure::Delete),
    reference("consents", "participant_id", OnErasure::Delete),
    reference("enrolments", "participant_id", OnErasure::Delete),
    reference(
        "payments",
        "participant_id",
        OnErasure::KeepUnderLegalHold { years: 6 },
    ),
    reference(
        "invoices",
        "participant_id",
        OnErasure::KeepUnderLegalHold { years: 7 },
    ),
    reference("attendance", "participant_id", OnErasure::Delete),
    reference("questions", "participant_id", OnErasure::Delete),
    reference("forum_posts", "participant_id", OnErasure::Anonymise),
    reference("progress_notes", "participant_id", OnErasure::Delete),
    reference("objectives", "participant_id", OnErasure::Delete),
    reference("technical_traces", "participant_id", OnErasure::Delete),
    reference("assistance_requests", "participant_id", OnErasure::Delete),
    reference("rights_requests", "participant_id", OnErasure::Detach),
    reference("outbox_messages", "participant_id", OnErasure::Delete),
    reference("policy_notifications", "participant_id", OnErasure::Delete),
];

/// Tables holding personal data of people who may not be participants yet,
/// with no foreign key: erasure must search them by e-mail (issue 4).
pub const UNLINKED_PERSONAL_DATA: &[(&str, &str)] = &[
    (
        "import_unmatched",
        "report rows matched to no participant; deleted when the office resolves them",
    ),
    (
        "payments_unmatched",
        "processor payments matched to no registration (issue 15); deleted when the office matches them",
    ),
];

/// Columns that hold a participant's random id without a foreign key, kept on
/// purpose: the id is pseudonymous and these records must outlive the person.
pub const PSEUDONYMOUS_REFERENCES: &[(&str, &str, &str)] = &[
    (
        "audit_log",
        "participant_id",
        "audit trail, deleted after 12 months by the retention rule (POL-21)",
    ),
    (
        "audit_subjects",
        "participant_id",
        "the audit trail's per-person side index, pruned with the trail (POL-21)",
    ),
    (
        "legal_holds",
        "subject_ref",
        "names the erased person's records kept under legal hold (POL-25, POL-31)",
    ),
    (
        "erasure_certificates",
        "subject_ref",
        "the certificate of an erasure: what was deleted, kept and until when (POL-25)",
    ),
    (
        "retention_log",
        "subject_ref",
        "what a retention sweep executed, for the quarterly report (POL-33)",
    ),
    (
        "sync_outbox",
        "subject_id",
        "a laptop's operations not yet acknowledged; erasure deletes the person's (sync.md inv. 3)",
    ),
    (
        "sync_refusals",
        "subject_id",
        "operations the server refused, kind and ids only, shown to the user until dismissed",
    ),
    (
        "sync_fetch_queue",
        "subject_id",
        "participants of a laptop's scope still to fetch; erasure and scope exit delete the id",
    ),
    (
        "sync_changes",
        "subject_id",
        "the server's change log: ids only, read by pulls after their cursor",
    ),
    (
        "sync_tombstones",
        "subject_id",
        "erasure tombstones: the random id and the date, so an erased person never comes back",
    ),
    (
        "device_audit",
        "participant_id",
        "the audit trails pushed by the laptops, deleted after 12 months (POL-21)",
    ),
];

impl OnErasure {
    /// The SQL `ON DELETE` action that implements this behaviour.
    pub fn sql_on_delete(self) -> &'static str {
        match self {
            OnErasure::Delete => "CASCADE",
            OnErasure::KeepUnderLegalHold { .. } | OnErasure::Anonymise | OnErasure::Detach => {
                "SET NULL"
            }
        }
    }
}
