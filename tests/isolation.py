"""Row level security checks shared by the data model tests.

`leaks` tries, as one tenant, everything that tenant must not do to another
tenant's row (read, update, delete it, insert a copy of it under the owner's
organization) and reports what succeeded. A test asserts it reports nothing;
a test that removes a policy asserts it reports the leak, proving the check
would catch a missing policy.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from gen import memberships, organizations, tenancy, users
from gen.models import MembershipRole

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Tenant:
    org: UUID
    user: UUID | None


@asynccontextmanager
async def acting_as(conn: asyncpg.Connection, tenant: Tenant) -> AsyncIterator[None]:
    """A transaction acting as app_tenant for tenant."""
    async with conn.transaction():
        await tenancy.enter_tenant(conn, org_id=tenant.org, user_id=tenant.user)
        yield


@asynccontextmanager
async def acting_as_system(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """A transaction acting as app_system."""
    async with conn.transaction():
        await tenancy.enter_system(conn)
        yield


@asynccontextmanager
async def refused(
    conn: asyncpg.Connection, error: type[asyncpg.PostgresError] = asyncpg.InsufficientPrivilegeError
) -> AsyncIterator[pytest.ExceptionInfo[asyncpg.PostgresError]]:
    """Expect the statements inside to fail with error, in a savepoint so the transaction goes on."""
    with pytest.raises(error) as info:
        async with conn.transaction():
            yield info


async def tenant_columns(conn: asyncpg.Connection, table: str, privilege: str) -> list[str]:
    """The columns of table app_tenant holds privilege (INSERT, UPDATE) on."""
    rows = await conn.fetch(
        """
        SELECT p.column_name
        FROM information_schema.column_privileges AS p
        JOIN information_schema.columns AS c USING (table_schema, table_name, column_name)
        WHERE p.grantee = 'app_tenant' AND p.table_schema = 'public' AND p.table_name = $1
          AND p.privilege_type = $2
        ORDER BY c.ordinal_position
        """,
        table,
        privilege,
    )
    return [r["column_name"] for r in rows]


async def leaks(conn: asyncpg.Connection, table: str, row_id: UUID, intruder: Tenant) -> list[str]:
    """What intruder could do to row row_id of table: any of read, update, delete, insert.

    conn must be the test's superuser connection outside any transaction: it
    reads the row and the grants first, then acts as intruder. The insert
    tries a copy of the row with a new id (same organization, conversation,
    owner); the copy must be refused by a policy (insufficient privilege),
    not merely by a constraint.
    """
    doc = await conn.fetchval(f"SELECT to_jsonb(t) FROM {table} AS t WHERE id = $1", row_id)
    assert doc is not None, f"{table} has no row {row_id}"
    doc = {**doc, "id": str(uuid.uuid4())}
    insertable = await tenant_columns(conn, table, "INSERT")
    updatable = await tenant_columns(conn, table, "UPDATE")

    found: list[str] = []
    async with acting_as(conn, intruder):
        if await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id):
            found.append("read")
        attempts = [("delete", f"DELETE FROM {table} WHERE id = $1", row_id)]
        if updatable:
            column = updatable[0]
            attempts.insert(0, ("update", f"UPDATE {table} SET {column} = {column} WHERE id = $1", row_id))
        for what, sql, arg in attempts:
            try:
                async with conn.transaction():
                    status = await conn.execute(sql, arg)
            except asyncpg.InsufficientPrivilegeError:
                continue
            if not status.endswith(" 0"):
                found.append(what)
        if insertable:
            columns = ", ".join(insertable)
            try:
                async with conn.transaction():
                    await conn.execute(
                        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_record(NULL::{table}, $1::jsonb)",
                        doc,
                    )
                found.append("insert")
            except asyncpg.InsufficientPrivilegeError:
                pass
            except asyncpg.PostgresError as exc:
                found.append(f"insert (not refused by a policy: {type(exc).__name__})")
    return found


async def visible_rows(conn: asyncpg.Connection, tables: list[str]) -> dict[str, int]:
    """Rows of each table app_tenant sees with no tenant set (SET LOCAL ROLE only); non-zero counts only."""
    counts: dict[str, int] = {}
    async with conn.transaction():
        await conn.execute("SET LOCAL ROLE app_tenant")
        for table in tables:
            n = await conn.fetchval(f"SELECT count(*) FROM {table}")
            if n:
                counts[table] = n
    return counts


async def seed_identities(
    conn: asyncpg.Connection, members: Sequence[tuple[str, str, str]]
) -> tuple[dict[str, UUID], dict[str, UUID]]:
    """Organizations org_<key> and users user_<name>, each a member with a role, as app_system.

    members holds (user name, organization key, role); returns the ids of the
    organizations by key and of the users by name.
    """
    orgs: dict[str, UUID] = {}
    people: dict[str, UUID] = {}
    async with acting_as_system(conn):
        for name, key, role in members:
            if key not in orgs:
                org = await organizations.upsert_organization_from_clerk(
                    conn, clerk_org_id=f"org_{key}", name=f"Org {key.upper()}", slug=key, image_url=None, clerk_updated_at=T0
                )
                assert org is not None
                orgs[key] = org.id
            user = await users.upsert_user_from_clerk(
                conn, clerk_user_id=f"user_{name}", email=f"{name}@example.com", name=name.title(), image_url=None, clerk_updated_at=T0
            )
            assert user is not None
            people[name] = user.id
            await memberships.upsert_membership(
                conn,
                organization_id=orgs[key],
                user_id=user.id,
                role=MembershipRole(role),
                clerk_membership_id=f"orgmem_{key}_{name}",
                clerk_updated_at=T0,
            )
    return orgs, people
