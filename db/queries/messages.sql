-- name: CreateMessage :one
-- Post a message to a conversation the caller can access. A user message's
-- user_id is the caller; agent, system and tool messages have user_id NULL or
-- the caller. parent_message_id must be in the same conversation. The
-- conversation's counters and last_activity_at follow by trigger.
INSERT INTO messages (
    organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, input_tokens, output_tokens
)
SELECT
    c.organization_id,
    c.id,
    sqlc.narg(parent_message_id),
    sqlc.narg(user_id),
    sqlc.narg(agent_id),
    sqlc.arg(role),
    coalesce(sqlc.narg(content)::text, ''),
    coalesce(sqlc.narg(content_parts)::jsonb, '[]'),
    coalesce(sqlc.narg(metadata)::jsonb, '{}'),
    coalesce(sqlc.narg(status)::message_status, 'sent'),
    coalesce(sqlc.narg(input_tokens)::integer, 0),
    coalesce(sqlc.narg(output_tokens)::integer, 0)
FROM conversations AS c
WHERE c.id = sqlc.arg(conversation_id)
RETURNING id, organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, version, input_tokens, output_tokens, edited_at, created_at, updated_at;

-- name: GetMessage :one
-- The message with this id, if the caller can access its conversation.
SELECT id, organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, version, input_tokens, output_tokens, edited_at, created_at, updated_at
FROM messages
WHERE id = sqlc.arg(id);

-- name: ListMessages :many
-- A conversation's messages, oldest first. Page with the last row's
-- (created_at, id) as cursor.
SELECT id, organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, version, input_tokens, output_tokens, edited_at, created_at, updated_at
FROM messages
WHERE organization_id = sqlc.arg(organization_id)
  AND conversation_id = sqlc.arg(conversation_id)
  AND (created_at, id) > (
      coalesce(sqlc.narg(cursor_at)::timestamptz, '-infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, '00000000-0000-0000-0000-000000000000')
  )
ORDER BY created_at, id
LIMIT sqlc.arg('limit');

-- name: ListLatestMessages :many
-- A conversation's messages, newest first (a context window, or a chat
-- scrolled back). Page with the last row's (created_at, id) as cursor.
SELECT id, organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, version, input_tokens, output_tokens, edited_at, created_at, updated_at
FROM messages
WHERE organization_id = sqlc.arg(organization_id)
  AND conversation_id = sqlc.arg(conversation_id)
  AND (created_at, id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg('limit');

-- name: ListReplies :many
-- The direct replies to a message, oldest first.
SELECT r.id, r.organization_id, r.conversation_id, r.parent_message_id, r.user_id, r.agent_id, r.role,
    r.content, r.content_parts, r.metadata, r.status, r.version, r.input_tokens, r.output_tokens,
    r.edited_at, r.created_at, r.updated_at
FROM messages AS p
JOIN messages AS r
    ON r.conversation_id = p.conversation_id
    AND r.parent_message_id = p.id
WHERE p.id = sqlc.arg(parent_message_id)
ORDER BY r.created_at, r.id;

-- name: EditMessage :one
-- Replace a message's content (NULL leaves that part as it is). For a
-- finished message the database keeps the earlier content in
-- message_versions and increments version; pending and streaming messages
-- are overwritten in place.
UPDATE messages
SET content = coalesce(sqlc.narg(content), content),
    content_parts = coalesce(sqlc.narg(content_parts), content_parts)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, version, input_tokens, output_tokens, edited_at, created_at, updated_at;

-- name: UpdateMessageProgress :one
-- Record an agent message's progress: status, token counts, and metadata
-- keys merged in (NULL leaves a field as it is). Token changes reach the
-- conversation's totals by trigger.
UPDATE messages
SET status = coalesce(sqlc.narg(status), status),
    input_tokens = coalesce(sqlc.narg(input_tokens), input_tokens),
    output_tokens = coalesce(sqlc.narg(output_tokens), output_tokens),
    metadata = metadata || coalesce(sqlc.narg(metadata)::jsonb, '{}')
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, conversation_id, parent_message_id, user_id, agent_id, role,
    content, content_parts, metadata, status, version, input_tokens, output_tokens, edited_at, created_at, updated_at;

-- name: DeleteMessage :execrows
-- Delete a message with its versions and attachments (its replies become
-- roots): its author or the conversation's owner.
DELETE FROM messages
WHERE id = sqlc.arg(id);

-- name: ListMessageVersions :many
-- The earlier versions of a message, oldest first (the current one is the message itself).
SELECT id, organization_id, conversation_id, message_id, version, content, content_parts, metadata,
    authored_at, edited_by, created_at
FROM message_versions
WHERE message_id = sqlc.arg(message_id)
ORDER BY version;

-- name: AttachFilesToMessage :many
-- Attach files of the message's conversation to it (files of another
-- conversation are refused by the foreign key). Files attached already are
-- skipped; the new attachments are returned.
INSERT INTO message_files (organization_id, conversation_id, message_id, file_id)
SELECT m.organization_id, m.conversation_id, m.id, f.file_id
FROM messages AS m
CROSS JOIN unnest(sqlc.arg(file_ids)::uuid[]) AS f (file_id)
WHERE m.id = sqlc.arg(message_id)
ON CONFLICT (conversation_id, message_id, file_id) DO NOTHING
RETURNING id, organization_id, conversation_id, message_id, file_id, created_at;

-- name: DetachFileFromMessage :execrows
DELETE FROM message_files AS mf
USING messages AS m
WHERE m.id = sqlc.arg(message_id)
  AND mf.conversation_id = m.conversation_id
  AND mf.message_id = m.id
  AND mf.file_id = sqlc.arg(file_id);

-- name: ListMessageFiles :many
-- The files attached to a message, in the order they were attached.
SELECT f.id, f.organization_id, f.conversation_id, f.created_by, f.kind, f.status, f.name, f.original_name,
    f.path, f.mime_type, f.size_bytes, f.sha256, f.error, f.metadata, f.created_at, f.updated_at
FROM messages AS m
JOIN message_files AS mf
    ON mf.conversation_id = m.conversation_id
    AND mf.message_id = m.id
JOIN files AS f
    ON f.conversation_id = mf.conversation_id
    AND f.id = mf.file_id
WHERE m.id = sqlc.arg(message_id)
ORDER BY mf.created_at, mf.id;
