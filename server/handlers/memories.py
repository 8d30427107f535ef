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

from uuid import UUID

from aiohttp import web

from gen import Connection
from gen import agents as agent_queries
from gen import conversations as conversation_queries
from gen import memories as q
from gen.memories import GetMemoryRow

from ..memory_models import MemoryCreate, MemoryEventOut, MemoryGetQuery, MemoryOut, MemoryQuery, MemoryUpdate
from ..models import IdPath
from ..pagination import Page, PageQuery
from ..problems import FieldError, not_found, validation_problem
from ..routing import body, json_response, path, query
from ..tenancy import org_id, principal, tenant_tx
from .common import missing_reference, write_tx

CONSTRAINT_FIELDS = {
    "memories_agent_id_fkey": ["body", "agent_id"],
    "memories_organization_id_conversation_id_fkey": ["body", "conversation_id"],
    "memories_user_id_fkey": ["body", "private"],
    "memories_key_check": ["body", "key"],
    "memories_content_check": ["body", "content"],
    "memories_importance_check": ["body", "importance"],
    "memories_decay_rate_check": ["body", "decay_rate"],
}


def _caller_user_id(request: web.Request, loc: list[str | int]) -> UUID:
    """The caller's user, for a private memory; 422 naming loc for an API key (it has no user)."""
    user_id = principal(request).user_id
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


async def list_memories(request: web.Request) -> Page[MemoryOut]:
    page = query(request, MemoryQuery)
    after = page.position()
    user_id = _caller_user_id(request, ["query", "private"]) if page.private else None
    async with tenant_tx(request) as conn:
        rows = await q.list_memories(
            conn,
            organization_id=org_id(request),
            user_id=user_id,
            shared_only=page.private is False,
            agent_id=page.agent_id,
            conversation_id=page.conversation_id,
            kind=page.kind,
            memory_type=page.memory_type,
            tags_any=page.tag_list(page.tags_any),
            tags_all=page.tag_list(page.tags_all),
            content_contains=None,
            min_importance=page.min_importance,
            cursor_created_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            limit=page.fetch_size,
        )
    return Page[MemoryOut].build(rows, page, MemoryOut.from_row)


async def create_memory(request: web.Request) -> MemoryOut | web.Response:
    new = body(request, MemoryCreate)
    user_id = _caller_user_id(request, ["body", "private"]) if new.private else None
    organization_id = org_id(request)
    async with write_tx(request, CONSTRAINT_FIELDS) as conn:
        # The insert policy admits only agents the organization may use and conversations the caller can
        # access: ask first, so that the answer names the field instead of a policy violation.
        if new.agent_id is not None and await agent_queries.get_agent(conn, id=new.agent_id) is None:
            raise missing_reference(["body", "agent_id"], "agent")
        if (
            new.conversation_id is not None
            and await conversation_queries.get_conversation(conn, id=new.conversation_id) is None
        ):
            raise missing_reference(["body", "conversation_id"], "conversation")
        if new.key is None:
            created = await q.create_memory(
                conn,
                organization_id=organization_id,
                user_id=user_id,
                agent_id=new.agent_id,
                conversation_id=new.conversation_id,
                kind=new.kind,
                memory_type=new.memory_type,
                key=None,
                content=new.content,
                tags=new.tag_values(),
                importance=new.importance,
                decay_rate=new.decay_rate,
            )
            assert created is not None  # INSERT ... RETURNING
            return MemoryOut.from_row(created)
        stored = await q.upsert_memory_by_key(
            conn,
            organization_id=organization_id,
            user_id=user_id,
            agent_id=new.agent_id,
            conversation_id=new.conversation_id,
            kind=new.kind,
            memory_type=new.memory_type,
            key=new.key,
            content=new.content,
            tags=new.tag_values(),
            importance=new.importance,
            decay_rate=new.decay_rate,
        )
    assert stored is not None  # INSERT ... ON CONFLICT DO UPDATE ... RETURNING
    out = MemoryOut.from_row(stored)
    return out if stored.inserted else json_response(out, status=200)


async def get_memory(request: web.Request) -> MemoryOut:
    memory_id = path(request, IdPath).id
    touch = query(request, MemoryGetQuery).touch
    async with tenant_tx(request) as conn:
        out = MemoryOut.from_row(await _visible_memory(conn, memory_id))
        if touch:
            used = await q.touch_memory(conn, id=memory_id)
            if used is None:  # deleted meanwhile
                raise not_found("memory")
            out = out.model_copy(update={"access_count": used.access_count, "last_accessed_at": used.last_accessed_at})
    return out


async def update_memory(request: web.Request) -> MemoryOut:
    memory_id = path(request, IdPath).id
    change = body(request, MemoryUpdate)
    async with write_tx(request, CONSTRAINT_FIELDS) as conn:
        if not change.model_dump(exclude_none=True):
            # Nothing to change: no UPDATE, so updated_at stays and no history is written.
            return MemoryOut.from_row(await _visible_memory(conn, memory_id))
        row = await q.update_memory(
            conn,
            id=memory_id,
            kind=change.kind,
            memory_type=change.memory_type,
            content=change.content,
            tags=change.tag_values(),
            importance=change.importance,
            decay_rate=change.decay_rate,
        )
    if row is None:
        raise not_found("memory")
    return MemoryOut.from_row(row)


async def delete_memory(request: web.Request) -> None:
    memory_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        if await q.delete_memory(conn, id=memory_id) == 0:
            raise not_found("memory")


async def list_memory_history(request: web.Request) -> Page[MemoryEventOut]:
    memory_id = path(request, IdPath).id
    page = query(request, PageQuery)
    after = page.position()
    organization_id = org_id(request)
    async with tenant_tx(request) as conn:
        rows = await q.list_memory_events(
            conn,
            organization_id=organization_id,
            memory_id=memory_id,
            cursor_created_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            limit=page.fetch_size,
        )
        # Every memory has its created event, and the history outlives the memory: an empty page is a
        # memory the caller cannot read (404) unless a cursor paged past the end of a readable history.
        if not rows and (
            after is None
            or not await q.list_memory_events(
                conn, organization_id=organization_id, memory_id=memory_id, cursor_created_at=None, cursor_id=None,
                limit=1,
            )
        ):
            raise not_found("memory")
    return Page[MemoryEventOut].build(rows, page, MemoryEventOut.from_row)
