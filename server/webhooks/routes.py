"""The routes of webhooks: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="POST",
        path="/webhooks/clerk",
        handler=handlers.receive_clerk_webhook,
        auth=Auth.PUBLIC,
        summary="Clerk identity events (user, organization, membership), signed by Svix",
        tag="webhooks",
        errors=("invalid_signature", "invalid_json", "validation_failed", "payload_too_large", "webhooks_not_configured"),
        description="Authenticated by its Svix signature (svix-id, svix-timestamp, svix-signature over the raw "
        "body, with CLERK_WEBHOOK_SECRET), not by credentials. Idempotent per svix-id: a delivery already "
        "processed is answered 200 with outcome duplicate. Any non-2xx answer makes Svix retry; a failed "
        "delivery is recorded with its error and applied again on the retry. 503 webhooks_not_configured "
        "when CLERK_WEBHOOK_SECRET is unset.",
    ),
]
