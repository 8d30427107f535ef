"""Fixtures for the REST server tests: a signing key, token minting, the app on a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import asyncpg
import pytest
from support import ISSUER, PARTY, Client, ClientFactory, SigningKey, TokenFactory, make_token, new_key

from gen import init_connection
from server.app import create_app
from server.config import Config


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
