"""Every key of the application's and the requests' state, in one place.

Values are set by create_app (configuration, metrics, the OpenAPI document), by
its cleanup contexts (pool, HTTP client, token verifier) and per request by the
route wrapper (principal, validated inputs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
import asyncpg
from aiohttp import web

if TYPE_CHECKING:
    from gen import Connection

    from .auth import Principal, TokenVerifier
    from .config import Config
    from .metrics import Metrics
    from .routing import Inputs, Route

CONFIG: web.AppKey[Config] = web.AppKey("config")
POOL: web.AppKey[asyncpg.Pool[asyncpg.Record]] = web.AppKey("pool")
HTTP_CLIENT: web.AppKey[aiohttp.ClientSession] = web.AppKey("http_client")
VERIFIER: web.AppKey[TokenVerifier] = web.AppKey("verifier")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
OPENAPI_JSON: web.AppKey[bytes] = web.AppKey("openapi_json")
# Migration versions found in db/schema when the app was built; /readyz wants them all applied.
EXPECTED_MIGRATIONS: web.AppKey[tuple[str, ...]] = web.AppKey("expected_migrations")
# The route table's matcher (routing.route_matcher): (method, path) -> (route, path parameters).
ROUTE_MATCH: web.AppKey[Callable[[str, str], tuple[Route, dict[str, str]] | None]] = web.AppKey("route_match")

PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal")
INPUTS: web.RequestKey[Inputs] = web.RequestKey("inputs")
# The transaction every tenant_tx of the request joins (server.tenancy.shared_tenant_tx).
SHARED_TX: web.RequestKey[Connection] = web.RequestKey("shared_tx")
