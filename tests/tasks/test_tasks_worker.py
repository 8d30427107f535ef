"""python -m jobs.tasks: claims with a lease, heartbeats, retries with backoff, takes over from a dead
worker after its lease, never starts a cancelled task."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
from isolation import seed_identities
from pydantic import JsonValue

from gen import tasks as q
from gen import tenancy
from gen.models import Task
from jobs.tasks import HANDLERS, Worker


async def new_task(db: asyncpg.Connection, task_type: str = "echo", **columns: Any) -> tuple[UUID, UUID]:
    """A pending task of a new organization's new agent; returns (task id, agent id)."""
    key = f"o{await db.fetchval('SELECT count(*) FROM organizations')}"
    orgs, _ = await seed_identities(db, ((f"u_{key}", key, "admin"),))
    agent: UUID = await db.fetchval(
        "INSERT INTO agents (organization_id, name, type) VALUES ($1, 'Worker', 'generic_chat') RETURNING id", orgs[key]
    )
    task: UUID = await db.fetchval(
        "INSERT INTO tasks (organization_id, agent_id, task_type, input, max_attempts) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        orgs[key], agent, task_type, columns.get("input", {"n": 1}), columns.get("max_attempts", 3),
    )
    return task, agent


async def row(db: asyncpg.Connection, task: UUID) -> asyncpg.Record:
    record = await db.fetchrow("SELECT * FROM tasks WHERE id = $1", task)
    assert record is not None
    return record


async def test_a_worker_runs_the_due_tasks_of_the_agents_it_serves(conn: asyncpg.Connection, db: asyncpg.Connection) -> None:
    mine, my_agent = await new_task(db, input={"text": "hello"})
    theirs, _ = await new_task(db)
    unknown, _ = await new_task(db, "summarize")
    worker = Worker(conn, "w1", agent_ids=[my_agent])
    assert await worker.work_once() == 1
    done = await row(db, mine)
    assert done["status"] == "succeeded" and done["output"] == {"echo": {"text": "hello"}} and done["attempts"] == 1
    assert (await row(db, theirs))["status"] == "pending"
    assert await Worker(conn, "w2").work_once() == 1  # every agent: theirs; summarize has no handler here
    assert (await row(db, theirs))["status"] == "succeeded" and (await row(db, unknown))["status"] == "pending"


async def test_cancelled_tasks_never_start(conn: asyncpg.Connection, db: asyncpg.Connection) -> None:
    task, _ = await new_task(db)
    await db.execute("UPDATE tasks SET status = 'cancelled', finished_at = now() WHERE id = $1", task)
    assert await Worker(conn, "w1").work_once() == 0
    record = await row(db, task)
    assert record["status"] == "cancelled" and record["attempts"] == 0 and record["started_at"] is None


async def test_a_failed_attempt_is_retried_after_its_backoff_until_max_attempts(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    calls: list[int] = []

    async def flaky(task: Task) -> JsonValue:
        calls.append(task.attempts)
        raise RuntimeError(f"attempt {task.attempts} failed")

    task, _ = await new_task(db, "flaky", max_attempts=2)
    worker = Worker(conn, "w1", handlers={"flaky": flaky}, backoff_seconds=60)
    assert await worker.work_once() == 1
    first = await row(db, task)
    assert first["status"] == "pending" and first["error"] == "RuntimeError: attempt 1 failed"
    assert timedelta(seconds=59) < first["run_after"] - first["updated_at"] <= timedelta(seconds=61)
    assert await worker.work_once() == 0  # not before its backoff
    await db.execute("UPDATE tasks SET run_after = now() - interval '1 second' WHERE id = $1", task)
    assert await worker.work_once() == 1
    last = await row(db, task)
    assert last["status"] == "failed" and last["attempts"] == 2 and last["finished_at"] is not None
    assert calls == [1, 2]


async def test_a_task_whose_worker_died_is_claimed_again_after_its_lease(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    task, _ = await new_task(db)
    async with conn.transaction():  # a worker claims it, then dies without a heartbeat
        await tenancy.enter_system(conn)
        (claimed,) = await q.claim_agent_tasks(conn, worker="dead", task_types=["echo"], agent_ids=None, limit=1)
    assert claimed.id == task
    survivor = Worker(conn, "alive", lease_seconds=60)
    assert await survivor.work_once() == 0  # the lease still runs
    assert (await row(db, task))["locked_by"] == "dead"
    await db.execute("UPDATE tasks SET locked_at = now() - interval '61 seconds' WHERE id = $1", task)
    assert await survivor.work_once() == 1
    record = await row(db, task)
    assert record["status"] == "succeeded" and record["attempts"] == 2 and record["locked_by"] is None


async def test_heartbeats_keep_a_long_task_leased_and_a_cancel_stops_it(
    conn: asyncpg.Connection, db: asyncpg.Connection, database_url: str
) -> None:
    long_task, _ = await new_task(db, "wait", input={"seconds": 1.5})
    worker = Worker(conn, "w1", lease_seconds=1.0, heartbeat_seconds=0.2)
    other = await asyncpg.connect(database_url)
    try:
        running = asyncio.ensure_future(worker.work_once())
        await asyncio.sleep(1.2)  # past one lease: only the heartbeats keep it
        async with other.transaction():
            await tenancy.enter_system(other)
            assert await q.release_expired_tasks(other, lease_seconds=1.0) == 0
        assert await running == 1
        assert (await row(db, long_task))["output"] == {"waited": 1.5}

        cancelled, _ = await new_task(db, "wait", input={"seconds": 30})
        running = asyncio.ensure_future(worker.work_once())
        await asyncio.sleep(0.5)
        assert (await row(db, cancelled))["status"] == "running"
        await db.execute(
            "UPDATE tasks SET status = 'cancelled', locked_at = NULL, locked_by = NULL, finished_at = now() WHERE id = $1",
            cancelled,
        )
        assert await asyncio.wait_for(running, timeout=5) == 1  # stopped at the next heartbeat, not after 30 s
        record = await row(db, cancelled)
        assert record["status"] == "cancelled" and record["output"] is None
    finally:
        await other.close()


def test_the_built_in_handlers_are_echo_and_wait() -> None:
    assert sorted(HANDLERS) == ["echo", "wait"]
