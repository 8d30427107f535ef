"""/v1/conversations: the owner's and shared conversations, filters and cursors, owner-only changes, shares, tenants apart."""

from __future__ import annotations

from typing import Any

import aiohttp
import asyncpg
from support import Client, TokenFactory, bearer, problem, routes_called, routes_under, sync_member

UPLOAD = "a multipart upload"  # stands for a multipart/form-data body with a small file


async def send(client: Client, method: str, target: str, body: Any, headers: dict[str, str]) -> Any:
    """The request with body as JSON, or as a multipart upload of a small file for UPLOAD."""
    if body == UPLOAD:
        form = aiohttp.FormData()
        form.add_field("file", b"notes\n", filename="notes.txt")
        return await client.request(method, target, data=form, headers=headers)
    return await client.request(method, target, json=body, headers=headers)


async def create_conversation(client: Client, tok: str, **fields: Any) -> dict[str, Any]:
    resp = await client.post("/v1/conversations", json={"title": "Printer"} | fields, headers=bearer(tok))
    assert resp.status == 201, await resp.text()
    created: dict[str, Any] = await resp.json()
    return created


async def user_id(client: Client, tok: str) -> str:
    me = await (await client.get("/v1/me", headers=bearer(tok))).json()
    return str(me["user"]["id"])


async def test_the_owner_creates_gets_changes_and_deletes_a_conversation(client: Client, token: TokenFactory) -> None:
    tok = token()
    created = await create_conversation(client, tok, metadata={"source": "web"}, participants=["helpdesk"])
    assert created["status"] == "active" and created["user_id"] == await user_id(client, tok)
    assert created["metadata"] == {"source": "web"} and created["message_count"] == 0
    url = f"/v1/conversations/{created['id']}"
    assert await (await client.get(url, headers=bearer(tok))).json() == created
    resp = await client.patch(url, json={"title": "Printer (floor 3)", "status": "archived"}, headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    changed = await resp.json()
    assert changed["title"] == "Printer (floor 3)" and changed["status"] == "archived"
    assert changed["metadata"] == {"source": "web"}
    assert (await client.delete(url, headers=bearer(tok))).status == 204
    await problem(await client.get(url, headers=bearer(tok)), 404, "not_found")


async def test_invalid_conversations_are_422(client: Client, token: TokenFactory) -> None:
    tok = token()
    for body in ({"title": " "}, {"metadata": [1]}, {"status": "gone"}):
        await problem(await client.post("/v1/conversations", json=body, headers=bearer(tok)), 422, "validation_failed")
    unknown = {"agent_id": "00000000-0000-4000-8000-000000000000"}
    err = await problem(await client.post("/v1/conversations", json=unknown, headers=bearer(tok)), 409, "conflict")
    assert err["errors"][0]["loc"] == ["body", "agent_id"]
    created = await create_conversation(client, tok)
    await problem(
        await client.patch(f"/v1/conversations/{created['id']}", json={"user_id": "x"}, headers=bearer(tok)),
        422, "validation_failed",
    )


async def test_api_keys_cannot_use_conversations_or_their_messages_on_any_route(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    resp = await client.post("/v1/api-keys", json={"name": "svc"}, headers=bearer(tok))
    key = {"X-API-Key": (await resp.json())["secret"]}
    conversation = await create_conversation(client, tok)
    url = f"/v1/conversations/{conversation['id']}"
    message = await (await client.post(f"{url}/messages", json={"content": "hi"}, headers=bearer(tok))).json()
    me = await user_id(client, tok)
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/v1/conversations", None),
        ("POST", "/v1/conversations", {"title": "By a key"}),
        ("GET", url, None),
        ("PATCH", url, {"title": "By a key"}),
        ("DELETE", url, None),
        ("GET", f"{url}/shares", None),
        ("POST", f"{url}/shares", {"user_id": me}),
        ("DELETE", f"{url}/shares/{me}", None),
        ("GET", f"{url}/messages", None),
        ("POST", f"{url}/messages", {"content": "by a key"}),
        ("GET", f"/v1/messages/{message['id']}", None),
        ("PATCH", f"/v1/messages/{message['id']}", {"content": "by a key"}),
        ("GET", f"/v1/messages/{message['id']}/versions", None),
        ("GET", f"{url}/chunks", None),
        ("POST", f"{url}/chunks", {"content": "by a key"}),
        ("GET", f"{url}/files", None),
        ("POST", f"{url}/files", UPLOAD),
    ]
    assert routes_called(calls) == routes_under("/v1/conversations") | routes_under("/v1/messages")
    for method, target, body in calls:
        await problem(await send(client, method, target, body, key), 403, "user_required")
    assert await db.fetchval("SELECT count(*) FROM conversations") == 1
    assert await db.fetchval("SELECT title FROM conversations") == conversation["title"]
    assert await db.fetchval("SELECT count(*) FROM messages") == 1


async def test_conversations_are_listed_by_activity_filtered_and_paged_without_loss(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent = await (await client.post("/v1/agents", json={"name": "A"}, headers=bearer(tok))).json()
    ids = [(await create_conversation(client, tok, title=f"c{i}"))["id"] for i in range(4)]
    with_agent = await create_conversation(client, tok, agent_id=agent["id"])
    paused = await create_conversation(client, tok, status="paused")
    deleted = await create_conversation(client, tok)
    await client.patch(f"/v1/conversations/{deleted['id']}", json={"status": "deleted"}, headers=bearer(tok))
    await db.execute("UPDATE conversations SET last_activity_at = '2026-11-01T00:00:00Z' WHERE title IN ('c1', 'c2')")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = await (await client.get("/v1/conversations", params=params, headers=bearer(tok))).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([*ids, with_agent["id"], paused["id"]]) and len(seen) == 6
    assert seen[0] == paused["id"]
    by_agent = await (await client.get(f"/v1/conversations?agent_id={agent['id']}", headers=bearer(tok))).json()
    assert [c["id"] for c in by_agent["items"]] == [with_agent["id"]]
    by_status = await (await client.get("/v1/conversations?status=deleted", headers=bearer(tok))).json()
    assert [c["id"] for c in by_status["items"]] == [deleted["id"]]


async def test_a_share_recipient_reads_but_cannot_change_delete_or_reshare(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    owner = token("user_alice", "org_a", "member")
    await sync_member(db, "user_alice", "org_a", "member")
    await sync_member(db, "user_bob", "org_a", "member")
    await sync_member(db, "user_dave", "org_a", "member")
    bob = token("user_bob", "org_a", "member")
    dave = token("user_dave", "org_a", "member")
    conversation = await create_conversation(client, owner)
    url = f"/v1/conversations/{conversation['id']}"
    await problem(await client.get(url, headers=bearer(bob)), 404, "not_found")
    bob_id = await user_id(client, bob)
    resp = await client.post(f"{url}/shares", json={"user_id": bob_id}, headers=bearer(owner))
    assert resp.status == 201, await resp.text()
    share = await resp.json()
    assert share["user_id"] == bob_id and share["granted_by"] == await user_id(client, owner)
    again = await (await client.post(f"{url}/shares", json={"user_id": bob_id}, headers=bearer(owner))).json()
    assert again == share
    assert (await client.get(url, headers=bearer(bob))).status == 200
    listed = await (await client.get("/v1/conversations", headers=bearer(bob))).json()
    assert [c["id"] for c in listed["items"]] == [conversation["id"]]
    shares = await (await client.get(f"{url}/shares", headers=bearer(bob))).json()
    assert [s["id"] for s in shares["items"]] == [share["id"]]
    await problem(await client.patch(url, json={"title": "mine"}, headers=bearer(bob)), 403, "forbidden")
    await problem(await client.delete(url, headers=bearer(bob)), 403, "forbidden")
    dave_id = await user_id(client, dave)
    await problem(await client.post(f"{url}/shares", json={"user_id": dave_id}, headers=bearer(bob)), 403, "forbidden")
    await problem(await client.get(url, headers=bearer(dave)), 404, "not_found")
    assert (await (await client.get(url, headers=bearer(owner))).json())["title"] == "Printer"
    # The recipient leaves; then it is gone for them.
    assert (await client.delete(f"{url}/shares/{bob_id}", headers=bearer(bob))).status == 204
    await problem(await client.get(url, headers=bearer(bob)), 404, "not_found")
    await problem(await client.delete(f"{url}/shares/{bob_id}", headers=bearer(owner)), 404, "not_found")


async def test_sharing_with_a_non_member_or_oneself_is_409(client: Client, token: TokenFactory) -> None:
    owner = token("user_alice", "org_a", "admin")
    outsider = token("user_carol", "org_b", "admin")
    conversation = await create_conversation(client, owner)
    url = f"/v1/conversations/{conversation['id']}/shares"
    for uid in (await user_id(client, outsider), await user_id(client, owner), "00000000-0000-4000-8000-000000000000"):
        body = await problem(await client.post(url, json={"user_id": uid}, headers=bearer(owner)), 409, "conflict")
        assert body["errors"][0]["loc"] == ["body", "user_id"]
    assert (await (await client.get(url, headers=bearer(owner))).json())["items"] == []


async def test_another_organizations_conversation_is_404_on_every_route_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    theirs = token("user_carol", "org_b", "admin")
    await sync_member(db, "user_erin", "org_b", "member")
    erin = token("user_erin", "org_b", "member")
    erin_id = await user_id(client, erin)
    conversation = await create_conversation(client, theirs)
    url = f"/v1/conversations/{conversation['id']}"
    assert (await client.post(f"{url}/shares", json={"user_id": erin_id}, headers=bearer(theirs))).status == 201
    before = await (await client.get(url, headers=bearer(theirs))).json()

    ours = token("user_alice", "org_a", "admin")
    our_id = await user_id(client, ours)
    calls: list[tuple[str, str, Any]] = [
        ("GET", url, None),
        ("PATCH", url, {"title": "stolen", "status": "deleted"}),
        ("DELETE", url, None),
        ("GET", f"{url}/shares", None),
        ("POST", f"{url}/shares", {"user_id": our_id}),
        ("DELETE", f"{url}/shares/{erin_id}", None),
        ("GET", f"{url}/chunks", None),
        ("POST", f"{url}/chunks", {"content": "stolen"}),
        ("GET", f"{url}/files", None),
        ("POST", f"{url}/files", UPLOAD),
    ]
    # Every route of a conversation (its messages': tests/messages/test_messages_api.py).
    assert routes_called(calls) == routes_under("/v1/conversations/{id}", but=("/v1/conversations/{id}/messages",))
    for method, target, body in calls:
        await problem(await send(client, method, target, body, bearer(ours)), 404, "not_found")
    assert (await (await client.get("/v1/conversations", headers=bearer(ours))).json())["items"] == []
    assert await (await client.get(url, headers=bearer(theirs))).json() == before
    assert await db.fetchval("SELECT count(*) FROM conversation_shares") == 1


async def test_chunks_are_added_listed_in_order_and_private_to_the_conversation(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token())
    resp = await client.post("/v1/conversations", json={"title": "Review"}, headers=alice)
    conversation = (await resp.json())["id"]
    url = f"/v1/conversations/{conversation}/chunks"
    made = []
    for n in range(5):
        resp = await client.post(url, json={"content": f"レビューコメント {n}", "token_count": 3.0}, headers=alice)
        assert resp.status == 201, await resp.text()
        made.append(await resp.json())
    assert [c["chunk_index"] for c in made] == [0, 1, 2, 3, 4] and made[0]["token_count"] == 3
    resp = await client.post(url, json={"content": "again", "chunk_index": 2}, headers=alice)
    await problem(resp, 409, "conflict")
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        resp = await client.get(url, params={"limit": "2"} | ({"cursor": cursor} if cursor else {}), headers=alice)
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        seen += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == made
    assert (await (await client.get(url, params={"cursor": "9999999999"}, headers=alice)).json())["items"] == []
    resp = await client.get("/v1/search", params={"q": "レビュー", "types": "chunk", "conversation_id": conversation}, headers=alice)
    assert {h["chunk_id"] for h in (await resp.json())["items"]} == {c["id"] for c in made}
    await sync_member(db, "user_dave", "org_a", "member")
    dave = bearer(token("user_dave", "org_a", "member"))
    await problem(await client.get(url, headers=dave), 404, "not_found")
    await problem(await client.post(url, json={"content": "intrusion"}, headers=dave), 404, "not_found")
    for bad in ({"content": ""}, {"content": " "}, {"content": "x", "chunk_index": -1}, {"content": "x", "extra": 1}):
        await problem(await client.post(url, json=bad, headers=alice), 422, "validation_failed")
    await problem(await client.get(url, params={"cursor": "x"}, headers=alice), 400, "invalid_cursor")
