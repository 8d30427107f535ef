"""Messages: /v1/conversations/{id}/messages (list, post) and /v1/messages/{id} (get, edit, versions).

Whoever can read a conversation (its owner and the users it is shared with)
reads and posts its messages; a user message is edited by its author only
(row level security), and a finished message keeps its earlier content as a
version (the database does it).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from gen import Connection
from gen import messages as q
from gen.messages import GetMessageRow
from gen.models import MessageRole

from ..conversations.handlers import visible_conversation
from ..pipeline.context import Context
from ..pipeline.pagination import Page
from ..pipeline.problems import forbidden, not_found
from ..types import IdPath, Items
from .models import MessageCreate, MessageDetail, MessageEdit, MessageOut, MessageQuery, MessageRow, MessageVersionOut

CONSTRAINT_FIELDS = {
    "messages_conversation_id_parent_message_id_fkey": ["body", "parent_message_id"],
    "message_files_conversation_id_file_id_fkey": ["body", "file_ids"],
}


async def _visible_message(conn: Connection, message_id: UUID) -> GetMessageRow:
    message = await q.get_message(conn, id=message_id)
    if message is None:
        raise not_found("message")
    return message


async def _file_ids(conn: Connection, message_id: UUID) -> list[UUID]:
    return [f.id for f in await q.list_message_files(conn, message_id=message_id)]


async def list_messages(ctx: Context, *, path: IdPath, query: MessageQuery) -> Page[MessageOut]:
    async with ctx.tx() as conn:
        await visible_conversation(conn, path.id)
        window = query.window()
        rows: Sequence[MessageRow] = await (
            q.list_latest_messages(conn, organization_id=ctx.org_id, conversation_id=path.id, **window)
            if query.order == "desc"
            else q.list_messages(conn, organization_id=ctx.org_id, conversation_id=path.id, **window)
        )
    return Page[MessageOut].of(rows, query, MessageOut.from_row)


async def create_message(ctx: Context, *, path: IdPath, body: MessageCreate) -> MessageDetail:
    conversation_id = path.id
    async with ctx.write_tx(CONSTRAINT_FIELDS) as conn:
        row = await q.create_message(
            conn,
            conversation_id=conversation_id,
            parent_message_id=body.parent_message_id,
            user_id=ctx.principal.user_id,
            agent_id=None,
            role=MessageRole(body.role),
            content=body.content,
            content_parts=body.content_parts,
            metadata=body.metadata,
            status=None,
            input_tokens=None,
            output_tokens=None,
        )
        if row is None:  # the conversation is not the caller's to see
            raise not_found("conversation")
        if body.file_ids:
            await q.attach_files_to_message(conn, message_id=row.id, file_ids=list(dict.fromkeys(body.file_ids)))
        file_ids = await _file_ids(conn, row.id) if body.file_ids else []
    return MessageDetail.with_files(row, file_ids)


async def get_message(ctx: Context, *, path: IdPath) -> MessageDetail:
    message_id = path.id
    async with ctx.tx() as conn:
        row = await _visible_message(conn, message_id)
        file_ids = await _file_ids(conn, message_id)
    return MessageDetail.with_files(row, file_ids)


async def edit_message(ctx: Context, *, path: IdPath, body: MessageEdit) -> MessageDetail:
    message_id = path.id
    async with ctx.write_tx() as conn:
        current = await _visible_message(conn, message_id)
        row = await q.edit_message(conn, id=message_id, content=body.content, content_parts=body.content_parts)
        if row is None:
            raise forbidden(
                "only its author edits a user message" if current.role is MessageRole.USER else "not allowed"
            )
        file_ids = await _file_ids(conn, message_id)
    return MessageDetail.with_files(row, file_ids)


async def list_message_versions(ctx: Context, *, path: IdPath) -> Items[MessageVersionOut]:
    message_id = path.id
    async with ctx.tx() as conn:
        await _visible_message(conn, message_id)
        rows = await q.list_message_versions(conn, message_id=message_id)
    return Items[MessageVersionOut](items=[MessageVersionOut.from_row(row) for row in rows])
