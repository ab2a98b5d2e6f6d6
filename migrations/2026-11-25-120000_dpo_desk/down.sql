DROP INDEX audit_log_at;
DELETE FROM app_meta WHERE key = 'audit_subjects_seq';
DROP TABLE audit_subjects;
CREATE TABLE outbox_messages_old (
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
INSERT INTO outbox_messages_old SELECT * FROM outbox_messages
    WHERE template IN ('webinar_reminder', 'registration_confirmation', 'module_suggestion');
DROP TABLE outbox_messages;
ALTER TABLE outbox_messages_old RENAME TO outbox_messages;
CREATE INDEX outbox_messages_participant ON outbox_messages (participant_id);
CREATE INDEX outbox_messages_status ON outbox_messages (status, queued_at);
DROP TABLE erasure_certificates;
DROP TABLE policy_notifications;
DROP TABLE policy_versions;
DROP TABLE retention_log;
DROP TABLE retention_runs;
ALTER TABLE participants DROP COLUMN objects_to_statistics;
ALTER TABLE participants DROP COLUMN reminded_at;
DROP TABLE rights_request_actions;
DROP INDEX rights_requests_status;
DROP INDEX rights_requests_participant;
ALTER TABLE rights_requests DROP COLUMN answered_at;
ALTER TABLE rights_requests DROP COLUMN extended_at;
ALTER TABLE rights_requests DROP COLUMN decision;
ALTER TABLE rights_requests DROP COLUMN objection_purpose;
