-- migrate:up

-- The agents aggregate: agents (platform-wide or owned by an organization),
-- their knowledge sources and quick tasks, and organization_agents, which
-- grants organizations access to agents they do not own.
--
-- Who sees an agent (policy "members read the agents their organization may use"):
--   * its owning organization (agents.organization_id);
--   * every organization when it is public;
--   * organizations with an enabled grant in organization_agents.
-- Hidden agents are readable by id under those rules; the list query leaves
-- them out. Only admins of the owning organization change an agent, its
-- knowledge sources, quick tasks and grants; platform agents
-- (organization_id NULL) are changed only by app_system (the operator).
--
-- ON DELETE: deleting an organization deletes the agents it owns and every
-- grant to or of it; deleting an agent deletes its knowledge sources, quick
-- tasks and grants; deleting a user only clears created_by/granted_by.

CREATE TYPE agent_type AS ENUM (
    'stock_analysis', 'ringi_system', 'bpp_assistant', 'generic_chat', 'custom',
    'it_support', 'sales', 'hr', 'research'
);
COMMENT ON TYPE agent_type IS 'What an agent is for; custom is an organization''s own kind.';

CREATE TYPE agent_visibility AS ENUM ('public', 'private', 'hidden');
COMMENT ON TYPE agent_visibility IS 'public: every organization sees and uses it. private: its owning organization and the organizations granted access in organization_agents. hidden: as private, but left out of agent lists (usable by id where access exists).';

CREATE TYPE agent_status AS ENUM ('active', 'inactive', 'maintenance');
COMMENT ON TYPE agent_status IS 'Whether an agent takes work: active, inactive (switched off), maintenance (temporarily unavailable).';

CREATE TYPE knowledge_source_type AS ENUM ('file', 'folder', 'url', 'database', 'api');
COMMENT ON TYPE knowledge_source_type IS 'Where an agent''s RAG knowledge comes from.';

CREATE TABLE agents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    -- persona
    name text NOT NULL CHECK (btrim(name) <> ''),
    description text,
    instructions text,
    model_config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(model_config) = 'object'),
    -- knowledge
    rag_enabled boolean NOT NULL DEFAULT false,
    embedding_model text CHECK (btrim(embedding_model) <> ''),
    embedding_dims integer CHECK (embedding_dims > 0 AND embedding_dims <= 16000),
    -- tasks
    capabilities text[] NOT NULL DEFAULT '{}',
    scheduling_config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scheduling_config) = 'object'),
    -- visibility and identity
    visibility agent_visibility NOT NULL DEFAULT 'private',
    type agent_type NOT NULL,
    status agent_status NOT NULL DEFAULT 'active',
    version text NOT NULL DEFAULT '1.0.0' CHECK (btrim(version) <> ''),
    icon_url text,
    metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agents_embedding_model_and_dims_together CHECK ((embedding_model IS NULL) = (embedding_dims IS NULL))
);
COMMENT ON TABLE agents IS 'AI agents: persona, knowledge (RAG) settings, tasks and visibility. organization_id NULL is a platform agent, managed by the operator (app_system); otherwise the owning organization''s admins manage it.';
COMMENT ON COLUMN agents.organization_id IS 'The owning organization; NULL for a platform agent. Never changes (tenants have no UPDATE privilege on it, app_system may only keep it NULL).';
COMMENT ON COLUMN agents.instructions IS 'The system prompt.';
COMMENT ON COLUMN agents.model_config IS 'Model selection and parameters, e.g. {"provider": "openai", "model": "gpt-4o", "temperature": 0.7}.';
COMMENT ON COLUMN agents.embedding_model IS 'The embedding model of this agent''s knowledge; set together with embedding_dims.';
COMMENT ON COLUMN agents.embedding_dims IS 'Dimensions of embedding_model''s vectors (1..16000, pgvector''s limit).';
COMMENT ON COLUMN agents.capabilities IS 'What the agent can do, e.g. {troubleshooting,scheduling}.';
COMMENT ON COLUMN agents.scheduling_config IS 'Scheduling capabilities, e.g. {"enabled": true, "timezone": "UTC"}.';
COMMENT ON COLUMN agents.version IS 'Version label of the agent''s configuration (free text, e.g. 1.0.0).';
CREATE INDEX agents_organization_id_idx ON agents (organization_id);
CREATE INDEX agents_created_by_idx ON agents (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE organization_agents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    agent_organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    enabled boolean NOT NULL DEFAULT true,
    visibility_override agent_visibility,
    config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, agent_id)
);
COMMENT ON TABLE organization_agents IS 'An organization''s access to an agent it does not own (private and hidden agents are usable only through an enabled grant), with its own settings. Granted by the owning organization''s admins, or by app_system for platform agents; the grantee''s admins may configure or drop it.';
COMMENT ON COLUMN organization_agents.organization_id IS 'The organization granted access (the grantee).';
COMMENT ON COLUMN organization_agents.agent_organization_id IS 'The agent''s owning organization (NULL for a platform agent), copied from agents by a trigger so the owner''s policies need no join.';
COMMENT ON COLUMN organization_agents.enabled IS 'A disabled grant gives no access to a non-public agent and hides a public one from the grantee''s lists.';
COMMENT ON COLUMN organization_agents.visibility_override IS 'How the grantee lists the agent (e.g. hidden), instead of the agent''s own visibility; NULL keeps it.';
COMMENT ON COLUMN organization_agents.config IS 'Organization-specific agent settings.';
CREATE INDEX organization_agents_agent_id_idx ON organization_agents (agent_id);
CREATE INDEX organization_agents_agent_organization_id_idx ON organization_agents (agent_organization_id);
CREATE INDEX organization_agents_granted_by_idx ON organization_agents (granted_by) WHERE granted_by IS NOT NULL;

CREATE TABLE agent_knowledge_sources (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    source_type knowledge_source_type NOT NULL,
    source_path text NOT NULL CHECK (btrim(source_path) <> ''),
    source_name text NOT NULL CHECK (btrim(source_name) <> ''),
    enabled boolean NOT NULL DEFAULT true,
    metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    last_synced_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, source_path)
);
COMMENT ON TABLE agent_knowledge_sources IS 'Where an agent''s RAG knowledge comes from; one row per agent and path. Read by the owning organization''s members, changed by its admins.';
COMMENT ON COLUMN agent_knowledge_sources.organization_id IS 'The agent''s owning organization, copied from agents by a trigger; NULL for a platform agent''s sources (operator-managed, not visible to tenants).';
COMMENT ON COLUMN agent_knowledge_sources.source_path IS 'File or folder path, URL, connection or endpoint name; unique per agent.';
COMMENT ON COLUMN agent_knowledge_sources.last_synced_at IS 'When the source was last ingested into embeddings.';
CREATE INDEX agent_knowledge_sources_organization_id_idx ON agent_knowledge_sources (organization_id);

CREATE TABLE agent_quick_tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (btrim(title) <> ''),
    prompt text NOT NULL CHECK (btrim(prompt) <> ''),
    category text,
    icon text,
    order_index integer NOT NULL DEFAULT 0 CHECK (order_index >= 0),
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE agent_quick_tasks IS 'Pre-written prompts shown with an agent. Readable wherever the agent is; changed by the owning organization''s admins.';
COMMENT ON COLUMN agent_quick_tasks.organization_id IS 'The agent''s owning organization, copied from agents by a trigger; NULL for a platform agent''s quick tasks.';
COMMENT ON COLUMN agent_quick_tasks.order_index IS 'Display position, ascending.';
CREATE INDEX agent_quick_tasks_agent_id_order_idx ON agent_quick_tasks (agent_id, order_index, id);
CREATE INDEX agent_quick_tasks_organization_id_idx ON agent_quick_tasks (organization_id);

CREATE TRIGGER agents_set_updated_at BEFORE UPDATE ON agents
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER organization_agents_set_updated_at BEFORE UPDATE ON organization_agents
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER agent_knowledge_sources_set_updated_at BEFORE UPDATE ON agent_knowledge_sources
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER agent_quick_tasks_set_updated_at BEFORE UPDATE ON agent_quick_tasks
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- The owning organization of a child row comes from the agent itself, never
-- from the caller: policies decide on it. SECURITY DEFINER (owned by
-- app_system, which reads every agent) so the value is the truth even when the
-- caller cannot see the agent; the policy then refuses the row.
CREATE FUNCTION app.copy_agent_organization() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    NEW.organization_id := (SELECT a.organization_id FROM public.agents AS a WHERE a.id = NEW.agent_id);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.copy_agent_organization() IS 'BEFORE INSERT/UPDATE OF agent_id trigger: sets organization_id to the agent''s owning organization.';
ALTER FUNCTION app.copy_agent_organization() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.copy_agent_organization() FROM PUBLIC;

CREATE FUNCTION app.copy_granted_agent_organization() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    NEW.agent_organization_id := (SELECT a.organization_id FROM public.agents AS a WHERE a.id = NEW.agent_id);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.copy_granted_agent_organization() IS 'BEFORE INSERT/UPDATE OF agent_id trigger on organization_agents: sets agent_organization_id to the agent''s owning organization.';
ALTER FUNCTION app.copy_granted_agent_organization() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.copy_granted_agent_organization() FROM PUBLIC;

CREATE TRIGGER agent_knowledge_sources_copy_agent_organization BEFORE INSERT OR UPDATE OF agent_id ON agent_knowledge_sources
    FOR EACH ROW EXECUTE FUNCTION app.copy_agent_organization();
CREATE TRIGGER agent_quick_tasks_copy_agent_organization BEFORE INSERT OR UPDATE OF agent_id ON agent_quick_tasks
    FOR EACH ROW EXECUTE FUNCTION app.copy_agent_organization();
CREATE TRIGGER organization_agents_copy_agent_organization BEFORE INSERT OR UPDATE OF agent_id ON organization_agents
    FOR EACH ROW EXECUTE FUNCTION app.copy_granted_agent_organization();

-- Grants. Tenants never change an agent's owner or a child row's agent; the
-- policies decide which rows. app_system is the operator: platform agents and
-- their grants, and reads for the workers.
GRANT SELECT, INSERT, DELETE ON agents TO app_tenant;
GRANT UPDATE (
    name, description, instructions, model_config, rag_enabled, embedding_model, embedding_dims,
    capabilities, scheduling_config, visibility, type, status, version, icon_url, metadata
) ON agents TO app_tenant;
GRANT SELECT, INSERT, DELETE ON organization_agents TO app_tenant;
GRANT UPDATE (enabled, visibility_override, config) ON organization_agents TO app_tenant;
GRANT SELECT, INSERT, DELETE ON agent_knowledge_sources TO app_tenant;
GRANT UPDATE (source_type, source_name, enabled, metadata, last_synced_at) ON agent_knowledge_sources TO app_tenant;
GRANT SELECT, INSERT, DELETE ON agent_quick_tasks TO app_tenant;
GRANT UPDATE (title, prompt, category, icon, order_index, enabled) ON agent_quick_tasks TO app_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON agents, organization_agents, agent_knowledge_sources, agent_quick_tasks TO app_system;

ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents FORCE ROW LEVEL SECURITY;
ALTER TABLE organization_agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_agents FORCE ROW LEVEL SECURITY;
ALTER TABLE agent_knowledge_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_knowledge_sources FORCE ROW LEVEL SECURITY;
ALTER TABLE agent_quick_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_quick_tasks FORCE ROW LEVEL SECURITY;

-- agents

CREATE POLICY "members read the agents their organization may use" ON agents
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        OR (visibility = 'public' AND (SELECT app.current_org_id()) IS NOT NULL)
        OR id IN (
            SELECT g.agent_id FROM organization_agents AS g
            WHERE g.organization_id = (SELECT app.current_org_id())
              AND g.enabled
        )
    );
CREATE POLICY "admins create agents for their organization" ON agents
    FOR INSERT TO app_tenant
    WITH CHECK (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins update their organization's agents" ON agents
    FOR UPDATE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()))
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "admins delete their organization's agents" ON agents
    FOR DELETE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "system reads every agent" ON agents
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system manages platform agents" ON agents
    FOR ALL TO app_system
    USING (organization_id IS NULL)
    WITH CHECK (organization_id IS NULL);

-- organization_agents

CREATE POLICY "members read their organization's agent grants" ON organization_agents
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "admins read the grants of their organization's agents" ON organization_agents
    FOR SELECT TO app_tenant
    USING (agent_organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins grant their organization's agents to organizations" ON organization_agents
    FOR INSERT TO app_tenant
    WITH CHECK (agent_organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins configure grants of or to their organization" ON organization_agents
    FOR UPDATE TO app_tenant
    USING (
        (organization_id = (SELECT app.current_org_id()) OR agent_organization_id = (SELECT app.current_org_id()))
        AND (SELECT app.current_user_is_admin())
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()) OR agent_organization_id = (SELECT app.current_org_id()));
CREATE POLICY "admins revoke grants of or to their organization" ON organization_agents
    FOR DELETE TO app_tenant
    USING (
        (organization_id = (SELECT app.current_org_id()) OR agent_organization_id = (SELECT app.current_org_id()))
        AND (SELECT app.current_user_is_admin())
    );
CREATE POLICY "system manages agent grants" ON organization_agents
    FOR ALL TO app_system
    USING (true)
    WITH CHECK (true);

-- agent_knowledge_sources

CREATE POLICY "members read their organization's knowledge sources" ON agent_knowledge_sources
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "admins add knowledge sources to their organization's agents" ON agent_knowledge_sources
    FOR INSERT TO app_tenant
    WITH CHECK (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins update their organization's knowledge sources" ON agent_knowledge_sources
    FOR UPDATE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()))
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "admins remove their organization's knowledge sources" ON agent_knowledge_sources
    FOR DELETE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "system manages knowledge sources" ON agent_knowledge_sources
    FOR ALL TO app_system
    USING (true)
    WITH CHECK (true);

-- agent_quick_tasks: readable wherever the agent is (the agents policy decides).

CREATE POLICY "members read the quick tasks of agents they may use" ON agent_quick_tasks
    FOR SELECT TO app_tenant
    USING (agent_id IN (SELECT a.id FROM agents AS a));
CREATE POLICY "admins add quick tasks to their organization's agents" ON agent_quick_tasks
    FOR INSERT TO app_tenant
    WITH CHECK (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "admins update their organization's quick tasks" ON agent_quick_tasks
    FOR UPDATE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()))
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "admins remove their organization's quick tasks" ON agent_quick_tasks
    FOR DELETE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND (SELECT app.current_user_is_admin()));
CREATE POLICY "system manages quick tasks" ON agent_quick_tasks
    FOR ALL TO app_system
    USING (true)
    WITH CHECK (true);

-- migrate:down

-- The agents policy reads organization_agents, so it goes before that table.
DROP POLICY "members read the agents their organization may use" ON agents;
DROP TABLE agent_quick_tasks;
DROP TABLE agent_knowledge_sources;
DROP TABLE organization_agents;
DROP TABLE agents;
DROP FUNCTION app.copy_granted_agent_organization();
DROP FUNCTION app.copy_agent_organization();
DROP TYPE knowledge_source_type;
DROP TYPE agent_status;
DROP TYPE agent_visibility;
DROP TYPE agent_type;
