"""Request and response models of the tasks and artifacts endpoints.

As in server.resource_models: request models forbid unknown fields and are
validated strictly from JSON, text the database wants non-blank must hold a
character other than a space, JSON objects are typed as objects (the columns'
CHECKs), and responses leave out organization_id (the caller's own).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

from gen.models import Artifact, ArtifactType, Task, TaskStatus

from .pagination import PageQuery
from .resource_models import NO_NUL, JsonObject, Label, Name, Strict, _whole_number


def _utc_in_range(value: datetime) -> datetime:
    # 0001-01-01T00:00:00+05:00 is year 0 in UTC: PostgreSQL stores it, Python cannot read it back.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant must fall within the years 1 to 9999 in UTC") from None


Instant = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
MaxAttempts = Annotated[int, Field(ge=1, le=100), BeforeValidator(_whole_number)]
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


# --- tasks -----------------------------------------------------------------------------


class TaskQuery(PageQuery):
    status: TaskStatus | None = Field(None, description="Only tasks in this status.")
    agent_id: UUID | None = Field(None, description="Only tasks assigned to this agent.")
    conversation_id: UUID | None = Field(None, description="Only tasks delegated from this conversation.")


class TaskCreate(Strict):
    """A task for an agent the organization may use, optionally delegated from a conversation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agent_id": "3f2b6c1e-8d4a-4b7e-9a0c-5e1d2f3a4b5c",
                    "task_type": "summarize",
                    "input": {"window": 50},
                    "max_attempts": 3,
                }
            ]
        },
    )

    agent_id: UUID = Field(description="The agent to run the task.")
    task_type: Label = Field(description="What to do, named by the agent's capabilities.", examples=["summarize"])
    conversation_id: UUID | None = Field(
        None, description="The conversation it is delegated from (the caller's own or shared with them)."
    )
    input: JsonObject | None = Field(None, description="The task's parameters (default {}).")
    max_attempts: MaxAttempts | None = Field(None, description="Attempts before it fails for good (default 3).")
    run_after: Instant | None = Field(None, description="Not started before this time (default now).")


class TaskOut(BaseModel):
    id: UUID
    conversation_id: UUID | None
    agent_id: UUID
    created_by: UUID | None = Field(description="The user who delegated it; null for API keys.")
    task_type: str
    status: TaskStatus
    input: JsonValue
    output: JsonValue = Field(description="The result; null until succeeded.")
    error: str | None = Field(description="The last attempt's error.")
    attempts: int
    max_attempts: int
    run_after: datetime
    locked_at: datetime | None
    locked_by: str | None = Field(description="The worker running it.")
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Task) -> TaskOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


# --- artifacts -------------------------------------------------------------------------


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
