"""Migrations and db/functions: applied, rolled back and re-applied exactly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from tools import db


async def user_relations(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            """
            SELECT n.nspname || '.' || c.relname AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
              AND c.relkind IN ('r', 'p', 'v', 'm')
            ORDER BY 1
            """
        )
        return [r["name"] for r in rows]
    finally:
        await conn.close()


def test_rolling_back_every_migration_and_reapplying_gives_the_same_schema(new_database: str, tmp_path: Path) -> None:
    db.migrate(new_database)
    first = db.dump_schema(new_database, tmp_path / "first.sql")

    rolled_back = db.rollback(new_database, steps=-1)
    assert rolled_back == len(list(db.MIGRATIONS_DIR.glob("*.sql")))
    # Only the two bookkeeping tables survive a full rollback.
    assert asyncio.run(user_relations(new_database)) == ["public.schema_functions", "public.schema_migrations"]

    db.migrate(new_database)
    second = db.dump_schema(new_database, tmp_path / "second.sql")
    assert first == second


def test_each_migration_rolls_back_one_step_at_a_time(new_database: str) -> None:
    db.migrate(new_database)
    versions = db.applied_versions(new_database)
    for remaining in range(len(versions) - 1, -1, -1):
        assert db.rollback(new_database, steps=1) == 1
        assert db.applied_versions(new_database) == versions[:remaining]
    assert db.rollback(new_database, steps=1) == 0


def test_committed_schema_dump_matches_the_migrations(new_database: str, tmp_path: Path) -> None:
    db.migrate(new_database)
    fresh = db.dump_schema(new_database, tmp_path / "schema.sql")
    committed = db.SCHEMA_FILE.read_text()
    assert fresh == committed, "db/schema.sql is stale: run `make migrate` and commit db/schema.sql"


def test_function_files_are_applied_again_only_when_their_content_changes(new_database: str) -> None:
    db.migrate(new_database)
    files = db.function_files()
    assert asyncio.run(db.apply_functions(new_database, files)) == []

    changed = [*files[:-1], db.FunctionFile(files[-1].name, files[-1].sql + "\n-- edited\n")]
    assert asyncio.run(db.apply_functions(new_database, changed)) == [files[-1].name]
    assert asyncio.run(db.apply_functions(new_database, changed)) == []


def test_a_failing_function_file_leaves_nothing_recorded(new_database: str) -> None:
    db.migrate(new_database)
    broken = db.FunctionFile(
        "999_broken.sql",
        "CREATE OR REPLACE FUNCTION fn.half_done() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nSELECT no_such_column FROM organizations;",
    )
    try:
        asyncio.run(db.apply_functions(new_database, [broken]))
    except SystemExit as exc:
        assert "999_broken.sql" in str(exc)
    else:
        raise AssertionError("a failing function file must stop the migration")

    async def leftovers() -> tuple[object, object]:
        conn = await asyncpg.connect(new_database)
        try:
            fn = await conn.fetchval("SELECT to_regprocedure('fn.half_done()')")
            row = await conn.fetchval("SELECT 1 FROM schema_functions WHERE filename = '999_broken.sql'")
            return fn, row
        finally:
            await conn.close()

    assert asyncio.run(leftovers()) == (None, None)


def test_function_files_create_objects_only_in_the_functions_schema() -> None:
    # make rollback drops schema fn; an object elsewhere would survive it and
    # could hold a table a down migration must drop.
    import pglast

    for f in db.function_files():
        for raw in pglast.parse_sql(f.sql):
            stmt = raw.stmt
            if type(stmt).__name__ == "CreateFunctionStmt":
                schema = stmt.funcname[0].sval if len(stmt.funcname) > 1 else None
                assert schema == db.FUNCTIONS_SCHEMA, f"{f.name}: functions belong in schema {db.FUNCTIONS_SCHEMA}"
