-- Issue 5: the retention rules (POL-29..33) live in app_meta under
-- 'retention_rules'; the DPO changes them on a laptop and the change syncs
-- as an operation. On the server, a change of that one key is recorded in
-- the change log so that the DPO's other laptops pull it.
CREATE TRIGGER sync_app_meta_rules_insert AFTER INSERT ON app_meta WHEN NEW.key = 'retention_rules' AND EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'app_meta'); END;

CREATE TRIGGER sync_app_meta_rules_update AFTER UPDATE ON app_meta WHEN NEW.key = 'retention_rules' AND EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'app_meta'); END;

CREATE TRIGGER sync_app_meta_rules_delete AFTER DELETE ON app_meta WHEN OLD.key = 'retention_rules' AND EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'app_meta'); END;

-- POL-21: the anomaly alerts the server raises reach the DPO's laptops (a
-- reference table of the audit trail category).
CREATE TRIGGER sync_audit_alerts_insert AFTER INSERT ON audit_alerts WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'audit_alerts'); END;

CREATE TRIGGER sync_audit_alerts_update AFTER UPDATE ON audit_alerts WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'audit_alerts'); END;
