"""POST /v1/batch: operations run as if sent alone, in one transaction, all or nothing."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from support import NOWHERE, Client, TokenFactory, bearer, create_key, problem

from server.pipeline.openapi import build_openapi
from server.pipeline.route import Auth, route_matcher
from server.routes import ROUTES


async def batch(client: Client, tok: str, *operations: dict[str, Any], **headers: str) -> Any:
    return await client.post("/v1/batch", json={"operations": list(operations)}, headers=bearer(tok) | headers)


async def test_a_batch_runs_every_operation_and_answers_each_result(client: Client, token: TokenFactory) -> None:
    tok = token()
    resp = await batch(
        client, tok,
        {"method": "POST", "path": "/v1/conversations", "body": {"title": "Planning"}},
        {"method": "POST", "path": "/v1/agents", "body": {"name": "Planner"}},
        {"method": "GET", "path": "/v1/conversations?limit=5"},
        {"method": "GET", "path": "/v1/me"},
    )
    assert resp.status == 200, await resp.text()
    results = (await resp.json())["results"]
    assert [r["status"] for r in results] == [201, 201, 200, 200]
    created = results[0]["body"]
    assert created["title"] == "Planning" and results[1]["body"]["name"] == "Planner"
    # Later operations see earlier ones: one transaction.
    assert [c["id"] for c in results[2]["body"]["items"]] == [created["id"]]
    got = await client.get(f"/v1/conversations/{created['id']}", headers=bearer(tok))
    assert got.status == 200


async def test_the_first_failure_rolls_everything_back_and_names_the_operation(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    resp = await batch(
        client, tok,
        {"method": "POST", "path": "/v1/conversations", "body": {"title": "Kept?"}},
        {"method": "POST", "path": "/v1/agents", "body": {"name": "Kept?"}},
        {"method": "POST", "path": "/v1/conversations", "body": {"title": " "}},
    )
    body = await problem(resp, 422, "validation_failed")
    assert body["errors"][0]["loc"][:5] == ["body", "operations", 2, "body", "title"]
    assert "operation 2" in body["detail"]
    assert await db.fetchval("SELECT count(*) FROM conversations") == 0
    assert await db.fetchval("SELECT count(*) FROM agents") == 0


async def test_a_database_error_in_an_operation_rolls_back_too(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    unknown_agent = "00000000-0000-4000-8000-000000000000"
    resp = await batch(
        client, tok,
        {"method": "POST", "path": "/v1/conversations", "body": {"title": "First"}},
        {"method": "POST", "path": "/v1/conversations", "body": {"title": "Second", "agent_id": unknown_agent}},
    )
    body = await problem(resp, 409, "conflict")
    assert body["errors"][0]["loc"][:3] == ["body", "operations", 1]
    assert await db.fetchval("SELECT count(*) FROM conversations") == 0


async def test_each_operation_is_authorized_as_if_sent_alone(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    admin = token("user_alice", "org_a", "admin")
    await client.get("/v1/me", headers=bearer(admin))
    member = token("user_bob", "org_a", "member")
    resp = await batch(
        client, member,
        {"method": "POST", "path": "/v1/conversations", "body": {"title": "Bob's"}},
        {"method": "POST", "path": "/v1/agents", "body": {"name": "Not Bob's to make"}},
    )
    body = await problem(resp, 403, "admin_required")
    assert body["errors"][0]["loc"] == ["body", "operations", 1]
    assert await db.fetchval("SELECT count(*) FROM conversations") == 0
    # Every operation a batch may hold that a member may not call, or a key (user-only and admin-only ones):
    # refused inside a batch as alone, naming the operation, after an allowed one.
    key = {"X-API-Key": (await create_key(client, admin))["secret"]}
    allowed = {"method": "GET", "path": "/v1/me"}
    ids = {"id": NOWHERE, "organization_id": NOWHERE, "user_id": NOWHERE, "checkpoint_id": NOWHERE}
    tried = 0
    for route in ROUTES:
        if not route.in_batch or route.auth not in (Auth.ADMIN, Auth.USER):
            continue
        operation = {"method": route.method, "path": route.path.format(**ids)}
        refusals = [(key, "user_required")] + ([(bearer(member), "admin_required")] if route.auth is Auth.ADMIN else [])
        for headers, code in refusals:
            resp = await client.post("/v1/batch", json={"operations": [allowed, operation]}, headers=headers)
            body = await problem(resp, 403, code)
            assert body["errors"][0]["loc"] == ["body", "operations", 1], route.operation_id
            tried += 1
    assert tried > 20


async def test_another_organizations_ids_are_404_inside_a_batch(client: Client, token: TokenFactory) -> None:
    theirs = token("user_carol", "org_b", "admin")
    conversation = await (await client.post("/v1/conversations", json={"title": "B"}, headers=bearer(theirs))).json()
    resp = await batch(
        client, token(),
        {"method": "GET", "path": f"/v1/conversations/{conversation['id']}"},
    )
    await problem(resp, 404, "not_found")
    resp = await batch(
        client, token(),
        {"method": "PATCH", "path": f"/v1/conversations/{conversation['id']}", "body": {"title": "Mine now"}},
    )
    await problem(resp, 404, "not_found")
    got = await (await client.get(f"/v1/conversations/{conversation['id']}", headers=bearer(theirs))).json()
    assert got["title"] == "B"


async def test_unknown_routes_nesting_and_bad_operations_are_4xx(client: Client, token: TokenFactory) -> None:
    tok = token()
    await problem(await batch(client, tok, {"method": "GET", "path": "/v1/nowhere"}), 404, "not_found")
    await problem(await batch(client, tok, {"method": "DELETE", "path": "/v1/me"}), 404, "not_found")
    nested = {"method": "POST", "path": "/v1/batch", "body": {"operations": [{"method": "GET", "path": "/v1/me"}]}}
    await problem(await batch(client, tok, nested), 422, "batch_operation_failed")
    await problem(await batch(client, tok, {"method": "GET", "path": "/healthz"}), 422, "validation_failed")
    await problem(await batch(client, tok), 422, "validation_failed")
    many = [{"method": "GET", "path": "/v1/me"}] * 51
    await problem(await batch(client, tok, *many), 422, "validation_failed")
    await problem(
        await batch(client, tok, {"method": "GET", "path": "/v1/conversations?cursor=nope"}), 400, "invalid_cursor"
    )
    await problem(
        await batch(client, tok, {"method": "POST", "path": "/v1/conversations"}), 400, "invalid_json"
    )


async def test_a_batch_with_an_idempotency_key_runs_once(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    op = {"method": "POST", "path": "/v1/conversations", "body": {"title": "Once"}}
    first = await batch(client, tok, op, **{"Idempotency-Key": "batch-1"})
    again = await batch(client, tok, op, **{"Idempotency-Key": "batch-1"})
    assert first.status == again.status == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert await first.json() == await again.json()
    assert await db.fetchval("SELECT count(*) FROM conversations") == 1


async def test_an_operation_whose_route_takes_no_body_refuses_one(client: Client, token: TokenFactory) -> None:
    resp = await batch(client, token(), {"method": "GET", "path": "/v1/me", "body": {"x": 1}})
    body = await problem(resp, 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["body", "operations", 0, "body"]
    resp = await batch(client, token(), {"method": "GET", "path": "/v1/me", "body": None})
    assert resp.status == 200, await resp.text()


# Lists ordered by something else than a timestamp and id have cursors of their own.
OWN_CURSORS = {"listConversationChunks": "17"}


def test_the_document_describes_each_operation_a_batch_may_hold() -> None:
    document = build_openapi(ROUTES)
    variants = {v["title"]: v for v in document["components"]["schemas"]["BatchOperation"]["oneOf"]}
    assert set(variants) == {r.operation_id for r in ROUTES if r.in_batch}
    assert {"runBatch", "runCommand", "createApiKey", "receiveClerkWebhook", "healthz"}.isdisjoint(variants)
    for route in ROUTES:
        if not route.in_batch:
            continue
        variant = variants[route.operation_id]
        assert variant["properties"]["method"] == {"const": route.method}
        path = variant["properties"]["path"]
        (example,) = path["examples"]
        assert re.fullmatch(path["pattern"], example) and route_matcher([route])(route.method, example)
        assert (re.fullmatch(path["pattern"], example + "?") is not None) == (route.query is not None)
        assert re.fullmatch(path["pattern"], example + "?colour=blue") is None  # only the route's own parameters
        if route.query is not None and "limit" in route.query.model_fields:
            most = next(m.le for m in route.query.model_fields["limit"].metadata if hasattr(m, "le"))
            cursor = OWN_CURSORS.get(route.operation_id, f"1_{'a' * 32}")
            assert re.fullmatch(path["pattern"], f"{example}?limit={most}&cursor={cursor}")
            assert re.fullmatch(path["pattern"], f"{example}?limit={most + 1}") is None
        assert ("body" in variant["required"]) == (route.body is not None)
        if route.headers is not None:
            assert set(variant["properties"]["headers"]["properties"]) == {"If-Match"}
    # Header names are checked as the server checks them, not merely patterned.
    headers = variants["putAgentState"]["properties"]["headers"]
    assert headers["propertyNames"] == {"pattern": "^[A-Za-z0-9-]{1,64}$"} and "patternProperties" not in headers
