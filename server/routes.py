"""The route table: every operation of the API, registered with aiohttp and described by /openapi.json."""

from __future__ import annotations

from .handlers import api_keys, identity, ops
from .models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, Health, IdPath, Me, Readiness
from .pagination import Page, PageQuery
from .routing import Auth, Route

ROUTES: list[Route] = [
    # --- operations
    Route(
        "GET", "/healthz", ops.healthz, "healthz", "The process is up", "operations", Auth.PUBLIC,
        response=Health, uses_database=False,
    ),
    Route(
        "GET", "/readyz", ops.readyz, "readyz", "The database is reachable and fully migrated", "operations",
        Auth.PUBLIC, response=Readiness,
    ),
    Route(
        "GET", "/openapi.json", ops.openapi, "openapi", "This document (OpenAPI 3.1)", "operations", Auth.PUBLIC,
        raw_schema={"type": "object"}, uses_database=False,
    ),
    Route(
        "GET", "/metrics", ops.metrics, "metrics", "Prometheus metrics (text exposition format)", "operations",
        Auth.PUBLIC, media_type="text/plain", raw_schema={"type": "string"}, uses_database=False,
    ),
    # --- identity
    Route(
        "GET", "/v1/me", identity.get_me, "getMe", "The caller: user, active organization and role", "identity",
        Auth.ACCOUNT, response=Me,
        description="Works without an active organization (organization and role are null then). "
        "The role is read from the database, not from the token.",
    ),
    # --- API keys
    Route(
        "POST", "/v1/api-keys", api_keys.create_api_key, "createApiKey", "Create an API key (admins)", "api-keys",
        Auth.ADMIN, body=ApiKeyCreate, response=ApiKeyCreated, status=201,
        description="The response holds the secret. It is shown this once: only its SHA-256 is stored.",
    ),
    Route(
        "GET", "/v1/api-keys", api_keys.list_api_keys, "listApiKeys", "List the organization's API keys (admins)",
        "api-keys", Auth.ADMIN, query=PageQuery, response=Page[ApiKeyOut],
    ),
    Route(
        "DELETE", "/v1/api-keys/{id}", api_keys.revoke_api_key, "revokeApiKey", "Revoke an API key (admins)",
        "api-keys", Auth.ADMIN, path_params=IdPath, status=204,
        description="Idempotent. The key stops working on the next request. Unknown ids, and keys of other "
        "organizations, are 404.",
    ),
    # --- agents
    # --- conversations and messages
    # --- webhooks
]
