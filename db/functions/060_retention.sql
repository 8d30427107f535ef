-- Retention (SPEC section 6): one bounded batch per call, each call meant to be
-- its own short transaction. python -m jobs.retention (and fn.run_retention,
-- for pg_cron) call a function until it deletes fewer rows than the batch: an
-- interrupted run leaves nothing half done, and the next run simply finds
-- what is still expired.
--
-- Common inputs:
--   p_now           the moment to expire against (a parameter: tests travel in time)
--   p_batch         at most this many rows of the function's own table per call (>= 1)
--   p_default_days  the window of organizations whose settings hold no
--                   retention_days (RETENTION_DAYS, 30 by default)
-- Output: rows (table_name, deleted): rows deleted from the function's table
--   and, for cascades, the rows that went with them (counted in the same
--   statement as the delete, from its snapshot).
-- Runs as: the caller, app_system (SET LOCAL ROLE app_system), through its
--   policies: no SECURITY DEFINER. The cascades themselves (foreign keys) run
--   as the tables' owner, as PostgreSQL's referential actions always do.
-- Locks: the deleted rows only (row locks, until the caller commits). A
--   conversation that gets activity or a hold while its delete waits for the
--   row is re-checked and kept.
-- Files: deleting files rows (directly or by cascade) queues their objects in
--   file_deletions (the trigger of the files migration); objects leave storage
--   when that outbox is drained, after the commit. Nothing here touches storage.

-- fn.retention_window(settings, default_days): an organization's window,
-- settings->'retention_days' when it is a number >= 1 (at most 100 years),
-- default_days otherwise. Pure.
CREATE OR REPLACE FUNCTION fn.retention_window(p_settings jsonb, p_default_days integer)
RETURNS interval
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT pg_catalog.make_interval(days => CASE
        WHEN pg_catalog.jsonb_typeof(p_settings -> 'retention_days') = 'number'
             AND (p_settings ->> 'retention_days')::numeric >= 1
        THEN LEAST(pg_catalog.floor((p_settings ->> 'retention_days')::numeric), 36500)::integer
        ELSE p_default_days
    END)
$$;

-- fn.max_auto_checkpoints(settings): how many auto checkpoints a state keeps,
-- settings->'max_auto_checkpoints' (a number >= 0) or 20, as the pruning
-- trigger of the agent_states migration reads it. Pure.
CREATE OR REPLACE FUNCTION fn.max_auto_checkpoints(p_settings jsonb)
RETURNS integer
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT CASE
        WHEN pg_catalog.jsonb_typeof(p_settings -> 'max_auto_checkpoints') = 'number'
        THEN LEAST(GREATEST(pg_catalog.floor((p_settings ->> 'max_auto_checkpoints')::numeric), 0), 100000)::integer
        ELSE 20
    END
$$;

-- fn.expire_conversations(p_now, p_batch, p_default_days)
-- Deletes up to p_batch conversations, oldest first, that are not held
-- (retention_hold) and either had no activity (last_activity_at) for their
-- organization's window, or are soft-deleted (status 'deleted') since before
-- p_now. Everything in them goes by cascade: shares, messages, versions,
-- files rows (their objects queued in file_deletions), attachments, chunks,
-- snapshots, memories scoped to them with their history, agent states scoped
-- to them with their checkpoints, tasks and artifacts. Embeddings cut from
-- their messages, files or chunks are left to fn.expire_orphan_embeddings.
-- Output: conversations and each cascaded table's count.
CREATE OR REPLACE FUNCTION fn.expire_conversations(p_now timestamptz, p_batch integer, p_default_days integer)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE sql
VOLATILE
SET search_path = ''
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

-- fn.expire_agent_states(p_now, p_batch, p_default_days)
-- Deletes up to p_batch agent states not updated (updated_at) within their
-- organization's window, oldest first, with their checkpoints (cascade).
-- States scoped to a held conversation are kept.
-- Output: agent_states, state_checkpoints.
CREATE OR REPLACE FUNCTION fn.expire_agent_states(p_now timestamptz, p_batch integer, p_default_days integer)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE sql
VOLATILE
SET search_path = ''
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

-- fn.expire_checkpoints(p_now, p_batch, p_default_days)
-- Deletes up to p_batch automatic checkpoints (kind 'auto') that are beyond
-- their organization's max_auto_checkpoints for their state (newest kept), or
-- older than the organization's window (unless their state is scoped to a
-- held conversation). Manual and pre_restore checkpoints go only with their state.
-- Output: state_checkpoints.
CREATE OR REPLACE FUNCTION fn.expire_checkpoints(p_now timestamptz, p_batch integer, p_default_days integer)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE sql
VOLATILE
SET search_path = ''
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

-- fn.expire_webhook_events(p_now, p_batch, p_keep)
-- Deletes up to p_batch webhook deliveries processed (processed_at) more than
-- p_keep before p_now, oldest first. Unprocessed (failing) deliveries stay.
-- Output: webhook_events.
CREATE OR REPLACE FUNCTION fn.expire_webhook_events(p_now timestamptz, p_batch integer, p_keep interval)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE sql
VOLATILE
SET search_path = ''
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

-- fn.expire_idempotency_keys(p_now, p_batch, p_keep)
-- Deletes up to p_batch stored Idempotency-Key responses created more than
-- p_keep before p_now, oldest first (a retry after that runs again).
-- Output: idempotency_keys.
CREATE OR REPLACE FUNCTION fn.expire_idempotency_keys(p_now timestamptz, p_batch integer, p_keep interval)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE sql
VOLATILE
SET search_path = ''
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

-- fn.expire_orphan_embeddings(p_batch)
-- Deletes up to p_batch knowledge chunks (embeddings) whose source row is gone:
-- the file, message, memory or conversation chunk (deleted with an expired
-- conversation, say) or the knowledge source (url). Embeddings reference their
-- source by source_type + source_id, not by a foreign key, so this sweep is
-- what removes them. app_system reads every source table (its policies), so a
-- source it cannot see does not exist.
-- Output: embeddings.
CREATE OR REPLACE FUNCTION fn.expire_orphan_embeddings(p_batch integer)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE sql
VOLATILE
SET search_path = ''
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

REVOKE ALL ON FUNCTION fn.expire_conversations(timestamptz, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION fn.expire_agent_states(timestamptz, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION fn.expire_checkpoints(timestamptz, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION fn.expire_webhook_events(timestamptz, integer, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION fn.expire_idempotency_keys(timestamptz, integer, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION fn.expire_orphan_embeddings(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.expire_conversations(timestamptz, integer, integer) TO app_system;
GRANT EXECUTE ON FUNCTION fn.expire_agent_states(timestamptz, integer, integer) TO app_system;
GRANT EXECUTE ON FUNCTION fn.expire_checkpoints(timestamptz, integer, integer) TO app_system;
GRANT EXECUTE ON FUNCTION fn.expire_webhook_events(timestamptz, integer, interval) TO app_system;
GRANT EXECUTE ON FUNCTION fn.expire_idempotency_keys(timestamptz, integer, interval) TO app_system;
GRANT EXECUTE ON FUNCTION fn.expire_orphan_embeddings(integer) TO app_system;
