"""Operational endpoints: liveness, readiness, metrics, the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from support import Client, ClientFactory, TokenFactory, bearer, problem

from server.app import create_app
from server.config import Config
from server.pipeline.keys import EXPECTED_MIGRATIONS
from server.pipeline.route import Auth
from server.routes import ROUTES


async def test_healthz_needs_nothing(client: Client) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200 and await resp.json() == {"status": "ok"}
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_readyz_reports_the_applied_migrations(client: Client) -> None:
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "ready" and body["migrations"] >= 2


async def test_readyz_is_503_while_a_migration_is_pending(config: Config, aiohttp_client: ClientFactory) -> None:
    app = create_app(config)
    app[EXPECTED_MIGRATIONS] = (*app[EXPECTED_MIGRATIONS], "29991231000000")
    client = await aiohttp_client(app)
    body = await problem(await client.get("/readyz"), 503, "service_unavailable")
    assert "29991231000000" in body["detail"]


async def test_metrics_count_requests_by_route_template_and_status(client: Client, token: TokenFactory) -> None:
    await client.get("/v1/me", headers=bearer(token()))
    await client.get("/v1/me")
    await client.delete("/v1/api-keys/00000000-0000-4000-8000-000000000001", headers=bearer(token()))
    await client.get("/no/such/path")
    text = await (await client.get("/metrics")).text()
    assert 'http_requests_total{method="GET",route="/v1/me",status="200"} 1' in text
    assert 'http_requests_total{method="GET",route="/v1/me",status="401"} 1' in text
    assert 'http_requests_total{method="DELETE",route="/v1/api-keys/{id}",status="404"} 1' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1' in text
    assert "00000000-0000-4000-8000-000000000001" not in text
    assert re.search(r'http_request_duration_seconds_bucket\{method="GET",route="/v1/me",status="200",le="\+Inf"\} 1', text)
    assert re.search(r"^db_pool_connections\{state=\"in_use\"\} \d+$", text, re.M)
    assert re.search(r"^db_pool_max_size 5$", text, re.M)


async def test_every_route_appears_in_the_served_openapi_document_with_its_security(client: Client) -> None:
    doc: dict[str, Any] = await (await client.get("/openapi.json")).json()
    assert doc["openapi"] == "3.1.0"
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyAuth"}
    served = {(path, method.upper()): op for path, item in doc["paths"].items() for method, op in item.items()}
    assert sorted(served) == sorted((r.path, r.method) for r in ROUTES), "the document has the route table's operations, no more"
    problem_schema = {"$ref": "#/components/schemas/ProblemDocument"}
    for route in ROUTES:
        operation = served[(route.path, route.method)]
        assert operation["operationId"] == route.operation_id
        if route.auth is Auth.PUBLIC:
            assert operation["security"] == [], route.operation_id
            continue
        keys = [{"apiKeyAuth": []}] if route.auth.api_keys else []
        assert operation["security"] == [{"bearerAuth": []}, *keys], route.operation_id
        assert operation["responses"]["401"]["content"]["application/problem+json"]["schema"] == problem_schema
        if route.auth is Auth.ADMIN or not route.auth.api_keys:
            assert "403" in operation["responses"], route.operation_id  # admin_required, user_required
    create = served[("/v1/api-keys", "POST")]
    assert set(create["responses"]) >= {"201", "401", "403", "413", "415", "422", "500"}
