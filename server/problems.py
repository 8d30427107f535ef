"""Every error the API returns: application/problem+json (RFC 9457).

A problem carries `type` (a stable URI ending in its code), `title`, `status`,
`detail`, the stable `code` clients branch on, and for invalid input `errors`, a
list of `{loc, message}` naming each offending field. Handlers raise `Problem`
(or one of the helpers below); `problem_middleware` turns it, aiohttp's own HTTP
errors (unknown route, wrong method, oversize body) and database errors into
that shape. A database error never reaches the client: it is logged and answered
with a generic 500 (or 409/403/503 where its class says what happened).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import asyncpg
import orjson
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger("server")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://aj-copilot.dev/problems/"

# Every code the API can return, with its status and title. Clients branch on
# `code`; the OpenAPI document lists them.
CODES: dict[str, tuple[int, str]] = {
    "invalid_json": (400, "The request body is not valid JSON"),
    "invalid_cursor": (400, "The pagination cursor is not valid"),
    "missing_credentials": (401, "Authentication required"),
    "invalid_token": (401, "The bearer token is not valid"),
    "ambiguous_credentials": (401, "More than one kind of credentials"),
    "expired_token": (401, "The bearer token has expired"),
    "token_not_yet_valid": (401, "The bearer token is not valid yet"),
    "unknown_api_key": (401, "The API key is not valid"),
    "user_deleted": (401, "The user has been deleted"),
    "no_active_organization": (403, "No active organization"),
    "organization_deleted": (403, "The organization has been deleted"),
    "not_a_member": (403, "Not a member of the organization"),
    "user_required": (403, "This operation needs a signed-in user"),
    "invalid_signature": (403, "The webhook signature is not valid"),
    "admin_required": (403, "This operation needs an organization admin"),
    "forbidden": (403, "Not allowed"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "conflict": (409, "Conflict"),
    "precondition_failed": (412, "The If-Match version is not the current one"),
    "payload_too_large": (413, "The request body is too large"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "validation_failed": (422, "The request is not valid"),
    "idempotency_key_reused": (409, "The Idempotency-Key was used for another request"),
    "batch_operation_failed": (422, "An operation of the batch is not allowed here"),
    "precondition_required": (428, "This change needs If-Match with the current version"),
    "internal_error": (500, "Internal server error"),
    "authentication_unavailable": (503, "Authentication is temporarily unavailable"),
    "service_unavailable": (503, "Service unavailable"),
    "webhooks_not_configured": (503, "Webhooks are not configured"),
}

# Statuses of aiohttp's own HTTPExceptions, mapped to a code.
_STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


class FieldError(BaseModel):
    """One offending input: where it is and what is wrong with it."""

    model_config = ConfigDict(extra="forbid")

    loc: list[str | int] = Field(description='Where the value is: ["body", "name"], ["query", "limit"], ...')
    message: str


class ProblemDocument(BaseModel):
    """An error (RFC 9457 problem details) with a stable `code`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "type": TYPE_BASE + "validation_failed",
                    "title": "The request is not valid",
                    "status": 422,
                    "detail": "1 field is not valid",
                    "code": "validation_failed",
                    "errors": [{"loc": ["body", "name"], "message": "String should have at least 1 character"}],
                }
            ]
        },
    )

    type: str = Field(description="A URI naming the kind of problem; ends in its code.")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable code: " + ", ".join(CODES))
    errors: list[FieldError] | None = Field(default=None, description="The offending fields (validation problems).")


class Problem(Exception):
    """An error answered as problem+json. Raise it from handlers and helpers."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        default_status, title = CODES[code]
        self.code = code
        self.status = status or default_status
        self.title = title
        self.detail = detail or title
        self.errors = list(errors) if errors is not None else None
        self.headers = dict(headers or {})
        if self.status == 401:
            # RFC 9110: a 401 names the scheme to use; RFC 6750 adds the error.
            error = "invalid_request" if code == "missing_credentials" else "invalid_token"
            self.headers.setdefault("WWW-Authenticate", f'Bearer realm="api", error="{error}"')
        super().__init__(f"{code}: {self.detail}")

    def document(self) -> ProblemDocument:
        return ProblemDocument(
            type=TYPE_BASE + self.code,
            title=self.title,
            status=self.status,
            detail=self.detail,
            code=self.code,
            errors=self.errors,
        )

    def response(self) -> web.Response:
        body = self.document().model_dump(exclude_none=True)
        return web.Response(
            status=self.status, body=orjson.dumps(body), content_type=PROBLEM_JSON, headers=self.headers
        )


def not_found(what: str = "resource") -> Problem:
    """404 for a resource that does not exist or belongs to another tenant (never 403)."""
    return Problem("not_found", f"no such {what}")


def validation_problem(errors: Iterable[FieldError]) -> Problem:
    items = list(errors)
    count = len(items)
    return Problem("validation_failed", f"{count} field{'s' if count != 1 else ''} not valid", errors=items)


def from_validation_error(exc: ValidationError, location: str) -> Problem:
    """422 naming every field pydantic rejected, prefixed with where it came from."""
    return validation_problem(
        FieldError(loc=[location, *(part for part in error["loc"])], message=error["msg"]) for error in exc.errors()
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error as problem+json: Problem, aiohttp's HTTP errors, database errors, anything else."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _from_http_exception(exc).response()
    except asyncpg.PostgresError as exc:
        return from_database_error(request, exc).response()
    except (OSError, asyncpg.InterfaceError, TimeoutError) as exc:
        log.error("%s %s: database or network unavailable: %r", request.method, request.path, exc)
        return Problem("service_unavailable", "the database is not reachable; retry later").response()
    except Exception:
        log.exception("%s %s: unhandled error", request.method, request.path)
        return Problem("internal_error", "an unexpected error occurred; it has been logged").response()


def _from_http_exception(exc: web.HTTPException) -> Problem:
    code = _STATUS_CODES.get(exc.status)
    headers: dict[str, str] = {}
    if exc.status == 405:
        headers["Allow"] = exc.headers.get("Allow", "")
    if code is None:
        code = "internal_error" if exc.status >= 500 else "validation_failed"
        return Problem(code, exc.reason, headers=headers, status=exc.status)
    detail = {
        "not_found": "no route matches this path",
        "method_not_allowed": "this path does not accept this method",
        "payload_too_large": "the request body exceeds the size limit",
    }.get(code, exc.reason)
    return Problem(code, detail, headers=headers)


def from_database_error(request: web.Request, exc: asyncpg.PostgresError) -> Problem:
    """Map a database error to a problem without leaking its text (it can contain SQL and values)."""
    sqlstate: Any = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.UniqueViolationError):
        log.info("%s %s: unique violation: %s", request.method, request.path, exc)
        return Problem("conflict", "a resource with these values already exists")
    if isinstance(exc, asyncpg.ForeignKeyViolationError | asyncpg.ExclusionViolationError):
        # handlers.common.write_tx answers these naming the field; this is the fallback for any other write.
        log.info("%s %s: %s on %s", request.method, request.path, type(exc).__name__, getattr(exc, "constraint_name", None))
        return Problem("conflict", "the request refers to something that does not exist or conflicts with it")
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        log.info("%s %s: %s on %s", request.method, request.path, type(exc).__name__, getattr(exc, "constraint_name", None))
        return validation_problem([FieldError(loc=["body"], message="a value is not allowed")])
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        # Row level security refused a write the route's own checks let through.
        log.warning("%s %s: refused by the database: %s", request.method, request.path, exc)
        return Problem("forbidden", "this operation is not allowed for the caller")
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        log.warning("%s %s: transaction conflict (%s)", request.method, request.path, sqlstate)
        return Problem("conflict", "a concurrent change conflicted with this request; retry it")
    if isinstance(exc, asyncpg.TooManyConnectionsError | asyncpg.CannotConnectNowError):
        log.error("%s %s: database unavailable: %s", request.method, request.path, exc)
        return Problem("service_unavailable", "the database is not reachable; retry later")
    log.error("%s %s: database error %s", request.method, request.path, sqlstate, exc_info=exc)
    return Problem("internal_error", "an unexpected error occurred; it has been logged")
