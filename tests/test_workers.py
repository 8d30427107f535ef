"""python -m server --workers N: processes sharing the port, pools sized to the database, graceful SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from server.__main__ import RESERVED_CONNECTIONS, fit_pool
from server.config import ROOT, Config
from server.pipeline.devkeys import ensure_key_pair, mint_token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(status.parent.name))
    return found


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="SO_REUSEPORT is Linux/BSD only")
async def test_two_workers_share_the_port_and_stop_gracefully_on_sigterm(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    key_dir = tmp_path / "dev-jwt"
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "DEV_JWT_DIR": str(key_dir),
           "POOL_MAX_SIZE": "4", "WORKSPACES_DIR": str(tmp_path / "ws")}
    for name in ("CLERK_JWT_KEY", "CLERK_JWKS_URL", "WORKERS"):
        env.pop(name, None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "--no-migrate", "--workers", "2", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
    )
    assert proc.stdout is not None
    # Read what the server prints all along: a full pipe would block it, and a failure shows the text.
    reader = asyncio.create_task(proc.stdout.read())
    url = f"http://127.0.0.1:{port}"
    workers: set[int] = set()
    try:
        # Every wait is bounded: a server that never answers fails this test, never the whole run.
        async with asyncio.timeout(90), aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while True:
                assert proc.returncode is None, "the server exited before it answered"
                try:
                    async with session.get(f"{url}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            workers = await asyncio.to_thread(children, proc.pid)
            assert len(workers) == 2
            token = mint_token(ensure_key_pair(key_dir), user="user_w", org="org_w", role="admin")
            # Fresh connections spread over the workers; each answers as the one server would.
            for _ in range(6):
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as fresh, fresh.get(
                    f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}
                ) as resp:
                    assert resp.status == 200, await resp.text()
            conn = await asyncpg.connect(database_url, timeout=10)
            try:
                opened = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            finally:
                await conn.close()
            assert 2 <= opened <= 2 * 4  # a pool per worker, never past POOL_MAX_SIZE each
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
            output = await reader
    except BaseException:
        # The supervisor and its workers, whether or not the supervisor is still there: a worker left behind would
        # hold the output pipe open, and on Python 3.11 proc.wait() waits for the pipes too (CI hung there once).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await asyncio.wait_for(proc.wait(), 30)
        try:
            print((await asyncio.wait_for(reader, 10)).decode())  # shown with the failure
        except TimeoutError:
            reader.cancel()
        raise
    text = output.decode()
    assert proc.returncode == 0, text
    assert "2 workers, database pools of up to 4 connections each" in text
    assert not any(alive(pid) for pid in workers)  # the workers ended with the supervisor


async def test_pools_are_sized_to_fit_max_connections(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        most = int(await conn.fetchval("SHOW max_connections"))
        reserved = int(await conn.fetchval("SHOW superuser_reserved_connections"))
        reserved += int(await conn.fetchval("SELECT coalesce(current_setting('reserved_connections', true), '0')"))
    finally:
        await conn.close()
    config = Config(database_url=database_url, pool_max_size=1000, pool_min_size=1000)
    # fit_pool runs before any event loop of the server's: here, in a thread of its own.
    size, minimum = await asyncio.to_thread(fit_pool, config, 4, database_url)
    assert size == (most - reserved - RESERVED_CONNECTIONS) // 4 and minimum == size
    small = Config(database_url=database_url, pool_max_size=10)
    assert await asyncio.to_thread(fit_pool, small, 2, database_url) == (10, 1)
