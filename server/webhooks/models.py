"""Clerk webhook payloads (the fields the sync reads) and the webhook's response.

Clerk sends `{"type": ..., "object": "event", "data": {...}, ...}`. Only the
fields read here are declared; everything else Clerk adds is ignored (the whole
event is kept in the webhook_events inbox). `updated_at` is milliseconds since
the epoch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ClerkModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


def from_millis(value: int | None) -> datetime | None:
    """A Clerk timestamp (ms since the epoch) as an aware datetime."""
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


class ClerkEvent(ClerkModel):
    """The envelope of every Clerk webhook event."""

    type: str = Field(min_length=1, max_length=200)
    data: dict[str, object]


class ClerkEmailAddress(ClerkModel):
    id: str
    email_address: str


class ClerkUser(ClerkModel):
    """data of user.created and user.updated."""

    id: str = Field(min_length=1, max_length=255)
    email_addresses: list[ClerkEmailAddress] = []
    primary_email_address_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    image_url: str | None = None
    updated_at: int | None = None

    @property
    def email(self) -> str | None:
        """The primary email address."""
        return next((e.email_address for e in self.email_addresses if e.id == self.primary_email_address_id), None)

    @property
    def name(self) -> str | None:
        """First and last name, as one string."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None


class ClerkOrganization(ClerkModel):
    """data of organization.created and organization.updated (and a membership's organization)."""

    id: str = Field(min_length=1, max_length=255)
    name: str | None = None
    slug: str | None = None
    image_url: str | None = None
    updated_at: int | None = None

    @property
    def display_name(self) -> str:
        """The name, falling back to the slug and then the id (the column may not be empty)."""
        return self.name or self.slug or self.id


class ClerkPublicUserData(ClerkModel):
    user_id: str = Field(min_length=1, max_length=255)


class ClerkMembership(ClerkModel):
    """data of organizationMembership.created, .updated and .deleted."""

    id: str = Field(min_length=1, max_length=255)
    role: str
    organization: ClerkOrganization
    public_user_data: ClerkPublicUserData
    updated_at: int | None = None


class ClerkDeleted(ClerkModel):
    """data of user.deleted and organization.deleted: `{id, deleted: true, object}`."""

    id: str = Field(min_length=1, max_length=255)


class WebhookReceipt(BaseModel):
    """What became of a webhook delivery."""

    model_config = ConfigDict(extra="forbid")

    svix_id: str = Field(description="The delivery's svix-id header.")
    type: str = Field(description="The Clerk event type.")
    outcome: Literal["applied", "duplicate", "ignored"] = Field(
        description="applied: recorded and applied (a stale or superseded event is applied as a no-op); "
        "duplicate: this svix-id was processed before, nothing changed; "
        "ignored: an event type the sync does not handle, recorded only."
    )


class SvixHeaders(BaseModel):
    """A delivery's Svix signature headers. All three must be there and verify (svix checks them); a missing or
    wrong one is 403 invalid_signature, like a bad signature."""

    svix_id: str | None = Field(None, alias="svix-id", description="The message id: the deduplication key.")
    svix_timestamp: str | None = Field(
        None, alias="svix-timestamp", description="Unix seconds when Svix sent it; 5 minutes of tolerance."
    )
    svix_signature: str | None = Field(
        None, alias="svix-signature", description="v1,<base64 HMAC-SHA256 of id.timestamp.body>, space-separated."
    )

    def as_dict(self) -> dict[str, str]:
        """The headers as svix's Webhook.verify reads them (a missing one empty)."""
        return {
            "svix-id": self.svix_id or "",
            "svix-timestamp": self.svix_timestamp or "",
            "svix-signature": self.svix_signature or "",
        }
