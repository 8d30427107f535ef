"""Every error the API returns: application/problem+json (RFC 9457).

A problem carries `type` (a stable URI ending in its code), `title`, `status`,
`detail`, the stable `code` clients branch on, and for invalid input `errors`, a
list of `{loc, message}` naming each offending field. Handlers raise `Problem`
(or one of the helpers below); `problem_response` turns it, aiohttp's own HTTP
errors (unknown route, wrong method, oversize body) and database errors into
that shape. A database error never reaches the client: it is logged and answered
with a generic 500, or 409/422/403 where its class says what happened. A failed
or lost database connection, at any step of a request, is an outage: 503 with
Retry-After, logged once when the outage starts and once when it ends (with the
number of requests it refused), not once per request. A client that hangs up
is neither: nobody is left to answer, and the log says so at debug level.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
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
    "range_not_satisfiable": (416, "The requested range is not satisfiable"),
    "validation_failed": (422, "The request is not valid"),
    "idempotency_key_reused": (409, "The Idempotency-Key was used for another request"),
    "batch_operation_failed": (422, "An operation of the batch is not allowed here"),
    "precondition_required": (428, "This change needs If-Match with the current version"),
    "internal_error": (500, "Internal server error"),
    "authentication_unavailable": (503, "Authentication is temporarily unavailable"),
    "service_unavailable": (503, "Service unavailable"),
    "webhooks_not_configured": (503, "Webhooks are not configured"),
}

# Seconds a client should wait before retrying, by code (RFC 9110 Retry-After).
RETRY_AFTER = {"service_unavailable": "2", "authentication_unavailable": "60"}
# The status logged and counted for a request whose client hung up (nginx's "client closed request").
CLIENT_CLOSED = 499

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
        if code in RETRY_AFTER:
            self.headers.setdefault("Retry-After", RETRY_AFTER[code])
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


def missing_reference(loc: Sequence[str | int], what: str = "resource") -> Problem:
    """409: the input names a resource that does not exist or is not the caller's to use."""
    return Problem(
        "conflict",
        f"the {what} this refers to does not exist or is not available",
        errors=[FieldError(loc=list(loc), message=f"no such {what} available here")],
    )


def forbidden(detail: str) -> Problem:
    """403: the caller may see the resource but not do this to it."""
    return Problem("forbidden", detail)


def validation_problem(errors: Iterable[FieldError]) -> Problem:
    items = list(errors)
    count = len(items)
    return Problem("validation_failed", f"{count} field{'s' if count != 1 else ''} not valid", errors=items)


def from_validation_error(exc: ValidationError, location: str) -> Problem:
    """422 naming every field pydantic rejected, prefixed with where it came from."""
    return validation_problem(
        FieldError(loc=[location, *(part for part in error["loc"])], message=error["msg"]) for error in exc.errors()
    )


def constraint_problem(
    exc: asyncpg.IntegrityConstraintViolationError, fields: Mapping[str, Sequence[str | int]] | None = None
) -> Problem | None:
    """A foreign key (409), CHECK or NOT NULL (422) or exclusion (409) violation as a problem naming the input
    field its constraint guards (`fields`: constraint name -> loc; ["body"] when unnamed); None for other kinds."""
    loc = list((fields or {}).get(exc.constraint_name or "", ["body"]))
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return missing_reference(loc)
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        return validation_problem([FieldError(loc=loc, message="the value is not allowed")])
    if isinstance(exc, asyncpg.ExclusionViolationError):
        return Problem("conflict", "this conflicts with an existing resource")
    return None


# --- outages -----------------------------------------------------------------------------------


class Outage:
    """Whether the database is unreachable now: logs an outage once when it starts and once when it ends.

    `failed` is called for every request refused because a database connection failed, `recovered`
    whenever a transaction could be opened again; between the two, requests are only counted.
    """

    def __init__(self) -> None:
        self.refused = 0  # requests refused during the current outage
        self.refused_total = 0  # ... since the process started
        self.outages = 0
        self._started: float | None = None

    @property
    def ongoing(self) -> bool:
        return self._started is not None

    def failed(self, where: str, exc: BaseException) -> None:
        self.refused += 1
        self.refused_total += 1
        if self._started is None:
            self._started = time.monotonic()
            self.outages += 1
            log.error("database unavailable (%s: %r); answering 503 until it is back", where, exc)

    def recovered(self) -> None:
        if self._started is not None:
            seconds = time.monotonic() - self._started
            log.warning("database available again after %.1f s; %d requests were answered 503", seconds, self.refused)
            self._started = None
            self.refused = 0


# The app's outage tracker (set by server.app.create_app).
OUTAGE: web.AppKey[Outage] = web.AppKey("outage")


def is_connection_failure(exc: BaseException) -> bool:
    """The database could not be reached, or its connection was lost: an outage, whatever step it hit."""
    if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.InterfaceError | OSError | TimeoutError):
        return True  # SQLSTATE class 08, a closed connection, a refused or reset socket, a connect timeout
    sqlstate = getattr(exc, "sqlstate", None) or ""
    # 57P01-57P04: admin or crash shutdown, cannot connect now, database dropped; class 53: out of resources.
    return isinstance(exc, asyncpg.PostgresError) and sqlstate.startswith(("57P", "53"))


def client_gone(request: web.Request) -> bool:
    """The client closed its connection (so an OSError now is theirs, not the database's)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def problem_response(request: web.Request, exc: Exception) -> web.StreamResponse:
    """The problem+json answer of an error a request's handling raised: Problem, aiohttp's HTTP errors,
    database errors, anything else (server.pipeline.middleware calls it). A redirect is raised again."""
    if isinstance(exc, Problem):
        return exc.response()
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            raise exc
        return _from_http_exception(exc).response()
    if isinstance(exc, OSError) and client_gone(request):
        log.debug("%s %s: the client closed the connection (%r)", request.method, request.path, exc)
        return web.Response(status=CLIENT_CLOSED)
    where = f"{request.method} {request.path}"
    if is_connection_failure(exc):
        request.app[OUTAGE].failed(where, exc)
        return Problem("service_unavailable", "the database is not reachable; retry later").response()
    if isinstance(exc, asyncpg.PostgresError):
        return from_database_error(where, exc).response()
    log.error("%s: unhandled error", where, exc_info=exc)
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


def from_database_error(where: str, exc: asyncpg.PostgresError) -> Problem:
    """Map a database error (not a connection failure) to a problem without leaking its text (it can hold SQL
    and values); `where` names the request or operation in the log."""
    sqlstate: Any = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.UniqueViolationError):
        log.info("%s: unique violation: %s", where, exc)
        return Problem("conflict", "a resource with these values already exists")
    if isinstance(exc, asyncpg.ForeignKeyViolationError | asyncpg.ExclusionViolationError):
        # Context.write_tx answers these naming the field; this is the fallback for any other write.
        log.info("%s: %s on %s", where, type(exc).__name__, getattr(exc, "constraint_name", None))
        return Problem("conflict", "the request refers to something that does not exist or conflicts with it")
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.NotNullViolationError):
        log.info("%s: %s on %s", where, type(exc).__name__, getattr(exc, "constraint_name", None))
        return validation_problem([FieldError(loc=["body"], message="a value is not allowed")])
    if isinstance(exc, asyncpg.ProgramLimitExceededError):
        # A text too large to index (a tsvector holds at most 1 MB).
        log.info("%s: %s", where, exc)
        return validation_problem([FieldError(loc=["body"], message="a value is too large to store or index")])
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        # Row level security refused a write the route's own checks let through.
        log.warning("%s: refused by the database: %s", where, exc)
        return Problem("forbidden", "this operation is not allowed for the caller")
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        log.warning("%s: transaction conflict (%s)", where, sqlstate)
        return Problem("conflict", "a concurrent change conflicted with this request; retry it")
    log.error("%s: database error %s", where, sqlstate, exc_info=exc)
    return Problem("internal_error", "an unexpected error occurred; it has been logged")
