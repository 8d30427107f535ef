"""The embedding worker: vectors for pending knowledge chunks.

    python -m jobs.embed --once        embed what is due, then exit (cron)
    python -m jobs.embed               keep embedding, polling every --interval seconds, until SIGTERM / Ctrl+C

Each round claims up to --batch due pending chunks (ClaimPendingEmbeddings:
FOR UPDATE SKIP LOCKED, attempts + 1 and a lease of --lease seconds, in its
own short transaction), asks the provider for their vectors, model by model
(outside any transaction), and stores each vector (SetEmbedding, only if the
chunk's text is still the one embedded). Several workers at once claim
disjoint chunks, and a worker that dies leaves chunks whose lease expires:
nothing is embedded twice or lost.

Failures: a 429 gives the chunks back without counting the attempt and waits
for Retry-After; a 5xx, timeout or lost connection is a failed attempt, due
again after --backoff * 2^(attempts - 1) seconds; after --max-attempts, or at
once when the provider rejects the request (4xx), the chunk is failed with
the provider's error (RetryFailedEmbeddings queues it again).

The first time a (model, dims) is seen, its partial HNSW index is created
(fn.ensure_embedding_index), on the job's own login role, which owns the
table. Configuration as for the server: OPENAI_BASE_URL, OPENAI_API_KEY,
DATABASE_URL (or the embedded database). On a terminal a progress bar; one log
line per batch otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from pgvector import Vector

from gen import embeddings as q
from gen import init_connection
from gen.embeddings import ClaimPendingEmbeddingsRow
from jobs.settings import job_config, system_transaction
from server.config import Config
from server.embeddings.provider import EmbeddingProvider, ProviderError, RateLimited, Rejected

log = logging.getLogger("jobs.embed")


@dataclass
class Settings:
    batch: int = 64
    lease_seconds: float = 300.0
    max_attempts: int = 5
    backoff_seconds: float = 30.0
    model: str | None = None


@dataclass
class Round:
    claimed: int = 0
    embedded: int = 0
    failed: int = 0  # attempts that failed (pending again later, or failed for good)
    deferred: int = 0  # given back after a 429
    retry_after: float = 0.0  # the longest Retry-After the provider asked for


class Worker:
    """One worker process: a connection of its own, the provider, the models whose index it made sure of."""

    def __init__(self, conn: asyncpg.Connection, provider: EmbeddingProvider, settings: Settings) -> None:
        self.conn = conn
        self.provider = provider
        self.settings = settings
        self.indexed: set[tuple[str, int]] = set()

    async def round(self) -> Round:
        """Claim one batch, embed it model by model, store the vectors."""
        s = self.settings
        async with system_transaction(self.conn):
            claimed = await q.claim_pending_embeddings(
                self.conn, lease_seconds=s.lease_seconds, model=s.model, limit=s.batch
            )
        result = Round(claimed=len(claimed))
        groups: dict[tuple[str, int], list[ClaimPendingEmbeddingsRow]] = defaultdict(list)
        for chunk in claimed:
            groups[(chunk.model, chunk.dims)].append(chunk)
        for (model, dims), chunks in groups.items():
            await self._ensure_index(model, dims)
            try:
                vectors = await self.provider.embed(model, dims, [c.content for c in chunks])
            except RateLimited as exc:
                await self._defer(chunks, exc.retry_after)
                result.deferred += len(chunks)
                result.retry_after = max(result.retry_after, exc.retry_after)
                continue
            except ProviderError as exc:
                await self._fail(chunks, exc)
                result.failed += len(chunks)
                log.warning("%s: %d chunk(s) not embedded: %s", model, len(chunks), exc)
                continue
            async with system_transaction(self.conn):
                for chunk, vector in zip(chunks, vectors, strict=True):
                    stored = await q.set_embedding(
                        self.conn, embedding=Vector(vector), id=chunk.id, content_hash=chunk.content_hash
                    )
                    result.embedded += stored is not None
        return result

    async def _ensure_index(self, model: str, dims: int) -> None:
        if (model, dims) in self.indexed:
            return
        if dims <= 2000:  # HNSW indexes vectors of at most 2000 dimensions; larger ones are searched exactly
            name = await q.ensure_embedding_index(self.conn, model=model, dims=dims)
            log.info("index %s ready for %s (%d dimensions)", name, model, dims)
        self.indexed.add((model, dims))

    async def _defer(self, chunks: list[ClaimPendingEmbeddingsRow], retry_after: float) -> None:
        async with system_transaction(self.conn):
            await q.defer_embeddings(self.conn, retry_after_seconds=retry_after, ids=[c.id for c in chunks])

    async def _fail(self, chunks: list[ClaimPendingEmbeddingsRow], exc: ProviderError) -> None:
        s = self.settings
        max_attempts = 0 if isinstance(exc, Rejected) else s.max_attempts
        async with system_transaction(self.conn):
            for chunk in chunks:
                await q.fail_embedding(
                    self.conn, max_attempts=max_attempts, error=str(exc)[:1000], backoff_seconds=s.backoff_seconds,
                    id=chunk.id, content_hash=chunk.content_hash,
                )

    async def pending(self) -> int:
        async with system_transaction(self.conn):
            return await q.count_pending_embeddings(self.conn) or 0


class Progress:
    """A bar on a terminal; one log line per batch otherwise."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.tty = sys.stderr.isatty()

    def update(self, r: Round) -> None:
        self.done += r.embedded + r.failed
        if self.tty:
            width = 30
            filled = min(width, width * self.done // self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} chunks")
            sys.stderr.flush()
        elif r.claimed:
            log.info(
                "batch: %d claimed, %d embedded, %d failed, %d deferred (rate limited)",
                r.claimed, r.embedded, r.failed, r.deferred,
            )

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


async def run(config: Config, settings: Settings, *, once: bool, interval: float) -> Round:
    provider = EmbeddingProvider.from_config(config)
    if provider is None:
        raise SystemExit("no embedding provider: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)")
    conn = await asyncpg.connect(config.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    total = Round()
    try:
        await init_connection(conn)
        worker = Worker(conn, provider, settings)
        progress = Progress(await worker.pending())
        while not stop.is_set():
            r = await worker.round()
            progress.update(r)
            for name in ("claimed", "embedded", "failed", "deferred"):
                setattr(total, name, getattr(total, name) + getattr(r, name))
            if r.retry_after:
                await _sleep(stop, r.retry_after)
            elif r.claimed < settings.batch:  # nothing more due now
                if once:
                    break
                await _sleep(stop, interval)
        progress.close()
    finally:
        await conn.close()
        await provider.close()
    return total


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


def main(argv: Sequence[str] | None = None) -> None:
    defaults = Settings()
    parser = argparse.ArgumentParser(prog="python -m jobs.embed", description="Embed pending knowledge chunks.")
    parser.add_argument("--once", action="store_true", help="embed what is due, then exit (for cron)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls when idle (default: 5)")
    parser.add_argument("--batch", type=int, default=defaults.batch, help=f"chunks per request (default: {defaults.batch})")
    parser.add_argument("--lease", type=float, default=defaults.lease_seconds, help="seconds a claim lasts (default: 300)")
    parser.add_argument("--max-attempts", type=int, default=defaults.max_attempts, help="attempts before a chunk fails (default: 5)")
    parser.add_argument("--backoff", type=float, default=defaults.backoff_seconds, help="first retry delay in seconds, doubled each attempt (default: 30)")
    parser.add_argument("--model", help="only chunks of this model (default: every model)")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.lease <= 0 or args.max_attempts < 1 or args.backoff < 0 or args.interval <= 0:
        parser.error("--batch, --lease, --max-attempts and --interval must be positive, --backoff not negative")
    config = job_config(parser)
    settings = Settings(
        batch=args.batch, lease_seconds=args.lease, max_attempts=args.max_attempts, backoff_seconds=args.backoff,
        model=args.model,
    )
    total = asyncio.run(run(config, settings, once=args.once, interval=args.interval))
    log.info("done: %d embedded, %d failed attempts, %d deferred", total.embedded, total.failed, total.deferred)


if __name__ == "__main__":
    main()
