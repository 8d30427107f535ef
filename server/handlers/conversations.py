"""/v1/conversations: a user's conversations and those shared with them, and their shares.

Row level security lets the owner and the users it is shared with read a
conversation (anyone else: 404); only the owner changes, shares or deletes it
(a share recipient gets 403).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
from aiohttp import web

from gen import Connection
from gen import agents as agent_queries
from gen import conversations as q
from gen.models import Conversation

from ..models import IdPath
from ..pagination import Page, Position
from ..problems import not_found
from ..resource_models import (
    ConversationCreate,
    ConversationOut,
    ConversationQuery,
    ConversationSharePath,
    ConversationUpdate,
    Items,
    ShareCreate,
    ShareOut,
)
from ..routing import body, path, query
from ..tenancy import principal, tenant_tx
from .common import forbidden, missing_reference, write_tx


async def visible_conversation(conn: Connection, conversation_id: UUID) -> Conversation:
    """The conversation, if the caller owns it or it is shared with them; 404 otherwise."""
    conversation = await q.get_conversation(conn, id=conversation_id)
    if conversation is None:
        raise not_found("conversation")
    return conversation


async def _owned_conversation(request: web.Request, conn: Connection, conversation_id: UUID) -> Conversation:
    conversation = await visible_conversation(conn, conversation_id)
    if conversation.user_id != principal(request).user_id:
        raise forbidden("only the conversation's owner may do this")
    return conversation


def _user_id(request: web.Request) -> UUID:
    user_id = principal(request).user_id
    assert user_id is not None  # Auth.USER routes
    return user_id


async def list_conversations(request: web.Request) -> Page[ConversationOut]:
    page = query(request, ConversationQuery)
    after = page.position()
    caller = principal(request)
    assert caller.organization_id is not None
    async with tenant_tx(request) as conn:
        rows = await q.list_conversations(
            conn,
            organization_id=caller.organization_id,
            user_id=_user_id(request),
            cursor_last_activity_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            status=page.status,
            agent_id=page.agent_id,
            limit=page.fetch_size,
        )
    # Ordered by (last_activity_at, id): the cursor holds that position.
    shown = rows[: page.limit]
    more = len(rows) > page.limit
    next_cursor = Position(shown[-1].last_activity_at, shown[-1].id).encode() if more and shown else None
    return Page[ConversationOut](items=[ConversationOut.from_row(row) for row in shown], next_cursor=next_cursor)


async def create_conversation(request: web.Request) -> ConversationOut:
    new = body(request, ConversationCreate)
    caller = principal(request)
    assert caller.organization_id is not None
    async with write_tx(request) as conn:
        if new.agent_id is not None and await agent_queries.get_agent(conn, id=new.agent_id) is None:
            raise missing_reference(["body", "agent_id"], "agent")
        row = await q.create_conversation(
            conn,
            organization_id=caller.organization_id,
            user_id=_user_id(request),
            agent_id=new.agent_id,
            title=new.title,
            status=new.status,
            participants=new.participants,
            metadata=new.metadata,
        )
    assert row is not None  # INSERT ... RETURNING
    return ConversationOut.from_row(row)


async def get_conversation(request: web.Request) -> ConversationOut:
    conversation_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        return ConversationOut.from_row(await visible_conversation(conn, conversation_id))


async def update_conversation(request: web.Request) -> ConversationOut:
    conversation_id = path(request, IdPath).id
    change = body(request, ConversationUpdate)
    async with write_tx(request) as conn:
        row: Conversation | None = await _owned_conversation(request, conn, conversation_id)
        if change.title is not None or change.metadata is not None:
            row = await q.update_conversation(
                conn, id=conversation_id, title=change.title, agent_id=None, participants=None, metadata=change.metadata
            )
        if change.status is not None:
            row = await q.set_conversation_status(conn, id=conversation_id, status=change.status)
    if row is None:
        raise not_found("conversation")
    return ConversationOut.from_row(row)


async def delete_conversation(request: web.Request) -> None:
    conversation_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        await _owned_conversation(request, conn, conversation_id)
        if await q.delete_conversation(conn, id=conversation_id) == 0:
            raise not_found("conversation")


async def list_shares(request: web.Request) -> Items[ShareOut]:
    conversation_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        await visible_conversation(conn, conversation_id)
        rows = await q.list_conversation_shares(conn, conversation_id=conversation_id)
    return Items[ShareOut](items=[ShareOut.from_row(row) for row in rows])


async def share_conversation(request: web.Request) -> ShareOut:
    conversation_id = path(request, IdPath).id
    share = body(request, ShareCreate)
    not_a_member = missing_reference(["body", "user_id"], "other member of the organization")
    try:
        async with tenant_tx(request) as conn:
            await _owned_conversation(request, conn, conversation_id)
            if share.user_id == _user_id(request):
                raise not_a_member
            row = await q.share_conversation(
                conn, conversation_id=conversation_id, user_id=share.user_id, granted_by=_user_id(request)
            )
            if row is None:  # shared already: answer with the existing share
                existing = await q.list_conversation_shares(conn, conversation_id=conversation_id)
                row = next((s for s in existing if s.user_id == share.user_id), None)
    except (asyncpg.InsufficientPrivilegeError, asyncpg.ForeignKeyViolationError):
        # The policy admits only members of the organization (unknown users included).
        raise not_a_member from None
    if row is None:
        raise not_found("conversation")
    return ShareOut.from_row(row)


async def unshare_conversation(request: web.Request) -> None:
    target = path(request, ConversationSharePath)
    async with tenant_tx(request) as conn:
        await visible_conversation(conn, target.id)
        # Row level security: the owner, or the recipient leaving.
        removed = await q.unshare_conversation(conn, conversation_id=target.id, user_id=target.user_id)
    if removed == 0:
        raise not_found("share")
