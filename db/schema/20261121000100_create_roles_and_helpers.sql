-- migrate:up

-- Extensions the schema relies on: pgvector for embeddings, pg_trgm for
-- substring search that also works on Japanese text.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Roles are cluster-wide, so they may already exist (another database on the
-- same server, a re-applied migration): create them only when missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_tenant') THEN
        CREATE ROLE app_tenant NOLOGIN NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_system') THEN
        CREATE ROLE app_system NOLOGIN NOBYPASSRLS;
    END IF;
    -- The connecting role enters these with SET LOCAL ROLE.
    EXECUTE format('GRANT app_tenant, app_system TO %I', current_user);
END
$$;

COMMENT ON ROLE app_tenant IS 'Tenant requests: entered with SET LOCAL ROLE inside a transaction that sets app.org_id and app.user_id; sees only what row level security allows.';
COMMENT ON ROLE app_system IS 'Cross-tenant work (identity sync, API key lookup, retention): reaches only the tables whose policies name it.';

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Helpers that row level security policies and triggers call.';
GRANT USAGE ON SCHEMA app TO app_tenant, app_system;
GRANT USAGE ON SCHEMA public TO app_tenant, app_system;

CREATE FUNCTION app.current_org_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = ''
AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
COMMENT ON FUNCTION app.current_org_id() IS 'The tenant of this transaction (set_config(''app.org_id'', ..., true)); NULL when none is set, so policies match nothing.';

CREATE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = ''
AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
COMMENT ON FUNCTION app.current_user_id() IS 'The user of this transaction (set_config(''app.user_id'', ..., true)); NULL for service callers and when unset.';

CREATE FUNCTION app.set_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.set_updated_at() IS 'BEFORE UPDATE trigger: keeps updated_at current without relying on callers.';

GRANT EXECUTE ON FUNCTION app.current_org_id(), app.current_user_id() TO app_tenant, app_system;

-- migrate:down

DROP SCHEMA app CASCADE;
REVOKE USAGE ON SCHEMA public FROM app_tenant, app_system;
-- Other databases on the same server may still use the roles; then they stay.
DO $$
BEGIN
    DROP ROLE IF EXISTS app_tenant;
    DROP ROLE IF EXISTS app_system;
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE 'roles app_tenant/app_system kept: still used elsewhere on this server';
END
$$;
DROP EXTENSION IF EXISTS pg_trgm;
DROP EXTENSION IF EXISTS vector;
