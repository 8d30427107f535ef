-- name: ListAppliedMigrations :many
-- Versions dbmate recorded as applied (readiness: every file of db/schema is in).
SELECT version
FROM schema_migrations
ORDER BY version;
