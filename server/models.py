"""Request and response models of the API (its public shapes, separate from gen/'s row models).

Request models forbid unknown fields and are validated strictly from JSON (no
"5" for 5). Text fields refuse NUL, which PostgreSQL cannot store (the body
parser reports it first, naming the field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from gen.models import MembershipRole, Organization, User

NO_NUL = r"^[^\x00]*$"

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Scope = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.:-]{0,63}$", description="e.g. commands, agents:read")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdPath(Strict):
    id: UUID


# --- identity --------------------------------------------------------------------


class UserOut(BaseModel):
    id: UUID
    clerk_user_id: str
    email: str | None
    name: str | None
    image_url: str | None

    @classmethod
    def from_row(cls, row: User) -> UserOut:
        return cls(id=row.id, clerk_user_id=row.clerk_user_id, email=row.email, name=row.name, image_url=row.image_url)


class OrganizationOut(BaseModel):
    id: UUID
    clerk_org_id: str
    name: str
    slug: str | None
    image_url: str | None

    @classmethod
    def from_row(cls, row: Organization) -> OrganizationOut:
        return cls(id=row.id, clerk_org_id=row.clerk_org_id, name=row.name, slug=row.slug, image_url=row.image_url)


class Me(BaseModel):
    """The caller: a signed-in user (with the session's organization, if any) or an API key."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "user",
                    "user": {
                        "id": "0b8f2a4e-6a53-4d1e-9b36-2a8f0e1c9d11",
                        "clerk_user_id": "user_2abc",
                        "email": "ada@example.com",
                        "name": "Ada",
                        "image_url": None,
                    },
                    "organization": {
                        "id": "5d0c7f7e-2b1a-4a55-8f0e-6c1f3b2a9e77",
                        "clerk_org_id": "org_2xyz",
                        "name": "Acme",
                        "slug": "acme",
                        "image_url": None,
                    },
                    "role": "admin",
                    "api_key_id": None,
                    "scopes": [],
                }
            ]
        }
    )

    kind: Literal["user", "api_key"]
    user: UserOut | None = Field(description="null for API keys")
    organization: OrganizationOut | None = Field(description="null when the session has no active organization")
    role: MembershipRole | None = Field(description="the role in the organization, from the database (not the token)")
    api_key_id: UUID | None
    scopes: list[str]


# --- API keys --------------------------------------------------------------------


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


# --- operations ------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    migrations: int = Field(description="Migrations applied.")
