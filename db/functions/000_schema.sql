-- The schema every db/functions file creates its objects in.
--
-- `make rollback` drops this schema (CASCADE) before rolling migrations back,
-- so nothing here may be used by a migration (policies, triggers, defaults):
-- such helpers belong in a migration, in schema app.
CREATE SCHEMA IF NOT EXISTS fn;
COMMENT ON SCHEMA fn IS 'Functions from db/functions/: search, retention, scoring. Re-applied by make migrate when a file changes.';
GRANT USAGE ON SCHEMA fn TO app_tenant, app_system;
-- SECURITY DEFINER functions here are owned by app_system (never by a role
-- that bypasses RLS); owning a function in fn needs CREATE on it.
GRANT CREATE ON SCHEMA fn TO app_system;
