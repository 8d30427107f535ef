"""Request and response models of /v1/artifacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen.models import Artifact, ArtifactType

from ..pipeline.pagination import PageQuery
from ..types import NO_NUL, JsonObject, Name, Strict

# Room for a generated document within the body limit (MAX_BODY_BYTES, 1 MiB by default).
ArtifactContent = Annotated[str, Field(max_length=500_000, pattern=NO_NUL)]


# type/subtype (RFC 6838 restricted names), optionally with parameters.
MimeType = Annotated[
    str,
    Field(
        max_length=255,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(;[ -~]*)?$",
        examples=["text/x-python", "text/markdown; charset=utf-8"],
    ),
]


class ArtifactQuery(PageQuery):
    conversation_id: UUID | None = Field(None, description="Only artifacts of this conversation.")
    task_id: UUID | None = Field(None, description="Only artifacts produced by this task.")
    artifact_type: ArtifactType | None = Field(None, description="Only artifacts of this type.")


class ArtifactFields(Strict):
    """Fields common to storing and changing an artifact."""

    content: ArtifactContent | None = Field(None, description="The artifact's text (source code, markdown...).")
    mime_type: MimeType | None = None
    metadata: JsonObject | None = Field(None, description="Language, version, file name and other details.")


class ArtifactCreate(ArtifactFields):
    """Generated code, a document or other output, optionally of a conversation and of the task that produced it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "artifact_type": "code",
                    "name": "report.py",
                    "content": "print('hello')",
                    "mime_type": "text/x-python",
                    "metadata": {"language": "python"},
                }
            ]
        },
    )

    artifact_type: ArtifactType
    name: Name
    conversation_id: UUID | None = Field(
        None, description="The conversation it belongs to (default: the task's conversation)."
    )
    task_id: UUID | None = Field(None, description="The task that produced it.")
    agent_id: UUID | None = Field(None, description="The agent that produced it.")


class ArtifactUpdate(ArtifactFields):
    """The fields to change; omitted (or null) fields stay as they are."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"content": "print('hello, world')"}]})

    name: Name | None = None


class ArtifactOut(BaseModel):
    id: UUID
    conversation_id: UUID | None
    task_id: UUID | None = Field(description="The task that produced it; null when none or the task was deleted.")
    agent_id: UUID | None = Field(description="The agent that produced it; null when none or the agent was deleted.")
    created_by: UUID | None = Field(description="The user who stored it; null for API keys.")
    artifact_type: ArtifactType
    name: str
    content: str
    mime_type: str | None
    metadata: JsonValue
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Artifact) -> ArtifactOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))
