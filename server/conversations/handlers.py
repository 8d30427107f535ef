"""/v1/conversations: a user's conversations and those shared with them, and their shares.

Row level security lets the owner and the users it is shared with read a
conversation (anyone else: 404); only the owner changes, shares or deletes it
(a share recipient gets 403).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from gen import Connection
from gen import conversations as q
from gen.models import Conversation

from ..agents.handlers import referenced_agent
from ..files.outbox import drain_after_commit
from ..pipeline.context import Context
from ..pipeline.pagination import Page, Position
from ..pipeline.problems import Problem, forbidden, missing_reference, not_found
from ..types import IdPath, Items
from .models import (
    ChunkCreate,
    ChunkOut,
    ChunkQuery,
    ConversationCreate,
    ConversationOut,
    ConversationQuery,
    ConversationSharePath,
    ConversationUpdate,
    ShareCreate,
    ShareOut,
)

CHUNK_CONSTRAINT_FIELDS = {
    "conversation_chunks_organization_id_conversation_id_chunk_i_key": ["body", "chunk_index"],
}


async def visible_conversation(conn: Connection, conversation_id: UUID) -> Conversation:
    """The conversation, if the caller owns it or it is shared with them; 404 otherwise."""
    conversation = await q.get_conversation(conn, id=conversation_id)
    if conversation is None:
        raise not_found("conversation")
    return conversation


async def referenced_conversation(
    conn: Connection, conversation_id: UUID, loc: tuple[str, ...] = ("body", "conversation_id")
) -> Conversation:
    """The conversation an input names, if the caller can access it; 409 naming the input otherwise."""
    conversation = await q.get_conversation(conn, id=conversation_id)
    if conversation is None:
        raise missing_reference(loc, "conversation")
    return conversation


async def _owned_conversation(ctx: Context, conn: Connection, conversation_id: UUID) -> Conversation:
    conversation = await visible_conversation(conn, conversation_id)
    if conversation.user_id != ctx.principal.user_id:
        raise forbidden("only the conversation's owner may do this")
    return conversation


def _user_id(ctx: Context) -> UUID:
    """The signed-in user (conversations belong to users; an API key acts for one only in /v1/commands)."""
    if ctx.user_id is None:
        raise Problem("user_required", "API keys cannot call this operation; it needs a signed-in user")
    return ctx.user_id


async def list_conversations(ctx: Context, *, query: ConversationQuery) -> Page[ConversationOut]:
    async with ctx.tx() as conn:
        rows = await q.list_conversations(
            conn,
            organization_id=ctx.org_id,
            user_id=_user_id(ctx),
            status=query.status,
            agent_id=query.agent_id,
            **query.window(),
        )
    return Page[ConversationOut].of(rows, query, ConversationOut.from_row, _last_activity)


def _last_activity(row: Conversation) -> Position:
    """A conversation's place in the list: ordered by (last_activity_at, id)."""
    return Position(row.last_activity_at, row.id)


async def create_conversation(ctx: Context, *, body: ConversationCreate) -> ConversationOut:
    async with ctx.write_tx() as conn:
        if body.agent_id is not None:
            await referenced_agent(conn, body.agent_id)
        row = await q.create_conversation(
            conn,
            organization_id=ctx.org_id,
            user_id=_user_id(ctx),
            agent_id=body.agent_id,
            title=body.title,
            status=body.status,
            participants=body.participants,
            metadata=body.metadata,
        )
    assert row is not None  # INSERT ... RETURNING
    return ConversationOut.from_row(row)


async def get_conversation(ctx: Context, *, path: IdPath) -> ConversationOut:
    conversation_id = path.id
    async with ctx.tx() as conn:
        return ConversationOut.from_row(await visible_conversation(conn, conversation_id))


async def update_conversation(ctx: Context, *, path: IdPath, body: ConversationUpdate) -> ConversationOut:
    conversation_id = path.id
    async with ctx.write_tx() as conn:
        row: Conversation | None = await _owned_conversation(ctx, conn, conversation_id)
        if body.title is not None or body.metadata is not None:
            row = await q.update_conversation(
                conn, id=conversation_id, title=body.title, agent_id=None, participants=None, metadata=body.metadata
            )
        if body.status is not None:
            row = await q.set_conversation_status(conn, id=conversation_id, status=body.status)
        if body.retention_hold is not None:
            row = await q.set_conversation_retention_hold(conn, id=conversation_id, retention_hold=body.retention_hold)
    if row is None:
        raise not_found("conversation")
    return ConversationOut.from_row(row)


async def delete_conversation(ctx: Context, *, path: IdPath) -> None:
    conversation_id = path.id
    async with ctx.tx() as conn:
        await _owned_conversation(ctx, conn, conversation_id)
        if await q.delete_conversation(conn, id=conversation_id) == 0:
            raise not_found("conversation")
    # Its files' rows went with it and queued their objects; they leave storage now that the delete committed.
    await drain_after_commit(ctx.app, organization_id=ctx.org_id)


async def list_conversation_shares(ctx: Context, *, path: IdPath) -> Items[ShareOut]:
    conversation_id = path.id
    async with ctx.tx() as conn:
        await visible_conversation(conn, conversation_id)
        rows = await q.list_conversation_shares(conn, conversation_id=conversation_id)
    return Items[ShareOut](items=[ShareOut.from_row(row) for row in rows])


async def share_conversation(ctx: Context, *, path: IdPath, body: ShareCreate) -> ShareOut:
    conversation_id = path.id
    not_a_member = missing_reference(["body", "user_id"], "other member of the organization")
    try:
        async with ctx.tx() as conn:
            await _owned_conversation(ctx, conn, conversation_id)
            if body.user_id == _user_id(ctx):
                raise not_a_member
            row = await q.share_conversation(
                conn, conversation_id=conversation_id, user_id=body.user_id, granted_by=_user_id(ctx)
            )
            if row is None:  # shared already: answer with the existing share
                existing = await q.list_conversation_shares(conn, conversation_id=conversation_id)
                row = next((s for s in existing if s.user_id == body.user_id), None)
    except (asyncpg.InsufficientPrivilegeError, asyncpg.ForeignKeyViolationError):
        # The policy admits only members of the organization (unknown users included).
        raise not_a_member from None
    if row is None:
        raise not_found("conversation")
    return ShareOut.from_row(row)


async def unshare_conversation(ctx: Context, *, path: ConversationSharePath) -> None:
    async with ctx.tx() as conn:
        await visible_conversation(conn, path.id)
        # Row level security: the owner, or the recipient leaving.
        removed = await q.unshare_conversation(conn, conversation_id=path.id, user_id=path.user_id)
    if removed == 0:
        raise not_found("share")


async def list_conversation_chunks(ctx: Context, *, path: IdPath, query: ChunkQuery) -> Page[ChunkOut]:
    conversation_id = path.id
    async with ctx.tx() as conn:
        await visible_conversation(conn, conversation_id)
        rows = await q.list_conversation_chunks(
            conn,
            organization_id=ctx.org_id,
            conversation_id=conversation_id,
            cursor_chunk_index=query.after(),
            limit=query.limit + 1,
        )
    shown = rows[: query.limit]
    next_cursor = str(shown[-1].chunk_index) if len(rows) > query.limit and shown else None
    return Page[ChunkOut](items=[ChunkOut.from_row(row) for row in shown], next_cursor=next_cursor)


async def add_conversation_chunk(ctx: Context, *, path: IdPath, body: ChunkCreate) -> ChunkOut:
    async with ctx.write_tx(CHUNK_CONSTRAINT_FIELDS) as conn:
        row = await q.add_conversation_chunk(
            conn,
            conversation_id=path.id,
            chunk_index=body.chunk_index,
            content=body.content,
            token_count=body.token_count,
            metadata=body.metadata,
        )
    if row is None:  # not a conversation the caller can access
        raise not_found("conversation")
    return ChunkOut.from_row(row)
