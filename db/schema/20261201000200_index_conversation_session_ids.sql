-- migrate:up

-- The command protocol (POST /v1/commands, seed 002) names sessions by a
-- session_id the client chooses ("mobile_test_001"); a session is a
-- conversation, and its session_id is kept in metadata.session_id. This index
-- finds a session by that name (FindConversationBySessionId) and keeps the
-- name unique among one user's conversations in an organization.
CREATE UNIQUE INDEX conversations_session_id_key ON conversations (organization_id, user_id, (metadata ->> 'session_id'))
    WHERE metadata ? 'session_id';
COMMENT ON INDEX conversations_session_id_key IS 'Command-protocol session names (metadata.session_id): unique per owner and organization.';

-- migrate:down

DROP INDEX conversations_session_id_key;
