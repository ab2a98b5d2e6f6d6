-- Issue 5: central server and offline sync (DC-5, POL-19..21, ../shared/design/sync.md).
-- Expand only. The same schema runs on the laptops and on the server; the
-- change-log triggers only write when the store is the server's
-- (`app_meta.sync.role = 'server'`), so laptops pay one indexed lookup per row.

-- Laptop: operations applied locally and not yet acknowledged by the server,
-- in the order they were made. `subject_id` is the participant the operation
-- is about (pseudonymous id, no foreign key: a pulled copy of the person may be
-- replaced under a pending operation); erasure deletes the person's entries.
CREATE TABLE sync_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject_id TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sync_outbox_subject ON sync_outbox (subject_id);

-- Laptop: operations the server refused, shown to the user until dismissed.
-- The operation's body is dropped: only its kind, ids and the reason remain.
CREATE TABLE sync_refusals (
    op_id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    refused_at TIMESTAMP NOT NULL,
    dismissed_at TIMESTAMP
);

-- Laptop: participants of the scope still to fetch (first sync, scope entered).
CREATE TABLE sync_fetch_queue (
    subject_id TEXT PRIMARY KEY NOT NULL
);

-- Server: every pushed operation's id and its answer, so a repeat is
-- acknowledged with the same answer and never applied twice (sync.md inv. 4).
CREATE TABLE sync_applied (
    op_id TEXT PRIMARY KEY NOT NULL,
    device_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'refused')),
    code TEXT,
    message TEXT,
    applied_at TIMESTAMP NOT NULL
);

-- Server: the change log pulls read after their cursor. `subject_id` is the
-- participant whose rows changed, NULL for reference data (`entity` names the table).
CREATE TABLE sync_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id TEXT,
    entity TEXT NOT NULL
);
CREATE INDEX sync_changes_subject ON sync_changes (subject_id, seq);

-- Server: erasure tombstones (sync.md inv. 3): the random id and the date, nothing else.
CREATE TABLE sync_tombstones (
    subject_id TEXT PRIMARY KEY NOT NULL,
    erased_at TIMESTAMP NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX sync_tombstones_seq ON sync_tombstones (seq);

-- Server: a device belongs to one staff account; its token is stored hashed.
ALTER TABLE devices ADD COLUMN staff_id TEXT REFERENCES staff (id);
CREATE TABLE device_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices (id),
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX device_tokens_device ON device_tokens (device_id);

-- Server: the audit entries pushed by each device, append-only, with the
-- device's own chain hashes so the server can verify every device's chain (POL-21).
CREATE TABLE device_audit (
    device_id TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    at TIMESTAMP NOT NULL,
    staff_id TEXT NOT NULL,
    action TEXT NOT NULL,
    participant_id TEXT,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (device_id, device_seq)
);
CREATE INDEX device_audit_staff ON device_audit (staff_id, at);
CREATE TRIGGER device_audit_no_update BEFORE UPDATE ON device_audit
BEGIN SELECT RAISE(ABORT, 'device_audit is append-only'); END;

-- Server: anomalies found in the pushed trails, for the DPO (POL-21).
CREATE TABLE audit_alerts (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('profile_burst', 'out_of_scope', 'unusual_hours', 'broken_chain')),
    staff_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    first_at TIMESTAMP NOT NULL,
    last_at TIMESTAMP NOT NULL,
    entries INTEGER NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP
);

-- Server: delivery of the queued messages through SMTP (issue 5 item 5).
ALTER TABLE outbox_messages ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_messages ADD COLUMN delivery_error TEXT;

-- Change-log triggers (server only).

CREATE TRIGGER sync_participants_insert AFTER INSERT ON participants WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.id, 'participants'); END;

CREATE TRIGGER sync_participants_update AFTER UPDATE ON participants WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.id, 'participants'); END;

CREATE TRIGGER sync_participants_delete AFTER DELETE ON participants WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.id, 'participants'); END;

CREATE TRIGGER sync_family_situations_insert AFTER INSERT ON family_situations WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'family_situations'); END;

CREATE TRIGGER sync_family_situations_update AFTER UPDATE ON family_situations WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'family_situations'); END;

CREATE TRIGGER sync_family_situations_delete AFTER DELETE ON family_situations WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'family_situations'); END;

CREATE TRIGGER sync_family_situations_detach AFTER UPDATE OF participant_id ON family_situations WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'family_situations'); END;

CREATE TRIGGER sync_consents_insert AFTER INSERT ON consents WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'consents'); END;

CREATE TRIGGER sync_consents_update AFTER UPDATE ON consents WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'consents'); END;

CREATE TRIGGER sync_consents_delete AFTER DELETE ON consents WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'consents'); END;

CREATE TRIGGER sync_consents_detach AFTER UPDATE OF participant_id ON consents WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'consents'); END;

CREATE TRIGGER sync_enrolments_insert AFTER INSERT ON enrolments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'enrolments'); END;

CREATE TRIGGER sync_enrolments_update AFTER UPDATE ON enrolments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'enrolments'); END;

CREATE TRIGGER sync_enrolments_delete AFTER DELETE ON enrolments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'enrolments'); END;

CREATE TRIGGER sync_enrolments_detach AFTER UPDATE OF participant_id ON enrolments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'enrolments'); END;

CREATE TRIGGER sync_payments_insert AFTER INSERT ON payments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'payments'); END;

CREATE TRIGGER sync_payments_update AFTER UPDATE ON payments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'payments'); END;

CREATE TRIGGER sync_payments_delete AFTER DELETE ON payments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'payments'); END;

CREATE TRIGGER sync_payments_detach AFTER UPDATE OF participant_id ON payments WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'payments'); END;

CREATE TRIGGER sync_invoices_insert AFTER INSERT ON invoices WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'invoices'); END;

CREATE TRIGGER sync_invoices_update AFTER UPDATE ON invoices WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'invoices'); END;

CREATE TRIGGER sync_invoices_delete AFTER DELETE ON invoices WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'invoices'); END;

CREATE TRIGGER sync_invoices_detach AFTER UPDATE OF participant_id ON invoices WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'invoices'); END;

CREATE TRIGGER sync_attendance_insert AFTER INSERT ON attendance WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'attendance'); END;

CREATE TRIGGER sync_attendance_update AFTER UPDATE ON attendance WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'attendance'); END;

CREATE TRIGGER sync_attendance_delete AFTER DELETE ON attendance WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'attendance'); END;

CREATE TRIGGER sync_attendance_detach AFTER UPDATE OF participant_id ON attendance WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'attendance'); END;

CREATE TRIGGER sync_questions_insert AFTER INSERT ON questions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'questions'); END;

CREATE TRIGGER sync_questions_update AFTER UPDATE ON questions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'questions'); END;

CREATE TRIGGER sync_questions_delete AFTER DELETE ON questions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'questions'); END;

CREATE TRIGGER sync_questions_detach AFTER UPDATE OF participant_id ON questions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'questions'); END;

CREATE TRIGGER sync_forum_posts_insert AFTER INSERT ON forum_posts WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'forum_posts'); END;

CREATE TRIGGER sync_forum_posts_update AFTER UPDATE ON forum_posts WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'forum_posts'); END;

CREATE TRIGGER sync_forum_posts_delete AFTER DELETE ON forum_posts WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'forum_posts'); END;

CREATE TRIGGER sync_forum_posts_detach AFTER UPDATE OF participant_id ON forum_posts WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'forum_posts'); END;

CREATE TRIGGER sync_progress_notes_insert AFTER INSERT ON progress_notes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'progress_notes'); END;

CREATE TRIGGER sync_progress_notes_update AFTER UPDATE ON progress_notes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'progress_notes'); END;

CREATE TRIGGER sync_progress_notes_delete AFTER DELETE ON progress_notes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'progress_notes'); END;

CREATE TRIGGER sync_progress_notes_detach AFTER UPDATE OF participant_id ON progress_notes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'progress_notes'); END;

CREATE TRIGGER sync_objectives_insert AFTER INSERT ON objectives WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'objectives'); END;

CREATE TRIGGER sync_objectives_update AFTER UPDATE ON objectives WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'objectives'); END;

CREATE TRIGGER sync_objectives_delete AFTER DELETE ON objectives WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'objectives'); END;

CREATE TRIGGER sync_objectives_detach AFTER UPDATE OF participant_id ON objectives WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'objectives'); END;

CREATE TRIGGER sync_technical_traces_insert AFTER INSERT ON technical_traces WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'technical_traces'); END;

CREATE TRIGGER sync_technical_traces_update AFTER UPDATE ON technical_traces WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'technical_traces'); END;

CREATE TRIGGER sync_technical_traces_delete AFTER DELETE ON technical_traces WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'technical_traces'); END;

CREATE TRIGGER sync_technical_traces_detach AFTER UPDATE OF participant_id ON technical_traces WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'technical_traces'); END;

CREATE TRIGGER sync_assistance_requests_insert AFTER INSERT ON assistance_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'assistance_requests'); END;

CREATE TRIGGER sync_assistance_requests_update AFTER UPDATE ON assistance_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'assistance_requests'); END;

CREATE TRIGGER sync_assistance_requests_delete AFTER DELETE ON assistance_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'assistance_requests'); END;

CREATE TRIGGER sync_assistance_requests_detach AFTER UPDATE OF participant_id ON assistance_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'assistance_requests'); END;

CREATE TRIGGER sync_rights_requests_insert AFTER INSERT ON rights_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'rights_requests'); END;

CREATE TRIGGER sync_rights_requests_update AFTER UPDATE ON rights_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'rights_requests'); END;

CREATE TRIGGER sync_rights_requests_delete AFTER DELETE ON rights_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'rights_requests'); END;

CREATE TRIGGER sync_rights_requests_detach AFTER UPDATE OF participant_id ON rights_requests WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'rights_requests'); END;

CREATE TRIGGER sync_outbox_messages_insert AFTER INSERT ON outbox_messages WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'outbox_messages'); END;

CREATE TRIGGER sync_outbox_messages_update AFTER UPDATE ON outbox_messages WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'outbox_messages'); END;

CREATE TRIGGER sync_outbox_messages_delete AFTER DELETE ON outbox_messages WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'outbox_messages'); END;

CREATE TRIGGER sync_outbox_messages_detach AFTER UPDATE OF participant_id ON outbox_messages WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'outbox_messages'); END;

CREATE TRIGGER sync_policy_notifications_insert AFTER INSERT ON policy_notifications WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'policy_notifications'); END;

CREATE TRIGGER sync_policy_notifications_update AFTER UPDATE ON policy_notifications WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NEW.participant_id, 'policy_notifications'); END;

CREATE TRIGGER sync_policy_notifications_delete AFTER DELETE ON policy_notifications WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'policy_notifications'); END;

CREATE TRIGGER sync_policy_notifications_detach AFTER UPDATE OF participant_id ON policy_notifications WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server') AND OLD.participant_id IS NOT NULL AND OLD.participant_id IS NOT NEW.participant_id
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (OLD.participant_id, 'policy_notifications'); END;

CREATE TRIGGER sync_staff_insert AFTER INSERT ON staff WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'staff'); END;

CREATE TRIGGER sync_staff_update AFTER UPDATE ON staff WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'staff'); END;

CREATE TRIGGER sync_staff_delete AFTER DELETE ON staff WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'staff'); END;

CREATE TRIGGER sync_programmes_insert AFTER INSERT ON programmes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'programmes'); END;

CREATE TRIGGER sync_programmes_update AFTER UPDATE ON programmes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'programmes'); END;

CREATE TRIGGER sync_programmes_delete AFTER DELETE ON programmes WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'programmes'); END;

CREATE TRIGGER sync_rooms_insert AFTER INSERT ON rooms WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'rooms'); END;

CREATE TRIGGER sync_rooms_update AFTER UPDATE ON rooms WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'rooms'); END;

CREATE TRIGGER sync_rooms_delete AFTER DELETE ON rooms WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'rooms'); END;

CREATE TRIGGER sync_workshop_groups_insert AFTER INSERT ON workshop_groups WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'workshop_groups'); END;

CREATE TRIGGER sync_workshop_groups_update AFTER UPDATE ON workshop_groups WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'workshop_groups'); END;

CREATE TRIGGER sync_workshop_groups_delete AFTER DELETE ON workshop_groups WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'workshop_groups'); END;

CREATE TRIGGER sync_sessions_insert AFTER INSERT ON sessions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'sessions'); END;

CREATE TRIGGER sync_sessions_update AFTER UPDATE ON sessions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'sessions'); END;

CREATE TRIGGER sync_sessions_delete AFTER DELETE ON sessions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'sessions'); END;

CREATE TRIGGER sync_processing_register_insert AFTER INSERT ON processing_register WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'processing_register'); END;

CREATE TRIGGER sync_processing_register_update AFTER UPDATE ON processing_register WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'processing_register'); END;

CREATE TRIGGER sync_processing_register_delete AFTER DELETE ON processing_register WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'processing_register'); END;

CREATE TRIGGER sync_processors_insert AFTER INSERT ON processors WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'processors'); END;

CREATE TRIGGER sync_processors_update AFTER UPDATE ON processors WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'processors'); END;

CREATE TRIGGER sync_processors_delete AFTER DELETE ON processors WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'processors'); END;

CREATE TRIGGER sync_policy_versions_insert AFTER INSERT ON policy_versions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'policy_versions'); END;

CREATE TRIGGER sync_policy_versions_update AFTER UPDATE ON policy_versions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'policy_versions'); END;

CREATE TRIGGER sync_policy_versions_delete AFTER DELETE ON policy_versions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'policy_versions'); END;

CREATE TRIGGER sync_rights_request_actions_insert AFTER INSERT ON rights_request_actions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'rights_request_actions'); END;

CREATE TRIGGER sync_rights_request_actions_update AFTER UPDATE ON rights_request_actions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'rights_request_actions'); END;

CREATE TRIGGER sync_rights_request_actions_delete AFTER DELETE ON rights_request_actions WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'rights_request_actions'); END;

CREATE TRIGGER sync_legal_holds_insert AFTER INSERT ON legal_holds WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'legal_holds'); END;

CREATE TRIGGER sync_legal_holds_update AFTER UPDATE ON legal_holds WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'legal_holds'); END;

CREATE TRIGGER sync_legal_holds_delete AFTER DELETE ON legal_holds WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'legal_holds'); END;

CREATE TRIGGER sync_erasure_certificates_insert AFTER INSERT ON erasure_certificates WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'erasure_certificates'); END;

CREATE TRIGGER sync_erasure_certificates_update AFTER UPDATE ON erasure_certificates WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'erasure_certificates'); END;

CREATE TRIGGER sync_erasure_certificates_delete AFTER DELETE ON erasure_certificates WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'erasure_certificates'); END;

CREATE TRIGGER sync_retention_runs_insert AFTER INSERT ON retention_runs WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'retention_runs'); END;

CREATE TRIGGER sync_retention_runs_update AFTER UPDATE ON retention_runs WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'retention_runs'); END;

CREATE TRIGGER sync_retention_runs_delete AFTER DELETE ON retention_runs WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'retention_runs'); END;

CREATE TRIGGER sync_retention_log_insert AFTER INSERT ON retention_log WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'retention_log'); END;

CREATE TRIGGER sync_retention_log_update AFTER UPDATE ON retention_log WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'retention_log'); END;

CREATE TRIGGER sync_retention_log_delete AFTER DELETE ON retention_log WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'retention_log'); END;

-- An erased participant leaves a tombstone on the server (sync.md inv. 3).
CREATE TRIGGER sync_participants_tombstone AFTER DELETE ON participants WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN
    INSERT OR IGNORE INTO sync_tombstones (subject_id, erased_at, seq)
    VALUES (OLD.id, strftime('%Y-%m-%d %H:%M:%f', 'now'), (SELECT coalesce(max(seq), 0) + 1 FROM sync_changes));
END;
