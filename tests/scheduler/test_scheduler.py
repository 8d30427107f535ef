"""python -m jobs.scheduler: two schedulers run a job once per slot and never at once; SIGTERM stops it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from jobs.cron import Cron
from jobs.scheduler import Job, Scheduler
from server.config import Config

SLOT = datetime(2027, 3, 1, 3, 17, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    """A job that records each run and takes a while."""

    def __init__(self, seconds: float = 0.3) -> None:
        self.runs: list[datetime] = []
        self.seconds = seconds

    async def __call__(self, config: Config, stop: asyncio.Event) -> str:
        self.runs.append(datetime.now(UTC))
        await asyncio.sleep(self.seconds)
        return "recorded"


async def test_two_schedulers_at_once_run_a_job_once_per_slot(config: Config, db: asyncpg.Connection) -> None:
    job = Recorder()
    jobs = [Job("recorder", Cron.parse("17 3 * * *"), job), Job("other", Cron.parse("0 0 * * *"), Recorder())]
    first, second = Scheduler(config, jobs, name="first"), Scheduler(config, jobs, name="second")
    ran = await asyncio.gather(*first.tick(SLOT), *second.tick(SLOT))
    assert sorted(ran) == [False, True] and len(job.runs) == 1
    # The same slot again (a scheduler that ticks late) starts nothing; the next day's slot runs once more.
    assert await asyncio.gather(*first.tick(SLOT)) == [False]
    later = SLOT + timedelta(days=1)
    assert sorted(await asyncio.gather(*second.tick(later), *first.tick(later))) == [False, True]
    assert len(job.runs) == 2
    row = await db.fetchrow("SELECT last_slot, finished_at, error FROM job_schedule WHERE job = 'recorder'")
    assert row["last_slot"] == later and row["finished_at"] is not None and row["error"] is None
    assert await db.fetchval("SELECT count(*) FROM job_schedule WHERE job = 'other'") == 0


async def test_a_job_still_running_keeps_its_lock_and_its_next_slot_is_skipped(config: Config) -> None:
    slow = Recorder(seconds=1.5)
    jobs = [Job("slow", Cron.parse("* * * * *"), slow)]
    first, second = Scheduler(config, jobs, name="first"), Scheduler(config, jobs, name="second")
    running = first.tick(SLOT)
    await asyncio.sleep(0.5)
    assert await asyncio.gather(*second.tick(SLOT + timedelta(minutes=1))) == [False]
    assert await asyncio.gather(*running) == [True] and len(slow.runs) == 1


async def test_a_failing_job_is_recorded_with_its_error(config: Config, db: asyncpg.Connection) -> None:
    async def broken(config: Config, stop: asyncio.Event) -> str:
        raise RuntimeError("storage unreachable")

    (task,) = Scheduler(config, [Job("broken", Cron.parse("* * * * *"), broken)]).tick(SLOT)
    assert await task is True
    assert await db.fetchval("SELECT error FROM job_schedule WHERE job = 'broken'") == "RuntimeError: storage unreachable"


async def test_sigterm_stops_the_scheduler_cleanly(config: Config, database_url: str, tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": database_url, "WORKSPACES_DIR": str(tmp_path / "w")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jobs.scheduler", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    seen = []
    while not any("started" in line for line in seen):
        line = (await asyncio.wait_for(process.stderr.readline(), timeout=60)).decode()
        assert line, "the scheduler exited before it started: " + "".join(seen)
        seen.append(line)
    process.send_signal(signal.SIGTERM)
    rest = (await asyncio.wait_for(process.stderr.read(), timeout=30)).decode()
    assert await process.wait() == 0, rest
    assert "stopped" in rest


async def test_the_scheduler_lists_its_jobs_and_refuses_a_bad_expression(database_url: str, tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": database_url, "WORKSPACES_DIR": str(tmp_path / "w")}
    listed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jobs.scheduler", "--list", "--task-leases", "off", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await listed.communicate()
    assert listed.returncode == 0
    assert [line.split()[0] for line in out.decode().splitlines()] == ["retention", "file_outbox"]
    bad = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jobs.scheduler", "--retention", "61 * * * *", cwd=ROOT, env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await bad.communicate()
    assert bad.returncode == 2 and b"minute: 61 is outside 0-59" in err
