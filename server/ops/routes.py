"""The routes of ops: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/healthz",
        handler=handlers.healthz,
        auth=Auth.PUBLIC,
        summary="The process is up",
        tag="operations",
        uses_database=False,
    ),
    Route(
        method="GET",
        path="/readyz",
        handler=handlers.readyz,
        auth=Auth.PUBLIC,
        summary="The database is reachable and fully migrated",
        tag="operations",
    ),
    Route(
        method="GET",
        path="/openapi.json",
        handler=handlers.openapi,
        auth=Auth.PUBLIC,
        summary="This document (OpenAPI 3.1)",
        tag="operations",
        raw_schema={"type": "object"},
        uses_database=False,
    ),
    Route(
        method="GET",
        path="/metrics",
        handler=handlers.metrics,
        auth=Auth.PUBLIC,
        summary="Prometheus metrics (text exposition format)",
        tag="operations",
        media_type="text/plain",
        raw_schema={"type": "string"},
        uses_database=False,
    ),
]
