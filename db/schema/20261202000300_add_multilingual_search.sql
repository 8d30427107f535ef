-- migrate:up

-- Full text in English and Japanese (and other CJK text) on core PostgreSQL,
-- for messages, conversation chunks and memories (docs/search.md).
--
-- Each table gets one generated tsvector, search_vector, with a GIN index. It
-- holds three kinds of lexemes, which never collide:
--   * English words of the text with its CJK characters blanked out:
--     to_tsvector('english', ...) (stemming, stop words, positions for phrases);
--   * for each run of CJK characters, every character bigram and every
--     character alone ('承認フロー' -> 承認 認フ フロ ロー 承 認 フ ロ ー): a one- or
--     two-character query is one lexeme, a longer one the AND of its bigrams,
--     rechecked on the text (fn.search_query, db/functions/040_search.sql).
--     (Unigrams rather than a prefix match 'x':* over the bigrams: one posting
--     list instead of one per bigram starting with x, and statistics the
--     planner can use; docs/search.md has the measurements.)
--   * the organization, as one lexeme (U+E002 + its id in hex): a search ANDs
--     it in, so the GIN index itself narrows to the caller's organization
--     instead of every organization's matches being fetched and filtered.
-- The text is NFKC-normalized first (half-width katakana and full-width Latin
-- match their usual forms); private-use characters (the markers above and
-- the highlight markers of fn.search_snippet) are blanked out.
--
-- This replaces chunks' and memories' 'simple' search_vector (no stemming,
-- no short Japanese terms) and chunks' trigram index (trigrams cannot narrow
-- a query of one or two characters; the bigram lexemes serve every length).
--
-- Memory use: tenants no longer update access_count/last_accessed_at
-- themselves; fn.use_memories (db/functions/041_memory_recall.sql) counts a
-- use of the memories the caller may read, as app_system.

-- The CJK characters: hiragana, katakana (with ー), CJK ideographs (and
-- extension A, compatibility ideographs), 々〆〇, hangul syllables.
CREATE FUNCTION app.search_cjk_runs(p_text text) RETURNS text[]
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT coalesce(array_agg(m.r[1]), '{}')
    FROM pg_catalog.regexp_matches(
        pg_catalog.normalize(p_text, 'NFKC'),
        '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007\uac00-\ud7af]+',
        'g'
    ) AS m(r)
$$;
COMMENT ON FUNCTION app.search_cjk_runs(text) IS 'The runs of CJK characters (Japanese kana and kanji, Chinese, hangul) in NFKC-normalized text, in order.';

CREATE FUNCTION app.search_non_cjk_text(p_text text) RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT pg_catalog.regexp_replace(
        pg_catalog.normalize(p_text, 'NFKC'),
        '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007\uac00-\ud7af\ue000-\uf8ff]+',
        ' ',
        'g'
    )
$$;
COMMENT ON FUNCTION app.search_non_cjk_text(text) IS 'NFKC-normalized text with its CJK and private-use characters blanked out: what the English configuration parses.';

CREATE FUNCTION app.search_bigrams(p_text text) RETURNS text[]
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT coalesce(array_agg(DISTINCT g.g), '{}')
    FROM pg_catalog.unnest(app.search_cjk_runs(p_text)) AS run(r),
        pg_catalog.generate_series(1, pg_catalog.char_length(run.r)) AS i(i),
        LATERAL (VALUES (pg_catalog.substr(run.r, i.i, 1)), (pg_catalog.substr(run.r, i.i, 2))) AS g(g)
$$;
COMMENT ON FUNCTION app.search_bigrams(text) IS 'Every character bigram of each CJK run of the text and every character alone.';

CREATE FUNCTION app.search_org_lexeme(p_organization_id uuid) RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$ SELECT U&'\E002' || pg_catalog.replace(p_organization_id::text, '-', '') $$;
COMMENT ON FUNCTION app.search_org_lexeme(uuid) IS 'The lexeme naming an organization in search_vector (a private-use character, which no text lexeme holds, then the id in hex).';

CREATE FUNCTION app.search_document(p_organization_id uuid, p_text text) RETURNS tsvector
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT pg_catalog.to_tsvector('pg_catalog.english'::regconfig, app.search_non_cjk_text(p_text))
        OPERATOR(pg_catalog.||) pg_catalog.array_to_tsvector(app.search_bigrams(p_text))
        OPERATOR(pg_catalog.||) pg_catalog.array_to_tsvector(ARRAY[app.search_org_lexeme(p_organization_id)])
$$;
COMMENT ON FUNCTION app.search_document(uuid, text) IS 'The search_vector of a text of an organization: English words (stemmed, with positions), CJK bigrams and unigrams, the organization''s lexeme.';

CREATE FUNCTION app.memory_search_text(p_key text, p_content jsonb) RETURNS text
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT p_key || coalesce(' ' || pg_catalog.string_agg(v.s #>> '{}', ' '), '')
    FROM pg_catalog.jsonb_path_query(p_content, 'strict $.** ? (@.type() == "string")') AS v(s)
$$;
COMMENT ON FUNCTION app.memory_search_text(text, jsonb) IS 'The searchable text of a memory: its key and the string values of its content, in document order.';

GRANT EXECUTE ON FUNCTION app.search_cjk_runs(text), app.search_non_cjk_text(text), app.search_bigrams(text),
    app.search_org_lexeme(uuid), app.search_document(uuid, text), app.memory_search_text(text, jsonb)
    TO app_tenant, app_system;

ALTER TABLE messages
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (app.search_document(organization_id, content)) STORED;
COMMENT ON COLUMN messages.search_vector IS 'Full text of content in English and CJK with the organization''s lexeme (app.search_document), generated.';
CREATE INDEX messages_search_vector_idx ON messages USING gin (search_vector);

DROP INDEX conversation_chunks_content_trgm_idx;
ALTER TABLE conversation_chunks DROP COLUMN search_vector;
ALTER TABLE conversation_chunks
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (app.search_document(organization_id, content)) STORED;
COMMENT ON COLUMN conversation_chunks.search_vector IS 'Full text of content in English and CJK with the organization''s lexeme (app.search_document), generated.';
COMMENT ON TABLE conversation_chunks IS 'Large pieces of conversation text, in order, searchable by full text in English and Japanese (search_vector: English words, CJK bigrams; docs/search.md).';
CREATE INDEX conversation_chunks_search_vector_idx ON conversation_chunks USING gin (search_vector);

ALTER TABLE memories DROP COLUMN search_vector;
ALTER TABLE memories
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (
        app.search_document(organization_id, app.memory_search_text(key, content))
    ) STORED;
COMMENT ON COLUMN memories.search_vector IS 'Full text of key and the string values of content in English and CJK with the organization''s lexeme (app.search_document), generated.';
CREATE INDEX memories_search_vector_idx ON memories USING gin (search_vector);

-- Uses are counted by fn.use_memories only (as app_system).
REVOKE UPDATE (access_count, last_accessed_at) ON memories FROM app_tenant;
GRANT UPDATE (access_count, last_accessed_at) ON memories TO app_system;
COMMENT ON COLUMN memories.access_count IS 'How often the memory was used (fn.use_memories).';
COMMENT ON COLUMN memories.last_accessed_at IS 'When the memory was last used (fn.use_memories); NULL: never.';

-- migrate:down

COMMENT ON COLUMN memories.access_count IS 'How often the memory was used (TouchMemory).';
COMMENT ON COLUMN memories.last_accessed_at IS 'When the memory was last used (TouchMemory); NULL: never.';
REVOKE UPDATE (access_count, last_accessed_at) ON memories FROM app_system;
GRANT UPDATE (access_count, last_accessed_at) ON memories TO app_tenant;

ALTER TABLE memories DROP COLUMN search_vector;
ALTER TABLE memories
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, key) || jsonb_to_tsvector('simple'::regconfig, content, '["string"]')
    ) STORED;
COMMENT ON COLUMN memories.search_vector IS 'Full text of key and the string values of content (simple configuration), generated.';
CREATE INDEX memories_search_vector_idx ON memories USING gin (search_vector);

ALTER TABLE conversation_chunks DROP COLUMN search_vector;
ALTER TABLE conversation_chunks
    ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED;
COMMENT ON COLUMN conversation_chunks.search_vector IS 'to_tsvector(''simple'', content), generated.';
COMMENT ON TABLE conversation_chunks IS 'Large pieces of conversation text, in order, searchable by full text in any language: search_vector (simple configuration, no stemming) for words, a trigram index on content for substrings (Japanese has no spaces between words).';
CREATE INDEX conversation_chunks_search_vector_idx ON conversation_chunks USING gin (search_vector);
CREATE INDEX conversation_chunks_content_trgm_idx ON conversation_chunks USING gin (content gin_trgm_ops);

ALTER TABLE messages DROP COLUMN search_vector;

DROP FUNCTION app.memory_search_text(text, jsonb);
DROP FUNCTION app.search_document(uuid, text);
DROP FUNCTION app.search_org_lexeme(uuid);
DROP FUNCTION app.search_bigrams(text);
DROP FUNCTION app.search_non_cjk_text(text);
DROP FUNCTION app.search_cjk_runs(text);
