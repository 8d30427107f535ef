"""The embedding worker (jobs.embed) with the real `openai` client against a local OpenAI-compatible server.

The stand-in (tests/openai_standin.py) returns deterministic vectors and fails
on demand: rate limits with Retry-After, server errors, rejected requests.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from isolation import acting_as
from openai_standin import API_KEY, EmbeddingsServer, vector
from tenants import World, make_world

from gen import embeddings
from gen.models import EmbeddingSourceType
from jobs.embed import Settings, Worker
from server.config import ROOT, Config
from server.embeddings.provider import EmbeddingProvider


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    return await make_world(conn)


@pytest.fixture
async def standin() -> AsyncIterator[EmbeddingsServer]:
    async with EmbeddingsServer() as server:
        yield server


@pytest.fixture
async def provider(standin: EmbeddingsServer, config: Config) -> AsyncIterator[EmbeddingProvider]:
    found = EmbeddingProvider.from_config(
        dataclasses.replace(config, openai_base_url=standin.base_url, openai_api_key=API_KEY)
    )
    assert found is not None
    yield found
    await found.close()


async def add_chunks(
    conn: asyncpg.Connection, world: World, texts: list[str], *, model: str = "tiny-embed", dims: int = 8
) -> list[Any]:
    rows = []
    source = uuid4()
    async with acting_as(conn, world.a_alice):
        for index, text in enumerate(texts):
            row = await embeddings.upsert_embedding_chunk(
                conn, organization_id=world.org_a, agent_id=world.agent_a, source_type=EmbeddingSourceType.FILE,
                source_id=source, chunk_index=index, content=text, model=model, dims=dims, metadata=None,
            )
            rows.append(row)
    return rows


async def states(conn: asyncpg.Connection) -> dict[str, asyncpg.Record]:
    found = await conn.fetch("SELECT content, status, attempts, error, run_after, embedding, model FROM embeddings")
    return {r["content"]: r for r in found}


async def test_pending_chunks_of_two_models_are_embedded_and_indexed(
    conn: asyncpg.Connection, world: World, provider: EmbeddingProvider, standin: EmbeddingsServer
) -> None:
    await add_chunks(conn, world, ["printer jams on floor 3", "password reset steps"], model="tiny-embed", dims=8)
    await add_chunks(conn, world, ["quarterly revenue"], model="text-embedding-3-small", dims=16)
    worker = Worker(conn, provider, Settings(batch=10))
    result = await worker.round()
    assert (result.claimed, result.embedded, result.failed) == (3, 3, 0)
    found = await states(conn)
    for text, dims in (("printer jams on floor 3", 8), ("password reset steps", 8), ("quarterly revenue", 16)):
        assert found[text]["status"] == "embedded"
        assert found[text]["embedding"].to_list() == pytest.approx(vector(text, dims), abs=1e-6)
    # text-embedding-3 models are asked for the agent's dimensions; others get none.
    assert {r["model"]: r.get("dimensions") for r in standin.requests} == {"tiny-embed": None, "text-embedding-3-small": 16}
    indexes = await conn.fetch("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'embeddings_%_hnsw'")
    assert len(indexes) == 2
    assert (await worker.round()).claimed == 0


async def test_unchanged_text_is_never_embedded_again(
    conn: asyncpg.Connection, world: World, provider: EmbeddingProvider, standin: EmbeddingsServer
) -> None:
    rows = await add_chunks(conn, world, ["one", "two"])
    worker = Worker(conn, provider, Settings())
    await worker.round()
    async with acting_as(conn, world.a_alice):  # re-ingesting the same source: same texts, one changed
        for index, text in enumerate(["one", "two, revised"]):
            await embeddings.upsert_embedding_chunk(
                conn, organization_id=world.org_a, agent_id=world.agent_a, source_type=EmbeddingSourceType.FILE,
                source_id=rows[0].source_id, chunk_index=index, content=text, model="tiny-embed", dims=8, metadata=None,
            )
    result = await worker.round()
    assert (result.claimed, result.embedded) == (1, 1)
    assert sorted(standin.texts) == ["one", "two", "two, revised"]


async def test_a_rate_limit_gives_the_chunks_back_until_retry_after_without_counting_an_attempt(
    conn: asyncpg.Connection, world: World, provider: EmbeddingProvider, standin: EmbeddingsServer
) -> None:
    await add_chunks(conn, world, ["alpha", "beta"])
    standin.fail_next(429, retry_after="2")
    worker = Worker(conn, provider, Settings())
    before = await conn.fetchval("SELECT now()")
    result = await worker.round()
    assert (result.deferred, result.retry_after, result.embedded) == (2, 2.0, 0)
    for row in (await states(conn)).values():
        assert row["status"] == "pending" and row["attempts"] == 0
        assert 1.5 <= (row["run_after"] - before).total_seconds() <= 10
    assert (await worker.round()).claimed == 0  # not due yet
    await conn.execute("UPDATE embeddings SET run_after = now()")  # Retry-After has passed
    assert (await worker.round()).embedded == 2


async def test_server_errors_back_off_then_fail_and_rejected_requests_fail_at_once(
    conn: asyncpg.Connection, world: World, provider: EmbeddingProvider, standin: EmbeddingsServer
) -> None:
    await add_chunks(conn, world, ["flaky"])
    worker = Worker(conn, provider, Settings(max_attempts=2, backoff_seconds=60))
    standin.fail_next(500, times=2)
    result = await worker.round()
    assert result.failed == 1
    row = (await states(conn))["flaky"]
    assert row["status"] == "pending" and row["attempts"] == 1 and row["error"].startswith("500")
    await conn.execute("UPDATE embeddings SET run_after = now()")
    await worker.round()
    row = (await states(conn))["flaky"]
    assert row["status"] == "failed" and row["attempts"] == 2  # max_attempts reached

    await add_chunks(conn, world, ["refused"])
    standin.fail_next(400)
    await worker.round()
    row = (await states(conn))["refused"]
    assert row["status"] == "failed" and row["attempts"] == 1 and row["error"].startswith("400")


async def test_a_model_that_returns_other_dimensions_is_refused(
    conn: asyncpg.Connection, world: World, provider: EmbeddingProvider
) -> None:
    await add_chunks(conn, world, ["mismatch"], model="tiny-embed", dims=12)  # the stand-in's tiny-embed gives 8
    await Worker(conn, provider, Settings()).round()
    row = (await states(conn))["mismatch"]
    assert row["status"] == "failed" and "8 dimensions, 12 were asked for" in row["error"]


async def test_two_workers_at_once_embed_every_chunk_exactly_once(
    conn: asyncpg.Connection, world: World, provider: EmbeddingProvider, standin: EmbeddingsServer, database_url: str
) -> None:
    texts = [f"chunk number {i}" for i in range(40)]
    await add_chunks(conn, world, texts)
    connections = [await asyncpg.connect(database_url) for _ in range(2)]
    try:
        from gen import init_connection

        for c in connections:
            await init_connection(c)
        workers = [Worker(c, provider, Settings(batch=3)) for c in connections]

        async def drain(worker: Worker) -> int:
            done = 0
            while (r := await worker.round()).claimed:
                done += r.embedded
                await asyncio.sleep(0)
            return done

        counts = await asyncio.gather(*(drain(w) for w in workers))
    finally:
        for c in connections:
            await c.close()
    assert sum(counts) == 40 and all(counts)
    assert sorted(standin.texts) == sorted(texts)  # no text was sent twice
    assert {r["status"] for r in (await states(conn)).values()} == {"embedded"}


async def test_the_job_runs_once_from_the_command_line(
    conn: asyncpg.Connection, world: World, standin: EmbeddingsServer, database_url: str
) -> None:
    await add_chunks(conn, world, ["from the command line", "second"])
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {"DATABASE_URL": database_url}

    def job(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jobs.embed", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    unconfigured = await asyncio.to_thread(job, base)
    assert unconfigured.returncode != 0 and "no embedding provider" in unconfigured.stderr
    done = await asyncio.to_thread(job, base | {"OPENAI_BASE_URL": standin.base_url, "OPENAI_API_KEY": API_KEY})
    assert done.returncode == 0, done.stderr
    assert "2 claimed, 2 embedded" in done.stderr and "done: 2 embedded" in done.stderr
    assert {r["status"] for r in (await states(conn)).values()} == {"embedded"}
