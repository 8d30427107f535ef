-- name: UpsertMembership :one
-- Add a user to an organization or change their role. A payload older than
-- the one last applied changes nothing and returns no row.
INSERT INTO organization_memberships (organization_id, user_id, role, clerk_membership_id, clerk_updated_at)
VALUES (sqlc.arg(organization_id), sqlc.arg(user_id), sqlc.arg(role), sqlc.narg(clerk_membership_id), sqlc.narg(clerk_updated_at))
ON CONFLICT (organization_id, user_id) DO UPDATE
SET role = excluded.role,
    clerk_membership_id = coalesce(excluded.clerk_membership_id, organization_memberships.clerk_membership_id),
    clerk_updated_at = excluded.clerk_updated_at
WHERE organization_memberships.clerk_updated_at IS NULL
   OR organization_memberships.clerk_updated_at <= excluded.clerk_updated_at
RETURNING id, organization_id, user_id, role, clerk_membership_id, clerk_updated_at, created_at, updated_at;

-- name: GetMembershipRole :one
-- The user's role in the organization, or no row when not a member.
SELECT role
FROM organization_memberships
WHERE organization_id = sqlc.arg(organization_id)
  AND user_id = sqlc.arg(user_id);

-- name: ListOrganizationMembers :many
-- Members of the current organization with their profile, by name.
SELECT u.id AS user_id, u.email, u.name, u.image_url, m.role, m.created_at AS member_since
FROM organization_memberships AS m
JOIN users AS u ON u.id = m.user_id
WHERE m.organization_id = sqlc.arg(organization_id)
ORDER BY u.name NULLS LAST, u.id;

-- name: DeleteMembership :execrows
DELETE FROM organization_memberships
WHERE organization_id = sqlc.arg(organization_id)
  AND user_id = sqlc.arg(user_id);

-- name: FindMember :one
-- A current member of the organization (not a deleted user), by user id or
-- by Clerk user id, with their role; no row when not a member.
SELECT u.id AS user_id, m.role
FROM organization_memberships AS m
JOIN users AS u ON u.id = m.user_id
WHERE m.organization_id = sqlc.arg(organization_id)
  AND u.deleted_at IS NULL
  AND (u.id = sqlc.narg(user_id)::uuid OR u.clerk_user_id = sqlc.narg(clerk_user_id)::text);
