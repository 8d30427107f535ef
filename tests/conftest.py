"""Test fixtures: one throwaway embedded PostgreSQL per test session.

The server runs in a temporary directory and is removed at the end. A template
database is migrated once (dbmate + db/functions, exactly as `make migrate`);
tests that need a database get their own copy of it, so each test starts from
the same schema and none sees another's rows.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tools import db

TEMPLATE = "migrated_template"


@pytest.fixture(scope="session")
def pg_admin_uri() -> Iterator[str]:
    """Admin URI of a throwaway embedded PostgreSQL (PostgreSQL 18 + pgvector)."""
    tmp = Path(tempfile.mkdtemp(prefix="ajc-test-pg-"))
    tmp.chmod(0o755)
    data = tmp / "data"
    uri = db.start_embedded(data)
    try:
        yield uri
    finally:
        db.stop_embedded(data)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_template(pg_admin_uri: str) -> str:
    """Name of a database with every migration and db/functions file applied."""
    asyncio.run(db.create_database(pg_admin_uri, TEMPLATE, recreate=True))
    db.migrate(db.with_database(pg_admin_uri, TEMPLATE))
    return TEMPLATE


@pytest.fixture
def new_database(pg_admin_uri: str) -> Iterator[str]:
    """URL of an empty database of its own (no migrations), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(db.create_database(pg_admin_uri, name))
    yield db.with_database(pg_admin_uri, name)
    asyncio.run(db.drop_database(pg_admin_uri, name))


@pytest.fixture
async def database_url(pg_admin_uri: str, migrated_template: str) -> AsyncIterator[str]:
    """URL of a fresh copy of the migrated template, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    await db.create_database(pg_admin_uri, name, template=migrated_template)
    yield db.with_database(pg_admin_uri, name)
    await db.drop_database(pg_admin_uri, name)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test's own migrated database, with the generated code's codecs."""
    from gen import init_connection

    connection = await asyncpg.connect(database_url)
    await init_connection(connection)
    try:
        yield connection
    finally:
        await connection.close()
