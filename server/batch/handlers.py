"""POST /v1/batch: several operations of this API in one transaction, all or nothing.

Each operation names a method, a path (with its query), its headers and a body,
exactly as it would be sent alone. It is matched against the route table,
authorized for the caller, its inputs validated by the route's own parsers
(its body by the same strict JSON validation), and its handler called
in-process with the shared context of one tenant transaction
(Context.shared): every handler's tx() is a savepoint of it. The first
operation that fails ends the batch: the transaction rolls back and the answer
is that operation's problem, its status and code, with `errors[].loc` starting
["body", "operations", <index>]. When all succeed the answer is 200 with each
operation's status and body.
"""

from __future__ import annotations

import asyncpg
import orjson
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ..pipeline.context import Context
from ..pipeline.problems import FieldError, Problem, from_database_error, is_connection_failure, validation_problem
from ..pipeline.route import ROUTE_MATCH, authorize
from .models import BatchOperation, BatchRequest, BatchResponse, BatchResult


async def run_batch(ctx: Context, *, body: BatchRequest) -> BatchResponse:
    results: list[BatchResult] = []
    async with ctx.shared() as shared:
        for index, operation in enumerate(body.operations):
            results.append(await _run(shared, operation, ["body", "operations", index]))
    return BatchResponse(results=results)


async def _run(ctx: Context, operation: BatchOperation, loc: list[str | int]) -> BatchResult:
    """One operation of the batch, run by its route's handler; its problems name `loc`."""
    url = URL(operation.path)
    where = f"operation {loc[-1]} ({operation.method} {operation.path})"
    try:
        found = ctx.app[ROUTE_MATCH](operation.method, url.path)
        if found is None:
            raise Problem("not_found", f"no route matches {operation.method} {url.path}")
        route, params = found
        if not route.in_batch:
            raise Problem("batch_operation_failed", f"{route.method} {route.path} cannot be part of a batch")
        authorize(route, ctx.principal)
        if operation.body is not None and route.body is None:
            raise validation_problem([FieldError(loc=["body"], message=f"{route.method} {route.path} takes no body")])
        inputs = route.parse(
            match_info=params,
            query=url.query,
            body=None if operation.body is None else orjson.dumps(operation.body),
            headers=CIMultiDictProxy(CIMultiDict(operation.headers or {})),
        )
        status, document = route.json_result(await route.handler(ctx, **inputs))
    except Problem as problem:
        raise _named(problem, loc, where) from None
    except asyncpg.PostgresError as exc:
        if is_connection_failure(exc):
            raise
        raise _named(from_database_error(where, exc), loc, where) from None
    return BatchResult(status=status, body=document)


def _named(problem: Problem, loc: list[str | int], where: str) -> Problem:
    errors = [FieldError(loc=[*loc, *e.loc], message=e.message) for e in problem.errors or []]
    errors = errors or [FieldError(loc=loc, message=problem.detail)]
    return Problem(problem.code, f"{where}: {problem.detail}", errors=errors, headers=problem.headers, status=problem.status)
