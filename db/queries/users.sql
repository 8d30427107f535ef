-- name: GetUser :one
SELECT id, clerk_user_id, email, name, image_url, clerk_updated_at, deleted_at, created_at, updated_at
FROM users
WHERE id = sqlc.arg(id);

-- name: GetUserByClerkId :one
SELECT id, clerk_user_id, email, name, image_url, clerk_updated_at, deleted_at, created_at, updated_at
FROM users
WHERE clerk_user_id = sqlc.arg(clerk_user_id);

-- name: UpsertUserFromClerk :one
-- Apply a Clerk user payload; stale or post-deletion payloads change nothing
-- and return no row.
INSERT INTO users (clerk_user_id, email, name, image_url, clerk_updated_at)
VALUES (sqlc.arg(clerk_user_id), sqlc.narg(email), sqlc.narg(name), sqlc.narg(image_url), sqlc.arg(clerk_updated_at))
ON CONFLICT (clerk_user_id) DO UPDATE
SET email = excluded.email,
    name = excluded.name,
    image_url = excluded.image_url,
    clerk_updated_at = excluded.clerk_updated_at
WHERE users.deleted_at IS NULL
  AND (users.clerk_updated_at IS NULL OR users.clerk_updated_at <= excluded.clerk_updated_at)
RETURNING id, clerk_user_id, email, name, image_url, clerk_updated_at, deleted_at, created_at, updated_at;

-- name: MarkUserDeleted :execrows
-- Tombstone a user and drop every membership, so their next request is refused.
WITH tombstone AS (
    UPDATE users
    SET deleted_at = coalesce(deleted_at, sqlc.arg(deleted_at))
    WHERE clerk_user_id = sqlc.arg(clerk_user_id)
    RETURNING id
)
DELETE FROM organization_memberships
WHERE user_id IN (SELECT id FROM tombstone);
