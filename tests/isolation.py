"""Row level security checks shared by the data model tests.

`leaks` tries, as one tenant (or as app_system), everything that actor must
not do to another tenant's row (read, update, delete it, insert a copy of it
under the owner's organization) and reports what succeeded. A test asserts it
reports nothing; a test that loosens or removes a policy asserts it reports
the leak, proving the check would catch a missing policy
(tests/db/test_policy_mutations.py does that for every policy of the catalog).

Every attempt runs in a savepoint that is rolled back: the check changes
nothing, so a caller may run it inside its own transaction (for instance one
that loosened a policy and rolls back afterwards).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
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


@dataclass(frozen=True)
class System:
    """app_system, the cross-tenant role: acts for no organization."""


SYSTEM = System()

Actor = Tenant | System


def role_of(actor: Actor) -> str:
    """The database role actor's transactions run as."""
    return "app_system" if isinstance(actor, System) else "app_tenant"


async def enter(conn: asyncpg.Connection, actor: Actor) -> None:
    """Act as actor until the transaction (or the savepoint, when rolled back) ends."""
    if isinstance(actor, System):
        await tenancy.enter_system(conn)
    else:
        await tenancy.enter_tenant(conn, org_id=actor.org, user_id=actor.user)


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
async def undone(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """A transaction (a savepoint inside one) that is rolled back at the end, whatever happens inside."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        yield
    finally:
        await transaction.rollback()


@asynccontextmanager
async def refused(
    conn: asyncpg.Connection, error: type[asyncpg.PostgresError] = asyncpg.InsufficientPrivilegeError
) -> AsyncIterator[pytest.ExceptionInfo[asyncpg.PostgresError]]:
    """Expect the statements inside to fail with error, in a savepoint so the transaction goes on."""
    with pytest.raises(error) as info:
        async with conn.transaction():
            yield info


async def role_columns(conn: asyncpg.Connection, role: str, table: str, privilege: str) -> list[str]:
    """The columns of table role holds privilege (SELECT, INSERT, UPDATE) on, by the table's grant or the column's."""
    rows = await conn.fetch(
        """
        SELECT a.attname FROM pg_attribute AS a
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          AND has_column_privilege($2, a.attrelid, a.attnum, $3)
        ORDER BY a.attnum
        """,
        table,
        role,
        privilege,
    )
    return [r["attname"] for r in rows]


async def tenant_columns(conn: asyncpg.Connection, table: str, privilege: str) -> list[str]:
    """The columns of table app_tenant holds privilege (INSERT, UPDATE) on."""
    return await role_columns(conn, "app_tenant", table, privilege)


async def blind_update_column(conn: asyncpg.Connection, role: str, table: str) -> str | None:
    """A column role may update that no key, reference or multi-column check involves (None when there is none).

    Setting it to one row's value on every row a policy lets role update
    breaks no constraint, so the statement fails only where a policy refuses.
    """
    return await conn.fetchval(
        """
        SELECT a.attname FROM pg_attribute AS a
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
          AND has_column_privilege($2, a.attrelid, a.attnum, 'UPDATE')
          AND NOT EXISTS (
              SELECT FROM pg_index AS i WHERE i.indrelid = a.attrelid AND i.indisunique AND a.attnum = ANY (i.indkey)
          )
          AND NOT EXISTS (
              SELECT FROM pg_constraint AS c
              WHERE c.conrelid = a.attrelid AND a.attnum = ANY (c.conkey)
                AND (c.contype = 'f' OR (c.contype = 'c' AND cardinality(c.conkey) > 1))
          )
        ORDER BY a.attnum
        LIMIT 1
        """,
        table,
        role,
    )


async def _run_as(conn: asyncpg.Connection, actor: Actor, sql: str, *args: Any) -> str | None:
    """Run sql as actor, then go back to the connection's own role; None when a privilege or policy refused it.

    Inside a savepoint kept on success (so its effects can be inspected by
    the caller, who rolls them back) and rolled back on failure.
    """
    try:
        async with conn.transaction():
            await enter(conn, actor)
            status: str = await conn.execute(sql, *args)
            await conn.execute(
                "SELECT set_config('role', 'none', true), set_config('app.org_id', '', true), set_config('app.user_id', '', true)"
            )
    except asyncpg.InsufficientPrivilegeError:
        return None
    return status


async def _row_version(conn: asyncpg.Connection, table: str, row_id: UUID) -> str | None:
    """The row's xmin (a new one after any UPDATE, even one that changes no value); None once the row is gone."""
    version: str | None = await conn.fetchval(f"SELECT xmin::text FROM {table} WHERE id = $1", row_id)
    return version


async def _touches(conn: asyncpg.Connection, table: str, row_id: UUID, actor: Actor, sql: str, *args: Any) -> bool:
    """Whether sql, run as actor, updates or deletes row row_id of table (undone afterwards)."""
    async with undone(conn):
        before = await _row_version(conn, table, row_id)
        if await _run_as(conn, actor, sql, *args) is None:
            return False
        return await _row_version(conn, table, row_id) != before


async def leaks(conn: asyncpg.Connection, table: str, row_id: UUID, intruder: Actor) -> list[str]:
    """What intruder could do to row row_id of table: any of read, update, delete, insert.

    conn must be the test's superuser connection (it sees through row level
    security, and reads the row, the grants and the outcome of each attempt).
    Each attempt is rolled back, so the check changes nothing.

    read: the row is visible. update and delete: the row is changed or gone
    after either the targeted statement (WHERE id = ...) or the blind one (no
    WHERE: PostgreSQL applies the SELECT policies to UPDATE and DELETE only
    when they read columns, so only a statement that reads none shows an
    UPDATE or DELETE policy that would let intruder reach rows it cannot
    see). insert: a copy of the row (a new id, the same organization,
    conversation, owner), after the row itself is removed so that its unique
    keys are free, is accepted; it must be refused by a policy or a
    privilege (insufficient privilege), not merely by a constraint.
    """
    doc = await conn.fetchval(f"SELECT to_jsonb(t) FROM {table} AS t WHERE id = $1", row_id)
    assert doc is not None, f"{table} has no row {row_id}"
    copy = {**doc, "id": str(uuid.uuid4())}
    role = role_of(intruder)
    readable = "id" in await role_columns(conn, role, table, "SELECT")
    insertable = await role_columns(conn, role, table, "INSERT")
    updatable = await role_columns(conn, role, table, "UPDATE")
    deletable = await conn.fetchval("SELECT has_table_privilege($1, $2::regclass, 'DELETE')", role, table)

    found: list[str] = []
    if readable:
        async with undone(conn):
            await enter(conn, intruder)
            if await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", row_id):
                found.append("read")
    if updatable:
        attempts = []
        if readable:
            column = updatable[0]
            attempts.append((f"UPDATE {table} SET {column} = {column} WHERE id = $1", row_id))
        blind = await blind_update_column(conn, role, table)
        if blind is not None:
            attempts.append((f"UPDATE {table} SET {blind} = (jsonb_populate_record(NULL::{table}, $1::jsonb)).{blind}", doc))
        for sql, arg in attempts:
            if await _touches(conn, table, row_id, intruder, sql, arg):
                found.append("update")
                break
    if deletable:
        for sql, args in ((f"DELETE FROM {table} WHERE id = $1", (row_id,)), (f"DELETE FROM {table}", ())):
            if await _touches(conn, table, row_id, intruder, sql, *args):
                found.append("delete")
                break
    if insertable:
        columns = ", ".join(insertable)
        async with undone(conn):
            await conn.execute(f"DELETE FROM {table} WHERE id = $1", row_id)
            try:
                status = await _run_as(
                    conn,
                    intruder,
                    f"INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_record(NULL::{table}, $1::jsonb)",
                    copy,
                )
            except asyncpg.PostgresError as exc:
                found.append(f"insert (not refused by a policy: {type(exc).__name__})")
            else:
                if status is not None:
                    found.append("insert")
    return found


async def owner_reads(conn: asyncpg.Connection, table: str) -> int:
    """Rows of table its owner reads when that owner is an ordinary role (neither superuser nor BYPASSRLS).

    FORCE ROW LEVEL SECURITY is what subjects a table's owner to the
    policies; none names the owner, so with it the owner reads nothing. The
    tests' connection is a superuser, which row level security never binds:
    the table is handed, for the time of the check (rolled back), to a role
    made for it.
    """
    async with undone(conn):
        await conn.execute("CREATE ROLE rls_probe_owner NOLOGIN NOSUPERUSER NOBYPASSRLS")
        await conn.execute(f"ALTER TABLE {table} OWNER TO rls_probe_owner")
        await conn.execute("SET LOCAL ROLE rls_probe_owner")
        count: int = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return count


async def hidden_row(conn: asyncpg.Connection, table: str, owner: UUID, intruder: Tenant) -> UUID | None:
    """A row of organization owner's in table that intruder cannot read; None when there is none.

    Of organizations, owner's own row; of another table without
    organization_id (users, the operations tables), any row intruder cannot
    read.
    """
    scoped = await conn.fetchval(
        "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'organization_id' AND NOT attisdropped)",
        table,
    )
    if table == "organizations":
        candidates = [owner]
    elif scoped:
        candidates = [r["id"] for r in await conn.fetch(f"SELECT id FROM {table} WHERE organization_id = $1 ORDER BY id", owner)]
    else:
        candidates = [r["id"] for r in await conn.fetch(f"SELECT id FROM {table} ORDER BY id")]
    visible: set[UUID] = set()
    if "id" in await role_columns(conn, role_of(intruder), table, "SELECT"):
        async with undone(conn):
            await enter(conn, intruder)
            visible = {r["id"] for r in await conn.fetch(f"SELECT id FROM {table}")}
    return next((c for c in candidates if c not in visible), None)


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
