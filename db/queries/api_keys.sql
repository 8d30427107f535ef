-- name: CreateApiKey :one
-- Store a new key's hash; the secret itself is never stored.
INSERT INTO api_keys (organization_id, name, prefix, key_hash, scopes, created_by)
VALUES (sqlc.arg(organization_id), sqlc.arg(name), sqlc.arg(prefix), sqlc.arg(key_hash), sqlc.arg(scopes), sqlc.narg(created_by))
RETURNING id, organization_id, name, prefix, scopes, created_by, last_used_at, revoked_at, created_at;

-- name: ListApiKeys :many
-- The organization's keys, newest first, without their hashes.
SELECT id, organization_id, name, prefix, scopes, created_by, last_used_at, revoked_at, created_at
FROM api_keys
WHERE organization_id = sqlc.arg(organization_id)
ORDER BY created_at DESC, id DESC;

-- name: RevokeApiKey :execrows
UPDATE api_keys
SET revoked_at = now()
WHERE id = sqlc.arg(id)
  AND revoked_at IS NULL;

-- name: ResolveApiKey :one
-- The organization and scopes of the key with this SHA-256, if it is live.
SELECT api_key_id, organization_id, scopes
FROM fn.resolve_api_key(sqlc.arg(key_hash));
