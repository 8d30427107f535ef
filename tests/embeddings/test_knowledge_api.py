"""POST /v1/agents/{id}/knowledge/search through HTTP: the query embedded by the real openai client (against the
local stand-in), both legs fused, the full-text leg alone without a provider, tenants apart."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import aiohttp
import asyncpg
import pytest
from openai_standin import API_KEY, EmbeddingsServer, vector
from pgvector import Vector
from support import Client, ClientFactory, TokenFactory, bearer, problem

from server.app import create_app
from server.config import Config

TEXTS = [
    "printer jams on floor 3",
    "reset a password in the settings page",
    "toner for the printer is in room 2",
    "quarterly revenue grew by ten percent",
]


@pytest.fixture
async def standin() -> AsyncIterator[EmbeddingsServer]:
    async with EmbeddingsServer() as server:
        yield server


@pytest.fixture
async def rag_client(config: Config, standin: EmbeddingsServer, aiohttp_client: ClientFactory) -> Client:
    """The API with the stand-in as its embedding provider."""
    return await aiohttp_client(
        create_app(dataclasses.replace(config, openai_base_url=standin.base_url, openai_api_key=API_KEY))
    )


async def rag_agent(client: Client, tok: str, conn: asyncpg.Connection) -> str:
    """An agent whose knowledge is embedded with the stand-in's 8-dimensional model, with TEXTS as its chunks."""
    resp = await client.post(
        "/v1/agents",
        json={"name": "Helpdesk", "type": "it_support", "rag_enabled": True, "embedding": {"model": "tiny-embed", "dims": 8}},
        headers=bearer(tok),
    )
    assert resp.status == 201, await resp.text()
    agent = await resp.json()
    source = uuid4()
    for index, text in enumerate(TEXTS):
        await conn.execute(
            """INSERT INTO embeddings (organization_id, agent_id, source_type, source_id, chunk_index, content, model,
                                       dims, embedding, status)
               SELECT organization_id, id, 'file', $2, $3, $4, 'tiny-embed', 8, $5, 'embedded' FROM agents WHERE id = $1""",
            agent["id"], source, index, text, Vector(vector(text, 8)),
        )
    return str(agent["id"])


async def search(client: Client, tok: str, agent: str, **body: Any) -> Any:
    return await client.post(f"/v1/agents/{agent}/knowledge/search", json=body, headers=bearer(tok))


async def test_the_query_is_embedded_and_both_legs_are_fused(
    rag_client: Client, token: TokenFactory, conn: asyncpg.Connection, standin: EmbeddingsServer
) -> None:
    tok = token()
    agent = await rag_agent(rag_client, tok, conn)
    resp = await search(rag_client, tok, agent, query="printer jams on floor 3", limit=3)
    assert resp.status == 200, await resp.text()
    found = await resp.json()
    assert found["vector_leg"] == "used" and found["model"] == "tiny-embed"
    top = found["items"][0]
    # The chunk whose text is the query is nearest (its vector is the query's) and matches every word.
    assert top["content"] == TEXTS[0] and top["vector_rank"] == 1 and top["text_rank"] == 1
    assert top["vector_distance"] == pytest.approx(0, abs=1e-6)
    assert top["fused_score"] == pytest.approx(1 / 61 + 1 / 61)
    assert len(found["items"]) == 3 and standin.texts == ["printer jams on floor 3"]
    scores = [item["fused_score"] for item in found["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_without_a_provider_the_full_text_leg_answers_alone(
    client: Client, token: TokenFactory, conn: asyncpg.Connection
) -> None:
    tok = token()
    agent = await rag_agent(client, tok, conn)
    found = await (await search(client, tok, agent, query="printer")).json()
    assert found["vector_leg"] == "no_embedding_provider"
    assert {item["content"] for item in found["items"]} == {TEXTS[0], TEXTS[2]}
    assert all(item["vector_rank"] is None and item["text_rank"] for item in found["items"])


async def test_a_failing_provider_leaves_the_full_text_leg(
    rag_client: Client, token: TokenFactory, conn: asyncpg.Connection, standin: EmbeddingsServer
) -> None:
    tok = token()
    agent = await rag_agent(rag_client, tok, conn)
    standin.fail_next(503)
    found = await (await search(rag_client, tok, agent, query="password")).json()
    assert found["vector_leg"] == "provider_unavailable"
    assert [item["content"] for item in found["items"]] == [TEXTS[1]]


async def test_another_organizations_agent_is_404_and_bad_input_422(
    rag_client: Client, token: TokenFactory, conn: asyncpg.Connection
) -> None:
    agent = await rag_agent(rag_client, token(), conn)
    outsider = token("user_carol", "org_b")
    await problem(await search(rag_client, outsider, agent, query="printer"), 404, "not_found")
    for bad in ({"query": ""}, {"query": "   "}, {"query": "x", "limit": 0}, {"query": "x", "k": 0},
                {"query": "x", "text_weight": -1}, {"query": "x", "other": 1}):
        await problem(await search(rag_client, token(), agent, **bad), 422, "validation_failed")


async def test_the_knowledge_state_counts_chunks_per_model_and_status(
    client: Client, token: TokenFactory, conn: asyncpg.Connection
) -> None:
    tok = token()
    agent = await rag_agent(client, tok, conn)  # four embedded chunks of tiny-embed
    await conn.execute(
        """INSERT INTO embeddings (organization_id, agent_id, source_type, source_id, chunk_index, content, model, dims,
                                   status, error)
           SELECT organization_id, id, 'url', gen_random_uuid(), i, 'chunk ' || i, 'tiny-embed', 8,
                  (CASE WHEN i = 0 THEN 'failed' ELSE 'pending' END)::embedding_status,
                  CASE WHEN i = 0 THEN '400: refused' END
           FROM agents, generate_series(0, 2) AS i WHERE id = $1""",
        agent,
    )
    resp = await client.get(f"/v1/agents/{agent}/knowledge", headers=bearer(tok))
    assert resp.status == 200, await resp.text()
    (state,) = (await resp.json())["models"]
    assert (state["model"], state["dims"], state["embedded"], state["pending"], state["failed"]) == ("tiny-embed", 8, 4, 2, 1)
    assert state["last_change"] is not None
    await problem(await client.get(f"/v1/agents/{agent}/knowledge", headers=bearer(token("user_carol", "org_b"))), 404, "not_found")


async def test_deleting_a_file_removes_the_knowledge_cut_from_it(
    client: Client, token: TokenFactory, conn: asyncpg.Connection
) -> None:
    tok = token()
    agent = await rag_agent(client, tok, conn)
    conversation = (await (await client.post("/v1/conversations", json={"title": "Docs"}, headers=bearer(tok))).json())["id"]
    form = aiohttp.FormData()
    form.add_field("file", b"printer manual\n", filename="manual.txt")
    created = await (await client.post(f"/v1/conversations/{conversation}/files", data=form, headers=bearer(tok))).json()
    await conn.execute(
        """INSERT INTO embeddings (organization_id, agent_id, source_type, source_id, chunk_index, content, model, dims)
           SELECT organization_id, id, 'file', $2, 0, 'printer manual', 'tiny-embed', 8 FROM agents WHERE id = $1""",
        agent, created["id"],
    )
    assert await conn.fetchval("SELECT count(*) FROM embeddings WHERE source_id = $1", created["id"]) == 1
    assert (await client.delete(f"/v1/files/{created['id']}", headers=bearer(tok))).status == 204
    assert await conn.fetchval("SELECT count(*) FROM embeddings WHERE source_id = $1", created["id"]) == 0
    assert await conn.fetchval("SELECT count(*) FROM embeddings") == len(TEXTS)  # the agent's other knowledge stays
