"""The agent state aggregate (agent_states, state_checkpoints) through the generated code."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from isolation import Tenant, acting_as, acting_as_system, leaks, refused, visible_rows
from tenants import World, make_world

from gen import agent_states, conversations, init_connection, organizations, tenancy
from gen.models import AgentState, AgentStateScope, CheckpointKind, StateCheckpoint

TABLES = ["agent_states", "state_checkpoints"]


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Organizations A and B with users, an agent each, and alice's conversation shared with bob."""
    return await make_world(conn)


async def create_state(
    conn: asyncpg.Connection,
    world: World,
    tenant: Tenant,
    state: dict[str, Any] | None = None,
    *,
    user: UUID | None = None,
    scope: AgentStateScope = AgentStateScope.PERSISTENT,
    conversation: UUID | None = None,
    agent: UUID | None = None,
) -> AgentState:
    created = await agent_states.create_agent_state(
        conn, organization_id=tenant.org, user_id=user, agent_id=agent or world.agent_a, scope=scope,
        conversation_id=conversation, state=state,
    )
    assert created is not None
    return created


async def checkpoint(conn: asyncpg.Connection, state_id: UUID, kind: CheckpointKind = CheckpointKind.MANUAL, label: str | None = None) -> StateCheckpoint:
    made = await agent_states.create_checkpoint(conn, agent_state_id=state_id, kind=kind, label=label, created_by=None)
    assert made is not None
    return made


def canonical_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def filled_rows(conn: asyncpg.Connection, world: World) -> dict[str, dict[str, UUID]]:
    """Per visibility (organization-wide, alice's private, the shared conversation's), a state and a checkpoint."""
    rows: dict[str, dict[str, UUID]] = {}
    async with acting_as(conn, world.a_alice):
        for name, user, conversation, scope in (
            ("shared", None, None, AgentStateScope.SHARED),
            ("private", world.alice, None, AgentStateScope.PERSISTENT),
            ("conversation", None, world.conversation, AgentStateScope.SESSION),
        ):
            state = await create_state(conn, world, world.a_alice, {"n": 1}, user=user, scope=scope, conversation=conversation)
            cp = await checkpoint(conn, state.id)
            rows[name] = {"agent_states": state.id, "state_checkpoints": cp.id}
    return rows


# ---------------------------------------------------------------------------
# Isolation


async def test_agent_state_tables_are_isolated_between_organizations(conn: asyncpg.Connection, world: World) -> None:
    for rows in (await filled_rows(conn, world)).values():
        for table, row_id in rows.items():
            assert await leaks(conn, table, row_id, world.b_carol) == [], table


async def test_private_states_are_invisible_to_other_members(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    for table, row_id in rows["private"].items():
        assert await leaks(conn, table, row_id, world.a_bob) == [], table
    for table, row_id in rows["conversation"].items():
        assert await leaks(conn, table, row_id, world.a_dave) == [], table
    async with acting_as(conn, world.a_bob):
        seen = {s.id for s in await agent_states.list_agent_states(
            conn, organization_id=world.org_a, agent_id=world.agent_a, scope=None, cursor_id=None, limit=10
        )}
        assert seen == {rows["shared"]["agent_states"], rows["conversation"]["agent_states"]}
    async with acting_as(conn, world.a_dave):
        seen = {s.id for s in await agent_states.list_agent_states(
            conn, organization_id=world.org_a, agent_id=world.agent_a, scope=None, cursor_id=None, limit=10
        )}
        assert seen == {rows["shared"]["agent_states"]}


async def test_with_no_tenant_set_no_state_is_visible(conn: asyncpg.Connection, world: World) -> None:
    await filled_rows(conn, world)
    assert await visible_rows(conn, TABLES) == {}


async def test_states_are_created_only_for_oneself_with_agents_the_organization_may_use(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_bob):
        async with refused(conn):
            await create_state(conn, world, world.a_bob, user=world.alice)
        async with refused(conn):
            await create_state(conn, world, world.a_bob, agent=world.agent_b)
    async with acting_as(conn, world.a_dave):
        async with refused(conn):
            await create_state(conn, world, world.a_dave, scope=AgentStateScope.SESSION, conversation=world.conversation)


async def test_tenants_cannot_set_versions_hashes_or_keys(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"a": 1})
        for sql in (
            "UPDATE agent_states SET version = 99 WHERE id = $1",
            "UPDATE agent_states SET user_id = NULL WHERE id = $1",
            "UPDATE agent_states SET organization_id = organization_id WHERE id = $1",
            "UPDATE agent_states SET agent_id = agent_id WHERE id = $1",
            "UPDATE agent_states SET scope = scope WHERE id = $1",
            "UPDATE agent_states SET conversation_id = conversation_id WHERE id = $1",
        ):
            async with refused(conn):
                await conn.execute(sql, state.id)
        async with refused(conn, asyncpg.GeneratedAlwaysError):
            await conn.execute("UPDATE agent_states SET state_hash = 'x' WHERE id = $1", state.id)


# ---------------------------------------------------------------------------
# Versions and hashes


async def test_the_first_write_creates_version_one_and_a_second_create_is_refused(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        first = await create_state(conn, world, world.a_alice, {"b": [1, 2], "a": "x"}, user=world.alice)
        assert first.version == 1
        again = await agent_states.create_agent_state(
            conn, organization_id=world.org_a, user_id=world.alice, agent_id=world.agent_a,
            scope=AgentStateScope.PERSISTENT, conversation_id=None, state={"other": True},
        )
        assert again is None, "the key exists: a conflict, not a second state"
        # The organization-wide state of the same agent and scope is another key (NULLS NOT DISTINCT keeps it unique too).
        shared = await create_state(conn, world, world.a_alice, {}, user=None)
        assert await agent_states.create_agent_state(
            conn, organization_id=world.org_a, user_id=None, agent_id=world.agent_a,
            scope=AgentStateScope.PERSISTENT, conversation_id=None, state=None,
        ) is None
        found = await agent_states.get_agent_state(
            conn, organization_id=world.org_a, agent_id=world.agent_a, scope=AgentStateScope.PERSISTENT, user_id=None, conversation_id=None
        )
        assert found is not None and found.id == shared.id


async def test_the_state_hash_is_the_sha256_of_canonical_json(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        one = await create_state(conn, world, world.a_alice, {"b": 1, "a": {"y": [1, 2], "x": None}}, user=world.alice)
        other = await create_state(conn, world, world.a_alice, {"a": {"x": None, "y": [1, 2]}, "b": 1}, user=None)
    assert one.state_hash == other.state_hash, "key order does not matter"
    assert one.state_hash == canonical_sha256('{"a": {"x": null, "y": [1, 2]}, "b": 1}')


async def test_writes_need_the_current_version_and_increment_it(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"step": 0}, user=world.alice)
        second = await agent_states.write_agent_state(conn, id=state.id, expected_version=1, state={"step": 1})
        assert second is not None and second.version == 2 and second.state == {"step": 1}
        assert second.state_hash != state.state_hash and second.updated_at >= state.updated_at
        assert await agent_states.write_agent_state(conn, id=state.id, expected_version=1, state={"step": 99}) is None
        current = await agent_states.get_agent_state_by_id(conn, id=state.id)
        assert current is not None and (current.version, current.state) == (2, {"step": 1})


async def test_of_two_concurrent_writers_from_one_version_exactly_one_wins(conn: asyncpg.Connection, database_url: str, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"counter": 0}, user=None)
    writers = [await asyncpg.connect(database_url) for _ in range(2)]
    try:
        for w in writers:
            await init_connection(w)
        started = asyncio.Event()

        async def write(w: asyncpg.Connection, tenant: Tenant, value: int, first: bool) -> AgentState | None:
            async with w.transaction():
                await tenancy.enter_tenant(w, org_id=tenant.org, user_id=tenant.user)
                read = await agent_states.get_agent_state_by_id(w, id=state.id)
                assert read is not None and read.version == 1
                if first:
                    written = await agent_states.write_agent_state(w, id=state.id, expected_version=read.version, state={"counter": value})
                    started.set()
                    await asyncio.sleep(0.3)  # hold the row while the other writer waits for it
                    return written
                await started.wait()
                return await agent_states.write_agent_state(w, id=state.id, expected_version=read.version, state={"counter": value})

        results = await asyncio.gather(write(writers[0], world.a_alice, 1, True), write(writers[1], world.a_bob, 2, False))
    finally:
        for w in writers:
            await w.close()
    winners = [r for r in results if r is not None]
    assert len(winners) == 1, results
    assert winners[0].version == 2
    async with acting_as(conn, world.a_alice):
        final = await agent_states.get_agent_state_by_id(conn, id=state.id)
    assert final is not None and final.version == 2 and final.state == winners[0].state, "no lost update"


async def test_racing_writers_with_retries_never_lose_an_increment(conn: asyncpg.Connection, database_url: str, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"counter": 0}, user=None)
    pool = await asyncpg.create_pool(database_url, init=init_connection, min_size=4, max_size=4)
    assert pool is not None
    conflicts = 0

    async def increment(tenant: Tenant) -> None:
        nonlocal conflicts
        while True:
            async with pool.acquire() as w, w.transaction():
                await tenancy.enter_tenant(w, org_id=tenant.org, user_id=tenant.user)
                read = await agent_states.get_agent_state_by_id(w, id=state.id)
                assert read is not None and isinstance(read.state, dict)
                counter = read.state["counter"]
                assert isinstance(counter, int)
                await asyncio.sleep(0)
                if await agent_states.write_agent_state(w, id=state.id, expected_version=read.version, state={"counter": counter + 1}):
                    return
                conflicts += 1

    try:
        await asyncio.gather(*(increment(world.a_alice if i % 2 else world.a_bob) for i in range(20)))
    finally:
        await pool.close()
    async with acting_as(conn, world.a_alice):
        final = await agent_states.get_agent_state_by_id(conn, id=state.id)
    assert final is not None and final.state == {"counter": 20} and final.version == 21


async def test_a_session_state_needs_a_conversation(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await create_state(conn, world, world.a_alice, scope=AgentStateScope.SESSION)
        assert error.value.constraint_name == "agent_states_session_scope_has_conversation"
        async with refused(conn, asyncpg.CheckViolationError):
            await create_state(conn, world, world.a_alice, ["not", "an", "object"])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Checkpoints


async def test_restoring_a_checkpoint_brings_back_the_exact_state_and_hash(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"plan": ["a", "b"], "n": 1.50}, user=world.alice)
        saved = await checkpoint(conn, state.id, label="before edits")
        assert (saved.state, saved.state_hash, saved.version, saved.user_id) == (state.state, state.state_hash, 1, world.alice)
        edited = await agent_states.write_agent_state(conn, id=state.id, expected_version=1, state={"plan": [], "n": 2})
        assert edited is not None and edited.state_hash != state.state_hash
        restored = await agent_states.restore_checkpoint(conn, checkpoint_id=saved.id, expected_version=None, label=None, created_by=world.alice)
        assert restored is not None
        assert restored.state == state.state and restored.state_hash == state.state_hash
        assert restored.version == 3
        listed = await agent_states.list_checkpoints(
            conn, agent_state_id=state.id, kind=None, cursor_at=None, cursor_id=None, limit=10
        )
        assert [(c.kind, c.state, c.version) for c in listed] == [
            (CheckpointKind.PRE_RESTORE, edited.state, 2),
            (CheckpointKind.MANUAL, state.state, 1),
        ]
        # The restore itself can be undone from its pre_restore checkpoint.
        undone = await agent_states.restore_checkpoint(conn, checkpoint_id=listed[0].id, expected_version=3, label=None, created_by=None)
        assert undone is not None and undone.state_hash == edited.state_hash and undone.version == 4


async def test_a_restore_from_a_stale_version_or_of_an_unrestorable_checkpoint_changes_nothing(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"v": 1}, user=world.alice)
        saved = await checkpoint(conn, state.id)
        await agent_states.write_agent_state(conn, id=state.id, expected_version=1, state={"v": 2})
        assert await agent_states.restore_checkpoint(conn, checkpoint_id=saved.id, expected_version=1, label=None, created_by=None) is None
        marked = await agent_states.update_checkpoint(conn, id=saved.id, label="kept for the record", restorable=False)
        assert marked is not None and not marked.restorable
        assert await agent_states.restore_checkpoint(conn, checkpoint_id=saved.id, expected_version=None, label=None, created_by=None) is None
        current = await agent_states.get_agent_state_by_id(conn, id=state.id)
        assert current is not None and (current.version, current.state) == (2, {"v": 2})
        kinds = [c.kind for c in await agent_states.list_checkpoints(
            conn, agent_state_id=state.id, kind=None, cursor_at=None, cursor_id=None, limit=10
        )]
        assert kinds == [CheckpointKind.MANUAL], "no pre_restore checkpoint for a refused restore"


async def test_another_member_cannot_restore_a_private_states_checkpoint(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"v": 1}, user=world.alice)
        saved = await checkpoint(conn, state.id)
    async with acting_as(conn, world.a_bob):
        assert await agent_states.get_checkpoint(conn, id=saved.id) is None
        assert await agent_states.create_checkpoint(conn, agent_state_id=state.id, kind=CheckpointKind.MANUAL, label=None, created_by=None) is None
        assert await agent_states.restore_checkpoint(conn, checkpoint_id=saved.id, expected_version=None, label=None, created_by=None) is None
        # Naming the state directly: the trigger copies the state's owner, and the policy refuses it.
        async with refused(conn):
            await conn.execute(
                "INSERT INTO state_checkpoints (organization_id, agent_state_id, kind, state, version) VALUES ($1, $2, 'manual', '{}', 1)",
                world.org_a, state.id,
            )


async def test_auto_checkpoints_are_pruned_past_the_organizations_limit(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as_system(conn):
        await organizations.update_organization_settings(conn, id=world.org_a, settings={"max_auto_checkpoints": 3})
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"v": 0}, user=world.alice)
        manual = await checkpoint(conn, state.id, CheckpointKind.MANUAL)
        autos = []
        for v in range(1, 6):
            written = await agent_states.write_agent_state(conn, id=state.id, expected_version=v, state={"v": v})
            assert written is not None
            autos.append(await checkpoint(conn, state.id, CheckpointKind.AUTO))
        kept = await agent_states.list_checkpoints(
            conn, agent_state_id=state.id, kind=None, cursor_at=None, cursor_id=None, limit=20
        )
    assert [c.id for c in kept] == [c.id for c in reversed(autos[-3:])] + [manual.id]
    assert [c.version for c in kept if c.kind == CheckpointKind.AUTO] == [6, 5, 4]


async def test_without_a_setting_twenty_auto_checkpoints_are_kept(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"v": 0}, user=None)
        other = await create_state(conn, world, world.a_alice, {"v": 0}, user=world.alice)
        for _ in range(23):
            await checkpoint(conn, state.id, CheckpointKind.AUTO)
        await checkpoint(conn, other.id, CheckpointKind.AUTO)
    counts = await conn.fetch("SELECT agent_state_id, count(*) AS n FROM state_checkpoints GROUP BY 1")
    assert {r["agent_state_id"]: r["n"] for r in counts} == {state.id: 20, other.id: 1}, "per state, not per organization"


async def test_checkpoint_pages_return_every_checkpoint_once_newest_first(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        state = await create_state(conn, world, world.a_alice, {"v": 0}, user=world.alice)
        made = [await checkpoint(conn, state.id, label=f"c{i}") for i in range(7)]
        seen: list[StateCheckpoint] = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await agent_states.list_checkpoints(
            conn, agent_state_id=state.id, kind=CheckpointKind.MANUAL, cursor_at=cursor[0], cursor_id=cursor[1], limit=3
        ):
            seen.extend(page)
            cursor = (page[-1].created_at, page[-1].id)
        assert [c.id for c in seen] == [c.id for c in reversed(made)]
        assert await agent_states.delete_checkpoint(conn, id=made[0].id) == 1


async def test_state_pages_return_every_state_once(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        made = {(await create_state(conn, world, world.a_alice, {}, user=user, scope=scope)).id
                for user in (None, world.alice) for scope in (AgentStateScope.LOCAL, AgentStateScope.SHARED, AgentStateScope.PERSISTENT)}
        seen: list[UUID] = []
        cursor: UUID | None = None
        while page := await agent_states.list_agent_states(
            conn, organization_id=world.org_a, agent_id=world.agent_a, scope=None, cursor_id=cursor, limit=4
        ):
            seen.extend(s.id for s in page)
            cursor = page[-1].id
        assert sorted(seen) == sorted(made) and len(seen) == len(made)
        local = await agent_states.list_agent_states(
            conn, organization_id=world.org_a, agent_id=world.agent_a, scope=AgentStateScope.LOCAL, cursor_id=None, limit=10
        )
        assert len(local) == 2


# ---------------------------------------------------------------------------
# ON DELETE


async def test_deleting_a_state_conversation_user_or_agent_removes_their_states_and_checkpoints(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    async with acting_as(conn, world.a_alice):
        assert await agent_states.delete_agent_state(conn, id=rows["shared"]["agent_states"]) == 1
        assert await conversations.delete_conversation(conn, id=world.conversation) == 1
    for name in ("shared", "conversation"):
        for table, row_id in rows[name].items():
            assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 0, (name, table)
    assert await conn.fetchval("SELECT count(*) FROM agent_states WHERE id = $1", rows["private"]["agent_states"]) == 1
    await conn.execute("DELETE FROM users WHERE id = $1", world.alice)
    for table, row_id in rows["private"].items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 0, table
    async with acting_as(conn, world.a_bob):
        state = await create_state(conn, world, world.a_bob, {"x": 1}, user=world.bob)
        await checkpoint(conn, state.id)
    await conn.execute("DELETE FROM agents WHERE id = $1", world.agent_a)
    assert await conn.fetchval("SELECT count(*) FROM agent_states") == 0
    assert await conn.fetchval("SELECT count(*) FROM state_checkpoints") == 0


async def test_deleting_an_organization_removes_its_states(conn: asyncpg.Connection, world: World) -> None:
    await filled_rows(conn, world)
    async with acting_as(conn, world.b_carol):
        await create_state(conn, world, world.b_carol, {"b": True}, agent=world.agent_b)
    await conn.execute("DELETE FROM organizations WHERE id = $1", world.org_a)
    for table in TABLES:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE organization_id = $1", world.org_a) == 0, table
    assert await conn.fetchval("SELECT count(*) FROM agent_states WHERE organization_id = $1", world.org_b) == 1


async def test_the_system_role_reads_and_expires_states_but_does_not_write_them(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    async with acting_as_system(conn):
        assert await conn.fetchval("SELECT count(*) FROM agent_states") == 3
        async with refused(conn):
            await conn.execute("UPDATE agent_states SET state = '{}'")
        async with refused(conn):
            await create_state(conn, world, world.a_alice, {"by": "system"}, scope=AgentStateScope.SHARED)
        assert await conn.execute("DELETE FROM agent_states WHERE id = $1", rows["private"]["agent_states"]) == "DELETE 1"


async def test_the_isolation_check_catches_a_policy_without_the_private_state_check(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    state_id = rows["private"]["agent_states"]
    await conn.execute('DROP POLICY "members read their own and their organization\'s shared agent states" ON agent_states')
    await conn.execute(
        """CREATE POLICY "members read their organization's agent states" ON agent_states FOR SELECT TO app_tenant
           USING (organization_id = (SELECT app.current_org_id()))"""
    )
    assert await leaks(conn, "agent_states", state_id, world.a_bob) == ["read"]
    assert await leaks(conn, "agent_states", state_id, world.b_carol) == []
