-- fn.embedding_index_name(p_model, p_dims): the name of a model's HNSW index.
-- fn.ensure_embedding_index(p_model, p_dims): create that index if missing.
--
-- Inputs:  p_model, the embedding model as stored in embeddings.model (any
--          text, quoted wherever it is used); p_dims, its dimensions, 1..2000
--          (HNSW on vector indexes at most 2000 dimensions).
-- Outputs: the index name: embeddings_<model slug>_<dims>_<8 hex of md5(model)>_hnsw,
--          deterministic, at most 63 bytes, unique per (model, dims) (the hash
--          tells apart models whose slugs collide).
-- Creates: CREATE INDEX IF NOT EXISTS <name> ON public.embeddings USING hnsw
--          ((embedding::vector(dims)) vector_cosine_ops) WHERE model = <model>
--          AND dims = <dims>: queries filter on both and order by
--          embedding::vector(dims) <=> $query to use it.
--          The index belongs to the table: it stays when schema fn is dropped
--          (make rollback) and goes with the table.
-- Locks:   a transaction-scoped advisory lock (so two callers never race to
--          create one index), then SHARE on public.embeddings while a new index
--          is built: writes to embeddings wait for the build (the rows of a
--          model not yet indexed are few: call it when a model is first used).
--          No lock beyond the advisory one when the index exists.
-- Deletes: nothing.
-- Runs as: the caller (SECURITY INVOKER), who must own public.embeddings: the
--          migration/jobs login role, outside SET ROLE. Not granted to
--          app_tenant or app_system, which own nothing and cannot create indexes.
CREATE OR REPLACE FUNCTION fn.embedding_index_name(p_model text, p_dims integer)
RETURNS text
LANGUAGE sql
IMMUTABLE
STRICT
SET search_path = ''
AS $$
    SELECT format(
        'embeddings_%s_%s_%s_hnsw',
        coalesce(nullif(left(trim(BOTH '_' FROM regexp_replace(lower(p_model), '[^a-z0-9]+', '_', 'g')), 24), ''), 'model'),
        p_dims,
        left(md5(p_model), 8)
    )
$$;

CREATE OR REPLACE FUNCTION fn.ensure_embedding_index(p_model text, p_dims integer)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
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
REVOKE ALL ON FUNCTION fn.ensure_embedding_index(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.embedding_index_name(text, integer) TO app_tenant, app_system;
