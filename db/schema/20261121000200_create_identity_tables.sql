-- migrate:up

CREATE TYPE membership_role AS ENUM ('admin', 'member');
COMMENT ON TYPE membership_role IS 'A member''s role in an organization; Clerk''s org:admin maps to admin, every other role to member.';

CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clerk_org_id text NOT NULL UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    slug text,
    image_url text,
    settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    clerk_updated_at timestamptz,
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE organizations IS 'Tenants, synced from Clerk organizations. A deleted organization keeps its row as a tombstone (deleted_at) so a late webhook cannot bring it back.';
COMMENT ON COLUMN organizations.settings IS 'Per-organization settings, e.g. {"retention_days": 30}.';
COMMENT ON COLUMN organizations.clerk_updated_at IS 'updated_at of the Clerk payload last applied; older events are ignored.';

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    clerk_user_id text NOT NULL UNIQUE,
    email text,
    name text,
    image_url text,
    clerk_updated_at timestamptz,
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'People, synced from Clerk users. A user may belong to several organizations.';
COMMENT ON COLUMN users.email IS 'The primary email address in Clerk.';

CREATE TABLE organization_memberships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role membership_role NOT NULL DEFAULT 'member',
    clerk_membership_id text UNIQUE,
    clerk_updated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, user_id)
);
COMMENT ON TABLE organization_memberships IS 'Who belongs to which organization, with which role. Removing the row removes access on the next request.';
CREATE INDEX organization_memberships_user_id_idx ON organization_memberships (user_id);

CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (name <> ''),
    prefix text NOT NULL,
    key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    scopes text[] NOT NULL DEFAULT '{}',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    last_used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE api_keys IS 'Organization-scoped keys for service callers. Only the SHA-256 of the secret is stored; the secret is shown once.';
COMMENT ON COLUMN api_keys.prefix IS 'The first characters of the key, shown in lists so people can tell keys apart.';
CREATE INDEX api_keys_organization_id_idx ON api_keys (organization_id);
CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);

CREATE TABLE webhook_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    svix_id text NOT NULL UNIQUE,
    type text NOT NULL,
    payload jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    error text
);
COMMENT ON TABLE webhook_events IS 'Inbox of Clerk webhook deliveries: one row per svix-id, for idempotency and audit.';
CREATE INDEX webhook_events_processed_at_idx ON webhook_events (processed_at);

CREATE TRIGGER organizations_set_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER organization_memberships_set_updated_at BEFORE UPDATE ON organization_memberships
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

CREATE FUNCTION app.current_user_is_admin() RETURNS boolean
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
GRANT EXECUTE ON FUNCTION app.current_user_is_admin() TO app_tenant;

-- Grants: tenants read their identity rows; writes to identity come from the
-- Clerk sync (app_system). Tenants manage API keys (admins only, by policy).
GRANT SELECT ON organizations, users, organization_memberships TO app_tenant;
GRANT SELECT, INSERT, UPDATE ON api_keys TO app_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON organizations, users, organization_memberships, webhook_events TO app_system;
GRANT SELECT, UPDATE ON api_keys TO app_system;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE organization_memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;

CREATE POLICY "members read their own organization" ON organizations
    FOR SELECT TO app_tenant
    USING (id = (SELECT app.current_org_id()) AND deleted_at IS NULL);

CREATE POLICY "members read the users of their organization" ON users
    FOR SELECT TO app_tenant
    USING (
        id = (SELECT app.current_user_id())
        OR id IN (
            SELECT m.user_id FROM organization_memberships m
            WHERE m.organization_id = (SELECT app.current_org_id())
        )
    );

CREATE POLICY "members read their organization's memberships" ON organization_memberships
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()));

CREATE POLICY "admins read their organization's api keys" ON api_keys
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins create api keys for their organization" ON api_keys
    FOR INSERT TO app_tenant
    WITH CHECK (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins revoke their organization's api keys" ON api_keys
    FOR UPDATE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()))
    WITH CHECK (organization_id = (SELECT app.current_org_id()));

CREATE POLICY "system syncs organizations" ON organizations
    FOR ALL TO app_system USING (true) WITH CHECK (true);
CREATE POLICY "system syncs users" ON users
    FOR ALL TO app_system USING (true) WITH CHECK (true);
CREATE POLICY "system syncs memberships" ON organization_memberships
    FOR ALL TO app_system USING (true) WITH CHECK (true);
CREATE POLICY "system records webhook events" ON webhook_events
    FOR ALL TO app_system USING (true) WITH CHECK (true);
CREATE POLICY "system resolves api keys" ON api_keys
    FOR ALL TO app_system USING (true) WITH CHECK (true);

-- migrate:down

-- This policy reads memberships, so it goes before that table.
DROP POLICY "members read the users of their organization" ON users;
DROP TABLE webhook_events;
DROP TABLE api_keys;
DROP TABLE organization_memberships;
DROP TABLE users;
DROP FUNCTION app.current_user_is_admin();
DROP TABLE organizations;
DROP TYPE membership_role;
