"""Test fixtures: one throwaway embedded PostgreSQL per test session, and the REST server on it.

The server runs in a temporary directory and is removed at the end. A template
database is migrated once (dbmate + db/functions, exactly as `make migrate`);
tests that need a database get their own copy of it, so each test starts from
the same schema and none sees another's rows. Server tests get create_app on
their own database, with a signing key the tests' Clerk mints tokens with.

Tests mirror server/: a folder per aggregate (test_<aggregate>_db.py against
the database, test_<aggregate>_api.py through HTTP), pipeline/ for the request
pipeline, db/ for migrations and the SQL linter, codegen/ for the sqlc plugin.
Helpers shared by test modules are modules of this folder (support, tenants,
isolation), imported by name.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import asyncpg
import pytest
from support import ISSUER, PARTY, Client, ClientFactory, SigningKey, TokenFactory, make_token, new_key

from gen import init_connection
from server.app import create_app
from server.config import Config
from tools import db as dbtools
from tools.seaweedfs import S3Server, seaweedfs

# The conversations aggregate's fixtures (world, filled), shared by the conversations and messages database tests.
pytest_plugins = ["conversation_world"]

TEMPLATE = "migrated_template"


@pytest.fixture(scope="session")
def pg_admin_uri() -> Iterator[str]:
    """Admin URI of a throwaway embedded PostgreSQL (PostgreSQL 18 + pgvector)."""
    tmp = Path(tempfile.mkdtemp(prefix="ajc-test-pg-"))
    tmp.chmod(0o755)
    data = tmp / "data"
    uri = dbtools.start_embedded(data)
    try:
        yield uri
    finally:
        dbtools.stop_embedded(data)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_template(pg_admin_uri: str) -> str:
    """Name of a database with every migration and db/functions file applied."""
    asyncio.run(dbtools.create_database(pg_admin_uri, TEMPLATE, recreate=True))
    dbtools.migrate(dbtools.with_database(pg_admin_uri, TEMPLATE))
    return TEMPLATE


@pytest.fixture
def new_database(pg_admin_uri: str) -> Iterator[str]:
    """URL of an empty database of its own (no migrations), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(dbtools.create_database(pg_admin_uri, name))
    yield dbtools.with_database(pg_admin_uri, name)
    asyncio.run(dbtools.drop_database(pg_admin_uri, name))


@pytest.fixture
async def database_url(pg_admin_uri: str, migrated_template: str) -> AsyncIterator[str]:
    """URL of a fresh copy of the migrated template, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    await dbtools.create_database(pg_admin_uri, name, template=migrated_template)
    yield dbtools.with_database(pg_admin_uri, name)
    await dbtools.drop_database(pg_admin_uri, name)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test's own migrated database, with the generated code's codecs."""
    connection = await asyncpg.connect(database_url)
    await init_connection(connection)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """The RSA key the tests' Clerk signs session tokens with."""
    return new_key("test-key-1")


@pytest.fixture(scope="session")
def token(signing_key: SigningKey) -> TokenFactory:
    """Mint a Clerk session token: token("user_a", "org_a", "admin", exp=..., version=1)."""
    return partial(make_token, signing_key)


@pytest.fixture
def config(database_url: str, signing_key: SigningKey, tmp_path: Path) -> Config:
    """Configuration with the tests' key as CLERK_JWT_KEY, the issuer and one authorized party."""
    return Config(
        database_url=database_url,
        clerk_jwt_key=signing_key.public_pem,
        clerk_issuer=ISSUER,
        clerk_authorized_parties=(PARTY,),
        workspaces_dir=tmp_path / "workspaces",
        pool_max_size=5,
    )


@pytest.fixture
async def client(config: Config, aiohttp_client: ClientFactory) -> Client:
    """A test client of create_app(config) (closed before the database is dropped)."""
    return await aiohttp_client(create_app(config))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test's database (superuser: sees through RLS), for arranging and checking."""
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A throwaway SeaweedFS S3 server on loopback (started once, on first use)."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(params=["local", "s3"])
def storage_config(request: pytest.FixtureRequest, config: Config) -> Config:
    """The tests' configuration with file contents in the workspace tree, then in an S3 bucket (a prefix of its own)."""
    if request.param == "local":
        return config
    s3: S3Server = request.getfixturevalue("s3_server")
    return dataclasses.replace(
        config,
        workspaces_url=f"s3://{s3.bucket}/t-{uuid.uuid4().hex[:12]}",
        s3_endpoint=s3.endpoint,
        s3_region=s3.region,
        s3_access_key_id=s3.access_key_id,
        s3_secret_access_key=s3.secret_access_key,
    )


@pytest.fixture
async def files_client(storage_config: Config, aiohttp_client: ClientFactory) -> Client:
    """A test client of create_app(storage_config): the whole API, files on either backend."""
    return await aiohttp_client(create_app(storage_config))
