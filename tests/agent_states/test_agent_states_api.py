"""/v1/agents/{id}/state: keyed states, If-Match versions (never a lost update), checkpoints and restores, tenants apart."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from aiohttp import ClientResponse
from support import Client, TokenFactory, bearer, new_agent, new_conversation, problem, sync_member


def key(**params: str) -> dict[str, str]:
    return {"scope": "local"} | params


async def get(client: Client, tok: str, agent_id: str, **params: str) -> ClientResponse:
    return await client.get(f"/v1/agents/{agent_id}/state", params=key(**params), headers=bearer(tok))


async def put(
    client: Client, tok: str, agent_id: str, state: Any, if_match: str | None = None, **params: str
) -> ClientResponse:
    headers = bearer(tok) | ({"If-Match": if_match} if if_match is not None else {})
    return await client.put(f"/v1/agents/{agent_id}/state", params=key(**params), json={"state": state}, headers=headers)


async def ok(resp: ClientResponse, status: int = 200) -> dict[str, Any]:
    assert resp.status == status, await resp.text()
    body: dict[str, Any] = await resp.json()
    if "version" in body and "agent_id" in body:  # a state: its ETag is its version
        assert resp.headers["ETag"] == f'"{body["version"]}"'
    return body


async def checkpoint(client: Client, tok: str, agent_id: str, label: str | None = None, **params: str) -> dict[str, Any]:
    body = {} if label is None else {"label": label}
    url = f"/v1/agents/{agent_id}/state/checkpoints"
    return await ok(await client.post(url, params=key(**params), json=body, headers=bearer(tok)), 201)


async def restore(client: Client, tok: str, agent_id: str, checkpoint_id: str, if_match: str | None = None) -> ClientResponse:
    headers = bearer(tok) | ({"If-Match": if_match} if if_match is not None else {})
    return await client.post(f"/v1/agents/{agent_id}/state/checkpoints/{checkpoint_id}/restore", headers=headers)


async def test_put_without_if_match_creates_the_state_and_get_answers_it_with_its_etag(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    await problem(await get(client, tok, agent_id), 404, "not_found")
    created = await ok(await put(client, tok, agent_id, {"step": 1, "plan": ["search"]}), 201)
    assert created["version"] == 1 and created["state"] == {"step": 1, "plan": ["search"]}
    assert created["agent_id"] == agent_id and created["scope"] == "local" and created["conversation_id"] is None
    me = await (await client.get("/v1/me", headers=bearer(tok))).json()
    assert created["user_id"] == me["user"]["id"]
    expected_hash = await db.fetchval("SELECT app.jsonb_sha256($1::jsonb)", {"plan": ["search"], "step": 1})
    assert created["state_hash"] == expected_hash
    assert await ok(await get(client, tok, agent_id)) == created


async def test_put_without_if_match_on_an_existing_state_is_428_naming_its_version_and_changes_nothing(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    await ok(await put(client, tok, agent_id, {"n": 1}), 201)
    await ok(await put(client, tok, agent_id, {"n": 2}, '"1"'))
    resp = await put(client, tok, agent_id, {"n": "overwritten"})
    body = await problem(resp, 428, "precondition_required")
    assert resp.headers["ETag"] == '"2"' and "version 2" in body["detail"]
    assert body["errors"][0]["loc"] == ["header", "If-Match"]
    assert await db.fetchval("SELECT state FROM agent_states") == {"n": 2}
    assert await db.fetchval("SELECT version FROM agent_states") == 2


async def test_put_with_the_current_version_replaces_the_state_and_a_stale_one_is_412_naming_the_current(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    await ok(await put(client, tok, agent_id, {"n": 1}), 201)
    second = await ok(await put(client, tok, agent_id, {"n": 2}, '"1"'))
    assert second["version"] == 2 and second["state"] == {"n": 2}
    third = await ok(await put(client, tok, agent_id, {"n": 3}, "2"))  # a bare version works too
    assert third["version"] == 3 and third["updated_at"] >= second["updated_at"]
    resp = await put(client, tok, agent_id, {"n": "lost"}, '"2"')
    body = await problem(resp, 412, "precondition_failed")
    assert resp.headers["ETag"] == '"3"' and "version 3" in body["detail"]
    assert body["errors"] == [{"loc": ["header", "If-Match"], "message": "the current version is 3"}]
    assert await ok(await get(client, tok, agent_id)) == third
    assert await db.fetchval("SELECT count(*) FROM agent_states") == 1


async def test_if_match_on_a_state_that_does_not_exist_is_412_and_creates_nothing(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    await problem(await put(client, tok, agent_id, {"n": 1}, '"1"'), 412, "precondition_failed")
    assert await db.fetchval("SELECT count(*) FROM agent_states") == 0


async def test_of_two_puts_from_one_version_exactly_one_wins_and_the_state_holds_its_data(
    client: Client, token: TokenFactory
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    await ok(await put(client, tok, agent_id, {"writer": None}), 201)
    for version in range(1, 6):
        first, second = await asyncio.gather(
            put(client, tok, agent_id, {"writer": "first"}, f'"{version}"'),
            put(client, tok, agent_id, {"writer": "second"}, f'"{version}"'),
        )
        assert sorted([first.status, second.status]) == [200, 412], [await first.text(), await second.text()]
        winner, loser = (first, second) if first.status == 200 else (second, first)
        won = await winner.json()
        await problem(loser, 412, "precondition_failed")
        assert loser.headers["ETag"] == f'"{version + 1}"'
        current = await ok(await get(client, tok, agent_id))
        assert current["version"] == version + 1 and current["state"] == won["state"]


async def test_of_two_creating_puts_exactly_one_creates_and_the_other_is_428(client: Client, token: TokenFactory) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    first, second = await asyncio.gather(
        put(client, tok, agent_id, {"writer": "first"}), put(client, tok, agent_id, {"writer": "second"})
    )
    assert sorted([first.status, second.status]) == [201, 428]
    winner = first if first.status == 201 else second
    current = await ok(await get(client, tok, agent_id))
    assert current["version"] == 1 and current["state"] == (await winner.json())["state"]


async def test_scope_owner_and_conversation_select_distinct_states_readable_by_whom_the_schema_says(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    await sync_member(db, "user_bob", "org_a", "member")
    alice = token("user_alice", "org_a", "admin")
    bob = token("user_bob", "org_a", "member")
    agent_id = await new_agent(client, alice)
    conversation_id = await new_conversation(client, alice)
    mine = await ok(await put(client, alice, agent_id, {"who": "alice"}), 201)
    shared = await ok(await put(client, alice, agent_id, {"who": "everyone"}, owner="organization"), 201)
    persistent = await ok(await put(client, alice, agent_id, {"who": "later"}, scope="persistent"), 201)
    session = await ok(
        await put(client, alice, agent_id, {"who": "session"}, scope="session", conversation_id=conversation_id), 201
    )
    assert shared["user_id"] is None and session["conversation_id"] == conversation_id
    assert len({mine["id"], shared["id"], persistent["id"], session["id"]}) == 4
    # Bob, another member: the organization's state yes, Alice's private one no (his own is another state).
    assert (await ok(await get(client, bob, agent_id, owner="organization")))["id"] == shared["id"]
    await problem(await get(client, bob, agent_id), 404, "not_found")
    bobs = await ok(await put(client, bob, agent_id, {"who": "bob"}), 201)
    assert bobs["id"] != mine["id"]
    updated = await ok(await put(client, bob, agent_id, {"who": "bob too"}, '"1"', owner="organization"))
    assert (await ok(await get(client, alice, agent_id, owner="organization"))) == updated
    assert (await ok(await get(client, alice, agent_id)))["state"] == {"who": "alice"}
    # A conversation's state follows the conversation: Bob reads it once it is shared with him.
    in_conversation = {"scope": "session", "conversation_id": conversation_id, "owner": "organization"}
    await ok(await put(client, alice, agent_id, {"who": "team"}, **in_conversation), 201)
    await problem(await get(client, bob, agent_id, **in_conversation), 404, "not_found")
    bob_id = (await (await client.get("/v1/me", headers=bearer(bob))).json())["user"]["id"]
    shares = f"/v1/conversations/{conversation_id}/shares"
    assert (await client.post(shares, json={"user_id": bob_id}, headers=bearer(alice))).status == 201
    assert (await ok(await get(client, bob, agent_id, **in_conversation)))["state"] == {"who": "team"}
    await problem(
        await get(client, bob, agent_id, scope="session", conversation_id=conversation_id), 404, "not_found"
    )  # Alice's private session state stays hers
    body = await problem(await get(client, alice, agent_id, scope="session"), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["query", "conversation_id"]
    await problem(await put(client, alice, agent_id, {}, scope="session"), 422, "validation_failed")


async def test_api_keys_reach_the_organizations_states_only(client: Client, token: TokenFactory) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    secret = (await (await client.post("/v1/api-keys", json={"name": "svc"}, headers=bearer(tok))).json())["secret"]
    service = {"X-API-Key": secret}
    url = f"/v1/agents/{agent_id}/state"
    org = key(owner="organization")
    resp = await client.put(url, params=org, json={"state": {"by": "service"}}, headers=service)
    created = await ok(resp, 201)
    assert created["user_id"] is None
    assert await ok(await get(client, tok, agent_id, owner="organization")) == created
    await problem(await client.get(url, params=key(), headers=service), 403, "user_required")
    await problem(await client.put(url, params=key(), json={"state": {}}, headers=service), 403, "user_required")
    made = await ok(await client.post(f"{url}/checkpoints", params=org, json={}, headers=service), 201)
    assert made["created_by"] is None and made["kind"] == "manual"


async def test_checkpoints_are_listed_newest_first_and_a_restore_brings_back_the_exact_state(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    url = f"/v1/agents/{agent_id}/state/checkpoints"
    await problem(await client.get(url, params=key(), headers=bearer(tok)), 404, "not_found")
    await problem(await client.post(url, params=key(), json={}, headers=bearer(tok)), 404, "not_found")
    await ok(await put(client, tok, agent_id, {"n": 1, "notes": "first"}), 201)
    first = await checkpoint(client, tok, agent_id, "before import")
    me = await (await client.get("/v1/me", headers=bearer(tok))).json()
    assert first["kind"] == "manual" and first["label"] == "before import" and first["version"] == 1
    assert first["state"] == {"n": 1, "notes": "first"} and first["created_by"] == me["user"]["id"]
    second_state = await ok(await put(client, tok, agent_id, {"n": 2}, '"1"'))
    second = await checkpoint(client, tok, agent_id)
    assert second["label"] is None and second["version"] == 2 and second["state_hash"] == second_state["state_hash"]
    listed = await ok(await client.get(url, params=key(), headers=bearer(tok)))
    assert [c["id"] for c in listed["items"]] == [second["id"], first["id"]] and listed["next_cursor"] is None

    restored = await ok(await restore(client, tok, agent_id, first["id"], '"2"'))
    assert restored["state"] == {"n": 1, "notes": "first"} and restored["version"] == 3
    assert restored["state_hash"] == first["state_hash"] and restored["id"] == second_state["id"]
    assert await ok(await get(client, tok, agent_id)) == restored
    # The state before the restore was kept as a pre_restore checkpoint: restoring it undoes the restore.
    pre = await ok(await client.get(url, params=key(kind="pre_restore"), headers=bearer(tok)))
    (undo,) = pre["items"]
    assert undo["state"] == {"n": 2} and undo["version"] == 2 and undo["created_by"] == me["user"]["id"]
    resp = await restore(client, tok, agent_id, undo["id"], '"2"')
    body = await problem(resp, 412, "precondition_failed")
    assert resp.headers["ETag"] == '"3"' and "version 3" in body["detail"]
    assert (await ok(await get(client, tok, agent_id)))["version"] == 3
    undone = await ok(await restore(client, tok, agent_id, undo["id"]))  # without If-Match: whatever the version
    assert undone["state"] == {"n": 2} and undone["version"] == 4

    # Every checkpoint once, newest first, page by page.
    seen: list[str] = []
    cursor = None
    while True:
        params = key(limit="1") | ({"cursor": cursor} if cursor else {})
        page = await ok(await client.get(url, params=params, headers=bearer(tok)))
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    all_ids = await db.fetch("SELECT id::text FROM state_checkpoints ORDER BY created_at DESC, id DESC")
    assert seen == [r["id"] for r in all_ids] and len(seen) == 4


async def test_an_unrestorable_checkpoint_or_one_of_another_agent_is_refused_and_changes_nothing(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    other_agent = await new_agent(client, tok, name="Other")
    await ok(await put(client, tok, agent_id, {"n": 1}), 201)
    kept = await checkpoint(client, tok, agent_id)
    await ok(await put(client, tok, agent_id, {"n": 2}, '"1"'))
    await db.execute("UPDATE state_checkpoints SET restorable = false WHERE id = $1", kept["id"])
    await problem(await restore(client, tok, agent_id, kept["id"]), 409, "conflict")
    await problem(await restore(client, tok, other_agent, kept["id"]), 404, "not_found")
    await problem(await restore(client, tok, agent_id, "00000000-0000-4000-8000-000000000000"), 404, "not_found")
    current = await ok(await get(client, tok, agent_id))
    assert current["version"] == 2 and current["state"] == {"n": 2}
    assert await db.fetchval("SELECT count(*) FROM state_checkpoints") == 1


async def test_bad_input_is_4xx_naming_the_problem_and_changes_nothing(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    agent_id = await new_agent(client, tok)
    await ok(await put(client, tok, agent_id, {"n": 1}), 201)
    saved = await checkpoint(client, tok, agent_id)
    url = f"/v1/agents/{agent_id}/state"

    async def invalid(resp: ClientResponse, loc: list[Any], status: int = 422, code: str = "validation_failed") -> None:
        body = await problem(resp, status, code)
        assert loc in [e["loc"] for e in body["errors"]], body

    for bad in ("abc", "W/\"1\"", '"1', "0", "1, 2", "*"):
        await invalid(await put(client, tok, agent_id, {"n": 2}, bad), ["header", "If-Match"])
        await invalid(await restore(client, tok, agent_id, saved["id"], bad), ["header", "If-Match"])
    headers = bearer(tok) | {"If-Match": '"1"'}
    await invalid(await client.put(url, params=key(), json={"state": {}, "extra": 1}, headers=headers), ["body", "extra"])
    await invalid(await client.put(url, params=key(), json={"state": [1]}, headers=headers), ["body", "state"])
    await invalid(await client.put(url, params=key(), json={"state": "x"}, headers=headers), ["body", "state"])
    await invalid(await client.put(url, params=key(), json={}, headers=headers), ["body", "state"])
    await problem(await client.put(url, params=key(), data=b"{", headers=headers | {"Content-Type": "application/json"}), 400, "invalid_json")
    await invalid(await client.get(url, params={"scope": "global"}, headers=bearer(tok)), ["query", "scope"])
    await invalid(await client.get(url, params=key(owner="team"), headers=bearer(tok)), ["query", "owner"])
    await invalid(await client.get(url, params=key(conversation_id="x"), headers=bearer(tok)), ["query", "conversation_id"])
    await invalid(await client.get(url, params=key(version="1"), headers=bearer(tok)), ["query", "version"])
    checkpoints = f"{url}/checkpoints"
    await invalid(
        await client.get(checkpoints, params=key(cursor="bm90LWEtY3Vyc29y"), headers=bearer(tok)),
        ["query", "cursor"], 400, "invalid_cursor",
    )
    await invalid(await client.get(checkpoints, params=key(limit="0"), headers=bearer(tok)), ["query", "limit"])
    await invalid(await client.get(checkpoints, params=key(kind="weekly"), headers=bearer(tok)), ["query", "kind"])
    await invalid(await client.post(checkpoints, params=key(), json={"label": " "}, headers=bearer(tok)), ["body", "label"])
    await invalid(await client.post(checkpoints, params=key(), json={"label": 5}, headers=bearer(tok)), ["body", "label"])
    await invalid(await client.post(checkpoints, params=key(), json={"kind": "auto"}, headers=bearer(tok)), ["body", "kind"])
    await problem(await client.get("/v1/agents/not-a-uuid/state", params=key(), headers=bearer(tok)), 404, "not_found")
    await problem(await restore(client, tok, agent_id, "not-a-uuid"), 404, "not_found")
    await problem(await get(client, tok, "00000000-0000-4000-8000-000000000000"), 404, "not_found")
    assert await db.fetchval("SELECT version FROM agent_states") == 1
    assert await db.fetchval("SELECT count(*) FROM state_checkpoints") == 1


async def test_another_organizations_agent_state_and_checkpoints_are_404_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    theirs = token("user_carol", "org_b", "admin")
    private_agent = await new_agent(client, theirs, name="Private", visibility="private")
    public_agent = await new_agent(client, theirs, name="Public", visibility="public")
    for agent_id in (private_agent, public_agent):
        for owner in ("user", "organization"):
            await ok(await put(client, theirs, agent_id, {"secret": owner}, owner=owner), 201)
    secret = await checkpoint(client, theirs, private_agent, "theirs", owner="organization")
    public_secret = await checkpoint(client, theirs, public_agent, "theirs too", owner="organization")
    before = await db.fetch("SELECT id, state, version FROM agent_states ORDER BY id")

    ours = token("user_alice", "org_a", "admin")
    for owner in ("user", "organization"):
        org = key(owner=owner)
        url = f"/v1/agents/{private_agent}/state"
        calls: list[tuple[str, str, dict[str, str], Any, dict[str, str]]] = [
            ("GET", url, org, None, {}),
            ("PUT", url, org, {"state": {"stolen": True}}, {}),
            ("PUT", url, org, {"state": {"stolen": True}}, {"If-Match": '"1"'}),
            ("GET", f"{url}/checkpoints", org, None, {}),
            ("POST", f"{url}/checkpoints", org, {"label": "mine"}, {}),
        ]
        for method, target, params, body, extra in calls:
            resp = await client.request(method, target, params=params, json=body, headers=bearer(ours) | extra)
            await problem(resp, 404, "not_found")
        # A public agent is usable, but its states in org_b are not ours: ours are other states.
        await problem(await get(client, ours, public_agent, owner=owner), 404, "not_found")
        await problem(await put(client, ours, public_agent, {"stolen": True}, '"1"', owner=owner), 412, "precondition_failed")
    for agent_id, checkpoint_id in ((private_agent, secret["id"]), (public_agent, public_secret["id"])):
        await problem(await restore(client, ours, agent_id, checkpoint_id), 404, "not_found")
        await problem(await restore(client, ours, agent_id, checkpoint_id, '"1"'), 404, "not_found")
    own = await ok(await put(client, ours, public_agent, {"mine": True}, owner="organization"), 201)
    assert own["id"] not in {str(r["id"]) for r in before}

    assert await db.fetch("SELECT id, state, version FROM agent_states WHERE id <> $1 ORDER BY id", own["id"]) == before
    assert await db.fetchval("SELECT count(*) FROM state_checkpoints") == 2
    # Their own view is unchanged too.
    got = await ok(await get(client, theirs, private_agent, owner="organization"))
    assert got["state"] == {"secret": "organization"} and got["version"] == 1


async def test_without_a_scope_the_state_is_the_users_persistent_one(client: Client, token: TokenFactory) -> None:
    tok, other = token("user_alice"), token("user_bob", role="member")
    agent_id = await new_agent(client, tok)
    url = f"/v1/agents/{agent_id}/state"
    await problem(await client.get(url, headers=bearer(tok)), 404, "not_found")
    created = await client.put(url, json={"state": {"step": 1}}, headers=bearer(tok))
    assert created.status == 201, await created.text()
    assert (await created.json())["scope"] == "persistent"
    explicit = await client.get(url, params={"scope": "persistent"}, headers=bearer(tok))
    assert (await explicit.json())["state"] == {"step": 1}
    replaced = await client.put(url, json={"state": {"step": 2}}, headers=bearer(tok) | {"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.headers["ETag"] == '"2"'
    assert (await (await client.get(url, headers=bearer(tok))).json())["state"] == {"step": 2}
    # One per user and agent: another member has none of their own yet.
    await problem(await client.get(url, headers=bearer(other)), 404, "not_found")
