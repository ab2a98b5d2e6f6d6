-- Issue 16: monthly statistics that cannot single anyone out (POL-11,
-- POL-12, POL-3, k = 5).

-- POL-3: the website's usage events are technical traces (13 months at most,
-- POL-32, deleted by the retention engine like every trace). `event` is NULL
-- for a connection trace; otherwise 'section.viewed' (with `section`),
-- 'programme.step_reached' (with `programme_id` and `step`) or
-- 'session.joined' (with `session_id`). No name, e-mail or full IP address:
-- `participant_id` is the pseudonymous id or NULL, `ip_address` only the
-- truncated form (decision 033).
ALTER TABLE technical_traces ADD COLUMN event TEXT;
ALTER TABLE technical_traces ADD COLUMN section TEXT;
ALTER TABLE technical_traces ADD COLUMN programme_id TEXT;
ALTER TABLE technical_traces ADD COLUMN step INTEGER;
ALTER TABLE technical_traces ADD COLUMN session_id TEXT;
CREATE INDEX technical_traces_event ON technical_traces (event, recorded_at);

-- POL-11/12: the ledger of publications. One release per month; one row per
-- cell of the release. A hidden cell has no value (only published figures
-- are kept, or leave the server). On the server the ledger is frozen: a
-- published figure is never changed or withdrawn (POL-25c: aggregated
-- anonymised statistics are kept), and the next months' suppression is
-- chosen against everything in it.
CREATE TABLE stat_releases (
    month TEXT PRIMARY KEY NOT NULL,
    published_at TIMESTAMP NOT NULL,
    cells INTEGER NOT NULL,
    published INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL
);

CREATE TABLE stat_cells (
    -- The cell's key (domain::statistics::Cell::key).
    id TEXT PRIMARY KEY NOT NULL,
    month TEXT NOT NULL REFERENCES stat_releases (month),
    -- 'sections', 'funnel' or 'formats'.
    table_name TEXT NOT NULL,
    -- The row and column of the cell: a section; a programme or group with a
    -- step; a format with a measure.
    programme_id TEXT,
    group_id TEXT,
    dimension TEXT NOT NULL,
    measure TEXT NOT NULL,
    -- NULL unless published.
    value BIGINT,
    outcome TEXT NOT NULL CHECK (outcome IN ('published', 'primary', 'secondary')),
    -- Its place in the table (the order the UI shows).
    position INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_device TEXT NOT NULL,
    CHECK ((outcome = 'published') = (value IS NOT NULL))
);
CREATE INDEX stat_cells_month ON stat_cells (month, table_name, position);
CREATE INDEX stat_cells_group ON stat_cells (group_id);

CREATE TRIGGER stat_cells_frozen_update BEFORE UPDATE ON stat_cells
WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN SELECT RAISE(ABORT, 'stat_cells are frozen'); END;
CREATE TRIGGER stat_cells_frozen_delete BEFORE DELETE ON stat_cells
WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN SELECT RAISE(ABORT, 'stat_cells are frozen'); END;
CREATE TRIGGER stat_releases_frozen_update BEFORE UPDATE ON stat_releases
WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN SELECT RAISE(ABORT, 'stat_releases are frozen'); END;
CREATE TRIGGER stat_releases_frozen_delete BEFORE DELETE ON stat_releases
WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN SELECT RAISE(ABORT, 'stat_releases are frozen'); END;

-- Published cells replicate to the laptops as reference tables (sync.md):
-- the release row once, and each cell (only inserts: the ledger is frozen).
CREATE TRIGGER sync_stat_releases_insert AFTER INSERT ON stat_releases WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'stat_releases'); END;
CREATE TRIGGER sync_stat_cells_insert AFTER INSERT ON stat_cells WHEN EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync.role' AND value = 'server')
BEGIN INSERT INTO sync_changes (subject_id, entity) VALUES (NULL, 'stat_cells'); END;
