"""Operational endpoints: liveness, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gen import ops as ops_queries

from ..keys import EXPECTED_MIGRATIONS, METRICS, OPENAPI_JSON, POOL
from ..models import Health, Readiness
from ..problems import Problem

READY_TIMEOUT = 2.0
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: web.Request) -> Health:
    """The process is up and serving (no dependency is checked)."""
    return Health(status="ok")


async def readyz(request: web.Request) -> Readiness:
    """The database answers and has every migration of db/schema applied."""
    try:
        async with asyncio.timeout(READY_TIMEOUT), request.app[POOL].acquire() as conn:
            applied = await ops_queries.list_applied_migrations(conn)
    except (OSError, TimeoutError) as exc:
        raise Problem("service_unavailable", f"the database is not reachable ({type(exc).__name__})") from None
    expected: tuple[str, ...] = request.app[EXPECTED_MIGRATIONS]
    pending = sorted(set(expected).difference(applied))
    if pending:
        raise Problem("service_unavailable", f"migrations not applied: {', '.join(pending)}")
    return Readiness(status="ready", migrations=len(applied))


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=request.app[OPENAPI_JSON], content_type="application/json")


async def metrics(request: web.Request) -> web.Response:
    text = request.app[METRICS].render(request.app.get(POOL))
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT, "Cache-Control": "no-store"})
