"""Prometheus metrics in the text exposition format, without a client library.

    http_requests_total{method, route, status}              counter
    http_request_duration_seconds{method, route, status}    histogram
    db_pool_connections{state="open"|"idle"|"in_use"}       gauges, plus db_pool_max_size
    db_unavailable                                          1 while the database is unreachable, else 0
    db_unavailable_requests_total                           requests answered 503 because of it
    db_outages_total                                        outages since the process started

`route` is the route template (/v1/api-keys/{id}), never the raw path, so ids do
not multiply the series; requests that match no route count as "unmatched".
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from aiohttp import web

from .problems import CLIENT_CLOSED, Outage, problem_response

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[str, str, str]  # method, route, status


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: float = 0.0
    count: int = 0


class Metrics:
    """Request counts and latencies of one app (one process)."""

    def __init__(self) -> None:
        self._histograms: dict[Labels, _Histogram] = defaultdict(_Histogram)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        histogram = self._histograms[(method if method in METHODS else "other", route, str(status))]
        histogram.count += 1
        histogram.total += seconds
        counts = histogram.counts
        for i in range(bisect_left(BUCKETS, seconds), len(BUCKETS)):  # cumulative: every bucket from the first that holds it
            counts[i] += 1

    def render(self, pool: asyncpg.Pool[asyncpg.Record] | None, outage: Outage) -> str:
        lines = [
            "# HELP http_requests_total HTTP requests handled, by method, route template and status.",
            "# TYPE http_requests_total counter",
        ]
        items = sorted(self._histograms.items())
        for labels, histogram in items:
            lines.append(f"http_requests_total{{{_labels(labels)}}} {histogram.count}")
        lines += [
            "# HELP http_request_duration_seconds Time to answer HTTP requests, by method, route template and status.",
            "# TYPE http_request_duration_seconds histogram",
        ]
        for labels, histogram in items:
            base = _labels(labels)
            for bound, count in zip(BUCKETS, histogram.counts, strict=True):
                lines.append(f'http_request_duration_seconds_bucket{{{base},le="{bound}"}} {count}')
            lines.append(f'http_request_duration_seconds_bucket{{{base},le="+Inf"}} {histogram.count}')
            lines.append(f"http_request_duration_seconds_sum{{{base}}} {histogram.total:.6f}")
            lines.append(f"http_request_duration_seconds_count{{{base}}} {histogram.count}")
        if pool is not None:
            size, idle = pool.get_size(), pool.get_idle_size()
            lines += [
                "# HELP db_pool_connections Connections of the database pool, by state.",
                "# TYPE db_pool_connections gauge",
                f'db_pool_connections{{state="open"}} {size}',
                f'db_pool_connections{{state="idle"}} {idle}',
                f'db_pool_connections{{state="in_use"}} {size - idle}',
                "# HELP db_pool_max_size Most connections the pool opens.",
                "# TYPE db_pool_max_size gauge",
                f"db_pool_max_size {pool.get_max_size()}",
            ]
        lines += [
            "# HELP db_unavailable 1 while the database is unreachable (requests are answered 503), else 0.",
            "# TYPE db_unavailable gauge",
            f"db_unavailable {int(outage.ongoing)}",
            "# HELP db_unavailable_requests_total Requests answered 503 because the database was unreachable.",
            "# TYPE db_unavailable_requests_total counter",
            f"db_unavailable_requests_total {outage.refused_total}",
            "# HELP db_outages_total Times the database became unreachable.",
            "# TYPE db_outages_total counter",
            f"db_outages_total {outage.outages}",
        ]
        return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    method, route, status = labels
    return f'method="{_escape(method)}",route="{_escape(route)}",status="{status}"'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# The app's metrics (set by server.app.create_app).
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")


def route_template(request: web.Request) -> str:
    """The matched route's template, or "unmatched" (unknown paths are not labels)."""
    route = request.match_info.route
    resource = route.resource
    if resource is None or request.match_info.http_exception is not None:
        return "unmatched"
    return resource.canonical


def pipeline_middleware(metrics: Metrics) -> Callable[..., Awaitable[web.StreamResponse]]:
    """The app's one middleware: every error answered as problem+json (server.pipeline.problems), the
    headers every response carries (no sniffing; no caching of API data), and the request counted and
    timed by route template and status. One layer instead of three: each costs a coroutine per request."""

    @web.middleware
    async def pipeline(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        start = time.perf_counter()
        status = 500
        try:
            try:
                response = await handler(request)
            except Exception as exc:  # a redirect is raised again, counted below
                response = problem_response(request, exc)
            status = response.status
            headers = response.headers
            headers.setdefault("X-Content-Type-Options", "nosniff")
            if request.path.startswith("/v1/"):
                headers.setdefault("Cache-Control", "no-store")
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:  # the client hung up and the server cancels handlers when they do
            status = CLIENT_CLOSED
            raise
        finally:
            metrics.observe(request.method, route_template(request), status, time.perf_counter() - start)

    return pipeline
