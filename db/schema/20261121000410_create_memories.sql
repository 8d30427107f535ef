-- migrate:up

-- The memory aggregate: memories (structured knowledge of an organization,
-- optionally of one user, agent or conversation), typed links between them,
-- and their change history.
--
-- Scope: every memory belongs to an organization; user_id, agent_id and
-- conversation_id narrow it. key is unique within that scope (NULLS NOT
-- DISTINCT: an organization-wide memory's key is unique among the
-- organization-wide ones), which is what UpsertMemoryByKey upserts on.
--
-- Visibility: a memory with user_id set is private to that user; one without
-- is shared by every member of the organization. One with a conversation
-- follows the conversation's access (app.can_access_conversation). A link is
-- visible when both its memories are. History rows copy their memory's
-- organization, user and conversation, so they are readable exactly like the
-- memory was, also after it is deleted.
--
-- History: a trigger writes memory_events (created, updated, deleted, with the
-- row before and after) for every change of a memory's content, whoever makes
-- it; reads (TouchMemory: access_count, last_accessed_at) and new vectors
-- (embedding, embedding_model) are not changes.
-- It runs as app_system: tenants never write history.
--
-- Counter: conversations.memory_count is kept by statement triggers (as
-- app_system, which may update only counters).
--
-- ON DELETE:
--   organization -> memories, links, history (cascade).
--   user -> their private memories and those memories' history (cascade).
--   agent -> the memories scoped to it (cascade); their history stays (it
--     names no agent by key).
--   conversation -> the memories scoped to it and their history (cascade).
--   memory -> its links (cascade); its history stays, ending in a deleted event.
--   user (event actor) -> actor_user_id becomes NULL.

CREATE TYPE memory_kind AS ENUM ('idea', 'decision', 'question', 'action_item', 'context', 'preference', 'fact', 'risk');
COMMENT ON TYPE memory_kind IS 'What a memory records (the collaborative session kinds of seed 002).';

CREATE TYPE memory_type AS ENUM ('episodic', 'semantic', 'procedural', 'working');
COMMENT ON TYPE memory_type IS 'How a memory is used (seed 004): episodic (an event), semantic (knowledge), procedural (how to do something), working (short-lived, for the task at hand).';

CREATE TYPE memory_link_type AS ENUM ('related', 'supports', 'contradicts', 'supersedes', 'derived_from', 'answers', 'blocks');
COMMENT ON TYPE memory_link_type IS 'How one memory relates to another, read from -> to: related, supports, contradicts, supersedes (replaces), derived_from, answers (a question), blocks (an action item).';

CREATE TYPE memory_event_kind AS ENUM ('created', 'updated', 'deleted');
COMMENT ON TYPE memory_event_kind IS 'What happened to a memory: created (after only), updated (before and after), deleted (before only).';

CREATE TABLE memories (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
    conversation_id uuid,
    kind memory_kind NOT NULL,
    memory_type memory_type NOT NULL DEFAULT 'semantic',
    key text NOT NULL CHECK (btrim(key) <> ''),
    content jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(content) = 'object'),
    tags text[] NOT NULL DEFAULT '{}',
    importance double precision NOT NULL DEFAULT 0.5 CHECK (importance >= 0 AND importance <= 1),
    decay_rate double precision NOT NULL DEFAULT 0 CHECK (decay_rate >= 0),
    access_count integer NOT NULL DEFAULT 0 CHECK (access_count >= 0),
    last_accessed_at timestamptz,
    embedding vector,
    embedding_model text CHECK (btrim(embedding_model) <> ''),
    search_vector tsvector NOT NULL GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, key) || jsonb_to_tsvector('simple'::regconfig, content, '["string"]')
    ) STORED,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memories_embedding_has_model CHECK (embedding IS NULL OR embedding_model IS NOT NULL),
    CONSTRAINT memories_key_unique_in_scope UNIQUE NULLS NOT DISTINCT (organization_id, user_id, agent_id, conversation_id, key),
    -- The target of links' (organization_id, memory) keys: links never cross organizations.
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE memories IS 'Structured knowledge: ideas, decisions, questions, facts... of an organization, optionally of one user (then private to them), agent or conversation. key is unique within that scope. Every change is recorded in memory_events by a trigger.';
COMMENT ON COLUMN memories.user_id IS 'The user the memory is private to; NULL: shared by every member of the organization.';
COMMENT ON COLUMN memories.agent_id IS 'The agent the memory belongs to; NULL: any agent''s.';
COMMENT ON COLUMN memories.conversation_id IS 'The conversation (session) the memory belongs to; NULL: beyond any one conversation.';
COMMENT ON COLUMN memories.key IS 'Caller-chosen identifier, unique within the scope (organization, user, agent, conversation), e.g. feature_carbon_tracking.';
COMMENT ON COLUMN memories.content IS 'The memory itself, a JSON object, e.g. {"decision": "...", "rationale": "..."}.';
COMMENT ON COLUMN memories.tags IS 'Free tags, searched by overlap or containment (GIN).';
COMMENT ON COLUMN memories.importance IS 'How much the memory matters, 0..1; ranking multiplies it with similarity and recency.';
COMMENT ON COLUMN memories.decay_rate IS 'How fast relevance fades, per day (0: never); recency = exp(-decay_rate * days since last access).';
COMMENT ON COLUMN memories.access_count IS 'How often the memory was used (TouchMemory).';
COMMENT ON COLUMN memories.last_accessed_at IS 'When the memory was last used (TouchMemory); NULL: never.';
COMMENT ON COLUMN memories.embedding IS 'The memory''s vector (any dimensions; NULL until embedded), of embedding_model.';
COMMENT ON COLUMN memories.embedding_model IS 'The model that produced embedding; required with it.';
COMMENT ON COLUMN memories.search_vector IS 'Full text of key and the string values of content (simple configuration), generated.';
COMMENT ON COLUMN memories.updated_at IS 'Last change of the memory (not of its access counters).';
CREATE INDEX memories_user_id_idx ON memories (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX memories_agent_idx ON memories (agent_id, organization_id) WHERE agent_id IS NOT NULL;
CREATE INDEX memories_conversation_idx ON memories (organization_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX memories_organization_kind_idx ON memories (organization_id, kind, created_at DESC, id DESC);
CREATE INDEX memories_organization_created_at_idx ON memories (organization_id, created_at DESC, id DESC);
CREATE INDEX memories_tags_idx ON memories USING gin (tags);
CREATE INDEX memories_content_idx ON memories USING gin (content jsonb_path_ops);
CREATE INDEX memories_search_vector_idx ON memories USING gin (search_vector);

CREATE TABLE memory_links (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    from_memory_id uuid NOT NULL,
    to_memory_id uuid NOT NULL,
    link_type memory_link_type NOT NULL DEFAULT 'related',
    weight double precision NOT NULL DEFAULT 1 CHECK (weight >= 0 AND weight <= 1),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT memory_links_not_to_itself CHECK (from_memory_id <> to_memory_id),
    UNIQUE (organization_id, from_memory_id, to_memory_id, link_type),
    FOREIGN KEY (organization_id, from_memory_id) REFERENCES memories (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, to_memory_id) REFERENCES memories (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE memory_links IS 'Typed links between two memories of the same organization, read from -> to. Visible when both memories are.';
COMMENT ON COLUMN memory_links.weight IS 'Strength of the link, 0..1.';
COMMENT ON COLUMN memory_links.created_by IS 'Who linked them; NULL for agents or a deleted user.';
CREATE INDEX memory_links_to_idx ON memory_links (organization_id, to_memory_id);
CREATE INDEX memory_links_created_by_idx ON memory_links (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE memory_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    memory_id uuid NOT NULL,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    conversation_id uuid,
    event memory_event_kind NOT NULL,
    before jsonb CHECK (jsonb_typeof(before) = 'object'),
    after jsonb CHECK (jsonb_typeof(after) = 'object'),
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT memory_events_images_match_event CHECK (
        CASE event
            WHEN 'created' THEN before IS NULL AND after IS NOT NULL
            WHEN 'updated' THEN before IS NOT NULL AND after IS NOT NULL
            WHEN 'deleted' THEN before IS NOT NULL AND after IS NULL
        END
    ),
    FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE memory_events IS 'Change history of memories, written only by a trigger on memories (running as app_system); tenants read it like the memory. Outlives the memory: memory_id is not a foreign key.';
COMMENT ON COLUMN memory_events.memory_id IS 'The memory changed; not a foreign key, so the history of a deleted memory stays.';
COMMENT ON COLUMN memory_events.user_id IS 'The memory''s user_id (the history is private where the memory was).';
COMMENT ON COLUMN memory_events.conversation_id IS 'The memory''s conversation_id.';
COMMENT ON COLUMN memory_events.before IS 'The memory before the change (without embedding, search vector and access counters); NULL for created.';
COMMENT ON COLUMN memory_events.after IS 'The memory after the change (without embedding, search vector and access counters); NULL for deleted.';
COMMENT ON COLUMN memory_events.actor_user_id IS 'The user whose transaction made the change (app.user_id); NULL for services, the system or a deleted user.';
CREATE INDEX memory_events_memory_idx ON memory_events (organization_id, memory_id, created_at, id);
CREATE INDEX memory_events_user_id_idx ON memory_events (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX memory_events_conversation_idx ON memory_events (organization_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX memory_events_actor_user_id_idx ON memory_events (actor_user_id) WHERE actor_user_id IS NOT NULL;

-- updated_at: only a change of the memory itself, not of its access counters.
CREATE TRIGGER memories_set_updated_at
    BEFORE UPDATE OF kind, memory_type, key, content, tags, importance, decay_rate, embedding, embedding_model ON memories
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- History. SECURITY DEFINER (owned by app_system, the only role that may
-- insert memory_events). A delete cascading from the memory's organization,
-- user or conversation records nothing: that history goes with them.
CREATE FUNCTION app.record_memory_event() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
    before_image jsonb;
    after_image jsonb;
    m record;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        before_image := to_jsonb(OLD) - '{embedding,embedding_model,search_vector,access_count,last_accessed_at,updated_at}'::text[];
    END IF;
    IF TG_OP <> 'DELETE' THEN
        after_image := to_jsonb(NEW) - '{embedding,embedding_model,search_vector,access_count,last_accessed_at,updated_at}'::text[];
    END IF;
    IF TG_OP = 'UPDATE' AND before_image = after_image THEN
        RETURN NULL;  -- a read (access counters) or a no-op
    END IF;
    IF TG_OP = 'DELETE' THEN
        m := OLD;
        IF NOT EXISTS (SELECT FROM public.organizations AS o WHERE o.id = m.organization_id)
           OR (m.user_id IS NOT NULL AND NOT EXISTS (SELECT FROM public.users AS u WHERE u.id = m.user_id))
           OR (m.conversation_id IS NOT NULL
               AND NOT EXISTS (SELECT FROM public.conversations AS c WHERE c.id = m.conversation_id)) THEN
            RETURN NULL;
        END IF;
    ELSE
        m := NEW;
    END IF;
    INSERT INTO public.memory_events (organization_id, memory_id, user_id, conversation_id, event, before, after, actor_user_id)
    VALUES (
        m.organization_id, m.id, m.user_id, m.conversation_id,
        (CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END)::public.memory_event_kind,
        before_image, after_image,
        (SELECT u.id FROM public.users AS u WHERE u.id = app.current_user_id())
    );
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.record_memory_event() IS 'AFTER INSERT/UPDATE/DELETE row trigger on memories: records the change in memory_events (unless only access counters or the vector changed, or the delete cascades from the memory''s organization, user or conversation).';
ALTER FUNCTION app.record_memory_event() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.record_memory_event() FROM PUBLIC;

CREATE TRIGGER memories_record_event AFTER INSERT OR UPDATE OR DELETE ON memories
    FOR EACH ROW EXECUTE FUNCTION app.record_memory_event();

-- Counter: statement triggers, one UPDATE per conversation and statement.
CREATE FUNCTION app.count_inserted_memories() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    UPDATE public.conversations AS c
    SET memory_count = c.memory_count + n.memories
    FROM (
        SELECT m.conversation_id, count(*) AS memories
        FROM inserted_memories AS m
        WHERE m.conversation_id IS NOT NULL
        GROUP BY m.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.count_inserted_memories() IS 'AFTER INSERT statement trigger on memories: adds the new memories to their conversations'' memory_count.';
ALTER FUNCTION app.count_inserted_memories() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.count_inserted_memories() FROM PUBLIC;

CREATE FUNCTION app.count_deleted_memories() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    -- A cascade from a deleted conversation finds no conversation row: nothing to do.
    UPDATE public.conversations AS c
    SET memory_count = c.memory_count - n.memories
    FROM (
        SELECT m.conversation_id, count(*) AS memories
        FROM deleted_memories AS m
        WHERE m.conversation_id IS NOT NULL
        GROUP BY m.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.count_deleted_memories() IS 'AFTER DELETE statement trigger on memories: subtracts the deleted memories from their conversations'' memory_count.';
ALTER FUNCTION app.count_deleted_memories() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.count_deleted_memories() FROM PUBLIC;

CREATE TRIGGER memories_count_inserted AFTER INSERT ON memories
    REFERENCING NEW TABLE AS inserted_memories
    FOR EACH STATEMENT EXECUTE FUNCTION app.count_inserted_memories();
CREATE TRIGGER memories_count_deleted AFTER DELETE ON memories
    REFERENCING OLD TABLE AS deleted_memories
    FOR EACH STATEMENT EXECUTE FUNCTION app.count_deleted_memories();

-- Grants. Tenants never move a memory to another scope (no UPDATE of its
-- keys) and never write history. app_system reads everything (triggers,
-- workers, retention), records history, and sets embeddings.
GRANT SELECT, DELETE ON memories TO app_tenant;
GRANT INSERT (
    id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, embedding, embedding_model
) ON memories TO app_tenant;
GRANT UPDATE (
    kind, memory_type, content, tags, importance, decay_rate, access_count, last_accessed_at, embedding, embedding_model
) ON memories TO app_tenant;
GRANT SELECT, DELETE ON memory_links TO app_tenant;
GRANT INSERT (organization_id, from_memory_id, to_memory_id, link_type, weight, created_by) ON memory_links TO app_tenant;
GRANT UPDATE (weight) ON memory_links TO app_tenant;
GRANT SELECT ON memory_events TO app_tenant;
GRANT SELECT ON memories, memory_links, memory_events TO app_system;
GRANT UPDATE (embedding, embedding_model) ON memories TO app_system;
GRANT INSERT ON memory_events TO app_system;

ALTER TABLE memories ENABLE ROW LEVEL SECURITY;
ALTER TABLE memories FORCE ROW LEVEL SECURITY;
ALTER TABLE memory_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_links FORCE ROW LEVEL SECURITY;
ALTER TABLE memory_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_events FORCE ROW LEVEL SECURITY;

-- memories

CREATE POLICY "members read their own and their organization's shared memories" ON memories
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "members store memories for themselves or their organization" ON memories
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
        AND (agent_id IS NULL OR agent_id IN (SELECT a.id FROM agents AS a))
    );
CREATE POLICY "members update the memories they can read" ON memories
    FOR UPDATE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members delete the memories they can read" ON memories
    FOR DELETE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "system reads every memory" ON memories
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system embeds memories" ON memories
    FOR UPDATE TO app_system
    USING (true)
    WITH CHECK (true);

-- memory_links: the memories' own policies decide (the EXISTS sub-selects
-- run under them).

CREATE POLICY "members read the links between memories they can read" ON memory_links
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = from_memory_id)
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = to_memory_id)
    );
CREATE POLICY "members link memories they can read" ON memory_links
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = from_memory_id)
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = to_memory_id)
        AND (created_by IS NULL OR created_by = (SELECT app.current_user_id()))
    );
CREATE POLICY "members reweigh links between memories they can read" ON memory_links
    FOR UPDATE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = from_memory_id)
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = to_memory_id)
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members unlink memories they can read" ON memory_links
    FOR DELETE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = from_memory_id)
        AND EXISTS (SELECT FROM memories AS m WHERE m.id = to_memory_id)
    );
CREATE POLICY "system reads every memory link" ON memory_links
    FOR SELECT TO app_system
    USING (true);

-- memory_events

CREATE POLICY "members read the history of memories they could read" ON memory_events
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (user_id IS NULL OR user_id = (SELECT app.current_user_id()))
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "system reads every memory event" ON memory_events
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system records memory events" ON memory_events
    FOR INSERT TO app_system
    WITH CHECK (true);

-- migrate:down

DROP TABLE memory_events;
DROP TABLE memory_links;
DROP TABLE memories;
DROP FUNCTION app.count_deleted_memories();
DROP FUNCTION app.count_inserted_memories();
DROP FUNCTION app.record_memory_event();
DROP TYPE memory_event_kind;
DROP TYPE memory_link_type;
DROP TYPE memory_kind;
DROP TYPE memory_type;
