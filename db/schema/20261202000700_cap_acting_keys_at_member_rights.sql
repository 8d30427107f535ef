-- migrate:up

-- An API key acting for a member (POST /v1/commands, "on_behalf_of") gets a
-- member's rights, never an admin's, in the database too: the transaction
-- that acts for the member sets app.member_rights = 'on' (EnterTenantWithMemberRights),
-- and app.current_user_is_admin(), which every admin-only policy asks, then
-- answers false whatever the member's own role. EnterTenant clears the setting.

CREATE OR REPLACE FUNCTION app.current_user_is_admin() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = ''
AS $$
    SELECT coalesce(pg_catalog.current_setting('app.member_rights', true), '') <> 'on'
        AND EXISTS (
            SELECT FROM public.organization_memberships m
            WHERE m.organization_id = app.current_org_id()
              AND m.user_id = app.current_user_id()
              AND m.role = 'admin'
        )
$$;
COMMENT ON FUNCTION app.current_user_is_admin() IS 'Whether the current user is an admin of the current organization, read from memberships (not from the token) so a demotion counts at once; false while an API key acts for the user (app.member_rights).';

-- migrate:down

CREATE OR REPLACE FUNCTION app.current_user_is_admin() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = ''
AS $$
    SELECT EXISTS (
        SELECT FROM public.organization_memberships m
        WHERE m.organization_id = app.current_org_id()
          AND m.user_id = app.current_user_id()
          AND m.role = 'admin'
    )
$$;
COMMENT ON FUNCTION app.current_user_is_admin() IS 'Whether the current user is an admin of the current organization, read from memberships (not from the token) so a demotion counts at once.';
