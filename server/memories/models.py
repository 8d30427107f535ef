"""Request and response models of the memories endpoints (/v1/memories).

A memory's scope is its organization, optionally narrowed to the caller
(`private`), an agent and a conversation; its key is unique within that scope.
Tags hold no comma and neither start nor end with a space, so that the list
filters can take them comma-separated (`tags_any=a,b`) without any escaping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen.models import MemoryEvent, MemoryEventKind, MemoryKind, MemoryType

from ..pipeline.pagination import PageQuery
from ..types import NON_BLANK, JsonObject, Strict, WholeNumber

# One tag: no NUL, no comma, no space at either end.
_TAG = r"[^\x00, ](?:[^\x00,]*[^\x00, ])?"
TAG_LIST = rf"^{_TAG}(?:,{_TAG})*$"

Tag = Annotated[str, Field(min_length=1, max_length=100, pattern=rf"^{_TAG}$")]
# Short enough for the scope's unique index (btree entries are limited to about 2.7 kB) whatever the characters.
Key = Annotated[str, Field(min_length=1, max_length=500, pattern=NON_BLANK, examples=["feature_carbon_tracking"])]
Importance = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
DecayRate = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
TagList = Annotated[
    str, Field(min_length=1, max_length=2000, pattern=TAG_LIST, examples=["billing,q3"])
]


class MemoryQuery(PageQuery):
    """Filters of the memory list; each one given narrows it."""

    private: bool | None = Field(
        None, description="true: only the caller's private memories; false: only organization-wide ones."
    )
    agent_id: UUID | None = Field(None, description="Only memories of this agent.")
    conversation_id: UUID | None = Field(None, description="Only memories of this conversation.")
    kind: MemoryKind | None = Field(None, description="Only memories of this kind.")
    memory_type: MemoryType | None = Field(None, description="Only memories of this type.")
    tags_any: TagList | None = Field(None, description="Comma-separated tags: only memories with at least one of them.")
    tags_all: TagList | None = Field(None, description="Comma-separated tags: only memories with all of them.")
    min_importance: Importance | None = Field(None, description="Only memories at least this important (0..1).")

    @staticmethod
    def tag_list(tags: str | None) -> list[str] | None:
        return None if tags is None else list(dict.fromkeys(tags.split(",")))


class MemoryGetQuery(Strict):
    touch: bool = Field(
        False,
        description="Count this read as a use of the memory (access_count + 1, last_accessed_at now), "
        "which ranks it as recently used.",
    )


class MemoryFields(Strict):
    """What a memory holds (creating it, replacing it by key, changing it)."""

    memory_type: MemoryType | None = Field(None, description="Default semantic.")
    content: JsonObject | None = Field(None, description="The memory itself, a JSON object. Default {}.")
    tags: list[Tag] | None = Field(None, max_length=50, description="Default none. Duplicates are dropped.")
    importance: Importance | None = Field(None, description="0..1, default 0.5.")
    decay_rate: DecayRate | None = Field(
        None, description="How fast relevance fades, per day (0: never, the default)."
    )

    def tag_values(self) -> list[str] | None:
        return None if self.tags is None else list(dict.fromkeys(self.tags))


class MemoryCreate(MemoryFields):
    """A new memory, or with a key the replacement of the memory with that key in the same scope."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "decision",
                    "key": "feature_carbon_tracking",
                    "content": {"decision": "Ship carbon tracking in Q3", "rationale": "Customer demand"},
                    "tags": ["roadmap", "q3"],
                    "importance": 0.8,
                }
            ]
        },
    )

    kind: MemoryKind
    key: Key | None = Field(
        None,
        description="Unique in the memory's scope. Given: an existing memory with this key in the same scope is "
        "replaced (200). Omitted: a new memory with a generated key (201).",
    )
    private: bool = Field(
        False, description="Private to the caller (needs a signed-in user); default: shared by the organization."
    )
    agent_id: UUID | None = Field(None, description="Narrow the memory to this agent (one the organization may use).")
    conversation_id: UUID | None = Field(
        None, description="Narrow the memory to this conversation (one the caller owns or has shared with them)."
    )


class MemoryUpdate(MemoryFields):
    """The fields to change; omitted (or null) fields stay as they are. Key and scope never change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"importance": 0.9, "tags": ["q4"]}]})

    kind: MemoryKind | None = None


class MemoryOut(BaseModel):
    id: UUID
    user_id: UUID | None = Field(description="The user the memory is private to; null: organization-wide.")
    private: bool = Field(description="Private to its user (user_id set); false: shared by the organization.")
    agent_id: UUID | None
    conversation_id: UUID | None
    kind: MemoryKind
    memory_type: MemoryType
    key: str
    content: JsonValue
    tags: list[str]
    importance: float
    decay_rate: float
    access_count: int
    last_accessed_at: datetime | None
    embedding_model: str | None = Field(description="The model of the memory's vector; null until it is embedded.")
    created_at: datetime
    updated_at: datetime = Field(description="Last change of the memory (not of its access counters).")

    @classmethod
    def from_row(cls, row: BaseModel) -> MemoryOut:
        """From any of the generated memory rows (they share these columns)."""
        data = row.model_dump(include=set(cls.model_fields))
        return cls.model_validate(data | {"private": data["user_id"] is not None})


class MemoryEventOut(BaseModel):
    """One change of a memory: its image before and after (without vector and access counters)."""

    id: UUID
    memory_id: UUID
    event: MemoryEventKind
    before: JsonValue = Field(description="The memory before the change; null for created.")
    after: JsonValue = Field(description="The memory after the change; null for deleted.")
    actor_user_id: UUID | None = Field(description="The user who made the change; null for API keys and the system.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: MemoryEvent) -> MemoryEventOut:
        return cls.model_validate(row.model_dump(include=set(cls.model_fields)))


Weight = Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]
EmbeddingModel = Annotated[str, Field(min_length=1, max_length=200, pattern=NON_BLANK, examples=["text-embedding-3-small"])]


class MemorySearch(Strict):
    """Recall: the memories that matter most now, by relevance, importance and recency."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"query": "承認フロー", "kind": "decision", "importance_weight": 2, "limit": 5}],
            "dependentRequired": {"embedding": ["embedding_model"]},
        },
    )

    query: Annotated[str, Field(min_length=1, max_length=1000, pattern=NON_BLANK)] | None = Field(
        None,
        description="Text to match (English and Japanese, as GET /v1/search). Without embedding, only memories "
        "matching it are candidates.",
    )
    embedding: list[Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]] | None = Field(
        None,
        min_length=1,
        max_length=2000,
        description="A query vector (computed by the caller's embedding model). Memories with a vector of "
        "embedding_model and the same dimensions are ranked by cosine similarity, the others by text match; "
        "every memory in scope is a candidate.",
    )
    embedding_model: EmbeddingModel | None = Field(None, description="The model of embedding (required with it).")
    relevance_weight: Weight = Field(1, description="Exponent of relevance (similarity or text match); 0 ignores it.")
    importance_weight: Weight = Field(1, description="Exponent of importance; 0 ignores it.")
    recency_weight: Weight = Field(1, description="Exponent of recency (exp(-decay_rate * days since last use)).")
    private: bool | None = Field(
        None, description="true: only the caller's private memories; false: only organization-wide ones."
    )
    agent_id: UUID | None = Field(None, description="Only memories of this agent.")
    conversation_id: UUID | None = Field(None, description="Only memories of this conversation.")
    kind: MemoryKind | None = Field(None, description="Only memories of this kind.")
    memory_type: MemoryType | None = Field(None, description="Only memories of this type.")
    tags_any: list[Tag] | None = Field(None, min_length=1, max_length=50, description="Only memories with one of these.")
    tags_all: list[Tag] | None = Field(None, min_length=1, max_length=50, description="Only memories with all of these.")
    limit: Annotated[int, WholeNumber] = Field(10, ge=1, le=100, description="Most memories to return.")
    touch: bool = Field(
        False, description="Count each memory returned as a use (access_count + 1, last_accessed_at now)."
    )


class ScoreParts(BaseModel):
    """What a memory's score is made of: score = relevance^w_r * importance^w_i * recency^w_d."""

    score: float
    relevance: float = Field(
        description="similarity where it exists, else text_match; 1 when the search gave neither text nor vector."
    )
    text_match: float = Field(description="Full-text rank of the query text, 0..1 (0: no text or no match).")
    similarity: float | None = Field(description="Cosine similarity to the query vector; null without a comparable vector.")
    importance: float
    recency: float = Field(description="exp(-decay_rate * days since the last use, or since creation), 0..1.")


class MemorySearchHit(BaseModel):
    memory: MemoryOut
    score: ScoreParts
