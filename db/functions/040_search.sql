-- Full-text search over messages, conversation chunks and memories, in
-- English and Japanese (docs/search.md; the search_vector columns come from
-- db/schema/20261202000300_add_multilingual_search.sql).
--
-- A query is what a person types: English words with websearch_to_tsquery's
-- syntax ("a phrase", or, -not), word* for a prefix, and Japanese (or other
-- CJK) terms, each run of CJK characters being one required term:
--   fn.search_english_query(q)  the English part (stemmed), CJK removed
--   fn.search_cjk_query(q)      each CJK run: 1 character -> its unigram, 2 -> the
--                               bigram, 3+ -> the AND of its bigrams (rechecked:
--                               fn.search_recheck)
--   fn.search_query(q)          both ANDed: what search_vector must match
-- Each is NULL when the query has no such part (no English word, no CJK run).
--   fn.search_terms(q)          the CJK runs of 3+ characters, for the recheck
-- All IMMUTABLE, granted to tenants (they reveal nothing).

CREATE OR REPLACE FUNCTION fn.search_english_query(p_query text)
RETURNS tsquery
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
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

CREATE OR REPLACE FUNCTION fn.search_cjk_query(p_query text)
RETURNS tsquery
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
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

CREATE OR REPLACE FUNCTION fn.search_query(p_query text)
RETURNS tsquery
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT CASE
        WHEN e.q IS NULL THEN c.q
        WHEN c.q IS NULL THEN e.q
        ELSE e.q OPERATOR(pg_catalog.&&) c.q
    END
    FROM fn.search_english_query(p_query) AS e(q), fn.search_cjk_query(p_query) AS c(q)
$$;

CREATE OR REPLACE FUNCTION fn.search_terms(p_query text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
    SELECT coalesce(array_agg(DISTINCT run.r), '{}')
    FROM pg_catalog.unnest(app.search_cjk_runs(p_query)) AS run(r)
    WHERE pg_catalog.char_length(run.r) >= 3
$$;

-- fn.search_recheck(p_text, p_terms): whether the text holds every term (the
-- bigrams of a 3+ character term may all occur without the term itself).
-- The raw text first; NFKC-normalized only when that fails.
CREATE OR REPLACE FUNCTION fn.search_recheck(p_text text, p_terms text[])
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
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

-- fn.search_snippet(p_text, p_query): an excerpt of the text around what the
-- query matched, each match between U+E000 and U+E001 (the server turns them
-- into offsets; private-use characters in the text itself become spaces).
-- English: ts_headline's best fragments. CJK terms: marked wherever they occur
-- in the excerpt; without English words, the excerpt is a window around the
-- first CJK match.
CREATE OR REPLACE FUNCTION fn.search_snippet(p_text text, p_query text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
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

-- fn.search(p_query, p_types, p_conversation_id, p_agent_id, p_cursor_rank,
--           p_cursor_kind, p_cursor_id, p_limit): one page of search hits.
--
-- Inputs:  p_query, as above; p_types, some of 'message', 'chunk', 'memory'
--          (NULL: all); p_conversation_id: only hits in that conversation
--          (messages, chunks, memories of it); p_agent_id: messages and
--          chunks of conversations with that agent, memories of that agent;
--          the cursor (rank, kind, id) of the last hit of the previous page
--          (NULL: the first page); p_limit, the most rows to return.
-- Output:  hits ordered by rank (ts_rank, normalized by length) descending,
--          then kind and id descending: kind, id, conversation_id,
--          message_id/chunk_id/memory_id (the one the hit is), agent_id,
--          rank, snippet (fn.search_snippet), created_at.
-- Visibility, from the tenant settings only (app.current_org_id(),
--          app.current_user_id(); no setting: no rows), mirroring the
--          tables' policies: messages and chunks of conversations the user
--          owns or has shared with them in the organization; memories of the
--          organization that are organization-wide or the user's own, and of
--          a conversation only when the user can access it.
-- Runs as: app_system (SECURITY DEFINER), whose policies on these tables are
--          USING (true): under the tenant's policies the GIN operators (not
--          leakproof) could not use the indexes. The filters above replace them.
-- Writes, locks: nothing.
CREATE OR REPLACE FUNCTION fn.search(
    p_query text,
    p_types text[],
    p_conversation_id uuid,
    p_agent_id uuid,
    p_cursor_rank double precision,
    p_cursor_kind text,
    p_cursor_id uuid,
    p_limit integer
)
RETURNS TABLE (
    kind text,
    id uuid,
    conversation_id uuid,
    message_id uuid,
    chunk_id uuid,
    memory_id uuid,
    agent_id uuid,
    rank double precision,
    snippet text,
    created_at timestamptz
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
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
ALTER FUNCTION fn.search(text, text[], uuid, uuid, double precision, text, uuid, integer) OWNER TO app_system;
REVOKE ALL ON FUNCTION fn.search(text, text[], uuid, uuid, double precision, text, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.search(text, text[], uuid, uuid, double precision, text, uuid, integer) TO app_tenant;
GRANT EXECUTE ON FUNCTION fn.search_english_query(text), fn.search_cjk_query(text), fn.search_query(text),
    fn.search_terms(text), fn.search_recheck(text, text[]), fn.search_snippet(text, text) TO app_tenant, app_system;
