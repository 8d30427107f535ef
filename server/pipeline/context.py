"""The caller's context: who calls, and the tenant transaction their work runs in.

The endpoint wrapper (server.pipeline.route) authenticates a request and hands
its handler a `Context`. Handlers do their database work in

    async with ctx.tx() as conn:
        key = await api_keys.create_api_key(conn, ...)

which acquires a pooled connection, opens a transaction and enters the caller's
tenant (gen.tenancy.enter_tenant: SET LOCAL ROLE app_tenant plus app.org_id and
app.user_id), so row level security decides what every generated query sees.
The transaction commits when the block ends and rolls back when it raises.
For a signed-in user the first `tx()` of a request is the transaction their
authentication already opened and entered the tenant in (fn.enter_session, one
round trip; `opened`), so most requests acquire one connection and open one
transaction.
Handlers open it themselves, after validation and outside any slow I/O (a file
upload streams to storage before its rows are written), and may open more than one.
`ctx.write_tx(fields)` is the same transaction, with constraint violations
answered as problems naming the input field (409/422) instead of a generic one.

A context is immutable. `ctx.shared()` gives the context of one transaction for
all the work done with it (an idempotent request, a batch, a command): each
`tx()` of that context is a savepoint of it, so several handlers' work commits,
or rolls back, as one. `shared.acting_for(user_id)` gives the context of a
member an API key acts for (POST /v1/commands), inside the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from aiohttp import web

from gen import Connection, tenancy
from gen.models import MembershipRole

from ..config import CONFIG, Config
from .auth import Principal, TenantTransaction
from .keys import POOL
from .problems import OUTAGE, Problem, constraint_problem


@dataclass(frozen=True, slots=True)
class Context:
    """An authenticated caller of one request, and (inside `shared()`) the transaction its work shares."""

    app: web.Application
    principal: Principal
    connection: Connection | None = None  # the shared transaction's connection, inside shared()
    # The tenant transaction authentication opened (server.pipeline.auth.TenantTransaction): the first tx() is it.
    opened: TenantTransaction | None = None

    @property
    def config(self) -> Config:
        return self.app[CONFIG]

    @property
    def org_id(self) -> UUID:
        """The caller's active organization (routes with auth MEMBER, USER or ADMIN always have one)."""
        org = self.principal.organization_id
        if org is None:
            raise Problem("no_active_organization", "the session has no active organization; select one in the client")
        return org

    @property
    def user_id(self) -> UUID | None:
        """The signed-in user; None for an API key (acting for nobody)."""
        return self.principal.user_id

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Connection]:
        """A transaction acting as app_tenant for the caller's organization and user (a savepoint when shared)."""
        if self.connection is not None:
            async with self.connection.transaction():
                yield self.connection
            return
        opened = self.opened
        taken = None if opened is None else opened.take()
        if opened is not None and taken is not None:
            conn, transaction = taken
            try:
                yield conn
            except BaseException:
                await transaction.rollback()
                raise
            else:
                await transaction.commit()
            finally:
                await opened.release(conn)
            return
        org_id = self.org_id
        async with self.app[POOL].acquire() as conn, conn.transaction():
            await tenancy.enter_tenant(conn, org_id=org_id, user_id=self.user_id)
            self.app[OUTAGE].recovered()
            yield conn

    @asynccontextmanager
    async def write_tx(self, fields: Mapping[str, Sequence[str | int]] | None = None) -> AsyncIterator[Connection]:
        """tx(), with foreign key (409), CHECK (422) and exclusion (409) violations answered naming the input
        field their constraint guards (`fields`: constraint name -> loc)."""
        try:
            async with self.tx() as conn:
                yield conn
        except asyncpg.IntegrityConstraintViolationError as exc:
            problem = constraint_problem(exc, fields)
            if problem is None:
                raise
            raise problem from None

    @asynccontextmanager
    async def shared(self) -> AsyncIterator[Context]:
        """The context of one transaction shared by all the work done with it until the block ends."""
        if self.connection is not None:  # shared already (a batch sent with Idempotency-Key)
            yield self
            return
        async with self.tx() as conn:
            yield dataclasses.replace(self, connection=conn)

    @asynccontextmanager
    async def acting_for(self, user_id: UUID) -> AsyncIterator[Context]:
        """The context of a member the caller (an API key) acts for, with a member's rights, in this shared
        transaction; the caller's own tenant settings are back when the block ends."""
        conn = self.connection
        if conn is None:
            raise RuntimeError("acting_for needs a shared transaction (Context.shared)")
        member = dataclasses.replace(self.principal, user_id=user_id, role=MembershipRole.MEMBER)
        await tenancy.enter_tenant_with_member_rights(conn, org_id=self.org_id, user_id=user_id)
        yield dataclasses.replace(self, principal=member)
        # (When the block raised, the shared transaction rolls back, settings and all.)
        await tenancy.enter_tenant(conn, org_id=self.org_id, user_id=self.user_id)
