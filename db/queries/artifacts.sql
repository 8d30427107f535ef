-- name: CreateArtifact :one
-- Store generated code, a document or other output, optionally of a
-- conversation and of the task that produced it (both of the same organization).
INSERT INTO artifacts (
    organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content, mime_type, metadata
)
VALUES (
    sqlc.arg(organization_id),
    sqlc.narg(conversation_id),
    sqlc.narg(task_id),
    sqlc.narg(agent_id),
    sqlc.narg(created_by),
    sqlc.arg(artifact_type),
    sqlc.arg(name),
    coalesce(sqlc.narg(content)::text, ''),
    sqlc.narg(mime_type),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
)
RETURNING id, organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content,
    mime_type, metadata, created_at, updated_at;

-- name: GetArtifact :one
-- The artifact with this id, if the caller may read it.
SELECT id, organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content,
    mime_type, metadata, created_at, updated_at
FROM artifacts
WHERE id = sqlc.arg(id);

-- name: ListArtifacts :many
-- The organization's artifacts, newest first, filtered by whichever of
-- conversation, task and type are set. Page with the last row's (created_at, id) as cursor.
SELECT id, organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content,
    mime_type, metadata, created_at, updated_at
FROM artifacts
WHERE organization_id = sqlc.arg(organization_id)
  AND (sqlc.narg(conversation_id)::uuid IS NULL OR conversation_id = sqlc.narg(conversation_id)::uuid)
  AND (sqlc.narg(task_id)::uuid IS NULL OR task_id = sqlc.narg(task_id)::uuid)
  AND (sqlc.narg(artifact_type)::artifact_type IS NULL OR artifact_type = sqlc.narg(artifact_type)::artifact_type)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: UpdateArtifact :one
-- Change the given fields (NULL leaves a field as it is).
UPDATE artifacts
SET name = coalesce(sqlc.narg(name), name),
    content = coalesce(sqlc.narg(content), content),
    mime_type = coalesce(sqlc.narg(mime_type), mime_type),
    metadata = coalesce(sqlc.narg(metadata), metadata)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content,
    mime_type, metadata, created_at, updated_at;

-- name: DeleteArtifact :execrows
-- Delete an artifact.
DELETE FROM artifacts
WHERE id = sqlc.arg(id);
