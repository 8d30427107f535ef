-- migrate:up

-- A conversation's messages all belong to its organization: conversation_id determines
-- organization_id. Without being told, the planner multiplies the two columns' selectivities,
-- expects a handful of rows where a conversation has thousands, and lists a page of 50 by
-- reading and sorting the whole conversation (with the conversation access check run for each
-- row): 94 ms for a conversation of 1,000 messages, against 10 ms for the index scan in order it
-- picks once it knows (measured with bench/run.py's data).
CREATE STATISTICS messages_conversation_organization (dependencies)
    ON organization_id, conversation_id FROM messages;
COMMENT ON STATISTICS messages_conversation_organization IS
    'conversation_id determines organization_id: keeps list queries of a conversation on their index scan in order.';
ANALYZE messages;

-- migrate:down

DROP STATISTICS messages_conversation_organization;
