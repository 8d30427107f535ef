"""The application's state keys whose values are third-party types.

This module imports only third-party packages, so any module may import it
without closing an import circle. A key whose value is one of the project's own
types is declared beside that type: CONFIG in server.config, METRICS in
server.pipeline.metrics, VERIFIER in server.pipeline.auth, OUTAGE in
server.pipeline.problems, ROUTE_MATCH in server.pipeline.route.
"""

from __future__ import annotations

import aiohttp
import asyncpg
from aiohttp import web

# The database pool, opened and closed by server.app's cleanup context.
POOL: web.AppKey[asyncpg.Pool[asyncpg.Record]] = web.AppKey("pool")
# The HTTP client the JWKS is fetched with.
HTTP_CLIENT: web.AppKey[aiohttp.ClientSession] = web.AppKey("http_client")
# /openapi.json, rendered once when the app is built.
OPENAPI_JSON: web.AppKey[bytes] = web.AppKey("openapi_json")
# Migration versions found in db/schema when the app was built; /readyz wants them all applied.
EXPECTED_MIGRATIONS: web.AppKey[tuple[str, ...]] = web.AppKey("expected_migrations")
