-- name: UpsertEmbeddingChunk :one
-- Store a knowledge chunk of a source for a model. When the chunk is there
-- already with the same content (content_hash) and dims, its vector and
-- status are kept: unchanged text is never embedded again. Changed content
-- resets it to pending, without a vector, for the embedding worker.
INSERT INTO embeddings (organization_id, agent_id, source_type, source_id, chunk_index, content, model, dims, metadata)
VALUES (
    sqlc.arg(organization_id),
    sqlc.arg(agent_id),
    sqlc.arg(source_type),
    sqlc.arg(source_id),
    sqlc.arg(chunk_index),
    sqlc.arg(content),
    sqlc.arg(model),
    sqlc.arg(dims),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
)
ON CONFLICT ON CONSTRAINT embeddings_chunk_unique DO UPDATE
SET content = excluded.content,
    dims = excluded.dims,
    metadata = excluded.metadata,
    embedding = CASE WHEN embeddings.content_hash = excluded.content_hash AND embeddings.dims = excluded.dims
        THEN embeddings.embedding END,
    status = CASE WHEN embeddings.content_hash = excluded.content_hash AND embeddings.dims = excluded.dims
        THEN embeddings.status ELSE 'pending'::embedding_status END,
    attempts = CASE WHEN embeddings.content_hash = excluded.content_hash AND embeddings.dims = excluded.dims
        THEN embeddings.attempts ELSE 0 END,
    error = CASE WHEN embeddings.content_hash = excluded.content_hash AND embeddings.dims = excluded.dims
        THEN embeddings.error END,
    embedded_at = CASE WHEN embeddings.content_hash = excluded.content_hash AND embeddings.dims = excluded.dims
        THEN embeddings.embedded_at END,
    run_after = CASE WHEN embeddings.content_hash = excluded.content_hash AND embeddings.dims = excluded.dims
        THEN embeddings.run_after ELSE now() END
RETURNING id, organization_id, agent_id, source_type, source_id, chunk_index, content, content_hash, model, dims,
    status, attempts, error, run_after, embedded_at, metadata, created_at, updated_at;

-- name: GetEmbedding :one
-- The chunk with this id, with its vector, if it is the caller's organization's.
SELECT id, organization_id, agent_id, source_type, source_id, chunk_index, content, content_hash, model, dims,
    embedding, status, attempts, error, run_after, embedded_at, metadata, created_at, updated_at
FROM embeddings
WHERE id = sqlc.arg(id);

-- name: ListEmbeddingsOfSource :many
-- The chunks of one source of an agent (every model), in order, without vectors.
SELECT id, organization_id, agent_id, source_type, source_id, chunk_index, content, content_hash, model, dims,
    status, attempts, error, run_after, embedded_at, metadata, created_at, updated_at
FROM embeddings
WHERE organization_id = sqlc.arg(organization_id)
  AND source_type = sqlc.arg(source_type)
  AND source_id = sqlc.arg(source_id)
  AND agent_id = sqlc.arg(agent_id)
ORDER BY model, chunk_index;

-- name: ListAgentEmbeddings :many
-- An agent's chunks of one model, without vectors, by id (status NULL: any).
-- Page with the last row's id as cursor.
SELECT id, organization_id, agent_id, source_type, source_id, chunk_index, content, content_hash, model, dims,
    status, attempts, error, run_after, embedded_at, metadata, created_at, updated_at
FROM embeddings
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id)
  AND model = sqlc.arg(model)
  AND (sqlc.narg(status)::embedding_status IS NULL OR status = sqlc.narg(status)::embedding_status)
  AND id > coalesce(sqlc.narg(cursor_id)::uuid, '00000000-0000-0000-0000-000000000000')
ORDER BY id
LIMIT sqlc.arg('limit');

-- name: ClaimPendingEmbeddings :many
-- Claim up to limit due pending chunks (model NULL: of every model) for the
-- embedding worker: attempts + 1, and leased for lease_seconds (run_after
-- moves forward, so no other worker claims them meanwhile; an unfinished
-- lease simply expires). FOR UPDATE SKIP LOCKED: concurrent workers claim
-- disjoint chunks. Runs as app_system (every organization) or a tenant (its own).
UPDATE embeddings AS e
SET attempts = e.attempts + 1,
    run_after = now() + make_interval(secs => sqlc.arg(lease_seconds)::double precision)
FROM (
    SELECT c.id
    FROM embeddings AS c
    WHERE c.status = 'pending'
      AND c.run_after <= now()
      AND (sqlc.narg(model)::text IS NULL OR c.model = sqlc.narg(model)::text)
    ORDER BY c.run_after, c.id
    LIMIT sqlc.arg('limit')
    FOR UPDATE SKIP LOCKED
) AS claimable
WHERE e.id = claimable.id
RETURNING e.id, e.organization_id, e.agent_id, e.content, e.content_hash, e.model, e.dims, e.attempts;

-- name: SetEmbedding :one
-- Store the vector computed for a claimed chunk, if its content is still the
-- one embedded (content_hash): no row when the text changed meanwhile (the
-- chunk stays pending for the new text).
UPDATE embeddings
SET embedding = sqlc.arg(embedding)::vector,
    status = 'embedded',
    error = NULL,
    embedded_at = now()
WHERE id = sqlc.arg(id)
  AND content_hash = sqlc.arg(content_hash)
  AND status = 'pending'
RETURNING id, status, embedded_at;

-- name: FailEmbedding :one
-- Record a failed attempt to embed a chunk: pending again after
-- backoff_seconds * 2^(attempts - 1), or failed once attempts reach max_attempts.
UPDATE embeddings
SET status = CASE WHEN attempts < sqlc.arg(max_attempts)::integer
        THEN 'pending'::embedding_status ELSE 'failed'::embedding_status END,
    error = sqlc.arg(error),
    run_after = now() + make_interval(secs => sqlc.arg(backoff_seconds)::double precision * power(2, greatest(attempts - 1, 0)))
WHERE id = sqlc.arg(id)
  AND content_hash = sqlc.arg(content_hash)
  AND status = 'pending'
RETURNING id, status, attempts, error, run_after;

-- name: RetryFailedEmbeddings :execrows
-- Put an agent's failed chunks of a model back in the queue, attempts reset.
UPDATE embeddings
SET status = 'pending',
    attempts = 0,
    run_after = now()
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id)
  AND model = sqlc.arg(model)
  AND status = 'failed';

-- name: DeleteEmbeddingsOfSource :execrows
-- Delete every chunk of a source (of every agent and model), e.g. when the
-- file, message or memory is deleted.
DELETE FROM embeddings
WHERE organization_id = sqlc.arg(organization_id)
  AND source_type = sqlc.arg(source_type)
  AND source_id = sqlc.arg(source_id);

-- name: DeleteEmbeddingChunksFrom :execrows
-- Delete an agent's chunks of a source and model from chunk_index on, after
-- the source was re-chunked into fewer pieces.
DELETE FROM embeddings
WHERE organization_id = sqlc.arg(organization_id)
  AND source_type = sqlc.arg(source_type)
  AND source_id = sqlc.arg(source_id)
  AND agent_id = sqlc.arg(agent_id)
  AND model = sqlc.arg(model)
  AND chunk_index >= sqlc.arg(chunk_index);

-- name: EnsureEmbeddingIndex :one
-- Create the partial HNSW index of a model's vectors if missing; returns its
-- name. Only for the role that owns the embeddings table (the jobs' login),
-- not inside a tenant or system transaction.
SELECT fn.ensure_embedding_index(sqlc.arg(model), sqlc.arg(dims))::text AS index_name;

-- name: DeferEmbeddings :execrows
-- Give claimed chunks back without counting the attempt (the provider said
-- "rate limited, retry after"): pending again after retry_after_seconds.
UPDATE embeddings
SET attempts = greatest(attempts - 1, 0),
    run_after = now() + make_interval(secs => sqlc.arg(retry_after_seconds)::double precision)
WHERE id = ANY (sqlc.arg(ids)::uuid[])
  AND status = 'pending';

-- name: CountPendingEmbeddings :one
-- Chunks waiting for the embedding worker (due now or later), for its progress display.
SELECT count(*) AS pending
FROM embeddings
WHERE status = 'pending';

-- name: SearchKnowledgeByVector :many
-- An agent's embedded chunks of one model nearest to a query vector, in the
-- caller's organization (fn.knowledge_vector_search): exactly limit rows
-- whenever that many exist.
SELECT id, source_type, source_id, chunk_index, content, metadata, distance
FROM fn.knowledge_vector_search(
    sqlc.arg(agent_id)::uuid, sqlc.arg(model)::text, sqlc.arg(dims)::integer, sqlc.arg(query)::vector,
    sqlc.arg('limit')::integer, sqlc.arg(exact_below)::integer
);

-- name: SearchKnowledge :many
-- Hybrid search of an agent's knowledge (fn.knowledge_hybrid_search): full
-- text and vector legs fused by reciprocal rank fusion; query NULL (no
-- embedding provider) leaves the full-text leg alone.
SELECT id, source_type, source_id, chunk_index, content, metadata, text_rank, text_score, vector_rank,
    vector_distance, fused_score
FROM fn.knowledge_hybrid_search(
    sqlc.arg(agent_id)::uuid, sqlc.arg(model)::text, sqlc.arg(dims)::integer, sqlc.arg(query_text)::text,
    sqlc.narg(query)::vector, sqlc.arg('limit')::integer, sqlc.arg(k)::double precision,
    sqlc.arg(text_weight)::double precision, sqlc.arg(vector_weight)::double precision, sqlc.arg(candidates)::integer
);

-- name: CountAgentEmbeddings :many
-- An agent's knowledge chunks per model and status (pending, embedded,
-- failed), in the caller's organization: how far ingestion and embedding are.
SELECT model, dims, status, count(*) AS chunks, max(updated_at)::timestamptz AS last_change
FROM embeddings
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id)
GROUP BY model, dims, status
ORDER BY model, dims, status;
