-- name: StartRetentionRun :one
-- Record the start of a retention run expiring data against now_param (app_system).
INSERT INTO retention_runs (now_param)
VALUES (sqlc.arg(now_param))
RETURNING id, now_param, started_at, finished_at, counts, files_removed, error;

-- name: FinishRetentionRun :one
-- Record the end of a retention run: rows deleted per table, files removed,
-- and the error that stopped it (NULL: complete).
UPDATE retention_runs
SET finished_at = clock_timestamp(),
    counts = sqlc.arg(counts),
    files_removed = sqlc.arg(files_removed),
    error = sqlc.narg(error)
WHERE id = sqlc.arg(id)
RETURNING id, now_param, started_at, finished_at, counts, files_removed, error;

-- name: ListRetentionRuns :many
-- Retention runs, latest first. Page with the last row's (started_at, id) as cursor.
SELECT id, now_param, started_at, finished_at, counts, files_removed, error
FROM retention_runs
WHERE (started_at, id) < (
    coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
    coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
)
ORDER BY started_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: ExpireConversations :many
-- One batch (fn.expire_conversations): at most batch expired, soft-deleted
-- conversations not held, with the rows that went with them, per table.
SELECT table_name, deleted
FROM fn.expire_conversations(sqlc.arg(now)::timestamptz, sqlc.arg(batch)::integer, sqlc.arg(default_days)::integer);

-- name: ExpireAgentStates :many
-- One batch (fn.expire_agent_states): agent states not updated within the window, with their checkpoints.
SELECT table_name, deleted
FROM fn.expire_agent_states(sqlc.arg(now)::timestamptz, sqlc.arg(batch)::integer, sqlc.arg(default_days)::integer);

-- name: ExpireCheckpoints :many
-- One batch (fn.expire_checkpoints): auto checkpoints beyond the organization's limit or past the window.
SELECT table_name, deleted
FROM fn.expire_checkpoints(sqlc.arg(now)::timestamptz, sqlc.arg(batch)::integer, sqlc.arg(default_days)::integer);

-- name: ExpireWebhookEvents :many
-- One batch (fn.expire_webhook_events): webhook deliveries processed more than keep ago.
SELECT table_name, deleted
FROM fn.expire_webhook_events(sqlc.arg(now)::timestamptz, sqlc.arg(batch)::integer, sqlc.arg(keep)::interval);

-- name: ExpireIdempotencyKeys :many
-- One batch (fn.expire_idempotency_keys): stored Idempotency-Key responses older than keep.
SELECT table_name, deleted
FROM fn.expire_idempotency_keys(sqlc.arg(now)::timestamptz, sqlc.arg(batch)::integer, sqlc.arg(keep)::interval);

-- name: ExpireOrphanEmbeddings :many
-- One batch (fn.expire_orphan_embeddings): knowledge chunks whose source row is gone.
SELECT table_name, deleted
FROM fn.expire_orphan_embeddings(sqlc.arg(batch)::integer);

-- name: TryRetentionLock :one
-- Take the session-level advisory lock that keeps two retention runs apart
-- (false: another run holds it). Released by ReleaseRetentionLock or when the session ends.
SELECT pg_try_advisory_lock(hashtextextended('jobs.retention', 0)) AS locked;

-- name: ReleaseRetentionLock :exec
-- Release the lock TryRetentionLock took.
SELECT pg_advisory_unlock(hashtextextended('jobs.retention', 0));

-- name: ScheduleRetention :one
-- Register the pg_cron job that runs retention in the database on schedule
-- (fn.schedule_retention; a no-op, scheduled false, without pg_cron). As the owner, not app_system.
SELECT job_name, schedule, command, scheduled
FROM fn.schedule_retention(sqlc.arg(schedule)::text, sqlc.arg(batch)::integer, sqlc.arg(default_days)::integer);
