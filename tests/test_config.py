"""Configuration from the environment, development mode and its token command."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support import Client, ClientFactory, SigningKey, TokenFactory, bearer

from server.app import create_app
from server.config import ROOT, Config, ConfigError


def test_defaults_and_values_come_from_the_environment(signing_key: SigningKey) -> None:
    config = Config.from_env(
        {
            "DATABASE_URL": "postgres://db/x",
            "PORT": "9000",
            "CLERK_JWT_KEY": signing_key.public_pem.replace("\n", "\\n"),  # one-line form
            "CLERK_ISSUER": "https://clerk.example",
            "CLERK_AUTHORIZED_PARTIES": "https://a.example, https://b.example,",
            "MAX_BODY_BYTES": "2048",
        }
    )
    assert (config.host, config.port, config.max_body_bytes) == ("127.0.0.1", 9000, 2048)
    assert config.clerk_authorized_parties == ("https://a.example", "https://b.example")
    assert not config.dev_mode and config.issuer == "https://clerk.example" and config.public_key is not None


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"MAX_BODY_BYTES": "0"}, "MAX_BODY_BYTES"),
        ({"CLERK_JWT_KEY": "not a key"}, "CLERK_JWT_KEY"),
        ({"CLERK_JWKS_URL": "ftp://x"}, "CLERK_JWKS_URL"),
        ({"CLERK_JWKS_URL": "http://clerk.example/jwks"}, "https"),
        ({"HOST": "0.0.0.0"}, "development mode"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        Config.from_env(env)


def test_both_key_sources_at_once_are_refused(signing_key: SigningKey) -> None:
    with pytest.raises(ConfigError, match="not both"):
        Config.from_env({"CLERK_JWT_KEY": signing_key.public_pem, "CLERK_JWKS_URL": "https://x.example/jwks"})


def test_a_non_loopback_host_is_fine_with_clerk_keys(signing_key: SigningKey) -> None:
    assert Config.from_env({"HOST": "0.0.0.0", "CLERK_JWT_KEY": signing_key.public_pem}).host == "0.0.0.0"
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert Config.from_env({"HOST": host}).dev_mode


def test_the_server_refuses_to_start_in_dev_mode_on_a_public_address(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_")}
    proc = subprocess.run(
        [sys.executable, "-m", "server", "--host", "0.0.0.0", "--no-migrate"],
        cwd=ROOT, env={**env, "DATABASE_URL": "postgres://unused/x"}, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0 and "development mode" in proc.stderr


async def test_devtoken_mints_tokens_the_dev_mode_server_accepts(
    database_url: str, tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    key_dir = tmp_path / "dev-jwt"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli.devtoken", "--org", "org_dev", "--user", "user_dev", "--role", "admin",
        "--key-dir", str(key_dir), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await proc.communicate()
    assert proc.returncode == 0
    token = stdout.decode().strip()
    assert stat.S_IMODE((key_dir / "private.pem").stat().st_mode) == 0o600
    client = await aiohttp_client(create_app(Config(database_url=database_url, dev_key_dir=key_dir)))
    me = await (await client.get("/v1/me", headers=bearer(token))).json()
    assert (me["user"]["clerk_user_id"], me["organization"]["clerk_org_id"], me["role"]) == ("user_dev", "org_dev", "admin")
    # A token signed by anything else is still refused in development mode.
    other = Config(database_url=database_url, dev_key_dir=tmp_path / "other")
    client = await aiohttp_client(create_app(other))
    assert (await client.get("/v1/me", headers=bearer(token))).status == 401


def test_devtoken_help_describes_it() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server.cli.devtoken", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--org" in out and "--ttl" in out and "development" in out


async def test_admin_creates_an_api_key_that_authenticates(
    client: Client, database_url: str, token: TokenFactory
) -> None:
    assert (await client.get("/v1/me", headers=bearer(token("user_alice", "org_a")))).status == 200
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli.admin", "create-api-key", "--org", "org_a", "--name", "ops", "--scope", "commands",
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    secret = stdout.decode().strip()
    me = await (await client.get("/v1/me", headers={"X-API-Key": secret})).json()
    assert me["kind"] == "api_key" and me["organization"]["clerk_org_id"] == "org_a" and me["scopes"] == ["commands"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli.admin", "create-api-key", "--org", "org_missing", "--name", "x",
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await proc.communicate()
    assert proc.returncode != 0 and "no live organization" in stderr.decode()


def test_retention_settings_are_read_and_checked() -> None:
    config = Config.from_env({"RETENTION_DAYS": "45", "RETENTION_WEBHOOK_DAYS": "7", "RETENTION_IDEMPOTENCY_HOURS": "2"})
    assert (config.retention_days, config.retention_webhook_days, config.retention_idempotency_hours) == (45, 7, 2)
    assert Config.from_env({}).retention_days == 30
    with pytest.raises(ConfigError, match="RETENTION_DAYS must be a positive integer"):
        Config.from_env({"RETENTION_DAYS": "0"})
    with pytest.raises(ConfigError, match="RETENTION_IDEMPOTENCY_HOURS must be an integer"):
        Config.from_env({"RETENTION_IDEMPOTENCY_HOURS": "a day"})
