"""Request and response models of POST /v1/commands (seed 002's command protocol).

A command's data reuses the model of the route it maps to (store_memory's is
MemoryCreate with a session_id), so the two cannot disagree about a field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, RootModel
from pydantic.config import JsonDict

from gen.models import ConversationStatus, MemoryKind, MemoryType

from ..artifacts.models import ArtifactCreate
from ..conversations.models import ConversationCreate
from ..memories.models import Importance, Key, MemoryCreate, Tag
from ..pipeline.pagination import CURSOR_PATTERN, CURSOR_SCHEMA, MAX_LIMIT
from ..tasks.models import TaskCreate
from ..types import NON_BLANK, SPACE_OR_CONTROL, JsonObject, Strict, WholeNumber

SessionRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=NON_BLANK,
        description="A session: its id (a conversation id) or the session_id it was created with.",
        examples=["mobile_test_001"],
    ),
]
UserRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A member of the key's organization: their user id or their Clerk user id.",
        examples=["user_2abc"],
    ),
]
CommandLimit = Annotated[int, Field(ge=1, le=MAX_LIMIT), WholeNumber]
Cursor = Annotated[
    str,
    Field(
        pattern=CURSOR_PATTERN,
        description="next_cursor of the previous page.",
        json_schema_extra=CURSOR_SCHEMA,
    ),
]
# session_id names the conversation; a command's data takes it or conversation_id, not both.
SESSION_OR_CONVERSATION: JsonDict = {"not": {"required": ["session_id", "conversation_id"]}}


class SessionData(Strict):
    session_id: SessionRef


class CreateSessionData(ConversationCreate):
    """A new session (a conversation of the acting user); session_id names it for later commands."""

    session_id: Annotated[str, Field(min_length=1, max_length=200, pattern=rf"^[^/{SPACE_OR_CONTROL}]+$")] | None = Field(
        None, description="A name for the session, unique among the user's sessions. Default: use the returned id."
    )


class ListSessionsData(Strict):
    status: ConversationStatus | None = None
    limit: CommandLimit | None = None
    cursor: Cursor | None = None


class StoreMemoryData(MemoryCreate):
    """store_memory: a memory (by key: replaced when it exists), of the session when session_id is given."""

    model_config = ConfigDict(
        extra="forbid", validate_by_name=True, validate_by_alias=True, json_schema_extra=SESSION_OR_CONVERSATION
    )

    kind: MemoryKind = Field(alias="type", description="idea, decision, question, action_item, context, ...")
    session_id: SessionRef | None = None


class RetrieveMemoryData(Strict):
    key: Key
    session_id: SessionRef | None = None


class QueryMemoriesData(Strict):
    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    session_id: SessionRef | None = None
    query: Annotated[str, Field(min_length=1, max_length=1000, pattern=NON_BLANK)] | None = Field(
        None,
        description="Text to recall memories by (English or Japanese): the matching memories ranked by text match "
        "* importance * recency, as POST /v1/memories/search, with their scores (no cursor, at most 100). "
        "Without it, the memories newest first, paged.",
    )
    kind: MemoryKind | None = Field(None, alias="type")
    memory_type: MemoryType | None = None
    tags: list[Tag] | None = Field(None, max_length=50, description="Memories with all of these tags.")
    min_importance: Importance | None = None
    limit: CommandLimit | None = None
    cursor: Cursor | None = None


class ConversationChunkData(Strict):
    session_id: SessionRef
    content: Annotated[str, Field(min_length=1, max_length=1_000_000, pattern=NON_BLANK)]
    chunk_number: Annotated[int, Field(ge=0, le=2**31 - 1), WholeNumber] | None = Field(
        None, description="Position of the chunk; default after the last one."
    )
    token_count: Annotated[int, Field(ge=0, le=2**31 - 1), WholeNumber] | None = None
    metadata: JsonObject | None = None


class DelegateTaskData(TaskCreate):
    model_config = ConfigDict(extra="forbid", json_schema_extra=SESSION_OR_CONVERSATION)

    session_id: SessionRef | None = None


class AddArtifactData(ArtifactCreate):
    model_config = ConfigDict(extra="forbid", json_schema_extra=SESSION_OR_CONVERSATION)

    session_id: SessionRef | None = None


class _Command(Strict):
    type: Literal["collaborative_session_command"] = Field(
        "collaborative_session_command", description="The protocol's envelope type (optional)."
    )
    on_behalf_of: UserRef | None = Field(
        None,
        description="API keys: the member the command acts for (needed for sessions, which belong to a user). "
        "Signed-in users act for themselves and leave it out.",
    )


class CreateSession(_Command):
    command: Literal["create_session"]
    data: CreateSessionData = Field(default_factory=CreateSessionData)


class ResumeSession(_Command):
    command: Literal["resume_session"]
    data: SessionData


class PauseSession(_Command):
    command: Literal["pause_session"]
    data: SessionData


class CompleteSession(_Command):
    command: Literal["complete_session"]
    data: SessionData


class ListSessions(_Command):
    command: Literal["list_sessions"]
    data: ListSessionsData = Field(default_factory=ListSessionsData)


class GetSessionSummary(_Command):
    command: Literal["get_session_summary"]
    data: SessionData


class StoreMemory(_Command):
    command: Literal["store_memory"]
    data: StoreMemoryData


class RetrieveMemory(_Command):
    command: Literal["retrieve_memory"]
    data: RetrieveMemoryData


class QueryMemories(_Command):
    command: Literal["query_memories"]
    data: QueryMemoriesData = Field(default_factory=QueryMemoriesData)


class ListMemories(_Command):
    command: Literal["list_memories"]
    data: QueryMemoriesData = Field(default_factory=QueryMemoriesData)


class StoreConversationChunk(_Command):
    command: Literal["conversation_chunk"]
    data: ConversationChunkData


class DelegateTask(_Command):
    command: Literal["delegate_task"]
    data: DelegateTaskData


class AddArtifact(_Command):
    command: Literal["add_artifact"]
    data: AddArtifactData


SingleCommand = Annotated[
    CreateSession
    | ResumeSession
    | PauseSession
    | CompleteSession
    | ListSessions
    | GetSessionSummary
    | StoreMemory
    | RetrieveMemory
    | QueryMemories
    | ListMemories
    | StoreConversationChunk
    | DelegateTask
    | AddArtifact,
    Field(discriminator="command"),
]


class BatchCommandData(Strict):
    commands: list[SingleCommand] = Field(min_length=1, max_length=50)


class BatchCommand(_Command):
    command: Literal["batch"]
    data: BatchCommandData


class Command(RootModel[Annotated[SingleCommand | BatchCommand, Field(discriminator="command")]]):
    """One command of the protocol: {"command": ..., "data": {...}}; batch runs several atomically."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "collaborative_session_command",
                    "command": "store_memory",
                    "data": {
                        "session_id": "mobile_test_001",
                        "type": "idea",
                        "key": "feature_carbon_tracking",
                        "content": {"title": "Add carbon emissions tracking"},
                        "tags": ["sustainability", "feature"],
                    },
                }
            ]
        }
    )


class CommandResult(BaseModel):
    """A command that succeeded."""

    status: Literal["success"] = "success"
    command: str
    message: str
    result: JsonValue = Field(description="What the command made or found (a batch: each command's CommandResult).")
