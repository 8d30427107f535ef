"""POST /v1/batch: several operations of this API in one transaction, all or nothing.

Each operation names a method, a path (with its query) and a body, exactly as
it would be sent alone. It is matched against the route table, authorized for
the caller, validated and handled by the same code as the route itself, inside
one shared tenant transaction (server.tenancy.shared_tenant_tx): every handler's
tenant_tx is a savepoint of it. The first operation that fails ends the batch:
the transaction rolls back and the answer is that operation's problem, its
status and code, with `errors[].loc` starting ["body", "operations", <index>].
When all succeed the answer is 200 with each operation's status and body.
"""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg
import orjson
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import JsonValue
from yarl import URL

from ..batch_models import BatchRequest, BatchResponse, BatchResult
from ..keys import INPUTS, ROUTE_MATCH
from ..problems import FieldError, Problem, from_database_error
from ..routing import Auth, authorize, body, parse_inputs, respond
from ..tenancy import principal, shared_tenant_tx


async def run_batch(request: web.Request) -> BatchResponse:
    batch = body(request, BatchRequest)
    results: list[BatchResult] = []
    async with shared_tenant_tx(request):
        for index, op in enumerate(batch.operations):
            status, result = await run_operation(
                request, op.method, op.path, op.body, op.headers or {}, loc=["body", "operations", index]
            )
            results.append(BatchResult(status=status, body=result))
    return BatchResponse(results=results)


async def run_operation(
    request: web.Request,
    method: str,
    target: str,
    payload: JsonValue | None,
    headers: Mapping[str, str],
    *,
    loc: list[str | int],
) -> tuple[int, JsonValue]:
    """Run one route of the table in-process, inside the request's shared transaction.

    Its problems come back naming `loc` (the operation) and what it said.
    """
    url = URL(target)
    found = request.app[ROUTE_MATCH](method, url.path)
    try:
        if found is None:
            raise Problem("not_found", f"no route matches {method} {url.path}")
        route, params = found
        if not route.batchable or route.auth is Auth.PUBLIC:
            raise Problem("batch_operation_failed", f"{route.method} {route.path} cannot be part of a batch")
        authorize(route, principal(request))
        raw = None if payload is None else orjson.dumps(payload)
        request[INPUTS] = parse_inputs(route, params, url.query, raw, CIMultiDictProxy(CIMultiDict(headers)))
        response = respond(route, await route.handler(request))
    except Problem as problem:
        raise _named(problem, loc, method, target) from None
    except asyncpg.PostgresError as exc:
        raise _named(from_database_error(request, exc), loc, method, target) from None
    if not isinstance(response, web.Response):
        raise Problem("batch_operation_failed", f"{method} {url.path} does not answer JSON")
    return response.status, orjson.loads(bytes(response.body)) if response.body else None  # type: ignore[arg-type]


def _named(problem: Problem, loc: list[str | int], method: str, target: str) -> Problem:
    where = f"operation {loc[-1]} ({method} {target})"
    errors = [FieldError(loc=[*loc, *e.loc], message=e.message) for e in problem.errors or []]
    errors = errors or [FieldError(loc=loc, message=problem.detail)]
    return Problem(problem.code, f"{where}: {problem.detail}", errors=errors, headers=problem.headers, status=problem.status)
