"""Request and response models of /v1/tasks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from gen.models import Task, TaskStatus

from ..pipeline.pagination import PageQuery
from ..types import (
    JsonObject,
    Label,
    Strict,
    WholeNumber,
)


def _utc_in_range(value: datetime) -> datetime:
    # 0001-01-01T00:00:00+05:00 is year 0 in UTC: PostgreSQL stores it, Python cannot read it back.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant must fall within the years 1 to 9999 in UTC") from None


Instant = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]


MaxAttempts = Annotated[int, Field(ge=1, le=100), WholeNumber]


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
