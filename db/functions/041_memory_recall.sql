-- Memory recall (POST /v1/memories/search) and counting a memory's uses.
--
-- fn.recall_memories(...): the memories the caller may read, scored
--
--     score = relevance ^ p_relevance_weight
--           × importance ^ p_importance_weight
--           × recency ^ p_recency_weight
--
--   relevance  = similarity where the memory has an embedding of
--                p_embedding_model with p_embedding's dimensions (1 - cosine
--                distance, floored at 0), else text_match; 1 when neither a
--                query text nor a vector is given (then importance and
--                recency alone rank).
--   text_match = ts_rank(search_vector, fn.search_query(p_query), 32), in
--                [0, 1); 0 without a query text.
--   recency    = exp(-decay_rate × days since the last use, or since creation
--                when never used), at p_now (a parameter, so tests fix time).
--   A weight of 0 leaves its part out (x ^ 0 = 1); weights are >= 0.
--
-- Inputs:  p_query (NULL: none) and/or p_embedding with p_embedding_model
--          (NULL: none; the embedding provider is a separate component: this
--          function only compares vectors it is given). Without p_embedding,
--          a query text is a filter: only memories matching it (GIN index on
--          search_vector, narrowed to the organization's lexeme). With
--          p_embedding, every memory in scope is scored (a match on either).
--          Filters, each NULL for none: p_private (true: the caller's own,
--          false: organization-wide), p_agent_id, p_conversation_id, p_kind,
--          p_memory_type, p_tags_any (shares one), p_tags_all (has all).
--          p_limit: the most rows.
-- Output:  best score first (then id): the memory's columns and the parts of
--          its score.
-- Visibility: exactly the memories policy "members read their own and their
--          organization's shared memories", from the tenant settings.
-- Runs as: app_system (SECURITY DEFINER; the text operators cannot use the
--          GIN index under the tenant's policy). Writes, locks: nothing.
CREATE OR REPLACE FUNCTION fn.recall_memories(
    p_query text,
    p_embedding public.vector,
    p_embedding_model text,
    p_relevance_weight double precision,
    p_importance_weight double precision,
    p_recency_weight double precision,
    p_private boolean,
    p_agent_id uuid,
    p_conversation_id uuid,
    p_kind public.memory_kind,
    p_memory_type public.memory_type,
    p_tags_any text[],
    p_tags_all text[],
    p_now timestamptz,
    p_limit integer
)
RETURNS TABLE (
    id uuid,
    organization_id uuid,
    user_id uuid,
    agent_id uuid,
    conversation_id uuid,
    kind public.memory_kind,
    memory_type public.memory_type,
    key text,
    content jsonb,
    tags text[],
    importance double precision,
    decay_rate double precision,
    access_count integer,
    last_accessed_at timestamptz,
    embedding_model text,
    created_at timestamptz,
    updated_at timestamptz,
    text_match double precision,
    similarity double precision,
    relevance double precision,
    recency double precision,
    score double precision
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
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
ALTER FUNCTION fn.recall_memories(
    text, public.vector, text, double precision, double precision, double precision, boolean, uuid, uuid,
    public.memory_kind, public.memory_type, text[], text[], timestamptz, integer
) OWNER TO app_system;
REVOKE ALL ON FUNCTION fn.recall_memories(
    text, public.vector, text, double precision, double precision, double precision, boolean, uuid, uuid,
    public.memory_kind, public.memory_type, text[], text[], timestamptz, integer
) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.recall_memories(
    text, public.vector, text, double precision, double precision, double precision, boolean, uuid, uuid,
    public.memory_kind, public.memory_type, text[], text[], timestamptz, integer
) TO app_tenant;

-- fn.use_memories(p_ids): count a use of each memory in p_ids the caller may
-- read (access_count + 1, last_accessed_at now). Not a change of the memory:
-- no history, updated_at stays (their triggers ignore these columns).
--
-- Output:  the memories counted, with their new access_count and
--          last_accessed_at (none for ids the caller may not read).
-- Visibility: the memories policy for reading, from the tenant settings.
-- Runs as: app_system (SECURITY DEFINER): tenants hold no UPDATE on the two
--          columns, so this is the one way a use is counted.
-- Locks:   the rows it updates.
CREATE OR REPLACE FUNCTION fn.use_memories(p_ids uuid[])
RETURNS TABLE (id uuid, access_count integer, last_accessed_at timestamptz)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = ''
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
ALTER FUNCTION fn.use_memories(uuid[]) OWNER TO app_system;
REVOKE ALL ON FUNCTION fn.use_memories(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.use_memories(uuid[]) TO app_tenant;
