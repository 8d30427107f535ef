"""Request and response models of /v1/conversations and their shares."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from gen.models import Conversation, ConversationShare, ConversationStatus

from ..pipeline.pagination import CURSOR_SCHEMA, DEFAULT_LIMIT, MAX_LIMIT, PageQuery
from ..pipeline.problems import FieldError, Problem
from ..pipeline.serialize import projection
from ..types import (
    NON_BLANK,
    JsonObject,
    Label,
    Strict,
    Title,
    WholeNumber,
)


class ConversationSharePath(Strict):
    id: UUID
    user_id: UUID


class ConversationQuery(PageQuery):
    status: ConversationStatus | None = Field(None, description="Only this status (default: all but deleted).")
    agent_id: UUID | None = Field(None, description="Only conversations with this agent.")


class ConversationCreate(Strict):
    """A conversation of the caller, optionally with an agent the organization may use."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Printer trouble", "metadata": {"source": "web"}}]}
    )

    agent_id: UUID | None = None
    title: Title | None = None
    status: ConversationStatus | None = None
    participants: list[Label] | None = Field(None, max_length=50)
    metadata: JsonObject | None = None


class ConversationUpdate(Strict):
    """The fields to change; omitted (or null) fields stay as they are. status deleted is a soft delete."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "archived"}]})

    title: Title | None = None
    status: ConversationStatus | None = None
    metadata: JsonObject | None = None
    retention_hold: bool | None = Field(
        None, description="true: pinned (or under legal hold): retention never expires it. false: released."
    )


class ConversationOut(BaseModel):
    id: UUID
    user_id: UUID = Field(description="The owner.")
    agent_id: UUID | None
    title: str | None
    status: ConversationStatus
    participants: list[str]
    metadata: JsonValue
    message_count: int
    memory_count: int
    task_count: int
    input_tokens: int
    output_tokens: int
    last_activity_at: datetime
    created_at: datetime
    updated_at: datetime
    retention_hold: bool = Field(description="Pinned or under legal hold: retention keeps it.")

    @classmethod
    def from_row(cls, row: Conversation) -> ConversationOut:
        return _conversation_out(row)


_conversation_out = projection(ConversationOut, Conversation)


class ShareCreate(Strict):
    """Share the conversation with another member of the organization."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"user_id": "0b8f2a4e-6a53-4d1e-9b36-2a8f0e1c9d11"}]}
    )

    user_id: UUID


class ShareOut(BaseModel):
    id: UUID
    conversation_id: UUID
    user_id: UUID
    granted_by: UUID | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: ConversationShare) -> ShareOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


# A chunk list's cursor: the chunk_index of the previous page's last chunk (any value past the last: empty page).
CHUNK_CURSOR_PATTERN = r"^[0-9]{1,10}$"
MAX_CHUNK_INDEX = 2**31 - 1
_CHUNK_CURSOR = re.compile(CHUNK_CURSOR_PATTERN)


class ChunkQuery(Strict):
    """The query string of a chunk list: chunks come in chunk_index order."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Most chunks to return.")
    cursor: str | None = Field(
        None,
        description="next_cursor of the previous page, as it was returned (an opaque string); omit for the first page.",
        json_schema_extra=CURSOR_SCHEMA | {"pattern": CHUNK_CURSOR_PATTERN},
    )

    @field_validator("cursor")
    @classmethod
    def _a_position(cls, cursor: str | None) -> str | None:
        # Checked here rather than as the field's pattern: a cursor that is not one is 400 invalid_cursor.
        if cursor is not None and _CHUNK_CURSOR.fullmatch(cursor) is None:
            raise Problem(
                "invalid_cursor",
                "cursor is not a next_cursor this API returned",
                errors=[FieldError(loc=["query", "cursor"], message="not a valid cursor")],
            )
        return cursor

    def after(self) -> int | None:
        return None if self.cursor is None else min(int(self.cursor), MAX_CHUNK_INDEX)


class ChunkCreate(Strict):
    """A large piece of conversation text (a transcript part, a document excerpt), searchable by full text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"content": "稟議書の承認フローについてのレビューコメント…", "token_count": 420}]},
    )

    content: Annotated[str, Field(min_length=1, max_length=100_000, pattern=NON_BLANK)]
    chunk_index: Annotated[int, Field(ge=0, le=MAX_CHUNK_INDEX), WholeNumber] | None = Field(
        None, description="Position in the conversation; default after the last chunk. Taken already: 409."
    )
    token_count: Annotated[int, Field(ge=0, le=MAX_CHUNK_INDEX), WholeNumber] | None = None
    metadata: JsonObject | None = None


class ChunkOut(BaseModel):
    id: UUID
    conversation_id: UUID
    chunk_index: int = Field(description="Position of the chunk in its conversation, from 0.")
    content: str
    token_count: int | None
    metadata: JsonValue
    created_at: datetime

    @classmethod
    def from_row(cls, row: BaseModel) -> ChunkOut:
        """From either generated chunk row (they share these columns)."""
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))
