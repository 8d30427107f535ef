"""/v1/memories: an organization's memories, listed by scope and filters, stored (or replaced by key), changed.

Row level security decides (db/schema/..._create_memories.sql): a member reads,
changes and deletes the organization-wide memories and their own private ones,
and those of a conversation only while they can access the conversation.
Everything else is 404. An API key acts without a user: it has no private
memories and no conversations, so it works with organization-wide memories,
optionally of an agent.

A memory's scope (private, agent, conversation) and key are set when it is
stored and never change; a write naming an agent or conversation the caller
cannot use is 409 naming the field (the insert policy would refuse it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from pgvector import Vector

from gen import Connection
from gen import memories as q
from gen.memories import GetMemoryRow, RecallMemoriesRow

from ..agents.handlers import referenced_agent
from ..conversations.handlers import referenced_conversation
from ..pipeline.context import Context
from ..pipeline.pagination import Page, PageQuery
from ..pipeline.problems import FieldError, not_found, validation_problem
from ..pipeline.route import Answer
from ..types import IdPath, Items
from .models import (
    MemoryCreate,
    MemoryEventOut,
    MemoryGetQuery,
    MemoryOut,
    MemoryQuery,
    MemorySearch,
    MemorySearchHit,
    MemoryUpdate,
    ScoreParts,
)

CONSTRAINT_FIELDS = {
    "memories_agent_id_fkey": ["body", "agent_id"],
    "memories_organization_id_conversation_id_fkey": ["body", "conversation_id"],
    "memories_user_id_fkey": ["body", "private"],
    "memories_key_check": ["body", "key"],
    "memories_content_check": ["body", "content"],
    "memories_importance_check": ["body", "importance"],
    "memories_decay_rate_check": ["body", "decay_rate"],
}


def _caller_user_id(ctx: Context, loc: list[str | int]) -> UUID:
    """The caller's user, for a private memory; 422 naming loc for an API key (it has no user)."""
    user_id = ctx.principal.user_id
    if user_id is None:
        raise validation_problem(
            [FieldError(loc=loc, message="API keys have no private memories; this needs a signed-in user")]
        )
    return user_id


async def _visible_memory(conn: Connection, memory_id: UUID) -> GetMemoryRow:
    memory = await q.get_memory(conn, id=memory_id)
    if memory is None:
        raise not_found("memory")
    return memory


async def list_memories(ctx: Context, *, query: MemoryQuery) -> Page[MemoryOut]:
    user_id = _caller_user_id(ctx, ["query", "private"]) if query.private else None
    async with ctx.tx() as conn:
        rows = await q.list_memories(
            conn,
            organization_id=ctx.org_id,
            user_id=user_id,
            shared_only=query.private is False,
            agent_id=query.agent_id,
            conversation_id=query.conversation_id,
            kind=query.kind,
            memory_type=query.memory_type,
            tags_any=query.tag_list(query.tags_any),
            tags_all=query.tag_list(query.tags_all),
            content_contains=None,
            min_importance=query.min_importance,
            **query.window(),
        )
    return Page[MemoryOut].of(rows, query, MemoryOut.from_row)


async def create_memory(ctx: Context, *, body: MemoryCreate) -> Answer[MemoryOut]:
    user_id = _caller_user_id(ctx, ["body", "private"]) if body.private else None
    organization_id = ctx.org_id
    async with ctx.write_tx(CONSTRAINT_FIELDS) as conn:
        # The insert policy admits only agents the organization may use and conversations the caller can
        # access: ask first, so that the answer names the field instead of a policy violation.
        if body.agent_id is not None:
            await referenced_agent(conn, body.agent_id)
        if body.conversation_id is not None:
            await referenced_conversation(conn, body.conversation_id)
        if body.key is None:
            created = await q.create_memory(
                conn,
                organization_id=organization_id,
                user_id=user_id,
                agent_id=body.agent_id,
                conversation_id=body.conversation_id,
                kind=body.kind,
                memory_type=body.memory_type,
                key=None,
                content=body.content,
                tags=body.tag_values(),
                importance=body.importance,
                decay_rate=body.decay_rate,
            )
            assert created is not None  # INSERT ... RETURNING
            return Answer(MemoryOut.from_row(created))
        stored = await q.upsert_memory_by_key(
            conn,
            organization_id=organization_id,
            user_id=user_id,
            agent_id=body.agent_id,
            conversation_id=body.conversation_id,
            kind=body.kind,
            memory_type=body.memory_type,
            key=body.key,
            content=body.content,
            tags=body.tag_values(),
            importance=body.importance,
            decay_rate=body.decay_rate,
        )
    assert stored is not None  # INSERT ... ON CONFLICT DO UPDATE ... RETURNING
    out = MemoryOut.from_row(stored)
    return Answer(out, status=None if stored.inserted else 200)


async def get_memory(ctx: Context, *, path: IdPath, query: MemoryGetQuery) -> MemoryOut:
    memory_id = path.id
    touch = query.touch
    async with ctx.tx() as conn:
        out = MemoryOut.from_row(await _visible_memory(conn, memory_id))
        if touch:
            used = await q.use_memory(conn, id=memory_id)
            if used is None:  # deleted meanwhile
                raise not_found("memory")
            out = out.model_copy(update={"access_count": used.access_count, "last_accessed_at": used.last_accessed_at})
    return out


async def update_memory(ctx: Context, *, path: IdPath, body: MemoryUpdate) -> MemoryOut:
    memory_id = path.id
    async with ctx.write_tx(CONSTRAINT_FIELDS) as conn:
        if not body.model_dump(exclude_none=True):
            # Nothing to change: no UPDATE, so updated_at stays and no history is written.
            return MemoryOut.from_row(await _visible_memory(conn, memory_id))
        row = await q.update_memory(
            conn,
            id=memory_id,
            kind=body.kind,
            memory_type=body.memory_type,
            content=body.content,
            tags=body.tag_values(),
            importance=body.importance,
            decay_rate=body.decay_rate,
        )
    if row is None:
        raise not_found("memory")
    return MemoryOut.from_row(row)


async def delete_memory(ctx: Context, *, path: IdPath) -> None:
    memory_id = path.id
    async with ctx.tx() as conn:
        if await q.delete_memory(conn, id=memory_id) == 0:
            raise not_found("memory")


async def list_memory_history(ctx: Context, *, path: IdPath, query: PageQuery) -> Page[MemoryEventOut]:
    memory_id = path.id
    organization_id = ctx.org_id
    async with ctx.tx() as conn:
        rows = await q.list_memory_events(
            conn,
            organization_id=organization_id,
            memory_id=memory_id,
            **query.window(),
        )
        # Every memory has its created event, and the history outlives the memory: an empty page is a
        # memory the caller cannot read (404) unless a cursor paged past the end of a readable history.
        if not rows and (
            query.cursor is None
            or not await q.list_memory_events(
                conn, organization_id=organization_id, memory_id=memory_id, cursor_at=None, cursor_id=None, limit=1
            )
        ):
            raise not_found("memory")
    return Page[MemoryEventOut].of(rows, query, MemoryEventOut.from_row)


async def search_memories(ctx: Context, *, body: MemorySearch) -> Items[MemorySearchHit]:
    if body.embedding is not None and body.embedding_model is None:
        raise validation_problem([FieldError(loc=["body", "embedding_model"], message="required with embedding")])
    if body.private:
        _caller_user_id(ctx, ["body", "private"])
    async with ctx.tx() as conn:
        rows = await q.recall_memories(
            conn,
            query=body.query,
            embedding=None if body.embedding is None else Vector(body.embedding),
            embedding_model=body.embedding_model,
            relevance_weight=body.relevance_weight,
            importance_weight=body.importance_weight,
            recency_weight=body.recency_weight,
            private=body.private,
            agent_id=body.agent_id,
            conversation_id=body.conversation_id,
            kind=body.kind,
            memory_type=body.memory_type,
            tags_any=body.tags_any,
            tags_all=body.tags_all,
            now=datetime.now(UTC),
            limit=body.limit,
        )
        hits = [_hit(row) for row in rows]
        if body.touch and hits:
            used = {u.id: u for u in await q.use_memories(conn, ids=[h.memory.id for h in hits])}
            hits = [
                h.model_copy(
                    update={
                        "memory": h.memory.model_copy(
                            update={
                                "access_count": used[h.memory.id].access_count,
                                "last_accessed_at": used[h.memory.id].last_accessed_at,
                            }
                        )
                    }
                )
                if h.memory.id in used
                else h
                for h in hits
            ]
    return Items[MemorySearchHit](items=hits)


def _hit(row: RecallMemoriesRow) -> MemorySearchHit:
    parts = ScoreParts(
        score=row.score or 0.0,
        relevance=row.relevance or 0.0,
        text_match=row.text_match or 0.0,
        similarity=row.similarity,
        importance=row.importance or 0.0,
        recency=row.recency or 0.0,
    )
    return MemorySearchHit(memory=MemoryOut.from_row(row), score=parts)
