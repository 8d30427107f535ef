-- migrate:up

-- Retention (SPEC section 6) and the scheduler:
--
-- conversations.retention_hold: a conversation pinned by its owner or under
-- legal hold is never expired by retention (fn.expire_conversations), nor are
-- the agent states scoped to it or their checkpoints past the window. Set by
-- the owner through PATCH /v1/conversations/{id} (the existing "owners update
-- their conversations" policy decides who).
--
-- Indexes for retention's batches: expired conversations per organization (each
-- organization has its own window), soft-deleted ones, auto checkpoints by age.
--
-- job_schedule: one row per job of python -m jobs.scheduler, the last slot
-- (minute of its cron expression) a scheduler started it for. A scheduler
-- holds a PostgreSQL advisory lock per job while it checks and runs it and
-- starts a slot only once: two schedulers never run one job at once, nor one
-- slot twice. Operations data of no organization: app_system only.
--
-- tasks.locked_at is the lease's heartbeat: the worker moves it forward while it
-- runs a task (HeartbeatTask); ReleaseExpiredTasks gives back a task whose
-- worker stopped beating for longer than the lease.
--
-- ON DELETE: job_schedule references nothing and nothing references it.

ALTER TABLE conversations ADD COLUMN retention_hold boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN conversations.retention_hold IS 'Pinned or under legal hold: retention never expires the conversation (nor its agent states). Set by the owner.';
GRANT UPDATE (retention_hold) ON conversations TO app_tenant;

CREATE INDEX conversations_retention_idx ON conversations (organization_id, last_activity_at, id)
    WHERE NOT retention_hold;
CREATE INDEX conversations_soft_deleted_idx ON conversations (updated_at, id)
    WHERE status = 'deleted' AND NOT retention_hold;
CREATE INDEX agent_states_organization_updated_at_idx ON agent_states (organization_id, updated_at, id);

COMMENT ON COLUMN tasks.locked_at IS 'When the running attempt was claimed or last sent a heartbeat: the lease runs from here.';

CREATE TABLE job_schedule (
    job text PRIMARY KEY CHECK (job ~ '^[a-z][a-z0-9_]*$'),
    last_slot timestamptz NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    scheduler text NOT NULL CHECK (btrim(scheduler) <> ''),
    error text
);
COMMENT ON TABLE job_schedule IS 'python -m jobs.scheduler: per job, the last cron slot a scheduler started it for, by whom, and how it ended. app_system only.';
COMMENT ON COLUMN job_schedule.last_slot IS 'The minute (of the job''s cron expression) the last run was started for: a slot starts once.';
COMMENT ON COLUMN job_schedule.finished_at IS 'NULL while the run is going on (or when its scheduler died).';
COMMENT ON COLUMN job_schedule.scheduler IS 'The scheduler that started the last run (host:pid).';
COMMENT ON COLUMN job_schedule.error IS 'Why the last run failed; NULL when it succeeded or is running.';

GRANT SELECT, INSERT, UPDATE ON job_schedule TO app_system;
ALTER TABLE job_schedule ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_schedule FORCE ROW LEVEL SECURITY;
CREATE POLICY "system schedules jobs" ON job_schedule
    FOR ALL TO app_system
    USING (true)
    WITH CHECK (true);

-- migrate:down

DROP TABLE job_schedule;
COMMENT ON COLUMN tasks.locked_at IS 'When the running attempt was claimed.';
DROP INDEX agent_states_organization_updated_at_idx;
DROP INDEX conversations_soft_deleted_idx;
DROP INDEX conversations_retention_idx;
ALTER TABLE conversations DROP COLUMN retention_hold;
