"""Demo data (server.seed) and the operator's platform agents (server.admin), seen through the API."""

from __future__ import annotations

import asyncpg
from support import Client, TokenFactory, bearer

from gen import init_connection
from gen.models import AgentType, AgentVisibility
from server.cli.admin import create_platform_agent
from server.cli.seed import seed


async def test_the_demo_data_is_there_for_the_demo_users_and_loading_it_twice_adds_nothing(
    client: Client, token: TokenFactory, database_url: str, db: asyncpg.Connection
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await init_connection(conn)
        first = await seed(conn)
        again = await seed(conn)
    finally:
        await conn.close()
    assert again == first
    assert await db.fetchval("SELECT count(*) FROM agents") == 2
    assert await db.fetchval("SELECT count(*) FROM messages") == 2
    admin = token("user_demo", "org_demo", "member")  # the database's role (admin) wins over the token's
    me = await (await client.get("/v1/me", headers=bearer(admin))).json()
    assert me["role"] == "admin" and me["organization"]["name"] == "Demo Org"
    agents = (await (await client.get("/v1/agents", headers=bearer(admin))).json())["items"]
    assert {a["type"] for a in agents} == {"it_support", "stock_analysis"}
    it = next(a for a in agents if a["type"] == "it_support")
    tasks = (await (await client.get(f"/v1/agents/{it['id']}/quick-tasks", headers=bearer(admin))).json())["items"]
    assert [t["title"] for t in tasks] == ["Reset Password", "Software Installation"]
    conversations = (await (await client.get("/v1/conversations", headers=bearer(admin))).json())["items"]
    assert [c["id"] for c in conversations] == [str(first.conversation_id)] and conversations[0]["message_count"] == 2
    member = token("user_demo2", "org_demo", "admin")
    assert (await (await client.get("/v1/me", headers=bearer(member))).json())["role"] == "member"
    assert (await (await client.get("/v1/conversations", headers=bearer(member))).json())["items"] == []


async def test_a_public_platform_agent_is_usable_by_every_organization_and_changed_by_none(
    client: Client, token: TokenFactory, database_url: str
) -> None:
    agent = await create_platform_agent(
        database_url, name="Research", type=AgentType.RESEARCH, visibility=AgentVisibility.PUBLIC,
        description="Finds sources", instructions=None, capabilities=["search", "search", "summarize"],
    )
    assert agent.organization_id is None and agent.capabilities == ["search", "summarize"]
    for org in ("org_a", "org_b"):
        tok = token("user_" + org, org, "admin")
        listed = (await (await client.get("/v1/agents", headers=bearer(tok))).json())["items"]
        assert [a["id"] for a in listed] == [str(agent.id)]
        url = f"/v1/agents/{agent.id}"
        source = {"source_type": "url", "source_path": "https://x.example", "source_name": "x"}
        for method, target, body in (
            ("PATCH", url, {"name": "Mine"}),
            ("DELETE", url, None),
            ("POST", f"{url}/knowledge-sources", source),
            ("POST", f"{url}/quick-tasks", {"title": "t", "prompt": "p"}),
        ):
            resp = await client.request(method, target, json=body, headers=bearer(tok))
            assert resp.status == 403, (method, target)
    db = await asyncpg.connect(database_url)
    try:
        row = await db.fetchrow("SELECT name, organization_id FROM agents WHERE id = $1", agent.id)
        assert (row["name"], row["organization_id"]) == ("Research", None)
        assert await db.fetchval("SELECT count(*) FROM agent_knowledge_sources") + await db.fetchval("SELECT count(*) FROM agent_quick_tasks") == 0
    finally:
        await db.close()
    private = await create_platform_agent(
        database_url, name="Internal", type=AgentType.CUSTOM, visibility=AgentVisibility.PRIVATE,
        description=None, instructions=None, capabilities=[],
    )
    resp = await client.get(f"/v1/agents/{private.id}", headers=bearer(token("user_a", "org_a")))
    assert resp.status == 404  # private: only organizations granted it
