-- name: ListAppliedMigrations :many
-- Versions dbmate recorded as applied (readiness: every file of db/schema is in).
SELECT version
FROM schema_migrations
ORDER BY version;

-- name: GetConnectionLimits :one
-- The server's max_connections and the connections reserved for superusers
-- and reserved_connections' roles: what python -m server sizes its workers'
-- pools against.
SELECT
    current_setting('max_connections')::integer AS max_connections,
    (current_setting('superuser_reserved_connections')::integer
        + coalesce(current_setting('reserved_connections', true)::integer, 0))::integer AS reserved;
