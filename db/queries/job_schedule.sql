-- name: TryJobLock :one
-- Take the session-level advisory lock of one scheduled job (false: another
-- scheduler holds it, and is checking or running that job). As app_system.
SELECT pg_try_advisory_lock(hashtextextended('jobs.scheduler:' || sqlc.arg(job)::text, 0)) AS locked;

-- name: ReleaseJobLock :exec
-- Release the lock TryJobLock took.
SELECT pg_advisory_unlock(hashtextextended('jobs.scheduler:' || sqlc.arg(job)::text, 0));

-- name: StartJobSlot :one
-- Record that scheduler starts job for slot, unless that slot (or a later
-- one) was started already: no row then. Call under the job's lock.
INSERT INTO job_schedule (job, last_slot, scheduler)
VALUES (sqlc.arg(job), sqlc.arg(slot), sqlc.arg(scheduler))
ON CONFLICT (job) DO UPDATE
SET last_slot = excluded.last_slot,
    started_at = clock_timestamp(),
    finished_at = NULL,
    scheduler = excluded.scheduler,
    error = NULL
WHERE job_schedule.last_slot < excluded.last_slot
RETURNING job, last_slot, started_at, finished_at, scheduler, error;

-- name: FinishJobSlot :exec
-- Record how the run of job for slot ended (error NULL: it succeeded).
UPDATE job_schedule
SET finished_at = clock_timestamp(),
    error = sqlc.narg(error)
WHERE job = sqlc.arg(job)
  AND last_slot = sqlc.arg(slot);

-- name: ListJobSchedule :many
-- Every scheduled job's last run, by name.
SELECT job, last_slot, started_at, finished_at, scheduler, error
FROM job_schedule
ORDER BY job;
