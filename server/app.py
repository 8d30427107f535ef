"""The aiohttp application: create_app(config) -> web.Application.

The composition root: it puts the pipeline (server.pipeline) and the route
table (server.routes) together. State lives behind AppKeys (server.pipeline.keys
and beside their types). The database pool and the HTTP client (JWKS fetches)
file storage and the embedding provider are opened and closed by cleanup contexts; /openapi.json is rendered once from
the same routes the router serves.

One middleware (server.pipeline.metrics.pipeline_middleware): every error
becomes problem+json, every response gets the security headers, every request
is counted and timed by route template and status.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

import aiohttp
import asyncpg
import orjson
from aiohttp import web

import gen

from .config import CONFIG, ROOT, Config, ConfigError
from .embeddings.handlers import EMBEDDINGS
from .embeddings.provider import EmbeddingProvider
from .files.storage import STORAGE, open_storage
from .pipeline.auth import VERIFIER, build_verifier
from .pipeline.keys import EXPECTED_MIGRATIONS, HTTP_CLIENT, OPENAPI_JSON, POOL
from .pipeline.metrics import METRICS, Metrics, pipeline_middleware
from .pipeline.openapi import build_openapi
from .pipeline.problems import OUTAGE, Outage
from .pipeline.route import ROUTE_MATCH, Route, register, route_matcher
from .routes import ROUTES

MIGRATIONS_DIR = ROOT / "db" / "schema"
# The longest request line aiohttp reads. Its default (8190 bytes) is shorter than valid requests: two tag
# filters of 2,000 characters, each of up to 4 UTF-8 bytes percent-encoded as 12, make a 48 KB query; past
# the limit aiohttp answers a plain-text 400 before any middleware sees the request.
MAX_REQUEST_LINE = 64 * 1024


def create_app(config: Config, routes: Sequence[Route] = ROUTES) -> web.Application:
    """The app serving `routes` (the whole API unless a test serves routes of its own)."""
    if not config.database_url:
        raise ConfigError("DATABASE_URL is required to build the app")
    metrics = Metrics()
    app = web.Application(
        middlewares=[pipeline_middleware(metrics)],
        client_max_size=config.max_body_bytes,
        handler_args={"max_line_size": MAX_REQUEST_LINE},
    )
    app[CONFIG] = config
    app[METRICS] = metrics
    app[OUTAGE] = Outage()
    app[OPENAPI_JSON] = orjson.dumps(build_openapi(routes))
    app[EXPECTED_MIGRATIONS] = expected_migrations()
    app[ROUTE_MATCH] = route_matcher(routes)
    register(app, routes)
    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(authentication)
    app.cleanup_ctx.append(file_storage)
    app.cleanup_ctx.append(embedding_provider)
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


async def file_storage(app: web.Application) -> AsyncIterator[None]:
    """Where file contents live: the workspace tree (WORKSPACES_DIR) or an S3 bucket (WORKSPACES_URL)."""
    storage = open_storage(app[CONFIG])
    app[STORAGE] = storage
    try:
        yield
    finally:
        await storage.close()


async def embedding_provider(app: web.Application) -> AsyncIterator[None]:
    """The OpenAI-compatible embeddings client knowledge search embeds queries with (None without settings)."""
    provider = EmbeddingProvider.from_config(app[CONFIG], timeout=10.0)
    app[EMBEDDINGS] = provider
    try:
        yield
    finally:
        if provider is not None:
            await provider.close()


def expected_migrations() -> tuple[str, ...]:
    """Versions of the migration files in db/schema (empty when the directory is not deployed)."""
    if not MIGRATIONS_DIR.is_dir():
        return ()
    found = (re.match(r"(\d+)_", p.name) for p in MIGRATIONS_DIR.glob("*.sql"))
    return tuple(sorted(m[1] for m in found if m))
