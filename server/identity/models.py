"""Response models of GET /v1/me."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from gen.models import MembershipRole, Organization, User


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
