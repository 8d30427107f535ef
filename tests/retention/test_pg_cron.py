"""Retention scheduled in the database: fn.schedule_retention is a no-op without pg_cron (the embedded
server has none) and says what it would register; the command it would register runs retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from test_retention_db import NOW, conversation, ids, new_org

from gen import retention as q


async def test_without_pg_cron_scheduling_is_a_no_op_that_names_the_job(conn: asyncpg.Connection) -> None:
    assert await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'") == 0
    for _ in range(2):  # idempotent
        job = await q.schedule_retention(conn, schedule="17 3 * * *", batch=500, default_days=45)
        assert job is not None and job.scheduled is False
        assert (job.job_name, job.schedule) == ("aj_copilot_retention", "17 3 * * *")
        assert job.command == "CALL fn.run_retention(p_batch => 500, p_default_days => 45)"
    assert await conn.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'cron'") == 0


async def test_the_command_pg_cron_would_run_expires_in_batches_and_records_the_run(
    conn: asyncpg.Connection, db: asyncpg.Connection
) -> None:
    org, user = await new_org(db, "a", {"retention_days": 7})
    old = [await conversation(db, org, user, datetime.now(UTC) - timedelta(days=8 + n)) for n in range(3)]
    kept = await conversation(db, org, user, datetime.now(UTC) - timedelta(days=6))
    job = await q.schedule_retention(conn, schedule="*/10 * * * *", batch=2, default_days=30)
    assert job is not None and job.command is not None
    await conn.execute(job.command)  # outside a transaction, as pg_cron runs it: each batch commits
    assert await ids(db, "conversations") == {kept}
    run = await db.fetchrow("SELECT counts, finished_at, error FROM retention_runs")
    assert run["counts"]["conversations"] == 3 and run["finished_at"] is not None and run["error"] is None
    assert set(old).isdisjoint(await ids(db, "conversations"))


async def test_run_retention_travels_in_time_and_keeps_out_of_a_running_retention(
    conn: asyncpg.Connection, db: asyncpg.Connection, database_url: str
) -> None:
    org, user = await new_org(db, "a")
    await conversation(db, org, user, NOW - timedelta(days=31))
    other = await asyncpg.connect(database_url)
    try:
        await other.execute("SELECT pg_advisory_lock(hashtextextended('jobs.retention', 0))")
        await conn.execute(f"CALL fn.run_retention(p_now => '{NOW.isoformat()}')")
        assert await db.fetchval("SELECT count(*) FROM retention_runs") == 0  # returned at once
    finally:
        await other.close()
    await conn.execute(f"CALL fn.run_retention(p_now => '{NOW.isoformat()}')")
    assert await db.fetchval("SELECT count(*) FROM conversations") == 0
    assert await db.fetchval("SELECT now_param FROM retention_runs") == NOW
