"""Idempotency-Key: a retried creating write returns the first response and creates nothing more."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from support import Client, TokenFactory, bearer, problem


def keyed(tok: str, key: str) -> dict[str, str]:
    return bearer(tok) | {"Idempotency-Key": key}


async def count_conversations(db: asyncpg.Connection, title: str) -> int:
    n: int = await db.fetchval("SELECT count(*) FROM conversations WHERE title = $1", title)
    return n


async def test_a_retry_with_the_same_key_returns_the_first_response_and_creates_nothing(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    first = await client.post("/v1/conversations", json={"title": "Once"}, headers=keyed(tok, "k-1"))
    assert first.status == 201 and "Idempotent-Replayed" not in first.headers
    again = await client.post("/v1/conversations", json={"title": "Once"}, headers=keyed(tok, "k-1"))
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert await again.json() == await first.json()
    assert await count_conversations(db, "Once") == 1
    # Without the header every request creates.
    await client.post("/v1/conversations", json={"title": "Once"}, headers=bearer(tok))
    assert await count_conversations(db, "Once") == 2


async def test_a_key_reused_for_another_request_is_409_and_changes_nothing(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    await client.post("/v1/conversations", json={"title": "A"}, headers=keyed(tok, "k-2"))
    resp = await client.post("/v1/conversations", json={"title": "B"}, headers=keyed(tok, "k-2"))
    await problem(resp, 409, "idempotency_key_reused")
    agent = await client.post("/v1/agents", json={"name": "X"}, headers=keyed(tok, "k-2"))
    await problem(agent, 409, "idempotency_key_reused")
    assert await count_conversations(db, "B") == 0
    assert await db.fetchval("SELECT count(*) FROM agents WHERE name = 'X'") == 0


async def test_a_failed_request_stores_nothing_so_its_retry_runs_again(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    unknown = {"title": "Later", "agent_id": "00000000-0000-4000-8000-000000000000"}
    await problem(await client.post("/v1/conversations", json=unknown, headers=keyed(tok, "k-3")), 409, "conflict")
    await problem(await client.post("/v1/conversations", json=unknown, headers=keyed(tok, "k-3")), 409, "conflict")
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    ok = await client.post("/v1/conversations", json={"title": "Later"}, headers=keyed(tok, "k-3"))
    assert ok.status == 201 and await count_conversations(db, "Later") == 1


async def test_concurrent_requests_with_one_key_create_once(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    await client.get("/v1/me", headers=bearer(tok))  # provision the user first

    async def post() -> dict[str, Any]:
        resp = await client.post("/v1/conversations", json={"title": "Race"}, headers=keyed(tok, "k-race"))
        assert resp.status == 201, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body

    bodies = await asyncio.gather(*(post() for _ in range(6)))
    assert len({b["id"] for b in bodies}) == 1
    assert await count_conversations(db, "Race") == 1


async def test_keys_belong_to_their_caller(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    alice, bob, carol = token("user_alice", "org_a"), token("user_bob", "org_a", "member"), token("user_carol", "org_b")
    ids = set()
    for tok in (alice, bob, carol):
        resp = await client.post("/v1/conversations", json={"title": "Mine"}, headers=keyed(tok, "shared-key"))
        assert resp.status == 201 and "Idempotent-Replayed" not in resp.headers
        ids.add((await resp.json())["id"])
    assert len(ids) == 3 and await count_conversations(db, "Mine") == 3


async def test_invalid_keys_are_422_naming_the_header(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    tok = token()
    for key in ("has space", "x" * 256, "caf\u00e9"):
        resp = await client.post("/v1/conversations", json={"title": "Bad key"}, headers=keyed(tok, key))
        body = await problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await count_conversations(db, "Bad key") == 0


async def test_the_openapi_document_offers_the_header_on_creating_writes(client: Client) -> None:
    doc = await (await client.get("/openapi.json")).json()
    create = doc["paths"]["/v1/conversations"]["post"]
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert "409" in create["responses"] and "idempotency_key_reused" in create["responses"]["409"]["description"]
    listing = doc["paths"]["/v1/conversations"]["get"]
    assert not any(p["in"] == "header" for p in listing.get("parameters", []))


async def test_api_key_secrets_are_never_stored_for_a_replay(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    first = await client.post("/v1/api-keys", json={"name": "svc"}, headers=keyed(tok, "key-create"))
    second = await client.post("/v1/api-keys", json={"name": "svc"}, headers=keyed(tok, "key-create"))
    assert first.status == second.status == 201
    assert (await first.json())["secret"] != (await second.json())["secret"]
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    op = {"method": "POST", "path": "/v1/api-keys", "body": {"name": "svc"}}
    resp = await client.post("/v1/batch", json={"operations": [op]}, headers=keyed(tok, "batch-key"))
    await problem(resp, 422, "batch_operation_failed")
    assert await db.fetchval("SELECT count(*) FROM api_keys") == 2
