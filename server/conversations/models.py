"""Request and response models of /v1/conversations and their shares."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen.models import Conversation, ConversationShare, ConversationStatus

from ..pipeline.pagination import PageQuery
from ..pipeline.serialize import projection
from ..types import (
    JsonObject,
    Label,
    Strict,
    Title,
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
