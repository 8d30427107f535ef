"""Run delegated background tasks (seed 002's delegate_task; POST /v1/tasks).

    python -m jobs.tasks                                  serve every agent until SIGTERM / Ctrl+C
    python -m jobs.tasks --agent <uuid> --agent <uuid>    serve only these agents' tasks
    python -m jobs.tasks --once                           run what is due, then exit

What it executes: only the task types in HANDLERS. Built in are
  echo   output {"echo": <the task's input>}: proves the queue end to end;
  wait   sleeps input.seconds (0-600, default 1), then output {"waited": seconds}:
         a long-running task, to see leases and heartbeats at work.
Any other task_type is left pending for a worker that knows it (none here): a
deployment adds its handlers to HANDLERS (a mapping of task_type to an async
function of the task, returning its JSON output). Nothing calls a model.

The queue (the tasks table, as app_system): the worker claims due pending
tasks of the agents it serves with FOR UPDATE SKIP LOCKED (ClaimAgentTasks:
workers never claim one task twice), one at a time. A claim starts a lease of
--lease seconds from tasks.locked_at; while the handler runs, the worker
renews it every --heartbeat seconds (HeartbeatTask). A task whose worker died
stops being renewed: once its lease has expired, any worker (or
jobs.scheduler's task_leases job) gives it back (ReleaseExpiredTasks) and it is
claimed again, until max_attempts. A failed attempt goes back to pending after
--backoff * 2^(attempt - 1) seconds, or fails for good at max_attempts
(FailTask). Cancelled tasks are never claimed; a task cancelled while it runs
loses its lease at the next heartbeat and the worker stops its handler.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
import socket
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import JsonValue

from gen import init_connection
from gen import tasks as q
from gen.models import Task
from jobs.settings import job_config, system_transaction
from server.config import Config

log = logging.getLogger("jobs.tasks")
LEASE_SECONDS = 300
BACKOFF_SECONDS = 30.0
MAX_ERROR_CHARS = 1000

Handler = Callable[[Task], Coroutine[Any, Any, JsonValue]]


async def echo(task: Task) -> JsonValue:
    return {"echo": task.input}


async def wait(task: Task) -> JsonValue:
    data: Any = task.input
    seconds = data.get("seconds", 1) if isinstance(data, dict) else 1
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= 600:
        raise ValueError("input.seconds must be a number from 0 to 600")
    await asyncio.sleep(seconds)
    return {"waited": seconds}


HANDLERS: dict[str, Handler] = {"echo": echo, "wait": wait}


@dataclasses.dataclass
class Worker:
    """Claims and runs tasks on one connection (outside any transaction)."""

    conn: asyncpg.Connection
    name: str
    handlers: Mapping[str, Handler] = dataclasses.field(default_factory=lambda: dict(HANDLERS))
    agent_ids: list[UUID] | None = None
    lease_seconds: float = LEASE_SECONDS
    heartbeat_seconds: float = LEASE_SECONDS / 3
    backoff_seconds: float = BACKOFF_SECONDS

    async def work_once(self) -> int:
        """Give back expired leases, then claim and run due tasks one by one until none is due; how many ran."""
        async with system_transaction(self.conn):
            released = await q.release_expired_tasks(self.conn, lease_seconds=self.lease_seconds)
        if released:
            log.info("released %d task(s) whose lease expired", released)
        done = 0
        while True:
            async with system_transaction(self.conn):
                claimed = await q.claim_agent_tasks(
                    self.conn, worker=self.name, task_types=sorted(self.handlers), agent_ids=self.agent_ids, limit=1
                )
            if not claimed:
                return done
            await self.execute(claimed[0])
            done += 1

    async def execute(self, task: Task) -> None:
        """Run task's handler, renewing the lease; record its output or its failure."""
        log.info("task %s (%s, attempt %d/%d) started", task.id, task.task_type, task.attempts, task.max_attempts)
        running: asyncio.Task[JsonValue] = asyncio.create_task(self.handlers[task.task_type](task))
        while True:
            finished, _ = await asyncio.wait({running}, timeout=self.heartbeat_seconds)
            if finished:
                break
            async with system_transaction(self.conn):
                beat = await q.heartbeat_task(self.conn, id=task.id, worker=self.name)
            if beat is None:
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)
                log.warning("task %s is no longer ours (cancelled or its lease expired): stopped", task.id)
                return
        async with system_transaction(self.conn):
            try:
                output = running.result()
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
                row = await q.fail_task(
                    self.conn, id=task.id, worker=self.name, error=error, backoff_seconds=self.backoff_seconds
                )
                log.warning("task %s failed (%s): %s", task.id, row.status if row else "no longer ours", error)
                return
            row = await q.complete_task(self.conn, id=task.id, worker=self.name, output=output)
        log.info("task %s %s", task.id, "succeeded" if row else "finished, but was no longer ours: output dropped")

    async def serve(self, stop: asyncio.Event, *, poll_seconds: float) -> None:
        """work_once every poll_seconds until stop is set (a running task finishes first)."""
        while not stop.is_set():
            await self.work_once()
            try:
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass


def positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return number


async def main_async(args: argparse.Namespace, config: Config) -> None:
    conn = await asyncpg.connect(config.database_url)
    try:
        await init_connection(conn)
        worker = Worker(
            conn,
            args.name,
            agent_ids=args.agent or None,
            lease_seconds=args.lease,
            heartbeat_seconds=args.heartbeat or args.lease / 3,
            backoff_seconds=args.backoff,
        )
        if args.once:
            log.info("ran %d task(s)", await worker.work_once())
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        log.info("worker %s serving %s", args.name, ", ".join(map(str, args.agent)) if args.agent else "every agent")
        await worker.serve(stop, poll_seconds=args.poll)
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.tasks",
        description=(
            "Claim and run delegated tasks (task types: " + ", ".join(sorted(HANDLERS)) + ") with a lease, heartbeats "
            "and retries with backoff; a task whose worker died is claimed again after its lease."
        ),
    )
    parser.add_argument("--agent", type=UUID, action="append", default=[], help="serve this agent's tasks (repeatable; default: every agent)")
    parser.add_argument("--name", default=f"{socket.gethostname()}:{os.getpid()}", help="this worker's name (default host:pid)")
    parser.add_argument("--lease", type=positive, default=float(LEASE_SECONDS), help=f"lease in seconds (default {LEASE_SECONDS})")
    parser.add_argument("--heartbeat", type=positive, help="seconds between lease renewals (default: a third of the lease)")
    parser.add_argument("--backoff", type=positive, default=BACKOFF_SECONDS, help=f"first retry delay in seconds, doubled per attempt (default {BACKOFF_SECONDS:g})")
    parser.add_argument("--poll", type=positive, default=5.0, help="seconds between looks at the queue when idle (default 5)")
    parser.add_argument("--once", action="store_true", help="run what is due, then exit")
    args = parser.parse_args(argv)
    if args.heartbeat and args.heartbeat >= args.lease:
        parser.error("--heartbeat must be shorter than --lease")
    config = job_config(parser)
    asyncio.run(main_async(args, config))


if __name__ == "__main__":
    main()
