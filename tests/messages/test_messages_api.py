"""Messages: posted and listed oldest or newest first with cursors, replies and attachments in one conversation, edits keep versions."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg
from support import Client, TokenFactory, bearer, new_conversation, problem, routes_called, routes_under, sync_member


async def post(client: Client, tok: str, conversation_id: str, **fields: Any) -> dict[str, Any]:
    resp = await client.post(
        f"/v1/conversations/{conversation_id}/messages", json={"content": "hello"} | fields, headers=bearer(tok)
    )
    assert resp.status == 201, await resp.text()
    created: dict[str, Any] = await resp.json()
    return created


async def add_file(db: asyncpg.Connection, conversation_id: str) -> str:
    """A file row of the conversation, as an upload would have written it."""
    org = await db.fetchval("SELECT organization_id FROM conversations WHERE id = $1", conversation_id)
    file_id = uuid4()
    await db.execute(
        "INSERT INTO files (id, organization_id, conversation_id, kind, name, path) VALUES ($1, $2, $3, 'upload', $4, $5)",
        file_id, org, conversation_id, f"{file_id}.txt", f"x/{file_id}.txt",
    )
    return str(file_id)


async def test_messages_are_posted_and_listed_oldest_first_each_exactly_once(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    conversation_id = await new_conversation(client, tok)
    ids = [(await post(client, tok, conversation_id, content=f"m{i}"))["id"] for i in range(5)]
    await db.execute("UPDATE messages SET created_at = '2026-11-01T00:00:00Z' WHERE content IN ('m2', 'm3')")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        resp = await client.get(f"/v1/conversations/{conversation_id}/messages", params=params, headers=bearer(tok))
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    assert seen[-1] == ids[4]
    conversation = await (await client.get(f"/v1/conversations/{conversation_id}", headers=bearer(tok))).json()
    assert conversation["message_count"] == 5


async def test_a_chat_opens_at_its_end_listing_newest_first_and_pages_back_through_every_message(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    conversation_id = await new_conversation(client, tok)
    ids = [(await post(client, tok, conversation_id, content=f"m{i}"))["id"] for i in range(7)]
    await db.execute("UPDATE messages SET created_at = '2026-11-01T00:00:00Z' WHERE content IN ('m3', 'm4')")
    url = f"/v1/conversations/{conversation_id}/messages"
    latest = await (await client.get(url, params={"order": "desc", "limit": "3"}, headers=bearer(tok))).json()
    assert [m["content"] for m in latest["items"]] == ["m6", "m5", "m2"]  # m3 and m4 were moved back in time
    seen, cursor = [m["id"] for m in latest["items"]], latest["next_cursor"]
    while cursor is not None:
        page = await (await client.get(url, params={"order": "desc", "limit": "3", "cursor": cursor}, headers=bearer(tok))).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    oldest = await (await client.get(url, params={"limit": "50"}, headers=bearer(tok))).json()
    assert [m["id"] for m in oldest["items"]] == seen[::-1]
    body = await problem(await client.get(url, params={"order": "newest"}, headers=bearer(tok)), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["query", "order"]


async def test_a_reply_names_its_parent_and_files_are_attached(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    conversation_id = await new_conversation(client, tok)
    root = await post(client, tok, conversation_id)
    assert root["role"] == "user" and root["version"] == 1 and root["file_ids"] == []
    file_id = await add_file(db, conversation_id)
    reply = await post(client, tok, conversation_id, parent_message_id=root["id"], file_ids=[file_id, file_id])
    assert reply["parent_message_id"] == root["id"] and reply["file_ids"] == [file_id]
    got = await (await client.get(f"/v1/messages/{reply['id']}", headers=bearer(tok))).json()
    assert got == reply


async def test_a_parent_or_file_of_another_conversation_is_409_and_nothing_is_written(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    first = await new_conversation(client, tok)
    second = await new_conversation(client, tok)
    elsewhere = await post(client, tok, first)
    other_file = await add_file(db, first)
    url = f"/v1/conversations/{second}/messages"
    resp = await client.post(url, json={"content": "x", "parent_message_id": elsewhere["id"]}, headers=bearer(tok))
    body = await problem(resp, 409, "conflict")
    assert body["errors"][0]["loc"] == ["body", "parent_message_id"] and "fkey" not in str(body)
    resp = await client.post(url, json={"content": "x", "file_ids": [other_file]}, headers=bearer(tok))
    body = await problem(resp, 409, "conflict")
    assert body["errors"][0]["loc"] == ["body", "file_ids"]
    assert await db.fetchval("SELECT count(*) FROM messages WHERE conversation_id = $1", second) == 0
    await problem(await client.post(url, json={"role": "assistant"}, headers=bearer(tok)), 422, "validation_failed")


async def test_editing_a_message_keeps_the_earlier_version(client: Client, token: TokenFactory) -> None:
    tok = token()
    conversation_id = await new_conversation(client, tok)
    message = await post(client, tok, conversation_id, content="floor 3")
    url = f"/v1/messages/{message['id']}"
    resp = await client.patch(url, json={"content": "floor 4"}, headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    edited = await resp.json()
    assert edited["content"] == "floor 4" and edited["version"] == 2 and edited["edited_at"] is not None
    versions = await (await client.get(f"{url}/versions", headers=bearer(tok))).json()
    assert [(v["version"], v["content"]) for v in versions["items"]] == [(1, "floor 3")]
    unchanged = await (await client.patch(url, json={}, headers=bearer(tok))).json()
    assert unchanged["version"] == 2


async def test_a_share_recipient_reads_and_posts_but_edits_only_their_own_messages(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    await sync_member(db, "user_bob", "org_a", "member")
    owner = token("user_alice", "org_a", "admin")
    bob = token("user_bob", "org_a", "member")
    conversation_id = await new_conversation(client, owner)
    theirs = await post(client, owner, conversation_id, content="owner's")
    url = f"/v1/conversations/{conversation_id}/messages"
    await problem(await client.get(url, headers=bearer(bob)), 404, "not_found")
    await problem(await client.post(url, json={"content": "x"}, headers=bearer(bob)), 404, "not_found")
    bob_id = (await (await client.get("/v1/me", headers=bearer(bob))).json())["user"]["id"]
    shared = await client.post(f"/v1/conversations/{conversation_id}/shares", json={"user_id": bob_id}, headers=bearer(owner))
    assert shared.status == 201
    mine = await post(client, bob, conversation_id, content="bob's", parent_message_id=theirs["id"])
    assert mine["user_id"] == bob_id
    listed = await (await client.get(url, headers=bearer(bob))).json()
    assert [m["id"] for m in listed["items"]] == [theirs["id"], mine["id"]]
    assert (await client.get(f"/v1/messages/{theirs['id']}", headers=bearer(bob))).status == 200
    await problem(await client.patch(f"/v1/messages/{theirs['id']}", json={"content": "x"}, headers=bearer(bob)), 403, "forbidden")
    assert (await client.patch(f"/v1/messages/{mine['id']}", json={"content": "bob's!"}, headers=bearer(bob))).status == 200
    assert await db.fetchval("SELECT content FROM messages WHERE id = $1", theirs["id"]) == "owner's"


async def test_another_organizations_messages_are_404_on_every_route_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    theirs = token("user_carol", "org_b", "admin")
    conversation_id = await new_conversation(client, theirs)
    message = await post(client, theirs, conversation_id, content="secret")
    await client.patch(f"/v1/messages/{message['id']}", json={"content": "secret 2"}, headers=bearer(theirs))
    ours = token("user_alice", "org_a", "admin")
    calls: list[tuple[str, str, Any]] = [
        ("GET", f"/v1/conversations/{conversation_id}/messages", None),
        ("POST", f"/v1/conversations/{conversation_id}/messages", {"content": "injected"}),
        ("GET", f"/v1/messages/{message['id']}", None),
        ("PATCH", f"/v1/messages/{message['id']}", {"content": "stolen"}),
        ("GET", f"/v1/messages/{message['id']}/versions", None),
    ]
    assert routes_called(calls) == routes_under("/v1/conversations/{id}/messages") | routes_under("/v1/messages/{id}")
    for method, target, body in calls:
        await problem(await client.request(method, target, json=body, headers=bearer(ours)), 404, "not_found")
    # A reply to their message from our own conversation does not reach it either.
    ours_conversation = await new_conversation(client, ours)
    resp = await client.post(
        f"/v1/conversations/{ours_conversation}/messages",
        json={"content": "x", "parent_message_id": message["id"]}, headers=bearer(ours),
    )
    await problem(resp, 409, "conflict")
    got = await (await client.get(f"/v1/messages/{message['id']}", headers=bearer(theirs))).json()
    assert got["content"] == "secret 2" and got["version"] == 2
    assert await db.fetchval("SELECT count(*) FROM messages WHERE conversation_id = $1", conversation_id) == 1
    assert await db.fetchval("SELECT count(*) FROM message_versions") == 1
