"""Draining file_deletions: objects leave storage only after the rows that named them are gone.

    drained = await drain_batch(conn, storage, now=now)   # conn: a transaction acting as app_system

claims due entries (FOR UPDATE SKIP LOCKED: several drainers never take one
twice), removes each object, then the entries, in the caller's transaction. A
failed removal is recorded on its entry, which is due again after a backoff.
The server drains right after a delete commits (drain_after_commit); the
`python -m jobs.file_outbox` job drains whatever is left (a crash between the
commit and the drain, an upload the server never came back to, a failed try).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from aiohttp import web

from gen import Connection
from gen import files as q

from ..pipeline.auth import system_tx
from .storage import STORAGE, Storage

log = logging.getLogger(__name__)
BATCH = 100
MAX_ERROR_CHARS = 1000


@dataclass
class Drained:
    """What one batch did."""

    removed: int = 0  # objects removed (or found already gone)
    stale: int = 0  # entries dropped because a files row owns the path (the object stays)
    failed: int = 0  # removals that failed, retried later
    claimed: int = 0

    def add(self, other: Drained) -> None:
        self.removed += other.removed
        self.stale += other.stale
        self.failed += other.failed
        self.claimed += other.claimed


async def drain_batch(
    conn: Connection,
    storage: Storage,
    *,
    now: datetime | None = None,
    organization_id: UUID | None = None,
    paths: list[str] | None = None,
    limit: int = BATCH,
) -> Drained:
    """Remove the objects of up to `limit` due entries, then the entries (the caller commits)."""
    now = now or datetime.now(UTC)
    entries = await q.claim_file_deletions(conn, now=now, organization_id=organization_id, paths=paths, limit=limit)
    drained = Drained(claimed=len(entries))
    done: list[UUID] = []
    for entry in entries:
        if entry.owned:
            drained.stale += 1
            done.append(entry.id)
            continue
        try:
            await storage.delete(entry.path)
        except Exception as exc:  # storage unreachable, permission denied, ...: try again later
            drained.failed += 1
            log.warning("could not remove %s from %s: %s", entry.path, storage.description, exc)
            await q.fail_file_deletion(conn, id=entry.id, now=now, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS])
            continue
        drained.removed += 1
        done.append(entry.id)
    if done:
        await q.finish_file_deletions(conn, ids=done)
    return drained


async def drain(
    transaction: Callable[[], AbstractAsyncContextManager[Connection]],
    storage: Storage,
    *,
    organization_id: UUID | None = None,
    paths: list[str] | None = None,
    limit: int = BATCH,
    rounds: int | None = None,
    each: Callable[[Drained], None] | None = None,
) -> Drained:
    """Drain batches, each in its own `transaction()` (acting as app_system), until one is not full or `rounds`
    batches ran; `each` sees every batch."""
    total = Drained()
    done = 0
    while rounds is None or done < rounds:
        async with transaction() as conn:
            drained = await drain_batch(conn, storage, organization_id=organization_id, paths=paths, limit=limit)
        total.add(drained)
        done += 1
        if each is not None:
            each(drained)
        if drained.claimed < limit:
            break
    return total


async def drain_after_commit(
    app: web.Application, *, organization_id: UUID | None = None, paths: list[str] | None = None, rounds: int = 10
) -> Drained:
    """Drain what a committed delete queued (its paths, or its organization's due entries), at most `rounds`
    batches. Never raises: what it could not do stays queued for the job."""
    try:
        return await drain(
            partial(system_tx, app), app[STORAGE], organization_id=organization_id, paths=paths, rounds=rounds
        )
    except Exception:
        log.exception("draining file deletions failed; the file_outbox job will retry")
        return Drained()
