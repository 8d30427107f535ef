"""The memory aggregate (memories, memory_links, memory_events) through the generated code."""

from __future__ import annotations

import math
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
            "UPDATE memories SET organization_id = organization_id WHERE id = $1",
            "UPDATE memories SET agent_id = NULL WHERE id = $1",
            "UPDATE memories SET conversation_id = NULL WHERE id = $1",
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
        async with refused(conn):
            await store(conn, world.a_alice, "planted", {"by": "system"})


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


# ---------------------------------------------------------------------------
# Recall (fn.recall_memories) and uses (fn.use_memories)


async def recall(conn: asyncpg.Connection, tenant: Tenant, query: str | None = None, **given: Any) -> list[Any]:
    """RecallMemories as tenant, weights 1 and no filter unless given, at a fixed time."""
    values: dict[str, Any] = {
        "embedding": None, "embedding_model": None, "relevance_weight": 1.0, "importance_weight": 1.0,
        "recency_weight": 1.0, "private": None, "agent_id": None, "conversation_id": None, "kind": None,
        "memory_type": None, "tags_any": None, "tags_all": None, "now": NOW, "limit": 50,
    } | given
    async with acting_as(conn, tenant):
        return await memories.recall_memories(conn, query=query, **values)


NOW = datetime.fromisoformat("2027-01-01T00:00:00+00:00")


async def aged(conn: asyncpg.Connection, memory_id: UUID, days: float) -> None:
    """Make a memory created (and never used) `days` before NOW (as the table owner)."""
    await conn.execute(
        "UPDATE memories SET created_at = $2::timestamptz - make_interval(secs => $3::float8 * 86400) WHERE id = $1", memory_id, NOW, days
    )


async def test_recall_scores_relevance_importance_and_recency_and_shows_the_parts(
    conn: asyncpg.Connection, world: World
) -> None:
    async with acting_as(conn, world.a_alice):
        vital = await store(conn, world.a_alice, "vital", {"text": "承認フローの変更"}, importance=0.9, decay_rate=0.1)
        minor = await store(conn, world.a_alice, "minor", {"text": "承認フローの変更"}, importance=0.3, decay_rate=0.1)
        stale = await store(conn, world.a_alice, "stale", {"text": "承認フローの変更"}, importance=0.9, decay_rate=0.1)
        other = await store(conn, world.a_alice, "other", {"text": "unrelated"}, importance=1.0)
    for memory, days in ((vital, 1), (minor, 1), (stale, 30), (other, 0)):
        await aged(conn, memory.id, days)
    found = await recall(conn, world.a_alice, "承認フロー")
    assert [m.key for m in found] == ["vital", "minor", "stale"], "importance, then recency; no text match: not recalled"
    top = found[0]
    assert top.text_match is not None and 0 < top.text_match < 1 and top.similarity is None
    assert top.relevance == top.text_match and top.importance == 0.9
    assert top.recency == pytest.approx(math.exp(-0.1 * 1), rel=1e-6)
    assert top.score == pytest.approx(top.relevance * top.importance * top.recency, rel=1e-9)
    recency_only = await recall(conn, world.a_alice, "承認フロー", importance_weight=0.0, relevance_weight=0.0)
    assert [m.key for m in recency_only][-1] == "stale" and recency_only[0].score == pytest.approx(math.exp(-0.1))
    importance_only = await recall(conn, world.a_alice, None, relevance_weight=0.0, recency_weight=0.0)
    assert importance_only[0].key == "other" and importance_only[0].relevance == 1, "no query: importance and recency"
    assert [m.key for m in await recall(conn, world.a_alice, "承認フロー", kind=MemoryKind.DECISION)] == []


async def test_recall_uses_similarity_where_a_memory_has_a_comparable_vector(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        near = await store(conn, world.a_alice, "near", {"text": "about budgets"})
        far = await store(conn, world.a_alice, "far", {"text": "about holidays"})
        await store(conn, world.a_alice, "words", {"text": "budget review"})
        other_model = await store(conn, world.a_alice, "other_model", {"text": "budget"})
        for memory, vector, model in ((near, [1, 0, 0], "m1"), (far, [0, 1, 0], "m1"), (other_model, [1, 0, 0], "m2")):
            await memories.set_memory_embedding(conn, id=memory.id, embedding=Vector(vector), embedding_model=model)
    found = {m.key: m for m in await recall(conn, world.a_alice, "budget", embedding=Vector([1, 0.1, 0]), embedding_model="m1")}
    assert set(found) == {"near", "far", "words", "other_model"}, "with a vector every memory in scope is a candidate"
    assert found["near"].similarity is not None and found["near"].similarity > 0.99 and found["near"].relevance == found["near"].similarity
    assert found["far"].similarity is not None and found["far"].similarity < 0.2
    assert found["words"].similarity is None and found["words"].relevance == found["words"].text_match > 0, "no vector: text"
    assert found["other_model"].similarity is None, "another model's vector is not compared"
    assert found["near"].score > found["far"].score and found["near"].score > found["words"].score


async def test_recall_finds_only_memories_the_caller_may_read(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        await store(conn, world.a_alice, "shared", {"text": "稟議の規則"})
        await store(conn, world.a_alice, "mine", {"text": "稟議のメモ"}, user=world.alice)
        await store(conn, world.a_alice, "in_conversation", {"text": "稟議の決定"}, conversation=world.conversation)
    async with acting_as(conn, world.b_carol):
        await store(conn, world.b_carol, "of_b", {"text": "稟議 in B"})

    async def keys(tenant: Tenant, **given: Any) -> set[str]:
        return {m.key for m in await recall(conn, tenant, "稟議", **given)}

    assert await keys(world.a_alice) == {"shared", "mine", "in_conversation"}
    assert await keys(world.a_alice, private=True) == {"mine"}
    assert await keys(world.a_alice, private=False) == {"shared", "in_conversation"}
    assert await keys(world.a_bob) == {"shared", "in_conversation"}, "the conversation is shared with bob"
    assert await keys(world.a_dave) == {"shared"}, "not with dave; alice's private memory: never"
    assert await keys(world.b_carol) == {"of_b"}, "another organization's: never"
    assert await keys(Tenant(world.org_a, None)) == {"shared"}, "an API key"
    assert await keys(world.a_dave, embedding=Vector([1.0]), embedding_model="m") == {"shared"}, "with a vector too"


async def test_uses_are_counted_only_through_fn_use_memories(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        mine = await store(conn, world.a_alice, "mine", {"text": "x"}, user=world.alice)
        shared = await store(conn, world.a_alice, "shared", {"text": "y"})
        async with refused(conn):
            await conn.execute("UPDATE memories SET access_count = 100 WHERE id = $1", shared.id)
        async with refused(conn):
            await conn.execute("UPDATE memories SET last_accessed_at = now() WHERE id = $1", shared.id)
    async with acting_as(conn, world.b_carol):
        assert await memories.use_memories(conn, ids=[mine.id, shared.id]) == [], "another organization's"
    async with acting_as(conn, world.a_bob):
        used = await memories.use_memories(conn, ids=[mine.id, shared.id])
        assert [(u.id, u.access_count) for u in used] == [(shared.id, 1)], "alice's private memory is not bob's to use"
    async with acting_as(conn, world.a_alice):
        again = await memories.use_memory(conn, id=mine.id)
        assert again is not None and again.access_count == 1 and again.last_accessed_at is not None
        history = await events(conn, world.org_a, mine.id)
        assert [e.event for e in history] == [MemoryEventKind.CREATED], "a use is not a change"
