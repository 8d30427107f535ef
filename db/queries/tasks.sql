-- name: CreateTask :one
-- Delegate a task to an agent the organization may use, optionally from a
-- conversation; it is claimable from run_after (default now).
INSERT INTO tasks (organization_id, conversation_id, agent_id, created_by, task_type, input, max_attempts, run_after)
VALUES (
    sqlc.arg(organization_id),
    sqlc.narg(conversation_id),
    sqlc.arg(agent_id),
    sqlc.narg(created_by),
    sqlc.arg(task_type),
    coalesce(sqlc.narg(input)::jsonb, '{}'),
    coalesce(sqlc.narg(max_attempts)::integer, 3),
    coalesce(sqlc.narg(run_after)::timestamptz, now())
)
RETURNING id, organization_id, conversation_id, agent_id, created_by, task_type, status, input, output, error,
    attempts, max_attempts, run_after, locked_at, locked_by, started_at, finished_at, created_at, updated_at;

-- name: GetTask :one
-- The task with this id, if the caller may read it.
SELECT id, organization_id, conversation_id, agent_id, created_by, task_type, status, input, output, error,
    attempts, max_attempts, run_after, locked_at, locked_by, started_at, finished_at, created_at, updated_at
FROM tasks
WHERE id = sqlc.arg(id);

-- name: ListTasks :many
-- The organization's tasks, newest first, filtered by whichever of status,
-- agent and conversation are set. Page with the last row's (created_at, id) as cursor.
SELECT id, organization_id, conversation_id, agent_id, created_by, task_type, status, input, output, error,
    attempts, max_attempts, run_after, locked_at, locked_by, started_at, finished_at, created_at, updated_at
FROM tasks
WHERE organization_id = sqlc.arg(organization_id)
  AND (sqlc.narg(status)::task_status IS NULL OR status = sqlc.narg(status)::task_status)
  AND (sqlc.narg(agent_id)::uuid IS NULL OR agent_id = sqlc.narg(agent_id)::uuid)
  AND (sqlc.narg(conversation_id)::uuid IS NULL OR conversation_id = sqlc.narg(conversation_id)::uuid)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: ClaimTasks :many
-- Claim up to limit due pending tasks (oldest run_after first) for worker:
-- running, locked by it, attempts + 1. FOR UPDATE SKIP LOCKED: concurrent
-- workers claim disjoint tasks and never wait for each other. agent_id NULL
-- claims for every agent. As app_system: every organization's; as a tenant:
-- its own.
UPDATE tasks AS t
SET status = 'running',
    locked_at = now(),
    locked_by = sqlc.arg(worker),
    attempts = t.attempts + 1,
    started_at = coalesce(t.started_at, now()),
    error = NULL
FROM (
    SELECT c.id
    FROM tasks AS c
    WHERE c.status = 'pending'
      AND c.run_after <= now()
      AND (sqlc.narg(agent_id)::uuid IS NULL OR c.agent_id = sqlc.narg(agent_id)::uuid)
    ORDER BY c.run_after, c.id
    LIMIT sqlc.arg('limit')
    FOR UPDATE SKIP LOCKED
) AS claimable
WHERE t.id = claimable.id
RETURNING t.id, t.organization_id, t.conversation_id, t.agent_id, t.created_by, t.task_type, t.status, t.input, t.output,
    t.error, t.attempts, t.max_attempts, t.run_after, t.locked_at, t.locked_by, t.started_at, t.finished_at,
    t.created_at, t.updated_at;

-- name: CompleteTask :one
-- Record the output of a task worker is running: succeeded. No row when the
-- task is not running under that worker (its lease expired, or it was cancelled).
UPDATE tasks
SET status = 'succeeded',
    output = sqlc.narg(output),
    error = NULL,
    locked_at = NULL,
    locked_by = NULL,
    finished_at = now()
WHERE id = sqlc.arg(id)
  AND status = 'running'
  AND locked_by = sqlc.arg(worker)
RETURNING id, organization_id, conversation_id, agent_id, created_by, task_type, status, input, output, error,
    attempts, max_attempts, run_after, locked_at, locked_by, started_at, finished_at, created_at, updated_at;

-- name: FailTask :one
-- Record a failed attempt of a task worker is running: back to pending,
-- claimable after backoff_seconds * 2^(attempts - 1), or failed for good once
-- attempts reach max_attempts. No row when the task is not running under worker.
UPDATE tasks
SET status = CASE WHEN attempts < max_attempts THEN 'pending'::task_status ELSE 'failed'::task_status END,
    error = sqlc.arg(error),
    locked_at = NULL,
    locked_by = NULL,
    run_after = CASE
        WHEN attempts < max_attempts
        THEN now() + make_interval(secs => sqlc.arg(backoff_seconds)::double precision * power(2, attempts - 1))
        ELSE run_after
    END,
    finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END
WHERE id = sqlc.arg(id)
  AND status = 'running'
  AND locked_by = sqlc.arg(worker)
RETURNING id, organization_id, conversation_id, agent_id, created_by, task_type, status, input, output, error,
    attempts, max_attempts, run_after, locked_at, locked_by, started_at, finished_at, created_at, updated_at;

-- name: ReleaseExpiredTasks :execrows
-- Give back tasks whose worker held them longer than lease_seconds (it died):
-- pending again, or failed once attempts reach max_attempts.
UPDATE tasks
SET status = CASE WHEN attempts < max_attempts THEN 'pending'::task_status ELSE 'failed'::task_status END,
    error = 'lease expired: worker ' || locked_by || ' did not finish',
    locked_at = NULL,
    locked_by = NULL,
    run_after = now(),
    finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END
WHERE status = 'running'
  AND locked_at < now() - make_interval(secs => sqlc.arg(lease_seconds)::double precision);

-- name: CancelTask :one
-- Cancel a task that has not finished. A running attempt is not interrupted,
-- but its worker can no longer complete or fail it. No row when finished already.
UPDATE tasks
SET status = 'cancelled',
    locked_at = NULL,
    locked_by = NULL,
    finished_at = now()
WHERE id = sqlc.arg(id)
  AND status IN ('pending', 'running')
RETURNING id, organization_id, conversation_id, agent_id, created_by, task_type, status, input, output, error,
    attempts, max_attempts, run_after, locked_at, locked_by, started_at, finished_at, created_at, updated_at;

-- name: DeleteTask :execrows
-- Delete a task (its artifacts stay, task_id NULL).
DELETE FROM tasks
WHERE id = sqlc.arg(id);

-- name: ClaimAgentTasks :many
-- Claim up to limit due pending tasks of the given agents (NULL: every agent)
-- whose task_type is one of task_types, for worker: running, locked by it
-- (locked_at starts the lease), attempts + 1. FOR UPDATE SKIP LOCKED:
-- concurrent workers claim disjoint tasks. Cancelled tasks are never claimed.
UPDATE tasks AS t
SET status = 'running',
    locked_at = now(),
    locked_by = sqlc.arg(worker),
    attempts = t.attempts + 1,
    started_at = coalesce(t.started_at, now()),
    error = NULL
FROM (
    SELECT c.id
    FROM tasks AS c
    WHERE c.status = 'pending'
      AND c.run_after <= now()
      AND c.task_type = ANY(sqlc.arg(task_types)::text[])
      AND (sqlc.narg(agent_ids)::uuid[] IS NULL OR c.agent_id = ANY(sqlc.narg(agent_ids)::uuid[]))
    ORDER BY c.run_after, c.id
    LIMIT sqlc.arg('limit')
    FOR UPDATE SKIP LOCKED
) AS claimable
WHERE t.id = claimable.id
RETURNING t.id, t.organization_id, t.conversation_id, t.agent_id, t.created_by, t.task_type, t.status, t.input, t.output,
    t.error, t.attempts, t.max_attempts, t.run_after, t.locked_at, t.locked_by, t.started_at, t.finished_at,
    t.created_at, t.updated_at;

-- name: HeartbeatTask :one
-- Renew the lease of a task worker is running (locked_at = now). No row when
-- the task is no longer running under worker (cancelled, or its lease expired
-- and it was released): the worker must stop it.
UPDATE tasks
SET locked_at = now()
WHERE id = sqlc.arg(id)
  AND status = 'running'
  AND locked_by = sqlc.arg(worker)
RETURNING id, locked_at;
