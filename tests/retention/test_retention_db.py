"""Retention against the database, with time travel through `now`: windows per organization,
holds, soft deletes, states and checkpoints, webhook deliveries, idempotency keys, orphaned
embeddings, dry runs, interrupted runs and the lock that keeps two runs apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from isolation import seed_identities

from gen import retention as q
from jobs.retention import Report, RetentionBusy, Windows, print_report, run_retention

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


async def new_org(db: asyncpg.Connection, key: str, settings: dict[str, Any] | None = None) -> tuple[UUID, UUID]:
    orgs, people = await seed_identities(db, ((f"owner_{key}", key, "admin"),))
    if settings is not None:
        await db.execute("UPDATE organizations SET settings = $1 WHERE id = $2", settings, orgs[key])
    return orgs[key], people[f"owner_{key}"]


async def conversation(
    db: asyncpg.Connection, org: UUID, user: UUID, last_activity: datetime, *, status: str = "active",
    hold: bool = False, updated: datetime | None = None, messages: int = 1,
) -> UUID:
    """A conversation with messages and a chunk, its last activity and updated_at set afterwards."""
    cid: UUID = await db.fetchval(
        "INSERT INTO conversations (organization_id, user_id, status, retention_hold) VALUES ($1, $2, $3, $4) RETURNING id",
        org, user, status, hold,
    )
    for n in range(messages):
        await db.execute(
            "INSERT INTO messages (organization_id, conversation_id, user_id, role, content) VALUES ($1, $2, $3, 'user', $4)",
            org, cid, user, f"message {n}",
        )
    await db.execute(
        "INSERT INTO conversation_chunks (organization_id, conversation_id, chunk_index, content) VALUES ($1, $2, 0, 'chunk')",
        org, cid,
    )
    await db.execute("ALTER TABLE conversations DISABLE TRIGGER USER")
    await db.execute(
        "UPDATE conversations SET last_activity_at = $2, updated_at = $3 WHERE id = $1",
        cid, last_activity, updated or last_activity,
    )
    await db.execute("ALTER TABLE conversations ENABLE TRIGGER USER")
    return cid


async def ids(db: asyncpg.Connection, table: str) -> set[UUID]:
    return {row["id"] for row in await db.fetch(f"SELECT id FROM {table}")}


async def run(conn: asyncpg.Connection, **kwargs: Any) -> Report:
    return await run_retention(conn, None, now=kwargs.pop("now", NOW), **kwargs)


async def test_conversations_just_outside_their_organizations_window_go_and_just_inside_stay(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    windows = {"a": None, "b": {"retention_days": 7}, "c": {"retention_days": 90}, "d": {"retention_days": "soon"}}
    days = {"a": 30, "b": 7, "c": 90, "d": 30}
    kept, gone = set(), set()
    for key, settings in windows.items():
        org, user = await new_org(db, key, settings)
        edge = NOW - timedelta(days=days[key])
        kept.add(await conversation(db, org, user, edge + SECOND))
        kept.add(await conversation(db, org, user, edge))  # exactly at the edge: not older than the window
        gone.add(await conversation(db, org, user, edge - SECOND, messages=3))
    report = await run(conn, batch=2)
    assert await ids(db, "conversations") == kept
    assert report.counts["conversations"] == 4
    assert report.counts["messages"] == 12 and report.counts["conversation_chunks"] == 4
    assert await db.fetchval("SELECT count(*) FROM messages WHERE conversation_id = ANY($1)", list(gone)) == 0
    assert report.error is None


async def test_retention_days_changes_the_default_window(conn: asyncpg.Connection, db: asyncpg.Connection) -> None:
    org, user = await new_org(db, "a")
    recent = await conversation(db, org, user, NOW - timedelta(days=10) + SECOND)
    old = await conversation(db, org, user, NOW - timedelta(days=10) - SECOND)
    await run(conn, windows=Windows(default_days=10))
    assert await ids(db, "conversations") == {recent}
    assert old not in await ids(db, "conversations")


async def test_held_conversations_are_kept_and_soft_deleted_ones_go(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a")
    ancient = NOW - timedelta(days=400)
    held = await conversation(db, org, user, ancient, hold=True)
    held_deleted = await conversation(db, org, user, ancient, status="deleted", hold=True)
    soft_deleted = await conversation(db, org, user, NOW - SECOND, status="deleted")
    deleted_later = await conversation(db, org, user, NOW, status="deleted", updated=NOW + SECOND)
    active = await conversation(db, org, user, NOW - SECOND)
    report = await run(conn)
    assert await ids(db, "conversations") == {held, held_deleted, deleted_later, active}
    assert soft_deleted not in await ids(db, "conversations") and report.counts["conversations"] == 1


async def state(db: asyncpg.Connection, org: UUID, updated: datetime, conversation_id: UUID | None = None) -> UUID:
    """An organization-wide state of an agent of its own, last updated then."""
    sid: UUID = await db.fetchval(
        "INSERT INTO agent_states (organization_id, agent_id, scope, conversation_id, state) VALUES ($1, $2, $3, $4, '{}') RETURNING id",
        org, await agent(db, org), "session" if conversation_id else "persistent", conversation_id,
    )
    await db.execute("ALTER TABLE agent_states DISABLE TRIGGER USER")
    await db.execute("UPDATE agent_states SET updated_at = $2 WHERE id = $1", sid, updated)
    await db.execute("ALTER TABLE agent_states ENABLE TRIGGER USER")
    return sid


async def checkpoint(db: asyncpg.Connection, sid: UUID, kind: str, created: datetime) -> UUID:
    cid: UUID = await db.fetchval(
        "INSERT INTO state_checkpoints (agent_state_id, kind, state, version, created_at) VALUES ($1, $2, '{}', 1, $3) RETURNING id",
        sid, kind, created,
    )
    return cid


async def agent(db: asyncpg.Connection, org: UUID) -> UUID:
    aid: UUID = await db.fetchval(
        "INSERT INTO agents (organization_id, name, type) VALUES ($1, 'Helper', 'generic_chat') RETURNING id", org
    )
    return aid


async def test_agent_states_and_checkpoints_expire_by_window_and_limit(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a", {"retention_days": 10})
    edge = NOW - timedelta(days=10)
    fresh = await state(db, org, edge + SECOND)
    stale = await state(db, org, edge - SECOND)
    held_conversation = await conversation(db, org, user, NOW - timedelta(days=300), hold=True)
    held_state = await state(db, org, edge - SECOND, held_conversation)
    autos = [await checkpoint(db, fresh, "auto", NOW - timedelta(days=n)) for n in (1, 2, 3, 4)]
    old_auto = await checkpoint(db, fresh, "auto", edge - SECOND)
    old_manual = await checkpoint(db, fresh, "manual", edge - timedelta(days=5))
    held_auto = await checkpoint(db, held_state, "auto", edge - SECOND)
    await checkpoint(db, stale, "manual", NOW)
    await db.execute("UPDATE organizations SET settings = settings || '{\"max_auto_checkpoints\": 3}' WHERE id = $1", org)

    report = await run(conn, batch=1)
    assert await ids(db, "agent_states") == {fresh, held_state}
    # The newest three autos stay; the fourth is beyond the limit, old_auto past the window and beyond it.
    assert await ids(db, "state_checkpoints") == {*autos[:3], old_manual, held_auto}
    assert old_auto not in await ids(db, "state_checkpoints")
    assert report.counts == {"agent_states": 1, "state_checkpoints": 3}


async def test_webhook_deliveries_and_idempotency_keys_go_after_their_windows(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a")
    for svix, processed in (("old", NOW - timedelta(days=30) - SECOND), ("new", NOW - timedelta(days=30) + SECOND), ("failing", None)):
        await db.execute(
            "INSERT INTO webhook_events (svix_id, type, payload, processed_at, received_at) VALUES ($1, 'user.created', '{}', $2, $3)",
            svix, processed, NOW - timedelta(days=60),
        )
    for key, created in (("old", NOW - timedelta(hours=24) - SECOND), ("new", NOW - timedelta(hours=24) + SECOND)):
        await db.execute(
            "INSERT INTO idempotency_keys (organization_id, caller_id, key, operation_id, request_hash, response_status, created_at)"
            " VALUES ($1, $2, $3, 'createMemory', $4, 201, $5)",
            org, user, key, bytes(32), created,
        )
    report = await run(conn)
    assert {r["svix_id"] for r in await db.fetch("SELECT svix_id FROM webhook_events")} == {"new", "failing"}
    assert {r["key"] for r in await db.fetch("SELECT key FROM idempotency_keys")} == {"new"}
    assert report.counts == {"webhook_events": 1, "idempotency_keys": 1}


async def test_memories_of_expired_conversations_and_embeddings_whose_source_is_gone_go(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a")
    helper = await agent(db, org)
    expired = await conversation(db, org, user, NOW - timedelta(days=31))
    kept = await conversation(db, org, user, NOW)
    memories = {}
    for name, cid in (("expired", expired), ("kept", kept), ("org-wide", None)):
        memories[name] = await db.fetchval(
            "INSERT INTO memories (organization_id, conversation_id, kind, key) VALUES ($1, $2, 'fact', $3) RETURNING id",
            org, cid, name,
        )
    message_of = {cid: await db.fetchval("SELECT id FROM messages WHERE conversation_id = $1", cid) for cid in (expired, kept)}
    sources = [
        ("message", message_of[expired]), ("message", message_of[kept]),
        ("memory", memories["expired"]), ("memory", memories["org-wide"]),
        ("file", UUID(int=7)),
    ]
    for source_type, source_id in sources:
        await db.execute(
            "INSERT INTO embeddings (organization_id, agent_id, source_type, source_id, chunk_index, content, model, dims)"
            " VALUES ($1, $2, $3, $4, 0, 'text', 'm', 3)",
            org, helper, source_type, source_id,
        )
    report = await run(conn, batch=1)
    assert {r["key"] for r in await db.fetch("SELECT key FROM memories")} == {"kept", "org-wide"}
    left = {(r["source_type"], r["source_id"]) for r in await db.fetch("SELECT source_type::text, source_id FROM embeddings")}
    assert left == {("message", message_of[kept]), ("memory", memories["org-wide"])}
    assert report.counts["memories"] == 1 and report.counts["embeddings"] == 3


async def table_sizes(db: asyncpg.Connection) -> dict[str, int]:
    tables = [
        "conversations", "messages", "conversation_chunks", "agent_states", "state_checkpoints", "webhook_events",
        "idempotency_keys", "embeddings", "memories", "file_deletions", "retention_runs",
    ]
    return {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in tables}


async def test_a_dry_run_reports_what_would_go_and_changes_nothing(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a")
    for n in range(5):
        await conversation(db, org, user, NOW - timedelta(days=31 + n), messages=2)
    await conversation(db, org, user, NOW)
    before = await table_sizes(db)
    dry = await run(conn, batch=2, dry_run=True)
    assert await table_sizes(db) == before
    assert dry.counts["conversations"] == 5 and dry.counts["messages"] == 10 and dry.run_id is None
    real = await run(conn, batch=2)
    assert real.counts == dry.counts


async def test_an_interrupted_run_stops_between_batches_and_the_next_run_continues(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a")
    expired = [await conversation(db, org, user, NOW - timedelta(days=40 + n)) for n in range(5)]
    kept = await conversation(db, org, user, NOW)
    first = await run(conn, batch=2, max_batches=2)
    assert first.error == "stopped after 2 batch(es) (--max-batches)"
    left = await ids(db, "conversations")
    assert len(left) == 2 and kept in left and left - {kept} <= set(expired)
    # Nothing half done: every remaining conversation still has its message and chunk.
    assert await db.fetchval("SELECT count(*) FROM messages") == 2
    second = await run(conn, batch=2)
    assert second.error is None and await ids(db, "conversations") == {kept}
    assert first.counts["conversations"] + second.counts["conversations"] == 5

    async with conn.transaction():
        await conn.execute("SELECT set_config('role', 'app_system', true)")
        runs = await q.list_retention_runs(conn, cursor_at=None, cursor_id=None, limit=10)
    assert [r.error for r in runs] == [None, first.error]
    assert all(r.finished_at is not None and r.now_param == NOW for r in runs)
    assert runs[0].counts == second.counts and runs[1].counts == first.counts


async def test_the_report_lists_recorded_runs(conn: asyncpg.Connection, db: asyncpg.Connection) -> None:
    import io

    org, user = await new_org(db, "a")
    await conversation(db, org, user, NOW - timedelta(days=31))
    out = io.StringIO()
    assert await print_report(conn, out, limit=5) == 0 and "no retention run" in out.getvalue()
    await run(conn)
    out = io.StringIO()
    assert await print_report(conn, out, limit=5) == 1
    assert "conversations 1" in out.getvalue() and "now=2027-03-01T12:00:00+00:00" in out.getvalue()


async def test_two_runs_never_overlap(conn: asyncpg.Connection, database_url: str) -> None:
    other = await asyncpg.connect(database_url)
    try:
        assert await other.fetchval("SELECT pg_try_advisory_lock(hashtextextended('jobs.retention', 0))")
        with pytest.raises(RetentionBusy):
            await run(conn)
        await other.execute("SELECT pg_advisory_unlock(hashtextextended('jobs.retention', 0))")
        assert (await run(conn)).error is None
    finally:
        await other.close()


async def test_a_conversation_with_new_activity_while_retention_waits_for_it_is_kept(
    conn: asyncpg.Connection, db: asyncpg.Connection, database_url: str
) -> None:
    org, user = await new_org(db, "a")
    cid = await conversation(db, org, user, NOW - timedelta(days=31))
    writer = await asyncpg.connect(database_url)
    try:
        tx = writer.transaction()
        await tx.start()
        await writer.execute("UPDATE conversations SET last_activity_at = $2 WHERE id = $1", cid, NOW)
        import asyncio

        pending = asyncio.ensure_future(run(conn))
        await asyncio.sleep(0.5)
        assert not pending.done()  # the delete waits for the row
        await tx.commit()
        report = await pending
    finally:
        await writer.close()
    assert cid in await ids(db, "conversations") and report.counts.get("conversations", 0) == 0
