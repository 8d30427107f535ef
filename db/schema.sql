
-- Dumped from database version 18.6
-- Dumped by pg_dump version 18.6

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA app;


--
-- Name: SCHEMA app; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA app IS 'Helpers that row level security policies and triggers call.';


--
-- Name: fn; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA fn;


--
-- Name: SCHEMA fn; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA fn IS 'Functions from db/functions/: search, retention, scoring. Re-applied by make migrate when a file changes.';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: vector; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;


--
-- Name: EXTENSION vector; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION vector IS 'vector data type and ivfflat and hnsw access methods';


--
-- Name: membership_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.membership_role AS ENUM (
    'admin',
    'member'
);


--
-- Name: TYPE membership_role; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.membership_role IS 'A member''s role in an organization; Clerk''s org:admin maps to admin, every other role to member.';


--
-- Name: current_org_id(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;


--
-- Name: FUNCTION current_org_id(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.current_org_id() IS 'The tenant of this transaction (set_config(''app.org_id'', ..., true)); NULL when none is set, so policies match nothing.';


--
-- Name: current_user_id(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;


--
-- Name: FUNCTION current_user_id(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.current_user_id() IS 'The user of this transaction (set_config(''app.user_id'', ..., true)); NULL for service callers and when unset.';


--
-- Name: current_user_is_admin(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.current_user_is_admin() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
    SELECT EXISTS (
        SELECT FROM public.organization_memberships m
        WHERE m.organization_id = app.current_org_id()
          AND m.user_id = app.current_user_id()
          AND m.role = 'admin'
    )
$$;


--
-- Name: FUNCTION current_user_is_admin(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.current_user_is_admin() IS 'Whether the current user is an admin of the current organization, read from memberships (not from the token) so a demotion counts at once.';


--
-- Name: set_updated_at(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;


--
-- Name: FUNCTION set_updated_at(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.set_updated_at() IS 'BEFORE UPDATE trigger: keeps updated_at current without relying on callers.';


--
-- Name: resolve_api_key(bytea); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.resolve_api_key(p_key_hash bytea) RETURNS TABLE(api_key_id uuid, organization_id uuid, scopes text[])
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
    WITH key AS (
        SELECT k.id, k.organization_id, k.scopes, k.last_used_at
        FROM public.api_keys AS k
        JOIN public.organizations AS o ON o.id = k.organization_id
        WHERE k.key_hash = p_key_hash
          AND k.revoked_at IS NULL
          AND o.deleted_at IS NULL
    ), touched AS (
        UPDATE public.api_keys AS k
        SET last_used_at = now()
        FROM key
        WHERE k.id = key.id
          AND (key.last_used_at IS NULL OR key.last_used_at < now() - interval '1 minute')
    )
    SELECT key.id, key.organization_id, key.scopes FROM key
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    key_hash bytea NOT NULL,
    scopes text[] DEFAULT '{}'::text[] NOT NULL,
    created_by uuid,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_keys_key_hash_check CHECK ((length(key_hash) = 32)),
    CONSTRAINT api_keys_name_check CHECK ((name <> ''::text))
);

ALTER TABLE ONLY public.api_keys FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE api_keys; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.api_keys IS 'Organization-scoped keys for service callers. Only the SHA-256 of the secret is stored; the secret is shown once.';


--
-- Name: COLUMN api_keys.prefix; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.api_keys.prefix IS 'The first characters of the key, shown in lists so people can tell keys apart.';


--
-- Name: organization_memberships; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organization_memberships (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.membership_role DEFAULT 'member'::public.membership_role NOT NULL,
    clerk_membership_id text,
    clerk_updated_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.organization_memberships FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE organization_memberships; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.organization_memberships IS 'Who belongs to which organization, with which role. Removing the row removes access on the next request.';


--
-- Name: organizations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    clerk_org_id text NOT NULL,
    name text NOT NULL,
    slug text,
    image_url text,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    clerk_updated_at timestamp with time zone,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organizations_name_check CHECK ((name <> ''::text)),
    CONSTRAINT organizations_settings_check CHECK ((jsonb_typeof(settings) = 'object'::text))
);

ALTER TABLE ONLY public.organizations FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE organizations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.organizations IS 'Tenants, synced from Clerk organizations. A deleted organization keeps its row as a tombstone (deleted_at) so a late webhook cannot bring it back.';


--
-- Name: COLUMN organizations.settings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organizations.settings IS 'Per-organization settings, e.g. {"retention_days": 30}.';


--
-- Name: COLUMN organizations.clerk_updated_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organizations.clerk_updated_at IS 'updated_at of the Clerk payload last applied; older events are ignored.';


--
-- Name: schema_functions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_functions (
    filename text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    clerk_user_id text NOT NULL,
    email text,
    name text,
    image_url text,
    clerk_updated_at timestamp with time zone,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE users; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.users IS 'People, synced from Clerk users. A user may belong to several organizations.';


--
-- Name: COLUMN users.email; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.users.email IS 'The primary email address in Clerk.';


--
-- Name: webhook_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    svix_id text NOT NULL,
    type text NOT NULL,
    payload jsonb NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    processed_at timestamp with time zone,
    error text
);

ALTER TABLE ONLY public.webhook_events FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE webhook_events; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.webhook_events IS 'Inbox of Clerk webhook deliveries: one row per svix-id, for idempotency and audit.';


--
-- Name: api_keys api_keys_key_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: organization_memberships organization_memberships_clerk_membership_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_memberships
    ADD CONSTRAINT organization_memberships_clerk_membership_id_key UNIQUE (clerk_membership_id);


--
-- Name: organization_memberships organization_memberships_organization_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_memberships
    ADD CONSTRAINT organization_memberships_organization_id_user_id_key UNIQUE (organization_id, user_id);


--
-- Name: organization_memberships organization_memberships_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_memberships
    ADD CONSTRAINT organization_memberships_pkey PRIMARY KEY (id);


--
-- Name: organizations organizations_clerk_org_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_clerk_org_id_key UNIQUE (clerk_org_id);


--
-- Name: organizations organizations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);


--
-- Name: schema_functions schema_functions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_functions
    ADD CONSTRAINT schema_functions_pkey PRIMARY KEY (filename);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: users users_clerk_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_clerk_user_id_key UNIQUE (clerk_user_id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: webhook_events webhook_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id);


--
-- Name: webhook_events webhook_events_svix_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_events
    ADD CONSTRAINT webhook_events_svix_id_key UNIQUE (svix_id);


--
-- Name: api_keys_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_created_by_idx ON public.api_keys USING btree (created_by);


--
-- Name: api_keys_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_organization_id_idx ON public.api_keys USING btree (organization_id);


--
-- Name: organization_memberships_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organization_memberships_user_id_idx ON public.organization_memberships USING btree (user_id);


--
-- Name: webhook_events_processed_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_processed_at_idx ON public.webhook_events USING btree (processed_at);


--
-- Name: organization_memberships organization_memberships_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER organization_memberships_set_updated_at BEFORE UPDATE ON public.organization_memberships FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: organizations organizations_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER organizations_set_updated_at BEFORE UPDATE ON public.organizations FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: users users_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: api_keys api_keys_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: api_keys api_keys_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: organization_memberships organization_memberships_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_memberships
    ADD CONSTRAINT organization_memberships_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: organization_memberships organization_memberships_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_memberships
    ADD CONSTRAINT organization_memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: api_keys admins create api keys for their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins create api keys for their organization" ON public.api_keys FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: api_keys admins read their organization's api keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read their organization's api keys" ON public.api_keys FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: api_keys admins revoke their organization's api keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins revoke their organization's api keys" ON public.api_keys FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: api_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: users members read the users of their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the users of their organization" ON public.users FOR SELECT TO app_tenant USING (((id = ( SELECT app.current_user_id() AS current_user_id)) OR (id IN ( SELECT m.user_id
   FROM public.organization_memberships m
  WHERE (m.organization_id = ( SELECT app.current_org_id() AS current_org_id))))));


--
-- Name: organization_memberships members read their organization's memberships; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's memberships" ON public.organization_memberships FOR SELECT TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: organizations members read their own organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their own organization" ON public.organizations FOR SELECT TO app_tenant USING (((id = ( SELECT app.current_org_id() AS current_org_id)) AND (deleted_at IS NULL)));


--
-- Name: organization_memberships; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.organization_memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: organizations; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_events system records webhook events; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records webhook events" ON public.webhook_events TO app_system USING (true) WITH CHECK (true);


--
-- Name: api_keys system resolves api keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system resolves api keys" ON public.api_keys TO app_system USING (true) WITH CHECK (true);


--
-- Name: organization_memberships system syncs memberships; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system syncs memberships" ON public.organization_memberships TO app_system USING (true) WITH CHECK (true);


--
-- Name: organizations system syncs organizations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system syncs organizations" ON public.organizations TO app_system USING (true) WITH CHECK (true);


--
-- Name: users system syncs users; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system syncs users" ON public.users TO app_system USING (true) WITH CHECK (true);


--
-- Name: users; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_events; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.webhook_events ENABLE ROW LEVEL SECURITY;

--
-- PostgreSQL database dump complete
--



--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261121000100'),
    ('20261121000200');
