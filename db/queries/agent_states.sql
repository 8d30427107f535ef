-- name: CreateAgentState :one
-- The first write of a state: insert it at version 1. No row when a state
-- with this key exists already (read it and write with its version).
INSERT INTO agent_states (organization_id, user_id, agent_id, scope, conversation_id, state)
VALUES (
    sqlc.arg(organization_id),
    sqlc.narg(user_id),
    sqlc.arg(agent_id),
    sqlc.arg(scope),
    sqlc.narg(conversation_id),
    coalesce(sqlc.narg(state)::jsonb, '{}')
)
ON CONFLICT ON CONSTRAINT agent_states_key DO NOTHING
RETURNING id, organization_id, user_id, agent_id, scope, conversation_id, state, state_hash, version, created_at, updated_at;

-- name: GetAgentState :one
-- The state with this key (user_id NULL: the organization's shared state;
-- conversation_id NULL: outside any conversation), if the caller may read it.
SELECT id, organization_id, user_id, agent_id, scope, conversation_id, state, state_hash, version, created_at, updated_at
FROM agent_states
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id)
  AND scope = sqlc.arg(scope)
  AND user_id IS NOT DISTINCT FROM sqlc.narg(user_id)::uuid
  AND conversation_id IS NOT DISTINCT FROM sqlc.narg(conversation_id)::uuid;

-- name: GetAgentStateById :one
-- The state with this id, if the caller may read it.
SELECT id, organization_id, user_id, agent_id, scope, conversation_id, state, state_hash, version, created_at, updated_at
FROM agent_states
WHERE id = sqlc.arg(id);

-- name: ListAgentStates :many
-- The states of an agent the caller may read (their own and the
-- organization's shared ones), by id. Page with the last row's id as cursor.
SELECT id, organization_id, user_id, agent_id, scope, conversation_id, state, state_hash, version, created_at, updated_at
FROM agent_states
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id)
  AND (sqlc.narg(scope)::agent_state_scope IS NULL OR scope = sqlc.narg(scope)::agent_state_scope)
  AND id > coalesce(sqlc.narg(cursor_id)::uuid, '00000000-0000-0000-0000-000000000000')
ORDER BY id
LIMIT sqlc.arg('limit');

-- name: WriteAgentState :one
-- Replace the state if it is still at expected_version; the database
-- increments version and recomputes state_hash. No row: the state changed
-- since it was read (or is not there), a conflict for the caller to report.
UPDATE agent_states
SET state = sqlc.arg(state)
WHERE id = sqlc.arg(id)
  AND version = sqlc.arg(expected_version)
RETURNING id, organization_id, user_id, agent_id, scope, conversation_id, state, state_hash, version, created_at, updated_at;

-- name: DeleteAgentState :execrows
-- Delete a state with its checkpoints.
DELETE FROM agent_states
WHERE id = sqlc.arg(id);

-- name: CreateCheckpoint :one
-- Checkpoint the current state (auto checkpoints past the organization's
-- max_auto_checkpoints are pruned by the database). No row when the state is
-- not there or not readable.
INSERT INTO state_checkpoints (organization_id, agent_state_id, kind, label, state, version, created_by)
SELECT s.organization_id, s.id, sqlc.arg(kind), sqlc.narg(label), s.state, s.version, sqlc.narg(created_by)
FROM agent_states AS s
WHERE s.id = sqlc.arg(agent_state_id)
RETURNING id, organization_id, agent_state_id, user_id, conversation_id, kind, label, state, state_hash, version,
    restorable, created_by, created_at;

-- name: GetCheckpoint :one
-- The checkpoint with this id, if the caller may read its state.
SELECT id, organization_id, agent_state_id, user_id, conversation_id, kind, label, state, state_hash, version,
    restorable, created_by, created_at
FROM state_checkpoints
WHERE id = sqlc.arg(id);

-- name: ListCheckpoints :many
-- A state's checkpoints, newest first; kind NULL means every kind. Page with
-- the last row's (created_at, id) as cursor.
SELECT id, organization_id, agent_state_id, user_id, conversation_id, kind, label, state, state_hash, version,
    restorable, created_by, created_at
FROM state_checkpoints
WHERE agent_state_id = sqlc.arg(agent_state_id)
  AND (sqlc.narg(kind)::checkpoint_kind IS NULL OR kind = sqlc.narg(kind)::checkpoint_kind)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: UpdateCheckpoint :one
-- Label a checkpoint or mark it (not) restorable; NULL leaves a field as it is.
UPDATE state_checkpoints
SET label = coalesce(sqlc.narg(label), label),
    restorable = coalesce(sqlc.narg(restorable), restorable)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, agent_state_id, user_id, conversation_id, kind, label, state, state_hash, version,
    restorable, created_by, created_at;

-- name: DeleteCheckpoint :execrows
-- Delete a checkpoint.
DELETE FROM state_checkpoints
WHERE id = sqlc.arg(id);

-- name: RestoreCheckpoint :one
-- Put a restorable checkpoint's state back: first a pre_restore checkpoint of
-- the current state (so the restore can be undone), then the exact earlier
-- state (and so its hash), as a new version. With expected_version set, only
-- if the state is still at that version. No row: no such restorable
-- checkpoint, or the state moved on (a conflict).
WITH checkpoint AS (
    SELECT c.agent_state_id, c.state
    FROM state_checkpoints AS c
    WHERE c.id = sqlc.arg(checkpoint_id)
      AND c.restorable
), current_state AS (
    SELECT s.id, s.organization_id, s.state, s.version
    FROM agent_states AS s
    JOIN checkpoint AS c ON c.agent_state_id = s.id
    WHERE sqlc.narg(expected_version)::bigint IS NULL
       OR s.version = sqlc.narg(expected_version)::bigint
    FOR UPDATE OF s
), saved AS (
    INSERT INTO state_checkpoints (organization_id, agent_state_id, kind, label, state, version, created_by)
    SELECT cs.organization_id, cs.id, 'pre_restore', sqlc.narg(label), cs.state, cs.version, sqlc.narg(created_by)
    FROM current_state AS cs
    RETURNING agent_state_id
)
UPDATE agent_states AS s
SET state = c.state
FROM checkpoint AS c, saved
WHERE s.id = saved.agent_state_id
RETURNING s.id, s.organization_id, s.user_id, s.agent_id, s.scope, s.conversation_id, s.state, s.state_hash, s.version,
    s.created_at, s.updated_at;
