"""The agents aggregate (agents, knowledge sources, quick tasks, organization grants)
through the generated code, as app_tenant and app_system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from isolation import T0, Tenant, acting_as, acting_as_system, leaks, refused, seed_identities, visible_rows

from gen import agents, memberships
from gen.models import Agent, AgentType, AgentVisibility, KnowledgeSourceType, MembershipRole

AGENT_TABLES = ["agents", "organization_agents", "agent_knowledge_sources", "agent_quick_tasks"]


@dataclass
class World:
    org_a: UUID
    org_b: UUID
    alice: UUID  # admin of A
    bob: UUID  # member of A
    carol: UUID  # admin of B
    dave: UUID  # member of B

    @property
    def a_admin(self) -> Tenant:
        return Tenant(self.org_a, self.alice)

    @property
    def a_member(self) -> Tenant:
        return Tenant(self.org_a, self.bob)

    @property
    def b_admin(self) -> Tenant:
        return Tenant(self.org_b, self.carol)

    @property
    def b_member(self) -> Tenant:
        return Tenant(self.org_b, self.dave)


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Organizations A (admin alice, member bob) and B (admin carol, member dave)."""
    orgs, people = await seed_identities(conn, (("alice", "a", "admin"), ("bob", "a", "member"), ("carol", "b", "admin"), ("dave", "b", "member")))
    return World(orgs["a"], orgs["b"], people["alice"], people["bob"], people["carol"], people["dave"])


async def make_agent(
    conn: asyncpg.Connection,
    org: UUID | None,
    name: str,
    visibility: AgentVisibility = AgentVisibility.PRIVATE,
    **fields: Any,
) -> Agent:
    """Create an agent with every optional field defaulted."""
    values: dict[str, Any] = {
        "description": None, "instructions": None, "model_config": None, "rag_enabled": None,
        "embedding_model": None, "embedding_dims": None, "capabilities": None, "scheduling_config": None,
        "type": AgentType.GENERIC_CHAT, "status": None, "version": None, "icon_url": None, "metadata": None,
        "created_by": None,
    } | fields
    agent = await agents.create_agent(conn, organization_id=org, name=name, visibility=visibility, **values)
    assert agent is not None
    return agent


async def update_agent(conn: asyncpg.Connection, agent_id: UUID, **changes: Any) -> Agent | None:
    """PATCH an agent: only the given fields change."""
    fields = (
        "name", "description", "instructions", "model_config", "rag_enabled", "embedding_model", "embedding_dims",
        "capabilities", "scheduling_config", "visibility", "type", "status", "version", "icon_url", "metadata",
    )
    return await agents.update_agent(conn, id=agent_id, **({f: None for f in fields} | changes))


async def grant(conn: asyncpg.Connection, org: UUID, agent_id: UUID, **fields: Any) -> Any:
    values: dict[str, Any] = {"enabled": None, "visibility_override": None, "config": None, "granted_by": None} | fields
    return await agents.grant_agent_access(conn, organization_id=org, agent_id=agent_id, **values)


async def add_source(conn: asyncpg.Connection, agent_id: UUID, path: str) -> Any:
    return await agents.add_knowledge_source(
        conn, agent_id=agent_id, source_type=KnowledgeSourceType.URL, source_path=path, source_name=path, enabled=None, metadata=None
    )


async def add_task(conn: asyncpg.Connection, agent_id: UUID, title: str, order_index: int = 0, enabled: bool | None = None) -> Any:
    return await agents.add_quick_task(
        conn, agent_id=agent_id, title=title, prompt=f"Please {title}", category=None, icon=None, order_index=order_index, enabled=enabled
    )


async def listed(conn: asyncpg.Connection, tenant: Tenant) -> list[str]:
    """Names of the agents tenant's organization lists."""
    return [a.name for a in await agents.list_agents(conn, organization_id=tenant.org, type=None, cursor_name=None, cursor_id=None, limit=100)]


async def test_every_agent_table_is_isolated_between_organizations(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        platform = await make_agent(conn, None, "Platform private")
        grant_to_a = await grant(conn, world.org_a, platform.id)
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "A's own", created_by=world.alice)
        source = await add_source(conn, agent.id, "https://a.example/docs")
        task = await add_task(conn, agent.id, "reset a password")
    rows = {
        "agents": agent.id,
        "organization_agents": grant_to_a.id,
        "agent_knowledge_sources": source.id,
        "agent_quick_tasks": task.id,
    }
    assert set(rows) == set(AGENT_TABLES)
    for intruder in (world.b_admin, world.b_member):
        for table, row_id in rows.items():
            assert await leaks(conn, table, row_id, intruder) == [], (table, intruder)


async def test_with_no_tenant_set_no_agent_is_visible(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        public = await make_agent(conn, None, "Everyone's", AgentVisibility.PUBLIC)
        await add_task(conn, public.id, "say hello")
    async with acting_as(conn, world.a_admin):
        await make_agent(conn, world.org_a, "A public", AgentVisibility.PUBLIC)
    assert await visible_rows(conn, AGENT_TABLES) == {}


async def test_public_agents_are_visible_to_every_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        platform = await make_agent(conn, None, "Platform public", AgentVisibility.PUBLIC)
    async with acting_as(conn, world.a_admin):
        owned = await make_agent(conn, world.org_a, "A public", AgentVisibility.PUBLIC)
    for tenant in (world.a_member, world.b_member):
        async with acting_as(conn, tenant):
            assert await listed(conn, tenant) == ["A public", "Platform public"]
            assert await agents.get_agent(conn, id=platform.id) is not None
            assert await agents.get_agent(conn, id=owned.id) is not None


async def test_private_agents_are_visible_to_their_owner_and_granted_organizations(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        platform = await make_agent(conn, None, "Platform private")
    async with acting_as(conn, world.a_admin):
        owned = await make_agent(conn, world.org_a, "A private")
    async with acting_as(conn, world.a_member):
        assert await listed(conn, world.a_member) == ["A private"]
    async with acting_as(conn, world.b_member):
        assert await listed(conn, world.b_member) == []
        assert await agents.get_agent(conn, id=owned.id) is None
        assert await agents.get_agent(conn, id=platform.id) is None

    async with acting_as_system(conn):
        await grant(conn, world.org_b, platform.id)
    async with acting_as(conn, world.a_admin):
        await grant(conn, world.org_b, owned.id, granted_by=world.alice)
    async with acting_as(conn, world.b_member):
        assert await listed(conn, world.b_member) == ["A private", "Platform private"]
    async with acting_as(conn, world.a_member):
        assert await listed(conn, world.a_member) == ["A private"], "a grant to B gives A nothing"


async def test_hidden_agents_are_usable_by_id_but_not_listed(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        hidden = await make_agent(conn, world.org_a, "Back office", AgentVisibility.HIDDEN)
        assert await listed(conn, world.a_admin) == []
        assert await agents.get_agent(conn, id=hidden.id) is not None
    async with acting_as(conn, world.b_member):
        assert await agents.get_agent(conn, id=hidden.id) is None, "no access: not usable by id either"
    async with acting_as(conn, world.a_admin):
        await grant(conn, world.org_b, hidden.id)
    async with acting_as(conn, world.b_member):
        assert await listed(conn, world.b_member) == []
        assert await agents.get_agent(conn, id=hidden.id) is not None


async def test_a_grant_can_hide_or_disable_an_agent_for_its_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        shared = await make_agent(conn, world.org_a, "Shared")
        public = await make_agent(conn, world.org_a, "Public", AgentVisibility.PUBLIC)
        await grant(conn, world.org_b, shared.id)
        await grant(conn, world.org_b, public.id, visibility_override=AgentVisibility.HIDDEN)
    async with acting_as(conn, world.b_member):
        assert await listed(conn, world.b_member) == ["Shared"]
        assert await agents.get_agent(conn, id=public.id) is not None
    async with acting_as(conn, world.b_admin):
        changed = await agents.update_agent_access(
            conn, organization_id=world.org_b, agent_id=shared.id, enabled=False, visibility_override=None, config={"tone": "formal"}
        )
        assert changed is not None and not changed.enabled and changed.config == {"tone": "formal"}
    async with acting_as(conn, world.b_member):
        assert await listed(conn, world.b_member) == []
        assert await agents.get_agent(conn, id=shared.id) is None, "a disabled grant gives no access"
    async with acting_as(conn, world.a_member):
        assert await listed(conn, world.a_member) == ["Public", "Shared"], "B's settings do not reach A"


async def test_only_admins_change_their_organizations_agents(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_member), refused(conn):
        await make_agent(conn, world.org_a, "By a member")
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "Helper", created_by=world.alice)
    async with acting_as(conn, world.a_member):
        assert await update_agent(conn, agent.id, name="Renamed") is None
        assert await agents.delete_agent(conn, id=agent.id) == 0
    async with acting_as(conn, world.b_admin):
        assert await update_agent(conn, agent.id, name="Stolen") is None
        assert await agents.delete_agent(conn, id=agent.id) == 0
        async with refused(conn):
            await make_agent(conn, world.org_a, "Planted in A")
    async with acting_as(conn, world.a_admin):
        updated = await update_agent(conn, agent.id, instructions="Be brief.", capabilities=["faq"])
        assert updated is not None
        assert (updated.name, updated.instructions, updated.capabilities) == ("Helper", "Be brief.", ["faq"])
        assert updated.updated_at > agent.updated_at
        assert await agents.delete_agent(conn, id=agent.id) == 1


async def test_a_demoted_admin_loses_write_access_at_once(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "Helper")
    async with acting_as_system(conn):
        await memberships.upsert_membership(
            conn, organization_id=world.org_a, user_id=world.alice, role=MembershipRole.MEMBER, clerk_membership_id=None, clerk_updated_at=T0
        )
    async with acting_as(conn, world.a_admin):
        assert await update_agent(conn, agent.id, name="Renamed") is None


async def test_platform_agents_are_never_writable_by_tenants(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        platform = await make_agent(conn, None, "Platform", AgentVisibility.PUBLIC)
        # The operator role changes only platform agents.
        assert await update_agent(conn, platform.id, version="2.0.0") is not None
    async with acting_as(conn, world.a_admin):
        assert await update_agent(conn, platform.id, name="Mine now") is None
        assert await agents.delete_agent(conn, id=platform.id) == 0
        async with refused(conn):
            await make_agent(conn, None, "Fake platform agent")
        async with refused(conn):
            await add_source(conn, platform.id, "https://evil.example")
        async with refused(conn):
            await add_task(conn, platform.id, "phish")
        async with refused(conn):
            await grant(conn, world.org_a, platform.id)
        async with refused(conn):
            await conn.execute("UPDATE agents SET organization_id = $1 WHERE id = $2", world.org_a, platform.id)
    async with acting_as(conn, world.a_admin):
        own = await make_agent(conn, world.org_a, "Own")
    async with acting_as_system(conn):
        assert await update_agent(conn, own.id, name="Hijacked") is None, "app_system manages platform agents only"


async def test_only_admins_of_the_agents_owner_grant_access(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "A private")
    async with acting_as(conn, world.b_admin), refused(conn):
        await grant(conn, world.org_b, agent.id, granted_by=world.carol)
    async with acting_as(conn, world.a_member), refused(conn):
        await grant(conn, world.org_b, agent.id)
    async with acting_as(conn, world.a_admin):
        granted = await grant(conn, world.org_b, agent.id, granted_by=world.alice)
        assert granted.agent_organization_id == world.org_a and granted.enabled
        again = await grant(conn, world.org_b, agent.id, enabled=False, granted_by=world.alice)
        assert again.id == granted.id and not again.enabled
        assert [g.organization_id for g in await agents.list_agent_access(conn, agent_id=agent.id)] == [world.org_b]
    async with acting_as(conn, world.b_member):
        # Members read their organization's grants but do not change them.
        assert [g.id for g in await agents.list_agent_access(conn, agent_id=agent.id)] == [granted.id]
        assert await agents.revoke_agent_access(conn, organization_id=world.org_b, agent_id=agent.id) == 0
    async with acting_as(conn, world.b_admin):
        assert await agents.revoke_agent_access(conn, organization_id=world.org_b, agent_id=agent.id) == 1
    async with acting_as(conn, world.a_admin):
        assert await agents.list_agent_access(conn, agent_id=agent.id) == []


async def test_knowledge_sources_belong_to_their_agents_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "Researcher", rag_enabled=True, embedding_model="text-embedding-3-small", embedding_dims=1536)
        source = await add_source(conn, agent.id, "https://docs.example/")
        assert source.organization_id == world.org_a
        async with refused(conn, asyncpg.UniqueViolationError):
            await add_source(conn, agent.id, "https://docs.example/")
    async with acting_as(conn, world.a_member):
        assert [s.id for s in await agents.list_knowledge_sources(conn, agent_id=agent.id)] == [source.id]
        async with refused(conn):
            await add_source(conn, agent.id, "https://other.example/")
        changed = await agents.update_knowledge_source(conn, id=source.id, source_name="x", enabled=None, metadata=None, last_synced_at=None)
        assert changed is None
    async with acting_as(conn, world.a_admin):
        synced = await agents.update_knowledge_source(conn, id=source.id, source_name=None, enabled=False, metadata=None, last_synced_at=T0)
        assert synced is not None and not synced.enabled and synced.last_synced_at == T0
        assert await agents.delete_knowledge_source(conn, id=source.id) == 1
    async with acting_as(conn, world.a_admin):
        await grant(conn, world.org_b, agent.id)
    async with acting_as(conn, world.b_member):
        assert await agents.list_knowledge_sources(conn, agent_id=agent.id) == [], "sources stay with the owner"


async def test_quick_tasks_are_readable_wherever_their_agent_is(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "Helpdesk")
        second = await add_task(conn, agent.id, "install software", order_index=2)
        first = await add_task(conn, agent.id, "reset a password", order_index=1)
        hidden = await add_task(conn, agent.id, "draft", order_index=0, enabled=False)
        assert first.organization_id == world.org_a
    async with acting_as(conn, world.a_member):
        tasks = await agents.list_quick_tasks(conn, agent_id=agent.id, include_disabled=False)
        assert [t.id for t in tasks] == [first.id, second.id]
        every = await agents.list_quick_tasks(conn, agent_id=agent.id, include_disabled=True)
        assert [t.id for t in every] == [hidden.id, first.id, second.id]
        assert await agents.update_quick_task(conn, id=first.id, title="x", prompt=None, category=None, icon=None, order_index=None, enabled=None) is None
    async with acting_as(conn, world.b_member):
        assert await agents.list_quick_tasks(conn, agent_id=agent.id, include_disabled=True) == []
    async with acting_as(conn, world.a_admin):
        await grant(conn, world.org_b, agent.id)
        moved = await agents.update_quick_task(conn, id=second.id, title=None, prompt=None, category="setup", icon=None, order_index=0, enabled=None)
        assert moved is not None and moved.category == "setup"
    async with acting_as(conn, world.b_member):
        assert [t.id for t in await agents.list_quick_tasks(conn, agent_id=agent.id, include_disabled=False)] == [second.id, first.id]
        assert await agents.delete_quick_task(conn, id=first.id) == 0
    async with acting_as(conn, world.a_admin):
        assert await agents.delete_quick_task(conn, id=first.id) == 1


async def test_agent_list_pages_return_every_agent_once_in_order(conn: asyncpg.Connection, world: World) -> None:
    names = [f"Agent {i:02d}" for i in range(23)] + ["Agent 05"]  # a duplicate name: the id breaks the tie
    async with acting_as(conn, world.a_admin):
        created = [await make_agent(conn, world.org_a, name) for name in names]
        seen: list[Agent] = []
        cursor: tuple[str | None, UUID | None] = (None, None)
        while True:
            page = await agents.list_agents(
                conn, organization_id=world.org_a, type=None, cursor_name=cursor[0], cursor_id=cursor[1], limit=5
            )
            if not page:
                break
            seen.extend(page)
            cursor = (page[-1].name, page[-1].id)
    assert sorted(a.id for a in seen) == sorted(a.id for a in created)
    assert [(a.name, a.id) for a in seen] == sorted((a.name, a.id) for a in created)


async def test_list_agents_filters_by_type(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        await make_agent(conn, world.org_a, "Stocks", type=AgentType.STOCK_ANALYSIS)
        await make_agent(conn, world.org_a, "Ringi", type=AgentType.RINGI_SYSTEM)
        found = await agents.list_agents(
            conn, organization_id=world.org_a, type=AgentType.RINGI_SYSTEM, cursor_name=None, cursor_id=None, limit=10
        )
        assert [a.name for a in found] == ["Ringi"]


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"name": " "}, "agents_name_check"),
        ({"embedding_model": "text-embedding-3-small"}, "agents_embedding_model_and_dims_together"),
        ({"embedding_model": "m", "embedding_dims": 0}, "agents_embedding_dims_check"),
        ({"model_config": ["not", "an", "object"]}, "agents_model_config_check"),
    ],
)
async def test_agent_checks_refuse_bad_values(conn: asyncpg.Connection, world: World, fields: dict[str, Any], constraint: str) -> None:
    async with acting_as(conn, world.a_admin):
        values = {"name": "Valid"} | fields
        name = values.pop("name")
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await make_agent(conn, world.org_a, name, **values)
        assert error.value.constraint_name == constraint


async def test_deleting_an_agent_removes_its_sources_tasks_and_grants(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "Short-lived")
        await add_source(conn, agent.id, "https://x.example")
        await add_task(conn, agent.id, "go")
        await grant(conn, world.org_b, agent.id)
        assert await agents.delete_agent(conn, id=agent.id) == 1
    for table in AGENT_TABLES:
        column = "id" if table == "agents" else "agent_id"
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", agent.id) == 0, table


async def test_deleting_an_organization_removes_its_agents_and_grants_to_and_of_it(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        platform = await make_agent(conn, None, "Platform")
        await grant(conn, world.org_a, platform.id)
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "A's")
        await add_source(conn, agent.id, "https://x.example")
        await add_task(conn, agent.id, "go")
        await grant(conn, world.org_b, agent.id)
    await conn.execute("DELETE FROM organizations WHERE id = $1", world.org_a)
    for table in AGENT_TABLES:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE organization_id = $1", world.org_a) == 0, table
    assert await conn.fetchval("SELECT count(*) FROM organization_agents WHERE agent_organization_id = $1", world.org_a) == 0
    assert await conn.fetchval("SELECT count(*) FROM agents WHERE id = $1", platform.id) == 1


async def test_deleting_a_user_keeps_what_they_created(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "Kept", created_by=world.alice)
        await grant(conn, world.org_b, agent.id, granted_by=world.alice)
    await conn.execute("DELETE FROM users WHERE id = $1", world.alice)
    row = await conn.fetchrow("SELECT created_by FROM agents WHERE id = $1", agent.id)
    assert row is not None and row["created_by"] is None
    assert await conn.fetchval("SELECT granted_by FROM organization_agents WHERE agent_id = $1", agent.id) is None


async def test_the_isolation_check_catches_a_table_without_row_level_security(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "A's")
        source = await add_source(conn, agent.id, "https://a.example")
    assert await leaks(conn, "agent_knowledge_sources", source.id, world.b_admin) == []
    # This test's database is a throwaway copy: break it on purpose.
    await conn.execute("ALTER TABLE agent_knowledge_sources DISABLE ROW LEVEL SECURITY")
    assert await leaks(conn, "agent_knowledge_sources", source.id, world.b_admin) == ["read", "update", "delete", "insert"]


async def test_the_isolation_check_catches_a_policy_that_forgets_the_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_admin):
        agent = await make_agent(conn, world.org_a, "A's")
    await conn.execute('DROP POLICY "admins update their organization\'s agents" ON agents')
    await conn.execute(
        """CREATE POLICY "admins update agents" ON agents FOR UPDATE TO app_tenant
           USING ((SELECT app.current_user_is_admin()))"""
    )
    await conn.execute('DROP POLICY "members read the agents their organization may use" ON agents')
    await conn.execute('CREATE POLICY "members read agents" ON agents FOR SELECT TO app_tenant USING (true)')
    assert await leaks(conn, "agents", agent.id, world.b_admin) == ["read", "update"]
