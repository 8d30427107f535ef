"""Request and response models of /v1/agents: agents, their knowledge sources, quick tasks and grants."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen.models import (
    Agent,
    AgentKnowledgeSource,
    AgentQuickTask,
    AgentStatus,
    AgentType,
    AgentVisibility,
    KnowledgeSourceType,
    OrganizationAgent,
)

from ..pipeline.pagination import PageQuery
from ..types import (
    NON_BLANK,
    Description,
    JsonObject,
    Label,
    LongText,
    Name,
    Strict,
    Url,
    WholeNumber,
)

Version = Annotated[str, Field(min_length=1, max_length=50, pattern=NON_BLANK)]


Prompt = Annotated[str, Field(min_length=1, max_length=20_000, pattern=NON_BLANK)]


# Short enough for the (agent_id, source_path) unique index whatever the characters.
SourcePath = Annotated[str, Field(min_length=1, max_length=500, pattern=NON_BLANK)]


class AgentGrantPath(Strict):
    id: UUID
    organization_id: UUID


class AgentQuery(PageQuery):
    type: AgentType | None = Field(None, description="Only agents of this type.")


class Embedding(Strict):
    """An embedding model and the dimensions of its vectors (set together)."""

    model: Name = Field(examples=["text-embedding-3-small"])
    dims: Annotated[int, Field(ge=1, le=16000), WholeNumber] = Field(examples=[1536])


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
    order_index: Annotated[int, Field(ge=0, le=2**31 - 1), WholeNumber] | None = Field(
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
