-- fn.resolve_api_key(p_key_hash): the organization an API key acts for.
--
-- Input:   p_key_hash, the SHA-256 of the secret presented in X-API-Key.
-- Output:  one row (api_key_id, organization_id, scopes) when the key exists,
--          is not revoked and its organization is not deleted; no row otherwise.
-- Writes:  api_keys.last_used_at, at most once a minute per key (no write per request).
-- Runs as: app_system (SECURITY DEFINER), because the caller has no tenant yet:
--          the key is what names the tenant. search_path is empty; names are qualified.
CREATE OR REPLACE FUNCTION fn.resolve_api_key(p_key_hash bytea)
RETURNS TABLE (api_key_id uuid, organization_id uuid, scopes text[])
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
    WITH key AS (
        SELECT k.id, k.organization_id, k.scopes, k.last_used_at
        FROM public.api_keys AS k
        JOIN public.organizations AS o ON o.id = k.organization_id
        WHERE k.key_hash = p_key_hash
          AND k.revoked_at IS NULL
          AND o.deleted_at IS NULL
    ), touched AS (
        UPDATE public.api_keys AS k
        SET last_used_at = now()
        FROM key
        WHERE k.id = key.id
          AND (key.last_used_at IS NULL OR key.last_used_at < now() - interval '1 minute')
    )
    SELECT key.id, key.organization_id, key.scopes FROM key
$$;
ALTER FUNCTION fn.resolve_api_key(bytea) OWNER TO app_system;
REVOKE ALL ON FUNCTION fn.resolve_api_key(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.resolve_api_key(bytea) TO app_tenant;
