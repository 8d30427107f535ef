"""Helpers shared by the resource handlers: the writing transaction and its constraint errors.

problem_middleware answers integrity errors generically (409 for unique and
foreign key violations, 422 for a CHECK, 403 for an RLS refusal). A write whose
input can trip one runs in
`write_tx(request, fields)`, which answers those naming the input field
(from the constraint name, `fields`), without the database's text: a foreign
key with 409 conflict (the input refers to something that does not exist, or
not for the caller), a CHECK with 422.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import asyncpg
from aiohttp import web

from gen import Connection

from ..problems import FieldError, Problem, validation_problem
from ..tenancy import tenant_tx

log = logging.getLogger("server")

Loc = Sequence[str | int]


@asynccontextmanager
async def write_tx(request: web.Request, fields: Mapping[str, Loc] | None = None) -> AsyncIterator[Connection]:
    """tenant_tx, with foreign key (409) and CHECK (422) violations answered naming the field, not as 500."""
    try:
        async with tenant_tx(request) as conn:
            yield conn
    except asyncpg.ForeignKeyViolationError as exc:
        log.info("%s %s: foreign key violation on %s", request.method, request.path, exc.constraint_name)
        raise missing_reference(_loc(fields, exc)) from None
    except (asyncpg.CheckViolationError, asyncpg.NotNullViolationError) as exc:
        log.info("%s %s: %s on %s", request.method, request.path, type(exc).__name__, exc.constraint_name)
        raise validation_problem([FieldError(loc=list(_loc(fields, exc)), message="the value is not allowed")]) from None
    except asyncpg.ExclusionViolationError:
        raise Problem("conflict", "this conflicts with an existing resource") from None


def _loc(fields: Mapping[str, Loc] | None, exc: asyncpg.IntegrityConstraintViolationError) -> Loc:
    return (fields or {}).get(getattr(exc, "constraint_name", None) or "", ["body"])


def missing_reference(loc: Loc, what: str = "resource") -> Problem:
    """409: the input names a resource that does not exist or is not the caller's to use."""
    return Problem(
        "conflict",
        f"the {what} this refers to does not exist or is not available",
        errors=[FieldError(loc=list(loc), message=f"no such {what} available here")],
    )


def forbidden(detail: str) -> Problem:
    return Problem("forbidden", detail)
