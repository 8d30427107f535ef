-- migrate:up

-- Knowledge embeddings: chunks of an agent's knowledge (files, URLs,
-- messages, memories, conversation chunks) of an organization, with their
-- vectors.
--
-- Models side by side: embedding is an untyped vector, so chunks embedded by
-- models of different dimensions share the table. Each model gets its own
-- partial HNSW expression index, ((embedding::vector(N)) vector_cosine_ops)
-- WHERE model = '...', created by fn.ensure_embedding_index(model, dims) when
-- the model is first used (db/functions/020_embedding_indexes.sql). Those
-- indexes belong to this table: they outlive a rollback of db/functions and
-- go with the table.
--
-- Never re-embedding unchanged text: content_hash is computed by the
-- database; UpsertEmbeddingChunk keeps the vector when the hash is unchanged
-- and resets the chunk to pending when it changed. One row per
-- (organization, agent, source, chunk_index, model).
--
-- The embedding worker (app_system) claims pending chunks with FOR UPDATE
-- SKIP LOCKED, leasing them by moving run_after forward.
--
-- Visibility: the organization that owns the rows (its members).
--
-- ON DELETE:
--   organization -> its embeddings (cascade).
--   agent -> its embeddings (cascade: knowledge of an agent that is gone).
--   The source (file, message, memory...) is referenced by source_type +
--   source_id, not by a foreign key (one column cannot reference five tables):
--   whoever deletes a source deletes its chunks (DeleteEmbeddingsOfSource), and
--   retention removes chunks whose source is gone.

CREATE TYPE embedding_source_type AS ENUM ('file', 'url', 'message', 'memory', 'chunk');
COMMENT ON TYPE embedding_source_type IS 'What a knowledge chunk was cut from: a file, a URL (source_id: its agent_knowledge_sources row), a message, a memory or a conversation chunk.';

CREATE TYPE embedding_status AS ENUM ('pending', 'embedded', 'failed');
COMMENT ON TYPE embedding_status IS 'pending: waiting for (or being given) a vector. embedded: embedding is set for the current content. failed: attempts exhausted (see error).';

-- sha256 of text as UTF-8: immutable for the same reason as app.jsonb_sha256.
CREATE FUNCTION app.text_sha256(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$ SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(value, 'UTF8')), 'hex') $$;
COMMENT ON FUNCTION app.text_sha256(text) IS 'Lower-case hex SHA-256 of text encoded as UTF-8.';

CREATE TABLE embeddings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    source_type embedding_source_type NOT NULL,
    source_id uuid NOT NULL,
    chunk_index integer NOT NULL CHECK (chunk_index >= 0),
    content text NOT NULL CHECK (btrim(content) <> ''),
    content_hash text NOT NULL GENERATED ALWAYS AS (app.text_sha256(content)) STORED,
    model text NOT NULL CHECK (btrim(model) <> ''),
    dims integer NOT NULL CHECK (dims > 0 AND dims <= 16000),
    embedding vector,
    status embedding_status NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    error text,
    run_after timestamptz NOT NULL DEFAULT now(),
    embedded_at timestamptz,
    search_vector tsvector NOT NULL GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED,
    metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT embeddings_vector_has_model_dims CHECK (embedding IS NULL OR vector_dims(embedding) = dims),
    CONSTRAINT embeddings_embedded_have_vector CHECK ((status = 'embedded') = (embedding IS NOT NULL)),
    CONSTRAINT embeddings_chunk_unique UNIQUE (organization_id, agent_id, source_type, source_id, chunk_index, model)
);
COMMENT ON TABLE embeddings IS 'Knowledge chunks of an organization''s agents with their vectors; vectors of different models and dimensions side by side, each model with its own partial HNSW index (fn.ensure_embedding_index). Unchanged text is never re-embedded.';
COMMENT ON COLUMN embeddings.agent_id IS 'The agent whose knowledge this is.';
COMMENT ON COLUMN embeddings.source_id IS 'The id of the source row (file, agent_knowledge_sources for a URL, message, memory, conversation chunk); not a foreign key.';
COMMENT ON COLUMN embeddings.chunk_index IS 'Position of the chunk in its source, from 0.';
COMMENT ON COLUMN embeddings.content_hash IS 'Lower-case hex SHA-256 of content (UTF-8), generated: an unchanged hash keeps the vector.';
COMMENT ON COLUMN embeddings.model IS 'The embedding model, e.g. text-embedding-3-small.';
COMMENT ON COLUMN embeddings.dims IS 'Dimensions of model''s vectors; the vector, once set, has exactly these.';
COMMENT ON COLUMN embeddings.embedding IS 'The vector (untyped: any dimensions), NULL until embedded. Searched through embedding::vector(dims) and the model''s partial HNSW index.';
COMMENT ON COLUMN embeddings.attempts IS 'Embedding attempts since the content last changed.';
COMMENT ON COLUMN embeddings.error IS 'The last attempt''s error.';
COMMENT ON COLUMN embeddings.run_after IS 'A pending chunk is not claimed before this time: the lease of a claim, or the backoff after a failed attempt.';
COMMENT ON COLUMN embeddings.embedded_at IS 'When the current vector was set.';
COMMENT ON COLUMN embeddings.search_vector IS 'to_tsvector(''simple'', content), generated (hybrid search: full text next to vectors).';
COMMENT ON COLUMN embeddings.metadata IS 'Page, heading, URL and other details of the chunk.';
CREATE INDEX embeddings_agent_model_idx ON embeddings (organization_id, agent_id, model);
CREATE INDEX embeddings_agent_id_idx ON embeddings (agent_id);
CREATE INDEX embeddings_source_idx ON embeddings (organization_id, source_type, source_id);
CREATE INDEX embeddings_claimable_idx ON embeddings (run_after, id) WHERE status = 'pending';
CREATE INDEX embeddings_search_vector_idx ON embeddings USING gin (search_vector);
CREATE INDEX embeddings_content_trgm_idx ON embeddings USING gin (content gin_trgm_ops);

CREATE TRIGGER embeddings_set_updated_at BEFORE UPDATE ON embeddings
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- Grants. Tenants add, re-chunk and delete their organization's knowledge;
-- vectors may be set by either the tenant or the worker (app_system), which
-- reads every chunk and writes only the embedding columns.
GRANT SELECT, DELETE ON embeddings TO app_tenant;
GRANT INSERT (
    id, organization_id, agent_id, source_type, source_id, chunk_index, content, model, dims, embedding, status, metadata
) ON embeddings TO app_tenant;
GRANT UPDATE (
    content, dims, embedding, status, attempts, error, run_after, embedded_at, metadata
) ON embeddings TO app_tenant;
GRANT SELECT, DELETE ON embeddings TO app_system;
GRANT UPDATE (embedding, status, attempts, error, run_after, embedded_at) ON embeddings TO app_system;

ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE embeddings FORCE ROW LEVEL SECURITY;

CREATE POLICY "members read their organization's embeddings" ON embeddings
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members add knowledge for agents their organization may use" ON embeddings
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND agent_id IN (SELECT a.id FROM agents AS a)
    );
CREATE POLICY "members update their organization's embeddings" ON embeddings
    FOR UPDATE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()))
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members delete their organization's embeddings" ON embeddings
    FOR DELETE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "system workers read every embedding" ON embeddings
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system workers embed chunks" ON embeddings
    FOR UPDATE TO app_system
    USING (true)
    WITH CHECK (true);
CREATE POLICY "system deletes orphaned embeddings" ON embeddings
    FOR DELETE TO app_system
    USING (true);

-- migrate:down

DROP TABLE embeddings;
DROP FUNCTION app.text_sha256(text);
DROP TYPE embedding_status;
DROP TYPE embedding_source_type;
