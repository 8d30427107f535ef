"""POST /v1/agents/{id}/knowledge/search: hybrid search of an agent's knowledge.

The query is embedded with the agent's embedding model (the platform default,
text-embedding-3-small at 1536 dimensions, when the agent names none) and both
legs run in one SQL function (fn.knowledge_hybrid_search), tenant-filtered
before fusion. Without a provider, or when it fails, the answer is the
full-text leg alone and `vector_leg` says why.
"""

from __future__ import annotations

import logging
from typing import Literal

from aiohttp import web
from pgvector import Vector

from gen import embeddings as q

from ..agents.handlers import visible_agent
from ..pipeline.context import Context
from ..types import IdPath
from .models import KnowledgeHit, KnowledgeModelState, KnowledgeResults, KnowledgeSearch, KnowledgeState
from .provider import EmbeddingProvider, ProviderError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "text-embedding-3-small"
DEFAULT_DIMS = 1536
CANDIDATES = 100  # each leg's best chunks before fusion

# The app's embedding provider, or None when none is configured (set by server.app.create_app).
EMBEDDINGS: web.AppKey[EmbeddingProvider | None] = web.AppKey("embeddings")


async def search_knowledge(ctx: Context, *, path: IdPath, body: KnowledgeSearch) -> KnowledgeResults:
    async with ctx.tx() as conn:
        agent = await visible_agent(conn, path.id)
    model = agent.embedding_model or DEFAULT_MODEL
    dims = agent.embedding_dims or DEFAULT_DIMS
    provider = ctx.app[EMBEDDINGS]
    vector: Vector | None = None
    leg: Literal["used", "no_embedding_provider", "provider_unavailable"] = "no_embedding_provider"
    if provider is not None:
        try:
            (values,) = await provider.embed(model, dims, [body.query])
            vector, leg = Vector(values), "used"
        except ProviderError as exc:
            log.warning("knowledge search without its vector leg: %s", exc)
            leg = "provider_unavailable"
    async with ctx.tx() as conn:
        rows = await q.search_knowledge(
            conn, agent_id=agent.id, model=model, dims=dims, query_text=body.query, query=vector, limit=body.limit,
            k=body.k, text_weight=body.text_weight, vector_weight=body.vector_weight, candidates=CANDIDATES,
        )
    return KnowledgeResults(items=[KnowledgeHit.from_row(r) for r in rows], model=model, vector_leg=leg)


async def knowledge_state(ctx: Context, *, path: IdPath) -> KnowledgeState:
    async with ctx.tx() as conn:
        agent = await visible_agent(conn, path.id)
        rows = await q.count_agent_embeddings(conn, organization_id=ctx.org_id, agent_id=agent.id)
    models: dict[tuple[str, int], KnowledgeModelState] = {}
    for row in rows:
        state = models.setdefault(
            (row.model, row.dims),
            KnowledgeModelState(model=row.model, dims=row.dims, pending=0, embedded=0, failed=0, last_change=None),
        )
        setattr(state, row.status.value, row.chunks)
        state.last_change = max(filter(None, (state.last_change, row.last_change)), default=None)
    return KnowledgeState(models=list(models.values()))
