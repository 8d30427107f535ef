-- name: GetOrganization :one
-- The organization with this id, if the caller may see it.
SELECT id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at, updated_at
FROM organizations
WHERE id = sqlc.arg(id);

-- name: GetOrganizationByClerkId :one
SELECT id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at, updated_at
FROM organizations
WHERE clerk_org_id = sqlc.arg(clerk_org_id);

-- name: UpsertOrganizationFromClerk :one
-- Apply a Clerk organization payload. A payload older than the one last
-- applied, or one for a deleted organization, changes nothing and returns no row.
INSERT INTO organizations (clerk_org_id, name, slug, image_url, clerk_updated_at)
VALUES (sqlc.arg(clerk_org_id), sqlc.arg(name), sqlc.narg(slug), sqlc.narg(image_url), sqlc.arg(clerk_updated_at))
ON CONFLICT (clerk_org_id) DO UPDATE
SET name = excluded.name,
    slug = excluded.slug,
    image_url = excluded.image_url,
    clerk_updated_at = excluded.clerk_updated_at
WHERE organizations.deleted_at IS NULL
  AND (organizations.clerk_updated_at IS NULL OR organizations.clerk_updated_at <= excluded.clerk_updated_at)
RETURNING id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at, updated_at;

-- name: MarkOrganizationDeleted :execrows
-- Tombstone an organization: its row stays so a late update cannot revive it.
UPDATE organizations
SET deleted_at = coalesce(deleted_at, sqlc.arg(deleted_at))
WHERE clerk_org_id = sqlc.arg(clerk_org_id);

-- name: UpdateOrganizationSettings :one
-- Merge keys into an organization's settings (e.g. retention_days).
UPDATE organizations
SET settings = settings || sqlc.arg(settings)::jsonb
WHERE id = sqlc.arg(id)
RETURNING id, clerk_org_id, name, slug, image_url, settings, clerk_updated_at, deleted_at, created_at, updated_at;
