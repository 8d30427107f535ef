"""Request and response models of /v1/api-keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ..types import (
    Name,
    Strict,
)

Scope = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.:-]{0,63}$", description="e.g. commands, agents:read")]


class ApiKeyCreate(Strict):
    """A new API key for the caller's organization."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "CI pipeline", "scopes": ["commands"]}]}
    )

    name: Name
    scopes: list[Scope] = Field(default_factory=list, max_length=32)


class ApiKeyRow(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def created_by(self) -> UUID | None: ...
    @property
    def last_used_at(self) -> datetime | None: ...
    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


class ApiKeyOut(BaseModel):
    """An API key without its secret (only its prefix is kept in the clear)."""

    id: UUID
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    scopes: list[str]
    created_by: UUID | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> ApiKeyOut:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            scopes=list(row.scopes),
            created_by=row.created_by,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            created_at=row.created_at,
        )


class ApiKeyCreated(ApiKeyOut):
    """A new key, with its secret: shown this once, never again (only its SHA-256 is stored)."""

    secret: str = Field(description="Send as X-API-Key. Store it now: it cannot be shown again.")
