"""Request and response models of the agent state endpoints (/v1/agents/{id}/state...).

A state is addressed by its key, as query parameters: the agent (path), `scope`,
`conversation_id` (optional; required for scope session) and `owner`, which maps
onto agent_states.user_id: `user` is the caller's private state (user_id = the
caller), `organization` the state every member of the organization shares
(user_id NULL). A state with a conversation is reachable only by those who can
read the conversation (its owner and the users it is shared with).

Versions travel as entity tags: responses carry `ETag: "<version>"` and writes
send it back in `If-Match` (quoted or bare).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen.models import AgentState, AgentStateScope, CheckpointKind, StateCheckpoint

from ..pipeline.pagination import PageQuery
from ..types import JsonObject, Label, Strict

VERSION_TAG = r'^(?:"[1-9][0-9]{0,17}"|[1-9][0-9]{0,17})$'


def etag(version: int) -> str:
    """The entity tag of a state version (a strong one: the version names the exact document)."""
    return f'"{version}"'


class StateOwner(StrEnum):
    """Whose state: the caller's own (private to them) or the organization's (shared by every member)."""

    USER = "user"
    ORGANIZATION = "organization"


class CheckpointPath(Strict):
    id: UUID = Field(description="The agent.")
    checkpoint_id: UUID


class StateQuery(Strict):
    """Which state of the agent: its key."""

    scope: AgentStateScope = Field(
        AgentStateScope.PERSISTENT,
        description="persistent (the default): the user's long-term state of the agent, across sessions; local: "
        "the agent's own working state; shared: state other agents may read; session: the state of one "
        "conversation (conversation_id required).",
    )
    conversation_id: UUID | None = Field(
        None, description="The conversation the state belongs to (required for scope session); omit for none."
    )
    owner: StateOwner = Field(
        StateOwner.USER,
        description="user: the caller's private state; organization: the state shared by every member.",
    )


class CheckpointQuery(StateQuery, PageQuery):
    """The state whose checkpoints to list, and a page of them."""

    kind: CheckpointKind | None = Field(None, description="Only checkpoints of this kind.")


class IfMatch(BaseModel):
    """The version a write expects the state to be at."""

    if_match: str | None = Field(
        None,
        alias="If-Match",
        pattern=VERSION_TAG,
        description='The version the write expects the state to be at: its ETag ("3") or bare (3). Required to '
        "replace an existing state (without it: 428 precondition_required, naming the current version); a "
        "version the state is not at is 412 precondition_failed (the ETag header names the current one).",
    )

    @property
    def version(self) -> int | None:
        return None if self.if_match is None else int(self.if_match.strip('"'))


class StateWrite(Strict):
    """The whole new state document (a JSON object)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"state": {"step": 3, "plan": ["search", "answer"]}}]}
    )

    state: JsonObject


class CheckpointCreate(Strict):
    """A manual checkpoint of the current state."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"label": "before import"}, {}]})

    label: Label | None = Field(None, description='An optional name, e.g. "before import".')


class AgentStateOut(BaseModel):
    id: UUID
    agent_id: UUID
    scope: AgentStateScope
    user_id: UUID | None = Field(description="The user the state is private to; null: the organization's shared state.")
    conversation_id: UUID | None
    state: JsonValue
    state_hash: str = Field(description="Lower-case hex SHA-256 of the canonical JSON of state.")
    version: int = Field(description="Starts at 1 and increments with every change; the ETag.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: AgentState) -> AgentStateOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


class CheckpointOut(BaseModel):
    id: UUID
    agent_state_id: UUID
    kind: CheckpointKind
    label: str | None
    state: JsonValue
    state_hash: str
    version: int = Field(description="The state's version when the checkpoint was taken.")
    restorable: bool
    created_by: UUID | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: StateCheckpoint) -> CheckpointOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))
