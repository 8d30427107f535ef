"""The aiohttp application: create_app(config) -> web.Application.

State lives behind the AppKeys of server.keys. The database pool and the HTTP
client (JWKS fetches) are opened and closed by cleanup contexts; routes come
from server.routes.ROUTES, which also generates /openapi.json.

Middlewares, outermost first: metrics (every request, by route template and
status), response headers, problems (every error becomes problem+json).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import asyncpg
import orjson
from aiohttp import web

import gen

from .auth import build_verifier
from .config import ROOT, Config, ConfigError
from .keys import CONFIG, EXPECTED_MIGRATIONS, HTTP_CLIENT, METRICS, OPENAPI_JSON, POOL, ROUTE_MATCH, VERIFIER
from .metrics import Metrics, metrics_middleware
from .openapi import build_openapi
from .problems import problem_middleware
from .routes import ROUTES
from .routing import register, route_matcher

MIGRATIONS_DIR = ROOT / "db" / "schema"


def create_app(config: Config) -> web.Application:
    if not config.database_url:
        raise ConfigError("DATABASE_URL is required to build the app")
    metrics = Metrics()
    app = web.Application(
        middlewares=[metrics_middleware(metrics), headers_middleware, problem_middleware],
        client_max_size=config.max_body_bytes,
    )
    app[CONFIG] = config
    app[METRICS] = metrics
    app[OPENAPI_JSON] = orjson.dumps(build_openapi(ROUTES))
    app[EXPECTED_MIGRATIONS] = expected_migrations()
    app[ROUTE_MATCH] = route_matcher(ROUTES)
    register(app, ROUTES)
    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(authentication)
    return app


async def database(app: web.Application) -> AsyncIterator[None]:
    """The connection pool, with the generated code's codecs on every connection."""
    config = app[CONFIG]
    pool = await asyncpg.create_pool(
        config.database_url,
        init=gen.init_connection,
        min_size=config.pool_min_size,
        max_size=config.pool_max_size,
        reset=keep_session,
    )
    app[POOL] = pool
    try:
        yield
    finally:
        await pool.close()


async def keep_session(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """Release a connection without asyncpg's RESET ALL round trip.

    The server leaves no session state behind: the tenant (role, app.org_id,
    app.user_id) is entered with SET LOCAL, locks are transaction-level
    (pg_advisory_xact_lock), nothing LISTENs or keeps a cursor. asyncpg still
    rolls back a transaction left open before calling this.
    """


async def authentication(app: web.Application) -> AsyncIterator[None]:
    """The token verifier and the HTTP client it fetches a JWKS with."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        app[HTTP_CLIENT] = session
        app[VERIFIER] = build_verifier(app[CONFIG], session)
        yield


def expected_migrations() -> tuple[str, ...]:
    """Versions of the migration files in db/schema (empty when the directory is not deployed)."""
    if not MIGRATIONS_DIR.is_dir():
        return ()
    found = (re.match(r"(\d+)_", p.name) for p in MIGRATIONS_DIR.glob("*.sql"))
    return tuple(sorted(m[1] for m in found if m))


@web.middleware
async def headers_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Headers every response carries: no sniffing, and no caching of API data."""
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith("/v1/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
