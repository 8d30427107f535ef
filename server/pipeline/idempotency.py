"""Idempotency-Key on creating writes: a retried request gets the first response back.

A route flagged `idempotent` that receives `Idempotency-Key: <1..255 visible
ASCII characters>` runs its handler inside one tenant transaction
(Context.shared) that first takes the key's lock, then looks the key up
(db/queries/idempotency.sql):

- stored for the same request (method, path, query, body: SHA-256) -> the
  stored status and body again, with `Idempotent-Replayed: true`; nothing runs;
- stored for another request -> 409 idempotency_key_reused, nothing runs;
- not stored -> the handler runs, and its response is stored in the same
  transaction as its write: both commit, or neither does.

Keys belong to their caller (the user, or the API key) in the organization.
Only successes are stored: a failed request leaves nothing, so its retry runs
again. A concurrent request with the same key waits for the lock, then finds
the first one's response.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

from gen import idempotency as q

from .context import Context
from .problems import FieldError, Problem, validation_problem

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[!-~]{1,255}")
HEADER_DESCRIPTION = (
    "Makes a retry of this request safe: a repeated request with the same key returns the first "
    "response (with Idempotent-Replayed: true) instead of creating again. 1 to 255 visible ASCII "
    "characters, e.g. a UUID; per caller; reusing a key for a different request is 409."
)


async def respond_idempotently(
    ctx: Context, *, key: str, operation_id: str, digest: bytes, run: Callable[[Context], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """The stored response of the request `digest` names under `key`, or run(shared context) and store its."""
    if not KEY_PATTERN.fullmatch(key):
        raise validation_problem(
            [FieldError(loc=["header", IDEMPOTENCY_KEY], message="must be 1 to 255 visible ASCII characters")]
        )
    organization_id, caller_id = ctx.org_id, ctx.principal.api_key_id or ctx.user_id
    assert caller_id is not None  # routes with auth: a user or an API key
    async with ctx.shared() as shared:
        conn = shared.connection
        assert conn is not None
        await q.lock_idempotency_key(conn, organization_id=organization_id, caller_id=caller_id, key=key)
        stored = await q.get_idempotent_response(conn, organization_id=organization_id, caller_id=caller_id, key=key)
        if stored is not None:
            if stored.request_hash != digest or stored.operation_id != operation_id:
                raise Problem(
                    "idempotency_key_reused",
                    f"this {IDEMPOTENCY_KEY} was sent with a different request; use a new key for a new request",
                )
            body = None if stored.response_body is None else orjson.dumps(stored.response_body)
            return web.Response(
                status=stored.response_status, body=body, content_type=None if body is None else "application/json",
                headers={REPLAYED: "true"},
            )
        response = await run(shared)
        if not isinstance(response, web.Response):
            raise TypeError(f"{operation_id} is idempotent but answered a streamed response")
        await q.save_idempotent_response(
            conn,
            organization_id=organization_id,
            caller_id=caller_id,
            key=key,
            operation_id=operation_id,
            request_hash=digest,
            response_status=response.status,
            response_body=None if not response.body else orjson.loads(bytes(response.body)),  # type: ignore[arg-type]
        )
    return response


def request_hash(method: str, path_qs: str, body: bytes) -> bytes:
    """SHA-256 of what makes two requests the same request."""
    return hashlib.sha256(b"\0".join([method.encode(), path_qs.encode(), body])).digest()
