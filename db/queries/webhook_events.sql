-- name: RecordWebhookEvent :one
-- Record a delivery in the inbox. Returns no row when this svix-id was
-- recorded before (a redelivery), so the caller applies each event once.
INSERT INTO webhook_events (svix_id, type, payload)
VALUES (sqlc.arg(svix_id), sqlc.arg(type), sqlc.arg(payload))
ON CONFLICT (svix_id) DO NOTHING
RETURNING id, svix_id, type, payload, received_at, processed_at, error;

-- name: MarkWebhookEventProcessed :exec
UPDATE webhook_events
SET processed_at = now(), error = NULL
WHERE id = sqlc.arg(id);

-- name: MarkWebhookEventFailed :exec
UPDATE webhook_events
SET error = sqlc.arg(error)
WHERE id = sqlc.arg(id);
