-- migrate:up

-- Idempotency-Key (SPEC section 5): the first response of a creating write,
-- stored in the same transaction as the write itself, so a retry with the
-- same key gets that response back instead of doing the write again.
--
-- A key belongs to its caller (a user, or an API key) in an organization, and
-- to the request it came with (method, path and body: request_hash); reusing
-- it for another request is refused. Only successful responses are stored: a
-- failed request changes nothing, so its retry runs again.
--
-- Concurrent requests with one key are serialized by a transaction-level
-- advisory lock on the key (LockIdempotencyKey), taken before the lookup.
--
-- Visibility: the organization's members (the handler filters by caller).
-- Retention: app_system deletes keys past their lifetime (PurgeIdempotencyKeys).
--
-- ON DELETE: organization -> its keys (cascade). caller_id references no
-- table (it is a user id or an API key id); a deleted caller's keys expire.

CREATE TABLE idempotency_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    caller_id uuid NOT NULL,
    key text NOT NULL CHECK (key ~ '^[!-~]{1,255}$'),
    operation_id text NOT NULL CHECK (btrim(operation_id) <> ''),
    request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
    response_status integer NOT NULL CHECK (response_status BETWEEN 200 AND 299),
    response_body jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_unique_per_caller UNIQUE (organization_id, caller_id, key)
);
COMMENT ON TABLE idempotency_keys IS 'The first successful response of each creating write sent with an Idempotency-Key header, replayed to retries of the same request.';
COMMENT ON COLUMN idempotency_keys.caller_id IS 'The user (session tokens) or API key (X-API-Key) that sent the key: keys of different callers never meet.';
COMMENT ON COLUMN idempotency_keys.key IS 'The Idempotency-Key header: 1 to 255 visible ASCII characters.';
COMMENT ON COLUMN idempotency_keys.operation_id IS 'The OpenAPI operationId of the request.';
COMMENT ON COLUMN idempotency_keys.request_hash IS 'SHA-256 of the method, path, query and body: a key reused for another request is refused.';
COMMENT ON COLUMN idempotency_keys.response_body IS 'The JSON body of the stored response (NULL for 204).';
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

GRANT SELECT, INSERT ON idempotency_keys TO app_tenant;
GRANT SELECT, DELETE ON idempotency_keys TO app_system;

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;

CREATE POLICY "members read their organization's idempotency keys" ON idempotency_keys
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members record idempotency keys in their organization" ON idempotency_keys
    FOR INSERT TO app_tenant
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "system reads every idempotency key" ON idempotency_keys
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system purges expired idempotency keys" ON idempotency_keys
    FOR DELETE TO app_system
    USING (true);

-- migrate:down

DROP TABLE idempotency_keys;
