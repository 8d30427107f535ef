
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
-- Name: agent_state_scope; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.agent_state_scope AS ENUM (
    'local',
    'shared',
    'session',
    'persistent'
);


--
-- Name: TYPE agent_state_scope; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.agent_state_scope IS 'local: the agent''s own working state. shared: state other agents may read. session: state of one conversation (conversation_id required). persistent: long-term state across sessions.';


--
-- Name: agent_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.agent_status AS ENUM (
    'active',
    'inactive',
    'maintenance'
);


--
-- Name: TYPE agent_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.agent_status IS 'Whether an agent takes work: active, inactive (switched off), maintenance (temporarily unavailable).';


--
-- Name: agent_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.agent_type AS ENUM (
    'stock_analysis',
    'ringi_system',
    'bpp_assistant',
    'generic_chat',
    'custom',
    'it_support',
    'sales',
    'hr',
    'research'
);


--
-- Name: TYPE agent_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.agent_type IS 'What an agent is for; custom is an organization''s own kind.';


--
-- Name: agent_visibility; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.agent_visibility AS ENUM (
    'public',
    'private',
    'hidden'
);


--
-- Name: TYPE agent_visibility; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.agent_visibility IS 'public: every organization sees and uses it. private: its owning organization and the organizations granted access in organization_agents. hidden: as private, but left out of agent lists (usable by id where access exists).';


--
-- Name: artifact_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.artifact_type AS ENUM (
    'code',
    'document',
    'data',
    'diagram',
    'image',
    'other'
);


--
-- Name: TYPE artifact_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.artifact_type IS 'What an artifact is: source code, a document, data (JSON, CSV...), a diagram, an image, or something else.';


--
-- Name: checkpoint_kind; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.checkpoint_kind AS ENUM (
    'auto',
    'manual',
    'pre_restore'
);


--
-- Name: TYPE checkpoint_kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.checkpoint_kind IS 'auto: taken by the system, pruned past the organization''s max_auto_checkpoints. manual: taken on request, kept. pre_restore: the state just before a restore, so a restore can be undone.';


--
-- Name: conversation_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.conversation_status AS ENUM (
    'active',
    'paused',
    'completed',
    'archived',
    'deleted'
);


--
-- Name: TYPE conversation_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.conversation_status IS 'Lifecycle of a conversation (session). deleted is a soft delete: the row stays until removed or expired.';


--
-- Name: embedding_source_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.embedding_source_type AS ENUM (
    'file',
    'url',
    'message',
    'memory',
    'chunk'
);


--
-- Name: TYPE embedding_source_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.embedding_source_type IS 'What a knowledge chunk was cut from: a file, a URL (source_id: its agent_knowledge_sources row), a message, a memory or a conversation chunk.';


--
-- Name: embedding_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.embedding_status AS ENUM (
    'pending',
    'embedded',
    'failed'
);


--
-- Name: TYPE embedding_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.embedding_status IS 'pending: waiting for (or being given) a vector. embedded: embedding is set for the current content. failed: attempts exhausted (see error).';


--
-- Name: file_deletion_reason; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.file_deletion_reason AS ENUM (
    'upload',
    'deleted'
);


--
-- Name: TYPE file_deletion_reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.file_deletion_reason IS 'upload: a path reserved by an upload in progress (its object may exist without a row). deleted: the files row is gone; its object must go.';


--
-- Name: file_kind; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.file_kind AS ENUM (
    'upload',
    'generated',
    'attachment'
);


--
-- Name: TYPE file_kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.file_kind IS 'Where a file came from: uploaded by a user, generated by an agent, or attached from elsewhere. Also names its workspace sub-directory.';


--
-- Name: file_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.file_status AS ENUM (
    'processing',
    'ready',
    'failed'
);


--
-- Name: TYPE file_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.file_status IS 'processing: being stored or analysed. ready: stored, hashed and usable. failed: unusable (see error).';


--
-- Name: knowledge_source_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.knowledge_source_type AS ENUM (
    'file',
    'folder',
    'url',
    'database',
    'api'
);


--
-- Name: TYPE knowledge_source_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.knowledge_source_type IS 'Where an agent''s RAG knowledge comes from.';


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
-- Name: memory_event_kind; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.memory_event_kind AS ENUM (
    'created',
    'updated',
    'deleted'
);


--
-- Name: TYPE memory_event_kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.memory_event_kind IS 'What happened to a memory: created (after only), updated (before and after), deleted (before only).';


--
-- Name: memory_kind; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.memory_kind AS ENUM (
    'idea',
    'decision',
    'question',
    'action_item',
    'context',
    'preference',
    'fact',
    'risk'
);


--
-- Name: TYPE memory_kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.memory_kind IS 'What a memory records (the collaborative session kinds of seed 002).';


--
-- Name: memory_link_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.memory_link_type AS ENUM (
    'related',
    'supports',
    'contradicts',
    'supersedes',
    'derived_from',
    'answers',
    'blocks'
);


--
-- Name: TYPE memory_link_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.memory_link_type IS 'How one memory relates to another, read from -> to: related, supports, contradicts, supersedes (replaces), derived_from, answers (a question), blocks (an action item).';


--
-- Name: memory_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.memory_type AS ENUM (
    'episodic',
    'semantic',
    'procedural',
    'working'
);


--
-- Name: TYPE memory_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.memory_type IS 'How a memory is used (seed 004): episodic (an event), semantic (knowledge), procedural (how to do something), working (short-lived, for the task at hand).';


--
-- Name: message_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.message_role AS ENUM (
    'user',
    'assistant',
    'system',
    'tool'
);


--
-- Name: TYPE message_role; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.message_role IS 'Who speaks: a user, an agent (assistant), the system prompt, or a tool result.';


--
-- Name: message_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.message_status AS ENUM (
    'pending',
    'streaming',
    'sent',
    'delivered',
    'failed'
);


--
-- Name: TYPE message_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.message_status IS 'pending: queued, not yet produced. streaming: being written (content changes freely). sent: complete. delivered: seen by its recipient. failed: production failed. Content changes of a message that is no longer pending or streaming keep the earlier version in message_versions.';


--
-- Name: task_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.task_status AS ENUM (
    'pending',
    'running',
    'succeeded',
    'failed',
    'cancelled'
);


--
-- Name: TYPE task_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.task_status IS 'pending: waiting to be claimed (from run_after). running: claimed by a worker (locked_by). succeeded / failed (attempts exhausted) / cancelled: finished.';


--
-- Name: bump_agent_state_version(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.bump_agent_state_version() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;


--
-- Name: FUNCTION bump_agent_state_version(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.bump_agent_state_version() IS 'BEFORE UPDATE OF state trigger on agent_states: increments version and sets updated_at.';


--
-- Name: can_access_conversation(uuid); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.can_access_conversation(p_conversation_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    SELECT EXISTS (
        SELECT FROM public.conversations AS c
        WHERE c.id = p_conversation_id
          AND c.organization_id = app.current_org_id()
          AND c.user_id = app.current_user_id()
    ) OR EXISTS (
        SELECT FROM public.conversation_shares AS s
        WHERE s.organization_id = app.current_org_id()
          AND s.conversation_id = p_conversation_id
          AND s.user_id = app.current_user_id()
    )
$$;


--
-- Name: FUNCTION can_access_conversation(p_conversation_id uuid); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.can_access_conversation(p_conversation_id uuid) IS 'Whether the current user owns the conversation or has it shared with them, within the current organization.';


--
-- Name: copy_agent_organization(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.copy_agent_organization() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    NEW.organization_id := (SELECT a.organization_id FROM public.agents AS a WHERE a.id = NEW.agent_id);
    RETURN NEW;
END
$$;


--
-- Name: FUNCTION copy_agent_organization(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.copy_agent_organization() IS 'BEFORE INSERT/UPDATE OF agent_id trigger: sets organization_id to the agent''s owning organization.';


--
-- Name: copy_checkpoint_state_keys(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.copy_checkpoint_state_keys() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
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


--
-- Name: FUNCTION copy_checkpoint_state_keys(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.copy_checkpoint_state_keys() IS 'BEFORE INSERT trigger on state_checkpoints: copies organization_id, user_id and conversation_id from the agent state.';


--
-- Name: copy_granted_agent_organization(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.copy_granted_agent_organization() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    NEW.agent_organization_id := (SELECT a.organization_id FROM public.agents AS a WHERE a.id = NEW.agent_id);
    RETURN NEW;
END
$$;


--
-- Name: FUNCTION copy_granted_agent_organization(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.copy_granted_agent_organization() IS 'BEFORE INSERT/UPDATE OF agent_id trigger on organization_agents: sets agent_organization_id to the agent''s owning organization.';


--
-- Name: count_deleted_memories(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_deleted_memories() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
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


--
-- Name: FUNCTION count_deleted_memories(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_deleted_memories() IS 'AFTER DELETE statement trigger on memories: subtracts the deleted memories from their conversations'' memory_count.';


--
-- Name: count_deleted_messages(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_deleted_messages() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    -- A cascade from a deleted conversation finds no conversation row: nothing to do.
    UPDATE public.conversations AS c
    SET message_count = c.message_count - n.messages,
        input_tokens = c.input_tokens - n.input_tokens,
        output_tokens = c.output_tokens - n.output_tokens
    FROM (
        SELECT m.conversation_id,
               count(*) AS messages,
               sum(m.input_tokens) AS input_tokens,
               sum(m.output_tokens) AS output_tokens
        FROM deleted_messages AS m
        GROUP BY m.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION count_deleted_messages(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_deleted_messages() IS 'AFTER DELETE statement trigger on messages: subtracts the deleted messages from their conversations'' counters.';


--
-- Name: count_deleted_tasks(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_deleted_tasks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    -- A cascade from a deleted conversation finds no conversation row: nothing to do.
    UPDATE public.conversations AS c
    SET task_count = c.task_count - n.tasks
    FROM (
        SELECT t.conversation_id, count(*) AS tasks
        FROM deleted_tasks AS t
        WHERE t.conversation_id IS NOT NULL
        GROUP BY t.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION count_deleted_tasks(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_deleted_tasks() IS 'AFTER DELETE statement trigger on tasks: subtracts the deleted tasks from their conversations'' task_count.';


--
-- Name: count_inserted_memories(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_inserted_memories() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
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


--
-- Name: FUNCTION count_inserted_memories(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_inserted_memories() IS 'AFTER INSERT statement trigger on memories: adds the new memories to their conversations'' memory_count.';


--
-- Name: count_inserted_messages(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_inserted_messages() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    UPDATE public.conversations AS c
    SET message_count = c.message_count + n.messages,
        input_tokens = c.input_tokens + n.input_tokens,
        output_tokens = c.output_tokens + n.output_tokens,
        last_activity_at = greatest(c.last_activity_at, n.last_created_at)
    FROM (
        SELECT m.conversation_id,
               count(*) AS messages,
               sum(m.input_tokens) AS input_tokens,
               sum(m.output_tokens) AS output_tokens,
               max(m.created_at) AS last_created_at
        FROM inserted_messages AS m
        GROUP BY m.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION count_inserted_messages(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_inserted_messages() IS 'AFTER INSERT statement trigger on messages: adds the new messages to their conversations'' counters and last_activity_at.';


--
-- Name: count_inserted_tasks(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_inserted_tasks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    UPDATE public.conversations AS c
    SET task_count = c.task_count + n.tasks
    FROM (
        SELECT t.conversation_id, count(*) AS tasks
        FROM inserted_tasks AS t
        WHERE t.conversation_id IS NOT NULL
        GROUP BY t.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION count_inserted_tasks(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_inserted_tasks() IS 'AFTER INSERT statement trigger on tasks: adds the new tasks to their conversations'' task_count.';


--
-- Name: count_message_tokens(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.count_message_tokens() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    UPDATE public.conversations AS c
    SET input_tokens = c.input_tokens + NEW.input_tokens - OLD.input_tokens,
        output_tokens = c.output_tokens + NEW.output_tokens - OLD.output_tokens
    WHERE c.id = NEW.conversation_id;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION count_message_tokens(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.count_message_tokens() IS 'AFTER UPDATE OF input_tokens, output_tokens row trigger on messages: applies the change to the conversation''s token totals.';


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
    SELECT coalesce(pg_catalog.current_setting('app.member_rights', true), '') <> 'on'
        AND EXISTS (
            SELECT FROM public.organization_memberships m
            WHERE m.organization_id = app.current_org_id()
              AND m.user_id = app.current_user_id()
              AND m.role = 'admin'
        )
$$;


--
-- Name: FUNCTION current_user_is_admin(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.current_user_is_admin() IS 'Whether the current user is an admin of the current organization, read from memberships (not from the token) so a demotion counts at once; false while an API key acts for the user (app.member_rights).';


--
-- Name: jsonb_sha256(jsonb); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.jsonb_sha256(value jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$ SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(value::text, 'UTF8')), 'hex') $$;


--
-- Name: FUNCTION jsonb_sha256(value jsonb); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.jsonb_sha256(value jsonb) IS 'Lower-case hex SHA-256 of the canonical text of a jsonb value (jsonb sorts keys and normalises spacing).';


--
-- Name: keep_message_version(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.keep_message_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    INSERT INTO public.message_versions
        (organization_id, conversation_id, message_id, version, content, content_parts, metadata, authored_at, edited_by)
    VALUES
        (OLD.organization_id, OLD.conversation_id, OLD.id, OLD.version, OLD.content, OLD.content_parts, OLD.metadata,
         coalesce(OLD.edited_at, OLD.created_at), app.current_user_id());
    NEW.version := OLD.version + 1;
    NEW.edited_at := clock_timestamp();
    RETURN NEW;
END
$$;


--
-- Name: FUNCTION keep_message_version(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.keep_message_version() IS 'BEFORE UPDATE OF content, content_parts row trigger on messages: saves the earlier content of a finished message in message_versions and increments version.';


--
-- Name: memory_search_text(text, jsonb); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.memory_search_text(p_key text, p_content jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $_$
    SELECT p_key || coalesce(' ' || pg_catalog.string_agg(v.s #>> '{}', ' '), '')
    FROM pg_catalog.jsonb_path_query(p_content, 'strict $.** ? (@.type() == "string")') AS v(s)
$_$;


--
-- Name: FUNCTION memory_search_text(p_key text, p_content jsonb); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.memory_search_text(p_key text, p_content jsonb) IS 'The searchable text of a memory: its key and the string values of its content, in document order.';


--
-- Name: owns_conversation(uuid); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.owns_conversation(p_conversation_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    SELECT EXISTS (
        SELECT FROM public.conversations AS c
        WHERE c.id = p_conversation_id
          AND c.organization_id = app.current_org_id()
          AND c.user_id = app.current_user_id()
    )
$$;


--
-- Name: FUNCTION owns_conversation(p_conversation_id uuid); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.owns_conversation(p_conversation_id uuid) IS 'Whether the current user owns the conversation, within the current organization.';


--
-- Name: prune_auto_checkpoints(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.prune_auto_checkpoints() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
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


--
-- Name: FUNCTION prune_auto_checkpoints(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.prune_auto_checkpoints() IS 'AFTER INSERT row trigger on state_checkpoints (auto only): deletes the state''s auto checkpoints past organizations.settings->''max_auto_checkpoints'' (default 20).';


--
-- Name: queue_deleted_file_objects(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.queue_deleted_file_objects() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
BEGIN
    INSERT INTO public.file_deletions (organization_id, path, reason, not_before)
    SELECT d.organization_id, d.path, 'deleted', now()
    FROM deleted_files AS d
    ON CONFLICT (path) DO UPDATE
    SET reason = 'deleted', not_before = now();
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION queue_deleted_file_objects(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.queue_deleted_file_objects() IS 'AFTER DELETE statement trigger on files: queues each deleted row''s object in file_deletions, due at once.';


--
-- Name: record_memory_event(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.record_memory_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
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


--
-- Name: FUNCTION record_memory_event(); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.record_memory_event() IS 'AFTER INSERT/UPDATE/DELETE row trigger on memories: records the change in memory_events (unless only access counters or the vector changed, or the delete cascades from the memory''s organization, user or conversation).';


--
-- Name: search_bigrams(text); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.search_bigrams(p_text text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT coalesce(array_agg(DISTINCT g.g), '{}')
    FROM pg_catalog.unnest(app.search_cjk_runs(p_text)) AS run(r),
        pg_catalog.generate_series(1, pg_catalog.char_length(run.r)) AS i(i),
        LATERAL (VALUES (pg_catalog.substr(run.r, i.i, 1)), (pg_catalog.substr(run.r, i.i, 2))) AS g(g)
$$;


--
-- Name: FUNCTION search_bigrams(p_text text); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.search_bigrams(p_text text) IS 'Every character bigram of each CJK run of the text and every character alone.';


--
-- Name: search_cjk_runs(text); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.search_cjk_runs(p_text text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT coalesce(array_agg(m.r[1]), '{}')
    FROM pg_catalog.regexp_matches(
        pg_catalog.normalize(p_text, 'NFKC'),
        '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007\uac00-\ud7af]+',
        'g'
    ) AS m(r)
$$;


--
-- Name: FUNCTION search_cjk_runs(p_text text); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.search_cjk_runs(p_text text) IS 'The runs of CJK characters (Japanese kana and kanji, Chinese, hangul) in NFKC-normalized text, in order.';


--
-- Name: search_document(uuid, text); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.search_document(p_organization_id uuid, p_text text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT pg_catalog.to_tsvector('pg_catalog.english'::regconfig, app.search_non_cjk_text(p_text))
        OPERATOR(pg_catalog.||) pg_catalog.array_to_tsvector(app.search_bigrams(p_text))
        OPERATOR(pg_catalog.||) pg_catalog.array_to_tsvector(ARRAY[app.search_org_lexeme(p_organization_id)])
$$;


--
-- Name: FUNCTION search_document(p_organization_id uuid, p_text text); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.search_document(p_organization_id uuid, p_text text) IS 'The search_vector of a text of an organization: English words (stemmed, with positions), CJK bigrams and unigrams, the organization''s lexeme.';


--
-- Name: search_non_cjk_text(text); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.search_non_cjk_text(p_text text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT pg_catalog.regexp_replace(
        pg_catalog.normalize(p_text, 'NFKC'),
        '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007\uac00-\ud7af\ue000-\uf8ff]+',
        ' ',
        'g'
    )
$$;


--
-- Name: FUNCTION search_non_cjk_text(p_text text); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.search_non_cjk_text(p_text text) IS 'NFKC-normalized text with its CJK and private-use characters blanked out: what the English configuration parses.';


--
-- Name: search_org_lexeme(uuid); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.search_org_lexeme(p_organization_id uuid) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$ SELECT U&'\E002' || pg_catalog.replace(p_organization_id::text, '-', '') $$;


--
-- Name: FUNCTION search_org_lexeme(p_organization_id uuid); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.search_org_lexeme(p_organization_id uuid) IS 'The lexeme naming an organization in search_vector (a private-use character, which no text lexeme holds, then the id in hex).';


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
-- Name: text_sha256(text); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.text_sha256(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$ SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(value, 'UTF8')), 'hex') $$;


--
-- Name: FUNCTION text_sha256(value text); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.text_sha256(value text) IS 'Lower-case hex SHA-256 of text encoded as UTF-8.';


--
-- Name: embedding_index_name(text, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.embedding_index_name(p_model text, p_dims integer) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path TO ''
    AS $$
    SELECT format(
        'embeddings_%s_%s_%s_hnsw',
        coalesce(nullif(left(trim(BOTH '_' FROM regexp_replace(lower(p_model), '[^a-z0-9]+', '_', 'g')), 24), ''), 'model'),
        p_dims,
        left(md5(p_model), 8)
    )
$$;


--
-- Name: ensure_embedding_index(text, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.ensure_embedding_index(p_model text, p_dims integer) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
DECLARE
    index_name text;
BEGIN
    IF p_model IS NULL OR btrim(p_model) = '' THEN
        RAISE EXCEPTION 'embedding model must be a non-empty name' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_dims IS NULL OR p_dims < 1 OR p_dims > 2000 THEN
        RAISE EXCEPTION 'embedding dims must be 1..2000 for an HNSW index on vector, got %', p_dims
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    index_name := fn.embedding_index_name(p_model, p_dims);
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('fn.ensure_embedding_index'));
    IF pg_catalog.to_regclass(pg_catalog.quote_ident('public') || '.' || pg_catalog.quote_ident(index_name)) IS NULL THEN
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS %I ON public.embeddings USING hnsw ((embedding::public.vector(%s)) public.vector_cosine_ops) WHERE model = %L AND dims = %s',
            index_name, p_dims, p_model, p_dims
        );
        EXECUTE format(
            'COMMENT ON INDEX public.%I IS %L',
            index_name, format('HNSW (cosine) over the %s-dimensional vectors of model %s; created by fn.ensure_embedding_index.', p_dims, p_model)
        );
    END IF;
    RETURN index_name;
END
$$;


--
-- Name: enter_session(text, text); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.enter_session(p_clerk_user_id text, p_clerk_org_id text) RETURNS TABLE(user_id uuid, user_deleted_at timestamp with time zone, organization_id uuid, organization_deleted_at timestamp with time zone, role public.membership_role)
    LANGUAGE plpgsql
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


--
-- Name: expire_agent_states(timestamp with time zone, integer, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.expire_agent_states(p_now timestamp with time zone, p_batch integer, p_default_days integer) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    WITH candidates AS (
        SELECT e.id
        FROM public.organizations AS o
        CROSS JOIN LATERAL (
            SELECT x.id
            FROM public.agent_states AS x
            WHERE x.organization_id = o.id
              AND x.updated_at < p_now - fn.retention_window(o.settings, p_default_days)
              AND NOT EXISTS (
                  SELECT FROM public.conversations AS h
                  WHERE h.organization_id = x.organization_id AND h.id = x.conversation_id AND h.retention_hold
              )
            ORDER BY x.updated_at, x.id
            LIMIT p_batch
        ) AS e
        LIMIT p_batch
    ), gone AS (
        DELETE FROM public.agent_states AS s
        USING public.organizations AS o
        WHERE s.id IN (SELECT candidates.id FROM candidates)
          AND o.id = s.organization_id
          AND s.updated_at < p_now - fn.retention_window(o.settings, p_default_days)
        RETURNING s.id
    )
    SELECT 'agent_states', count(*) FROM gone
    UNION ALL
    SELECT 'state_checkpoints', count(*) FROM public.state_checkpoints AS c
    JOIN gone AS g ON c.agent_state_id = g.id
$$;


--
-- Name: expire_checkpoints(timestamp with time zone, integer, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.expire_checkpoints(p_now timestamp with time zone, p_batch integer, p_default_days integer) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    WITH ranked AS (
        SELECT c.id, c.organization_id, c.conversation_id, c.created_at,
            row_number() OVER (PARTITION BY c.agent_state_id ORDER BY c.created_at DESC, c.id DESC) AS newest
        FROM public.state_checkpoints AS c
        WHERE c.kind = 'auto'
    ), doomed AS (
        SELECT r.id
        FROM ranked AS r
        JOIN public.organizations AS o ON o.id = r.organization_id
        WHERE r.newest > fn.max_auto_checkpoints(o.settings)
           OR (
               r.created_at < p_now - fn.retention_window(o.settings, p_default_days)
               AND NOT EXISTS (
                   SELECT FROM public.conversations AS h
                   WHERE h.organization_id = r.organization_id AND h.id = r.conversation_id AND h.retention_hold
               )
           )
        ORDER BY r.created_at, r.id
        LIMIT p_batch
    ), gone AS (
        DELETE FROM public.state_checkpoints AS c
        WHERE c.id IN (SELECT doomed.id FROM doomed)
        RETURNING c.id
    )
    SELECT 'state_checkpoints', count(*) FROM gone
$$;


--
-- Name: expire_conversations(timestamp with time zone, integer, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.expire_conversations(p_now timestamp with time zone, p_batch integer, p_default_days integer) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    WITH candidates AS (
        SELECT e.id
        FROM public.organizations AS o
        CROSS JOIN LATERAL (
            SELECT x.id
            FROM public.conversations AS x
            WHERE x.organization_id = o.id
              AND NOT x.retention_hold
              AND x.last_activity_at < p_now - fn.retention_window(o.settings, p_default_days)
            ORDER BY x.last_activity_at, x.id
            LIMIT p_batch
        ) AS e
        UNION
        (
            SELECT s.id
            FROM public.conversations AS s
            WHERE s.status = 'deleted'
              AND NOT s.retention_hold
              AND s.updated_at <= p_now
            ORDER BY s.updated_at, s.id
            LIMIT p_batch
        )
    ), chosen AS (
        SELECT candidates.id FROM candidates LIMIT p_batch
    ), gone AS (
        DELETE FROM public.conversations AS c
        USING public.organizations AS o
        WHERE c.id IN (SELECT chosen.id FROM chosen)
          AND o.id = c.organization_id
          -- Re-checked on the row itself: new activity or a hold keeps it.
          AND NOT c.retention_hold
          AND (
              (c.status = 'deleted' AND c.updated_at <= p_now)
              OR c.last_activity_at < p_now - fn.retention_window(o.settings, p_default_days)
          )
        RETURNING c.organization_id, c.id
    )
    SELECT 'conversations', count(*) FROM gone
    UNION ALL
    SELECT 'conversation_shares', count(*) FROM public.conversation_shares AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'messages', count(*) FROM public.messages AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'message_versions', count(*) FROM public.message_versions AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'files', count(*) FROM public.files AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'message_files', count(*) FROM public.message_files AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'conversation_chunks', count(*) FROM public.conversation_chunks AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'context_snapshots', count(*) FROM public.context_snapshots AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'memories', count(*) FROM public.memories AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'agent_states', count(*) FROM public.agent_states AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'tasks', count(*) FROM public.tasks AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
    UNION ALL
    SELECT 'artifacts', count(*) FROM public.artifacts AS t
    JOIN gone AS g ON t.organization_id = g.organization_id AND t.conversation_id = g.id
$$;


--
-- Name: expire_idempotency_keys(timestamp with time zone, integer, interval); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.expire_idempotency_keys(p_now timestamp with time zone, p_batch integer, p_keep interval) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    WITH gone AS (
        DELETE FROM public.idempotency_keys AS k
        WHERE k.id IN (
            SELECT i.id FROM public.idempotency_keys AS i
            WHERE i.created_at < p_now - p_keep
            ORDER BY i.created_at, i.id
            LIMIT p_batch
        )
        RETURNING k.id
    )
    SELECT 'idempotency_keys', count(*) FROM gone
$$;


--
-- Name: expire_orphan_embeddings(integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.expire_orphan_embeddings(p_batch integer) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    WITH doomed AS (
        SELECT e.id
        FROM public.embeddings AS e
        WHERE CASE e.source_type
            WHEN 'file' THEN NOT EXISTS (SELECT FROM public.files AS s WHERE s.id = e.source_id)
            WHEN 'message' THEN NOT EXISTS (SELECT FROM public.messages AS s WHERE s.id = e.source_id)
            WHEN 'memory' THEN NOT EXISTS (SELECT FROM public.memories AS s WHERE s.id = e.source_id)
            WHEN 'chunk' THEN NOT EXISTS (SELECT FROM public.conversation_chunks AS s WHERE s.id = e.source_id)
            WHEN 'url' THEN NOT EXISTS (SELECT FROM public.agent_knowledge_sources AS s WHERE s.id = e.source_id)
        END
        LIMIT p_batch
    ), gone AS (
        DELETE FROM public.embeddings AS e
        WHERE e.id IN (SELECT doomed.id FROM doomed)
        RETURNING e.id
    )
    SELECT 'embeddings', count(*) FROM gone
$$;


--
-- Name: expire_webhook_events(timestamp with time zone, integer, interval); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.expire_webhook_events(p_now timestamp with time zone, p_batch integer, p_keep interval) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
    WITH gone AS (
        DELETE FROM public.webhook_events AS w
        WHERE w.id IN (
            SELECT e.id FROM public.webhook_events AS e
            WHERE e.processed_at < p_now - p_keep
            ORDER BY e.processed_at, e.id
            LIMIT p_batch
        )
        RETURNING w.id
    )
    SELECT 'webhook_events', count(*) FROM gone
$$;


--
-- Name: knowledge_hybrid_search(uuid, text, integer, text, public.vector, integer, double precision, double precision, double precision, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.knowledge_hybrid_search(p_agent_id uuid, p_model text, p_dims integer, p_query_text text, p_query public.vector, p_limit integer, p_k double precision DEFAULT 60, p_text_weight double precision DEFAULT 1, p_vector_weight double precision DEFAULT 1, p_candidates integer DEFAULT 100) RETURNS TABLE(id uuid, source_type public.embedding_source_type, source_id uuid, chunk_index integer, content text, metadata jsonb, text_rank integer, text_score double precision, vector_rank integer, vector_distance double precision, fused_score double precision)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
    WITH query AS (
        SELECT fn.search_query(p_query_text)
                   OPERATOR(pg_catalog.&&) pg_catalog.quote_literal(app.search_org_lexeme(app.current_org_id()))::tsquery AS q,
               coalesce(fn.search_terms(p_query_text), '{}') AS terms
    ),
    text_leg AS (
        SELECT t.id, t.score, pg_catalog.row_number() OVER (ORDER BY t.score DESC, t.id)::integer AS rank
        FROM (
            SELECT e.id, pg_catalog.ts_rank_cd(e.search_vector, query.q)::double precision AS score
            FROM public.embeddings AS e, query
            WHERE e.organization_id = app.current_org_id()
              AND e.agent_id = p_agent_id
              AND e.model = p_model
              AND e.dims = p_dims
              AND e.search_vector OPERATOR(pg_catalog.@@) query.q
              AND fn.search_recheck(e.content, query.terms)
            ORDER BY score DESC, e.id
            LIMIT p_candidates
        ) AS t
    ),
    vector_leg AS (
        SELECT v.id, v.distance, pg_catalog.row_number() OVER (ORDER BY v.distance, v.id)::integer AS rank
        FROM fn.knowledge_vector_search(p_agent_id, p_model, p_dims, p_query, p_candidates) AS v
        WHERE p_query IS NOT NULL
    ),
    fused AS (
        SELECT coalesce(t.id, v.id) AS id, t.rank AS text_rank, t.score AS text_score,
               v.rank AS vector_rank, v.distance AS vector_distance,
               coalesce(p_text_weight / (p_k + t.rank), 0) + coalesce(p_vector_weight / (p_k + v.rank), 0) AS fused_score
        FROM text_leg AS t
        FULL JOIN vector_leg AS v ON v.id = t.id
    )
    SELECT e.id, e.source_type, e.source_id, e.chunk_index, e.content, e.metadata,
           f.text_rank, f.text_score, f.vector_rank, f.vector_distance, f.fused_score
    FROM fused AS f
    JOIN public.embeddings AS e ON e.id = f.id
    WHERE e.organization_id = app.current_org_id()
    ORDER BY f.fused_score DESC, e.id
    LIMIT p_limit
$$;


--
-- Name: FUNCTION knowledge_hybrid_search(p_agent_id uuid, p_model text, p_dims integer, p_query_text text, p_query public.vector, p_limit integer, p_k double precision, p_text_weight double precision, p_vector_weight double precision, p_candidates integer); Type: COMMENT; Schema: fn; Owner: -
--

COMMENT ON FUNCTION fn.knowledge_hybrid_search(p_agent_id uuid, p_model text, p_dims integer, p_query_text text, p_query public.vector, p_limit integer, p_k double precision, p_text_weight double precision, p_vector_weight double precision, p_candidates integer) IS 'Hybrid knowledge search of an agent: full text and vector legs, each tenant-filtered, fused by reciprocal rank fusion.';


--
-- Name: knowledge_vector_search(uuid, text, integer, public.vector, integer, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.knowledge_vector_search(p_agent_id uuid, p_model text, p_dims integer, p_query public.vector, p_limit integer, p_exact_below integer DEFAULT 2000) RETURNS TABLE(id uuid, source_type public.embedding_source_type, source_id uuid, chunk_index integer, content text, metadata jsonb, distance double precision)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET "hnsw.iterative_scan" TO 'relaxed_order'
    SET "hnsw.ef_search" TO '100'
    SET "hnsw.max_scan_tuples" TO '40000'
    AS $_$
DECLARE
    org uuid := app.current_org_id();
    candidates bigint;
    nearest uuid[];
BEGIN
    IF org IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
        RETURN;
    END IF;
    IF p_query IS NULL OR public.vector_dims(p_query) <> p_dims THEN
        RAISE EXCEPTION 'the query vector must have % dimensions', p_dims USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Counted only as far as the threshold: past it the exact number does not matter (counting 50,000
    -- candidates cost more than the index search itself, bench/results/knowledge.md).
    SELECT count(*) INTO candidates
    FROM (
        SELECT
        FROM public.embeddings AS e
        WHERE e.organization_id = org
          AND e.agent_id = p_agent_id
          AND e.model = p_model
          AND e.dims = p_dims
          AND e.status = 'embedded'
        LIMIT greatest(p_exact_below, p_limit) + 1
    ) AS c;
    IF candidates > p_exact_below AND p_dims <= 2000 THEN
        PERFORM pg_catalog.set_config('hnsw.ef_search', greatest(100, 2 * p_limit)::text, true);
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.array_agg(s.id ORDER BY s.distance, s.id)
             FROM (
                 SELECT e.id, (e.embedding::public.vector(%1$s) OPERATOR(public.<=>) $1) AS distance
                 FROM public.embeddings AS e
                 WHERE e.model = $2 AND e.dims = %1$s
                   AND e.organization_id = $3 AND e.agent_id = $4 AND e.status = ''embedded''
                 ORDER BY e.embedding::public.vector(%1$s) OPERATOR(public.<=>) $1
                 LIMIT $5
             ) AS s',
            p_dims
        ) INTO nearest USING p_query, p_model, org, p_agent_id, p_limit;
        -- Short only when the scan hit hnsw.max_scan_tuples before enough rows passed the filter:
        -- then the exact answer below instead.
        IF coalesce(pg_catalog.array_length(nearest, 1), 0) >= least(p_limit, candidates) THEN
            RETURN QUERY
            SELECT e.id, e.source_type, e.source_id, e.chunk_index, e.content, e.metadata,
                   (e.embedding OPERATOR(public.<=>) p_query) AS distance
            FROM pg_catalog.unnest(nearest) WITH ORDINALITY AS n (id, position)
            JOIN public.embeddings AS e ON e.id = n.id
            ORDER BY n.position;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY
    SELECT e.id, e.source_type, e.source_id, e.chunk_index, e.content, e.metadata,
           (e.embedding OPERATOR(public.<=>) p_query) AS distance
    FROM public.embeddings AS e
    WHERE e.organization_id = org
      AND e.agent_id = p_agent_id
      AND e.model = p_model
      AND e.dims = p_dims
      AND e.status = 'embedded'
    ORDER BY distance, e.id
    LIMIT p_limit;
END
$_$;


--
-- Name: FUNCTION knowledge_vector_search(p_agent_id uuid, p_model text, p_dims integer, p_query public.vector, p_limit integer, p_exact_below integer); Type: COMMENT; Schema: fn; Owner: -
--

COMMENT ON FUNCTION fn.knowledge_vector_search(p_agent_id uuid, p_model text, p_dims integer, p_query public.vector, p_limit integer, p_exact_below integer) IS 'An agent''s chunks of one model nearest to a query vector, within the caller''s organization; exactly limit rows when that many exist.';


--
-- Name: max_auto_checkpoints(jsonb); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.max_auto_checkpoints(p_settings jsonb) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT CASE
        WHEN pg_catalog.jsonb_typeof(p_settings -> 'max_auto_checkpoints') = 'number'
        THEN LEAST(GREATEST(pg_catalog.floor((p_settings ->> 'max_auto_checkpoints')::numeric), 0), 100000)::integer
        ELSE 20
    END
$$;


--
-- Name: recall_memories(text, public.vector, text, double precision, double precision, double precision, boolean, uuid, uuid, public.memory_kind, public.memory_type, text[], text[], timestamp with time zone, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.recall_memories(p_query text, p_embedding public.vector, p_embedding_model text, p_relevance_weight double precision, p_importance_weight double precision, p_recency_weight double precision, p_private boolean, p_agent_id uuid, p_conversation_id uuid, p_kind public.memory_kind, p_memory_type public.memory_type, p_tags_any text[], p_tags_all text[], p_now timestamp with time zone, p_limit integer) RETURNS TABLE(id uuid, organization_id uuid, user_id uuid, agent_id uuid, conversation_id uuid, kind public.memory_kind, memory_type public.memory_type, key text, content jsonb, tags text[], importance double precision, decay_rate double precision, access_count integer, last_accessed_at timestamp with time zone, embedding_model text, created_at timestamp with time zone, updated_at timestamp with time zone, text_match double precision, similarity double precision, relevance double precision, recency double precision, score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
DECLARE
    org uuid := app.current_org_id();
    usr uuid := app.current_user_id();
    text_query tsquery := CASE WHEN p_query IS NOT NULL THEN fn.search_query(p_query) END;
    org_query tsquery;
    terms text[] := coalesce(fn.search_terms(p_query), '{}');
    text_filter boolean;
BEGIN
    IF org IS NULL THEN
        RETURN;
    END IF;
    IF p_query IS NOT NULL AND (text_query IS NULL OR pg_catalog.numnode(text_query) = 0) THEN
        text_query := NULL;  -- nothing searchable in the text (punctuation, stop words)
        IF p_embedding IS NULL THEN
            RETURN;
        END IF;
    END IF;
    text_filter := text_query IS NOT NULL AND p_embedding IS NULL;
    org_query := CASE WHEN text_filter THEN
        text_query OPERATOR(pg_catalog.&&) pg_catalog.quote_literal(app.search_org_lexeme(org))::tsquery
    END;
    RETURN QUERY
    WITH scoped AS (
        SELECT m.*,
            CASE WHEN text_query IS NULL THEN 0::double precision
                 WHEN m.search_vector OPERATOR(pg_catalog.@@) text_query
                      AND fn.search_recheck(app.memory_search_text(m.key, m.content), terms)
                 THEN pg_catalog.ts_rank(m.search_vector, text_query, 32)::double precision
                 ELSE 0::double precision
            END AS text_match,
            CASE WHEN p_embedding IS NOT NULL
                      AND m.embedding IS NOT NULL
                      AND m.embedding_model = p_embedding_model
                      AND public.vector_dims(m.embedding) = public.vector_dims(p_embedding)
                 THEN greatest(0, 1 - (m.embedding OPERATOR(public.<=>) p_embedding))
            END AS similarity
        FROM public.memories AS m
        WHERE m.organization_id = org
          AND (m.user_id IS NULL OR m.user_id = usr)
          AND (m.conversation_id IS NULL OR EXISTS (
              SELECT FROM public.conversations AS c
              WHERE c.id = m.conversation_id AND c.organization_id = org AND c.user_id = usr
          ) OR EXISTS (
              SELECT FROM public.conversation_shares AS s
              WHERE s.organization_id = org AND s.conversation_id = m.conversation_id AND s.user_id = usr
          ))
          AND (NOT text_filter OR m.search_vector OPERATOR(pg_catalog.@@) org_query)
          AND (p_private IS NULL OR (CASE WHEN p_private THEN m.user_id = usr ELSE m.user_id IS NULL END))
          AND (p_agent_id IS NULL OR m.agent_id = p_agent_id)
          AND (p_conversation_id IS NULL OR m.conversation_id = p_conversation_id)
          AND (p_kind IS NULL OR m.kind = p_kind)
          AND (p_memory_type IS NULL OR m.memory_type = p_memory_type)
          AND (p_tags_any IS NULL OR m.tags OPERATOR(pg_catalog.&&) p_tags_any)
          AND (p_tags_all IS NULL OR m.tags OPERATOR(pg_catalog.@>) p_tags_all)
    ), scored AS (
        SELECT s.*,
            least(1, exp(-s.decay_rate * greatest(0,
                extract(epoch FROM p_now - coalesce(s.last_accessed_at, s.created_at)) / 86400
            )))::double precision AS recency,
            CASE
                WHEN s.similarity IS NOT NULL THEN s.similarity
                WHEN text_query IS NOT NULL THEN s.text_match
                ELSE 1
            END::double precision AS relevance
        FROM scoped AS s
        WHERE NOT text_filter OR s.text_match > 0
    )
    SELECT s.id, s.organization_id, s.user_id, s.agent_id, s.conversation_id, s.kind, s.memory_type, s.key,
        s.content, s.tags, s.importance, s.decay_rate, s.access_count, s.last_accessed_at, s.embedding_model,
        s.created_at, s.updated_at, s.text_match, s.similarity, s.relevance, s.recency,
        (
            power(s.relevance, p_relevance_weight)
            * power(s.importance, p_importance_weight)
            * power(s.recency, p_recency_weight)
        )::double precision AS score
    FROM scored AS s
    ORDER BY 22 DESC, s.id
    LIMIT p_limit;
END
$$;


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


--
-- Name: retention_step(text, timestamp with time zone, integer, integer, interval, interval); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.retention_step(p_step text, p_now timestamp with time zone, p_batch integer, p_default_days integer, p_webhook_keep interval, p_idempotency_keep interval) RETURNS TABLE(table_name text, deleted bigint)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    CASE p_step
        WHEN 'conversations' THEN RETURN QUERY SELECT * FROM fn.expire_conversations(p_now, p_batch, p_default_days);
        WHEN 'agent_states' THEN RETURN QUERY SELECT * FROM fn.expire_agent_states(p_now, p_batch, p_default_days);
        WHEN 'state_checkpoints' THEN RETURN QUERY SELECT * FROM fn.expire_checkpoints(p_now, p_batch, p_default_days);
        WHEN 'webhook_events' THEN RETURN QUERY SELECT * FROM fn.expire_webhook_events(p_now, p_batch, p_webhook_keep);
        WHEN 'idempotency_keys' THEN RETURN QUERY SELECT * FROM fn.expire_idempotency_keys(p_now, p_batch, p_idempotency_keep);
        WHEN 'embeddings' THEN RETURN QUERY SELECT * FROM fn.expire_orphan_embeddings(p_batch);
        ELSE RAISE EXCEPTION 'unknown retention step %', p_step USING ERRCODE = '22023';
    END CASE;
END
$$;


--
-- Name: retention_window(jsonb, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.retention_window(p_settings jsonb, p_default_days integer) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT pg_catalog.make_interval(days => CASE
        WHEN pg_catalog.jsonb_typeof(p_settings -> 'retention_days') = 'number'
             AND (p_settings ->> 'retention_days')::numeric >= 1
        THEN LEAST(pg_catalog.floor((p_settings ->> 'retention_days')::numeric), 36500)::integer
        ELSE p_default_days
    END)
$$;


--
-- Name: run_retention(timestamp with time zone, integer, integer, integer, integer); Type: PROCEDURE; Schema: fn; Owner: -
--

CREATE PROCEDURE fn.run_retention(IN p_now timestamp with time zone DEFAULT NULL::timestamp with time zone, IN p_batch integer DEFAULT 1000, IN p_default_days integer DEFAULT 30, IN p_webhook_days integer DEFAULT 30, IN p_idempotency_hours integer DEFAULT 24)
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, pg_catalog.now());
    v_run uuid;
    v_counts jsonb := '{}';
    v_step text;
    v_own bigint;
    r record;
BEGIN
    IF p_batch < 1 OR p_default_days < 1 OR p_webhook_days < 1 OR p_idempotency_hours < 1 THEN
        RAISE EXCEPTION 'batch, days and hours must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF NOT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended('jobs.retention', 0)) THEN
        RAISE NOTICE 'another retention run is going on';
        RETURN;
    END IF;
    PERFORM pg_catalog.set_config('role', 'app_system', true);
    INSERT INTO public.retention_runs (now_param) VALUES (v_now) RETURNING id INTO v_run;
    COMMIT;
    FOREACH v_step IN ARRAY ARRAY['conversations', 'agent_states', 'state_checkpoints', 'webhook_events',
                                  'idempotency_keys', 'embeddings'] LOOP
        LOOP
            PERFORM pg_catalog.set_config('role', 'app_system', true);
            v_own := 0;
            FOR r IN
                SELECT s.table_name, s.deleted
                FROM fn.retention_step(
                    v_step, v_now, p_batch, p_default_days,
                    pg_catalog.make_interval(days => p_webhook_days), pg_catalog.make_interval(hours => p_idempotency_hours)
                ) AS s
            LOOP
                IF r.deleted > 0 THEN
                    v_counts := v_counts || pg_catalog.jsonb_build_object(
                        r.table_name, coalesce((v_counts ->> r.table_name)::bigint, 0) + r.deleted
                    );
                END IF;
                IF r.table_name = v_step THEN
                    v_own := r.deleted;
                END IF;
            END LOOP;
            COMMIT;
            EXIT WHEN v_own < p_batch;
        END LOOP;
    END LOOP;
    PERFORM pg_catalog.set_config('role', 'app_system', true);
    UPDATE public.retention_runs SET finished_at = pg_catalog.clock_timestamp(), counts = v_counts WHERE id = v_run;
    COMMIT;
    PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtextextended('jobs.retention', 0));
END
$$;


--
-- Name: schedule_retention(text, integer, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.schedule_retention(p_schedule text DEFAULT '17 3 * * *'::text, p_batch integer DEFAULT 1000, p_default_days integer DEFAULT 30) RETURNS TABLE(job_name text, schedule text, command text, scheduled boolean)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
BEGIN
    IF p_batch < 1 OR p_default_days < 1 THEN
        RAISE EXCEPTION 'batch and days must be at least 1' USING ERRCODE = '22023';
    END IF;
    job_name := 'aj_copilot_retention';
    schedule := p_schedule;
    command := pg_catalog.format('CALL fn.run_retention(p_batch => %s, p_default_days => %s)', p_batch, p_default_days);
    scheduled := false;
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        -- Dynamic: the cron schema exists only with the extension.
        EXECUTE 'SELECT cron.schedule($1, $2, $3)' USING job_name, schedule, command;
        scheduled := true;
    END IF;
    RETURN NEXT;
END
$_$;


--
-- Name: search(text, text[], uuid, uuid, double precision, text, uuid, integer); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search(p_query text, p_types text[], p_conversation_id uuid, p_agent_id uuid, p_cursor_rank double precision, p_cursor_kind text, p_cursor_id uuid, p_limit integer) RETURNS TABLE(kind text, id uuid, conversation_id uuid, message_id uuid, chunk_id uuid, memory_id uuid, agent_id uuid, rank double precision, snippet text, created_at timestamp with time zone)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
DECLARE
    org uuid := app.current_org_id();
    usr uuid := app.current_user_id();
    text_query tsquery := fn.search_query(p_query);
    org_query tsquery;
    terms text[] := fn.search_terms(p_query);
    types text[] := coalesce(p_types, ARRAY['message', 'chunk', 'memory']);
    accessible uuid[];
    searched uuid[];
BEGIN
    IF org IS NULL OR text_query IS NULL OR pg_catalog.numnode(text_query) = 0 THEN
        RETURN;
    END IF;
    -- app.can_access_conversation, as a set: the conversations the user owns or has shared with them.
    accessible := ARRAY(
        SELECT c.id FROM public.conversations AS c
        WHERE c.organization_id = org AND c.user_id = usr
        UNION
        SELECT s.conversation_id FROM public.conversation_shares AS s
        WHERE s.organization_id = org AND s.user_id = usr
    );
    -- Those the filters keep, for messages and chunks.
    searched := ARRAY(
        SELECT c.id FROM public.conversations AS c
        WHERE c.id = ANY (accessible)
          AND (p_conversation_id IS NULL OR c.id = p_conversation_id)
          AND (p_agent_id IS NULL OR c.agent_id = p_agent_id)
    );
    org_query := text_query OPERATOR(pg_catalog.&&) pg_catalog.quote_literal(app.search_org_lexeme(org))::tsquery;
    -- The organization is checked twice: its lexeme inside the GIN condition (what narrows the index scan to
    -- the caller's organization) and organization_id, a plain filter written `(... = org) IS TRUE` so that the
    -- planner does not add a B-tree scan of the whole organization to the GIN scan it already narrows. The
    -- conversations are a filter too (IS TRUE): as a join, the planner would rescan the GIN index once per
    -- conversation of the user.
    RETURN QUERY
    WITH hits AS (
        SELECT 'message'::text AS kind, m.id, m.conversation_id, m.agent_id, m.content AS body, m.created_at,
            pg_catalog.ts_rank(m.search_vector, text_query, 1)::double precision AS rank
        FROM public.messages AS m
        WHERE 'message' = ANY (types)
          AND m.search_vector OPERATOR(pg_catalog.@@) org_query
          AND (m.organization_id = org) IS TRUE
          AND (m.conversation_id = ANY (searched)) IS TRUE
          AND (pg_catalog.cardinality(terms) = 0 OR fn.search_recheck(m.content, terms))
        UNION ALL
        SELECT 'chunk', k.id, k.conversation_id, NULL::uuid, k.content, k.created_at,
            pg_catalog.ts_rank(k.search_vector, text_query, 1)::double precision
        FROM public.conversation_chunks AS k
        WHERE 'chunk' = ANY (types)
          AND k.search_vector OPERATOR(pg_catalog.@@) org_query
          AND (k.organization_id = org) IS TRUE
          AND (k.conversation_id = ANY (searched)) IS TRUE
          AND (pg_catalog.cardinality(terms) = 0 OR fn.search_recheck(k.content, terms))
        UNION ALL
        SELECT 'memory', y.id, y.conversation_id, y.agent_id, app.memory_search_text(y.key, y.content), y.created_at,
            pg_catalog.ts_rank(y.search_vector, text_query, 1)::double precision
        FROM public.memories AS y
        WHERE 'memory' = ANY (types)
          AND y.search_vector OPERATOR(pg_catalog.@@) org_query
          AND (y.organization_id = org) IS TRUE
          AND (y.user_id IS NULL OR y.user_id = usr)
          AND (y.conversation_id IS NULL OR y.conversation_id = ANY (accessible))
          AND (p_conversation_id IS NULL OR y.conversation_id = p_conversation_id)
          AND (p_agent_id IS NULL OR y.agent_id = p_agent_id)
          AND (pg_catalog.cardinality(terms) = 0 OR fn.search_recheck(app.memory_search_text(y.key, y.content), terms))
    ), page AS (
        SELECT h.*
        FROM hits AS h
        WHERE p_cursor_rank IS NULL
           OR (h.rank, h.kind COLLATE "C", h.id) < (p_cursor_rank, p_cursor_kind COLLATE "C", p_cursor_id)
        ORDER BY h.rank DESC, h.kind COLLATE "C" DESC, h.id DESC
        LIMIT p_limit
    )
    SELECT p.kind, p.id, p.conversation_id,
        CASE WHEN p.kind = 'message' THEN p.id END,
        CASE WHEN p.kind = 'chunk' THEN p.id END,
        CASE WHEN p.kind = 'memory' THEN p.id END,
        p.agent_id, p.rank, fn.search_snippet(p.body, p_query), p.created_at
    FROM page AS p
    ORDER BY p.rank DESC, p.kind COLLATE "C" DESC, p.id DESC;
END
$$;


--
-- Name: search_cjk_query(text); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search_cjk_query(p_query text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT pg_catalog.string_agg(
        CASE
            WHEN pg_catalog.char_length(run.r) = 1 THEN pg_catalog.quote_literal(run.r)
            ELSE (
                SELECT pg_catalog.string_agg(pg_catalog.quote_literal(pg_catalog.substr(run.r, i.i, 2)), ' & ')
                FROM pg_catalog.generate_series(1, pg_catalog.char_length(run.r) - 1) AS i(i)
            )
        END,
        ' & '
    )::tsquery
    FROM pg_catalog.unnest(app.search_cjk_runs(p_query)) AS run(r)
$$;


--
-- Name: search_english_query(text); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search_english_query(p_query text) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
DECLARE
    text_part text := app.search_non_cjk_text(p_query);
    result tsquery;
    prefix text;
BEGIN
    IF text_part !~ '[[:alnum:]]' THEN
        RETURN NULL;  -- no English words (an empty tsquery would only raise a notice)
    END IF;
    -- websearch_to_tsquery knows no prefixes: word* is taken out and ANDed as 'word':*.
    result := pg_catalog.websearch_to_tsquery(
        'pg_catalog.english'::regconfig,
        pg_catalog.regexp_replace(text_part, '[[:alnum:]_]+\*', ' ', 'g')
    );
    FOR prefix IN
        SELECT pg_catalog.lower(m.p[1])
        FROM pg_catalog.regexp_matches(text_part, '([[:alnum:]_]+)\*', 'g') AS m(p)
    LOOP
        result := result OPERATOR(pg_catalog.&&)
            pg_catalog.to_tsquery('pg_catalog.simple'::regconfig, pg_catalog.quote_literal(prefix) || ':*');
    END LOOP;
    RETURN result;
END
$$;


--
-- Name: search_query(text); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search_query(p_query text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT CASE
        WHEN e.q IS NULL THEN c.q
        WHEN c.q IS NULL THEN e.q
        ELSE e.q OPERATOR(pg_catalog.&&) c.q
    END
    FROM fn.search_english_query(p_query) AS e(q), fn.search_cjk_query(p_query) AS c(q)
$$;


--
-- Name: search_recheck(text, text[]); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search_recheck(p_text text, p_terms text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT pg_catalog.cardinality(p_terms) = 0
        OR NOT EXISTS (
            SELECT FROM pg_catalog.unnest(p_terms) AS t(term)
            WHERE pg_catalog.strpos(p_text, t.term) = 0
        )
        OR NOT EXISTS (
            SELECT FROM pg_catalog.unnest(p_terms) AS t(term)
            WHERE pg_catalog.strpos(pg_catalog.normalize(p_text, 'NFKC'), t.term) = 0
        )
$$;


--
-- Name: search_snippet(text, text); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search_snippet(p_text text, p_query text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
DECLARE
    body text := pg_catalog.regexp_replace(p_text, '[\ue000-\uf8ff]', ' ', 'g');
    english tsquery := fn.search_english_query(p_query);
    terms text[];
    term text;
    excerpt text;
    first_at integer;
    at integer;
BEGIN
    SELECT coalesce(array_agg(DISTINCT r.r ORDER BY r.r), '{}') INTO terms
    FROM pg_catalog.unnest(app.search_cjk_runs(p_query)) AS r(r);
    IF english IS NOT NULL AND pg_catalog.numnode(english) > 0 THEN
        excerpt := pg_catalog.ts_headline(
            'pg_catalog.english'::regconfig, body, english,
            'StartSel=' || U&'\E000' || ', StopSel=' || U&'\E001' || ', MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "'
        );
    ELSE
        first_at := 0;
        FOREACH term IN ARRAY terms LOOP
            at := pg_catalog.strpos(body, term);
            IF at > 0 AND (first_at = 0 OR at < first_at) THEN
                first_at := at;
            END IF;
        END LOOP;
        first_at := greatest(first_at - 40, 1);
        excerpt := pg_catalog.substr(body, first_at, 160);
        IF first_at > 1 THEN
            excerpt := '…' || excerpt;
        END IF;
        IF pg_catalog.char_length(body) >= first_at + 160 THEN
            excerpt := excerpt || '…';
        END IF;
    END IF;
    -- Longest terms first; a shorter term inside a marked longer one nests, which the server merges.
    FOR term IN SELECT t.t FROM pg_catalog.unnest(terms) AS t(t) ORDER BY pg_catalog.char_length(t.t) DESC LOOP
        excerpt := pg_catalog.replace(excerpt, term, U&'\E000' || term || U&'\E001');
    END LOOP;
    RETURN excerpt;
END
$$;


--
-- Name: search_terms(text); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.search_terms(p_query text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO ''
    AS $$
    SELECT coalesce(array_agg(DISTINCT run.r), '{}')
    FROM pg_catalog.unnest(app.search_cjk_runs(p_query)) AS run(r)
    WHERE pg_catalog.char_length(run.r) >= 3
$$;


--
-- Name: use_memories(uuid[]); Type: FUNCTION; Schema: fn; Owner: -
--

CREATE FUNCTION fn.use_memories(p_ids uuid[]) RETURNS TABLE(id uuid, access_count integer, last_accessed_at timestamp with time zone)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
    UPDATE public.memories AS m
    SET access_count = m.access_count + 1,
        last_accessed_at = now()
    WHERE m.id = ANY (p_ids)
      AND m.organization_id = app.current_org_id()
      AND (m.user_id IS NULL OR m.user_id = app.current_user_id())
      AND (m.conversation_id IS NULL OR app.can_access_conversation(m.conversation_id))
    RETURNING m.id, m.access_count, m.last_accessed_at
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: agent_knowledge_sources; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_knowledge_sources (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid,
    agent_id uuid NOT NULL,
    source_type public.knowledge_source_type NOT NULL,
    source_path text NOT NULL,
    source_name text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    last_synced_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_knowledge_sources_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT agent_knowledge_sources_source_name_check CHECK ((btrim(source_name) <> ''::text)),
    CONSTRAINT agent_knowledge_sources_source_path_check CHECK ((btrim(source_path) <> ''::text))
);

ALTER TABLE ONLY public.agent_knowledge_sources FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE agent_knowledge_sources; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.agent_knowledge_sources IS 'Where an agent''s RAG knowledge comes from; one row per agent and path. Read by the owning organization''s members, changed by its admins.';


--
-- Name: COLUMN agent_knowledge_sources.organization_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_knowledge_sources.organization_id IS 'The agent''s owning organization, copied from agents by a trigger; NULL for a platform agent''s sources (operator-managed, not visible to tenants).';


--
-- Name: COLUMN agent_knowledge_sources.source_path; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_knowledge_sources.source_path IS 'File or folder path, URL, connection or endpoint name; unique per agent.';


--
-- Name: COLUMN agent_knowledge_sources.last_synced_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_knowledge_sources.last_synced_at IS 'When the source was last ingested into embeddings.';


--
-- Name: agent_quick_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_quick_tasks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid,
    agent_id uuid NOT NULL,
    title text NOT NULL,
    prompt text NOT NULL,
    category text,
    icon text,
    order_index integer DEFAULT 0 NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_quick_tasks_order_index_check CHECK ((order_index >= 0)),
    CONSTRAINT agent_quick_tasks_prompt_check CHECK ((btrim(prompt) <> ''::text)),
    CONSTRAINT agent_quick_tasks_title_check CHECK ((btrim(title) <> ''::text))
);

ALTER TABLE ONLY public.agent_quick_tasks FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE agent_quick_tasks; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.agent_quick_tasks IS 'Pre-written prompts shown with an agent. Readable wherever the agent is; changed by the owning organization''s admins.';


--
-- Name: COLUMN agent_quick_tasks.organization_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_quick_tasks.organization_id IS 'The agent''s owning organization, copied from agents by a trigger; NULL for a platform agent''s quick tasks.';


--
-- Name: COLUMN agent_quick_tasks.order_index; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_quick_tasks.order_index IS 'Display position, ascending.';


--
-- Name: agent_states; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_states (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    user_id uuid,
    agent_id uuid NOT NULL,
    scope public.agent_state_scope NOT NULL,
    conversation_id uuid,
    state jsonb DEFAULT '{}'::jsonb NOT NULL,
    state_hash text GENERATED ALWAYS AS (app.jsonb_sha256(state)) STORED NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_states_session_scope_has_conversation CHECK (((scope <> 'session'::public.agent_state_scope) OR (conversation_id IS NOT NULL))),
    CONSTRAINT agent_states_state_check CHECK ((jsonb_typeof(state) = 'object'::text)),
    CONSTRAINT agent_states_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.agent_states FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE agent_states; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.agent_states IS 'Current state of an agent per (organization, user, agent, scope, conversation). Optimistic concurrency by version; state_hash computed by the database.';


--
-- Name: COLUMN agent_states.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_states.user_id IS 'The user the state is private to; NULL: shared by every member of the organization.';


--
-- Name: COLUMN agent_states.conversation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_states.conversation_id IS 'The conversation the state belongs to (required for scope session); NULL outside any conversation.';


--
-- Name: COLUMN agent_states.state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_states.state IS 'The state document (a JSON object).';


--
-- Name: COLUMN agent_states.state_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_states.state_hash IS 'Lower-case hex SHA-256 of the canonical JSON of state, generated.';


--
-- Name: COLUMN agent_states.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_states.version IS 'Starts at 1, incremented by a trigger on every change of state; writers pass the version they read (optimistic concurrency).';


--
-- Name: COLUMN agent_states.updated_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agent_states.updated_at IS 'Last change of state; retention expires states by it.';


--
-- Name: agents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agents (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid,
    name text NOT NULL,
    description text,
    instructions text,
    model_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    rag_enabled boolean DEFAULT false NOT NULL,
    embedding_model text,
    embedding_dims integer,
    capabilities text[] DEFAULT '{}'::text[] NOT NULL,
    scheduling_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    visibility public.agent_visibility DEFAULT 'private'::public.agent_visibility NOT NULL,
    type public.agent_type NOT NULL,
    status public.agent_status DEFAULT 'active'::public.agent_status NOT NULL,
    version text DEFAULT '1.0.0'::text NOT NULL,
    icon_url text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agents_embedding_dims_check CHECK (((embedding_dims > 0) AND (embedding_dims <= 16000))),
    CONSTRAINT agents_embedding_model_and_dims_together CHECK (((embedding_model IS NULL) = (embedding_dims IS NULL))),
    CONSTRAINT agents_embedding_model_check CHECK ((btrim(embedding_model) <> ''::text)),
    CONSTRAINT agents_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT agents_model_config_check CHECK ((jsonb_typeof(model_config) = 'object'::text)),
    CONSTRAINT agents_name_check CHECK ((btrim(name) <> ''::text)),
    CONSTRAINT agents_scheduling_config_check CHECK ((jsonb_typeof(scheduling_config) = 'object'::text)),
    CONSTRAINT agents_version_check CHECK ((btrim(version) <> ''::text))
);

ALTER TABLE ONLY public.agents FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE agents; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.agents IS 'AI agents: persona, knowledge (RAG) settings, tasks and visibility. organization_id NULL is a platform agent, managed by the operator (app_system); otherwise the owning organization''s admins manage it.';


--
-- Name: COLUMN agents.organization_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.organization_id IS 'The owning organization; NULL for a platform agent. Never changes (tenants have no UPDATE privilege on it, app_system may only keep it NULL).';


--
-- Name: COLUMN agents.instructions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.instructions IS 'The system prompt.';


--
-- Name: COLUMN agents.model_config; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.model_config IS 'Model selection and parameters, e.g. {"provider": "openai", "model": "gpt-4o", "temperature": 0.7}.';


--
-- Name: COLUMN agents.embedding_model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.embedding_model IS 'The embedding model of this agent''s knowledge; set together with embedding_dims.';


--
-- Name: COLUMN agents.embedding_dims; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.embedding_dims IS 'Dimensions of embedding_model''s vectors (1..16000, pgvector''s limit).';


--
-- Name: COLUMN agents.capabilities; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.capabilities IS 'What the agent can do, e.g. {troubleshooting,scheduling}.';


--
-- Name: COLUMN agents.scheduling_config; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.scheduling_config IS 'Scheduling capabilities, e.g. {"enabled": true, "timezone": "UTC"}.';


--
-- Name: COLUMN agents.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.agents.version IS 'Version label of the agent''s configuration (free text, e.g. 1.0.0).';


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
-- Name: artifacts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.artifacts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid,
    task_id uuid,
    agent_id uuid,
    created_by uuid,
    artifact_type public.artifact_type NOT NULL,
    name text NOT NULL,
    content text DEFAULT ''::text NOT NULL,
    mime_type text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT artifacts_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT artifacts_mime_type_check CHECK ((btrim(mime_type) <> ''::text)),
    CONSTRAINT artifacts_name_check CHECK ((btrim(name) <> ''::text))
);

ALTER TABLE ONLY public.artifacts FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE artifacts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.artifacts IS 'Generated code, documents and other outputs, optionally of a conversation and of the task that produced them.';


--
-- Name: COLUMN artifacts.conversation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artifacts.conversation_id IS 'The conversation the artifact belongs to; NULL for standalone ones.';


--
-- Name: COLUMN artifacts.task_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artifacts.task_id IS 'The task that produced it; NULL when none or the task was deleted.';


--
-- Name: COLUMN artifacts.agent_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artifacts.agent_id IS 'The agent that produced it; NULL when none or the agent was deleted.';


--
-- Name: COLUMN artifacts.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artifacts.content IS 'The artifact''s text (source code, markdown...).';


--
-- Name: COLUMN artifacts.mime_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artifacts.mime_type IS 'Content type of content, e.g. text/x-python.';


--
-- Name: COLUMN artifacts.metadata; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artifacts.metadata IS 'Language, version, file name and other details.';


--
-- Name: context_snapshots; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.context_snapshots (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    agent_id uuid,
    message_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    memory_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    summary text,
    token_count integer DEFAULT 0 NOT NULL,
    timings jsonb DEFAULT '{}'::jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT context_snapshots_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT context_snapshots_timings_check CHECK ((jsonb_typeof(timings) = 'object'::text)),
    CONSTRAINT context_snapshots_token_count_check CHECK ((token_count >= 0))
);

ALTER TABLE ONLY public.context_snapshots FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE context_snapshots; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.context_snapshots IS 'What an agent had in context at a point in time: the message window, the memories used, a summary, token count and timings. Written once, never changed.';


--
-- Name: COLUMN context_snapshots.message_ids; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.context_snapshots.message_ids IS 'The messages in the context window, oldest first (ids, not keys: a deleted message leaves its id).';


--
-- Name: COLUMN context_snapshots.memory_ids; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.context_snapshots.memory_ids IS 'The memories put into context.';


--
-- Name: COLUMN context_snapshots.summary; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.context_snapshots.summary IS 'Summary of what fell out of the window.';


--
-- Name: COLUMN context_snapshots.token_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.context_snapshots.token_count IS 'Tokens of the assembled context.';


--
-- Name: COLUMN context_snapshots.timings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.context_snapshots.timings IS 'Milliseconds per step, e.g. {"retrieval_ms": 12, "assembly_ms": 3}.';


--
-- Name: conversation_chunks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversation_chunks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    chunk_index integer NOT NULL,
    content text NOT NULL,
    token_count integer,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (app.search_document(organization_id, content)) STORED NOT NULL,
    CONSTRAINT conversation_chunks_chunk_index_check CHECK ((chunk_index >= 0)),
    CONSTRAINT conversation_chunks_content_check CHECK ((content <> ''::text)),
    CONSTRAINT conversation_chunks_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT conversation_chunks_token_count_check CHECK ((token_count >= 0))
);

ALTER TABLE ONLY public.conversation_chunks FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE conversation_chunks; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.conversation_chunks IS 'Large pieces of conversation text, in order, searchable by full text in English and Japanese (search_vector: English words, CJK bigrams; docs/search.md).';


--
-- Name: COLUMN conversation_chunks.chunk_index; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversation_chunks.chunk_index IS 'Position of the chunk in its conversation, from 0.';


--
-- Name: COLUMN conversation_chunks.search_vector; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversation_chunks.search_vector IS 'Full text of content in English and CJK with the organization''s lexeme (app.search_document), generated.';


--
-- Name: conversation_shares; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversation_shares (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    user_id uuid NOT NULL,
    granted_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.conversation_shares FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE conversation_shares; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.conversation_shares IS 'Users a conversation is shared with: they read it and post to it. Only members of the conversation''s organization; granted by the owner.';


--
-- Name: COLUMN conversation_shares.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversation_shares.user_id IS 'The user the conversation is shared with.';


--
-- Name: COLUMN conversation_shares.granted_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversation_shares.granted_by IS 'Who shared it (the owner at the time); NULL once that user is deleted.';


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    agent_id uuid,
    title text,
    status public.conversation_status DEFAULT 'active'::public.conversation_status NOT NULL,
    participants text[] DEFAULT '{}'::text[] NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    message_count integer DEFAULT 0 NOT NULL,
    memory_count integer DEFAULT 0 NOT NULL,
    task_count integer DEFAULT 0 NOT NULL,
    input_tokens bigint DEFAULT 0 NOT NULL,
    output_tokens bigint DEFAULT 0 NOT NULL,
    last_activity_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    retention_hold boolean DEFAULT false NOT NULL,
    CONSTRAINT conversations_input_tokens_check CHECK ((input_tokens >= 0)),
    CONSTRAINT conversations_memory_count_check CHECK ((memory_count >= 0)),
    CONSTRAINT conversations_message_count_check CHECK ((message_count >= 0)),
    CONSTRAINT conversations_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT conversations_output_tokens_check CHECK ((output_tokens >= 0)),
    CONSTRAINT conversations_task_count_check CHECK ((task_count >= 0)),
    CONSTRAINT conversations_title_check CHECK ((btrim(title) <> ''::text))
);

ALTER TABLE ONLY public.conversations FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE conversations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.conversations IS 'Conversations (sessions) of a user with agents, shareable with members of the same organization. The counters are maintained by triggers, never by callers.';


--
-- Name: COLUMN conversations.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.user_id IS 'The owner: the only user who may change, share or delete the conversation.';


--
-- Name: COLUMN conversations.agent_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.agent_id IS 'The agent the conversation is with; NULL when none or the agent was deleted.';


--
-- Name: COLUMN conversations.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.title IS 'NULL until titled; never empty.';


--
-- Name: COLUMN conversations.participants; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.participants IS 'Names of the agents and people taking part in a collaborative session.';


--
-- Name: COLUMN conversations.message_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.message_count IS 'Number of messages, kept by triggers on messages.';


--
-- Name: COLUMN conversations.memory_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.memory_count IS 'Number of memories of this conversation, kept by triggers on memories.';


--
-- Name: COLUMN conversations.task_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.task_count IS 'Number of tasks of this conversation, kept by triggers on tasks.';


--
-- Name: COLUMN conversations.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.input_tokens IS 'Sum of messages.input_tokens, kept by triggers on messages.';


--
-- Name: COLUMN conversations.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.output_tokens IS 'Sum of messages.output_tokens, kept by triggers on messages.';


--
-- Name: COLUMN conversations.last_activity_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.last_activity_at IS 'Creation time of the latest message (or of the conversation); retention expires conversations by it.';


--
-- Name: COLUMN conversations.updated_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.updated_at IS 'Last change of the conversation''s own fields (not of its counters).';


--
-- Name: COLUMN conversations.retention_hold; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.retention_hold IS 'Pinned or under legal hold: retention never expires the conversation (nor its agent states). Set by the owner.';


--
-- Name: embeddings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.embeddings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    source_type public.embedding_source_type NOT NULL,
    source_id uuid NOT NULL,
    chunk_index integer NOT NULL,
    content text NOT NULL,
    content_hash text GENERATED ALWAYS AS (app.text_sha256(content)) STORED NOT NULL,
    model text NOT NULL,
    dims integer NOT NULL,
    embedding public.vector,
    status public.embedding_status DEFAULT 'pending'::public.embedding_status NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    error text,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    embedded_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (app.search_document(organization_id, content)) STORED NOT NULL,
    CONSTRAINT embeddings_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT embeddings_chunk_index_check CHECK ((chunk_index >= 0)),
    CONSTRAINT embeddings_content_check CHECK ((btrim(content) <> ''::text)),
    CONSTRAINT embeddings_dims_check CHECK (((dims > 0) AND (dims <= 16000))),
    CONSTRAINT embeddings_embedded_have_vector CHECK (((status = 'embedded'::public.embedding_status) = (embedding IS NOT NULL))),
    CONSTRAINT embeddings_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT embeddings_model_check CHECK ((btrim(model) <> ''::text)),
    CONSTRAINT embeddings_vector_has_model_dims CHECK (((embedding IS NULL) OR (public.vector_dims(embedding) = dims)))
);

ALTER TABLE ONLY public.embeddings FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE embeddings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.embeddings IS 'Knowledge chunks of an organization''s agents with their vectors; vectors of different models and dimensions side by side, each model with its own partial HNSW index (fn.ensure_embedding_index). Unchanged text is never re-embedded.';


--
-- Name: COLUMN embeddings.agent_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.agent_id IS 'The agent whose knowledge this is.';


--
-- Name: COLUMN embeddings.source_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.source_id IS 'The id of the source row (file, agent_knowledge_sources for a URL, message, memory, conversation chunk); not a foreign key.';


--
-- Name: COLUMN embeddings.chunk_index; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.chunk_index IS 'Position of the chunk in its source, from 0.';


--
-- Name: COLUMN embeddings.content_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.content_hash IS 'Lower-case hex SHA-256 of content (UTF-8), generated: an unchanged hash keeps the vector.';


--
-- Name: COLUMN embeddings.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.model IS 'The embedding model, e.g. text-embedding-3-small.';


--
-- Name: COLUMN embeddings.dims; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.dims IS 'Dimensions of model''s vectors; the vector, once set, has exactly these.';


--
-- Name: COLUMN embeddings.embedding; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.embedding IS 'The vector (untyped: any dimensions), NULL until embedded. Searched through embedding::vector(dims) and the model''s partial HNSW index.';


--
-- Name: COLUMN embeddings.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.attempts IS 'Embedding attempts since the content last changed.';


--
-- Name: COLUMN embeddings.error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.error IS 'The last attempt''s error.';


--
-- Name: COLUMN embeddings.run_after; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.run_after IS 'A pending chunk is not claimed before this time: the lease of a claim, or the backoff after a failed attempt.';


--
-- Name: COLUMN embeddings.embedded_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.embedded_at IS 'When the current vector was set.';


--
-- Name: COLUMN embeddings.metadata; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.metadata IS 'Page, heading, URL and other details of the chunk.';


--
-- Name: COLUMN embeddings.search_vector; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embeddings.search_vector IS 'app.search_document(organization_id, content), generated: English words, CJK characters and pairs, the organization''s lexeme (docs/search.md).';


--
-- Name: file_deletions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.file_deletions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    path text NOT NULL,
    reason public.file_deletion_reason DEFAULT 'upload'::public.file_deletion_reason NOT NULL,
    not_before timestamp with time zone DEFAULT (now() + '1 day'::interval) NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT file_deletions_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT file_deletions_path_check CHECK (((btrim(path) <> ''::text) AND (path !~ '(^/|(^|/)\.\.(/|$))'::text))),
    CONSTRAINT file_deletions_path_in_organization CHECK (starts_with(path, ((organization_id)::text || '/'::text)))
);

ALTER TABLE ONLY public.file_deletions FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE file_deletions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.file_deletions IS 'Objects to remove from storage once due: those of deleted files rows, and paths reserved by uploads in progress (orphans when the server never came back). Drained by app_system; see the migration''s header.';


--
-- Name: COLUMN file_deletions.path; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.file_deletions.path IS 'The object''s path under WORKSPACES_DIR or the WORKSPACES_URL prefix (files.path).';


--
-- Name: COLUMN file_deletions.not_before; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.file_deletions.not_before IS 'When the entry is due: at once for a deleted row; a day after an upload reserved its path.';


--
-- Name: COLUMN file_deletions.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.file_deletions.attempts IS 'Failed attempts to remove the object so far.';


--
-- Name: COLUMN file_deletions.last_error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.file_deletions.last_error IS 'Why the last attempt failed.';


--
-- Name: files; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.files (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    created_by uuid,
    kind public.file_kind NOT NULL,
    status public.file_status DEFAULT 'processing'::public.file_status NOT NULL,
    name text NOT NULL,
    original_name text,
    path text NOT NULL,
    mime_type text DEFAULT 'application/octet-stream'::text NOT NULL,
    size_bytes bigint DEFAULT 0 NOT NULL,
    sha256 text,
    error text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT files_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT files_mime_type_check CHECK ((btrim(mime_type) <> ''::text)),
    CONSTRAINT files_name_check CHECK (((btrim(name) <> ''::text) AND (name !~ '[/\\]'::text))),
    CONSTRAINT files_original_name_check CHECK ((btrim(original_name) <> ''::text)),
    CONSTRAINT files_path_check CHECK (((btrim(path) <> ''::text) AND (path !~ '(^/|(^|/)\.\.(/|$))'::text))),
    CONSTRAINT files_ready_files_are_hashed CHECK (((status <> 'ready'::public.file_status) OR (sha256 IS NOT NULL))),
    CONSTRAINT files_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT files_size_bytes_check CHECK ((size_bytes >= 0))
);

ALTER TABLE ONLY public.files FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE files; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.files IS 'Files of a conversation (uploaded, generated or attached), stored under WORKSPACES_DIR (or the WORKSPACES_URL bucket) by a server-chosen name. The object is written completely before the row is committed; deleting the row queues the object in file_deletions, which removes it after the commit.';


--
-- Name: COLUMN files.created_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.created_by IS 'The user who uploaded the file, or on whose request it was generated.';


--
-- Name: COLUMN files.name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.name IS 'The server-chosen file name on disk (no path separators).';


--
-- Name: COLUMN files.original_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.original_name IS 'The client''s file name, kept only here (never used on disk).';


--
-- Name: COLUMN files.path; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.path IS 'Path relative to WORKSPACES_DIR: {org_id}/{user_id}/{conversation_id}/files/{uploads|generated|attachments}/{name}. Unique: no two rows own one file. Never absolute, never ..';


--
-- Name: COLUMN files.mime_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.mime_type IS 'The server-determined content type.';


--
-- Name: COLUMN files.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.sha256 IS 'Lower-case hex SHA-256 of the content; required once ready.';


--
-- Name: COLUMN files.error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.error IS 'Why processing failed.';


--
-- Name: COLUMN files.metadata; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.files.metadata IS 'Extracted details: page count, OCR results, image size, ...';


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    caller_id uuid NOT NULL,
    key text NOT NULL,
    operation_id text NOT NULL,
    request_hash bytea NOT NULL,
    response_status integer NOT NULL,
    response_body jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_key_check CHECK ((key ~ '^[!-~]{1,255}$'::text)),
    CONSTRAINT idempotency_keys_operation_id_check CHECK ((btrim(operation_id) <> ''::text)),
    CONSTRAINT idempotency_keys_request_hash_check CHECK ((length(request_hash) = 32)),
    CONSTRAINT idempotency_keys_response_status_check CHECK (((response_status >= 200) AND (response_status <= 299)))
);

ALTER TABLE ONLY public.idempotency_keys FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE idempotency_keys; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.idempotency_keys IS 'The first successful response of each creating write sent with an Idempotency-Key header, replayed to retries of the same request.';


--
-- Name: COLUMN idempotency_keys.caller_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.idempotency_keys.caller_id IS 'The user (session tokens) or API key (X-API-Key) that sent the key: keys of different callers never meet.';


--
-- Name: COLUMN idempotency_keys.key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.idempotency_keys.key IS 'The Idempotency-Key header: 1 to 255 visible ASCII characters.';


--
-- Name: COLUMN idempotency_keys.operation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.idempotency_keys.operation_id IS 'The OpenAPI operationId of the request.';


--
-- Name: COLUMN idempotency_keys.request_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.idempotency_keys.request_hash IS 'SHA-256 of the method, path, query and body: a key reused for another request is refused.';


--
-- Name: COLUMN idempotency_keys.response_body; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.idempotency_keys.response_body IS 'The JSON body of the stored response (NULL for 204).';


--
-- Name: job_schedule; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job_schedule (
    job text NOT NULL,
    last_slot timestamp with time zone NOT NULL,
    started_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    finished_at timestamp with time zone,
    scheduler text NOT NULL,
    error text,
    CONSTRAINT job_schedule_job_check CHECK ((job ~ '^[a-z][a-z0-9_]*$'::text)),
    CONSTRAINT job_schedule_scheduler_check CHECK ((btrim(scheduler) <> ''::text))
);

ALTER TABLE ONLY public.job_schedule FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE job_schedule; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.job_schedule IS 'python -m jobs.scheduler: per job, the last cron slot a scheduler started it for, by whom, and how it ended. app_system only.';


--
-- Name: COLUMN job_schedule.last_slot; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_schedule.last_slot IS 'The minute (of the job''s cron expression) the last run was started for: a slot starts once.';


--
-- Name: COLUMN job_schedule.finished_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_schedule.finished_at IS 'NULL while the run is going on (or when its scheduler died).';


--
-- Name: COLUMN job_schedule.scheduler; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_schedule.scheduler IS 'The scheduler that started the last run (host:pid).';


--
-- Name: COLUMN job_schedule.error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_schedule.error IS 'Why the last run failed; NULL when it succeeded or is running.';


--
-- Name: memories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memories (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    user_id uuid,
    agent_id uuid,
    conversation_id uuid,
    kind public.memory_kind NOT NULL,
    memory_type public.memory_type DEFAULT 'semantic'::public.memory_type NOT NULL,
    key text NOT NULL,
    content jsonb DEFAULT '{}'::jsonb NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    importance double precision DEFAULT 0.5 NOT NULL,
    decay_rate double precision DEFAULT 0 NOT NULL,
    access_count integer DEFAULT 0 NOT NULL,
    last_accessed_at timestamp with time zone,
    embedding public.vector,
    embedding_model text,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (app.search_document(organization_id, app.memory_search_text(key, content))) STORED NOT NULL,
    CONSTRAINT memories_access_count_check CHECK ((access_count >= 0)),
    CONSTRAINT memories_content_check CHECK ((jsonb_typeof(content) = 'object'::text)),
    CONSTRAINT memories_decay_rate_check CHECK ((decay_rate >= (0)::double precision)),
    CONSTRAINT memories_embedding_has_model CHECK (((embedding IS NULL) OR (embedding_model IS NOT NULL))),
    CONSTRAINT memories_embedding_model_check CHECK ((btrim(embedding_model) <> ''::text)),
    CONSTRAINT memories_importance_check CHECK (((importance >= (0)::double precision) AND (importance <= (1)::double precision))),
    CONSTRAINT memories_key_check CHECK ((btrim(key) <> ''::text))
);

ALTER TABLE ONLY public.memories FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE memories; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.memories IS 'Structured knowledge: ideas, decisions, questions, facts... of an organization, optionally of one user (then private to them), agent or conversation. key is unique within that scope. Every change is recorded in memory_events by a trigger.';


--
-- Name: COLUMN memories.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.user_id IS 'The user the memory is private to; NULL: shared by every member of the organization.';


--
-- Name: COLUMN memories.agent_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.agent_id IS 'The agent the memory belongs to; NULL: any agent''s.';


--
-- Name: COLUMN memories.conversation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.conversation_id IS 'The conversation (session) the memory belongs to; NULL: beyond any one conversation.';


--
-- Name: COLUMN memories.key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.key IS 'Caller-chosen identifier, unique within the scope (organization, user, agent, conversation), e.g. feature_carbon_tracking.';


--
-- Name: COLUMN memories.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.content IS 'The memory itself, a JSON object, e.g. {"decision": "...", "rationale": "..."}.';


--
-- Name: COLUMN memories.tags; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.tags IS 'Free tags, searched by overlap or containment (GIN).';


--
-- Name: COLUMN memories.importance; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.importance IS 'How much the memory matters, 0..1; ranking multiplies it with similarity and recency.';


--
-- Name: COLUMN memories.decay_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.decay_rate IS 'How fast relevance fades, per day (0: never); recency = exp(-decay_rate * days since last access).';


--
-- Name: COLUMN memories.access_count; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.access_count IS 'How often the memory was used (fn.use_memories).';


--
-- Name: COLUMN memories.last_accessed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.last_accessed_at IS 'When the memory was last used (fn.use_memories); NULL: never.';


--
-- Name: COLUMN memories.embedding; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.embedding IS 'The memory''s vector (any dimensions; NULL until embedded), of embedding_model.';


--
-- Name: COLUMN memories.embedding_model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.embedding_model IS 'The model that produced embedding; required with it.';


--
-- Name: COLUMN memories.updated_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.updated_at IS 'Last change of the memory (not of its access counters).';


--
-- Name: COLUMN memories.search_vector; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memories.search_vector IS 'Full text of key and the string values of content in English and CJK with the organization''s lexeme (app.search_document), generated.';


--
-- Name: memory_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memory_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    memory_id uuid NOT NULL,
    user_id uuid,
    conversation_id uuid,
    event public.memory_event_kind NOT NULL,
    before jsonb,
    after jsonb,
    actor_user_id uuid,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT memory_events_after_check CHECK ((jsonb_typeof(after) = 'object'::text)),
    CONSTRAINT memory_events_before_check CHECK ((jsonb_typeof(before) = 'object'::text)),
    CONSTRAINT memory_events_images_match_event CHECK (
CASE event
    WHEN 'created'::public.memory_event_kind THEN ((before IS NULL) AND (after IS NOT NULL))
    WHEN 'updated'::public.memory_event_kind THEN ((before IS NOT NULL) AND (after IS NOT NULL))
    WHEN 'deleted'::public.memory_event_kind THEN ((before IS NOT NULL) AND (after IS NULL))
    ELSE NULL::boolean
END)
);

ALTER TABLE ONLY public.memory_events FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE memory_events; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.memory_events IS 'Change history of memories, written only by a trigger on memories (running as app_system); tenants read it like the memory. Outlives the memory: memory_id is not a foreign key.';


--
-- Name: COLUMN memory_events.memory_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_events.memory_id IS 'The memory changed; not a foreign key, so the history of a deleted memory stays.';


--
-- Name: COLUMN memory_events.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_events.user_id IS 'The memory''s user_id (the history is private where the memory was).';


--
-- Name: COLUMN memory_events.conversation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_events.conversation_id IS 'The memory''s conversation_id.';


--
-- Name: COLUMN memory_events.before; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_events.before IS 'The memory before the change (without embedding, search vector and access counters); NULL for created.';


--
-- Name: COLUMN memory_events.after; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_events.after IS 'The memory after the change (without embedding, search vector and access counters); NULL for deleted.';


--
-- Name: COLUMN memory_events.actor_user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_events.actor_user_id IS 'The user whose transaction made the change (app.user_id); NULL for services, the system or a deleted user.';


--
-- Name: memory_links; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memory_links (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    from_memory_id uuid NOT NULL,
    to_memory_id uuid NOT NULL,
    link_type public.memory_link_type DEFAULT 'related'::public.memory_link_type NOT NULL,
    weight double precision DEFAULT 1 NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT memory_links_not_to_itself CHECK ((from_memory_id <> to_memory_id)),
    CONSTRAINT memory_links_weight_check CHECK (((weight >= (0)::double precision) AND (weight <= (1)::double precision)))
);

ALTER TABLE ONLY public.memory_links FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE memory_links; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.memory_links IS 'Typed links between two memories of the same organization, read from -> to. Visible when both memories are.';


--
-- Name: COLUMN memory_links.weight; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_links.weight IS 'Strength of the link, 0..1.';


--
-- Name: COLUMN memory_links.created_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.memory_links.created_by IS 'Who linked them; NULL for agents or a deleted user.';


--
-- Name: message_files; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.message_files (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    message_id uuid NOT NULL,
    file_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE ONLY public.message_files FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE message_files; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.message_files IS 'Files attached to messages; the message and the file are always of the same conversation.';


--
-- Name: message_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.message_versions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    message_id uuid NOT NULL,
    version integer NOT NULL,
    content text NOT NULL,
    content_parts jsonb NOT NULL,
    metadata jsonb NOT NULL,
    authored_at timestamp with time zone NOT NULL,
    edited_by uuid,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT message_versions_content_parts_check CHECK ((jsonb_typeof(content_parts) = 'array'::text)),
    CONSTRAINT message_versions_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT message_versions_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.message_versions FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE message_versions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.message_versions IS 'Earlier versions of edited messages, written only by the trigger on messages (tenants read them). Copied from the message row itself, so they always belong to its conversation.';


--
-- Name: COLUMN message_versions.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.message_versions.version IS 'The version number this content had on the message.';


--
-- Name: COLUMN message_versions.authored_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.message_versions.authored_at IS 'When this content was written (the message''s creation or previous edit).';


--
-- Name: COLUMN message_versions.edited_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.message_versions.edited_by IS 'The user whose edit replaced this version.';


--
-- Name: COLUMN message_versions.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.message_versions.created_at IS 'When this version was replaced.';


--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    parent_message_id uuid,
    user_id uuid,
    agent_id uuid,
    role public.message_role NOT NULL,
    content text DEFAULT ''::text NOT NULL,
    content_parts jsonb DEFAULT '[]'::jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    status public.message_status DEFAULT 'sent'::public.message_status NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    input_tokens integer DEFAULT 0 NOT NULL,
    output_tokens integer DEFAULT 0 NOT NULL,
    edited_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (app.search_document(organization_id, content)) STORED NOT NULL,
    CONSTRAINT messages_check CHECK ((parent_message_id <> id)),
    CONSTRAINT messages_content_parts_check CHECK ((jsonb_typeof(content_parts) = 'array'::text)),
    CONSTRAINT messages_input_tokens_check CHECK ((input_tokens >= 0)),
    CONSTRAINT messages_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT messages_output_tokens_check CHECK ((output_tokens >= 0)),
    CONSTRAINT messages_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.messages FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE messages; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.messages IS 'Messages of a conversation, threaded by parent_message_id. Changing the content of a finished message keeps the earlier content in message_versions and increments version.';


--
-- Name: COLUMN messages.parent_message_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.parent_message_id IS 'The message this one replies to, in the same conversation; NULL for a root.';


--
-- Name: COLUMN messages.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.user_id IS 'The author of a user message (or the user on whose behalf an agent wrote); NULL once the user is deleted.';


--
-- Name: COLUMN messages.agent_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.agent_id IS 'The agent that wrote an assistant or tool message.';


--
-- Name: COLUMN messages.content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.content IS 'The text of the message.';


--
-- Name: COLUMN messages.content_parts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.content_parts IS 'Structured content: a JSON array of parts, e.g. [{"type": "text", "text": "..."}, {"type": "image", "file_id": "..."}].';


--
-- Name: COLUMN messages.metadata; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.metadata IS 'Tool calls, model, latency and other details.';


--
-- Name: COLUMN messages.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.version IS 'Current version: 1 when written, incremented by each edit (earlier versions in message_versions).';


--
-- Name: COLUMN messages.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.input_tokens IS 'Prompt tokens spent producing the message; summed into conversations.input_tokens.';


--
-- Name: COLUMN messages.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.output_tokens IS 'Completion tokens of the message; summed into conversations.output_tokens.';


--
-- Name: COLUMN messages.edited_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.edited_at IS 'When the content was last edited (NULL if never).';


--
-- Name: COLUMN messages.search_vector; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.messages.search_vector IS 'Full text of content in English and CJK with the organization''s lexeme (app.search_document), generated.';


--
-- Name: organization_agents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organization_agents (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    agent_organization_id uuid,
    enabled boolean DEFAULT true NOT NULL,
    visibility_override public.agent_visibility,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    granted_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organization_agents_config_check CHECK ((jsonb_typeof(config) = 'object'::text))
);

ALTER TABLE ONLY public.organization_agents FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE organization_agents; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.organization_agents IS 'An organization''s access to an agent it does not own (private and hidden agents are usable only through an enabled grant), with its own settings. Granted by the owning organization''s admins, or by app_system for platform agents; the grantee''s admins may configure or drop it.';


--
-- Name: COLUMN organization_agents.organization_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organization_agents.organization_id IS 'The organization granted access (the grantee).';


--
-- Name: COLUMN organization_agents.agent_organization_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organization_agents.agent_organization_id IS 'The agent''s owning organization (NULL for a platform agent), copied from agents by a trigger so the owner''s policies need no join.';


--
-- Name: COLUMN organization_agents.enabled; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organization_agents.enabled IS 'A disabled grant gives no access to a non-public agent and hides a public one from the grantee''s lists.';


--
-- Name: COLUMN organization_agents.visibility_override; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organization_agents.visibility_override IS 'How the grantee lists the agent (e.g. hidden), instead of the agent''s own visibility; NULL keeps it.';


--
-- Name: COLUMN organization_agents.config; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.organization_agents.config IS 'Organization-specific agent settings.';


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
-- Name: retention_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.retention_runs (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    now_param timestamp with time zone NOT NULL,
    started_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    finished_at timestamp with time zone,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    files_removed integer DEFAULT 0 NOT NULL,
    error text,
    CONSTRAINT retention_runs_counts_check CHECK ((jsonb_typeof(counts) = 'object'::text)),
    CONSTRAINT retention_runs_files_removed_check CHECK ((files_removed >= 0)),
    CONSTRAINT retention_runs_finish_after_start CHECK (((finished_at IS NULL) OR (finished_at >= started_at)))
);

ALTER TABLE ONLY public.retention_runs FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE retention_runs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.retention_runs IS 'Each run of the retention job: the now it ran for, when it started and finished, rows deleted per table, files removed from disk, and the error that stopped it, if any. app_system only.';


--
-- Name: COLUMN retention_runs.now_param; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.retention_runs.now_param IS 'The "now" the run expired data against (a parameter, so runs are testable and repeatable).';


--
-- Name: COLUMN retention_runs.finished_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.retention_runs.finished_at IS 'NULL while running, or when the run died without recording its end.';


--
-- Name: COLUMN retention_runs.counts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.retention_runs.counts IS 'Rows deleted per table, e.g. {"conversations": 12, "agent_states": 3}.';


--
-- Name: COLUMN retention_runs.files_removed; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.retention_runs.files_removed IS 'Files removed from WORKSPACES_DIR (after their rows were gone).';


--
-- Name: COLUMN retention_runs.error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.retention_runs.error IS 'Why the run stopped early; NULL for a complete run.';


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
-- Name: state_checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.state_checkpoints (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    agent_state_id uuid NOT NULL,
    user_id uuid,
    conversation_id uuid,
    kind public.checkpoint_kind NOT NULL,
    label text,
    state jsonb NOT NULL,
    state_hash text GENERATED ALWAYS AS (app.jsonb_sha256(state)) STORED NOT NULL,
    version bigint NOT NULL,
    restorable boolean DEFAULT true NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT state_checkpoints_label_check CHECK ((btrim(label) <> ''::text)),
    CONSTRAINT state_checkpoints_state_check CHECK ((jsonb_typeof(state) = 'object'::text)),
    CONSTRAINT state_checkpoints_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.state_checkpoints FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE state_checkpoints; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.state_checkpoints IS 'Recovery points of an agent state: a copy of state and version at a moment. Restoring one writes a pre_restore checkpoint first. Written and pruned by the database; tenants only label, mark restorable or delete them.';


--
-- Name: COLUMN state_checkpoints.organization_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.organization_id IS 'Copied from the state by a trigger (never from the caller).';


--
-- Name: COLUMN state_checkpoints.user_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.user_id IS 'Copied from the state by a trigger: the checkpoint is private where the state is. Not a foreign key: the state''s own keys cascade.';


--
-- Name: COLUMN state_checkpoints.conversation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.conversation_id IS 'Copied from the state by a trigger; not a foreign key (the state''s own key cascades).';


--
-- Name: COLUMN state_checkpoints.label; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.label IS 'Optional name, e.g. "before import".';


--
-- Name: COLUMN state_checkpoints.state_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.state_hash IS 'SHA-256 of the canonical JSON of state, generated; equals the state''s hash at the time.';


--
-- Name: COLUMN state_checkpoints.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.version IS 'The state''s version when the checkpoint was taken.';


--
-- Name: COLUMN state_checkpoints.restorable; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.restorable IS 'false: kept for the record but refused by RestoreCheckpoint.';


--
-- Name: COLUMN state_checkpoints.created_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.state_checkpoints.created_by IS 'The user who took it (NULL for auto checkpoints by the system or a deleted user).';


--
-- Name: tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tasks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    organization_id uuid NOT NULL,
    conversation_id uuid,
    agent_id uuid NOT NULL,
    created_by uuid,
    task_type text NOT NULL,
    status public.task_status DEFAULT 'pending'::public.task_status NOT NULL,
    input jsonb DEFAULT '{}'::jsonb NOT NULL,
    output jsonb,
    error text,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 3 NOT NULL,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    locked_at timestamp with time zone,
    locked_by text,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tasks_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT tasks_attempts_within_max CHECK ((attempts <= max_attempts)),
    CONSTRAINT tasks_finished_tasks_have_finished_at CHECK (((status = ANY (ARRAY['succeeded'::public.task_status, 'failed'::public.task_status, 'cancelled'::public.task_status])) = (finished_at IS NOT NULL))),
    CONSTRAINT tasks_input_check CHECK ((jsonb_typeof(input) = 'object'::text)),
    CONSTRAINT tasks_locked_by_check CHECK ((btrim(locked_by) <> ''::text)),
    CONSTRAINT tasks_max_attempts_check CHECK ((max_attempts >= 1)),
    CONSTRAINT tasks_running_tasks_are_locked CHECK (((status <> 'running'::public.task_status) OR ((locked_at IS NOT NULL) AND (locked_by IS NOT NULL)))),
    CONSTRAINT tasks_task_type_check CHECK ((btrim(task_type) <> ''::text))
);

ALTER TABLE ONLY public.tasks FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE tasks; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.tasks IS 'Background tasks for agents, a queue claimed with FOR UPDATE SKIP LOCKED; failed attempts are retried with backoff until max_attempts.';


--
-- Name: COLUMN tasks.conversation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.conversation_id IS 'The conversation (session) the task was delegated from; NULL for standalone tasks.';


--
-- Name: COLUMN tasks.agent_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.agent_id IS 'The agent assigned to the task.';


--
-- Name: COLUMN tasks.task_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.task_type IS 'What to do, named by the agent''s capabilities, e.g. summarize, analyze_portfolio.';


--
-- Name: COLUMN tasks.input; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.input IS 'The task''s parameters (a JSON object).';


--
-- Name: COLUMN tasks.output; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.output IS 'The result, any JSON; NULL until succeeded.';


--
-- Name: COLUMN tasks.error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.error IS 'The last attempt''s error.';


--
-- Name: COLUMN tasks.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.attempts IS 'Attempts started (incremented by each claim), at most max_attempts.';


--
-- Name: COLUMN tasks.run_after; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.run_after IS 'Not claimed before this time (scheduling and retry backoff).';


--
-- Name: COLUMN tasks.locked_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.locked_at IS 'When the running attempt was claimed or last sent a heartbeat: the lease runs from here.';


--
-- Name: COLUMN tasks.locked_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.locked_by IS 'The worker running the task (a name of its choosing).';


--
-- Name: COLUMN tasks.started_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.started_at IS 'When the first attempt was claimed.';


--
-- Name: COLUMN tasks.finished_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tasks.finished_at IS 'When the task succeeded, failed for good or was cancelled.';


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
-- Name: agent_knowledge_sources agent_knowledge_sources_agent_id_source_path_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_knowledge_sources
    ADD CONSTRAINT agent_knowledge_sources_agent_id_source_path_key UNIQUE (agent_id, source_path);


--
-- Name: agent_knowledge_sources agent_knowledge_sources_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_knowledge_sources
    ADD CONSTRAINT agent_knowledge_sources_pkey PRIMARY KEY (id);


--
-- Name: agent_quick_tasks agent_quick_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_quick_tasks
    ADD CONSTRAINT agent_quick_tasks_pkey PRIMARY KEY (id);


--
-- Name: agent_states agent_states_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_key UNIQUE NULLS NOT DISTINCT (organization_id, user_id, agent_id, scope, conversation_id);


--
-- Name: agent_states agent_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_pkey PRIMARY KEY (id);


--
-- Name: agents agents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (id);


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
-- Name: artifacts artifacts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_pkey PRIMARY KEY (id);


--
-- Name: context_snapshots context_snapshots_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.context_snapshots
    ADD CONSTRAINT context_snapshots_pkey PRIMARY KEY (id);


--
-- Name: conversation_chunks conversation_chunks_organization_id_conversation_id_chunk_i_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_chunks
    ADD CONSTRAINT conversation_chunks_organization_id_conversation_id_chunk_i_key UNIQUE (organization_id, conversation_id, chunk_index);


--
-- Name: conversation_chunks conversation_chunks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_chunks
    ADD CONSTRAINT conversation_chunks_pkey PRIMARY KEY (id);


--
-- Name: conversation_shares conversation_shares_organization_id_conversation_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_shares
    ADD CONSTRAINT conversation_shares_organization_id_conversation_id_user_id_key UNIQUE (organization_id, conversation_id, user_id);


--
-- Name: conversation_shares conversation_shares_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_shares
    ADD CONSTRAINT conversation_shares_pkey PRIMARY KEY (id);


--
-- Name: conversations conversations_organization_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_organization_id_id_key UNIQUE (organization_id, id);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);


--
-- Name: embeddings embeddings_chunk_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_chunk_unique UNIQUE (organization_id, agent_id, source_type, source_id, chunk_index, model);


--
-- Name: embeddings embeddings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_pkey PRIMARY KEY (id);


--
-- Name: file_deletions file_deletions_path_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.file_deletions
    ADD CONSTRAINT file_deletions_path_key UNIQUE (path);


--
-- Name: file_deletions file_deletions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.file_deletions
    ADD CONSTRAINT file_deletions_pkey PRIMARY KEY (id);


--
-- Name: files files_conversation_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_conversation_id_id_key UNIQUE (conversation_id, id);


--
-- Name: files files_path_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_path_key UNIQUE (path);


--
-- Name: files files_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_unique_per_caller; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_unique_per_caller UNIQUE (organization_id, caller_id, key);


--
-- Name: job_schedule job_schedule_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_schedule
    ADD CONSTRAINT job_schedule_pkey PRIMARY KEY (job);


--
-- Name: memories memories_key_unique_in_scope; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_key_unique_in_scope UNIQUE NULLS NOT DISTINCT (organization_id, user_id, agent_id, conversation_id, key);


--
-- Name: memories memories_organization_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_organization_id_id_key UNIQUE (organization_id, id);


--
-- Name: memories memories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_pkey PRIMARY KEY (id);


--
-- Name: memory_events memory_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_events
    ADD CONSTRAINT memory_events_pkey PRIMARY KEY (id);


--
-- Name: memory_links memory_links_organization_id_from_memory_id_to_memory_id_li_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_links
    ADD CONSTRAINT memory_links_organization_id_from_memory_id_to_memory_id_li_key UNIQUE (organization_id, from_memory_id, to_memory_id, link_type);


--
-- Name: memory_links memory_links_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_links
    ADD CONSTRAINT memory_links_pkey PRIMARY KEY (id);


--
-- Name: message_files message_files_conversation_id_message_id_file_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_files
    ADD CONSTRAINT message_files_conversation_id_message_id_file_id_key UNIQUE (conversation_id, message_id, file_id);


--
-- Name: message_files message_files_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_files
    ADD CONSTRAINT message_files_pkey PRIMARY KEY (id);


--
-- Name: message_versions message_versions_message_id_version_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_versions
    ADD CONSTRAINT message_versions_message_id_version_key UNIQUE (message_id, version);


--
-- Name: message_versions message_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_versions
    ADD CONSTRAINT message_versions_pkey PRIMARY KEY (id);


--
-- Name: messages messages_conversation_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_conversation_id_id_key UNIQUE (conversation_id, id);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);


--
-- Name: organization_agents organization_agents_organization_id_agent_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_agents
    ADD CONSTRAINT organization_agents_organization_id_agent_id_key UNIQUE (organization_id, agent_id);


--
-- Name: organization_agents organization_agents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_agents
    ADD CONSTRAINT organization_agents_pkey PRIMARY KEY (id);


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
-- Name: retention_runs retention_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.retention_runs
    ADD CONSTRAINT retention_runs_pkey PRIMARY KEY (id);


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
-- Name: state_checkpoints state_checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.state_checkpoints
    ADD CONSTRAINT state_checkpoints_pkey PRIMARY KEY (id);


--
-- Name: tasks tasks_organization_id_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_organization_id_id_key UNIQUE (organization_id, id);


--
-- Name: tasks tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);


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
-- Name: agent_knowledge_sources_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_knowledge_sources_organization_id_idx ON public.agent_knowledge_sources USING btree (organization_id);


--
-- Name: agent_quick_tasks_agent_id_order_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_quick_tasks_agent_id_order_idx ON public.agent_quick_tasks USING btree (agent_id, order_index, id);


--
-- Name: agent_quick_tasks_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_quick_tasks_organization_id_idx ON public.agent_quick_tasks USING btree (organization_id);


--
-- Name: agent_states_agent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_agent_idx ON public.agent_states USING btree (agent_id, organization_id);


--
-- Name: agent_states_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_conversation_idx ON public.agent_states USING btree (organization_id, conversation_id) WHERE (conversation_id IS NOT NULL);


--
-- Name: agent_states_organization_updated_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_organization_updated_at_idx ON public.agent_states USING btree (organization_id, updated_at, id);


--
-- Name: agent_states_updated_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_updated_at_idx ON public.agent_states USING btree (updated_at);


--
-- Name: agent_states_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_user_id_idx ON public.agent_states USING btree (user_id) WHERE (user_id IS NOT NULL);


--
-- Name: agents_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agents_created_by_idx ON public.agents USING btree (created_by) WHERE (created_by IS NOT NULL);


--
-- Name: agents_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agents_organization_id_idx ON public.agents USING btree (organization_id);


--
-- Name: api_keys_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_created_by_idx ON public.api_keys USING btree (created_by);


--
-- Name: api_keys_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_organization_id_idx ON public.api_keys USING btree (organization_id);


--
-- Name: artifacts_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_agent_id_idx ON public.artifacts USING btree (agent_id) WHERE (agent_id IS NOT NULL);


--
-- Name: artifacts_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_conversation_idx ON public.artifacts USING btree (organization_id, conversation_id) WHERE (conversation_id IS NOT NULL);


--
-- Name: artifacts_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_created_by_idx ON public.artifacts USING btree (created_by) WHERE (created_by IS NOT NULL);


--
-- Name: artifacts_organization_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_organization_created_at_idx ON public.artifacts USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: artifacts_task_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_task_idx ON public.artifacts USING btree (organization_id, task_id) WHERE (task_id IS NOT NULL);


--
-- Name: context_snapshots_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX context_snapshots_agent_id_idx ON public.context_snapshots USING btree (agent_id) WHERE (agent_id IS NOT NULL);


--
-- Name: context_snapshots_conversation_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX context_snapshots_conversation_created_at_idx ON public.context_snapshots USING btree (organization_id, conversation_id, created_at, id);


--
-- Name: conversation_chunks_search_vector_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversation_chunks_search_vector_idx ON public.conversation_chunks USING gin (search_vector);


--
-- Name: conversation_shares_granted_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversation_shares_granted_by_idx ON public.conversation_shares USING btree (granted_by) WHERE (granted_by IS NOT NULL);


--
-- Name: conversation_shares_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversation_shares_user_id_idx ON public.conversation_shares USING btree (user_id);


--
-- Name: conversations_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_agent_id_idx ON public.conversations USING btree (agent_id) WHERE (agent_id IS NOT NULL);


--
-- Name: conversations_last_activity_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_last_activity_at_idx ON public.conversations USING btree (last_activity_at);


--
-- Name: conversations_owner_activity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_owner_activity_idx ON public.conversations USING btree (organization_id, user_id, last_activity_at DESC, id DESC);


--
-- Name: conversations_retention_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_retention_idx ON public.conversations USING btree (organization_id, last_activity_at, id) WHERE (NOT retention_hold);


--
-- Name: conversations_session_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX conversations_session_id_key ON public.conversations USING btree (organization_id, user_id, ((metadata ->> 'session_id'::text))) WHERE (metadata ? 'session_id'::text);


--
-- Name: INDEX conversations_session_id_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.conversations_session_id_key IS 'Command-protocol session names (metadata.session_id): unique per owner and organization.';


--
-- Name: conversations_soft_deleted_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_soft_deleted_idx ON public.conversations USING btree (updated_at, id) WHERE ((status = 'deleted'::public.conversation_status) AND (NOT retention_hold));


--
-- Name: conversations_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_user_id_idx ON public.conversations USING btree (user_id);


--
-- Name: embeddings_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX embeddings_agent_id_idx ON public.embeddings USING btree (agent_id);


--
-- Name: embeddings_agent_model_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX embeddings_agent_model_idx ON public.embeddings USING btree (organization_id, agent_id, model);


--
-- Name: embeddings_claimable_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX embeddings_claimable_idx ON public.embeddings USING btree (run_after, id) WHERE (status = 'pending'::public.embedding_status);


--
-- Name: embeddings_content_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX embeddings_content_trgm_idx ON public.embeddings USING gin (content public.gin_trgm_ops);


--
-- Name: embeddings_search_vector_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX embeddings_search_vector_idx ON public.embeddings USING gin (search_vector);


--
-- Name: embeddings_source_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX embeddings_source_idx ON public.embeddings USING btree (organization_id, source_type, source_id);


--
-- Name: file_deletions_not_before_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX file_deletions_not_before_idx ON public.file_deletions USING btree (not_before);


--
-- Name: file_deletions_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX file_deletions_organization_id_idx ON public.file_deletions USING btree (organization_id);


--
-- Name: files_conversation_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX files_conversation_created_at_idx ON public.files USING btree (organization_id, conversation_id, created_at, id);


--
-- Name: files_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX files_created_by_idx ON public.files USING btree (created_by) WHERE (created_by IS NOT NULL);


--
-- Name: idempotency_keys_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_created_at_idx ON public.idempotency_keys USING btree (created_at);


--
-- Name: memories_agent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_agent_idx ON public.memories USING btree (agent_id, organization_id) WHERE (agent_id IS NOT NULL);


--
-- Name: memories_content_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_content_idx ON public.memories USING gin (content jsonb_path_ops);


--
-- Name: memories_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_conversation_idx ON public.memories USING btree (organization_id, conversation_id) WHERE (conversation_id IS NOT NULL);


--
-- Name: memories_organization_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_organization_created_at_idx ON public.memories USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: memories_organization_kind_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_organization_kind_idx ON public.memories USING btree (organization_id, kind, created_at DESC, id DESC);


--
-- Name: memories_search_vector_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_search_vector_idx ON public.memories USING gin (search_vector);


--
-- Name: memories_tags_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_tags_idx ON public.memories USING gin (tags);


--
-- Name: memories_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_user_id_idx ON public.memories USING btree (user_id) WHERE (user_id IS NOT NULL);


--
-- Name: memory_events_actor_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memory_events_actor_user_id_idx ON public.memory_events USING btree (actor_user_id) WHERE (actor_user_id IS NOT NULL);


--
-- Name: memory_events_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memory_events_conversation_idx ON public.memory_events USING btree (organization_id, conversation_id) WHERE (conversation_id IS NOT NULL);


--
-- Name: memory_events_memory_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memory_events_memory_idx ON public.memory_events USING btree (organization_id, memory_id, created_at, id);


--
-- Name: memory_events_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memory_events_user_id_idx ON public.memory_events USING btree (user_id) WHERE (user_id IS NOT NULL);


--
-- Name: memory_links_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memory_links_created_by_idx ON public.memory_links USING btree (created_by) WHERE (created_by IS NOT NULL);


--
-- Name: memory_links_to_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memory_links_to_idx ON public.memory_links USING btree (organization_id, to_memory_id);


--
-- Name: message_files_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_files_conversation_idx ON public.message_files USING btree (organization_id, conversation_id);


--
-- Name: message_files_file_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_files_file_idx ON public.message_files USING btree (conversation_id, file_id);


--
-- Name: message_versions_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_versions_conversation_idx ON public.message_versions USING btree (organization_id, conversation_id);


--
-- Name: message_versions_edited_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_versions_edited_by_idx ON public.message_versions USING btree (edited_by) WHERE (edited_by IS NOT NULL);


--
-- Name: messages_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_agent_id_idx ON public.messages USING btree (agent_id) WHERE (agent_id IS NOT NULL);


--
-- Name: messages_conversation_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_conversation_created_at_idx ON public.messages USING btree (organization_id, conversation_id, created_at, id);


--
-- Name: messages_parent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_parent_idx ON public.messages USING btree (conversation_id, parent_message_id) WHERE (parent_message_id IS NOT NULL);


--
-- Name: messages_search_vector_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_search_vector_idx ON public.messages USING gin (search_vector);


--
-- Name: messages_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_user_id_idx ON public.messages USING btree (user_id) WHERE (user_id IS NOT NULL);


--
-- Name: organization_agents_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organization_agents_agent_id_idx ON public.organization_agents USING btree (agent_id);


--
-- Name: organization_agents_agent_organization_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organization_agents_agent_organization_id_idx ON public.organization_agents USING btree (agent_organization_id);


--
-- Name: organization_agents_granted_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organization_agents_granted_by_idx ON public.organization_agents USING btree (granted_by) WHERE (granted_by IS NOT NULL);


--
-- Name: organization_memberships_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organization_memberships_user_id_idx ON public.organization_memberships USING btree (user_id);


--
-- Name: retention_runs_started_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX retention_runs_started_at_idx ON public.retention_runs USING btree (started_at DESC, id DESC);


--
-- Name: state_checkpoints_auto_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX state_checkpoints_auto_idx ON public.state_checkpoints USING btree (agent_state_id, created_at DESC) WHERE (kind = 'auto'::public.checkpoint_kind);


--
-- Name: state_checkpoints_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX state_checkpoints_created_at_idx ON public.state_checkpoints USING btree (created_at);


--
-- Name: state_checkpoints_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX state_checkpoints_created_by_idx ON public.state_checkpoints USING btree (created_by) WHERE (created_by IS NOT NULL);


--
-- Name: state_checkpoints_organization_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX state_checkpoints_organization_user_idx ON public.state_checkpoints USING btree (organization_id, user_id);


--
-- Name: state_checkpoints_state_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX state_checkpoints_state_created_at_idx ON public.state_checkpoints USING btree (agent_state_id, created_at DESC, id DESC);


--
-- Name: tasks_agent_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_agent_id_idx ON public.tasks USING btree (agent_id);


--
-- Name: tasks_claimable_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_claimable_idx ON public.tasks USING btree (run_after, id) WHERE (status = 'pending'::public.task_status);


--
-- Name: tasks_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_conversation_idx ON public.tasks USING btree (organization_id, conversation_id) WHERE (conversation_id IS NOT NULL);


--
-- Name: tasks_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_created_by_idx ON public.tasks USING btree (created_by) WHERE (created_by IS NOT NULL);


--
-- Name: tasks_organization_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_organization_created_at_idx ON public.tasks USING btree (organization_id, created_at DESC, id DESC);


--
-- Name: tasks_running_locked_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_running_locked_at_idx ON public.tasks USING btree (locked_at) WHERE (status = 'running'::public.task_status);


--
-- Name: webhook_events_processed_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_processed_at_idx ON public.webhook_events USING btree (processed_at);


--
-- Name: messages_conversation_organization; Type: STATISTICS; Schema: public; Owner: -
--

CREATE STATISTICS public.messages_conversation_organization (dependencies) ON organization_id, conversation_id FROM public.messages;


--
-- Name: STATISTICS messages_conversation_organization; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON STATISTICS public.messages_conversation_organization IS 'conversation_id determines organization_id: keeps list queries of a conversation on their index scan in order.';


--
-- Name: agent_knowledge_sources agent_knowledge_sources_copy_agent_organization; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_knowledge_sources_copy_agent_organization BEFORE INSERT OR UPDATE OF agent_id ON public.agent_knowledge_sources FOR EACH ROW EXECUTE FUNCTION app.copy_agent_organization();


--
-- Name: agent_knowledge_sources agent_knowledge_sources_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_knowledge_sources_set_updated_at BEFORE UPDATE ON public.agent_knowledge_sources FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: agent_quick_tasks agent_quick_tasks_copy_agent_organization; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_quick_tasks_copy_agent_organization BEFORE INSERT OR UPDATE OF agent_id ON public.agent_quick_tasks FOR EACH ROW EXECUTE FUNCTION app.copy_agent_organization();


--
-- Name: agent_quick_tasks agent_quick_tasks_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_quick_tasks_set_updated_at BEFORE UPDATE ON public.agent_quick_tasks FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: agent_states agent_states_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_states_bump_version BEFORE UPDATE OF state ON public.agent_states FOR EACH ROW EXECUTE FUNCTION app.bump_agent_state_version();


--
-- Name: agents agents_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agents_set_updated_at BEFORE UPDATE ON public.agents FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: artifacts artifacts_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER artifacts_set_updated_at BEFORE UPDATE ON public.artifacts FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: conversations conversations_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE OF agent_id, title, status, participants, metadata ON public.conversations FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: embeddings embeddings_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER embeddings_set_updated_at BEFORE UPDATE ON public.embeddings FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: files files_queue_deleted_objects; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER files_queue_deleted_objects AFTER DELETE ON public.files REFERENCING OLD TABLE AS deleted_files FOR EACH STATEMENT EXECUTE FUNCTION app.queue_deleted_file_objects();


--
-- Name: files files_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER files_set_updated_at BEFORE UPDATE ON public.files FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: memories memories_count_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_count_deleted AFTER DELETE ON public.memories REFERENCING OLD TABLE AS deleted_memories FOR EACH STATEMENT EXECUTE FUNCTION app.count_deleted_memories();


--
-- Name: memories memories_count_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_count_inserted AFTER INSERT ON public.memories REFERENCING NEW TABLE AS inserted_memories FOR EACH STATEMENT EXECUTE FUNCTION app.count_inserted_memories();


--
-- Name: memories memories_record_event; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_record_event AFTER INSERT OR DELETE OR UPDATE ON public.memories FOR EACH ROW EXECUTE FUNCTION app.record_memory_event();


--
-- Name: memories memories_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_set_updated_at BEFORE UPDATE OF kind, memory_type, key, content, tags, importance, decay_rate, embedding, embedding_model ON public.memories FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: messages messages_count_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_count_deleted AFTER DELETE ON public.messages REFERENCING OLD TABLE AS deleted_messages FOR EACH STATEMENT EXECUTE FUNCTION app.count_deleted_messages();


--
-- Name: messages messages_count_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_count_inserted AFTER INSERT ON public.messages REFERENCING NEW TABLE AS inserted_messages FOR EACH STATEMENT EXECUTE FUNCTION app.count_inserted_messages();


--
-- Name: messages messages_count_tokens; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_count_tokens AFTER UPDATE OF input_tokens, output_tokens ON public.messages FOR EACH ROW WHEN (((old.input_tokens <> new.input_tokens) OR (old.output_tokens <> new.output_tokens))) EXECUTE FUNCTION app.count_message_tokens();


--
-- Name: messages messages_keep_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_keep_version BEFORE UPDATE OF content, content_parts ON public.messages FOR EACH ROW WHEN (((old.status <> ALL (ARRAY['pending'::public.message_status, 'streaming'::public.message_status])) AND ((old.content IS DISTINCT FROM new.content) OR (old.content_parts IS DISTINCT FROM new.content_parts)))) EXECUTE FUNCTION app.keep_message_version();


--
-- Name: messages messages_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_set_updated_at BEFORE UPDATE ON public.messages FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: organization_agents organization_agents_copy_agent_organization; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER organization_agents_copy_agent_organization BEFORE INSERT OR UPDATE OF agent_id ON public.organization_agents FOR EACH ROW EXECUTE FUNCTION app.copy_granted_agent_organization();


--
-- Name: organization_agents organization_agents_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER organization_agents_set_updated_at BEFORE UPDATE ON public.organization_agents FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: organization_memberships organization_memberships_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER organization_memberships_set_updated_at BEFORE UPDATE ON public.organization_memberships FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: organizations organizations_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER organizations_set_updated_at BEFORE UPDATE ON public.organizations FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: state_checkpoints state_checkpoints_copy_state_keys; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER state_checkpoints_copy_state_keys BEFORE INSERT ON public.state_checkpoints FOR EACH ROW EXECUTE FUNCTION app.copy_checkpoint_state_keys();


--
-- Name: state_checkpoints state_checkpoints_prune_auto; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER state_checkpoints_prune_auto AFTER INSERT ON public.state_checkpoints FOR EACH ROW WHEN ((new.kind = 'auto'::public.checkpoint_kind)) EXECUTE FUNCTION app.prune_auto_checkpoints();


--
-- Name: tasks tasks_count_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_count_deleted AFTER DELETE ON public.tasks REFERENCING OLD TABLE AS deleted_tasks FOR EACH STATEMENT EXECUTE FUNCTION app.count_deleted_tasks();


--
-- Name: tasks tasks_count_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_count_inserted AFTER INSERT ON public.tasks REFERENCING NEW TABLE AS inserted_tasks FOR EACH STATEMENT EXECUTE FUNCTION app.count_inserted_tasks();


--
-- Name: tasks tasks_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: users users_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();


--
-- Name: agent_knowledge_sources agent_knowledge_sources_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_knowledge_sources
    ADD CONSTRAINT agent_knowledge_sources_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: agent_knowledge_sources agent_knowledge_sources_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_knowledge_sources
    ADD CONSTRAINT agent_knowledge_sources_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: agent_quick_tasks agent_quick_tasks_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_quick_tasks
    ADD CONSTRAINT agent_quick_tasks_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: agent_quick_tasks agent_quick_tasks_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_quick_tasks
    ADD CONSTRAINT agent_quick_tasks_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: agent_states agent_states_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: agent_states agent_states_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: agent_states agent_states_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: agent_states agent_states_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: agents agents_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: agents agents_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


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
-- Name: artifacts artifacts_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE SET NULL;


--
-- Name: artifacts artifacts_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: artifacts artifacts_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: artifacts artifacts_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: artifacts artifacts_organization_id_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_organization_id_task_id_fkey FOREIGN KEY (organization_id, task_id) REFERENCES public.tasks(organization_id, id) ON DELETE SET NULL (task_id);


--
-- Name: context_snapshots context_snapshots_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.context_snapshots
    ADD CONSTRAINT context_snapshots_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE SET NULL;


--
-- Name: context_snapshots context_snapshots_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.context_snapshots
    ADD CONSTRAINT context_snapshots_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: conversation_chunks conversation_chunks_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_chunks
    ADD CONSTRAINT conversation_chunks_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: conversation_shares conversation_shares_granted_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_shares
    ADD CONSTRAINT conversation_shares_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: conversation_shares conversation_shares_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_shares
    ADD CONSTRAINT conversation_shares_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: conversation_shares conversation_shares_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_shares
    ADD CONSTRAINT conversation_shares_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: conversations conversations_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE SET NULL;


--
-- Name: conversations conversations_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: conversations conversations_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: embeddings embeddings_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: embeddings embeddings_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embeddings
    ADD CONSTRAINT embeddings_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: files files_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: files files_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.files
    ADD CONSTRAINT files_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: idempotency_keys idempotency_keys_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: memories memories_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: memories memories_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: memories memories_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: memories memories_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: memory_events memory_events_actor_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_events
    ADD CONSTRAINT memory_events_actor_user_id_fkey FOREIGN KEY (actor_user_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: memory_events memory_events_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_events
    ADD CONSTRAINT memory_events_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: memory_events memory_events_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_events
    ADD CONSTRAINT memory_events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: memory_events memory_events_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_events
    ADD CONSTRAINT memory_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: memory_links memory_links_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_links
    ADD CONSTRAINT memory_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: memory_links memory_links_organization_id_from_memory_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_links
    ADD CONSTRAINT memory_links_organization_id_from_memory_id_fkey FOREIGN KEY (organization_id, from_memory_id) REFERENCES public.memories(organization_id, id) ON DELETE CASCADE;


--
-- Name: memory_links memory_links_organization_id_to_memory_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memory_links
    ADD CONSTRAINT memory_links_organization_id_to_memory_id_fkey FOREIGN KEY (organization_id, to_memory_id) REFERENCES public.memories(organization_id, id) ON DELETE CASCADE;


--
-- Name: message_files message_files_conversation_id_file_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_files
    ADD CONSTRAINT message_files_conversation_id_file_id_fkey FOREIGN KEY (conversation_id, file_id) REFERENCES public.files(conversation_id, id) ON DELETE CASCADE;


--
-- Name: message_files message_files_conversation_id_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_files
    ADD CONSTRAINT message_files_conversation_id_message_id_fkey FOREIGN KEY (conversation_id, message_id) REFERENCES public.messages(conversation_id, id) ON DELETE CASCADE;


--
-- Name: message_files message_files_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_files
    ADD CONSTRAINT message_files_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: message_versions message_versions_edited_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_versions
    ADD CONSTRAINT message_versions_edited_by_fkey FOREIGN KEY (edited_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: message_versions message_versions_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_versions
    ADD CONSTRAINT message_versions_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE;


--
-- Name: message_versions message_versions_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_versions
    ADD CONSTRAINT message_versions_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: messages messages_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE SET NULL;


--
-- Name: messages messages_conversation_id_parent_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_conversation_id_parent_message_id_fkey FOREIGN KEY (conversation_id, parent_message_id) REFERENCES public.messages(conversation_id, id) ON DELETE SET NULL (parent_message_id);


--
-- Name: messages messages_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: messages messages_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: organization_agents organization_agents_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_agents
    ADD CONSTRAINT organization_agents_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: organization_agents organization_agents_agent_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_agents
    ADD CONSTRAINT organization_agents_agent_organization_id_fkey FOREIGN KEY (agent_organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: organization_agents organization_agents_granted_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_agents
    ADD CONSTRAINT organization_agents_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: organization_agents organization_agents_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization_agents
    ADD CONSTRAINT organization_agents_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


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
-- Name: state_checkpoints state_checkpoints_agent_state_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.state_checkpoints
    ADD CONSTRAINT state_checkpoints_agent_state_id_fkey FOREIGN KEY (agent_state_id) REFERENCES public.agent_states(id) ON DELETE CASCADE;


--
-- Name: state_checkpoints state_checkpoints_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.state_checkpoints
    ADD CONSTRAINT state_checkpoints_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: tasks tasks_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;


--
-- Name: tasks tasks_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: tasks tasks_organization_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_organization_id_conversation_id_fkey FOREIGN KEY (organization_id, conversation_id) REFERENCES public.conversations(organization_id, id) ON DELETE CASCADE;


--
-- Name: tasks tasks_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: agent_knowledge_sources admins add knowledge sources to their organization's agents; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins add knowledge sources to their organization's agents" ON public.agent_knowledge_sources FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: agent_quick_tasks admins add quick tasks to their organization's agents; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins add quick tasks to their organization's agents" ON public.agent_quick_tasks FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: organization_agents admins configure grants of or to their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins configure grants of or to their organization" ON public.organization_agents FOR UPDATE TO app_tenant USING ((((organization_id = ( SELECT app.current_org_id() AS current_org_id)) OR (agent_organization_id = ( SELECT app.current_org_id() AS current_org_id))) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin))) WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) OR (agent_organization_id = ( SELECT app.current_org_id() AS current_org_id))));


--
-- Name: agents admins create agents for their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins create agents for their organization" ON public.agents FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: api_keys admins create api keys for their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins create api keys for their organization" ON public.api_keys FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: agents admins delete their organization's agents; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins delete their organization's agents" ON public.agents FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: organization_agents admins grant their organization's agents to organizations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins grant their organization's agents to organizations" ON public.organization_agents FOR INSERT TO app_tenant WITH CHECK (((agent_organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: organization_agents admins read the grants of their organization's agents; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read the grants of their organization's agents" ON public.organization_agents FOR SELECT TO app_tenant USING (((agent_organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: api_keys admins read their organization's api keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read their organization's api keys" ON public.api_keys FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: agent_knowledge_sources admins remove their organization's knowledge sources; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins remove their organization's knowledge sources" ON public.agent_knowledge_sources FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: agent_quick_tasks admins remove their organization's quick tasks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins remove their organization's quick tasks" ON public.agent_quick_tasks FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: organization_agents admins revoke grants of or to their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins revoke grants of or to their organization" ON public.organization_agents FOR DELETE TO app_tenant USING ((((organization_id = ( SELECT app.current_org_id() AS current_org_id)) OR (agent_organization_id = ( SELECT app.current_org_id() AS current_org_id))) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin)));


--
-- Name: api_keys admins revoke their organization's api keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins revoke their organization's api keys" ON public.api_keys FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: agents admins update their organization's agents; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins update their organization's agents" ON public.agents FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: agent_knowledge_sources admins update their organization's knowledge sources; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins update their organization's knowledge sources" ON public.agent_knowledge_sources FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: agent_quick_tasks admins update their organization's quick tasks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins update their organization's quick tasks" ON public.agent_quick_tasks FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ( SELECT app.current_user_is_admin() AS current_user_is_admin))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: agent_knowledge_sources; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.agent_knowledge_sources ENABLE ROW LEVEL SECURITY;

--
-- Name: agent_quick_tasks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.agent_quick_tasks ENABLE ROW LEVEL SECURITY;

--
-- Name: agent_states; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.agent_states ENABLE ROW LEVEL SECURITY;

--
-- Name: agents; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: artifacts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.artifacts ENABLE ROW LEVEL SECURITY;

--
-- Name: messages authors and conversation owners delete messages; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "authors and conversation owners delete messages" ON public.messages FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id) AND ((user_id = ( SELECT app.current_user_id() AS current_user_id)) OR app.owns_conversation(conversation_id))));


--
-- Name: messages authors edit their messages and members update agent messages; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "authors edit their messages and members update agent messages" ON public.messages FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id = ( SELECT app.current_user_id() AS current_user_id)) OR (role <> 'user'::public.message_role)) AND app.can_access_conversation(conversation_id))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: context_snapshots; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.context_snapshots ENABLE ROW LEVEL SECURITY;

--
-- Name: conversation_chunks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.conversation_chunks ENABLE ROW LEVEL SECURITY;

--
-- Name: conversation_shares; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.conversation_shares ENABLE ROW LEVEL SECURITY;

--
-- Name: conversations; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.conversations ENABLE ROW LEVEL SECURITY;

--
-- Name: files creators and conversation owners delete files; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "creators and conversation owners delete files" ON public.files FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id) AND ((created_by = ( SELECT app.current_user_id() AS current_user_id)) OR app.owns_conversation(conversation_id))));


--
-- Name: embeddings; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.embeddings ENABLE ROW LEVEL SECURITY;

--
-- Name: file_deletions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.file_deletions ENABLE ROW LEVEL SECURITY;

--
-- Name: files; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.files ENABLE ROW LEVEL SECURITY;

--
-- Name: idempotency_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.idempotency_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: job_schedule; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.job_schedule ENABLE ROW LEVEL SECURITY;

--
-- Name: artifacts members add artifacts to their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members add artifacts to their organization" ON public.artifacts FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)) AND ((agent_id IS NULL) OR (agent_id IN ( SELECT a.id
   FROM public.agents a))) AND ((created_by IS NULL) OR (created_by = ( SELECT app.current_user_id() AS current_user_id)))));


--
-- Name: conversation_chunks members add chunks to conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members add chunks to conversations they can access" ON public.conversation_chunks FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: files members add files to conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members add files to conversations they can access" ON public.files FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id) AND (created_by = ( SELECT app.current_user_id() AS current_user_id))));


--
-- Name: embeddings members add knowledge for agents their organization may use; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members add knowledge for agents their organization may use" ON public.embeddings FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (agent_id IN ( SELECT a.id
   FROM public.agents a))));


--
-- Name: message_files members attach files in conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members attach files in conversations they can access" ON public.message_files FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: state_checkpoints members checkpoint the agent states they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members checkpoint the agent states they can read" ON public.state_checkpoints FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)) AND ((created_by IS NULL) OR (created_by = ( SELECT app.current_user_id() AS current_user_id)))));


--
-- Name: agent_states members create agent states for themselves or their organizatio; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members create agent states for themselves or their organizatio" ON public.agent_states FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)) AND (agent_id IN ( SELECT a.id
   FROM public.agents a))));


--
-- Name: tasks members delegate tasks to agents they may use; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delegate tasks to agents they may use" ON public.tasks FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)) AND (agent_id IN ( SELECT a.id
   FROM public.agents a)) AND ((created_by IS NULL) OR (created_by = ( SELECT app.current_user_id() AS current_user_id)))));


--
-- Name: agent_states members delete the agent states they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delete the agent states they can read" ON public.agent_states FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: state_checkpoints members delete the checkpoints they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delete the checkpoints they can read" ON public.state_checkpoints FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: memories members delete the memories they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delete the memories they can read" ON public.memories FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: artifacts members delete their organization's artifacts; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delete their organization's artifacts" ON public.artifacts FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: embeddings members delete their organization's embeddings; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delete their organization's embeddings" ON public.embeddings FOR DELETE TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: tasks members delete their organization's tasks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members delete their organization's tasks" ON public.tasks FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: message_files members detach files in conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members detach files in conversations they can access" ON public.message_files FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: state_checkpoints members label the checkpoints they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members label the checkpoints they can read" ON public.state_checkpoints FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: memory_links members link memories they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members link memories they can read" ON public.memory_links FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.from_memory_id))) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.to_memory_id))) AND ((created_by IS NULL) OR (created_by = ( SELECT app.current_user_id() AS current_user_id)))));


--
-- Name: messages members post to conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members post to conversations they can access" ON public.messages FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id) AND ((user_id = ( SELECT app.current_user_id() AS current_user_id)) OR ((user_id IS NULL) AND (role <> 'user'::public.message_role))) AND ((agent_id IS NULL) OR (agent_id IN ( SELECT a.id
   FROM public.agents a)))));


--
-- Name: conversations members read conversations they own or that are shared with the; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read conversations they own or that are shared with the" ON public.conversations FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id = ( SELECT app.current_user_id() AS current_user_id)) OR (id IN ( SELECT s.conversation_id
   FROM public.conversation_shares s
  WHERE ((s.organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (s.user_id = ( SELECT app.current_user_id() AS current_user_id))))))));


--
-- Name: agents members read the agents their organization may use; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the agents their organization may use" ON public.agents FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) OR ((visibility = 'public'::public.agent_visibility) AND (( SELECT app.current_org_id() AS current_org_id) IS NOT NULL)) OR (id IN ( SELECT g.agent_id
   FROM public.organization_agents g
  WHERE ((g.organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND g.enabled)))));


--
-- Name: message_files members read the attachments of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the attachments of conversations they can access" ON public.message_files FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: state_checkpoints members read the checkpoints of agent states they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the checkpoints of agent states they can read" ON public.state_checkpoints FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: conversation_chunks members read the chunks of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the chunks of conversations they can access" ON public.conversation_chunks FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: files members read the files of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the files of conversations they can access" ON public.files FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: memory_events members read the history of memories they could read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the history of memories they could read" ON public.memory_events FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: memory_links members read the links between memories they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the links between memories they can read" ON public.memory_links FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.from_memory_id))) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.to_memory_id)))));


--
-- Name: messages members read the messages of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the messages of conversations they can access" ON public.messages FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: agent_quick_tasks members read the quick tasks of agents they may use; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the quick tasks of agents they may use" ON public.agent_quick_tasks FOR SELECT TO app_tenant USING ((agent_id IN ( SELECT a.id
   FROM public.agents a)));


--
-- Name: conversation_shares members read the shares of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the shares of conversations they can access" ON public.conversation_shares FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id = ( SELECT app.current_user_id() AS current_user_id)) OR app.can_access_conversation(conversation_id))));


--
-- Name: context_snapshots members read the snapshots of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the snapshots of conversations they can access" ON public.context_snapshots FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: users members read the users of their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the users of their organization" ON public.users FOR SELECT TO app_tenant USING (((id = ( SELECT app.current_user_id() AS current_user_id)) OR (id IN ( SELECT m.user_id
   FROM public.organization_memberships m
  WHERE (m.organization_id = ( SELECT app.current_org_id() AS current_org_id))))));


--
-- Name: message_versions members read the versions of messages they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read the versions of messages they can read" ON public.message_versions FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: organization_agents members read their organization's agent grants; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's agent grants" ON public.organization_agents FOR SELECT TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: artifacts members read their organization's artifacts; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's artifacts" ON public.artifacts FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: embeddings members read their organization's embeddings; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's embeddings" ON public.embeddings FOR SELECT TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: idempotency_keys members read their organization's idempotency keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's idempotency keys" ON public.idempotency_keys FOR SELECT TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: agent_knowledge_sources members read their organization's knowledge sources; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's knowledge sources" ON public.agent_knowledge_sources FOR SELECT TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: organization_memberships members read their organization's memberships; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's memberships" ON public.organization_memberships FOR SELECT TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: tasks members read their organization's tasks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's tasks" ON public.tasks FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: file_deletions members read their organization's upload reservations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their organization's upload reservations" ON public.file_deletions FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (reason = 'upload'::public.file_deletion_reason)));


--
-- Name: agent_states members read their own and their organization's shared agent st; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their own and their organization's shared agent st" ON public.agent_states FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: memories members read their own and their organization's shared memories; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their own and their organization's shared memories" ON public.memories FOR SELECT TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id))));


--
-- Name: organizations members read their own organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members read their own organization" ON public.organizations FOR SELECT TO app_tenant USING (((id = ( SELECT app.current_org_id() AS current_org_id)) AND (deleted_at IS NULL)));


--
-- Name: idempotency_keys members record idempotency keys in their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members record idempotency keys in their organization" ON public.idempotency_keys FOR INSERT TO app_tenant WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: context_snapshots members record snapshots in conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members record snapshots in conversations they can access" ON public.context_snapshots FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id)));


--
-- Name: file_deletions members release their organization's upload reservations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members release their organization's upload reservations" ON public.file_deletions FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (reason = 'upload'::public.file_deletion_reason)));


--
-- Name: file_deletions members reserve upload paths in their organization's tree; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members reserve upload paths in their organization's tree" ON public.file_deletions FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (reason = 'upload'::public.file_deletion_reason) AND (not_before > now())));


--
-- Name: memory_links members reweigh links between memories they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members reweigh links between memories they can read" ON public.memory_links FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.from_memory_id))) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.to_memory_id))))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: tasks members run and cancel their organization's tasks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members run and cancel their organization's tasks" ON public.tasks FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: conversations members start conversations of their own with agents they may u; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members start conversations of their own with agents they may u" ON public.conversations FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (user_id = ( SELECT app.current_user_id() AS current_user_id)) AND ((agent_id IS NULL) OR (agent_id IN ( SELECT a.id
   FROM public.agents a)))));


--
-- Name: memories members store memories for themselves or their organization; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members store memories for themselves or their organization" ON public.memories FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)) AND ((agent_id IS NULL) OR (agent_id IN ( SELECT a.id
   FROM public.agents a)))));


--
-- Name: memory_links members unlink memories they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members unlink memories they can read" ON public.memory_links FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.from_memory_id))) AND (EXISTS ( SELECT
   FROM public.memories m
  WHERE (m.id = memory_links.to_memory_id)))));


--
-- Name: files members update the files of conversations they can access; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members update the files of conversations they can access" ON public.files FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.can_access_conversation(conversation_id))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: memories members update the memories they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members update the memories they can read" ON public.memories FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: artifacts members update their organization's artifacts; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members update their organization's artifacts" ON public.artifacts FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: embeddings members update their organization's embeddings; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members update their organization's embeddings" ON public.embeddings FOR UPDATE TO app_tenant USING ((organization_id = ( SELECT app.current_org_id() AS current_org_id))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: agent_states members write the agent states they can read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "members write the agent states they can read" ON public.agent_states FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id IS NULL) OR (user_id = ( SELECT app.current_user_id() AS current_user_id))) AND ((conversation_id IS NULL) OR app.can_access_conversation(conversation_id)))) WITH CHECK ((organization_id = ( SELECT app.current_org_id() AS current_org_id)));


--
-- Name: memories; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.memories ENABLE ROW LEVEL SECURITY;

--
-- Name: memory_events; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.memory_events ENABLE ROW LEVEL SECURITY;

--
-- Name: memory_links; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.memory_links ENABLE ROW LEVEL SECURITY;

--
-- Name: message_files; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.message_files ENABLE ROW LEVEL SECURITY;

--
-- Name: message_versions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.message_versions ENABLE ROW LEVEL SECURITY;

--
-- Name: messages; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;

--
-- Name: organization_agents; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.organization_agents ENABLE ROW LEVEL SECURITY;

--
-- Name: organization_memberships; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.organization_memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: organizations; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;

--
-- Name: conversation_chunks owners delete the chunks of their conversations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "owners delete the chunks of their conversations" ON public.conversation_chunks FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.owns_conversation(conversation_id)));


--
-- Name: conversations owners delete their conversations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "owners delete their conversations" ON public.conversations FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (user_id = ( SELECT app.current_user_id() AS current_user_id))));


--
-- Name: conversation_shares owners share their conversations with members of their organiza; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "owners share their conversations with members of their organiza" ON public.conversation_shares FOR INSERT TO app_tenant WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND app.owns_conversation(conversation_id) AND (granted_by = ( SELECT app.current_user_id() AS current_user_id)) AND (user_id <> ( SELECT app.current_user_id() AS current_user_id)) AND (user_id IN ( SELECT m.user_id
   FROM public.organization_memberships m
  WHERE (m.organization_id = ( SELECT app.current_org_id() AS current_org_id))))));


--
-- Name: conversation_shares owners unshare and recipients leave conversations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "owners unshare and recipients leave conversations" ON public.conversation_shares FOR DELETE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND ((user_id = ( SELECT app.current_user_id() AS current_user_id)) OR app.owns_conversation(conversation_id))));


--
-- Name: conversations owners update their conversations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "owners update their conversations" ON public.conversations FOR UPDATE TO app_tenant USING (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (user_id = ( SELECT app.current_user_id() AS current_user_id)))) WITH CHECK (((organization_id = ( SELECT app.current_org_id() AS current_org_id)) AND (user_id = ( SELECT app.current_user_id() AS current_user_id)) AND ((agent_id IS NULL) OR (agent_id IN ( SELECT a.id
   FROM public.agents a)))));


--
-- Name: retention_runs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.retention_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: state_checkpoints; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.state_checkpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: agent_states system deletes expired agent states; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system deletes expired agent states" ON public.agent_states FOR DELETE TO app_system USING (true);


--
-- Name: conversations system deletes expired conversations; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system deletes expired conversations" ON public.conversations FOR DELETE TO app_system USING (true);


--
-- Name: embeddings system deletes orphaned embeddings; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system deletes orphaned embeddings" ON public.embeddings FOR DELETE TO app_system USING (true);


--
-- Name: file_deletions system drains pending deletions; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system drains pending deletions" ON public.file_deletions FOR DELETE TO app_system USING (true);


--
-- Name: memories system embeds memories; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system embeds memories" ON public.memories FOR UPDATE TO app_system USING (true) WITH CHECK (true);


--
-- Name: conversations system maintains conversation counters; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system maintains conversation counters" ON public.conversations FOR UPDATE TO app_system USING (true) WITH CHECK (true);


--
-- Name: organization_agents system manages agent grants; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system manages agent grants" ON public.organization_agents TO app_system USING (true) WITH CHECK (true);


--
-- Name: agent_knowledge_sources system manages knowledge sources; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system manages knowledge sources" ON public.agent_knowledge_sources TO app_system USING (true) WITH CHECK (true);


--
-- Name: agents system manages platform agents; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system manages platform agents" ON public.agents TO app_system USING ((organization_id IS NULL)) WITH CHECK ((organization_id IS NULL));


--
-- Name: agent_quick_tasks system manages quick tasks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system manages quick tasks" ON public.agent_quick_tasks TO app_system USING (true) WITH CHECK (true);


--
-- Name: state_checkpoints system prunes and expires checkpoints; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system prunes and expires checkpoints" ON public.state_checkpoints FOR DELETE TO app_system USING (true);


--
-- Name: idempotency_keys system purges expired idempotency keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system purges expired idempotency keys" ON public.idempotency_keys FOR DELETE TO app_system USING (true);


--
-- Name: agents system reads every agent; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every agent" ON public.agents FOR SELECT TO app_system USING (true);


--
-- Name: agent_states system reads every agent state; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every agent state" ON public.agent_states FOR SELECT TO app_system USING (true);


--
-- Name: message_files system reads every attachment; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every attachment" ON public.message_files FOR SELECT TO app_system USING (true);


--
-- Name: state_checkpoints system reads every checkpoint; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every checkpoint" ON public.state_checkpoints FOR SELECT TO app_system USING (true);


--
-- Name: conversation_chunks system reads every chunk; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every chunk" ON public.conversation_chunks FOR SELECT TO app_system USING (true);


--
-- Name: conversations system reads every conversation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every conversation" ON public.conversations FOR SELECT TO app_system USING (true);


--
-- Name: files system reads every file; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every file" ON public.files FOR SELECT TO app_system USING (true);


--
-- Name: idempotency_keys system reads every idempotency key; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every idempotency key" ON public.idempotency_keys FOR SELECT TO app_system USING (true);


--
-- Name: memories system reads every memory; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every memory" ON public.memories FOR SELECT TO app_system USING (true);


--
-- Name: memory_events system reads every memory event; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every memory event" ON public.memory_events FOR SELECT TO app_system USING (true);


--
-- Name: memory_links system reads every memory link; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every memory link" ON public.memory_links FOR SELECT TO app_system USING (true);


--
-- Name: messages system reads every message; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every message" ON public.messages FOR SELECT TO app_system USING (true);


--
-- Name: message_versions system reads every message version; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every message version" ON public.message_versions FOR SELECT TO app_system USING (true);


--
-- Name: file_deletions system reads every pending deletion; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every pending deletion" ON public.file_deletions FOR SELECT TO app_system USING (true);


--
-- Name: conversation_shares system reads every share; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every share" ON public.conversation_shares FOR SELECT TO app_system USING (true);


--
-- Name: context_snapshots system reads every snapshot; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system reads every snapshot" ON public.context_snapshots FOR SELECT TO app_system USING (true);


--
-- Name: state_checkpoints system records checkpoints; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records checkpoints" ON public.state_checkpoints FOR INSERT TO app_system WITH CHECK (true);


--
-- Name: file_deletions system records failed deletion attempts; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records failed deletion attempts" ON public.file_deletions FOR UPDATE TO app_system USING (true) WITH CHECK (true);


--
-- Name: memory_events system records memory events; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records memory events" ON public.memory_events FOR INSERT TO app_system WITH CHECK (true);


--
-- Name: message_versions system records message versions; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records message versions" ON public.message_versions FOR INSERT TO app_system WITH CHECK (true);


--
-- Name: retention_runs system records retention runs; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records retention runs" ON public.retention_runs TO app_system USING (true) WITH CHECK (true);


--
-- Name: file_deletions system records the deletions of files rows; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records the deletions of files rows" ON public.file_deletions FOR INSERT TO app_system WITH CHECK ((reason = 'deleted'::public.file_deletion_reason));


--
-- Name: webhook_events system records webhook events; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system records webhook events" ON public.webhook_events TO app_system USING (true) WITH CHECK (true);


--
-- Name: api_keys system resolves api keys; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system resolves api keys" ON public.api_keys TO app_system USING (true) WITH CHECK (true);


--
-- Name: job_schedule system schedules jobs; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system schedules jobs" ON public.job_schedule TO app_system USING (true) WITH CHECK (true);


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
-- Name: embeddings system workers embed chunks; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system workers embed chunks" ON public.embeddings FOR UPDATE TO app_system USING (true) WITH CHECK (true);


--
-- Name: artifacts system workers read every artifact; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system workers read every artifact" ON public.artifacts FOR SELECT TO app_system USING (true);


--
-- Name: embeddings system workers read every embedding; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system workers read every embedding" ON public.embeddings FOR SELECT TO app_system USING (true);


--
-- Name: tasks system workers read every task; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system workers read every task" ON public.tasks FOR SELECT TO app_system USING (true);


--
-- Name: tasks system workers run every task; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system workers run every task" ON public.tasks FOR UPDATE TO app_system USING (true) WITH CHECK (true);


--
-- Name: artifacts system workers store artifacts; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "system workers store artifacts" ON public.artifacts FOR INSERT TO app_system WITH CHECK (true);


--
-- Name: tasks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;

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
    ('20261121000200'),
    ('20261121000300'),
    ('20261121000310'),
    ('20261121000400'),
    ('20261121000410'),
    ('20261121000420'),
    ('20261121000430'),
    ('20261121000440'),
    ('20261121000500'),
    ('20261201000100'),
    ('20261201000200'),
    ('20261202000100'),
    ('20261202000300'),
    ('20261202000400'),
    ('20261202000500'),
    ('20261202000600'),
    ('20261202000700');
