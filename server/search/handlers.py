"""GET /v1/search: full text over messages, conversation chunks and memories, in English and Japanese.

The search runs in fn.search (db/functions/040_search.sql), a SECURITY
DEFINER function that takes the organization and user from the tenant
settings and applies the tables' visibility rules itself: under row level
security the full-text operators (not leakproof) could not use the GIN
indexes. So a caller finds exactly what they could read: messages and chunks
of conversations they own or that are shared with them, organization-wide
memories, their own private ones, and those of conversations they can access.
An API key (no user) finds organization-wide memories only.
"""

from __future__ import annotations

from gen import search as q

from ..pipeline.context import Context
from ..pipeline.pagination import Page
from .models import SearchHit, SearchPosition, SearchQuery


async def search(ctx: Context, *, query: SearchQuery) -> Page[SearchHit]:
    at = query.position()
    async with ctx.tx() as conn:
        rows = await q.search(
            conn,
            query=query.q,
            types=query.type_list(),
            conversation_id=query.conversation_id,
            agent_id=query.agent_id,
            cursor_rank=None if at is None else at.rank,
            cursor_kind=None if at is None else at.kind,
            cursor_id=None if at is None else at.id,
            limit=query.limit + 1,
        )
    shown = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit and shown:
        last = shown[-1]
        assert last.rank is not None and last.kind is not None and last.id is not None  # fn.search's columns
        next_cursor = SearchPosition(last.rank, last.kind, last.id).encode()
    return Page[SearchHit](items=[SearchHit.from_row(row) for row in shown], next_cursor=next_cursor)
