"""Drain the file outbox: remove from storage the objects whose rows are gone.

    python -m jobs.file_outbox --once          drain what is due, then exit (cron)
    python -m jobs.file_outbox                 drain every --interval seconds until SIGTERM / Ctrl+C

The server drains right after each delete commits; this job removes what that
left: objects queued by a delete whose drain failed or never ran (a crash
after the commit), objects of uploads the server never came back to (due a day
after they were reserved), and removals that failed and are backing off. It
runs as app_system, in batches (FOR UPDATE SKIP LOCKED: several at once never
remove one object twice). Storage and database are configured as for the
server (WORKSPACES_DIR or WORKSPACES_URL and the AWS_* settings; DATABASE_URL
or the embedded database). One log line per batch that did anything.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Sequence
from functools import partial

import asyncpg

from gen import init_connection
from jobs.settings import job_config, system_transaction
from server.config import Config
from server.files.outbox import BATCH, Drained, drain
from server.files.storage import Storage, open_storage

log = logging.getLogger("jobs.file_outbox")


async def drain_due(conn: asyncpg.Connection, storage: Storage, *, batch: int = BATCH) -> Drained:
    """Drain batches until none is full; one log line per batch that did anything."""
    return await drain(partial(system_transaction, conn), storage, limit=batch, each=_log_batch)


def _log_batch(drained: Drained) -> None:
    if drained.claimed:
        log.info(
            "removed %d object(s), dropped %d stale entr(ies), %d failed (retried later)",
            drained.removed, drained.stale, drained.failed,
        )


async def run(config: Config, *, once: bool, interval: float, batch: int) -> Drained:
    storage = open_storage(config)
    conn = await asyncpg.connect(config.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    total = Drained()
    try:
        await init_connection(conn)
        while True:
            total.add(await drain_due(conn, storage, batch=batch))
            if once:
                break
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
                break
            except TimeoutError:
                pass
    finally:
        await conn.close()
        await storage.close()
    return total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.file_outbox",
        description="Remove from file storage the objects whose rows are gone (the file_deletions outbox).",
    )
    parser.add_argument("--once", action="store_true", help="drain what is due, then exit (for cron)")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between drains (default: 60)")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"entries per transaction (default: {BATCH})")
    args = parser.parse_args(argv)
    if args.interval <= 0 or args.batch < 1:
        parser.error("--interval and --batch must be positive")
    config = job_config(parser)
    total = asyncio.run(run(config, once=args.once, interval=args.interval, batch=args.batch))
    log.info("done: %d object(s) removed, %d stale, %d failed", total.removed, total.stale, total.failed)


if __name__ == "__main__":
    main()
