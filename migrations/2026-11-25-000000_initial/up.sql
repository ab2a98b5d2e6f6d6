-- Initial schema of the moniravique store (POL-1..8 and the product's records).
-- Ids are UUID v7 text (rows created offline never collide); times are UTC.
-- Every domain row records when and on which device it last changed (sync-ready).

CREATE TABLE app_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('trainer', 'external_trainer', 'administrator', 'support', 'dpo')),
    password_hash TEXT NOT NULL,              -- argon2id PHC string (POL-18)
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    blocked_until TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

-- POL-1 identity, POL-35 16+ certification, POL-29 last login.
CREATE TABLE participants (
    id TEXT PRIMARY KEY NOT NULL,
    given_name TEXT NOT NULL COLLATE NOCASE,
    family_name TEXT NOT NULL COLLATE NOCASE,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    phone TEXT,
    certified_16_plus_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP,
    account_status TEXT NOT NULL DEFAULT 'active' CHECK (account_status IN ('active', 'inactive', 'reminded')),
    marketing_opt_out BOOLEAN NOT NULL DEFAULT 0,
    -- POL-13 / POL-26: objected to module suggestions (a flag until the DPO desk).
    objects_to_suggestions BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX participants_family_name ON participants (family_name);
CREATE INDEX participants_given_name ON participants (given_name);
CREATE INDEX participants_last_login ON participants (last_login_at);

-- POL-2 family situation (advanced programmes). `challenges` is sensitive free text.
CREATE TABLE family_situations (
    participant_id TEXT PRIMARY KEY NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    children_count INTEGER NOT NULL CHECK (children_count >= 0),
    age_brackets TEXT NOT NULL,               -- comma-separated, e.g. '0-3,7-11'
    challenges TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

-- POL-7 consents, one row per decision: the history is the rows, the current state the latest.
CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('newsletter', 'testimonials', 'studies')),
    granted BOOLEAN NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX consents_participant ON consents (participant_id, purpose, recorded_at);

CREATE TABLE programmes (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('workshop', 'webinar', 'forum')),
    advanced BOOLEAN NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

-- Workshops / groups: trainer, capacity, schedule, room.
CREATE TABLE workshop_groups (
    id TEXT PRIMARY KEY NOT NULL,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    name TEXT NOT NULL,
    trainer_id TEXT NOT NULL REFERENCES staff (id),
    external_trainer_id TEXT REFERENCES staff (id),
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    schedule TEXT NOT NULL,
    -- The weekly time slot people choose from at registration, e.g. 'mon-18:30'.
    slot TEXT NOT NULL,
    room_id TEXT REFERENCES rooms (id),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX workshop_groups_trainer ON workshop_groups (trainer_id);
CREATE INDEX workshop_groups_external_trainer ON workshop_groups (external_trainer_id);

-- Sessions of a group: webinars and in-person.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    group_id TEXT NOT NULL REFERENCES workshop_groups (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('webinar', 'in_person')),
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL CHECK (ends_at > starts_at),
    room_id TEXT REFERENCES rooms (id),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX sessions_group ON sessions (group_id, starts_at);

-- POL-10 enrolments: requested -> waitlisted / confirmed -> cancelled.
-- A registration request names a programme; the office (or balancing) picks
-- the group. A waitlisted or confirmed enrolment always has its group.
CREATE TABLE enrolments (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    group_id TEXT REFERENCES workshop_groups (id),
    status TEXT NOT NULL CHECK (status IN ('requested', 'waitlisted', 'confirmed', 'cancelled')),
    -- Comma-separated slot codes the person can attend, and their first choice.
    available_slots TEXT NOT NULL DEFAULT '',
    preferred_slot TEXT,
    requested_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES staff (id),
    -- A place confirmed without a confirmed payment carries a recorded reason.
    waiver_reason TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL,
    CHECK (status = 'requested' OR status = 'cancelled' OR group_id IS NOT NULL)
);
CREATE INDEX enrolments_group ON enrolments (group_id, status, participant_id);
CREATE INDEX enrolments_participant ON enrolments (participant_id);

-- POL-6 payments: the processor's confirmation only, never bank details.
-- Kept under a legal hold after erasure (POL-25a, 6 years): detached, not deleted.
CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT REFERENCES participants (id) ON DELETE SET NULL,
    enrolment_id TEXT REFERENCES enrolments (id) ON DELETE SET NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'refunded')),
    processor_ref TEXT NOT NULL,
    paid_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX payments_participant ON payments (participant_id);
CREATE INDEX payments_enrolment ON payments (enrolment_id);

-- Invoices and receipts: kept 7 years (POL-31). No name on the row: the legal
-- hold keeps amounts and numbers, not identity.
CREATE TABLE invoices (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT REFERENCES participants (id) ON DELETE SET NULL,
    payment_id TEXT REFERENCES payments (id) ON DELETE SET NULL,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'receipt')),
    amount_cents INTEGER NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX invoices_participant ON invoices (participant_id);

-- POL-4 attendance: join and leave times.
CREATE TABLE attendance (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    joined_at TIMESTAMP NOT NULL,
    left_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX attendance_participant ON attendance (participant_id, joined_at);
CREATE INDEX attendance_session ON attendance (session_id);

-- POL-4 questions asked through the webinar tools.
CREATE TABLE questions (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    asked_at TIMESTAMP NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX questions_participant ON questions (participant_id, asked_at);

-- POL-5 forum contributions: anonymised on erasure (POL-25b), author detached.
CREATE TABLE forum_posts (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT REFERENCES participants (id) ON DELETE SET NULL,
    thread TEXT NOT NULL,
    body TEXT NOT NULL,
    posted_at TIMESTAMP NOT NULL,
    anonymised BOOLEAN NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX forum_posts_participant ON forum_posts (participant_id);

-- POL-5 / POL-9 documented progress, written by trainers.
CREATE TABLE progress_notes (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES staff (id),
    body TEXT NOT NULL,
    written_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX progress_notes_participant ON progress_notes (participant_id, written_at);

-- POL-9 declared objectives.
CREATE TABLE objectives (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    declared_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX objectives_participant ON objectives (participant_id);

-- POL-3 technical traces; 13 months at most (POL-32).
CREATE TABLE technical_traces (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT REFERENCES participants (id) ON DELETE CASCADE,
    ip_address TEXT,
    user_agent TEXT,
    session_seconds INTEGER,
    recorded_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX technical_traces_participant ON technical_traces (participant_id);
CREATE INDEX technical_traces_recorded ON technical_traces (recorded_at);

-- ROLE-4 assistance requests: support reaches one participant while open (48 h).
CREATE TABLE assistance_requests (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    support_id TEXT NOT NULL REFERENCES staff (id),
    opened_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX assistance_requests_support ON assistance_requests (support_id, expires_at);

-- POL-23..28, POL-38 rights requests. Detached (not deleted) on erasure: the
-- register proves the request was answered; it holds no identity once detached.
CREATE TABLE rights_requests (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT REFERENCES participants (id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'objection', 'portability', 'unsubscribe')),
    channel TEXT NOT NULL CHECK (channel IN ('post', 'email', 'phone')),
    received_at TIMESTAMP NOT NULL,
    identity_check_method TEXT,
    identity_checked_by TEXT REFERENCES staff (id),
    identity_checked_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('received', 'identity_checked', 'in_progress', 'answered', 'refused', 'extended')),
    grounds TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

-- POL-25, POL-31 legal holds on records kept after erasure. `subject_ref` is the
-- erased participant's random id: pseudonymous, no foreign key.
CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY NOT NULL,
    subject_ref TEXT NOT NULL,
    record_table TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    held_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX legal_holds_until ON legal_holds (held_until);

-- POL-21 audit trail: append-only, hash-chained. Pseudonymous ids only.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    action TEXT NOT NULL,
    participant_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- No index on audit_log.participant_id: a list view appends one entry per
-- participant shown, and an index on a random UUID turns each append into
-- ~200 random page writes (each re-encrypted): 4x the cost of the view. The
-- DPO's per-person queries scan the trail (see ARCHITECTURE.md).

-- Where the chain starts after retention pruned old entries, and its newest link.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    anchor_seq INTEGER NOT NULL,
    anchor_hash TEXT NOT NULL,
    head_seq INTEGER NOT NULL,
    head_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, anchor_seq, anchor_hash, head_seq, head_hash) VALUES
    (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit trail is append-only');
END;

-- Only entries at or before the anchor (moved forward by the 12-month retention
-- rule) may be deleted.
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT anchor_seq FROM audit_chain WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'audit trail is append-only');
END;

-- POL-8 / POL-34 record of processing activities (GDPR art. 30).
CREATE TABLE processing_register (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    legal_basis TEXT NOT NULL CHECK (legal_basis IN ('contract', 'consent', 'legitimate_interest', 'legal_obligation')),
    balancing_test TEXT,
    data_categories TEXT NOT NULL,
    retention TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

-- POL-14 / POL-37 processors, with country and transfer safeguard.
CREATE TABLE processors (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    service TEXT NOT NULL,
    country TEXT NOT NULL,
    outside_eea BOOLEAN NOT NULL,
    transfer_safeguard TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL,
    CHECK (outside_eea = 0 OR transfer_safeguard IS NOT NULL)
);

-- POL-13 messages from templates, queued here; the server sends them (issue 5).
-- Deleted with the person (POL-25): a queued message is their personal data.
CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    template TEXT NOT NULL CHECK (template IN ('webinar_reminder', 'registration_confirmation', 'module_suggestion')),
    session_id TEXT REFERENCES sessions (id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    queued_at TIMESTAMP NOT NULL,
    queued_by TEXT NOT NULL REFERENCES staff (id),
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'cancelled')),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX outbox_messages_participant ON outbox_messages (participant_id);
CREATE INDEX outbox_messages_status ON outbox_messages (status, queued_at);

-- POL-4 rows of an attendance or questions report whose e-mail matched no
-- participant, waiting for the office to match them or discard them. They hold
-- a name and an e-mail from the file and no link to a participant: resolving
-- deletes the row.
CREATE TABLE import_unmatched (
    id TEXT PRIMARY KEY NOT NULL,
    import_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('attendance', 'question')),
    line INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP,
    question TEXT,
    imported_at TIMESTAMP NOT NULL,
    imported_by TEXT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX import_unmatched_session ON import_unmatched (session_id);
