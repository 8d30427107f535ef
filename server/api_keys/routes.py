"""The routes of api_keys: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="POST",
        path="/v1/api-keys",
        handler=handlers.create_api_key,
        auth=Auth.ADMIN,
        summary="Create an API key (admins)",
        tag="api-keys",
        status=201,
        batchable=False,
        description="The response holds the secret. It is shown this once: only its SHA-256 is stored. So it "
        "takes no Idempotency-Key and is not allowed in a batch: neither may keep a copy of the secret.",
    ),
    Route(
        method="GET",
        path="/v1/api-keys",
        handler=handlers.list_api_keys,
        auth=Auth.ADMIN,
        summary="List the organization's API keys (admins)",
        tag="api-keys",
    ),
    Route(
        method="DELETE",
        path="/v1/api-keys/{id}",
        handler=handlers.revoke_api_key,
        auth=Auth.ADMIN,
        summary="Revoke an API key (admins)",
        tag="api-keys",
        description="Idempotent. The key stops working on the next request. Unknown ids, and keys of other "
        "organizations, are 404.",
    ),
]
