"""/v1/memories: stored and replaced by key, listed by scope and filters with cursors, private memories, history,
API keys, bad input, tenants apart."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg
from support import (
    Client,
    TokenFactory,
    bearer,
    create_key,
    new_agent,
    new_conversation,
    problem,
    routes_called,
    routes_under,
    sync_member,
)

from gen import memories
from gen.models import MemoryKind


async def store(client: Client, headers: dict[str, str], status: int = 201, **fields: Any) -> dict[str, Any]:
    resp = await client.post("/v1/memories", json={"kind": "fact"} | fields, headers=headers)
    assert resp.status == status, await resp.text()
    stored: dict[str, Any] = await resp.json()
    return stored


async def listed(client: Client, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    """Every memory of the list with these filters, page after page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        resp = await client.get("/v1/memories", params=params | ({"cursor": cursor} if cursor else {}), headers=headers)
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def keys_of(client: Client, headers: dict[str, str], **params: str) -> list[str]:
    return [m["key"] for m in await listed(client, headers, **params)]




async def history(client: Client, headers: dict[str, str], memory_id: str) -> list[dict[str, Any]]:
    resp = await client.get(f"/v1/memories/{memory_id}/history", headers=headers)
    assert resp.status == 200, await resp.text()
    events: list[dict[str, Any]] = (await resp.json())["items"]
    return events


async def test_a_memory_is_stored_read_changed_and_deleted_with_its_history(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token())
    created = await store(
        client, alice, kind="decision", key="carbon", content={"decision": "ship in Q3"}, tags=["roadmap", "q3", "q3"],
        importance=0.8, memory_type="episodic",
    )
    assert created["kind"] == "decision" and created["key"] == "carbon" and created["memory_type"] == "episodic"
    assert created["tags"] == ["roadmap", "q3"] and created["importance"] == 0.8 and created["decay_rate"] == 0
    assert created["private"] is False and created["user_id"] is None and created["access_count"] == 0
    assert created["embedding_model"] is None and "organization_id" not in created
    url = f"/v1/memories/{created['id']}"
    assert await (await client.get(url, headers=alice)).json() == created
    resp = await client.patch(url, json={"importance": 1, "tags": [], "content": {"decision": "ship in Q4"}}, headers=alice)
    assert resp.status == 200, await resp.text()
    changed = await resp.json()
    assert changed["importance"] == 1 and changed["tags"] == [] and changed["content"] == {"decision": "ship in Q4"}
    assert (changed["key"], changed["kind"], changed["created_at"]) == ("carbon", "decision", created["created_at"])
    assert changed["updated_at"] > created["updated_at"]
    # Nothing to change: nothing is written.
    assert await (await client.patch(url, json={}, headers=alice)).json() == changed
    assert (await client.delete(url, headers=alice)).status == 204
    await problem(await client.get(url, headers=alice), 404, "not_found")
    await problem(await client.delete(url, headers=alice), 404, "not_found")
    await problem(await client.patch(url, json={"importance": 0.1}, headers=alice), 404, "not_found")
    # The history outlives the memory.
    events = await history(client, alice, created["id"])
    assert [e["event"] for e in events] == ["created", "updated", "deleted"]
    assert events[1]["before"]["content"] == {"decision": "ship in Q3"} and events[1]["after"]["importance"] == 1
    alice_id = (await (await client.get("/v1/me", headers=alice)).json())["user"]["id"]
    assert {e["actor_user_id"] for e in events} == {alice_id}
    assert events[0]["before"] is None and events[2]["after"] is None
    assert await db.fetchval("SELECT count(*) FROM memories") == 0


async def test_storing_by_key_again_replaces_the_memory_with_200_and_keeps_one_row(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token())
    first = await store(client, alice, key="pricing", content={"v": 1}, tags=["a"], importance=0.9, decay_rate=0.1)
    await client.get(f"/v1/memories/{first['id']}", params={"touch": "true"}, headers=alice)
    second = await store(client, alice, status=200, key="pricing", kind="decision", content={"v": 2})
    assert second["id"] == first["id"] and second["created_at"] == first["created_at"]
    assert second["kind"] == "decision" and second["content"] == {"v": 2}
    # Replaced whole: omitted fields take their defaults; uses are kept.
    assert (second["tags"], second["importance"], second["decay_rate"]) == ([], 0.5, 0)
    assert second["access_count"] == 1
    assert await db.fetchval("SELECT count(*) FROM memories WHERE key = 'pricing'") == 1
    assert [e["event"] for e in await history(client, alice, first["id"])] == ["created", "updated"]
    # The same key in another scope is another memory.
    private = await store(client, alice, key="pricing", private=True)
    assert private["id"] != first["id"] and private["private"] is True
    again = await store(client, alice, status=200, key="pricing", private=True, content={"mine": True})
    assert again["id"] == private["id"]
    assert await db.fetchval("SELECT count(*) FROM memories WHERE key = 'pricing'") == 2
    # Without a key, every write is a new memory with a key of its own.
    one, two = await store(client, alice), await store(client, alice)
    assert one["id"] != two["id"] and one["key"] != two["key"]


async def test_memories_are_listed_newest_first_and_paged_without_loss(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token())
    ids = [(await store(client, alice, key=f"m{i}"))["id"] for i in range(7)]
    # Ties on created_at are ordered by id: no row is lost or repeated across pages.
    await db.execute("UPDATE memories SET created_at = '2026-11-01T00:00:00Z' WHERE key IN ('m2', 'm3', 'm4')")
    seen = await listed(client, alice, limit="2")
    assert sorted(m["id"] for m in seen) == sorted(ids) and len(seen) == 7
    assert [m["key"] for m in seen[:3]] == ["m6", "m5", "m1"]
    created = [m["created_at"] for m in seen]
    assert created == sorted(created, reverse=True)
    page = await (await client.get("/v1/memories", params={"limit": "7"}, headers=alice)).json()
    assert len(page["items"]) == 7 and page["next_cursor"] is None


async def test_the_list_filters_by_scope_kind_type_tags_and_importance(client: Client, token: TokenFactory) -> None:
    tok = token()
    alice = bearer(tok)
    agent_id = await new_agent(client, tok)
    conversation_id = await new_conversation(client, tok)
    await store(client, alice, key="shared", kind="idea", tags=["a", "b"], importance=0.2)
    await store(client, alice, key="mine", private=True, kind="risk", tags=["b"], importance=0.9)
    await store(client, alice, key="agent", agent_id=agent_id, memory_type="procedural", tags=["c"], importance=0.5)
    await store(client, alice, key="session", conversation_id=conversation_id, memory_type="working", tags=["a b"])
    assert set(await keys_of(client, alice)) == {"shared", "mine", "agent", "session"}
    assert await keys_of(client, alice, private="true") == ["mine"]
    assert set(await keys_of(client, alice, private="false")) == {"shared", "agent", "session"}
    assert await keys_of(client, alice, agent_id=agent_id) == ["agent"]
    assert await keys_of(client, alice, conversation_id=conversation_id) == ["session"]
    assert await keys_of(client, alice, agent_id=str(uuid4())) == []
    assert await keys_of(client, alice, kind="risk") == ["mine"]
    assert await keys_of(client, alice, memory_type="working") == ["session"]
    assert set(await keys_of(client, alice, tags_any="a,c")) == {"shared", "agent"}
    assert set(await keys_of(client, alice, tags_any="b")) == {"shared", "mine"}
    assert await keys_of(client, alice, tags_all="a,b") == ["shared"]
    assert await keys_of(client, alice, tags_any="a b") == ["session"]
    assert set(await keys_of(client, alice, min_importance="0.5")) == {"mine", "agent", "session"}
    assert await keys_of(client, alice, tags_any="b", private="false", min_importance="0.1", kind="idea") == ["shared"]
    agent = await store(client, alice, status=200, key="agent", agent_id=agent_id, content={"n": 2})
    assert agent["agent_id"] == agent_id and agent["conversation_id"] is None
    session = (await listed(client, alice, conversation_id=conversation_id))[0]
    assert session["conversation_id"] == conversation_id and session["memory_type"] == "working"


async def test_the_longest_valid_tag_filters_are_answered_not_refused_by_the_http_parser(
    client: Client, token: TokenFactory
) -> None:
    widest = "\U0001f600" * 2000  # 2,000 characters of 4 UTF-8 bytes: 24 KB percent-encoded, each
    resp = await client.get("/v1/memories", params={"tags_any": widest, "tags_all": widest}, headers=bearer(token()))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["items"] == []


async def test_a_private_memory_is_invisible_to_another_member_and_a_conversations_follows_it(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    await sync_member(db, "user_bob", "org_a", "member")
    alice_tok = token("user_alice", "org_a", "admin")
    alice, bob = bearer(alice_tok), bearer(token("user_bob", "org_a", "member"))
    secret = await store(client, alice, key="secret", private=True, content={"pin": "1234"})
    shared = await store(client, alice, key="team")
    conversation_id = await new_conversation(client, alice_tok)
    session = await store(client, alice, key="session", conversation_id=conversation_id)
    assert await keys_of(client, bob) == ["team"]
    assert await keys_of(client, bob, private="true") == []
    for memory in (secret, session):
        url = f"/v1/memories/{memory['id']}"
        await problem(await client.get(url, headers=bob), 404, "not_found")
        await problem(await client.patch(url, json={"content": {"pin": "0000"}}, headers=bob), 404, "not_found")
        await problem(await client.delete(url, headers=bob), 404, "not_found")
        await problem(await client.get(f"{url}/history", headers=bob), 404, "not_found")
    # Bob's own memory under the same key is his, apart from Alice's.
    bobs = await store(client, bob, key="secret", private=True)
    assert bobs["id"] != secret["id"]
    # A conversation bob cannot access is no scope for his memories.
    resp = await client.post("/v1/memories", json={"kind": "fact", "conversation_id": conversation_id}, headers=bob)
    body = await problem(resp, 409, "conflict")
    assert body["errors"][0]["loc"] == ["body", "conversation_id"]
    # Shared with bob, the conversation's memories are his to read and change too.
    bob_id = (await (await client.get("/v1/me", headers=bob)).json())["user"]["id"]
    await client.post(f"/v1/conversations/{conversation_id}/shares", json={"user_id": bob_id}, headers=alice)
    assert set(await keys_of(client, bob)) == {"team", "session", "secret"}
    assert (await client.get(f"/v1/memories/{session['id']}", headers=bob)).status == 200
    # Organization-wide memories are every member's.
    resp = await client.patch(f"/v1/memories/{shared['id']}", json={"importance": 0.1}, headers=bob)
    assert resp.status == 200, await resp.text()
    assert await db.fetchval("SELECT content FROM memories WHERE id = $1", secret["id"]) == {"pin": "1234"}
    assert await db.fetchval("SELECT count(*) FROM memories WHERE key = 'secret'") == 2


async def test_an_agent_or_conversation_that_is_not_the_callers_is_409_naming_the_field(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token("user_alice", "org_a", "admin"))
    carol_tok = token("user_carol", "org_b", "admin")
    their_agent = await new_agent(client, carol_tok)
    their_conversation = await new_conversation(client, carol_tok)
    for field, value in [
        ("agent_id", str(uuid4())), ("agent_id", their_agent),
        ("conversation_id", str(uuid4())), ("conversation_id", their_conversation),
    ]:
        for key in (None, "k"):
            payload = {"kind": "fact", field: value} | ({"key": key} if key else {})
            body = await problem(await client.post("/v1/memories", json=payload, headers=alice), 409, "conflict")
            assert body["errors"][0]["loc"] == ["body", field] and "fkey" not in str(body)
    assert await db.fetchval("SELECT count(*) FROM memories") == 0


async def test_reading_counts_a_use_only_when_asked_to(client: Client, token: TokenFactory) -> None:
    alice = bearer(token())
    memory = await store(client, alice, key="k")
    url = f"/v1/memories/{memory['id']}"
    plain = await (await client.get(url, headers=alice)).json()
    assert plain["access_count"] == 0 and plain["last_accessed_at"] is None
    used = await (await client.get(url, params={"touch": "true"}, headers=alice)).json()
    assert used["access_count"] == 1 and used["last_accessed_at"] is not None
    assert used["updated_at"] == memory["updated_at"]
    again = await (await client.get(url, params={"touch": "true"}, headers=alice)).json()
    assert again["access_count"] == 2
    assert (await (await client.get(url, params={"touch": "false"}, headers=alice)).json())["access_count"] == 2
    # A use is not a change.
    assert [e["event"] for e in await history(client, alice, memory["id"])] == ["created"]


async def test_the_history_is_paged_oldest_first(client: Client, token: TokenFactory) -> None:
    alice = bearer(token())
    memory = await store(client, alice, key="k", importance=0.0)
    for i in range(1, 5):
        resp = await client.patch(f"/v1/memories/{memory['id']}", json={"importance": i / 10}, headers=alice)
        assert resp.status == 200
    url = f"/v1/memories/{memory['id']}/history"
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        resp = await client.get(url, params={"limit": "2"} | ({"cursor": cursor} if cursor else {}), headers=alice)
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [e["event"] for e in seen] == ["created"] + ["updated"] * 4
    assert [e["after"]["importance"] for e in seen] == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert len({e["id"] for e in seen}) == 5
    # A cursor past the end of a readable history is an empty page, not 404.
    last = await (await client.get(url, params={"limit": "5"}, headers=alice)).json()
    assert last["next_cursor"] is None
    await problem(await client.get(f"/v1/memories/{uuid4()}/history", headers=alice), 404, "not_found")


async def test_api_keys_store_and_read_organization_wide_memories_only(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    alice = bearer(tok)
    key = {"X-API-Key": (await create_key(client, tok))["secret"]}
    agent_id = await new_agent(client, tok)
    conversation_id = await new_conversation(client, tok)
    await store(client, alice, key="alices", private=True)
    stored = await store(client, key, key="svc", agent_id=agent_id, content={"from": "service"})
    assert stored["user_id"] is None and stored["agent_id"] == agent_id
    replaced = await store(client, key, status=200, key="svc", agent_id=agent_id, content={"from": "service", "v": 2})
    assert replaced["id"] == stored["id"]
    assert await keys_of(client, key) == ["svc"]
    assert await keys_of(client, alice, private="false") == ["svc"]
    events = await history(client, key, stored["id"])
    assert [e["actor_user_id"] for e in events] == [None, None]
    resp = await client.patch(f"/v1/memories/{stored['id']}", json={"kind": "context"}, headers=key)
    assert resp.status == 200 and (await resp.json())["kind"] == "context"
    body = await problem(await client.post("/v1/memories", json={"kind": "fact", "private": True}, headers=key), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["body", "private"]
    body = await problem(await client.get("/v1/memories", params={"private": "true"}, headers=key), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["query", "private"]
    resp = await client.post("/v1/memories", json={"kind": "fact", "conversation_id": conversation_id}, headers=key)
    assert (await problem(resp, 409, "conflict"))["errors"][0]["loc"] == ["body", "conversation_id"]
    alices = await db.fetchval("SELECT id FROM memories WHERE key = 'alices'")
    await problem(await client.get(f"/v1/memories/{alices}", headers=key), 404, "not_found")
    assert (await client.delete(f"/v1/memories/{stored['id']}", headers=key)).status == 204
    assert await db.fetchval("SELECT count(*) FROM memories") == 1


async def test_bad_input_is_4xx_naming_the_problem(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token())
    memory = await store(client, alice, key="k")
    url = f"/v1/memories/{memory['id']}"
    bad_bodies: list[tuple[dict[str, Any], list[str | int]]] = [
        ({"kind": "fact", "colour": "red"}, ["body", "colour"]),
        ({}, ["body", "kind"]),
        ({"kind": "opinion"}, ["body", "kind"]),
        ({"kind": "fact", "importance": 1.5}, ["body", "importance"]),
        ({"kind": "fact", "importance": -0.1}, ["body", "importance"]),
        ({"kind": "fact", "importance": "high"}, ["body", "importance"]),
        ({"kind": "fact", "decay_rate": -1}, ["body", "decay_rate"]),
        ({"kind": "fact", "key": " "}, ["body", "key"]),
        ({"kind": "fact", "key": 7}, ["body", "key"]),
        ({"kind": "fact", "key": "a\x00b"}, ["body", "key"]),
        ({"kind": "fact", "content": {"a": "b\x00"}}, ["body", "content", "a"]),
        ({"kind": "fact", "content": ["not", "an", "object"]}, ["body", "content"]),
        ({"kind": "fact", "tags": ["a,b"]}, ["body", "tags", 0]),
        ({"kind": "fact", "tags": " a"}, ["body", "tags"]),
        ({"kind": "fact", "private": "yes"}, ["body", "private"]),
        ({"kind": "fact", "agent_id": "not-a-uuid"}, ["body", "agent_id"]),
    ]
    for payload, loc in bad_bodies:
        body = await problem(await client.post("/v1/memories", json=payload, headers=alice), 422, "validation_failed")
        assert loc in [e["loc"] for e in body["errors"]], (payload, body)
    for payload, loc in [
        ({"key": "renamed"}, ["body", "key"]),
        ({"conversation_id": str(uuid4())}, ["body", "conversation_id"]),
        ({"importance": 2}, ["body", "importance"]),
    ]:
        body = await problem(await client.patch(url, json=payload, headers=alice), 422, "validation_failed")
        assert loc in [e["loc"] for e in body["errors"]], (payload, body)
    for params, name in [
        ({"min_importance": "1.5"}, "min_importance"),
        ({"min_importance": "nan"}, "min_importance"),
        ({"tags_any": "a,,b"}, "tags_any"),
        ({"tags_all": "a, b"}, "tags_all"),
        ({"kind": "opinion"}, "kind"),
        ({"agent_id": "x"}, "agent_id"),
        ({"limit": "0"}, "limit"),
        ({"colour": "red"}, "colour"),
    ]:
        resp = await client.get("/v1/memories", params=params, headers=alice)
        body = await problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["query", name], body
    await problem(await client.get(url, params={"touch": "maybe"}, headers=alice), 422, "validation_failed")
    await problem(await client.get("/v1/memories", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=alice), 400, "invalid_cursor")
    await problem(await client.get(f"{url}/history", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=alice), 400, "invalid_cursor")
    for target in ("/v1/memories/not-a-uuid", "/v1/memories/not-a-uuid/history"):
        await problem(await client.get(target, headers=alice), 404, "not_found")
    resp = await client.post("/v1/memories", data=b'{"kind": "fact"', headers=alice | {"Content-Type": "application/json"})
    await problem(resp, 400, "invalid_json")
    await problem(await client.post("/v1/memories", data=b"kind=fact", headers=alice), 415, "unsupported_media_type")
    assert await db.fetchval("SELECT count(*) FROM memories") == 1
    assert await (await client.get(url, headers=alice)).json() == memory


async def test_another_organizations_memories_are_404_on_every_route_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    theirs = bearer(token("user_carol", "org_b", "admin"))
    shared = await store(client, theirs, key="plan", content={"secret": True})
    private = await store(client, theirs, key="plan", private=True)
    ours = bearer(token("user_alice", "org_a", "admin"))
    for memory in (shared, private):
        url = f"/v1/memories/{memory['id']}"
        calls: list[tuple[str, str, Any]] = [
            ("GET", url, None),
            ("GET", f"{url}?touch=true", None),
            ("PATCH", url, {"content": {"stolen": True}}),
            ("DELETE", url, None),
            ("GET", f"{url}/history", None),
        ]
        assert routes_called(calls) == routes_under("/v1/memories/{id}")
        for method, target, body in calls:
            await problem(await client.request(method, target, json=body, headers=ours), 404, "not_found")
    assert await keys_of(client, ours) == []
    # The same key in our organization is our own memory.
    ours_plan = await store(client, ours, key="plan")
    assert ours_plan["id"] not in (shared["id"], private["id"])
    for memory in (shared, private):
        got = await (await client.get(f"/v1/memories/{memory['id']}", headers=theirs)).json()
        assert got == memory
        assert [e["event"] for e in await history(client, theirs, memory["id"])] == ["created"]
    assert await db.fetchval("SELECT count(*) FROM memories WHERE content = '{\"secret\": true}'") == 1
    assert await db.fetchval("SELECT sum(access_count) FROM memories") == 0


async def test_the_upsert_tells_a_replacement_from_a_creation_inside_one_transaction_too(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    # As in a batch: the memory is created and then replaced by key within one transaction (and its savepoints).
    await store(client, bearer(token()), key="warm-up")
    org = await db.fetchval("SELECT organization_id FROM memories")
    fields: dict[str, Any] = dict(
        organization_id=org, user_id=None, agent_id=None, conversation_id=None, kind=MemoryKind.FACT,
        memory_type=None, key="same", content=None, tags=None, importance=None, decay_rate=None,
    )
    async with db.transaction():
        first = await memories.upsert_memory_by_key(db, **fields)
        async with db.transaction():
            second = await memories.upsert_memory_by_key(db, **fields | {"content": {"v": 2}})
        third = await memories.upsert_memory_by_key(db, **fields | {"content": {"v": 3}})
    assert first is not None and second is not None and third is not None
    assert (first.inserted, second.inserted, third.inserted) == (True, False, False)
    assert first.id == second.id == third.id


async def test_memory_search_ranks_with_its_score_parts_and_counts_uses(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice = bearer(token())
    high = await store(client, alice, key="high", content={"text": "稟議の承認フロー"}, importance=0.9, tags=["ringi"])
    low = await store(client, alice, key="low", content={"text": "稟議の承認フロー"}, importance=0.1, tags=["ringi"])
    await store(client, alice, key="unrelated", content={"text": "lunch menu"}, importance=1.0)
    resp = await client.post("/v1/memories/search", json={"query": "承認フロー"}, headers=alice)
    assert resp.status == 200, await resp.text()
    items = (await resp.json())["items"]
    assert [i["memory"]["id"] for i in items] == [high["id"], low["id"]]
    parts = items[0]["score"]
    assert parts["importance"] == 0.9 and parts["recency"] == 1 and parts["similarity"] is None
    assert parts["relevance"] == parts["text_match"] > 0
    assert abs(parts["score"] - parts["relevance"] * parts["importance"] * parts["recency"]) < 1e-9
    body = {"query": "承認フロー", "importance_weight": 0, "tags_all": ["ringi"], "touch": True, "limit": 1}
    resp = await client.post("/v1/memories/search", json=body, headers=alice)
    [used] = (await resp.json())["items"]
    assert used["memory"]["access_count"] == 1 and used["memory"]["last_accessed_at"] is not None
    assert await db.fetchval("SELECT sum(access_count) FROM memories") == 1
    resp = await client.post("/v1/memories/search", json={"kind": "decision"}, headers=alice)
    assert (await resp.json())["items"] == []
    resp = await client.post("/v1/memories/search", json={"embedding": [0.1, 0.2]}, headers=alice)
    assert (await problem(resp, 422, "validation_failed"))["errors"][0]["loc"] == ["body", "embedding_model"]
    for bad in ({"query": " "}, {"importance_weight": -1}, {"limit": 0}, {"embedding": []}, {"tags_any": []}):
        await problem(await client.post("/v1/memories/search", json=bad, headers=alice), 422, "validation_failed")
    await sync_member(db, "user_carol", "org_b", "admin")
    carol = bearer(token("user_carol", "org_b", "admin"))
    resp = await client.post("/v1/memories/search", json={"query": "承認フロー"}, headers=carol)
    assert (await resp.json())["items"] == [], "another organization's memories"
    key = {"X-API-Key": (await create_key(client, token()))["secret"]}
    resp = await client.post("/v1/memories/search", json={"private": True}, headers=key)
    await problem(resp, 422, "validation_failed")
    resp = await client.get("/v1/memories/search", headers=alice)
    await problem(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == "POST", "search is not a memory id"
