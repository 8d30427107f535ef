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

-- name: ReserveFilePath :exec
-- Before an upload writes its object: reserve the path in file_deletions, so
-- an object the server never records (it crashed mid-upload) is removed by the
-- drain a day later. The caller's organization only; the path is in its tree.
INSERT INTO file_deletions (organization_id, path)
VALUES (sqlc.arg(organization_id), sqlc.arg(path));

-- name: ReleaseFilePath :execrows
-- Drop an upload's reservation: in the transaction that records the files row
-- (0 rows: the reservation expired and was drained, so the object is gone and
-- no row may be recorded), or after a failed upload removed its object.
DELETE FROM file_deletions
WHERE path = sqlc.arg(path)
  AND reason = 'upload';

-- name: ClaimFileDeletions :many
-- Due entries of file_deletions (app_system), oldest first, locked FOR UPDATE
-- SKIP LOCKED until the transaction ends: remove each object, then the entry
-- (FinishFileDeletions), in that transaction. Optionally only one
-- organization's, or only these paths. owned: a files row has this path (the
-- entry is stale: drop it, keep the object).
SELECT d.id, d.organization_id, d.path, d.reason, d.attempts,
    EXISTS (SELECT FROM files AS f WHERE f.path = d.path) AS owned
FROM file_deletions AS d
WHERE d.not_before <= sqlc.arg(now)
  AND (sqlc.narg(organization_id)::uuid IS NULL OR d.organization_id = sqlc.narg(organization_id)::uuid)
  AND (sqlc.narg(paths)::text[] IS NULL OR d.path = ANY (sqlc.narg(paths)::text[]))
ORDER BY d.not_before, d.id
LIMIT sqlc.arg('limit')
FOR UPDATE OF d SKIP LOCKED;

-- name: FinishFileDeletions :execrows
-- Remove entries whose objects are gone (app_system).
DELETE FROM file_deletions
WHERE id = ANY (sqlc.arg(ids)::uuid[]);

-- name: FailFileDeletion :exec
-- Record a failed attempt to remove an entry's object; it is due again after
-- a backoff that doubles with each attempt (1 minute, 2, 4, ... at most a day).
UPDATE file_deletions
SET attempts = attempts + 1,
    last_error = sqlc.arg(error),
    not_before = sqlc.arg(now)::timestamptz + least(interval '1 minute' * power(2, attempts), interval '1 day')
WHERE id = sqlc.arg(id);

-- name: CountFileDeletions :one
-- Entries of file_deletions (app_system): due now, and waiting (reservations of
-- uploads in progress, entries backing off).
SELECT
    count(*) FILTER (WHERE not_before <= sqlc.arg(now)) AS due,
    count(*) FILTER (WHERE not_before > sqlc.arg(now)) AS waiting
FROM file_deletions;
