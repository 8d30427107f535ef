"""Request and response models of the messages endpoints (a conversation's messages, /v1/messages/{id})."""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen import messages
from gen.models import Message, MessageRole, MessageStatus, MessageVersion

from ..pipeline.pagination import PageQuery
from ..pipeline.serialize import extend, projection
from ..types import (
    Json,
    JsonObject,
    LongText,
    Strict,
)


class MessageQuery(PageQuery):
    order: Literal["asc", "desc"] = Field(
        "asc", description="asc: oldest first (reading on); desc: newest first (a chat opening at its end)."
    )


class MessageCreate(Strict):
    """A message of the caller, optionally replying to one of the conversation and attaching its files."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"content": "The printer on floor 3 jams.", "file_ids": []}]}
    )

    role: Literal["user", "system", "tool"] = "user"
    content: LongText = ""
    content_parts: list[Json] | None = Field(None, max_length=100)
    metadata: JsonObject | None = None
    parent_message_id: UUID | None = Field(None, description="The message this one replies to (same conversation).")
    file_ids: list[UUID] = Field(
        default_factory=list, max_length=20, description="Files of the conversation to attach."
    )


class MessageEdit(Strict):
    """New content; a finished message keeps its earlier content as a version."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"content": "The printer on floor 4."}]})

    content: LongText | None = None
    content_parts: list[Json] | None = Field(None, max_length=100)


class MessageOut(BaseModel):
    id: UUID
    conversation_id: UUID
    parent_message_id: UUID | None
    user_id: UUID | None
    agent_id: UUID | None
    role: MessageRole
    content: str
    content_parts: JsonValue
    metadata: JsonValue
    status: MessageStatus
    version: int
    input_tokens: int
    output_tokens: int
    edited_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: MessageRow) -> MessageOut:
        """From any of the generated message rows (they share these columns)."""
        return _MESSAGE_OUT[type(row)](row)


# The generated message rows, each checked at import: the table's model, and the one row model that every query
# returning the message's columns shares (gen/messages.py: GetMessageRow, ListMessagesRow, ... are its aliases).
MessageRow = Message | messages.CreateMessageRow
_MESSAGE_OUT: dict[type[BaseModel], Callable[[BaseModel], MessageOut]] = {
    row: projection(MessageOut, row) for row in typing.get_args(MessageRow)
}


class MessageDetail(MessageOut):
    """A message with the ids of its attached files."""

    file_ids: list[UUID]

    @classmethod
    def with_files(cls, row: MessageRow, file_ids: list[UUID]) -> MessageDetail:
        return extend(cls, MessageOut.from_row(row), file_ids=file_ids)


class MessageVersionOut(BaseModel):
    message_id: UUID
    version: int
    content: str
    content_parts: JsonValue
    metadata: JsonValue
    authored_at: datetime
    edited_by: UUID | None
    created_at: datetime = Field(description="When this version was replaced.")

    @classmethod
    def from_row(cls, row: MessageVersion) -> MessageVersionOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))
