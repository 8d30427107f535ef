-- name: GetPrincipal :one
-- The user, organization and membership a Clerk session names, in one round
-- trip (run as app_system). A part is NULL when its row does not exist yet;
-- the deleted_at columns say whether a row is a tombstone.
SELECT
    u.id AS user_id,
    u.deleted_at AS user_deleted_at,
    o.id AS organization_id,
    o.deleted_at AS organization_deleted_at,
    m.role AS role
FROM (SELECT sqlc.arg(clerk_user_id)::text AS clerk_user_id, sqlc.narg(clerk_org_id)::text AS clerk_org_id) AS k
LEFT JOIN users AS u ON u.clerk_user_id = k.clerk_user_id
LEFT JOIN organizations AS o ON o.clerk_org_id = k.clerk_org_id
LEFT JOIN organization_memberships AS m ON m.organization_id = o.id AND m.user_id = u.id;

-- name: ProvisionUser :execrows
-- Create a user a valid session token names before the user.created webhook
-- arrived. clerk_updated_at stays NULL so that webhook completes the row; a
-- concurrent first request or an existing row (even a tombstone) changes nothing.
INSERT INTO users (clerk_user_id)
VALUES (sqlc.arg(clerk_user_id))
ON CONFLICT (clerk_user_id) DO NOTHING;

-- name: ProvisionOrganization :execrows
-- Create an organization a valid session token names before its webhook
-- arrived (name from the token's slug until the webhook completes the row).
-- An existing row, tombstones included, is left alone.
INSERT INTO organizations (clerk_org_id, name, slug)
VALUES (sqlc.arg(clerk_org_id), sqlc.arg(name), sqlc.narg(slug))
ON CONFLICT (clerk_org_id) DO NOTHING;

-- name: ProvisionMembership :execrows
-- Create the membership a valid session token claims, with the token's role,
-- when none exists yet: never for a deleted user or organization, and never
-- when the inbox holds an organizationMembership.deleted event for the pair
-- received at or after the token was issued (the token predates the removal).
-- An existing membership is never changed: its role stays the database's.
INSERT INTO organization_memberships (organization_id, user_id, role)
SELECT o.id, u.id, sqlc.arg(role)
FROM organizations AS o
CROSS JOIN users AS u
WHERE o.clerk_org_id = sqlc.arg(clerk_org_id)
  AND u.clerk_user_id = sqlc.arg(clerk_user_id)
  AND o.deleted_at IS NULL
  AND u.deleted_at IS NULL
  AND NOT EXISTS (
      SELECT
      FROM webhook_events AS e
      WHERE e.type = 'organizationMembership.deleted'
        AND e.payload #>> '{data,organization,id}' = sqlc.arg(clerk_org_id)
        AND e.payload #>> '{data,public_user_data,user_id}' = sqlc.arg(clerk_user_id)
        AND e.received_at >= sqlc.arg(token_issued_at)
  )
ON CONFLICT (organization_id, user_id) DO NOTHING;

-- name: ListApiKeysPage :many
-- One page of the organization's keys, newest first, never their hashes.
-- Page with the last row's (created_at, id) as cursor.
SELECT id, organization_id, name, prefix, scopes, created_by, last_used_at, revoked_at, created_at
FROM api_keys
WHERE organization_id = sqlc.arg(organization_id)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: RevokeApiKeyById :one
-- Revoke a key (idempotent: a revoked key keeps its first revocation time).
-- No row when the caller cannot see the key.
UPDATE api_keys
SET revoked_at = coalesce(revoked_at, now())
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, name, prefix, scopes, created_by, last_used_at, revoked_at, created_at;

-- name: EnterSession :one
-- GetPrincipal and, when the user, organization and membership all exist and
-- none is deleted, EnterTenant for them: one round trip (fn.enter_session).
-- Otherwise the transaction is left as app_system without a tenant.
SELECT user_id, user_deleted_at, organization_id, organization_deleted_at, role
FROM fn.enter_session(sqlc.arg(clerk_user_id)::text, sqlc.narg(clerk_org_id)::text);
