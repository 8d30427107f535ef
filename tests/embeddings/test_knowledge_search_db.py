"""Knowledge search in SQL (db/functions/070_knowledge_search.sql): vector search that never comes back short under
the tenant filter, exact and HNSW paths agreeing, models side by side, hybrid fusion, and tenants apart."""

from __future__ import annotations

import random
from uuid import UUID, uuid4

import asyncpg
import pytest
from isolation import acting_as
from pgvector import Vector
from tenants import World, make_agent, make_world

from gen import embeddings as q

MODEL = "tiny-embed"
DIMS = 8


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    return await make_world(conn)


def unit(rng: random.Random, dims: int = DIMS) -> list[float]:
    values = [rng.gauss(0, 1) for _ in range(dims)]
    norm = sum(v * v for v in values) ** 0.5
    return [v / norm for v in values]


async def add(
    conn: asyncpg.Connection, org: UUID, agent: UUID, vectors: list[list[float] | None], *, texts: list[str] | None = None,
    model: str = MODEL,
) -> list[UUID]:
    """Chunks written directly (as the table owner): embedded, or pending where the vector is None."""
    source = uuid4()
    rows = [
        (org, agent, source, i, (texts[i] if texts else f"chunk {i} of {source}"), model, len(v) if v else DIMS,
         Vector(v) if v else None, "embedded" if v else "pending")
        for i, v in enumerate(vectors)
    ]
    ids = [uuid4() for _ in rows]
    await conn.copy_records_to_table(
        "embeddings",
        records=[(i, *row[:2], "file", *row[2:]) for i, row in zip(ids, rows, strict=True)],
        columns=["id", "organization_id", "agent_id", "source_type", "source_id", "chunk_index", "content", "model",
                 "dims", "embedding", "status"],
    )
    return ids


async def test_a_selective_filter_still_gets_exactly_limit_rows_through_the_hnsw_index(
    conn: asyncpg.Connection, world: World
) -> None:
    rng = random.Random(7)
    big = await make_agent(conn, world.org_a, "Big")
    await add(conn, world.org_a, big, [unit(rng) for _ in range(1500)])  # 98.7 % of the candidates
    await add(conn, world.org_b, world.agent_b, [unit(rng) for _ in range(500)])  # another tenant, same model
    mine = await add(conn, world.org_a, world.agent_a, [unit(rng) for _ in range(20)])  # 1 % of the index
    await q.ensure_embedding_index(conn, model=MODEL, dims=DIMS)
    await conn.execute("ANALYZE embeddings")
    query = Vector(unit(rng))
    async with acting_as(conn, world.a_alice):
        approximate = await q.search_knowledge_by_vector(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=query, limit=10, exact_below=0
        )
        exact = await q.search_knowledge_by_vector(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=query, limit=10, exact_below=10_000
        )
        everything = await q.search_knowledge_by_vector(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=query, limit=50, exact_below=0
        )
    assert len(approximate) == 10 and {r.id for r in approximate} <= set(mine)
    assert [r.id for r in approximate] == [r.id for r in exact]  # recall 1.0 here
    assert [r.distance for r in approximate] == sorted(r.distance for r in approximate)
    assert len(everything) == 20  # all there is, never more, never short


async def test_the_hnsw_path_uses_the_models_index_with_the_functions_own_settings(
    conn: asyncpg.Connection, world: World
) -> None:
    rng = random.Random(3)
    await add(conn, world.org_a, world.agent_a, [unit(rng) for _ in range(5000)])
    await q.ensure_embedding_index(conn, model=MODEL, dims=DIMS)
    await conn.execute("ANALYZE embeddings")
    await conn.execute("LOAD 'auto_explain'")
    await conn.execute("SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on")
    await conn.execute("SET client_min_messages = log; SET auto_explain.log_level = notice")
    # With a few hundred rows a sort is cheaper than the graph; at 5,000 the planner walks the model's index.

    plans: list[str] = []
    conn.add_log_listener(lambda _c, message: plans.append(str(message)))
    async with acting_as(conn, world.a_alice):
        rows = await q.search_knowledge_by_vector(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=Vector(unit(rng)), limit=5, exact_below=0
        )
        assert await conn.fetchval("SHOW hnsw.iterative_scan") == "off"  # the settings ended with the call
    assert len(rows) == 5
    assert any("Index Scan using embeddings_tiny_embed_8_" in plan for plan in plans), plans


async def test_models_of_different_dimensions_are_searched_apart(conn: asyncpg.Connection, world: World) -> None:
    rng = random.Random(5)
    small = await add(conn, world.org_a, world.agent_a, [unit(rng) for _ in range(5)])
    await add(conn, world.org_a, world.agent_a, [unit(rng, 16) for _ in range(5)], model="other-16")
    async with acting_as(conn, world.a_alice):
        rows = await q.search_knowledge_by_vector(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=Vector(unit(rng)), limit=10, exact_below=100
        )
        assert {r.id for r in rows} == set(small)
        with pytest.raises(asyncpg.InvalidParameterValueError):
            await q.search_knowledge_by_vector(
                conn, agent_id=world.agent_a, model="other-16", dims=16, query=Vector(unit(rng)), limit=10,
                exact_below=100,
            )


async def test_another_organization_and_no_tenant_find_nothing(conn: asyncpg.Connection, world: World) -> None:
    rng = random.Random(11)
    await add(conn, world.org_a, world.agent_a, [unit(rng) for _ in range(30)], texts=[f"printer {i}" for i in range(30)])
    await q.ensure_embedding_index(conn, model=MODEL, dims=DIMS)
    query = Vector(unit(rng))
    for exact_below in (0, 1000):
        async with acting_as(conn, world.b_carol):  # B names A's agent
            assert await q.search_knowledge_by_vector(
                conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=query, limit=10, exact_below=exact_below
            ) == []
            assert await q.search_knowledge(
                conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query_text="printer", query=query, limit=10,
                k=60, text_weight=1, vector_weight=1, candidates=50,
            ) == []
    async with conn.transaction():  # no tenant set at all
        await conn.execute("SET LOCAL ROLE app_tenant")
        assert await q.search_knowledge_by_vector(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query=query, limit=10, exact_below=0
        ) == []


async def test_hybrid_search_fuses_both_legs_and_answers_from_text_alone_without_a_vector(
    conn: asyncpg.Connection, world: World
) -> None:
    rng = random.Random(13)
    texts = ["the printer on floor 3 jams", "reset your password in settings", "printer toner is in room 2",
             "quarterly revenue grew", "pending chunk about the printer"]
    vectors: list[list[float] | None] = [unit(rng) for _ in range(4)] + [None]
    ids = await add(conn, world.org_a, world.agent_a, vectors, texts=texts)
    query = Vector(vectors[3] or [])  # nearest to "quarterly revenue grew"
    async with acting_as(conn, world.a_alice):
        both = await q.search_knowledge(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query_text="printer", query=query, limit=10,
            k=60, text_weight=1, vector_weight=1, candidates=50,
        )
        text_only = await q.search_knowledge(
            conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query_text="printer", query=None, limit=10,
            k=60, text_weight=1, vector_weight=1, candidates=50,
        )
    by_id = {r.id: r for r in both}
    # In both legs: the printer chunks that have vectors; vector only: the rest; text only: the pending chunk.
    assert by_id[ids[0]].text_rank and by_id[ids[0]].vector_rank
    assert by_id[ids[3]].text_rank is None and by_id[ids[3]].vector_rank == 1
    assert by_id[ids[4]].text_rank and by_id[ids[4]].vector_rank is None
    for row in both:
        expected = (1 / (60 + row.text_rank) if row.text_rank else 0) + (1 / (60 + row.vector_rank) if row.vector_rank else 0)
        assert row.fused_score == pytest.approx(expected)
    assert [r.fused_score for r in both] == sorted((r.fused_score for r in both), reverse=True)
    assert {r.id for r in text_only} == {ids[0], ids[2], ids[4]}
    assert all(r.vector_rank is None and r.text_rank for r in text_only)


async def test_the_full_text_leg_finds_japanese_terms_of_any_length_and_stems_english(
    conn: asyncpg.Connection, world: World
) -> None:
    texts = ["稟議の承認フローについて説明します", "パスワードを忘れた場合の手順", "The printers were jammed again",
             "承認されたフォーム"]
    ids = await add(conn, world.org_a, world.agent_a, [None] * len(texts), texts=texts)

    async def text_hits(query: str) -> set[UUID]:
        async with acting_as(conn, world.a_alice):
            rows = await q.search_knowledge(
                conn, agent_id=world.agent_a, model=MODEL, dims=DIMS, query_text=query, query=None, limit=10,
                k=60, text_weight=1, vector_weight=1, candidates=50,
            )
        return {r.id for r in rows}

    assert await text_hits("稟") == {ids[0]}
    assert await text_hits("稟議") == {ids[0]}
    assert await text_hits("承認フロー") == {ids[0]}  # not 承認されたフォーム: its bigrams differ
    assert await text_hits("パスワード") == {ids[1]}
    assert await text_hits("承認") == {ids[0], ids[3]}
    assert await text_hits("printer jam") == {ids[2]}  # stemmed: printers, jammed
    assert await text_hits("") == set()
