-- fn.enter_session(p_clerk_user_id, p_clerk_org_id): authenticate a Clerk session and enter its tenant,
-- in one round trip (the request pipeline's first statement of a request's transaction).
--
-- Input:   the session token's user (sub) and active organization (NULL: none), already verified
--          by the server (signature, exp/nbf/iat, iss, azp).
-- Output:  one row, what GetPrincipal returns: user_id, user_deleted_at, organization_id,
--          organization_deleted_at, role (a part NULL when its row does not exist yet).
-- Effect:  first acts as app_system (SET LOCAL ROLE) to look the user, organization and
--          membership up under app_system's policies. When all of them exist and none is
--          deleted, it then enters the tenant exactly as gen.tenancy.enter_tenant does
--          (SET LOCAL ROLE app_tenant, app.org_id, app.user_id, all transaction-local), so the
--          rest of the transaction runs under row level security as that member. Otherwise the
--          transaction stays app_system with no tenant set: the caller refuses the request
--          (deleted user or organization, no membership) or provisions what no webhook has
--          delivered yet (ProvisionUser/Organization/Membership) and calls it again.
--          Without an organization (p_clerk_org_id NULL) no tenant is entered either.
-- Writes:  nothing. Locks: none.
-- Runs as: the caller (SECURITY INVOKER: only a role granted app_system and app_tenant, the
--          connecting role, can take either), because SET ROLE is refused inside a
--          SECURITY DEFINER function. Must run inside a transaction (the settings are local).
CREATE OR REPLACE FUNCTION fn.enter_session(p_clerk_user_id text, p_clerk_org_id text)
RETURNS TABLE (
    user_id uuid,
    user_deleted_at timestamptz,
    organization_id uuid,
    organization_deleted_at timestamptz,
    role public.membership_role
)
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
    principal record;
BEGIN
    PERFORM pg_catalog.set_config('role', 'app_system', true);
    SELECT
        u.id AS user_id,
        u.deleted_at AS user_deleted_at,
        o.id AS organization_id,
        o.deleted_at AS organization_deleted_at,
        m.role AS role
    INTO principal
    FROM (SELECT p_clerk_user_id AS clerk_user_id, p_clerk_org_id AS clerk_org_id) AS k
    LEFT JOIN public.users AS u ON u.clerk_user_id = k.clerk_user_id
    LEFT JOIN public.organizations AS o ON o.clerk_org_id = k.clerk_org_id
    LEFT JOIN public.organization_memberships AS m ON m.organization_id = o.id AND m.user_id = u.id;
    IF principal.user_id IS NOT NULL AND principal.user_deleted_at IS NULL
        AND principal.organization_id IS NOT NULL AND principal.organization_deleted_at IS NULL
        AND principal.role IS NOT NULL THEN
        PERFORM pg_catalog.set_config('role', 'app_tenant', true),
            pg_catalog.set_config('app.org_id', principal.organization_id::text, true),
            pg_catalog.set_config('app.user_id', principal.user_id::text, true);
    END IF;
    RETURN QUERY SELECT principal.user_id, principal.user_deleted_at, principal.organization_id,
        principal.organization_deleted_at, principal.role;
END
$$;
REVOKE ALL ON FUNCTION fn.enter_session(text, text) FROM PUBLIC;
