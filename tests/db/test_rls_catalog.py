"""The catalog rules of row level security, over every table the tenant or system role can reach.

A table is reachable when app_tenant or app_system holds any privilege on it
(on the table or on one of its columns), whatever its columns: identity
(organizations, users, memberships, API keys) and operations tables
(webhook_events, retention_runs, idempotency_keys) as much as tenant data;
a table with organization_id counts as reachable even before any grant.
Each such table has row level security enabled and forced, and each command
a role is granted there has a permissive policy for that role: a grant
without a policy is a table the role cannot use (default deny) or, worse,
one a later policy-less change would open. Conversely no policy names a
command its role is not granted (a dead policy tests nothing and hides what
the role really reaches).

No table is reached without row level security by design, so these
checks have no exception: where a role must reach rows it may not read
directly (an API key's organization for a caller with no tenant yet, a
conversation's access behind the child tables' policies), it goes through a
SECURITY DEFINER function owned by app_system, which is itself a role these
rules bind. A view (which runs as its owner) or a foreign table reachable by
either role is reported too.
"""

from __future__ import annotations

import asyncpg

ROLES = ("app_tenant", "app_system")
COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")

REACHABLE = """
    SELECT c.oid::regclass::text AS name, c.relkind::text AS relkind, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND (
          EXISTS (
              SELECT FROM unnest($1::text[]) AS r (role), unnest($2::text[]) AS p (privilege)
              WHERE CASE WHEN p.privilege = 'DELETE' THEN has_table_privilege(r.role, c.oid, p.privilege)
                         ELSE has_any_column_privilege(r.role, c.oid, p.privilege) END
          )
          OR EXISTS (SELECT FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped)
      )
    ORDER BY 1
"""


async def reachable(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """The relations either role holds a privilege on, and every relation with organization_id even if none does."""
    return await conn.fetch(REACHABLE, list(ROLES), list(COMMANDS))


async def granted_commands(conn: asyncpg.Connection, role: str, table: str) -> set[str]:
    """The commands role may run on table: DELETE by the table's grant, the others by the table's or any column's."""
    commands = set()
    for command in COMMANDS:
        check = "has_table_privilege" if command == "DELETE" else "has_any_column_privilege"
        if await conn.fetchval(f"SELECT {check}($1, $2::regclass, $3)", role, table, command):
            commands.add(command)
    return commands


async def policy_commands(conn: asyncpg.Connection, role: str, table: str) -> dict[str, list[str]]:
    """command -> the permissive policies of table that apply to role for it (ALL counts for every command)."""
    rows = await conn.fetch(
        """
        SELECT p.polname, p.polcmd::text AS polcmd FROM pg_policy AS p
        WHERE p.polrelid = $2::regclass AND p.polpermissive
          AND (0 = ANY (p.polroles) OR (SELECT oid FROM pg_roles WHERE rolname = $1) = ANY (p.polroles))
        """,
        role,
        table,
    )
    names = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
    found: dict[str, list[str]] = {}
    for row in rows:
        for command in COMMANDS if row["polcmd"] == "*" else [names[row["polcmd"]]]:
            found.setdefault(command, []).append(row["polname"])
    return found


async def unprotected_tables(conn: asyncpg.Connection) -> list[tuple[str, str, bool, bool]]:
    """(table, kind, enabled, forced) of each reachable relation without forced row level security."""
    return [
        (r["name"], r["relkind"], r["relrowsecurity"], r["relforcerowsecurity"])
        for r in await reachable(conn)
        if not (r["relkind"] in ("r", "p") and r["relrowsecurity"] and r["relforcerowsecurity"])
    ]


async def grants_without_policy(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    """(table, role, command) granted on a reachable table with no permissive policy for that role and command."""
    missing = []
    for table in [r["name"] for r in await reachable(conn)]:
        for role in ROLES:
            policies = await policy_commands(conn, role, table)
            missing += [(table, role, command) for command in sorted(await granted_commands(conn, role, table)) if command not in policies]
    return missing


async def dead_policies(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    """(table, policy, role) of each policy for a role other than app_tenant and app_system (PUBLIC included), or
    whose role holds no privilege for its command (for ALL: none at all)."""
    rows = await conn.fetch(
        """
        SELECT p.polrelid::regclass::text AS name, p.polname, p.polcmd::text AS polcmd, coalesce(r.rolname, 'PUBLIC') AS rolname
        FROM pg_policy AS p CROSS JOIN unnest(p.polroles) AS pr (oid) LEFT JOIN pg_roles AS r ON r.oid = pr.oid
        ORDER BY 1, 2, 4
        """
    )
    names = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
    dead = []
    for row in rows:
        if row["rolname"] not in ROLES:
            dead.append((row["name"], row["polname"], row["rolname"]))
            continue
        granted = await granted_commands(conn, row["rolname"], row["name"])
        governs = set(COMMANDS) if row["polcmd"] == "*" else {names[row["polcmd"]]}
        if not governs & granted:
            dead.append((row["name"], row["polname"], row["rolname"]))
    return dead


async def ungoverned_privileges(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    """(table, role, privilege) of TRUNCATE (which empties a table whatever its policies), TRIGGER or REFERENCES held by a role."""
    rows = await conn.fetch(
        """
        SELECT c.oid::regclass::text AS name, r.role, p.privilege
        FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace,
             unnest($1::text[]) AS r (role), unnest(ARRAY['TRUNCATE', 'TRIGGER', 'REFERENCES']) AS p (privilege)
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'p')
          AND CASE WHEN p.privilege = 'REFERENCES' THEN has_any_column_privilege(r.role, c.oid, p.privilege)
                   ELSE has_table_privilege(r.role, c.oid, p.privilege) END
        ORDER BY 1, 2, 3
        """,
        list(ROLES),
    )
    return [(r["name"], r["role"], r["privilege"]) for r in rows]


async def test_the_tenant_and_system_roles_reach_the_identity_and_operations_tables(conn: asyncpg.Connection) -> None:
    names = {r["name"] for r in await reachable(conn)}
    assert {"organizations", "users", "organization_memberships", "api_keys", "webhook_events", "retention_runs", "idempotency_keys"} <= names
    assert "schema_migrations" not in names, "dbmate's own table is the migration role's only"


async def test_every_reachable_table_has_row_level_security_enabled_and_forced(conn: asyncpg.Connection) -> None:
    assert await unprotected_tables(conn) == []


async def test_every_granted_command_has_a_policy_for_its_role(conn: asyncpg.Connection) -> None:
    assert await grants_without_policy(conn) == []


async def test_no_policy_names_a_command_its_role_is_not_granted(conn: asyncpg.Connection) -> None:
    assert await dead_policies(conn) == []


async def test_the_roles_hold_no_privilege_that_row_level_security_does_not_govern(conn: asyncpg.Connection) -> None:
    assert await ungoverned_privileges(conn) == []


async def test_each_catalog_check_reports_the_rule_broken(conn: asyncpg.Connection) -> None:
    # The test's database is a throwaway copy: break each rule once.
    await conn.execute("ALTER TABLE retention_runs NO FORCE ROW LEVEL SECURITY")
    await conn.execute("CREATE VIEW member_names AS SELECT id, name FROM users")
    await conn.execute("GRANT SELECT ON member_names TO app_tenant")
    assert await unprotected_tables(conn) == [("member_names", "v", False, False), ("retention_runs", "r", True, False)]

    await conn.execute("GRANT SELECT ON webhook_events TO app_tenant")
    await conn.execute("GRANT DELETE ON api_keys TO app_tenant")
    assert await grants_without_policy(conn) == [
        ("api_keys", "app_tenant", "DELETE"), ("member_names", "app_tenant", "SELECT"), ("webhook_events", "app_tenant", "SELECT"),
    ]

    await conn.execute('CREATE POLICY "members remove users" ON users FOR DELETE TO app_tenant USING (false)')
    await conn.execute('CREATE POLICY "everyone reads runs" ON retention_runs FOR SELECT USING (false)')
    assert await dead_policies(conn) == [("retention_runs", "everyone reads runs", "PUBLIC"), ("users", "members remove users", "app_tenant")]

    await conn.execute("GRANT TRUNCATE ON users TO app_system")
    await conn.execute("GRANT REFERENCES (id) ON organizations TO app_tenant")
    assert await ungoverned_privileges(conn) == [("organizations", "app_tenant", "REFERENCES"), ("users", "app_system", "TRUNCATE")]
