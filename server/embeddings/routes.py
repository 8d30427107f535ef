"""The routes of knowledge search: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/agents/{id}/knowledge",
        handler=handlers.knowledge_state,
        auth=Auth.MEMBER,
        summary="How far an agent's knowledge is embedded: chunks pending, embedded and failed per model",
        tag="knowledge",
    ),
    Route(
        method="POST",
        path="/v1/agents/{id}/knowledge/search",
        handler=handlers.search_knowledge,
        auth=Auth.MEMBER,
        summary="Search an agent's knowledge (full text and vectors, fused)",
        tag="knowledge",
        description="Both legs are tenant-filtered before reciprocal rank fusion; each hit shows its rank and score "
        "in each leg and the fused score. Without an embedding provider the answer is the full-text leg alone "
        "(vector_leg says so).",
    ),
]
