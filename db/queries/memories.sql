-- name: CreateMemory :one
-- Store a memory in a scope: the organization, optionally narrowed to a user
-- (private to them), an agent and a conversation. Fails on a key taken in
-- that scope (see UpsertMemoryByKey).
INSERT INTO memories (
    organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags, importance, decay_rate
)
VALUES (
    sqlc.arg(organization_id),
    sqlc.narg(user_id),
    sqlc.narg(agent_id),
    sqlc.narg(conversation_id),
    sqlc.arg(kind),
    coalesce(sqlc.narg(memory_type)::memory_type, 'semantic'),
    coalesce(sqlc.narg(key)::text, gen_random_uuid()::text),
    coalesce(sqlc.narg(content)::jsonb, '{}'),
    coalesce(sqlc.narg(tags)::text[], '{}'),
    coalesce(sqlc.narg(importance)::double precision, 0.5),
    coalesce(sqlc.narg(decay_rate)::double precision, 0)
)
RETURNING id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at;

-- name: UpsertMemoryByKey :one
-- Store a memory under key in its scope: insert it, or replace the kind,
-- type, content, tags, importance and decay of the memory with that key
-- (memory_events records either, through the trigger; an identical
-- rewrite records nothing). inserted: whether the row is new (xmax is 0 only
-- for a row this statement inserted, not for one ON CONFLICT updated).
INSERT INTO memories (
    organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags, importance, decay_rate
)
VALUES (
    sqlc.arg(organization_id),
    sqlc.narg(user_id),
    sqlc.narg(agent_id),
    sqlc.narg(conversation_id),
    sqlc.arg(kind),
    coalesce(sqlc.narg(memory_type)::memory_type, 'semantic'),
    sqlc.arg(key),
    coalesce(sqlc.narg(content)::jsonb, '{}'),
    coalesce(sqlc.narg(tags)::text[], '{}'),
    coalesce(sqlc.narg(importance)::double precision, 0.5),
    coalesce(sqlc.narg(decay_rate)::double precision, 0)
)
ON CONFLICT ON CONSTRAINT memories_key_unique_in_scope DO UPDATE
SET kind = excluded.kind,
    memory_type = excluded.memory_type,
    content = excluded.content,
    tags = excluded.tags,
    importance = excluded.importance,
    decay_rate = excluded.decay_rate
RETURNING id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at,
    (xmax = 0) AS inserted;

-- name: GetMemory :one
-- The memory with this id, if the caller may read it.
SELECT id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at
FROM memories
WHERE id = sqlc.arg(id);

-- name: GetMemoryByKey :one
-- The memory with key in exactly this scope (NULL user, agent or conversation:
-- the memory is not narrowed to one).
SELECT id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at
FROM memories
WHERE organization_id = sqlc.arg(organization_id)
  AND key = sqlc.arg(key)
  AND user_id IS NOT DISTINCT FROM sqlc.narg(user_id)::uuid
  AND agent_id IS NOT DISTINCT FROM sqlc.narg(agent_id)::uuid
  AND conversation_id IS NOT DISTINCT FROM sqlc.narg(conversation_id)::uuid;

-- name: ListMemories :many
-- The memories the caller may read, newest first, filtered by whichever
-- filters are set: user, agent, conversation (each: memories narrowed to it),
-- shared_only (organization-wide ones, no user), kind, memory_type, tags_any
-- (shares a tag), tags_all (has every tag), content_contains (jsonb @>),
-- min_importance. Page with the last row's (created_at, id) as cursor.
SELECT id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at
FROM memories
WHERE organization_id = sqlc.arg(organization_id)
  AND (sqlc.narg(user_id)::uuid IS NULL OR user_id = sqlc.narg(user_id)::uuid)
  AND (NOT coalesce(sqlc.narg(shared_only)::boolean, false) OR user_id IS NULL)
  AND (sqlc.narg(agent_id)::uuid IS NULL OR agent_id = sqlc.narg(agent_id)::uuid)
  AND (sqlc.narg(conversation_id)::uuid IS NULL OR conversation_id = sqlc.narg(conversation_id)::uuid)
  AND (sqlc.narg(kind)::memory_kind IS NULL OR kind = sqlc.narg(kind)::memory_kind)
  AND (sqlc.narg(memory_type)::memory_type IS NULL OR memory_type = sqlc.narg(memory_type)::memory_type)
  AND (sqlc.narg(tags_any)::text[] IS NULL OR tags && sqlc.narg(tags_any)::text[])
  AND (sqlc.narg(tags_all)::text[] IS NULL OR tags @> sqlc.narg(tags_all)::text[])
  AND (sqlc.narg(content_contains)::jsonb IS NULL OR content @> sqlc.narg(content_contains)::jsonb)
  AND (sqlc.narg(min_importance)::double precision IS NULL OR importance >= sqlc.narg(min_importance)::double precision)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: UpdateMemory :one
-- Change the given fields (NULL leaves a field as it is); the key and scope
-- never change. memory_events records the change.
UPDATE memories
SET kind = coalesce(sqlc.narg(kind), kind),
    memory_type = coalesce(sqlc.narg(memory_type), memory_type),
    content = coalesce(sqlc.narg(content), content),
    tags = coalesce(sqlc.narg(tags), tags),
    importance = coalesce(sqlc.narg(importance), importance),
    decay_rate = coalesce(sqlc.narg(decay_rate), decay_rate)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at;

-- name: UseMemory :one
-- Count a use of a memory the caller may read (access_count + 1,
-- last_accessed_at now; fn.use_memories, the only way to count one); not a
-- change: no history, updated_at stays. No row: not readable.
SELECT id, access_count, last_accessed_at
FROM fn.use_memories(ARRAY[sqlc.arg(id)::uuid]);

-- name: UseMemories :many
-- Count a use of each memory in ids the caller may read (fn.use_memories),
-- e.g. the memories put into a context or recalled by a search.
SELECT id, access_count, last_accessed_at
FROM fn.use_memories(sqlc.arg(ids)::uuid[]);

-- name: RecallMemories :many
-- The memories the caller may read, ranked by relevance (text match, or
-- similarity to embedding where the memory has a vector of embedding_model)
-- × importance × recency, each raised to its weight; see fn.recall_memories.
-- Every filter given narrows the candidates.
SELECT id, organization_id, user_id, agent_id, conversation_id, kind, memory_type, key, content, tags,
    importance, decay_rate, access_count, last_accessed_at, embedding_model, created_at, updated_at,
    text_match, similarity, relevance, recency, score
FROM fn.recall_memories(
    sqlc.narg(query)::text,
    sqlc.narg(embedding)::vector,
    sqlc.narg(embedding_model)::text,
    sqlc.arg(relevance_weight)::double precision,
    sqlc.arg(importance_weight)::double precision,
    sqlc.arg(recency_weight)::double precision,
    sqlc.narg(private)::boolean,
    sqlc.narg(agent_id)::uuid,
    sqlc.narg(conversation_id)::uuid,
    sqlc.narg(kind)::memory_kind,
    sqlc.narg(memory_type)::memory_type,
    sqlc.narg(tags_any)::text[],
    sqlc.narg(tags_all)::text[],
    sqlc.arg(now)::timestamptz,
    sqlc.arg('limit')::integer
);

-- name: SetMemoryEmbedding :execrows
-- Store a memory's vector and the model that produced it (no history: the
-- memory's content is unchanged).
UPDATE memories
SET embedding = sqlc.arg(embedding)::vector,
    embedding_model = sqlc.arg(embedding_model)
WHERE id = sqlc.arg(id);

-- name: DeleteMemory :execrows
-- Delete a memory and its links; memory_events keeps its history.
DELETE FROM memories
WHERE id = sqlc.arg(id);

-- name: LinkMemories :one
-- Link two memories of the caller's organization (both readable by the
-- caller). No row when that link exists already.
INSERT INTO memory_links (organization_id, from_memory_id, to_memory_id, link_type, weight, created_by)
SELECT f.organization_id, f.id, t.id, sqlc.arg(link_type), coalesce(sqlc.narg(weight)::double precision, 1), sqlc.narg(created_by)
FROM memories AS f
JOIN memories AS t
    ON t.organization_id = f.organization_id
WHERE f.id = sqlc.arg(from_memory_id)
  AND t.id = sqlc.arg(to_memory_id)
ON CONFLICT (organization_id, from_memory_id, to_memory_id, link_type) DO NOTHING
RETURNING id, organization_id, from_memory_id, to_memory_id, link_type, weight, created_by, created_at;

-- name: UnlinkMemories :execrows
-- Remove a link of one type (NULL: of every type) between two memories.
DELETE FROM memory_links
WHERE from_memory_id = sqlc.arg(from_memory_id)
  AND to_memory_id = sqlc.arg(to_memory_id)
  AND (sqlc.narg(link_type)::memory_link_type IS NULL OR link_type = sqlc.narg(link_type)::memory_link_type);

-- name: ListMemoryLinks :many
-- The links from and to a memory (that the caller may read), oldest first.
SELECT id, organization_id, from_memory_id, to_memory_id, link_type, weight, created_by, created_at
FROM memory_links
WHERE organization_id = sqlc.arg(organization_id)
  AND (from_memory_id = sqlc.arg(memory_id) OR to_memory_id = sqlc.arg(memory_id))
ORDER BY created_at, id;

-- name: ListMemoryEvents :many
-- The history of a memory (also after its deletion), oldest first. Page with
-- the last row's (created_at, id) as cursor.
SELECT id, organization_id, memory_id, user_id, conversation_id, event, before, after, actor_user_id, created_at
FROM memory_events
WHERE organization_id = sqlc.arg(organization_id)
  AND memory_id = sqlc.arg(memory_id)
  AND (created_at, id) > (
      coalesce(sqlc.narg(cursor_at)::timestamptz, '-infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, '00000000-0000-0000-0000-000000000000')
  )
ORDER BY created_at, id
LIMIT sqlc.arg('limit');
