"""The memory aggregate (memories, memory_links, memory_events) through the generated code."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from isolation import Tenant, acting_as, acting_as_system, leaks, refused, visible_rows
from pgvector import Vector
from tenants import World, make_world

from gen import conversations, memories
from gen.models import MemoryEventKind, MemoryKind, MemoryLinkType, MemoryType

TABLES = ["memories", "memory_links", "memory_events"]


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Organizations A and B with users, an agent each, and alice's conversation shared with bob."""
    return await make_world(conn)


async def store(
    conn: asyncpg.Connection,
    tenant: Tenant,
    key: str,
    content: dict[str, Any] | None = None,
    *,
    kind: MemoryKind = MemoryKind.FACT,
    user: UUID | None = None,
    agent: UUID | None = None,
    conversation: UUID | None = None,
    **fields: Any,
) -> Any:
    """UpsertMemoryByKey with every optional field defaulted."""
    values: dict[str, Any] = {"memory_type": None, "tags": None, "importance": None, "decay_rate": None} | fields
    memory = await memories.upsert_memory_by_key(
        conn, organization_id=tenant.org, user_id=user, agent_id=agent, conversation_id=conversation,
        kind=kind, key=key, content=content, **values,
    )
    assert memory is not None
    return memory


async def listed(conn: asyncpg.Connection, org: UUID, **filters: Any) -> list[str]:
    values: dict[str, Any] = {
        "user_id": None, "shared_only": None, "agent_id": None, "conversation_id": None, "kind": None, "memory_type": None,
        "tags_any": None, "tags_all": None, "content_contains": None, "min_importance": None,
        "cursor_at": None, "cursor_id": None, "limit": 100,
    } | filters
    return [m.key for m in await memories.list_memories(conn, organization_id=org, **values)]


async def link(conn: asyncpg.Connection, a: UUID, b: UUID, link_type: MemoryLinkType = MemoryLinkType.RELATED) -> Any:
    return await memories.link_memories(conn, from_memory_id=a, to_memory_id=b, link_type=link_type, weight=None, created_by=None)


async def events(conn: asyncpg.Connection, org: UUID, memory_id: UUID) -> list[Any]:
    return await memories.list_memory_events(
        conn, organization_id=org, memory_id=memory_id, cursor_at=None, cursor_id=None, limit=100
    )


async def filled_rows(conn: asyncpg.Connection, world: World) -> dict[str, dict[str, UUID]]:
    """Per visibility (organization-wide, alice's private, the shared conversation's): a memory, a link, an event."""
    rows: dict[str, dict[str, UUID]] = {}
    async with acting_as(conn, world.a_alice):
        shared_other = await store(conn, world.a_alice, "other")
        for name, user, conversation in (("shared", None, None), ("private", world.alice, None), ("conversation", None, world.conversation)):
            memory = await store(conn, world.a_alice, f"{name}_fact", {"text": name}, user=user, conversation=conversation)
            linked = await link(conn, memory.id, shared_other.id)
            assert linked is not None
            event = (await events(conn, world.org_a, memory.id))[0]
            rows[name] = {"memories": memory.id, "memory_links": linked.id, "memory_events": event.id}
    return rows


# ---------------------------------------------------------------------------
# Isolation


async def test_memory_tables_are_isolated_between_organizations(conn: asyncpg.Connection, world: World) -> None:
    for rows in (await filled_rows(conn, world)).values():
        for table, row_id in rows.items():
            assert await leaks(conn, table, row_id, world.b_carol) == [], table


async def test_private_and_conversation_memories_are_invisible_to_other_members(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    for table, row_id in rows["private"].items():
        assert await leaks(conn, table, row_id, world.a_bob) == [], table
        assert await leaks(conn, table, row_id, world.a_dave) == [], table
    for table, row_id in rows["conversation"].items():
        assert await leaks(conn, table, row_id, world.a_dave) == [], table
    async with acting_as(conn, world.a_bob):
        assert sorted(await listed(conn, world.org_a)) == ["conversation_fact", "other", "shared_fact"]
        assert [e.event for e in await events(conn, world.org_a, rows["private"]["memories"])] == []
    async with acting_as(conn, world.a_dave):
        assert sorted(await listed(conn, world.org_a)) == ["other", "shared_fact"]


async def test_with_no_tenant_set_no_memory_is_visible(conn: asyncpg.Connection, world: World) -> None:
    await filled_rows(conn, world)
    assert await visible_rows(conn, TABLES) == {}


async def test_memories_are_stored_only_for_oneself_and_in_reachable_scopes(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_bob):
        async with refused(conn):
            await store(conn, world.a_bob, "k", user=world.alice)
        async with refused(conn):
            await store(conn, world.a_bob, "k", agent=world.agent_b)
    async with acting_as(conn, world.a_dave):
        async with refused(conn):
            await store(conn, world.a_dave, "k", conversation=world.conversation)


async def test_tenants_never_write_history_or_move_a_memory(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        memory = await store(conn, world.a_alice, "k", {"a": 1})
        for sql in (
            "UPDATE memories SET key = 'other' WHERE id = $1",
            "UPDATE memories SET user_id = NULL WHERE id = $1",
            "UPDATE memory_events SET after = '{}' WHERE memory_id = $1",
            "DELETE FROM memory_events WHERE memory_id = $1",
        ):
            async with refused(conn):
                await conn.execute(sql, memory.id)
        async with refused(conn):
            await conn.execute(
                "INSERT INTO memory_events (organization_id, memory_id, event, after) VALUES ($1, $2, 'created', '{}')",
                world.org_a, memory.id,
            )


# ---------------------------------------------------------------------------
# Upsert by key and history


async def test_upserting_by_key_keeps_one_memory_and_records_every_change(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        first = await store(conn, world.a_alice, "use_opentelemetry", {"decision": "OpenTelemetry"}, kind=MemoryKind.DECISION,
                            conversation=world.conversation, tags=["observability"])
        second = await store(conn, world.a_alice, "use_opentelemetry", {"decision": "OpenTelemetry", "why": "standard"},
                             kind=MemoryKind.DECISION, conversation=world.conversation, tags=["observability", "architecture"])
        assert second.id == first.id and second.content == {"decision": "OpenTelemetry", "why": "standard"}
        assert second.updated_at >= first.updated_at
        same = await store(conn, world.a_alice, "use_opentelemetry", {"decision": "OpenTelemetry", "why": "standard"},
                           kind=MemoryKind.DECISION, conversation=world.conversation, tags=["observability", "architecture"])
        assert same.id == first.id
        touched = await memories.use_memory(conn, id=first.id)
        assert touched is not None and touched.access_count == 1 and touched.last_accessed_at is not None
        assert [u.access_count for u in await memories.use_memories(conn, ids=[first.id])] == [2]
        history = await events(conn, world.org_a, first.id)
        assert [e.event for e in history] == [MemoryEventKind.CREATED, MemoryEventKind.UPDATED], "an identical upsert or a touch is not a change"
        created, updated = history
        assert created.before is None and isinstance(created.after, dict) and created.after["content"] == {"decision": "OpenTelemetry"}
        assert isinstance(updated.before, dict) and isinstance(updated.after, dict)
        assert updated.before["tags"] == ["observability"] and updated.after["tags"] == ["observability", "architecture"]
        assert "embedding" not in updated.after and "search_vector" not in updated.after
        assert created.actor_user_id == world.alice and created.conversation_id == world.conversation
        assert await memories.delete_memory(conn, id=first.id) == 1
        history = await events(conn, world.org_a, first.id)
        assert [e.event for e in history][-1] == MemoryEventKind.DELETED and history[-1].after is None
    assert await conn.fetchval("SELECT count(*) FROM memories WHERE key = 'use_opentelemetry'") == 0


async def test_keys_are_unique_within_a_scope_nulls_included(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        await store(conn, world.a_alice, "k", {"scope": "org"})
        async with refused(conn, asyncpg.UniqueViolationError):
            await memories.create_memory(
                conn, organization_id=world.org_a, user_id=None, agent_id=None, conversation_id=None, kind=MemoryKind.FACT,
                memory_type=None, key="k", content=None, tags=None, importance=None, decay_rate=None,
            )
        mine = await store(conn, world.a_alice, "k", {"scope": "alice"}, user=world.alice)
        agents_ = await store(conn, world.a_alice, "k", {"scope": "agent"}, agent=world.agent_a)
        assert len({mine.id, agents_.id}) == 2
        found = await memories.get_memory_by_key(conn, organization_id=world.org_a, key="k", user_id=world.alice, agent_id=None, conversation_id=None)
        assert found is not None and found.content == {"scope": "alice"}
        unnamed = await memories.create_memory(
            conn, organization_id=world.org_a, user_id=None, agent_id=None, conversation_id=None, kind=MemoryKind.IDEA,
            memory_type=MemoryType.EPISODIC, key=None, content={"idea": "x"}, tags=None, importance=None, decay_rate=None,
        )
        assert unnamed is not None and len(unnamed.key) == 36, "a key is chosen when none is given"
    assert await conn.fetchval("SELECT count(*) FROM memories WHERE key = 'k'") == 3


@pytest.mark.parametrize(
    ("fields", "error", "constraint"),
    [
        ({"importance": 1.5}, asyncpg.CheckViolationError, "memories_importance_check"),
        ({"importance": -0.1}, asyncpg.CheckViolationError, "memories_importance_check"),
        ({"decay_rate": -1.0}, asyncpg.CheckViolationError, "memories_decay_rate_check"),
        ({"key": " "}, asyncpg.CheckViolationError, "memories_key_check"),
        ({"content": ["a"]}, asyncpg.CheckViolationError, "memories_content_check"),
    ],
)
async def test_memory_checks_refuse_bad_values(conn: asyncpg.Connection, world: World, fields: dict[str, Any], error: type, constraint: str) -> None:
    values: dict[str, Any] = {"key": "k", "content": {"a": 1}} | fields
    async with acting_as(conn, world.a_alice):
        async with refused(conn, error) as info:
            await store(conn, world.a_alice, values.pop("key"), values.pop("content"), **values)
        assert info.value.constraint_name == constraint


async def test_listing_filters_by_kind_type_tags_content_and_scope(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        await store(conn, world.a_alice, "idea", {"title": "carbon tracking", "priority": "medium"}, kind=MemoryKind.IDEA,
                    tags=["sustainability", "feature", "api"], importance=0.9)
        await store(conn, world.a_alice, "decision", {"decision": "OpenTelemetry"}, kind=MemoryKind.DECISION,
                    tags=["architecture", "observability"], memory_type=MemoryType.PROCEDURAL)
        await store(conn, world.a_alice, "question", {"q": "which OAuth provider?"}, kind=MemoryKind.QUESTION, tags=["feature"],
                    user=world.alice, importance=0.2)
        await store(conn, world.a_alice, "agent_fact", {}, agent=world.agent_a, conversation=world.conversation)
        assert await listed(conn, world.org_a, kind=MemoryKind.IDEA) == ["idea"]
        assert await listed(conn, world.org_a, memory_type=MemoryType.PROCEDURAL) == ["decision"]
        assert sorted(await listed(conn, world.org_a, tags_any=["feature", "observability"])) == ["decision", "idea", "question"]
        assert sorted(await listed(conn, world.org_a, tags_all=["feature", "api"])) == ["idea"]
        assert await listed(conn, world.org_a, content_contains={"priority": "medium"}) == ["idea"]
        assert await listed(conn, world.org_a, user_id=world.alice) == ["question"]
        assert sorted(await listed(conn, world.org_a, shared_only=True)) == ["agent_fact", "decision", "idea"]
        assert await listed(conn, world.org_a, agent_id=world.agent_a) == ["agent_fact"]
        assert await listed(conn, world.org_a, conversation_id=world.conversation) == ["agent_fact"]
        assert sorted(await listed(conn, world.org_a, min_importance=0.5)) == ["agent_fact", "decision", "idea"]


async def test_memory_pages_return_every_memory_once_newest_first(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        made = [(await store(conn, world.a_alice, f"m{i}")).key for i in range(11)]
        seen: list[str] = []
        cursor: tuple[datetime | None, UUID | None] = (None, None)
        while page := await memories.list_memories(
            conn, organization_id=world.org_a, user_id=None, shared_only=None, agent_id=None, conversation_id=None, kind=None,
            memory_type=None, tags_any=None, tags_all=None, content_contains=None, min_importance=None,
            cursor_at=cursor[0], cursor_id=cursor[1], limit=4,
        ):
            seen.extend(m.key for m in page)
            cursor = (page[-1].created_at, page[-1].id)
        assert seen == list(reversed(made))


async def test_updating_a_memory_changes_fields_and_embedding_needs_a_model(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        memory = await store(conn, world.a_alice, "k", {"a": 1})
        updated = await memories.update_memory(
            conn, id=memory.id, kind=MemoryKind.RISK, memory_type=None, content=None, tags=["t"], importance=0.7, decay_rate=0.1
        )
        assert updated is not None and (updated.kind, updated.tags, updated.importance, updated.content) == (MemoryKind.RISK, ["t"], 0.7, {"a": 1})
        assert await memories.set_memory_embedding(conn, id=memory.id, embedding=Vector([0.1, 0.2, 0.3]), embedding_model="m-3") == 1
        async with refused(conn, asyncpg.CheckViolationError):
            await conn.execute("UPDATE memories SET embedding_model = NULL WHERE id = $1", memory.id)
        assert [e.event for e in await events(conn, world.org_a, memory.id)] == [MemoryEventKind.CREATED, MemoryEventKind.UPDATED]


# ---------------------------------------------------------------------------
# Counter


async def test_conversation_memory_count_follows_inserts_and_deletes(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_bob):
        one = await store(conn, world.a_bob, "one", conversation=world.conversation)
        await store(conn, world.a_bob, "two", conversation=world.conversation)
        await store(conn, world.a_bob, "two", {"changed": True}, conversation=world.conversation)
        await store(conn, world.a_bob, "elsewhere")
        async with refused(conn):
            await conn.execute("UPDATE conversations SET memory_count = 0 WHERE id = $1", world.conversation)
    assert await conn.fetchval("SELECT memory_count FROM conversations WHERE id = $1", world.conversation) == 2
    async with acting_as(conn, world.a_bob):
        assert await memories.delete_memory(conn, id=one.id) == 1
    assert await conn.fetchval("SELECT memory_count FROM conversations WHERE id = $1", world.conversation) == 1


# ---------------------------------------------------------------------------
# Links


async def test_links_join_only_memories_the_caller_can_read_in_one_organization(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.b_carol):
        theirs = await store(conn, world.b_carol, "b")
    async with acting_as(conn, world.a_bob):
        bobs_private = await store(conn, world.a_bob, "bob", user=world.bob)
    async with acting_as(conn, world.a_alice):
        question = await store(conn, world.a_alice, "q", kind=MemoryKind.QUESTION)
        answer = await store(conn, world.a_alice, "a", kind=MemoryKind.DECISION)
        assert await link(conn, answer.id, theirs.id) is None
        assert await link(conn, answer.id, bobs_private.id) is None
        async with refused(conn):
            await conn.execute(
                "INSERT INTO memory_links (organization_id, from_memory_id, to_memory_id) VALUES ($1, $2, $3)",
                world.org_a, answer.id, bobs_private.id,
            )
        async with refused(conn, asyncpg.CheckViolationError):
            await link(conn, answer.id, answer.id)
        made = await link(conn, answer.id, question.id, MemoryLinkType.ANSWERS)
        assert made is not None and made.link_type == MemoryLinkType.ANSWERS
        assert await link(conn, answer.id, question.id, MemoryLinkType.ANSWERS) is None, "linked already"
        assert await link(conn, question.id, answer.id) is not None
        both = await memories.list_memory_links(conn, organization_id=world.org_a, memory_id=answer.id)
        assert [(x.from_memory_id, x.to_memory_id) for x in both] == [(answer.id, question.id), (question.id, answer.id)]
        assert await memories.unlink_memories(conn, from_memory_id=question.id, to_memory_id=answer.id, link_type=None) == 1
        assert await memories.delete_memory(conn, id=question.id) == 1
        assert await memories.list_memory_links(conn, organization_id=world.org_a, memory_id=answer.id) == []


# ---------------------------------------------------------------------------
# ON DELETE


async def test_deleting_a_conversation_or_user_removes_their_memories_and_history(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    async with acting_as(conn, world.a_alice):
        assert await conversations.delete_conversation(conn, id=world.conversation) == 1
    for table, row_id in rows["conversation"].items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 0, table
    await conn.execute("DELETE FROM users WHERE id = $1", world.alice)
    for table, row_id in rows["private"].items():
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id) == 0, table
    shared = rows["shared"]["memories"]
    assert await conn.fetchval("SELECT count(*) FROM memories WHERE id = $1", shared) == 1
    assert await conn.fetchval("SELECT actor_user_id FROM memory_events WHERE memory_id = $1", shared) is None, "the actor is forgotten"


async def test_deleting_an_agent_removes_its_memories_and_keeps_their_history(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        memory = await store(conn, world.a_alice, "agent_fact", agent=world.agent_a)
    await conn.execute("DELETE FROM agents WHERE id = $1", world.agent_a)
    async with acting_as(conn, world.a_alice):
        assert await memories.get_memory(conn, id=memory.id) is None
        assert [e.event for e in await events(conn, world.org_a, memory.id)] == [MemoryEventKind.CREATED, MemoryEventKind.DELETED]


async def test_deleting_an_organization_removes_its_memories_links_and_history(conn: asyncpg.Connection, world: World) -> None:
    await filled_rows(conn, world)
    async with acting_as(conn, world.b_carol):
        await store(conn, world.b_carol, "b")
    await conn.execute("DELETE FROM organizations WHERE id = $1", world.org_a)
    for table in TABLES:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE organization_id = $1", world.org_a) == 0, table
    assert await conn.fetchval("SELECT count(*) FROM memory_events WHERE organization_id = $1", world.org_b) == 1


async def test_the_system_role_reads_memories_and_sets_embeddings_only(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    async with acting_as_system(conn):
        assert await conn.fetchval("SELECT count(*) FROM memories") == 4
        assert await memories.set_memory_embedding(conn, id=rows["private"]["memories"], embedding=Vector([1.0, 0.0]), embedding_model="m") == 1
        async with refused(conn):
            await conn.execute("UPDATE memories SET content = '{}'")
        async with refused(conn):
            await conn.execute("DELETE FROM memories")


async def test_the_isolation_check_catches_a_history_policy_without_the_private_check(conn: asyncpg.Connection, world: World) -> None:
    rows = await filled_rows(conn, world)
    event_id = rows["private"]["memory_events"]
    await conn.execute('DROP POLICY "members read the history of memories they could read" ON memory_events')
    await conn.execute(
        """CREATE POLICY "members read their organization's memory events" ON memory_events FOR SELECT TO app_tenant
           USING (organization_id = (SELECT app.current_org_id()))"""
    )
    assert await leaks(conn, "memory_events", event_id, world.a_bob) == ["read"]
    assert await leaks(conn, "memory_events", event_id, world.b_carol) == []
