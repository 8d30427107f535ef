-- migrate:up

-- Knowledge chunks searchable like messages, chunks and memories (docs/search.md):
-- embeddings.search_vector becomes app.search_document(organization_id, content),
-- English words stemmed, every CJK character and character pair, and the
-- organization's lexeme, instead of the 'simple' configuration (no stemming, no
-- short Japanese terms). fn.knowledge_hybrid_search's full-text leg matches it
-- with fn.search_query and rechecks longer CJK terms with fn.search_recheck.

DROP INDEX embeddings_search_vector_idx;
ALTER TABLE embeddings DROP COLUMN search_vector;
ALTER TABLE embeddings
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (app.search_document(organization_id, content)) STORED;
COMMENT ON COLUMN embeddings.search_vector IS 'app.search_document(organization_id, content), generated: English words, CJK characters and pairs, the organization''s lexeme (docs/search.md).';
CREATE INDEX embeddings_search_vector_idx ON embeddings USING gin (search_vector);

-- migrate:down

DROP INDEX embeddings_search_vector_idx;
ALTER TABLE embeddings DROP COLUMN search_vector;
ALTER TABLE embeddings
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED;
CREATE INDEX embeddings_search_vector_idx ON embeddings USING gin (search_vector);
