-- Issue 4: the data-protection officer's desk (POL-7, POL-23..38).
-- Expand only: new nullable columns and new tables (migrations/README.md).

-- POL-23..28, POL-38: the purpose an objection is about and its decision,
-- extension and answer dates (who registered it is the first logged action).
ALTER TABLE rights_requests ADD COLUMN objection_purpose TEXT
    CHECK (objection_purpose IS NULL OR objection_purpose IN ('module_suggestions', 'statistics'));
ALTER TABLE rights_requests ADD COLUMN decision TEXT
    CHECK (decision IS NULL OR decision IN ('accepted', 'rejected'));
ALTER TABLE rights_requests ADD COLUMN extended_at TIMESTAMP;
ALTER TABLE rights_requests ADD COLUMN answered_at TIMESTAMP;
CREATE INDEX rights_requests_participant ON rights_requests (participant_id);
CREATE INDEX rights_requests_status ON rights_requests (status, received_at);

-- Every action taken on a request (POL-24: a rectification names the field,
-- never the old value). `detail` is scrubbed of the person's identity on erasure.
CREATE TABLE rights_request_actions (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    action TEXT NOT NULL,
    field TEXT,
    detail TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX rights_request_actions_request ON rights_request_actions (request_id, at);

-- POL-30: when the reactivation reminder was queued. POL-26: an accepted
-- objection to usage statistics (the suggestions flag exists already).
ALTER TABLE participants ADD COLUMN reminded_at TIMESTAMP;
ALTER TABLE participants ADD COLUMN objects_to_statistics BOOLEAN NOT NULL DEFAULT 0;

-- POL-29..33 retention sweeps and what each executed (the quarterly report's
-- source). `subject_ref` is a pseudonymous id (participant, trace, hold).
CREATE TABLE retention_runs (
    id TEXT PRIMARY KEY NOT NULL,
    ran_at TIMESTAMP NOT NULL,
    ran_by TEXT NOT NULL REFERENCES staff (id),
    rules TEXT NOT NULL,
    summary TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE TABLE retention_log (
    id TEXT PRIMARY KEY NOT NULL,
    run_id TEXT NOT NULL REFERENCES retention_runs (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    subject_ref TEXT NOT NULL,
    due_since DATE NOT NULL,
    deadline DATE NOT NULL,
    executed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX retention_log_executed ON retention_log (executed_at);

-- POL-36 policy versions; a significant change is announced 30 days ahead.
CREATE TABLE policy_versions (
    id TEXT PRIMARY KEY NOT NULL,
    version TEXT NOT NULL UNIQUE,
    published_at TIMESTAMP NOT NULL,
    effective_at TIMESTAMP NOT NULL,
    significant BOOLEAN NOT NULL,
    summary TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL,
    CHECK (significant = 0 OR julianday(date(effective_at)) - julianday(date(published_at)) >= 30)
);
-- Who was notified of a significant change, and when (deleted with the person).
CREATE TABLE policy_notifications (
    id TEXT PRIMARY KEY NOT NULL,
    policy_version_id TEXT NOT NULL REFERENCES policy_versions (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    notified_at TIMESTAMP NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'post')),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
CREATE INDEX policy_notifications_participant ON policy_notifications (participant_id);
CREATE INDEX policy_notifications_version ON policy_notifications (policy_version_id);

-- Erasure certificates (POL-25): pseudonymous, what was deleted, kept, until when.
CREATE TABLE erasure_certificates (
    id TEXT PRIMARY KEY NOT NULL,
    subject_ref TEXT NOT NULL,
    request_id TEXT REFERENCES rights_requests (id),
    reason TEXT NOT NULL CHECK (reason IN ('request', 'minor_discovered', 'retention')),
    erased_at TIMESTAMP NOT NULL,
    erased_by TEXT NOT NULL,
    document TEXT NOT NULL,                   -- the certificate as JSON
    html TEXT NOT NULL,                       -- as given to the DPO (French)
    fingerprint TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

-- POL-30 reactivation reminders and POL-36 policy-change notices go through the
-- outbox too: its template CHECK gains them (SQLite rebuilds the table).
CREATE TABLE outbox_messages_new (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    template TEXT NOT NULL CHECK (template IN ('webinar_reminder', 'registration_confirmation', 'module_suggestion', 'reactivation_reminder', 'policy_change')),
    session_id TEXT REFERENCES sessions (id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    queued_at TIMESTAMP NOT NULL,
    queued_by TEXT NOT NULL REFERENCES staff (id),
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'cancelled')),
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);
INSERT INTO outbox_messages_new SELECT * FROM outbox_messages;
DROP TABLE outbox_messages;
ALTER TABLE outbox_messages_new RENAME TO outbox_messages;
CREATE INDEX outbox_messages_participant ON outbox_messages (participant_id);
CREATE INDEX outbox_messages_status ON outbox_messages (status, queued_at);

-- POL-21, POL-23: the trail's entries per person, for the DPO's "who consulted
-- my data" (the access export). `audit_log` has no participant index on
-- purpose (each list view would write ~200 random index pages); this side
-- index is filled in batches off the command path (the background
-- checkpointer, and the export catching up), up to the watermark below.
CREATE TABLE audit_subjects (
    participant_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (participant_id, seq)
) WITHOUT ROWID;
INSERT INTO app_meta (key, value) VALUES ('audit_subjects_seq', '0');
-- Entries are appended in time order: this index only ever grows at its end.
CREATE INDEX audit_log_at ON audit_log (at);
