-- name: Search :many
-- One page of full-text hits over the messages, conversation chunks and
-- memories the caller may read (fn.search: English and Japanese, organization
-- and user from the tenant settings), best rank first. Page with the last
-- row's (rank, kind, id) as cursor; types NULL searches all three.
SELECT kind, id, conversation_id, message_id, chunk_id, memory_id, agent_id, rank, snippet, created_at
FROM fn.search(
    sqlc.arg(query)::text,
    sqlc.narg(types)::text[],
    sqlc.narg(conversation_id)::uuid,
    sqlc.narg(agent_id)::uuid,
    sqlc.narg(cursor_rank)::double precision,
    sqlc.narg(cursor_kind)::text,
    sqlc.narg(cursor_id)::uuid,
    sqlc.arg('limit')::integer
);
