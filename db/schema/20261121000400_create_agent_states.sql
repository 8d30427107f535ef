-- migrate:up

-- The agent state aggregate: the current state of an agent for a user (or
-- the whole organization), in a scope, optionally within one conversation,
-- and its checkpoints (recovery points).
--
-- Concurrency: version is optimistic. Every change of state increments it (a
-- trigger does it, so no writer can forget); writers update WHERE version =
-- the version they read, and of two concurrent writers from one version
-- exactly one matches. state_hash is computed by the database (a generated
-- column), so a restored state carries exactly the hash it had.
--
-- Visibility: a state or checkpoint with user_id set is private to that user;
-- one without is shared by every member of the organization. One with a
-- conversation follows the conversation's access (app.can_access_conversation).
-- Checkpoints copy organization_id, user_id and conversation_id from their
-- state (a trigger), so their policies need no join.
--
-- Auto checkpoints are pruned past the organization's limit
-- (organizations.settings->'max_auto_checkpoints', default 20) by a trigger on
-- insert; manual and pre_restore checkpoints are kept until deleted or expired.
--
-- ON DELETE:
--   organization -> its states -> their checkpoints (cascade).
--   user -> their private states and checkpoints (cascade).
--   agent -> its states and checkpoints (cascade: state of an agent that no
--     longer exists means nothing).
--   conversation -> the states scoped to it and their checkpoints (cascade).
--   state -> its checkpoints (cascade).
--   user (checkpoint creator) -> created_by becomes NULL.

CREATE TYPE agent_state_scope AS ENUM ('local', 'shared', 'session', 'persistent');
COMMENT ON TYPE agent_state_scope IS 'local: the agent''s own working state. shared: state other agents may read. session: state of one conversation (conversation_id required). persistent: long-term state across sessions.';

CREATE TYPE checkpoint_kind AS ENUM ('auto', 'manual', 'pre_restore');
COMMENT ON TYPE checkpoint_kind IS 'auto: taken by the system, pruned past the organization''s max_auto_checkpoints. manual: taken on request, kept. pre_restore: the state just before a restore, so a restore can be undone.';

-- sha256 of a jsonb value's text: jsonb prints canonically (keys sorted and
-- unique, fixed spacing), so equal documents hash equally. convert_to is only
-- STABLE in the catalog (encoding conversions), but the database encoding
-- never changes, so this is immutable and may feed a generated column.
CREATE FUNCTION app.jsonb_sha256(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$ SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(value::text, 'UTF8')), 'hex') $$;
COMMENT ON FUNCTION app.jsonb_sha256(jsonb) IS 'Lower-case hex SHA-256 of the canonical text of a jsonb value (jsonb sorts keys and normalises spacing).';

CREATE TABLE agent_states (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    scope agent_state_scope NOT NULL,
    conversation_id uuid,
    state jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(state) = 'object'),
    state_hash text NOT NULL GENERATED ALWAYS AS (app.jsonb_sha256(state)) STORED,
    version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_states_session_scope_has_conversation CHECK (scope <> 'session' OR conversation_id IS NOT NULL),
    -- One current state per key; an organization-wide state (user_id NULL) or
    -- one outside a conversation is a key like any other.
    CONSTRAINT agent_states_key UNIQUE NULLS NOT DISTINCT (organization_id, user_id, agent_id, scope, conversation_id),
    FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE agent_states IS 'Current state of an agent per (organization, user, agent, scope, conversation). Optimistic concurrency by version; state_hash computed by the database.';
COMMENT ON COLUMN agent_states.user_id IS 'The user the state is private to; NULL: shared by every member of the organization.';
COMMENT ON COLUMN agent_states.conversation_id IS 'The conversation the state belongs to (required for scope session); NULL outside any conversation.';
COMMENT ON COLUMN agent_states.state IS 'The state document (a JSON object).';
COMMENT ON COLUMN agent_states.state_hash IS 'Lower-case hex SHA-256 of the canonical JSON of state, generated.';
COMMENT ON COLUMN agent_states.version IS 'Starts at 1, incremented by a trigger on every change of state; writers pass the version they read (optimistic concurrency).';
COMMENT ON COLUMN agent_states.updated_at IS 'Last change of state; retention expires states by it.';
CREATE INDEX agent_states_user_id_idx ON agent_states (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX agent_states_agent_idx ON agent_states (agent_id, organization_id);
CREATE INDEX agent_states_conversation_idx ON agent_states (organization_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX agent_states_updated_at_idx ON agent_states (updated_at);

CREATE TABLE state_checkpoints (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    agent_state_id uuid NOT NULL REFERENCES agent_states (id) ON DELETE CASCADE,
    user_id uuid,
    conversation_id uuid,
    kind checkpoint_kind NOT NULL,
    label text CHECK (btrim(label) <> ''),
    state jsonb NOT NULL CHECK (jsonb_typeof(state) = 'object'),
    state_hash text NOT NULL GENERATED ALWAYS AS (app.jsonb_sha256(state)) STORED,
    version bigint NOT NULL CHECK (version >= 1),
    restorable boolean NOT NULL DEFAULT true,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE state_checkpoints IS 'Recovery points of an agent state: a copy of state and version at a moment. Restoring one writes a pre_restore checkpoint first. Written and pruned by the database; tenants only label, mark restorable or delete them.';
COMMENT ON COLUMN state_checkpoints.organization_id IS 'Copied from the state by a trigger (never from the caller).';
COMMENT ON COLUMN state_checkpoints.user_id IS 'Copied from the state by a trigger: the checkpoint is private where the state is. Not a foreign key: the state''s own keys cascade.';
COMMENT ON COLUMN state_checkpoints.conversation_id IS 'Copied from the state by a trigger; not a foreign key (the state''s own key cascades).';
COMMENT ON COLUMN state_checkpoints.label IS 'Optional name, e.g. "before import".';
COMMENT ON COLUMN state_checkpoints.state_hash IS 'SHA-256 of the canonical JSON of state, generated; equals the state''s hash at the time.';
COMMENT ON COLUMN state_checkpoints.version IS 'The state''s version when the checkpoint was taken.';
COMMENT ON COLUMN state_checkpoints.restorable IS 'false: kept for the record but refused by RestoreCheckpoint.';
COMMENT ON COLUMN state_checkpoints.created_by IS 'The user who took it (NULL for auto checkpoints by the system or a deleted user).';
CREATE INDEX state_checkpoints_state_created_at_idx ON state_checkpoints (agent_state_id, created_at DESC, id DESC);
CREATE INDEX state_checkpoints_organization_user_idx ON state_checkpoints (organization_id, user_id);
CREATE INDEX state_checkpoints_auto_idx ON state_checkpoints (agent_state_id, created_at DESC) WHERE kind = 'auto';
CREATE INDEX state_checkpoints_created_at_idx ON state_checkpoints (created_at);
CREATE INDEX state_checkpoints_created_by_idx ON state_checkpoints (created_by) WHERE created_by IS NOT NULL;

-- Version and updated_at: every change of state is a new version.
CREATE FUNCTION app.bump_agent_state_version() RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.bump_agent_state_version() IS 'BEFORE UPDATE OF state trigger on agent_states: increments version and sets updated_at.';

CREATE TRIGGER agent_states_bump_version BEFORE UPDATE OF state ON agent_states
    FOR EACH ROW EXECUTE FUNCTION app.bump_agent_state_version();

-- A checkpoint belongs where its state does: the keys the policies decide on
-- come from the state, never from the caller. SECURITY DEFINER (owned by
-- app_system, which reads every state) so the copy is the truth even when the
-- caller cannot see the state; the policy then refuses the row.
CREATE FUNCTION app.copy_checkpoint_state_keys() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    s record;
BEGIN
    SELECT a.organization_id, a.user_id, a.conversation_id INTO s
    FROM public.agent_states AS a
    WHERE a.id = NEW.agent_state_id;
    IF FOUND THEN
        NEW.organization_id := s.organization_id;
        NEW.user_id := s.user_id;
        NEW.conversation_id := s.conversation_id;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.copy_checkpoint_state_keys() IS 'BEFORE INSERT trigger on state_checkpoints: copies organization_id, user_id and conversation_id from the agent state.';
ALTER FUNCTION app.copy_checkpoint_state_keys() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.copy_checkpoint_state_keys() FROM PUBLIC;

CREATE TRIGGER state_checkpoints_copy_state_keys BEFORE INSERT ON state_checkpoints
    FOR EACH ROW EXECUTE FUNCTION app.copy_checkpoint_state_keys();

-- Pruning: after an auto checkpoint, keep only the newest
-- max_auto_checkpoints auto checkpoints of that state. Runs as app_system (the
-- caller may not delete checkpoints, nor read organizations.settings of
-- every kind).
CREATE FUNCTION app.prune_auto_checkpoints() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    keep integer;
BEGIN
    SELECT CASE
               WHEN jsonb_typeof(o.settings -> 'max_auto_checkpoints') = 'number'
               THEN greatest(floor((o.settings ->> 'max_auto_checkpoints')::numeric), 0)::integer
           END
    INTO keep
    FROM public.organizations AS o
    WHERE o.id = NEW.organization_id;
    keep := coalesce(keep, 20);
    DELETE FROM public.state_checkpoints AS c
    WHERE c.id IN (
        SELECT prev.id FROM public.state_checkpoints AS prev
        WHERE prev.agent_state_id = NEW.agent_state_id
          AND prev.kind = 'auto'
        ORDER BY prev.created_at DESC, prev.id DESC
        OFFSET keep
    );
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.prune_auto_checkpoints() IS 'AFTER INSERT row trigger on state_checkpoints (auto only): deletes the state''s auto checkpoints past organizations.settings->''max_auto_checkpoints'' (default 20).';
ALTER FUNCTION app.prune_auto_checkpoints() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.prune_auto_checkpoints() FROM PUBLIC;

CREATE TRIGGER state_checkpoints_prune_auto AFTER INSERT ON state_checkpoints
    FOR EACH ROW
    WHEN (NEW.kind = 'auto')
    EXECUTE FUNCTION app.prune_auto_checkpoints();

-- Grants. Tenants never write version, hash, timestamps or a state's keys
-- after creation; checkpoints are copies, only labelled, marked or deleted.
-- app_system reads everything (triggers, workers), deletes for retention and
-- pruning.
GRANT SELECT, DELETE ON agent_states TO app_tenant;
GRANT INSERT (organization_id, user_id, agent_id, scope, conversation_id, state) ON agent_states TO app_tenant;
GRANT UPDATE (state) ON agent_states TO app_tenant;
GRANT SELECT, DELETE ON state_checkpoints TO app_tenant;
GRANT INSERT (organization_id, agent_state_id, user_id, conversation_id, kind, label, state, version, restorable, created_by)
    ON state_checkpoints TO app_tenant;
GRANT UPDATE (label, restorable) ON state_checkpoints TO app_tenant;
GRANT SELECT, DELETE ON agent_states, state_checkpoints TO app_system;
GRANT INSERT ON state_checkpoints TO app_system;

ALTER TABLE agent_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_states FORCE ROW LEVEL SECURITY;
ALTER TABLE state_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE state_checkpoints FORCE ROW LEVEL SECURITY;

-- agent_states

CREATE POLICY "members read their own and their organization's shared agent states" ON agent_states
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "members create agent states for themselves or their organization with agents they may use" ON agent_states
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
        AND agent_id IN (SELECT a.id FROM agents AS a)
    );
CREATE POLICY "members write the agent states they can read" ON agent_states
    FOR UPDATE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members delete the agent states they can read" ON agent_states
    FOR DELETE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "system reads every agent state" ON agent_states
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system deletes expired agent states" ON agent_states
    FOR DELETE TO app_system
    USING (true);

-- state_checkpoints

CREATE POLICY "members read the checkpoints of agent states they can read" ON state_checkpoints
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "members checkpoint the agent states they can read" ON state_checkpoints
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
        AND (created_by IS NULL OR created_by = (SELECT app.current_user_id()))
    );
CREATE POLICY "members label the checkpoints they can read" ON state_checkpoints
    FOR UPDATE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members delete the checkpoints they can read" ON state_checkpoints
    FOR DELETE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "system reads every checkpoint" ON state_checkpoints
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system records checkpoints" ON state_checkpoints
    FOR INSERT TO app_system
    WITH CHECK (true);
CREATE POLICY "system prunes and expires checkpoints" ON state_checkpoints
    FOR DELETE TO app_system
    USING (true);

-- migrate:down

DROP TABLE state_checkpoints;
DROP TABLE agent_states;
DROP FUNCTION app.prune_auto_checkpoints();
DROP FUNCTION app.copy_checkpoint_state_keys();
DROP FUNCTION app.bump_agent_state_version();
DROP FUNCTION app.jsonb_sha256(jsonb);
DROP TYPE checkpoint_kind;
DROP TYPE agent_state_scope;
