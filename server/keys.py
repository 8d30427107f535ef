"""Every key of the application's and the requests' state, in one place.

Values are set by create_app (configuration, metrics, the OpenAPI document), by
its cleanup contexts (pool, HTTP client, token verifier) and per request by the
route wrapper (principal, validated inputs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import asyncpg
from aiohttp import web

if TYPE_CHECKING:
    from .auth import Principal, TokenVerifier
    from .config import Config
    from .metrics import Metrics
    from .routing import Inputs

CONFIG: web.AppKey[Config] = web.AppKey("config")
POOL: web.AppKey[asyncpg.Pool[asyncpg.Record]] = web.AppKey("pool")
HTTP_CLIENT: web.AppKey[aiohttp.ClientSession] = web.AppKey("http_client")
VERIFIER: web.AppKey[TokenVerifier] = web.AppKey("verifier")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
OPENAPI_JSON: web.AppKey[bytes] = web.AppKey("openapi_json")
# Migration versions found in db/schema when the app was built; /readyz wants them all applied.
EXPECTED_MIGRATIONS: web.AppKey[tuple[str, ...]] = web.AppKey("expected_migrations")

PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal")
INPUTS: web.RequestKey[Inputs] = web.RequestKey("inputs")
