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
