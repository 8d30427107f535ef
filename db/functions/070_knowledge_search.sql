-- Knowledge search over an agent's embedded chunks: vector search that
-- honours LIMIT under the tenant filter, and hybrid search (full text +
-- vector) fused by reciprocal rank fusion, in one SQL function each.
--
-- fn.knowledge_vector_search(agent, model, dims, query vector, limit, exact_below)
--   Inputs:  the agent whose knowledge to search, the model and dims its
--            chunks were embedded with, the query's vector (dims long), how
--            many rows, and the candidate count under which to search exactly.
--   Outputs: up to limit chunks, nearest first: id, source_type, source_id,
--            chunk_index, content, metadata, distance (cosine distance). Exactly
--            limit rows whenever the agent has that many embedded chunks of the
--            model: the approximate path falls back to the exact one when the
--            index scan comes back short.
--   How:     the candidates (the organization's chunks of this agent, model
--            and dims, embedded) are counted through the btree index
--            (organization_id, agent_id, model), up to the threshold. Up to exact_below of them are
--            ranked exactly (a sort of their distances: no recall loss, and
--            cheaper than walking a graph for few rows). Above it, the model's
--            partial HNSW index (fn.ensure_embedding_index) is walked with
--            pgvector's iterative scan (hnsw.iterative_scan = relaxed_order, so
--            the tenant filter can never leave the result short while tuples
--            remain within hnsw.max_scan_tuples), hnsw.ef_search at least
--            2 x limit; the rows come back re-sorted by distance. The settings
--            are the function's own (SET clauses): they end with the call.
--   Locks:   none beyond reading.
--
-- fn.knowledge_hybrid_search(agent, model, dims, query text, query vector,
--                            limit, k, text_weight, vector_weight, candidates)
--   Inputs:  as above plus the query's text; the query vector may be NULL (no
--            embedding provider): the result is then the full-text leg alone.
--   Outputs: up to limit chunks by fused score: each leg's rank (1-based, NULL
--            where the chunk is not in that leg) and score (ts_rank_cd; cosine
--            distance), and fused = text_weight / (k + text_rank) +
--            vector_weight / (k + vector_rank) (reciprocal rank fusion).
--   How:     each leg takes its best `candidates` chunks, tenant-filtered
--            before fusion: the full-text leg matches fn.search_query (English
--            words stemmed, Japanese terms of any length, db/functions/040_search.sql)
--            and the organization's lexeme on the chunks' search_vector, rechecking
--            CJK terms of 3+ characters on the text, among the agent's chunks of
--            the model (pending ones too: text is searchable before its vector
--            exists); the vector leg is fn.knowledge_vector_search.
--
-- Isolation: both run as app_system (SECURITY DEFINER; its policy on
-- embeddings admits every row) so that the planner may use the indexes with
-- the search operators, and filter explicitly on the organization from the
-- tenant settings (app.current_org_id(), never a parameter): with no tenant
-- set they return nothing. Tenants may execute them.

CREATE OR REPLACE FUNCTION fn.knowledge_vector_search(
    p_agent_id uuid,
    p_model text,
    p_dims integer,
    p_query public.vector,
    p_limit integer,
    p_exact_below integer DEFAULT 2000
)
RETURNS TABLE (
    id uuid,
    source_type public.embedding_source_type,
    source_id uuid,
    chunk_index integer,
    content text,
    metadata jsonb,
    distance double precision
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = 100
SET hnsw.max_scan_tuples = 40000
AS $$
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
$$;
COMMENT ON FUNCTION fn.knowledge_vector_search(uuid, text, integer, public.vector, integer, integer) IS
    'An agent''s chunks of one model nearest to a query vector, within the caller''s organization; exactly limit rows when that many exist.';
ALTER FUNCTION fn.knowledge_vector_search(uuid, text, integer, public.vector, integer, integer) OWNER TO app_system;
REVOKE ALL ON FUNCTION fn.knowledge_vector_search(uuid, text, integer, public.vector, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.knowledge_vector_search(uuid, text, integer, public.vector, integer, integer) TO app_tenant;

CREATE OR REPLACE FUNCTION fn.knowledge_hybrid_search(
    p_agent_id uuid,
    p_model text,
    p_dims integer,
    p_query_text text,
    p_query public.vector,
    p_limit integer,
    p_k double precision DEFAULT 60,
    p_text_weight double precision DEFAULT 1,
    p_vector_weight double precision DEFAULT 1,
    p_candidates integer DEFAULT 100
)
RETURNS TABLE (
    id uuid,
    source_type public.embedding_source_type,
    source_id uuid,
    chunk_index integer,
    content text,
    metadata jsonb,
    text_rank integer,
    text_score double precision,
    vector_rank integer,
    vector_distance double precision,
    fused_score double precision
)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = ''
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
COMMENT ON FUNCTION fn.knowledge_hybrid_search(uuid, text, integer, text, public.vector, integer, double precision, double precision, double precision, integer) IS
    'Hybrid knowledge search of an agent: full text and vector legs, each tenant-filtered, fused by reciprocal rank fusion.';
ALTER FUNCTION fn.knowledge_hybrid_search(uuid, text, integer, text, public.vector, integer, double precision, double precision, double precision, integer) OWNER TO app_system;
REVOKE ALL ON FUNCTION fn.knowledge_hybrid_search(uuid, text, integer, text, public.vector, integer, double precision, double precision, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.knowledge_hybrid_search(uuid, text, integer, text, public.vector, integer, double precision, double precision, double precision, integer) TO app_tenant;
