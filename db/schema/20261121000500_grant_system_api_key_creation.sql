-- migrate:up

-- Operators create an organization's first API key from the command line
-- (python -m server.admin create-api-key), before any admin has signed in:
-- that runs as app_system, whose policy on api_keys already covers it.
GRANT INSERT ON api_keys TO app_system;

-- migrate:down

REVOKE INSERT ON api_keys FROM app_system;
