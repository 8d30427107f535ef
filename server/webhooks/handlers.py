"""POST /webhooks/clerk: Clerk identity sync, verified with Svix, idempotent, order-independent.

A delivery is handled in this order:

1. Without CLERK_WEBHOOK_SECRET: 503 webhooks_not_configured (nothing read).
2. The raw body (at most MAX_BODY_BYTES) is verified with svix against the
   svix-id, svix-timestamp and svix-signature headers: a missing header, a bad
   signature, a changed body or a timestamp more than 5 minutes off is
   403 invalid_signature (the signature is this route's credential; 403, not
   401, because there is no WWW-Authenticate scheme to offer), and nothing is
   written.
3. One transaction as app_system, holding an advisory lock so deliveries apply
   one at a time: the event is recorded in the webhook_events inbox and claimed
   (ClaimWebhookEvent), applied, and marked processed. A svix-id already
   processed is answered 200 "duplicate" and changes nothing; an unknown event
   type is recorded, marked processed and answered 200 "ignored".
4. If applying fails, that transaction rolls back (nothing of the event stays)
   and a second transaction records the delivery with its error, unprocessed;
   the answer is 5xx (422 for a payload the sync cannot read) so Svix retries,
   and the retry, same svix-id, is claimed and applied again. Deduplication
   is on processed events only.

Ordering: user, organization and membership payloads carry `updated_at`; a
payload older than the one last applied changes nothing (UpsertUserFromClerk,
UpsertOrganizationFromClerk, UpsertMembershipFromClerk). Deletions are final:
Clerk never reuses an id, so user.deleted and organization.deleted leave a
tombstone row (created when the id was never seen) that no later payload
revives; a deleted organization's data is purged at once, in the same
transaction (PurgeOrganizationData), and a processed organizationMembership.deleted in the inbox keeps
that membership id from coming back. Deleted events often carry no
updated_at; their time is the delivery's svix-timestamp. A membership event
for a user or organization not seen yet creates stub rows (clerk_updated_at
NULL) that their own events complete, exactly like just-in-time provisioning.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel, JsonValue, ValidationError
from svix.webhooks import Webhook, WebhookVerificationError

from gen import Connection, clerk_sync, organizations, users, webhook_events
from gen import auth as auth_queries
from gen.models import MembershipRole

from ..config import CONFIG
from ..files.outbox import drain_after_commit
from ..pipeline.auth import ADMIN_ROLES, system_tx
from ..pipeline.inputs import refuse_nul
from ..pipeline.problems import Problem, from_validation_error
from .models import (
    ClerkDeleted,
    ClerkEvent,
    ClerkMembership,
    ClerkOrganization,
    ClerkUser,
    SvixHeaders,
    WebhookReceipt,
    from_millis,
)

log = logging.getLogger("server.webhooks")

MAX_ERROR_LENGTH = 2000
ModelT = TypeVar("ModelT", bound=BaseModel)


async def receive_clerk_webhook(request: web.Request, *, headers: SvixHeaders) -> WebhookReceipt:
    config = request.app[CONFIG]
    if not config.clerk_webhook_secret:
        raise Problem("webhooks_not_configured", "set CLERK_WEBHOOK_SECRET to receive Clerk webhooks")
    limit = config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise Problem("payload_too_large", f"the body may be at most {limit} bytes")
    raw = await request.read()  # raises 413 past client_max_size
    signed = headers.as_dict()
    try:
        Webhook(config.clerk_webhook_secret).verify(raw, signed)
    except (WebhookVerificationError, ValueError) as exc:  # ValueError: undecodable body or malformed header
        raise Problem("invalid_signature", f"the Svix signature does not verify: {exc}") from None
    svix_id = signed["svix-id"]
    sent_at = datetime.fromtimestamp(float(signed["svix-timestamp"]), UTC)  # verified: a number within 5 minutes

    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Problem("invalid_json", f"the webhook body is not valid JSON: {exc}") from None
    refuse_nul(document)  # PostgreSQL's jsonb cannot hold U+0000: such an event cannot even be recorded.
    try:
        event = ClerkEvent.model_validate(document)
    except ValidationError as exc:
        raise from_validation_error(exc, "body") from None
    payload: JsonValue = document

    try:
        async with system_tx(request.app) as conn:
            await clerk_sync.lock_clerk_sync(conn)
            row = await clerk_sync.claim_webhook_event(conn, svix_id=svix_id, type=event.type, payload=payload)
            if row is None:
                return WebhookReceipt(svix_id=svix_id, type=event.type, outcome="duplicate")
            handled = await apply_event(conn, event, sent_at)
            await webhook_events.mark_webhook_event_processed(conn, id=row.id)
    except Exception as exc:
        await _record_failure(request, svix_id, event.type, payload, exc)
        if isinstance(exc, ValidationError):
            raise from_validation_error(exc, "body") from None
        raise
    if event.type == "organization.deleted":
        # The purge queued its files' objects in file_deletions; they leave storage now that it committed.
        await drain_after_commit(request.app)
    return WebhookReceipt(svix_id=svix_id, type=event.type, outcome="applied" if handled else "ignored")


async def _record_failure(request: web.Request, svix_id: str, type_: str, payload: JsonValue, exc: Exception) -> None:
    """Record the failed delivery (unprocessed, so the retry runs again) in a transaction of its own."""
    log.warning("Clerk webhook %s (%s) failed: %r", svix_id, type_, exc)
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
    try:
        async with system_tx(request.app) as conn:
            await clerk_sync.record_webhook_event_failure(conn, svix_id=svix_id, type=type_, payload=payload, error=error)
    except Exception:
        log.exception("recording the failure of Clerk webhook %s failed too", svix_id)


async def apply_event(conn: Connection, event: ClerkEvent, sent_at: datetime) -> bool:
    """Apply one Clerk event; False for a type the sync does not handle. Pydantic errors propagate."""
    data = event.data
    match event.type:
        case "user.created" | "user.updated":
            user = _parse(ClerkUser, data)
            await users.upsert_user_from_clerk(
                conn,
                clerk_user_id=user.id,
                email=user.email,
                name=user.name,
                image_url=user.image_url,
                clerk_updated_at=from_millis(user.updated_at) or sent_at,
            )
        case "user.deleted":
            deleted = _parse(ClerkDeleted, data)
            await clerk_sync.tombstone_user_from_clerk(conn, clerk_user_id=deleted.id, deleted_at=sent_at)
        case "organization.created" | "organization.updated":
            org = _parse(ClerkOrganization, data)
            await organizations.upsert_organization_from_clerk(
                conn,
                clerk_org_id=org.id,
                name=org.display_name,
                slug=org.slug,
                image_url=org.image_url,
                clerk_updated_at=from_millis(org.updated_at) or sent_at,
            )
        case "organization.deleted":
            deleted = _parse(ClerkDeleted, data)
            await clerk_sync.tombstone_organization_from_clerk(conn, clerk_org_id=deleted.id, deleted_at=sent_at)
            await clerk_sync.purge_organization_data(conn, clerk_org_id=deleted.id)
        case "organizationMembership.created" | "organizationMembership.updated":
            membership = _parse(ClerkMembership, data)
            # Stubs for a user or organization no event has delivered yet; their own events complete them.
            await auth_queries.provision_user(conn, clerk_user_id=membership.public_user_data.user_id)
            await auth_queries.provision_organization(
                conn,
                clerk_org_id=membership.organization.id,
                name=membership.organization.display_name,
                slug=membership.organization.slug,
            )
            await clerk_sync.upsert_membership_from_clerk(
                conn,
                role=MembershipRole.ADMIN if membership.role in ADMIN_ROLES else MembershipRole.MEMBER,
                clerk_membership_id=membership.id,
                clerk_updated_at=from_millis(membership.updated_at) or sent_at,
                clerk_org_id=membership.organization.id,
                clerk_user_id=membership.public_user_data.user_id,
            )
        case "organizationMembership.deleted":
            membership = _parse(ClerkMembership, data)
            await clerk_sync.delete_membership_from_clerk(
                conn,
                clerk_org_id=membership.organization.id,
                clerk_user_id=membership.public_user_data.user_id,
                clerk_membership_id=membership.id,
            )
        case _:
            return False
    return True


def _parse(model: type[ModelT], data: dict[str, object]) -> ModelT:
    return model.model_validate(data)
