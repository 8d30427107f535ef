"""The routes of memories: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/memories",
        handler=handlers.list_memories,
        auth=Auth.MEMBER,
        summary="List the memories the caller may read, newest first",
        tag="memories",
        description="Organization-wide memories, the caller's private ones, and those of conversations the caller "
        "can access; every filter given narrows the list. private=true (only the caller's own) needs a signed-in "
        "user: 422 for API keys.",
    ),
    Route(
        method="POST",
        path="/v1/memories",
        handler=handlers.create_memory,
        auth=Auth.MEMBER,
        summary="Store a memory, or replace one by key",
        tag="memories",
        status=201,
        other_statuses=(200,),
        errors=("conflict",),
        idempotent=True,
        description="Without key: a new memory (201). With key: the memory with that key in the same scope "
        "(organization, private user, agent, conversation) is replaced whole, omitted fields taking their defaults "
        "(200; its id, created_at and access counters stay), or created (201); the database tells the two apart "
        "(xmax of the upserted row). Organization-wide unless private (needs a signed-in user: 422 for API keys). "
        "agent_id must be an agent the organization may use, conversation_id a conversation the caller owns or has "
        "shared with them (409 naming the field otherwise; API keys have no conversations).",
    ),
    Route(
        method="POST",
        path="/v1/memories/search",
        handler=handlers.search_memories,
        auth=Auth.MEMBER,
        summary="Recall memories by relevance, importance and recency",
        tag="memories",
        description="Scores each memory the caller may read (within the filters) as relevance^relevance_weight * "
        "importance^importance_weight * recency^recency_weight, best first, and shows the parts. relevance is the "
        "cosine similarity to embedding where the memory has a vector of embedding_model (same dimensions), else "
        "the full-text match of query (English and Japanese, as GET /v1/search); recency is "
        "exp(-decay_rate * days since the memory's last use, or its creation). Without embedding, a query "
        "restricts the candidates to memories matching it; without either, importance and recency alone rank. "
        "touch=true counts each result as a use. private=true needs a signed-in user (422 for API keys).",
    ),
    Route(
        method="GET",
        path="/v1/memories/{id}",
        handler=handlers.get_memory,
        auth=Auth.MEMBER,
        summary="Get a memory",
        tag="memories",
        description="A plain read changes nothing. touch=true counts the read as a use (access_count + 1, "
        "last_accessed_at now; not a change: updated_at and the history stay), for callers that put the memory "
        "to use, so that ranking sees it as recent.",
    ),
    Route(
        method="PATCH",
        path="/v1/memories/{id}",
        handler=handlers.update_memory,
        auth=Auth.MEMBER,
        summary="Change a memory",
        tag="memories",
        description="Omitted (or null) fields stay as they are; key and scope never change. Any member who can "
        "read the memory may change it. The change is recorded in its history.",
    ),
    Route(
        method="DELETE",
        path="/v1/memories/{id}",
        handler=handlers.delete_memory,
        auth=Auth.MEMBER,
        summary="Delete a memory",
        tag="memories",
        description="With its links, for good; its history stays readable (ending in a deleted event).",
    ),
    Route(
        method="GET",
        path="/v1/memories/{id}/history",
        handler=handlers.list_memory_history,
        auth=Auth.MEMBER,
        summary="List a memory's changes, oldest first",
        tag="memories",
        description="Created, updated and deleted events with the memory before and after (uses are not changes). "
        "Readable by whoever could read the memory, also after it was deleted.",
    ),
]
