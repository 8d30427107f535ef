-- name: CreateConversation :one
-- Start a conversation owned by user_id, optionally with an agent the organization may use.
INSERT INTO conversations (organization_id, user_id, agent_id, title, status, participants, metadata)
VALUES (
    sqlc.arg(organization_id),
    sqlc.arg(user_id),
    sqlc.narg(agent_id),
    sqlc.narg(title),
    coalesce(sqlc.narg(status)::conversation_status, 'active'),
    coalesce(sqlc.narg(participants)::text[], '{}'),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
)
RETURNING id, organization_id, user_id, agent_id, title, status, participants, metadata,
    message_count, memory_count, task_count, input_tokens, output_tokens, last_activity_at, created_at, updated_at, retention_hold;

-- name: GetConversation :one
-- The conversation with this id, if the caller owns it or it is shared with them.
SELECT id, organization_id, user_id, agent_id, title, status, participants, metadata,
    message_count, memory_count, task_count, input_tokens, output_tokens, last_activity_at, created_at, updated_at, retention_hold
FROM conversations
WHERE id = sqlc.arg(id);

-- name: ListConversations :many
-- The conversations user_id owns or has shared with them, latest activity
-- first. status NULL means every status but deleted. Page with the last row's
-- (last_activity_at, id) as cursor.
SELECT visible.id, visible.organization_id, visible.user_id, visible.agent_id, visible.title, visible.status,
    visible.participants, visible.metadata, visible.message_count, visible.memory_count, visible.task_count,
    visible.input_tokens, visible.output_tokens, visible.last_activity_at, visible.created_at, visible.updated_at, visible.retention_hold
FROM (
    -- Two ordered index scans merged: the user's own, then those shared with them.
    SELECT c.id, c.organization_id, c.user_id, c.agent_id, c.title, c.status, c.participants, c.metadata,
        c.message_count, c.memory_count, c.task_count, c.input_tokens, c.output_tokens,
        c.last_activity_at, c.created_at, c.updated_at, c.retention_hold
    FROM conversations AS c
    WHERE c.organization_id = sqlc.arg(organization_id)
      AND c.user_id = sqlc.arg(user_id)
      AND (c.last_activity_at, c.id) < (
          coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
          coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
      )
    UNION ALL
    SELECT c.id, c.organization_id, c.user_id, c.agent_id, c.title, c.status, c.participants, c.metadata,
        c.message_count, c.memory_count, c.task_count, c.input_tokens, c.output_tokens,
        c.last_activity_at, c.created_at, c.updated_at, c.retention_hold
    FROM conversation_shares AS s
    JOIN conversations AS c
        ON c.organization_id = s.organization_id
        AND c.id = s.conversation_id
    WHERE s.organization_id = sqlc.arg(organization_id)
      AND s.user_id = sqlc.arg(user_id)
      AND (c.last_activity_at, c.id) < (
          coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
          coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
      )
) AS visible
WHERE (
        visible.status = sqlc.narg(status)::conversation_status
        OR (sqlc.narg(status)::conversation_status IS NULL AND visible.status <> 'deleted')
    )
  AND (sqlc.narg(agent_id)::uuid IS NULL OR visible.agent_id = sqlc.narg(agent_id)::uuid)
ORDER BY visible.last_activity_at DESC, visible.id DESC
LIMIT sqlc.arg('limit');

-- name: UpdateConversation :one
-- Change the given fields (NULL leaves a field as it is); the owner only.
UPDATE conversations
SET title = coalesce(sqlc.narg(title), title),
    agent_id = coalesce(sqlc.narg(agent_id), agent_id),
    participants = coalesce(sqlc.narg(participants), participants),
    metadata = coalesce(sqlc.narg(metadata), metadata)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, user_id, agent_id, title, status, participants, metadata,
    message_count, memory_count, task_count, input_tokens, output_tokens, last_activity_at, created_at, updated_at, retention_hold;

-- name: SetConversationStatus :one
-- Move a conversation to another status (deleted is a soft delete); the owner only.
UPDATE conversations
SET status = sqlc.arg(status)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, user_id, agent_id, title, status, participants, metadata,
    message_count, memory_count, task_count, input_tokens, output_tokens, last_activity_at, created_at, updated_at, retention_hold;

-- name: SetConversationRetentionHold :one
-- Pin a conversation (or put it under legal hold) so retention keeps it, or
-- release it; the owner only.
UPDATE conversations
SET retention_hold = sqlc.arg(retention_hold)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, user_id, agent_id, title, status, participants, metadata,
    message_count, memory_count, task_count, input_tokens, output_tokens, last_activity_at, created_at, updated_at,
    retention_hold;

-- name: DeleteConversation :execrows
-- Delete a conversation with its shares, messages, versions, files, attachments,
-- chunks and snapshots (files on disk are left to retention); the owner only.
DELETE FROM conversations
WHERE id = sqlc.arg(id);

-- name: ShareConversation :one
-- Share a conversation with a member of its organization; the owner only.
-- No row when it was shared with that user already.
INSERT INTO conversation_shares (organization_id, conversation_id, user_id, granted_by)
SELECT c.organization_id, c.id, sqlc.arg(user_id), sqlc.arg(granted_by)
FROM conversations AS c
WHERE c.id = sqlc.arg(conversation_id)
ON CONFLICT (organization_id, conversation_id, user_id) DO NOTHING
RETURNING id, organization_id, conversation_id, user_id, granted_by, created_at;

-- name: UnshareConversation :execrows
-- Stop sharing a conversation with a user: the owner, or that user leaving it.
DELETE FROM conversation_shares
WHERE conversation_id = sqlc.arg(conversation_id)
  AND user_id = sqlc.arg(user_id);

-- name: ListConversationShares :many
-- The users a conversation is shared with, in the order it was shared.
SELECT id, organization_id, conversation_id, user_id, granted_by, created_at
FROM conversation_shares
WHERE conversation_id = sqlc.arg(conversation_id)
ORDER BY created_at, id;

-- name: AddConversationChunk :one
-- Store a large piece of conversation text at chunk_index, or after the last
-- chunk when chunk_index is NULL (two writers racing for one index: one fails
-- on the unique key and retries).
INSERT INTO conversation_chunks (organization_id, conversation_id, chunk_index, content, token_count, metadata)
SELECT
    c.organization_id,
    c.id,
    coalesce(
        sqlc.narg(chunk_index)::integer,
        (SELECT coalesce(max(k.chunk_index) + 1, 0) FROM conversation_chunks AS k
         WHERE k.organization_id = c.organization_id AND k.conversation_id = c.id)
    ),
    sqlc.arg(content),
    sqlc.narg(token_count),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
FROM conversations AS c
WHERE c.id = sqlc.arg(conversation_id)
RETURNING id, organization_id, conversation_id, chunk_index, content, token_count, metadata, created_at;

-- name: ListConversationChunks :many
-- A conversation's chunks in order. Page with the last row's chunk_index as cursor.
SELECT id, organization_id, conversation_id, chunk_index, content, token_count, metadata, created_at
FROM conversation_chunks
WHERE organization_id = sqlc.arg(organization_id)
  AND conversation_id = sqlc.arg(conversation_id)
  AND chunk_index > coalesce(sqlc.narg(cursor_chunk_index)::integer, -1)
ORDER BY chunk_index
LIMIT sqlc.arg('limit');

-- name: DeleteConversationChunk :execrows
-- Delete a chunk; the conversation's owner only.
DELETE FROM conversation_chunks
WHERE id = sqlc.arg(id);

-- name: CreateContextSnapshot :one
-- Record what an agent had in context in a conversation.
INSERT INTO context_snapshots (
    organization_id, conversation_id, agent_id, message_ids, memory_ids, summary, token_count, timings, metadata
)
SELECT
    c.organization_id,
    c.id,
    sqlc.narg(agent_id),
    coalesce(sqlc.narg(message_ids)::uuid[], '{}'),
    coalesce(sqlc.narg(memory_ids)::uuid[], '{}'),
    sqlc.narg(summary),
    coalesce(sqlc.narg(token_count)::integer, 0),
    coalesce(sqlc.narg(timings)::jsonb, '{}'),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
FROM conversations AS c
WHERE c.id = sqlc.arg(conversation_id)
RETURNING id, organization_id, conversation_id, agent_id, message_ids, memory_ids, summary, token_count,
    timings, metadata, created_at;

-- name: ListContextSnapshots :many
-- A conversation's snapshots, newest first. Page with the last row's (created_at, id) as cursor.
SELECT id, organization_id, conversation_id, agent_id, message_ids, memory_ids, summary, token_count,
    timings, metadata, created_at
FROM context_snapshots
WHERE organization_id = sqlc.arg(organization_id)
  AND conversation_id = sqlc.arg(conversation_id)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: GetLatestContextSnapshot :one
-- The newest snapshot of a conversation.
SELECT id, organization_id, conversation_id, agent_id, message_ids, memory_ids, summary, token_count,
    timings, metadata, created_at
FROM context_snapshots
WHERE organization_id = sqlc.arg(organization_id)
  AND conversation_id = sqlc.arg(conversation_id)
ORDER BY created_at DESC, id DESC
LIMIT 1;

-- name: FindConversationBySessionId :one
-- The conversation named session_id by the command protocol
-- (metadata.session_id) that the caller can see: the caller's own first,
-- then the newest one shared with them.
SELECT id, organization_id, user_id, agent_id, title, status, participants, metadata,
    message_count, memory_count, task_count, input_tokens, output_tokens, last_activity_at, created_at, updated_at, retention_hold
FROM conversations
WHERE organization_id = sqlc.arg(organization_id)
  AND metadata ->> 'session_id' = sqlc.arg(session_id)::text
ORDER BY user_id = sqlc.narg(user_id)::uuid DESC NULLS LAST, created_at DESC
LIMIT 1;
