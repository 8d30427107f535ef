"""Request and response models of POST /v1/agents/{id}/knowledge/search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from gen.embeddings import SearchKnowledgeRow
from gen.models import EmbeddingSourceType

from ..types import Strict, WholeNumber

QueryText = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*\S[^\x00]*$")]
Weight = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class KnowledgeSearch(Strict):
    """What to look for in the agent's knowledge, and how to weigh the two legs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "printer jams", "limit": 5}]})

    query: QueryText = Field(description="What to look for: words for the full-text leg, meaning for the vector leg.")
    limit: Annotated[int, Field(ge=1, le=50), WholeNumber] = Field(10, description="Most chunks to return.")
    k: float = Field(60.0, ge=1, le=1000, allow_inf_nan=False, description="Reciprocal rank fusion's k: score = w / (k + rank).")
    text_weight: Weight = Field(1.0, description="Weight of the full-text leg.")
    vector_weight: Weight = Field(1.0, description="Weight of the vector leg.")


class KnowledgeHit(BaseModel):
    id: UUID
    source_type: EmbeddingSourceType
    source_id: UUID
    chunk_index: int
    content: str
    metadata: JsonValue
    text_rank: int | None = Field(description="Rank in the full-text leg (1 = best); null when not matched there.")
    text_score: float | None = Field(description="ts_rank_cd of the chunk for the query.")
    vector_rank: int | None = Field(description="Rank in the vector leg (1 = nearest); null when not among its candidates.")
    vector_distance: float | None = Field(description="Cosine distance to the query's vector.")
    fused_score: float = Field(description="text_weight / (k + text_rank) + vector_weight / (k + vector_rank).")

    @classmethod
    def from_row(cls, row: SearchKnowledgeRow) -> KnowledgeHit:
        return cls.model_validate(row.model_dump())


class KnowledgeResults(BaseModel):
    items: list[KnowledgeHit]
    model: str = Field(description="The embedding model of the agent's knowledge that was searched.")
    vector_leg: Literal["used", "no_embedding_provider", "provider_unavailable"] = Field(
        description="used: both legs were fused. Otherwise the answer is the full-text leg alone: no provider is "
        "configured (OPENAI_BASE_URL / OPENAI_API_KEY), or it failed to embed the query."
    )


class KnowledgeModelState(BaseModel):
    model: str
    dims: int
    pending: int = Field(description="Chunks waiting for their vector (python -m jobs.embed).")
    embedded: int
    failed: int = Field(description="Chunks the provider refused or kept failing on (see their error).")
    last_change: datetime | None


class KnowledgeState(BaseModel):
    """How far an agent's knowledge is embedded, model by model."""

    models: list[KnowledgeModelState]
