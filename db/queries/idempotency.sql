-- name: LockIdempotencyKey :exec
-- Wait for, then hold until the transaction ends, the lock of one caller's
-- key: a concurrent request with the same key waits here until this one has
-- committed its response (or rolled back), then finds it.
SELECT pg_advisory_xact_lock(
    hashtextextended(sqlc.arg(organization_id)::uuid::text || '/' || sqlc.arg(caller_id)::uuid::text || '/' || sqlc.arg(key)::text, 0)
);

-- name: GetIdempotentResponse :one
-- The stored response of a caller's key, if any.
SELECT id, organization_id, caller_id, key, operation_id, request_hash, response_status, response_body, created_at
FROM idempotency_keys
WHERE organization_id = sqlc.arg(organization_id)
  AND caller_id = sqlc.arg(caller_id)
  AND key = sqlc.arg(key);

-- name: SaveIdempotentResponse :exec
-- Store the response of a key's first request (in that request's transaction).
INSERT INTO idempotency_keys (organization_id, caller_id, key, operation_id, request_hash, response_status, response_body)
VALUES (
    sqlc.arg(organization_id),
    sqlc.arg(caller_id),
    sqlc.arg(key),
    sqlc.arg(operation_id),
    sqlc.arg(request_hash),
    sqlc.arg(response_status),
    sqlc.narg(response_body)
);

-- name: PurgeIdempotencyKeys :execrows
-- Delete keys created before expired_before (as app_system, by retention).
DELETE FROM idempotency_keys
WHERE created_at < sqlc.arg(expired_before);
