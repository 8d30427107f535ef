"""GET /v1/search through HTTP: Japanese and English hits with snippets, rank-ordered cursor pages, filters,
bad input, and what other organizations, other members and API keys find."""

from __future__ import annotations

from typing import Any

import asyncpg
from support import Client, TokenFactory, bearer, create_key, me, new_conversation, problem, sync_member


async def say(client: Client, headers: dict[str, str], conversation: str, content: str) -> str:
    resp = await client.post(f"/v1/conversations/{conversation}/messages", json={"role": "user", "content": content}, headers=headers)
    assert resp.status == 201, await resp.text()
    return str((await resp.json())["id"])


async def searched(client: Client, headers: dict[str, str], **params: str) -> dict[str, Any]:
    resp = await client.get("/v1/search", params=params, headers=headers)
    assert resp.status == 200, await resp.text()
    page: dict[str, Any] = await resp.json()
    return page


async def every_hit(client: Client, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    """Every hit, page after page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await searched(client, headers, **params | ({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_japanese_and_english_are_found_with_snippets_and_where_they_live(client: Client, token: TokenFactory) -> None:
    alice = bearer(token())
    conversation = await new_conversation(client, token())
    ringi = await say(client, alice, conversation, "来週の<稟議書>の承認フローについて確認してください。")
    reports = await say(client, alice, conversation, "The quarterly reports were reviewed.")
    resp = await client.post(
        f"/v1/conversations/{conversation}/chunks", json={"content": "議事録: パスワードポリシーの更新"}, headers=alice
    )
    assert resp.status == 201, await resp.text()
    chunk = (await resp.json())["id"]
    resp = await client.post("/v1/memories", json={"kind": "fact", "key": "policy", "content": {"rule": "稟議は部長承認"}}, headers=alice)
    memory = (await resp.json())["id"]

    [hit] = (await searched(client, alice, q="承認フロー"))["items"]
    assert (hit["kind"], hit["id"], hit["message_id"], hit["conversation_id"]) == ("message", ringi, ringi, conversation)
    assert hit["chunk_id"] is None and hit["memory_id"] is None and hit["rank"] > 0
    assert hit["snippet"] == "来週の<稟議書>の承認フローについて確認してください。"
    assert [hit["snippet"][h["start"]:h["end"]] for h in hit["highlights"]] == ["承認フロー"]
    assert hit["snippet_html"] == "来週の&lt;稟議書&gt;の<mark>承認フロー</mark>について確認してください。"
    assert {h["id"] for h in (await searched(client, alice, q="稟"))["items"]} == {ringi, memory}
    assert {h["id"] for h in (await searched(client, alice, q="稟議"))["items"]} == {ringi, memory}
    [found] = (await searched(client, alice, q="パスワード"))["items"]
    assert (found["kind"], found["chunk_id"]) == ("chunk", chunk)
    [english] = (await searched(client, alice, q="report"))["items"]
    assert english["id"] == reports and "reports" in [english["snippet"][h["start"]:h["end"]] for h in english["highlights"]]
    assert (await searched(client, alice, q="稟議", types="memory"))["items"][0]["memory_id"] == memory
    assert (await searched(client, alice, q="!!!"))["items"] == [], "nothing searchable: nothing found"


async def test_hits_page_by_rank_with_an_opaque_cursor(client: Client, token: TokenFactory) -> None:
    alice = bearer(token())
    conversation = await new_conversation(client, token())
    made = {await say(client, alice, conversation, "稟議 " + "の説明" * n) for n in range(7)}
    first = await searched(client, alice, q="稟議", limit="100")
    ranks = [h["rank"] for h in first["items"]]
    assert ranks == sorted(ranks, reverse=True) and first["next_cursor"] is None
    paged = await every_hit(client, alice, q="稟議", limit="2")
    assert [h["id"] for h in paged] == [h["id"] for h in first["items"]] and set(h["id"] for h in paged) == made
    for garbage in ("x", "0" * 16 + "_memo_" + "0" * 32, "3ff0000000000000_message_" + "g" * 32):
        await problem(await client.get("/v1/search", params={"q": "稟議", "cursor": garbage}, headers=alice), 400, "invalid_cursor")
    past = "0000000000000000_chunk_" + "0" * 32  # rank 0: past every hit
    assert (await searched(client, alice, q="稟議", cursor=past))["items"] == []


async def test_bad_search_input_is_named(client: Client, token: TokenFactory) -> None:
    alice = bearer(token())
    for params, field in (
        ({}, "q"), ({"q": " "}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "types": "files"}, "types"),
        ({"q": "a", "limit": "0"}, "limit"), ({"q": "a", "conversation_id": "nope"}, "conversation_id"),
        ({"q": "a", "other": "1"}, "other"),
    ):
        body = await problem(await client.get("/v1/search", params=params, headers=alice), 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["query", field], body


async def test_search_finds_only_what_the_caller_may_read(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    alice_token = token()
    alice = bearer(alice_token)
    await sync_member(db, "user_bob", "org_a", "member")
    await sync_member(db, "user_carol", "org_b", "admin")
    bob = bearer(token("user_bob", "org_a", "member"))
    carol = bearer(token("user_carol", "org_b", "admin"))
    conversation = await new_conversation(client, alice_token)
    secret = await say(client, alice, conversation, "稟議書の承認フロー")
    resp = await client.post("/v1/memories", json={"kind": "fact", "content": {"t": "稟議 private"}, "private": True}, headers=alice)
    assert resp.status == 201
    resp = await client.post("/v1/memories", json={"kind": "fact", "content": {"t": "稟議 for everyone"}}, headers=alice)
    shared_memory = (await resp.json())["id"]
    key = {"X-API-Key": (await create_key(client, alice_token))["secret"]}

    assert len((await searched(client, alice, q="稟議"))["items"]) == 3
    assert (await searched(client, carol, q="稟議"))["items"] == [], "another organization"
    assert [h["id"] for h in (await searched(client, bob, q="稟議"))["items"]] == [shared_memory], "not shared with bob"
    assert [h["id"] for h in (await searched(client, key, q="稟議"))["items"]] == [shared_memory], "an API key"
    bob_id = await me(client, token("user_bob", "org_a", "member"))
    resp = await client.post(f"/v1/conversations/{conversation}/shares", json={"user_id": bob_id}, headers=alice)
    assert resp.status == 201, await resp.text()
    assert {h["id"] for h in (await searched(client, bob, q="稟議"))["items"]} == {secret, shared_memory}, "shared now"
    assert (await searched(client, carol, q="稟議", conversation_id=conversation))["items"] == []
