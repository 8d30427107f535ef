"""Messages: /v1/conversations/{id}/messages (list oldest first, post) and /v1/messages/{id} (get, edit, versions).

Whoever can read a conversation (its owner and the users it is shared with)
reads and posts its messages; a user message is edited by its author only
(row level security), and a finished message keeps its earlier content as a
version (the database does it).
"""

from __future__ import annotations

from uuid import UUID

from aiohttp import web

from gen import Connection
from gen import messages as q
from gen.models import Message, MessageRole

from ..models import IdPath
from ..pagination import Page, PageQuery
from ..problems import not_found
from ..resource_models import Items, MessageCreate, MessageDetail, MessageEdit, MessageOut, MessageVersionOut
from ..routing import body, path, query
from ..tenancy import principal, tenant_tx
from .common import forbidden, write_tx
from .conversations import visible_conversation

CONSTRAINT_FIELDS = {
    "messages_conversation_id_parent_message_id_fkey": ["body", "parent_message_id"],
    "message_files_conversation_id_file_id_fkey": ["body", "file_ids"],
}


async def _visible_message(conn: Connection, message_id: UUID) -> Message:
    message = await q.get_message(conn, id=message_id)
    if message is None:
        raise not_found("message")
    return message


async def _file_ids(conn: Connection, message_id: UUID) -> list[UUID]:
    return [f.id for f in await q.list_message_files(conn, message_id=message_id)]


async def list_messages(request: web.Request) -> Page[MessageOut]:
    conversation_id = path(request, IdPath).id
    page = query(request, PageQuery)
    after = page.position()
    caller = principal(request)
    assert caller.organization_id is not None
    async with tenant_tx(request) as conn:
        await visible_conversation(conn, conversation_id)
        rows = await q.list_messages(
            conn,
            organization_id=caller.organization_id,
            conversation_id=conversation_id,
            cursor_created_at=None if after is None else after.created_at,
            cursor_id=None if after is None else after.id,
            limit=page.fetch_size,
        )
    return Page[MessageOut].build(rows, page, MessageOut.from_row)


async def create_message(request: web.Request) -> MessageDetail:
    conversation_id = path(request, IdPath).id
    new = body(request, MessageCreate)
    async with write_tx(request, CONSTRAINT_FIELDS) as conn:
        row = await q.create_message(
            conn,
            conversation_id=conversation_id,
            parent_message_id=new.parent_message_id,
            user_id=principal(request).user_id,
            agent_id=None,
            role=MessageRole(new.role),
            content=new.content,
            content_parts=new.content_parts,
            metadata=new.metadata,
            status=None,
            input_tokens=None,
            output_tokens=None,
        )
        if row is None:  # the conversation is not the caller's to see
            raise not_found("conversation")
        if new.file_ids:
            await q.attach_files_to_message(conn, message_id=row.id, file_ids=list(dict.fromkeys(new.file_ids)))
        file_ids = await _file_ids(conn, row.id)
    return MessageDetail.with_files(row, file_ids)


async def get_message(request: web.Request) -> MessageDetail:
    message_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        row = await _visible_message(conn, message_id)
        file_ids = await _file_ids(conn, message_id)
    return MessageDetail.with_files(row, file_ids)


async def edit_message(request: web.Request) -> MessageDetail:
    message_id = path(request, IdPath).id
    change = body(request, MessageEdit)
    async with write_tx(request) as conn:
        current = await _visible_message(conn, message_id)
        row = await q.edit_message(conn, id=message_id, content=change.content, content_parts=change.content_parts)
        if row is None:
            raise forbidden(
                "only its author edits a user message" if current.role is MessageRole.USER else "not allowed"
            )
        file_ids = await _file_ids(conn, message_id)
    return MessageDetail.with_files(row, file_ids)


async def list_versions(request: web.Request) -> Items[MessageVersionOut]:
    message_id = path(request, IdPath).id
    async with tenant_tx(request) as conn:
        await _visible_message(conn, message_id)
        rows = await q.list_message_versions(conn, message_id=message_id)
    return Items[MessageVersionOut](items=[MessageVersionOut.from_row(row) for row in rows])
