-- name: EnterTenant :exec
-- Act as app_tenant for org_id and user_id until the transaction ends
-- (SET LOCAL ROLE app_tenant plus the settings the policies read).
-- Must run inside a transaction: outside one it has no lasting effect.
SELECT
    set_config('role', 'app_tenant', true),
    set_config('app.org_id', sqlc.arg(org_id)::uuid::text, true),
    set_config('app.user_id', coalesce(sqlc.narg(user_id)::uuid::text, ''), true),
    set_config('app.member_rights', '', true);

-- name: EnterTenantWithMemberRights :exec
-- EnterTenant for a member an API key acts for: app.member_rights = 'on', so
-- app.current_user_is_admin() is false and admin-only policies refuse, even
-- when the member is an admin.
SELECT
    set_config('role', 'app_tenant', true),
    set_config('app.org_id', sqlc.arg(org_id)::uuid::text, true),
    set_config('app.user_id', sqlc.arg(user_id)::uuid::text, true),
    set_config('app.member_rights', 'on', true);

-- name: EnterSystem :exec
-- Act as app_system, the narrow cross-tenant role (identity sync, API key
-- lookup, retention), until the transaction ends.
SELECT set_config('role', 'app_system', true);
