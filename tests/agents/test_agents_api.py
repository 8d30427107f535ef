"""/v1/agents: list (hidden left out, cursors), admin-only writes, knowledge sources, quick tasks, grants, tenants apart."""

from __future__ import annotations

from typing import Any

import asyncpg
from support import Client, TokenFactory, bearer, problem, routes_called, routes_under, sync_member

from server.pipeline.route import Auth
from server.routes import ROUTES

NEW_AGENT = {"name": "Helpdesk", "type": "it_support", "model_config": {"model": "gpt-4o"}}


async def create_agent(client: Client, tok: str, **fields: Any) -> dict[str, Any]:
    resp = await client.post("/v1/agents", json=NEW_AGENT | fields, headers=bearer(tok))
    assert resp.status == 201, await resp.text()
    created: dict[str, Any] = await resp.json()
    return created


async def org_id(client: Client, tok: str) -> str:
    me = await (await client.get("/v1/me", headers=bearer(tok))).json()
    return str(me["organization"]["id"])


async def test_an_admin_creates_gets_changes_and_deletes_an_agent(client: Client, token: TokenFactory) -> None:
    tok = token("user_alice", "org_a", "admin")
    created = await create_agent(
        client, tok, description="IT", capabilities=["troubleshooting"], embedding={"model": "e5", "dims": 384}
    )
    assert created["embedding"] == {"model": "e5", "dims": 384}
    assert created["name"] == "Helpdesk" and created["model_config"] == {"model": "gpt-4o"}
    assert created["visibility"] == "private" and created["organization_id"] == await org_id(client, tok)
    got = await (await client.get(f"/v1/agents/{created['id']}", headers=bearer(tok))).json()
    assert got == created
    resp = await client.patch(
        f"/v1/agents/{created['id']}", json={"name": "Helpdesk EU", "model_config": {"model": "o3"}}, headers=bearer(tok)
    )
    assert resp.status == 200, await resp.text()
    changed = await resp.json()
    assert changed["name"] == "Helpdesk EU" and changed["model_config"] == {"model": "o3"}
    assert changed["description"] == "IT"  # omitted: unchanged
    assert (await client.delete(f"/v1/agents/{created['id']}", headers=bearer(tok))).status == 204
    await problem(await client.get(f"/v1/agents/{created['id']}", headers=bearer(tok)), 404, "not_found")
    await problem(await client.delete(f"/v1/agents/{created['id']}", headers=bearer(tok)), 404, "not_found")


async def test_invalid_agents_are_422_naming_the_field(client: Client, token: TokenFactory) -> None:
    tok = token()
    body = await problem(await client.post("/v1/agents", json={"name": "  "}, headers=bearer(tok)), 422, "validation_failed")
    assert body["errors"][0]["loc"] == ["body", "name"]
    body = await problem(
        await client.post("/v1/agents", json=NEW_AGENT | {"model_config": []}, headers=bearer(tok)), 422, "validation_failed"
    )
    assert body["errors"][0]["loc"][:2] == ["body", "model_config"]
    await problem(
        await client.post("/v1/agents", json=NEW_AGENT | {"embedding": {"model": "e5"}}, headers=bearer(tok)),
        422, "validation_failed",
    )
    await problem(await client.post("/v1/agents", json=NEW_AGENT | {"owner": "x"}, headers=bearer(tok)), 422, "validation_failed")


async def test_members_read_agents_but_cannot_change_them(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    admin = token("user_alice", "org_a", "admin")
    agent = await create_agent(client, admin)
    await sync_member(db, "user_bob", "org_a", "member")
    member = token("user_bob", "org_a", "member")
    assert (await client.get(f"/v1/agents/{agent['id']}", headers=bearer(member))).status == 200
    listed = await (await client.get("/v1/agents", headers=bearer(member))).json()
    assert [a["id"] for a in listed["items"]] == [agent["id"]]
    url = f"/v1/agents/{agent['id']}"
    b_id = await org_id(client, token("user_carol", "org_b", "admin"))
    calls: list[tuple[str, str, Any]] = [
        ("POST", "/v1/agents", NEW_AGENT),
        ("PATCH", url, {"name": "x"}),
        ("DELETE", url, None),
        ("POST", f"{url}/knowledge-sources", {"source_type": "url", "source_path": "https://x", "source_name": "x"}),
        ("POST", f"{url}/quick-tasks", {"title": "t", "prompt": "p"}),
        ("GET", f"{url}/access", None),
        ("POST", f"{url}/access", {"organization_id": b_id}),
        ("DELETE", f"{url}/access/{b_id}", None),
    ]
    assert routes_called(calls) == {(r.method, r.path) for r in ROUTES if r.auth is Auth.ADMIN and r.path.startswith("/v1/agents")}
    for method, target, body in calls:
        await problem(await client.request(method, target, json=body, headers=bearer(member)), 403, "admin_required")
    assert await db.fetchval("SELECT name FROM agents") == "Helpdesk"
    assert await db.fetchval("SELECT count(*) FROM agents") == 1
    assert await db.fetchval("SELECT count(*) FROM organization_agents") == 0


async def test_agents_are_listed_newest_first_each_exactly_once(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token()
    ids = [(await create_agent(client, tok, name=f"a{i}"))["id"] for i in range(5)]
    await db.execute("UPDATE agents SET created_at = '2026-11-01T00:00:00Z' WHERE name IN ('a1', 'a2', 'a3')")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        resp = await client.get("/v1/agents", params=params, headers=bearer(tok))
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    assert seen[:1] == [ids[4]]


async def test_hidden_agents_are_not_listed_but_can_be_got_by_id(client: Client, token: TokenFactory) -> None:
    tok = token()
    hidden = await create_agent(client, tok, visibility="hidden")
    shown = await create_agent(client, tok, name="Shown")
    listed = await (await client.get("/v1/agents", headers=bearer(tok))).json()
    assert [a["id"] for a in listed["items"]] == [shown["id"]]
    assert (await client.get(f"/v1/agents/{hidden['id']}", headers=bearer(tok))).status == 200
    typed = await (await client.get("/v1/agents?type=sales", headers=bearer(tok))).json()
    assert typed["items"] == []


async def test_public_agents_of_another_organization_are_readable_not_changeable(
    client: Client, token: TokenFactory
) -> None:
    theirs = await create_agent(client, token("user_carol", "org_b", "admin"), visibility="public")
    ours = token("user_alice", "org_a", "admin")
    listed = await (await client.get("/v1/agents", headers=bearer(ours))).json()
    assert [a["id"] for a in listed["items"]] == [theirs["id"]]
    url = f"/v1/agents/{theirs['id']}"
    assert (await client.get(url, headers=bearer(ours))).status == 200
    await problem(await client.patch(url, json={"name": "mine"}, headers=bearer(ours)), 403, "forbidden")
    await problem(await client.delete(url, headers=bearer(ours)), 403, "forbidden")
    task = {"title": "t", "prompt": "p"}
    await problem(await client.post(f"{url}/quick-tasks", json=task, headers=bearer(ours)), 403, "forbidden")


async def test_knowledge_sources_are_added_listed_and_unique_per_path(client: Client, token: TokenFactory) -> None:
    tok = token()
    agent = await create_agent(client, tok)
    url = f"/v1/agents/{agent['id']}/knowledge-sources"
    source = {"source_type": "url", "source_path": "https://wiki.example.com", "source_name": "Wiki"}
    resp = await client.post(url, json=source, headers=bearer(tok))
    assert resp.status == 201, await resp.text()
    added = await resp.json()
    assert added["enabled"] is True and added["agent_id"] == agent["id"] and "organization_id" not in added
    await problem(await client.post(url, json=source, headers=bearer(tok)), 409, "conflict")
    listed = await (await client.get(url, headers=bearer(tok))).json()
    assert [s["id"] for s in listed["items"]] == [added["id"]]


async def test_quick_tasks_are_listed_in_order_and_disabled_ones_on_request(client: Client, token: TokenFactory) -> None:
    tok = token()
    agent = await create_agent(client, tok)
    url = f"/v1/agents/{agent['id']}/quick-tasks"
    second = await (await client.post(url, json={"title": "B", "prompt": "b", "order_index": 2}, headers=bearer(tok))).json()
    first = await (await client.post(url, json={"title": "A", "prompt": "a", "order_index": 1}, headers=bearer(tok))).json()
    off = await (await client.post(url, json={"title": "C", "prompt": "c", "enabled": False}, headers=bearer(tok))).json()
    listed = await (await client.get(url, headers=bearer(tok))).json()
    assert [t["id"] for t in listed["items"]] == [first["id"], second["id"]]
    everything = await (await client.get(f"{url}?include_disabled=true", headers=bearer(tok))).json()
    assert [t["id"] for t in everything["items"]] == [off["id"], first["id"], second["id"]]
    await problem(await client.post(url, json={"title": "", "prompt": "x"}, headers=bearer(tok)), 422, "validation_failed")


async def test_a_grant_shares_a_private_agent_with_another_organization_until_revoked(
    client: Client, token: TokenFactory
) -> None:
    ours = token("user_alice", "org_a", "admin")
    theirs = token("user_carol", "org_b", "admin")
    agent = await create_agent(client, ours)
    b_id = await org_id(client, theirs)
    url = f"/v1/agents/{agent['id']}"
    await problem(await client.get(url, headers=bearer(theirs)), 404, "not_found")
    resp = await client.post(f"{url}/access", json={"organization_id": b_id}, headers=bearer(ours))
    assert resp.status == 201, await resp.text()
    grant = await resp.json()
    assert grant["organization_id"] == b_id and grant["enabled"] is True
    assert (await client.get(url, headers=bearer(theirs))).status == 200
    listed = await (await client.get("/v1/agents", headers=bearer(theirs))).json()
    assert [a["id"] for a in listed["items"]] == [agent["id"]]
    grants = await (await client.get(f"{url}/access", headers=bearer(ours))).json()
    assert [g["id"] for g in grants["items"]] == [grant["id"]]
    # The grantee uses it but does not change it.
    await problem(await client.patch(url, json={"name": "x"}, headers=bearer(theirs)), 403, "forbidden")
    await problem(await client.post(f"{url}/access", json={"organization_id": b_id}, headers=bearer(theirs)), 403, "forbidden")
    # A hidden override keeps it usable by id but out of the grantee's list.
    body = {"organization_id": b_id, "visibility_override": "hidden"}
    assert (await client.post(f"{url}/access", json=body, headers=bearer(ours))).status == 201
    assert (await (await client.get("/v1/agents", headers=bearer(theirs))).json())["items"] == []
    assert (await client.get(url, headers=bearer(theirs))).status == 200
    assert (await client.delete(f"{url}/access/{b_id}", headers=bearer(ours))).status == 204
    await problem(await client.get(url, headers=bearer(theirs)), 404, "not_found")
    await problem(await client.delete(f"{url}/access/{b_id}", headers=bearer(ours)), 404, "not_found")


async def test_granting_to_an_unknown_organization_is_409(client: Client, token: TokenFactory) -> None:
    tok = token()
    agent = await create_agent(client, tok)
    body = {"organization_id": "00000000-0000-4000-8000-000000000000"}
    resp = await client.post(f"/v1/agents/{agent['id']}/access", json=body, headers=bearer(tok))
    err = await problem(resp, 409, "conflict")
    assert err["errors"][0]["loc"] == ["body", "organization_id"] and "organization_agents" not in err["detail"]


async def test_another_organizations_private_agent_is_404_on_every_route_and_unchanged(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    theirs = token("user_carol", "org_b", "admin")
    agent = await create_agent(client, theirs)
    url = f"/v1/agents/{agent['id']}"
    source = {"source_type": "url", "source_path": "https://b", "source_name": "b"}
    assert (await client.post(f"{url}/knowledge-sources", json=source, headers=bearer(theirs))).status == 201
    task = {"title": "b", "prompt": "b"}
    assert (await client.post(f"{url}/quick-tasks", json=task, headers=bearer(theirs))).status == 201
    b_id = await org_id(client, theirs)
    before = await (await client.get(url, headers=bearer(theirs))).json()

    ours = token("user_alice", "org_a", "admin")
    a_id = await org_id(client, ours)
    calls: list[tuple[str, str, Any]] = [
        ("GET", url, None),
        ("PATCH", url, {"name": "stolen"}),
        ("DELETE", url, None),
        ("GET", f"{url}/knowledge-sources", None),
        ("POST", f"{url}/knowledge-sources", source | {"source_path": "https://a"}),
        ("POST", f"{url}/knowledge/search", {"query": "stolen knowledge"}),
        ("GET", f"{url}/knowledge", None),
        ("GET", f"{url}/quick-tasks", None),
        ("POST", f"{url}/quick-tasks", task),
        ("GET", f"{url}/access", None),
        ("POST", f"{url}/access", {"organization_id": a_id}),
        ("DELETE", f"{url}/access/{b_id}", None),
        ("DELETE", f"{url}/access/{a_id}", None),
    ]
    # Every route of an agent (its state's: tests/agent_states/test_agent_states_api.py).
    assert routes_called(calls) == routes_under("/v1/agents/{id}", but=("/v1/agents/{id}/state",))
    for method, target, body in calls:
        resp = await client.request(method, target, json=body, headers=bearer(ours))
        await problem(resp, 404, "not_found")
    assert (await (await client.get("/v1/agents", headers=bearer(ours))).json())["items"] == []
    assert await (await client.get(url, headers=bearer(theirs))).json() == before
    assert await db.fetchval("SELECT count(*) FROM agent_knowledge_sources") == 1
    assert await db.fetchval("SELECT count(*) FROM agent_quick_tasks") == 1
    assert await db.fetchval("SELECT count(*) FROM organization_agents") == 0


async def test_api_keys_read_agents_but_do_not_write_them(client: Client, token: TokenFactory) -> None:
    tok = token()
    agent = await create_agent(client, tok)
    resp = await client.post("/v1/api-keys", json={"name": "svc"}, headers=bearer(tok))
    key = {"X-API-Key": (await resp.json())["secret"]}
    listed = await (await client.get("/v1/agents", headers=key)).json()
    assert [a["id"] for a in listed["items"]] == [agent["id"]]
    assert (await client.get(f"/v1/agents/{agent['id']}/quick-tasks", headers=key)).status == 200
    await problem(await client.post("/v1/agents", json=NEW_AGENT, headers=key), 403, "user_required")
