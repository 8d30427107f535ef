"""Operational endpoints: liveness, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gen import ops as ops_queries

from ..pipeline.keys import EXPECTED_MIGRATIONS, OPENAPI_JSON, POOL
from ..pipeline.metrics import METRICS
from ..pipeline.problems import OUTAGE, Problem
from .models import Health, Readiness

READY_TIMEOUT = 2.0
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: web.Request) -> Health:
    """The process is up and serving (no dependency is checked)."""
    return Health(status="ok")


async def readyz(request: web.Request) -> Readiness:
    """The database answers and has every migration of db/schema applied.

    A database that cannot be reached (or answers too slowly) is an outage like any other: 503 with Retry-After,
    answered by server.pipeline.problems.
    """
    async with asyncio.timeout(READY_TIMEOUT), request.app[POOL].acquire() as conn:
        applied = await ops_queries.list_applied_migrations(conn)
    request.app[OUTAGE].recovered()
    expected: tuple[str, ...] = request.app[EXPECTED_MIGRATIONS]
    pending = sorted(set(expected).difference(applied))
    if pending:
        raise Problem("service_unavailable", f"migrations not applied: {', '.join(pending)}")
    return Readiness(status="ready", migrations=len(applied))


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=request.app[OPENAPI_JSON], content_type="application/json")


async def metrics(request: web.Request) -> web.Response:
    text = request.app[METRICS].render(request.app.get(POOL), request.app[OUTAGE])
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT, "Cache-Control": "no-store"})
