-- migrate:up

-- The record of retention: one row per run of the retention job, what it
-- deleted and how long it took. Cross-tenant operations data, not owned by any
-- organization: only app_system (the retention job) reads and writes it;
-- tenants have no privilege on it at all.
--
-- ON DELETE: nothing references it and it references nothing (a run outlives
-- the organizations whose rows it deleted).

CREATE TABLE retention_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    now_param timestamptz NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    counts jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(counts) = 'object'),
    files_removed integer NOT NULL DEFAULT 0 CHECK (files_removed >= 0),
    error text,
    CONSTRAINT retention_runs_finish_after_start CHECK (finished_at IS NULL OR finished_at >= started_at)
);
COMMENT ON TABLE retention_runs IS 'Each run of the retention job: the now it ran for, when it started and finished, rows deleted per table, files removed from disk, and the error that stopped it, if any. app_system only.';
COMMENT ON COLUMN retention_runs.now_param IS 'The "now" the run expired data against (a parameter, so runs are testable and repeatable).';
COMMENT ON COLUMN retention_runs.finished_at IS 'NULL while running, or when the run died without recording its end.';
COMMENT ON COLUMN retention_runs.counts IS 'Rows deleted per table, e.g. {"conversations": 12, "agent_states": 3}.';
COMMENT ON COLUMN retention_runs.files_removed IS 'Files removed from WORKSPACES_DIR (after their rows were gone).';
COMMENT ON COLUMN retention_runs.error IS 'Why the run stopped early; NULL for a complete run.';
CREATE INDEX retention_runs_started_at_idx ON retention_runs (started_at DESC, id DESC);

GRANT SELECT, INSERT ON retention_runs TO app_system;
GRANT UPDATE (finished_at, counts, files_removed, error) ON retention_runs TO app_system;

ALTER TABLE retention_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_runs FORCE ROW LEVEL SECURITY;

CREATE POLICY "system records retention runs" ON retention_runs
    FOR ALL TO app_system
    USING (true)
    WITH CHECK (true);

-- migrate:down

DROP TABLE retention_runs;
