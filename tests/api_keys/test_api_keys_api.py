"""/v1/api-keys: admins create (secret once), list with cursors, revoke; tenants stay apart."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
from support import Client, TokenFactory, bearer, create_key, problem, sync_member


async def test_an_admin_creates_a_key_and_sees_the_secret_once(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token("user_alice", "org_a", "admin")
    created = await create_key(client, tok, "ci")
    secret = created["secret"]
    assert secret.startswith(created["prefix"] + "_") and created["prefix"].startswith("ajc_")
    assert len(secret) > 40 and created["name"] == "ci" and created["revoked_at"] is None
    me = await (await client.get("/v1/me", headers=bearer(tok))).json()
    assert created["created_by"] == me["user"]["id"]
    # Only the hash is stored, and no later answer holds the secret.
    stored = await db.fetchrow("SELECT key_hash, prefix FROM api_keys WHERE id = $1", created["id"])
    assert stored["key_hash"] == hashlib.sha256(secret.encode()).digest()
    assert secret.encode() not in b"".join(str(v).encode() for v in (await db.fetchrow("SELECT * FROM api_keys")).values())
    listed = await (await client.get("/v1/api-keys", headers=bearer(tok))).json()
    assert [k["id"] for k in listed["items"]] == [created["id"]] and "secret" not in listed["items"][0]


async def test_members_cannot_create_list_or_revoke_keys(client: Client, token: TokenFactory, db: asyncpg.Connection) -> None:
    existing = await create_key(client, token("user_alice", "org_a", "admin"))
    await sync_member(db, "user_bob", "org_a", "member")
    tok = token("user_bob", "org_a", "member")
    await problem(await client.post("/v1/api-keys", json={"name": "x"}, headers=bearer(tok)), 403, "admin_required")
    await problem(await client.get("/v1/api-keys", headers=bearer(tok)), 403, "admin_required")
    await problem(await client.delete(f"/v1/api-keys/{existing['id']}", headers=bearer(tok)), 403, "admin_required")
    rows = await db.fetch("SELECT id, revoked_at FROM api_keys")
    assert [(str(r["id"]), r["revoked_at"]) for r in rows] == [(existing["id"], None)]


async def test_a_demoted_admin_loses_access_on_the_next_request(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token("user_alice", "org_a", "admin")
    await create_key(client, tok)
    await db.execute("UPDATE organization_memberships SET role = 'member'")
    await problem(await client.get("/v1/api-keys", headers=bearer(tok)), 403, "admin_required")


async def test_keys_are_listed_newest_first_page_by_page(client: Client, token: TokenFactory) -> None:
    tok = token()
    ids = [(await create_key(client, tok, f"k{i}"))["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = await (await client.get("/v1/api-keys", params=params, headers=bearer(tok))).json()
        seen += [k["id"] for k in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1] and pages == 3


async def test_keys_created_in_the_same_instant_are_paged_without_loss(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    for i in range(3):
        await create_key(client, tok, f"k{i}")
    await db.execute("UPDATE api_keys SET created_at = '2026-11-01T00:00:00Z'")  # ties are broken by id
    first = await (await client.get("/v1/api-keys?limit=2", headers=bearer(tok))).json()
    rest = await (await client.get(f"/v1/api-keys?limit=2&cursor={first['next_cursor']}", headers=bearer(tok))).json()
    ids = [k["id"] for k in first["items"] + rest["items"]]
    assert len(set(ids)) == 3 and rest["next_cursor"] is None
    assert ids == sorted(ids, reverse=True)


async def test_revoking_is_idempotent_and_keeps_the_first_time(client: Client, token: TokenFactory) -> None:
    tok = token()
    created = await create_key(client, tok)
    assert (await client.delete(f"/v1/api-keys/{created['id']}", headers=bearer(tok))).status == 204
    first = (await (await client.get("/v1/api-keys", headers=bearer(tok))).json())["items"][0]["revoked_at"]
    assert first is not None
    assert (await client.delete(f"/v1/api-keys/{created['id']}", headers=bearer(tok))).status == 204
    again = (await (await client.get("/v1/api-keys", headers=bearer(tok))).json())["items"][0]["revoked_at"]
    assert again == first


async def test_another_organizations_key_is_404_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    theirs = await create_key(client, token("user_carol", "org_b", "admin"))
    ours = token("user_alice", "org_a", "admin")
    await problem(await client.delete(f"/v1/api-keys/{theirs['id']}", headers=bearer(ours)), 404, "not_found")
    assert await db.fetchval("SELECT revoked_at FROM api_keys WHERE id = $1", theirs["id"]) is None
    listed = await (await client.get("/v1/api-keys", headers=bearer(ours))).json()
    assert listed["items"] == []
    assert (await client.get("/v1/me", headers={"X-API-Key": theirs["secret"]})).status == 200


async def test_scopes_are_stored_sorted_and_unique(client: Client, token: TokenFactory) -> None:
    resp = await client.post(
        "/v1/api-keys", json={"name": "s", "scopes": ["b", "a", "b"]}, headers=bearer(token())
    )
    body: dict[str, Any] = await resp.json()
    assert body["scopes"] == ["a", "b"]
