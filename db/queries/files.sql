-- name: CreateFile :one
-- Record a file of a conversation the caller can access, created by the
-- caller. id may be chosen by the server (to name the file on disk) or left
-- NULL for a new one.
INSERT INTO files (
    id, organization_id, conversation_id, created_by, kind, status, name, original_name, path,
    mime_type, size_bytes, sha256, metadata
)
SELECT
    coalesce(sqlc.narg(id)::uuid, gen_random_uuid()),
    c.organization_id,
    c.id,
    sqlc.arg(created_by),
    sqlc.arg(kind),
    coalesce(sqlc.narg(status)::file_status, 'processing'),
    sqlc.arg(name),
    sqlc.narg(original_name),
    sqlc.arg(path),
    coalesce(sqlc.narg(mime_type)::text, 'application/octet-stream'),
    coalesce(sqlc.narg(size_bytes)::bigint, 0),
    sqlc.narg(sha256),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
FROM conversations AS c
WHERE c.id = sqlc.arg(conversation_id)
RETURNING id, organization_id, conversation_id, created_by, kind, status, name, original_name, path,
    mime_type, size_bytes, sha256, error, metadata, created_at, updated_at;

-- name: GetFile :one
-- The file with this id, if the caller can access its conversation.
SELECT id, organization_id, conversation_id, created_by, kind, status, name, original_name, path,
    mime_type, size_bytes, sha256, error, metadata, created_at, updated_at
FROM files
WHERE id = sqlc.arg(id);

-- name: ListFiles :many
-- A conversation's files, newest first, optionally of one kind. Page with the
-- last row's (created_at, id) as cursor.
SELECT id, organization_id, conversation_id, created_by, kind, status, name, original_name, path,
    mime_type, size_bytes, sha256, error, metadata, created_at, updated_at
FROM files
WHERE organization_id = sqlc.arg(organization_id)
  AND conversation_id = sqlc.arg(conversation_id)
  AND (sqlc.narg(kind)::file_kind IS NULL OR kind = sqlc.narg(kind)::file_kind)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: UpdateFile :one
-- Record processing results (NULL leaves a field as it is). A file becomes
-- ready only with its sha256.
UPDATE files
SET status = coalesce(sqlc.narg(status), status),
    mime_type = coalesce(sqlc.narg(mime_type), mime_type),
    size_bytes = coalesce(sqlc.narg(size_bytes), size_bytes),
    sha256 = coalesce(sqlc.narg(sha256), sha256),
    error = coalesce(sqlc.narg(error), error),
    metadata = coalesce(sqlc.narg(metadata), metadata)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, conversation_id, created_by, kind, status, name, original_name, path,
    mime_type, size_bytes, sha256, error, metadata, created_at, updated_at;

-- name: DeleteFile :one
-- Delete a file's row and its attachments (its creator or the conversation's
-- owner) and return its path, for removal from disk after the commit.
DELETE FROM files
WHERE id = sqlc.arg(id)
RETURNING id, path;
