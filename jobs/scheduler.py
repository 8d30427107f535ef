"""Run the periodic jobs on their cron expressions, where the database has no pg_cron.

    python -m jobs.scheduler                  run until SIGTERM / Ctrl+C
    python -m jobs.scheduler --list           the jobs, their schedules and their last runs

Jobs (schedules in UTC, each changeable with its option):

    retention     17 3 * * *    python -m jobs.retention's run (RETENTION_DAYS etc.), then the file outbox
    file_outbox   */5 * * * *   python -m jobs.file_outbox --once: objects whose rows are gone
    task_leases   * * * * *     tasks whose worker stopped renewing its lease (jobs.tasks' default,
                                5 minutes) go back to pending, or fail at max_attempts

Every minute the scheduler starts the jobs whose expression names that
minute, each on its own connection. Before a job starts, the scheduler takes
the job's PostgreSQL advisory lock (session-level) and records the minute (the
slot) in job_schedule; a slot already recorded is not started again. So any
number of schedulers (one per machine, say) run each job once per slot, and
never one job twice at once; a job still running when its next slot comes
keeps its lock and that slot is skipped. SIGTERM or Ctrl+C: no new job
starts, running jobs are asked to stop at their next safe point (retention
between batches), and the scheduler exits once they have.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from gen import init_connection
from gen import job_schedule as q
from gen import tasks as task_queries
from jobs.cron import Cron
from jobs.file_outbox import drain_due
from jobs.retention import RetentionBusy, Windows, run_retention
from jobs.settings import job_config, system_transaction
from jobs.tasks import LEASE_SECONDS
from server.config import Config
from server.files.storage import open_storage

log = logging.getLogger("jobs.scheduler")

JobRun = Callable[[Config, asyncio.Event], Awaitable[str]]


@dataclass(frozen=True)
class Job:
    name: str
    cron: Cron
    run: JobRun


async def retention_job(config: Config, stop: asyncio.Event) -> str:
    storage = open_storage(config)
    conn = await asyncpg.connect(config.database_url)
    try:
        await init_connection(conn)
        report = await run_retention(
            conn, storage, now=datetime.now(UTC), windows=Windows.from_config(config), stop=stop
        )
    except RetentionBusy as exc:
        return str(exc)
    finally:
        await conn.close()
        await storage.close()
    rows = sum(report.counts.values())
    return f"{rows} row(s) deleted, {report.files_removed} object(s) removed" + (
        f"; stopped: {report.error}" if report.error else ""
    )


async def file_outbox_job(config: Config, stop: asyncio.Event) -> str:
    storage = open_storage(config)
    conn = await asyncpg.connect(config.database_url)
    try:
        await init_connection(conn)
        drained = await drain_due(conn, storage)
    finally:
        await conn.close()
        await storage.close()
    return f"{drained.removed} object(s) removed, {drained.failed} failed"


async def task_leases_job(config: Config, stop: asyncio.Event) -> str:
    conn = await asyncpg.connect(config.database_url)
    try:
        await init_connection(conn)
        async with system_transaction(conn):
            released = await task_queries.release_expired_tasks(conn, lease_seconds=LEASE_SECONDS)
    finally:
        await conn.close()
    return f"{released} task(s) released"


DEFAULT_JOBS: dict[str, tuple[str, JobRun]] = {
    "retention": ("17 3 * * *", retention_job),
    "file_outbox": ("*/5 * * * *", file_outbox_job),
    "task_leases": ("* * * * *", task_leases_job),
}


class Scheduler:
    """Starts due jobs for a slot (a minute), each under its advisory lock and at most once per slot."""

    def __init__(self, config: Config, jobs: Sequence[Job], *, name: str | None = None) -> None:
        self.config = config
        self.jobs = list(jobs)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stop = asyncio.Event()
        self.running: set[asyncio.Task[bool]] = set()

    async def run_job(self, job: Job, slot: datetime) -> bool:
        """Run job for slot unless another scheduler holds it or started that slot; whether it ran."""
        conn = await asyncpg.connect(self.config.database_url)
        try:
            await init_connection(conn)
            if not await q.try_job_lock(conn, job=job.name):
                log.info("%s: skipped %s (another scheduler is running it)", job.name, slot.isoformat())
                return False
            try:
                async with system_transaction(conn):
                    started = await q.start_job_slot(conn, job=job.name, slot=slot, scheduler=self.name)
                if started is None:
                    return False
                error: str | None = None
                try:
                    summary = await job.run(self.config, self.stop)
                    log.info("%s (%s): %s", job.name, slot.isoformat(), summary)
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"[:1000]
                    log.exception("%s (%s) failed", job.name, slot.isoformat())
                async with system_transaction(conn):
                    await q.finish_job_slot(conn, job=job.name, slot=slot, error=error)
                return True
            finally:
                await q.release_job_lock(conn, job=job.name)
        finally:
            await conn.close()

    def tick(self, slot: datetime) -> list[asyncio.Task[bool]]:
        """Start (as tasks) the jobs due in slot."""
        started = []
        for job in self.jobs:
            if job.cron.matches(slot):
                task = asyncio.create_task(self.run_job(job, slot), name=f"{job.name}@{slot.isoformat()}")
                self.running.add(task)
                task.add_done_callback(self.running.discard)
                started.append(task)
        return started

    async def serve(self) -> None:
        """Tick every minute until stop is set, then wait for the running jobs."""
        log.info("scheduler %s started: %s", self.name, ", ".join(f"{j.name} '{j.cron.expression}'" for j in self.jobs))
        while not self.stop.is_set():
            now = datetime.now(UTC)
            slot = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=(slot - now).total_seconds())
                break
            except TimeoutError:
                self.tick(slot)
        if self.running:
            log.info("stopping: waiting for %d running job(s)", len(self.running))
            await asyncio.gather(*self.running, return_exceptions=True)
        log.info("scheduler %s stopped", self.name)


async def list_jobs(config: Config, jobs: Sequence[Job]) -> None:
    conn = await asyncpg.connect(config.database_url)
    try:
        await init_connection(conn)
        async with system_transaction(conn):
            last = {row.job: row for row in await q.list_job_schedule(conn)}
    finally:
        await conn.close()
    for job in jobs:
        row = last.get(job.name)
        state = "never run"
        if row is not None:
            ended = row.finished_at.isoformat(timespec="seconds") if row.finished_at else "not finished"
            state = f"last slot {row.last_slot.isoformat()} by {row.scheduler}, ended {ended}" + (
                f", error: {row.error}" if row.error else ""
            )
        print(f"{job.name:12} {job.cron.expression:15} {state}")


async def main_async(config: Config, jobs: Sequence[Job]) -> None:
    scheduler = Scheduler(config, jobs)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, scheduler.stop.set)
    await scheduler.serve()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.scheduler",
        description=(
            "Run retention, file-outbox draining and task lease expiry on cron expressions (UTC), each job under a "
            "PostgreSQL advisory lock and once per slot however many schedulers run; stop cleanly on SIGTERM."
        ),
    )
    for name, (expression, _) in DEFAULT_JOBS.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}", metavar="CRON", default=expression,
            help=f"when {name} runs (default '{expression}'; 'off' never)",
        )
    parser.add_argument("--list", action="store_true", help="print the jobs, schedules and last runs, then exit")
    args = parser.parse_args(argv)
    jobs = []
    for name, (_, run) in DEFAULT_JOBS.items():
        expression = getattr(args, name)
        if expression == "off":
            continue
        try:
            jobs.append(Job(name, Cron.parse(expression), run))
        except ValueError as exc:
            parser.error(f"--{name.replace('_', '-')}: {exc}")
    config = job_config(parser)
    if args.list:
        asyncio.run(list_jobs(config, jobs))
        return
    asyncio.run(main_async(config, jobs))


if __name__ == "__main__":
    main()
