"""Fixtures for the codegen tests: the fixture schema's database, sqlc runs, the golden package."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from subprocess import CompletedProcess
from types import ModuleType
from typing import Protocol

import asyncpg
import pytest

from tools import db, gen

FIXTURE = Path(__file__).parent / "fixture"
EXPECTED = FIXTURE / "expected"
FIXTURE_DATABASE = "codegen_fixture"
GOLDEN_PACKAGE = "codegen_fixture_gen"  # the name expected/ is imported under


def up_sections(schema_dir: Path) -> list[str]:
    """The `-- migrate:up` part of each dbmate migration in schema_dir, in order."""
    sections = []
    for path in sorted(schema_dir.glob("*.sql")):
        text = path.read_text()
        sections.append(text.split("-- migrate:down", 1)[0].split("-- migrate:up", 1)[1])
    return sections


async def apply_schema(url: str, schema_dir: Path) -> None:
    conn = await asyncpg.connect(url)
    try:
        for sql in up_sections(schema_dir):
            await conn.execute(sql)
    finally:
        await conn.close()


class FixtureSqlc(Protocol):
    def __call__(self, workdir: Path, extra_queries: dict[str, str] | None = None) -> CompletedProcess[str]: ...


@pytest.fixture(scope="session")
def run_fixture_sqlc(fixture_url: str) -> FixtureSqlc:
    """Runs sqlc on a copy of the fixture (expected/ left out) in workdir; output in workdir/expected.

    sqlc runs from the repository root, so the fixture's sqlc.yaml names the plugin
    as the root sqlc.yaml does; paths inside it are relative to the copy.
    """

    def run(workdir: Path, extra_queries: dict[str, str] | None = None) -> CompletedProcess[str]:
        shutil.copytree(FIXTURE, workdir, ignore=shutil.ignore_patterns("expected", "__pycache__"))
        for name, text in (extra_queries or {}).items():
            (workdir / "queries" / name).write_text(text)
        return gen.run_sqlc("generate", fixture_url, config=workdir / "sqlc.yaml", cwd=db.ROOT)

    return run


@pytest.fixture(scope="session")
def fixture_url(pg_admin_uri: str) -> str:
    """URL of a database with the codegen fixture's schema applied."""
    asyncio.run(db.create_database(pg_admin_uri, FIXTURE_DATABASE, recreate=True))
    url = db.with_database(pg_admin_uri, FIXTURE_DATABASE)
    asyncio.run(apply_schema(url, FIXTURE / "schema"))
    return url


@pytest.fixture(scope="session")
def generated(run_fixture_sqlc: FixtureSqlc, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output directory of a real sqlc run on the fixture."""
    workdir = tmp_path_factory.mktemp("codegen") / "fixture"
    proc = run_fixture_sqlc(workdir)
    assert proc.returncode == 0, f"sqlc failed:\n{proc.stdout}{proc.stderr}"
    return workdir / "expected"


@pytest.fixture(scope="session")
def golden() -> ModuleType:
    """The golden output (expected/) imported as a package."""
    if GOLDEN_PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            GOLDEN_PACKAGE, EXPECTED / "__init__.py", submodule_search_locations=[str(EXPECTED)]
        )
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[GOLDEN_PACKAGE] = package
        spec.loader.exec_module(package)
    return sys.modules[GOLDEN_PACKAGE]


@pytest.fixture
async def fixture_conn(fixture_url: str, golden: ModuleType) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the fixture database with the golden package's codecs, inside a
    transaction that is rolled back afterwards."""
    conn = await asyncpg.connect(fixture_url)
    await golden.init_connection(conn)
    transaction = conn.transaction()
    await transaction.start()
    try:
        yield conn
    finally:
        await transaction.rollback()
        await conn.close()
