"""Every row level security policy of the catalog broken on purpose, and the isolation check shown to report it.

The tests are generated: one per policy and one per table with row level
security, read from db/schema.sql, the dump of the migrated catalog (which
tests/db/test_migrations.py keeps equal to the migrations), and checked
against the live catalog of the migrated database
(test_the_generated_tests_cover_every_policy_and_table_of_the_catalog). A
new table or policy is covered as soon as its migration is dumped; nobody
writes its test.

Each test loosens one policy, inside a transaction of its own on a database
of this module's (a copy of the migrated template with rows of two
organizations in every table, tenants.fill_every_table), and rolls it back
afterwards: policies are catalog rows, and DDL is transactional.

* A permissive policy becomes `USING (true)` / `WITH CHECK (true)`; a
  restrictive one is dropped (that is what loosens it).
* Then `isolation.leaks` runs as the role the policy names, against a row
  of organization A that the intruder cannot read: for app_tenant, the
  admin of organization B; for app_system, app_system itself. The test
  asserts the check reports nothing with the catalog as it is (for
  app_tenant), and, with the policy loosened, reports exactly the commands
  the policy governs that the role is granted: read for SELECT, insert
  (a row carrying organization A's id) for INSERT, update and delete for
  UPDATE and DELETE. Those two are found by statements without a WHERE
  clause, since PostgreSQL applies SELECT policies to any UPDATE or DELETE
  that reads a column: a loosened UPDATE or DELETE policy alone is only
  visible to a blind statement.
* A policy that already admits every row (`USING (true)` and `WITH CHECK
  (true)`: the app_system policies other than "system manages platform
  agents") has no looser form: its mutant is the policy itself. Its test
  says so and is skipped; what bounds that role is its grants
  (tests/db/test_rls_catalog.py). An app_tenant policy that admits every row
  fails instead: that would be a leak in itself.
* Removing FORCE ROW LEVEL SECURITY from a table is reported when an
  ordinary role owning the table reads its rows (`isolation.owner_reads`).

`make test` prints the count (policies loosened and caught) at the end.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from isolation import SYSTEM, Actor, Tenant, hidden_row, leaks, owner_reads, role_columns, undone
from tenants import World, fill_every_table, make_world

from gen import init_connection
from tools import db as dbtools

SCHEMA = Path(__file__).resolve().parents[2] / "db" / "schema.sql"
_IDENT = r'(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)'
_POLICY = re.compile(rf"^CREATE POLICY (?P<policy>{_IDENT}) ON (?P<schema>{_IDENT})\.(?P<table>{_IDENT}) ", re.M)
_RLS = re.compile(rf"^ALTER TABLE (?:ONLY )?(?P<schema>{_IDENT})\.(?P<table>{_IDENT}) ENABLE ROW LEVEL SECURITY;", re.M)

# What the isolation check calls the attempt each command of a policy governs.
GOVERNS = {
    "SELECT": ["read"],
    "INSERT": ["insert"],
    "UPDATE": ["update"],
    "DELETE": ["delete"],
    "ALL": ["read", "update", "delete", "insert"],
}
PRIVILEGE = {"read": "SELECT", "insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}

EQUIVALENT = (
    "equivalent mutant: the policy already admits every row to app_system (USING (true), WITH CHECK (true)); "
    "nothing looser exists to substitute, so no leak can be observed. That role is bounded by its grants "
    "(tests/db/test_rls_catalog.py)."
)


def _unquote(ident: str) -> str:
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident


def schema_policies() -> list[tuple[str, str]]:
    """(table, policy) of every CREATE POLICY in db/schema.sql, in the dump's order."""
    found = []
    for m in _POLICY.finditer(SCHEMA.read_text()):
        assert _unquote(m["schema"]) == "public", m.group(0)
        found.append((_unquote(m["table"]), _unquote(m["policy"])))
    return found


def schema_rls_tables() -> list[str]:
    """Every table db/schema.sql enables row level security on."""
    return [_unquote(m["table"]) for m in _RLS.finditer(SCHEMA.read_text())]


POLICIES = schema_policies()
RLS_TABLES = schema_rls_tables()


@dataclass
class Seeded:
    conn: asyncpg.Connection
    world: World
    victims: dict[str, UUID] = field(default_factory=dict)

    @property
    def intruder(self) -> Tenant:
        """The tenant that tries to reach organization A's rows: B's admin (admin rights widen what it may try)."""
        return self.world.b_carol

    async def victim(self, table: str) -> UUID:
        """A row of organization A in table that the intruder cannot read (looked up once per table)."""
        if table not in self.victims:
            row = await hidden_row(self.conn, table, self.world.org_a, self.intruder)
            assert row is not None, (
                f"{table} has no row of organization A that B cannot read: tenants.fill_every_table must write one"
            )
            self.victims[table] = row
        return self.victims[table]

    def actor(self, role: str) -> Actor:
        actors: dict[str, Actor] = {"app_tenant": self.intruder, "app_system": SYSTEM}
        assert role in actors, f"a policy names role {role}: the isolation check knows how to act only as {sorted(actors)}"
        return actors[role]


@pytest.fixture(scope="module")
async def seeded(pg_admin_uri: str, migrated_template: str) -> AsyncIterator[Seeded]:
    """This module's copy of the migrated template, with rows of organizations A and B in every table."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    await dbtools.create_database(pg_admin_uri, name, template=migrated_template)
    conn = await asyncpg.connect(dbtools.with_database(pg_admin_uri, name))
    try:
        await init_connection(conn)
        world = await make_world(conn)
        await fill_every_table(conn, world)
        yield Seeded(conn, world)
    finally:
        await conn.close()
        await dbtools.drop_database(pg_admin_uri, name)


async def granted(conn: asyncpg.Connection, role: str, table: str, attempt: str) -> bool:
    """Whether role holds the privilege an attempt of the isolation check needs (any column of it will do)."""
    if attempt == "delete":
        return bool(await conn.fetchval("SELECT has_table_privilege($1, $2::regclass, 'DELETE')", role, table))
    columns = await role_columns(conn, role, table, PRIVILEGE[attempt])
    return "id" in columns if attempt == "read" else bool(columns)


async def loosen(conn: asyncpg.Connection, table: str, policy: str, command: str, permissive: bool) -> None:
    """Replace the policy's expressions by true (a permissive policy), or drop it (a restrictive one)."""
    name = '"' + policy.replace('"', '""') + '"'
    if not permissive:
        await conn.execute(f"DROP POLICY {name} ON {table}")
        return
    clauses = {
        "SELECT": "USING (true)",
        "DELETE": "USING (true)",
        "INSERT": "WITH CHECK (true)",
        "UPDATE": "USING (true) WITH CHECK (true)",
        "ALL": "USING (true) WITH CHECK (true)",
    }
    await conn.execute(f"ALTER POLICY {name} ON {table} {clauses[command]}")


async def catalog_policy(conn: asyncpg.Connection, table: str, policy: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        """
        SELECT permissive = 'PERMISSIVE' AS permissive, roles::text[] AS roles, cmd, qual, with_check
        FROM pg_policies WHERE schemaname = 'public' AND tablename = $1 AND policyname = $2
        """,
        table,
        policy,
    )
    assert row is not None, f"db/schema.sql has policy {policy!r} on {table}, the migrated catalog does not"
    return row


@pytest.mark.parametrize(("table", "policy"), POLICIES, ids=[f"{t}: {p}" for t, p in POLICIES])
async def test_loosening_the_policy_is_reported_as_a_leak(seeded: Seeded, table: str, policy: str) -> None:
    conn = seeded.conn
    original = await catalog_policy(conn, table, policy)
    admits_everything = original["permissive"] and original["qual"] in (None, "true") and original["with_check"] in (None, "true")
    if admits_everything:
        assert "app_tenant" not in original["roles"] and "public" not in original["roles"], (
            f"{policy!r} admits every row of {table} to {original['roles']}: every tenant reads every organization's rows"
        )
        pytest.skip(EQUIVALENT)

    victim = await seeded.victim(table)
    roles = ["app_tenant", "app_system"] if "public" in original["roles"] else list(original["roles"])
    reported: dict[str, list[str]] = {}
    async with undone(conn):
        baselines = {role: await leaks(conn, table, victim, seeded.actor(role)) for role in roles}
        if "app_tenant" in baselines:
            assert baselines["app_tenant"] == [], f"with the catalog as it is, B's admin reaches A's row of {table}"
        await loosen(conn, table, policy, original["cmd"], original["permissive"])
        for role in roles:
            expected = [
                attempt for attempt in GOVERNS[original["cmd"]]
                if attempt not in baselines[role] and await granted(conn, role, table, attempt)
            ]
            assert expected, (
                f"{role} holds no privilege for {original['cmd']} on {table} beyond what it does already: "
                "the policy governs nothing (tests/db/test_rls_catalog.py names such dead policies)"
            )
            found = await leaks(conn, table, victim, seeded.actor(role))
            reported[role] = [attempt for attempt in found if attempt not in baselines[role]]
            assert reported[role] == expected, f"with {policy!r} loosened, {role} on {table}"
    assert await catalog_policy(conn, table, policy) == original, "the rollback restores the policy"


@pytest.mark.parametrize("table", RLS_TABLES)
async def test_removing_force_row_level_security_is_reported(seeded: Seeded, table: str) -> None:
    conn = seeded.conn
    rows = await conn.fetchval(f"SELECT count(*) FROM {table}")
    assert rows > 0, f"{table} is empty: tenants.fill_every_table must write rows to it"
    assert await owner_reads(conn, table) == 0, f"an ordinary owner of {table} reads its rows with the catalog as it is"
    async with undone(conn):
        await conn.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        assert await owner_reads(conn, table) == rows
    assert await conn.fetchval("SELECT relforcerowsecurity FROM pg_class WHERE oid = $1::regclass", table)


async def test_the_generated_tests_cover_every_policy_and_table_of_the_catalog(seeded: Seeded) -> None:
    conn = seeded.conn
    policies = await conn.fetch(
        "SELECT schemaname, tablename, policyname FROM pg_policies WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    assert sorted((p["tablename"], p["policyname"]) for p in policies) == sorted(POLICIES)
    assert {p["schemaname"] for p in policies} == {"public"}
    tables = await conn.fetch(
        """
        SELECT n.nspname, c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relrowsecurity AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        """
    )
    assert sorted(t["relname"] for t in tables) == sorted(RLS_TABLES)
    assert {t["nspname"] for t in tables} == {"public"}
