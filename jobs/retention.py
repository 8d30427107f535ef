"""Retention: delete what has expired, in bounded batches, and record the run.

    python -m jobs.retention                  one run against the current time
    python -m jobs.retention --now 2027-01-01T00:00:00Z   as if it were then
    python -m jobs.retention --dry-run        what would go (counts), changing nothing
    python -m jobs.retention --report         the latest runs, from retention_runs
    python -m jobs.retention --schedule-pg-cron '17 3 * * *'   let pg_cron run it (where installed)

A run calls the db/functions retention functions (db/functions/060_retention.sql)
one batch at a time, each batch its own short transaction as app_system, in
this order: conversations (with everything in them), agent states,
automatic checkpoints, webhook deliveries, Idempotency-Key responses, and
embeddings whose source is gone. A function is called again until it deletes
fewer rows than the batch. Then the file_deletions outbox is drained: the
objects of the files rows the run deleted leave storage only now, after
their rows are gone (server.files.outbox.drain_batch). The run is recorded in
retention_runs (start, end, rows per table, objects removed, the error that
stopped it).

Interrupted (SIGTERM, Ctrl+C, --max-batches, a crash), a run stops between
batches: what it deleted is committed, what it did not is still expired, and
the next run continues from there. Objects whose rows a crashed run deleted
stay queued in file_deletions for the next drain (this job, jobs.file_outbox).
Two runs never overlap: a run holds a PostgreSQL advisory lock.

--dry-run runs the same batches in one transaction that is rolled back: the
counts are exact, nothing changes (it holds the rows' locks until it ends).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TextIO
from uuid import UUID

import asyncpg

from gen import Connection, init_connection
from gen import retention as q
from jobs.file_outbox import drain_due
from jobs.settings import job_config, system_transaction
from server.config import Config
from server.files.storage import Storage, open_storage

log = logging.getLogger("jobs.retention")
BATCH = 1000


class Counted(Protocol):
    table_name: str | None
    deleted: int | None


@dataclass(frozen=True)
class Windows:
    """How long things are kept (Config: RETENTION_DAYS, RETENTION_WEBHOOK_DAYS, RETENTION_IDEMPOTENCY_HOURS)."""

    default_days: int = 30
    webhook_days: int = 30
    idempotency_hours: int = 24

    @classmethod
    def from_config(cls, config: Config) -> Windows:
        return cls(config.retention_days, config.retention_webhook_days, config.retention_idempotency_hours)


StepCall = Callable[[Connection, datetime, int, Windows], Awaitable[Sequence[Counted]]]


@dataclass(frozen=True)
class Step:
    """One retention function: the table it deletes from (bounded by the batch) and how to call it."""

    table: str
    call: StepCall


STEPS: tuple[Step, ...] = (
    Step("conversations", lambda c, now, b, w: q.expire_conversations(c, now=now, batch=b, default_days=w.default_days)),
    Step("agent_states", lambda c, now, b, w: q.expire_agent_states(c, now=now, batch=b, default_days=w.default_days)),
    Step("state_checkpoints", lambda c, now, b, w: q.expire_checkpoints(c, now=now, batch=b, default_days=w.default_days)),
    Step(
        "webhook_events",
        lambda c, now, b, w: q.expire_webhook_events(c, now=now, batch=b, keep=timedelta(days=w.webhook_days)),
    ),
    Step(
        "idempotency_keys",
        lambda c, now, b, w: q.expire_idempotency_keys(c, now=now, batch=b, keep=timedelta(hours=w.idempotency_hours)),
    ),
    Step("embeddings", lambda c, now, b, w: q.expire_orphan_embeddings(c, batch=b)),
)


class RetentionBusy(RuntimeError):
    """Another retention run holds the advisory lock."""


class Interrupted(Exception):
    """The run was asked to stop (signal or --max-batches) between two batches."""


@dataclass
class Report:
    """What a run did (or, dry, would do)."""

    now: datetime
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    files_removed: int = 0
    error: str | None = None
    run_id: str | None = None

    def add(self, rows: Sequence[Counted]) -> None:
        for row in rows:
            if row.table_name and row.deleted:
                self.counts[row.table_name] = self.counts.get(row.table_name, 0) + row.deleted


Progress = Callable[[str, int, Report], None]


def _own(rows: Sequence[Counted], table: str) -> int:
    return sum(row.deleted or 0 for row in rows if row.table_name == table)


async def _steps(
    conn: Connection,
    report: Report,
    *,
    batch: int,
    windows: Windows,
    max_batches: int | None,
    stop: asyncio.Event | None,
    progress: Progress | None,
) -> None:
    for step in STEPS:
        while True:
            if stop is not None and stop.is_set():
                raise Interrupted("interrupted by a signal")
            if max_batches is not None and report.batches >= max_batches:
                raise Interrupted(f"stopped after {max_batches} batch(es) (--max-batches)")
            async with system_transaction(conn):
                rows = await step.call(conn, report.now, batch, windows)
            report.add(rows)
            report.batches += 1
            own = _own(rows, step.table)
            if progress is not None:
                progress(step.table, own, report)
            if own < batch:
                break


async def run_retention(
    conn: asyncpg.Connection,
    storage: Storage | None,
    *,
    now: datetime,
    batch: int = BATCH,
    windows: Windows = Windows(),
    dry_run: bool = False,
    max_batches: int | None = None,
    drain: bool = True,
    stop: asyncio.Event | None = None,
    progress: Progress | None = None,
) -> Report:
    """One retention run on conn (outside any transaction). Raises RetentionBusy when another run is going on.

    Not dry: records the run, deletes batch by batch, drains the file outbox (when storage is given
    and drain is true), records the end. An Interrupted run is recorded with its reason, not raised.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    report = Report(now=now, dry_run=dry_run)
    if not await q.try_retention_lock(conn):
        raise RetentionBusy("another retention run is going on (it holds the advisory lock)")
    try:
        if dry_run:
            tx = conn.transaction()
            await tx.start()
            try:
                await _steps(
                    conn, report, batch=batch, windows=windows, max_batches=max_batches, stop=stop, progress=progress
                )
            except Interrupted as exc:
                report.error = str(exc)
            finally:
                await tx.rollback()
            return report
        async with system_transaction(conn):
            run = await q.start_retention_run(conn, now_param=now)
        assert run is not None  # INSERT ... RETURNING
        report.run_id = str(run.id)
        try:
            await _steps(
                conn, report, batch=batch, windows=windows, max_batches=max_batches, stop=stop, progress=progress
            )
            if drain and storage is not None:
                report.files_removed = (await drain_due(conn, storage)).removed
        except Interrupted as exc:
            report.error = str(exc)
        except Exception as exc:
            report.error = f"{type(exc).__name__}: {exc}"
            await _finish(conn, run.id, report)
            raise
        await _finish(conn, run.id, report)
        return report
    finally:
        await q.release_retention_lock(conn)


async def _finish(conn: Connection, run_id: UUID, report: Report) -> None:
    async with system_transaction(conn):
        await q.finish_retention_run(
            conn, id=run_id, counts=dict(report.counts), files_removed=report.files_removed, error=report.error
        )


def terminal_progress(out: TextIO) -> Progress:
    """A progress line rewritten in place on a terminal; one log line per batch otherwise."""
    tty = out.isatty()

    def show(table: str, deleted: int, report: Report) -> None:
        total = sum(report.counts.values())
        if tty:
            out.write(f"\r\x1b[K{table}: batch {report.batches}, {deleted} deleted; {total} rows in all")
            out.flush()
        else:
            log.info("%s: batch %d deleted %d; %d rows in all", table, report.batches, deleted, total)

    return show


async def print_report(conn: Connection, out: TextIO, *, limit: int) -> int:
    """The latest runs, newest first; returns how many were printed."""
    async with system_transaction(conn):
        runs = await q.list_retention_runs(conn, cursor_at=None, cursor_id=None, limit=limit)
    if not runs:
        out.write("no retention run recorded yet\n")
    for run in runs:
        took = f"{(run.finished_at - run.started_at).total_seconds():.1f}s" if run.finished_at else "unfinished"
        counts = run.counts if isinstance(run.counts, dict) else {}
        rows = ", ".join(f"{table} {n}" for table, n in sorted(counts.items())) or "nothing deleted"
        out.write(
            f"{run.started_at.isoformat(timespec='seconds')}  {took:>10}  now={run.now_param.isoformat(timespec='seconds')}"
            f"  files removed {run.files_removed}  {rows}"
            + (f"  ERROR: {run.error}" if run.error else "")
            + "\n"
        )
    return len(runs)


def parse_now(value: str) -> datetime:
    """An ISO 8601 moment; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


async def main_async(args: argparse.Namespace, config: Config) -> int:
    assert config.database_url is not None
    conn = await asyncpg.connect(config.database_url)
    await init_connection(conn)
    try:
        if args.report:
            await print_report(conn, sys.stdout, limit=args.limit)
            return 0
        if args.schedule_pg_cron:
            job = await q.schedule_retention(
                conn, schedule=args.schedule_pg_cron, batch=args.batch, default_days=config.retention_days
            )
            assert job is not None
            state = "registered with pg_cron" if job.scheduled else "NOT registered: pg_cron is not installed here"
            print(f"{job.job_name}: {job.schedule} {job.command} ({state})")
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        storage = None if args.dry_run or args.no_drain else open_storage(config)
        try:
            report = await run_retention(
                conn,
                storage,
                now=args.now or datetime.now(UTC),
                batch=args.batch,
                windows=Windows.from_config(config),
                dry_run=args.dry_run,
                max_batches=args.max_batches,
                drain=not args.no_drain,
                stop=stop,
                progress=terminal_progress(sys.stderr),
            )
        except RetentionBusy as exc:
            log.error("%s", exc)
            return 1
        finally:
            if storage is not None:
                await storage.close()
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        rows = ", ".join(f"{t} {n}" for t, n in sorted(report.counts.items())) or "nothing"
        if report.dry_run:
            print(f"dry run (now={report.now.isoformat()}): would delete {rows}; nothing was changed")
        else:
            print(f"retention run {report.run_id} (now={report.now.isoformat()}): deleted {rows}; "
                  f"{report.files_removed} file object(s) removed")
        if report.error:
            print(f"stopped early: {report.error} (the next run continues)")
            return 3
        return 0
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.retention",
        description=(
            "Delete expired data in bounded batches (conversations past their organization's retention_days or "
            "soft-deleted, with everything in them; stale agent states; automatic checkpoints; old webhook "
            "deliveries and Idempotency-Key responses; embeddings whose source is gone), then remove the deleted "
            "files' objects from storage, and record the run in retention_runs. Held conversations are kept."
        ),
    )
    parser.add_argument("--now", type=parse_now, help="expire as if it were this ISO 8601 moment (default: now)")
    parser.add_argument("--batch", type=positive, default=BATCH, help=f"rows per table per transaction (default {BATCH})")
    parser.add_argument("--dry-run", action="store_true", help="report what would be deleted, change nothing")
    parser.add_argument("--report", action="store_true", help="print the latest recorded runs and exit")
    parser.add_argument("--limit", type=positive, default=20, help="runs --report prints (default 20)")
    parser.add_argument(
        "--max-batches", type=positive, help="stop after this many batches (the next run continues where it stopped)"
    )
    parser.add_argument(
        "--no-drain", action="store_true", help="leave removing file objects to python -m jobs.file_outbox"
    )
    parser.add_argument(
        "--schedule-pg-cron",
        metavar="CRON",
        help="register retention with pg_cron on this cron expression (e.g. '17 3 * * *'), where the database has "
        "pg_cron, and exit; a no-op that says so where it has not",
    )
    args = parser.parse_args(argv)
    config = job_config(parser)
    raise SystemExit(asyncio.run(main_async(args, config)))


if __name__ == "__main__":
    main()
