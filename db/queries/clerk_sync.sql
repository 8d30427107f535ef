-- name: LockClerkSync :exec
-- Serialize webhook processing: every delivery runs its transaction holding
-- this transaction-scoped advisory lock, so events (and redeliveries of one
-- event) are applied one at a time and each sees what the previous committed.
SELECT pg_advisory_xact_lock(7263115117025063);

-- name: ClaimWebhookEvent :one
-- Record a delivery in the inbox and claim it for processing. Returns no row
-- when this svix-id was already processed (a redelivery: nothing to do); a
-- delivery recorded earlier with an error and not processed is claimed again.
INSERT INTO webhook_events (svix_id, type, payload)
VALUES (sqlc.arg(svix_id), sqlc.arg(type), sqlc.arg(payload))
ON CONFLICT (svix_id) DO UPDATE
SET type = excluded.type,
    payload = excluded.payload
WHERE webhook_events.processed_at IS NULL
RETURNING id, svix_id, type, payload, received_at, processed_at, error;

-- name: RecordWebhookEventFailure :exec
-- Record why a delivery failed, after its processing transaction rolled back.
-- The row stays unprocessed, so Svix's retry with the same svix-id runs again;
-- an event processed in the meantime (a concurrent redelivery) is left alone.
INSERT INTO webhook_events (svix_id, type, payload, error)
VALUES (sqlc.arg(svix_id), sqlc.arg(type), sqlc.arg(payload), sqlc.arg(error))
ON CONFLICT (svix_id) DO UPDATE
SET error = excluded.error
WHERE webhook_events.processed_at IS NULL;

-- name: TombstoneUserFromClerk :execrows
-- Apply user.deleted: tombstone the user (creating the tombstone when no
-- event for the user arrived yet, so a late user.created cannot create it)
-- and drop every membership at once. Returns the memberships removed.
WITH tombstone AS (
    INSERT INTO users (clerk_user_id, deleted_at)
    VALUES (sqlc.arg(clerk_user_id), sqlc.arg(deleted_at))
    ON CONFLICT (clerk_user_id) DO UPDATE
    SET deleted_at = coalesce(users.deleted_at, excluded.deleted_at)
    RETURNING id
)
DELETE FROM organization_memberships
WHERE user_id IN (SELECT id FROM tombstone);

-- name: TombstoneOrganizationFromClerk :execrows
-- Apply organization.deleted: tombstone the organization (created as a
-- tombstone when unseen, named by its Clerk id) and drop its memberships.
-- PurgeOrganizationData then removes everything else it owns.
WITH tombstone AS (
    INSERT INTO organizations (clerk_org_id, name, deleted_at)
    VALUES (sqlc.arg(clerk_org_id), sqlc.arg(clerk_org_id), sqlc.arg(deleted_at))
    ON CONFLICT (clerk_org_id) DO UPDATE
    SET deleted_at = coalesce(organizations.deleted_at, excluded.deleted_at)
    RETURNING id
)
DELETE FROM organization_memberships
WHERE organization_id IN (SELECT id FROM tombstone);

-- name: UpsertMembershipFromClerk :one
-- Apply organizationMembership.created/updated by Clerk ids (the user and
-- organization rows must exist: stubs are provisioned first). Changes nothing
-- and returns no row when the user or organization is deleted, when the
-- payload is older than the one last applied, or when the inbox holds a
-- processed organizationMembership.deleted for this membership id (a late
-- update never resurrects a removed membership; Clerk never reuses the id).
INSERT INTO organization_memberships (organization_id, user_id, role, clerk_membership_id, clerk_updated_at)
SELECT o.id, u.id, sqlc.arg(role), sqlc.arg(clerk_membership_id), sqlc.arg(clerk_updated_at)
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
        AND e.processed_at IS NOT NULL
        AND e.payload #>> '{data,id}' = sqlc.arg(clerk_membership_id)
  )
ON CONFLICT (organization_id, user_id) DO UPDATE
SET role = excluded.role,
    clerk_membership_id = excluded.clerk_membership_id,
    clerk_updated_at = excluded.clerk_updated_at
WHERE organization_memberships.clerk_updated_at IS NULL
   OR organization_memberships.clerk_updated_at <= excluded.clerk_updated_at
RETURNING id, organization_id, user_id, role, clerk_membership_id, clerk_updated_at, created_at, updated_at;

-- name: DeleteMembershipFromClerk :execrows
-- Apply organizationMembership.deleted: remove the pair's membership when it
-- is this Clerk membership or one provisioned from a token (no Clerk id yet).
-- A membership of the same pair under another id (the user was removed and
-- re-added; Clerk never reuses ids) stays, whatever order the events come in.
DELETE FROM organization_memberships AS m
USING organizations AS o, users AS u
WHERE o.clerk_org_id = sqlc.arg(clerk_org_id)
  AND u.clerk_user_id = sqlc.arg(clerk_user_id)
  AND m.organization_id = o.id
  AND m.user_id = u.id
  AND (m.clerk_membership_id IS NULL OR m.clerk_membership_id = sqlc.arg(clerk_membership_id));

-- name: PurgeOrganizationData :execrows
-- Remove everything a deleted organization owns, keeping its tombstone. The
-- row is deleted, which cascades to every tenant table (agents, conversations
-- and all in them, state, memories, tasks, embeddings, API keys, grants), and
-- put back as it was in the same statement, so the same id and clerk_org_id
-- stay refused. Returns 1 when purged, 0 when the organization is not deleted.
WITH gone AS (
    DELETE FROM organizations
    WHERE clerk_org_id = sqlc.arg(clerk_org_id)
      AND deleted_at IS NOT NULL
    RETURNING id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at
)
INSERT INTO organizations (id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at)
SELECT id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at
FROM gone;
