"""The tenant transaction every handler's database work runs in.

    async with tenant_tx(request) as conn:
        key = await api_keys.create_api_key(conn, ...)

acquires a pooled connection, opens a transaction and enters the caller's
tenant (gen.tenancy.enter_tenant: SET LOCAL ROLE app_tenant plus app.org_id and
app.user_id), so row level security decides what every generated query sees.
The transaction commits when the block ends and rolls back when it raises.
Handlers open it themselves, after validation and outside any slow I/O (a file
upload streams to disk before its rows are written), and may open more than one.

Inside `shared_tenant_tx(request)` (an idempotent request, a batch, a command),
every tenant_tx of the request is a savepoint of that one transaction instead,
so several handlers' work commits, or rolls back, as one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from aiohttp import web

from gen import Connection, tenancy

from .auth import Principal
from .keys import POOL, PRINCIPAL, SHARED_TX
from .problems import Problem


def principal(request: web.Request) -> Principal:
    """The authenticated caller (routes with auth other than PUBLIC)."""
    return request[PRINCIPAL]


def org_id(request: web.Request) -> UUID:
    """The caller's active organization (routes with auth MEMBER, USER or ADMIN always have one)."""
    org = request[PRINCIPAL].organization_id
    if org is None:
        raise Problem("no_active_organization", "the session has no active organization; select one in the client")
    return org


@asynccontextmanager
async def tenant_tx(request: web.Request) -> AsyncIterator[Connection]:
    """A transaction acting as app_tenant for the caller's organization and user."""
    shared = request.get(SHARED_TX)
    if shared is not None:
        async with shared.transaction():  # a savepoint of the shared transaction
            yield shared
        return
    caller = request[PRINCIPAL]
    if caller.organization_id is None:
        raise Problem("no_active_organization", "the session has no active organization; select one in the client")
    async with request.app[POOL].acquire() as conn, conn.transaction():
        await tenancy.enter_tenant(conn, org_id=caller.organization_id, user_id=caller.user_id)
        yield conn


@asynccontextmanager
async def shared_tenant_tx(request: web.Request) -> AsyncIterator[Connection]:
    """One tenant transaction for all the request's database work until the block ends."""
    if SHARED_TX in request:  # already inside one (a batch sent with Idempotency-Key)
        async with tenant_tx(request) as conn:
            yield conn
        return
    async with tenant_tx(request) as conn:
        request[SHARED_TX] = conn
        try:
            yield conn
        finally:
            del request[SHARED_TX]
