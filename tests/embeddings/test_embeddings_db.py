"""Knowledge embeddings and their per-model HNSW indexes through the generated code."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from isolation import Tenant, acting_as, acting_as_system, leaks, refused, visible_rows
from pgvector import Vector
from tenants import World, make_world

from gen import embeddings, init_connection, tenancy
from gen.models import EmbeddingSourceType, EmbeddingStatus

MODEL = "text-embedding-3-small"


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    """Organizations A and B with users, an agent each, and alice's conversation shared with bob."""
    return await make_world(conn)


async def chunk(
    conn: asyncpg.Connection, world: World, tenant: Tenant, content: str, *, source: UUID, index: int = 0,
    model: str = MODEL, dims: int = 3, agent: UUID | None = None, metadata: dict[str, Any] | None = None,
) -> Any:
    row = await embeddings.upsert_embedding_chunk(
        conn, organization_id=tenant.org, agent_id=agent or world.agent_a, source_type=EmbeddingSourceType.FILE,
        source_id=source, chunk_index=index, content=content, model=model, dims=dims, metadata=metadata,
    )
    assert row is not None
    return row


async def test_embeddings_are_isolated_between_organizations(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        row = await chunk(conn, world, world.a_alice, "The approval flow needs two managers.", source=uuid4())
    assert await leaks(conn, "embeddings", row.id, world.b_carol) == []
    assert await leaks(conn, "embeddings", row.id, world.a_dave) != [], "organization-wide: every member reads and maintains it"
    assert await visible_rows(conn, ["embeddings"]) == {}


async def test_knowledge_is_added_only_for_agents_the_organization_may_use(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        async with refused(conn):
            await chunk(conn, world, world.a_alice, "text", source=uuid4(), agent=world.agent_b)


async def test_unchanged_content_keeps_its_vector_and_changed_content_is_embedded_again(conn: asyncpg.Connection, world: World) -> None:
    source = uuid4()
    async with acting_as(conn, world.a_alice):
        first = await chunk(conn, world, world.a_alice, "稟議の承認フロー", source=source)
        assert first.status == EmbeddingStatus.PENDING
        assert first.content_hash == hashlib.sha256("稟議の承認フロー".encode()).hexdigest()
    async with acting_as_system(conn):
        claimed = await embeddings.claim_pending_embeddings(conn, lease_seconds=60, model=MODEL, limit=10)
        assert [(c.id, c.attempts) for c in claimed] == [(first.id, 1)]
        done = await embeddings.set_embedding(conn, id=first.id, content_hash=first.content_hash, embedding=Vector([0.1, 0.2, 0.3]))
        assert done is not None and done.status == EmbeddingStatus.EMBEDDED
    async with acting_as(conn, world.a_alice):
        same = await chunk(conn, world, world.a_alice, "稟議の承認フロー", source=source, metadata={"page": 2})
        assert same.id == first.id and same.status == EmbeddingStatus.EMBEDDED and same.metadata == {"page": 2}
        kept = await embeddings.get_embedding(conn, id=first.id)
        assert kept is not None and kept.embedding is not None and kept.embedding.to_list() == pytest.approx([0.1, 0.2, 0.3])
        changed = await chunk(conn, world, world.a_alice, "稟議の承認フロー (改訂)", source=source)
        assert changed.id == first.id and changed.status == EmbeddingStatus.PENDING and changed.attempts == 0
        assert changed.content_hash != first.content_hash and changed.embedded_at is None
        reset = await embeddings.get_embedding(conn, id=first.id)
        assert reset is not None and reset.embedding is None
    async with acting_as_system(conn):
        # A vector computed for the old text arrives late: refused, the chunk waits for the new text's.
        assert await embeddings.set_embedding(conn, id=first.id, content_hash=first.content_hash, embedding=Vector([1.0, 0.0, 0.0])) is None


async def test_claimed_chunks_are_leased_and_failures_back_off(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        row = await chunk(conn, world, world.a_alice, "text", source=uuid4())
    async with acting_as_system(conn):
        assert len(await embeddings.claim_pending_embeddings(conn, lease_seconds=60, model=None, limit=10)) == 1
        assert await embeddings.claim_pending_embeddings(conn, lease_seconds=60, model=None, limit=10) == [], "leased"
        failed = await embeddings.fail_embedding(conn, id=row.id, content_hash=row.content_hash, error="rate limited", max_attempts=2, backoff_seconds=5)
        assert failed is not None and failed.status == EmbeddingStatus.PENDING and failed.error == "rate limited"
    await conn.execute("UPDATE embeddings SET run_after = now() WHERE id = $1", row.id)  # time passes
    async with acting_as_system(conn):
        assert [c.attempts for c in await embeddings.claim_pending_embeddings(conn, lease_seconds=60, model=None, limit=10)] == [2]
        final = await embeddings.fail_embedding(conn, id=row.id, content_hash=row.content_hash, error="rate limited", max_attempts=2, backoff_seconds=5)
        assert final is not None and final.status == EmbeddingStatus.FAILED
    async with acting_as(conn, world.a_alice):
        assert await embeddings.retry_failed_embeddings(conn, organization_id=world.org_a, agent_id=world.agent_a, model=MODEL) == 1
        again = await embeddings.get_embedding(conn, id=row.id)
        assert again is not None and (again.status, again.attempts) == (EmbeddingStatus.PENDING, 0)


async def test_two_embedding_workers_never_claim_one_chunk(conn: asyncpg.Connection, database_url: str, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        made = {(await chunk(conn, world, world.a_alice, f"c{i}", source=uuid4())).id for i in range(20)}
    workers = [await asyncpg.connect(database_url) for _ in range(2)]
    for w in workers:
        await init_connection(w)

    async def run(w: asyncpg.Connection) -> list[UUID]:
        claimed: list[UUID] = []
        while True:
            async with w.transaction():
                await tenancy.enter_system(w)
                batch = await embeddings.claim_pending_embeddings(w, lease_seconds=300, model=MODEL, limit=3)
                await asyncio.sleep(0.01)
            if not batch:
                return claimed
            claimed.extend(c.id for c in batch)

    try:
        first, second = await asyncio.gather(run(workers[0]), run(workers[1]))
    finally:
        for w in workers:
            await w.close()
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(made)


async def test_vectors_must_have_the_chunks_dimensions(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        row = await chunk(conn, world, world.a_alice, "text", source=uuid4(), dims=3)
        async with refused(conn, asyncpg.CheckViolationError) as error:
            await embeddings.set_embedding(conn, id=row.id, content_hash=row.content_hash, embedding=Vector([1.0, 2.0]))
        assert error.value.constraint_name == "embeddings_vector_has_model_dims"
        async with refused(conn, asyncpg.CheckViolationError):
            await chunk(conn, world, world.a_alice, "text", source=uuid4(), dims=0)
        async with refused(conn, asyncpg.CheckViolationError):
            await conn.execute("UPDATE embeddings SET status = 'embedded' WHERE id = $1", row.id)


async def test_re_chunking_and_deleting_a_source(conn: asyncpg.Connection, world: World) -> None:
    source = uuid4()
    async with acting_as(conn, world.a_alice):
        for i in range(5):
            await chunk(conn, world, world.a_alice, f"part {i}", source=source, index=i)
            await chunk(conn, world, world.a_alice, f"part {i}", source=source, index=i, model="other-model", dims=4)
        assert await embeddings.delete_embedding_chunks_from(
            conn, organization_id=world.org_a, source_type=EmbeddingSourceType.FILE, source_id=source, agent_id=world.agent_a, model=MODEL, chunk_index=3
        ) == 2
        rows = await embeddings.list_embeddings_of_source(
            conn, organization_id=world.org_a, source_type=EmbeddingSourceType.FILE, source_id=source, agent_id=world.agent_a
        )
        assert [(r.model, r.chunk_index) for r in rows] == [("other-model", i) for i in range(5)] + [(MODEL, i) for i in range(3)]
        page = await embeddings.list_agent_embeddings(
            conn, organization_id=world.org_a, agent_id=world.agent_a, model="other-model", status=EmbeddingStatus.PENDING, cursor_id=None, limit=10
        )
        assert len(page) == 5
        assert await embeddings.delete_embeddings_of_source(
            conn, organization_id=world.org_a, source_type=EmbeddingSourceType.FILE, source_id=source
        ) == 8


# ---------------------------------------------------------------------------
# Per-model HNSW indexes


async def index_names(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' AND indexdef LIKE '%hnsw%' ORDER BY 1")
    return [r["indexname"] for r in rows]


async def test_ensuring_a_model_index_is_idempotent_and_validates_its_input(conn: asyncpg.Connection) -> None:
    name = await embeddings.ensure_embedding_index(conn, model=MODEL, dims=1536)
    assert name is not None and name == await embeddings.ensure_embedding_index(conn, model=MODEL, dims=1536)
    assert name.startswith("embeddings_text_embedding_3_small_1536_") and name.endswith("_hnsw") and len(name) <= 63
    odd = await embeddings.ensure_embedding_index(conn, model="Robert'); DROP TABLE embeddings; --", dims=8)
    other = await embeddings.ensure_embedding_index(conn, model="text-embedding-3-small", dims=512)
    assert await index_names(conn) == sorted({name, odd, other})
    definition = await conn.fetchval("SELECT indexdef FROM pg_indexes WHERE indexname = $1", odd)
    assert "WHERE ((model = 'Robert''); DROP TABLE embeddings; --'::text) AND (dims = 8))" in definition
    for dims in (0, 2001):
        with pytest.raises(asyncpg.InvalidParameterValueError):
            await embeddings.ensure_embedding_index(conn, model=MODEL, dims=dims)
    with pytest.raises(asyncpg.InvalidParameterValueError):
        await embeddings.ensure_embedding_index(conn, model=" ", dims=3)


async def test_tenant_and_system_roles_cannot_create_indexes(conn: asyncpg.Connection, world: World) -> None:
    for enter in (lambda: tenancy.enter_tenant(conn, org_id=world.org_a, user_id=world.alice), lambda: tenancy.enter_system(conn)):
        async with conn.transaction():
            await enter()
            async with refused(conn):
                await embeddings.ensure_embedding_index(conn, model=MODEL, dims=3)


async def test_vector_search_of_one_model_uses_its_hnsw_index(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        for i in range(40):
            for model, dims in ((MODEL, 3), ("wide-model", 5)):
                row = await chunk(conn, world, world.a_alice, f"chunk {i}", source=uuid4(), model=model, dims=dims)
                vector = Vector([float((i * (k + 1)) % 7) + 0.5 for k in range(dims)])
                assert await embeddings.set_embedding(conn, id=row.id, content_hash=row.content_hash, embedding=vector) is not None
    name = await embeddings.ensure_embedding_index(conn, model=MODEL, dims=3)
    await embeddings.ensure_embedding_index(conn, model="wide-model", dims=5)
    await conn.execute("ANALYZE embeddings")
    query = """
        SELECT id, embedding::vector(3) <=> $1::vector(3) AS distance
        FROM embeddings
        WHERE model = 'text-embedding-3-small' AND dims = 3
        ORDER BY embedding::vector(3) <=> $1::vector(3)
        LIMIT 5
    """
    async with acting_as(conn, world.a_alice):
        # 40 rows: left alone the planner would rather sort them; the question is whether the index serves the query.
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_bitmapscan = off")
        plan = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + query, Vector([1.0, 2.0, 3.0])))
        found = await conn.fetch(query, Vector([1.0, 2.0, 3.0]))
    assert f"Index Scan using {name}" in plan, plan
    assert len(found) == 5
    distances = [r["distance"] for r in found]
    assert distances == sorted(distances)
    async with acting_as(conn, world.b_carol):
        await conn.execute("SET LOCAL enable_seqscan = off")
        assert await conn.fetch(query, Vector([1.0, 2.0, 3.0])) == [], "the index does not bypass row level security"


# ---------------------------------------------------------------------------
# ON DELETE


async def test_deleting_an_agent_or_organization_removes_its_embeddings(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        await chunk(conn, world, world.a_alice, "a", source=uuid4())
    async with acting_as(conn, world.b_carol):
        await chunk(conn, world, world.b_carol, "b", source=uuid4(), agent=world.agent_b)
    await conn.execute("DELETE FROM agents WHERE id = $1", world.agent_a)
    assert await conn.fetchval("SELECT count(*) FROM embeddings WHERE organization_id = $1", world.org_a) == 0
    await conn.execute("DELETE FROM organizations WHERE id = $1", world.org_b)
    assert await conn.fetchval("SELECT count(*) FROM embeddings") == 0


async def test_the_system_role_embeds_and_deletes_but_does_not_rewrite_content(conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(conn, world.a_alice):
        row = await chunk(conn, world, world.a_alice, "a", source=uuid4())
    async with acting_as_system(conn):
        async with refused(conn):
            await conn.execute("UPDATE embeddings SET content = 'x'")
        async with refused(conn):
            await conn.execute(
                "INSERT INTO embeddings (organization_id, agent_id, source_type, source_id, chunk_index, content, model, dims)"
                " VALUES ($1, $2, 'file', $3, 0, 'x', 'm', 3)",
                world.org_a, world.agent_a, uuid4(),
            )
        assert await conn.execute("DELETE FROM embeddings WHERE id = $1", row.id) == "DELETE 1"
