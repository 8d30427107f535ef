"""Request and response models of the agents, conversations and messages endpoints.

Request models forbid unknown fields and are validated strictly from JSON. Text
the database requires to be non-blank (CHECK btrim(x) <> '') must hold a
character other than a space; JSON objects and arrays are typed as such
(the columns' CHECKs). Responses leave out internal columns (a message's
organization_id, for example, is the caller's own).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler, JsonValue
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import TypeAliasType

from gen.models import (
    Agent,
    AgentKnowledgeSource,
    AgentQuickTask,
    AgentStatus,
    AgentType,
    AgentVisibility,
    Conversation,
    ConversationShare,
    ConversationStatus,
    KnowledgeSourceType,
    Message,
    MessageRole,
    MessageStatus,
    MessageVersion,
    OrganizationAgent,
)

from .pagination import PageQuery

# Not blank (a character other than space, as the columns' btrim CHECKs want) and no NUL.
NON_BLANK = r"^[^\x00]*[^\x00 ][^\x00]*$"
NO_NUL = r"^[^\x00]*$"




def _whole_number(value: object) -> object:
    # JSON Schema's integer admits 5.0; strict validation would refuse it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _NoNulKeys:
    """JSON Schema of a JSON object whose keys hold no NUL: propertyNames, not patternProperties."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        (values,) = schema.pop("patternProperties").values()
        return {**schema, "propertyNames": {"pattern": NO_NUL}, "additionalProperties": values}


# Any JSON without NUL (jsonb cannot hold U+0000), described as such for clients and fuzzers.
NoNulText = Annotated[str, Field(pattern=NO_NUL)]
Json = TypeAliasType(
    "Json", "NoNulText | int | float | bool | list[Json] | Annotated[dict[NoNulText, Json], _NoNulKeys()] | None"
)
JsonObject = Annotated[dict[NoNulText, Json], _NoNulKeys()]
Label = Annotated[str, Field(min_length=1, max_length=100, pattern=NON_BLANK)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NON_BLANK)]
Title = Annotated[str, Field(min_length=1, max_length=500, pattern=NON_BLANK)]
Version = Annotated[str, Field(min_length=1, max_length=50, pattern=NON_BLANK)]
Prompt = Annotated[str, Field(min_length=1, max_length=20_000, pattern=NON_BLANK)]
# Short enough for the (agent_id, source_path) unique index whatever the characters.
SourcePath = Annotated[str, Field(min_length=1, max_length=500, pattern=NON_BLANK)]
Description = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
LongText = Annotated[str, Field(max_length=100_000, pattern=NO_NUL)]
Url = Annotated[str, Field(max_length=2048, pattern=r"^https?://[^\x00\s]+$", examples=["https://cdn.example.com/a.png"])]


ItemT = TypeVar("ItemT", bound=BaseModel)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Items(BaseModel, Generic[ItemT]):
    """A short list, whole (no pagination)."""

    items: list[ItemT]


# --- path parameters -----------------------------------------------------------------


class AgentGrantPath(Strict):
    id: UUID
    organization_id: UUID


class ConversationSharePath(Strict):
    id: UUID
    user_id: UUID


# --- agents ----------------------------------------------------------------------------


class AgentQuery(PageQuery):
    type: AgentType | None = Field(None, description="Only agents of this type.")


class Embedding(Strict):
    """An embedding model and the dimensions of its vectors (set together)."""

    model: Name = Field(examples=["text-embedding-3-small"])
    dims: Annotated[int, Field(ge=1, le=16000), BeforeValidator(_whole_number)] = Field(examples=[1536])


class AgentFields(Strict):
    """Fields common to creating and changing an agent (their JSON name model_config is kept)."""

    model_config = ConfigDict(extra="forbid")

    description: Description | None = None
    instructions: LongText | None = Field(None, description="The system prompt.")
    model_settings: JsonObject | None = Field(
        None, alias="model_config", description='Model selection and parameters, e.g. {"model": "gpt-4o"}.'
    )
    rag_enabled: bool | None = None
    embedding: Embedding | None = Field(None, description="The embedding model of the agent's knowledge.")
    capabilities: list[Label] | None = Field(None, max_length=50)
    scheduling_config: JsonObject | None = None
    visibility: AgentVisibility | None = None
    status: AgentStatus | None = None
    version: Version | None = None
    icon_url: Url | None = None
    metadata: JsonObject | None = None


class AgentCreate(AgentFields):
    """A new agent of the caller's organization."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "IT helpdesk",
                    "type": "it_support",
                    "description": "Answers IT questions",
                    "instructions": "You are a helpful IT support agent.",
                    "model_config": {"provider": "openai", "model": "gpt-4o"},
                    "visibility": "private",
                }
            ]
        },
    )

    name: Name
    type: AgentType = AgentType.CUSTOM


class AgentUpdate(AgentFields):
    """The fields to change; omitted (or null) fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "IT helpdesk (EU)", "status": "maintenance"}]},
    )

    name: Name | None = None
    type: AgentType | None = None


class AgentOut(BaseModel):
    """An agent (public ones may belong to another organization, or to the platform: organization_id null)."""

    model_config = ConfigDict(serialize_by_alias=True)

    id: UUID
    organization_id: UUID | None = Field(description="The owning organization; null for a platform agent.")
    name: str
    description: str | None
    instructions: str | None
    model_settings: JsonValue = Field(alias="model_config")
    rag_enabled: bool
    embedding: Embedding | None
    capabilities: list[str]
    scheduling_config: JsonValue
    visibility: AgentVisibility
    type: AgentType
    status: AgentStatus
    version: str
    icon_url: str | None
    metadata: JsonValue
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Agent) -> AgentOut:
        data = row.model_dump(by_alias=True, exclude={"embedding_model", "embedding_dims"})
        embedding = None
        if row.embedding_model is not None and row.embedding_dims is not None:
            embedding = Embedding(model=row.embedding_model, dims=row.embedding_dims)
        return cls.model_validate(data | {"embedding": embedding})


class KnowledgeSourceCreate(Strict):
    """A knowledge source of an agent (one per path)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"source_type": "url", "source_path": "https://wiki.example.com/it", "source_name": "IT wiki"}]
        },
    )

    source_type: KnowledgeSourceType
    source_path: SourcePath = Field(description="File or folder path, URL, connection or endpoint name.")
    source_name: Name
    enabled: bool | None = None
    metadata: JsonObject | None = None


class KnowledgeSourceOut(BaseModel):
    id: UUID
    agent_id: UUID
    source_type: KnowledgeSourceType
    source_path: str
    source_name: str
    enabled: bool
    metadata: JsonValue
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: AgentKnowledgeSource) -> KnowledgeSourceOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


class QuickTaskQuery(Strict):
    include_disabled: bool = Field(False, description="Also list disabled quick tasks.")


class QuickTaskCreate(Strict):
    """A pre-written prompt shown with an agent."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Reset my password", "prompt": "How do I reset my password?"}]},
    )

    title: Name
    prompt: Prompt
    category: Label | None = None
    icon: Name | None = None
    order_index: Annotated[int, Field(ge=0, le=2**31 - 1), BeforeValidator(_whole_number)] | None = Field(
        None, description="Display position, ascending."
    )
    enabled: bool | None = None


class QuickTaskOut(BaseModel):
    id: UUID
    agent_id: UUID
    title: str
    prompt: str
    category: str | None
    icon: str | None
    order_index: int
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: AgentQuickTask) -> QuickTaskOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


class AgentGrantCreate(Strict):
    """Give an organization access to one of the caller's organization's agents (or change its grant)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"organization_id": "5d0c7f7e-2b1a-4a55-8f0e-6c1f3b2a9e77", "enabled": True}]},
    )

    organization_id: UUID = Field(description="The organization granted access (the grantee).")
    enabled: bool | None = None
    visibility_override: AgentVisibility | None = Field(None, description="How the grantee sees the agent.")
    config: JsonObject | None = None


class AgentGrantOut(BaseModel):
    id: UUID
    organization_id: UUID = Field(description="The organization granted access (the grantee).")
    agent_id: UUID
    enabled: bool
    visibility_override: AgentVisibility | None
    config: JsonValue
    granted_by: UUID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: OrganizationAgent) -> AgentGrantOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


# --- conversations ---------------------------------------------------------------------


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
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


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


# --- messages --------------------------------------------------------------------------


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
    def from_row(cls, row: Message) -> MessageOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


class MessageDetail(MessageOut):
    """A message with the ids of its attached files."""

    file_ids: list[UUID]

    @classmethod
    def with_files(cls, row: Message, file_ids: list[UUID]) -> MessageDetail:
        return cls(**MessageOut.from_row(row).model_dump(), file_ids=file_ids)


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
