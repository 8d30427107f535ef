"""Requests per second and latency of the REST server, at concurrency 1 and 32.

    .venv/bin/python bench/http_bench.py [--requests 2000] [--no-write]

Starts its own embedded PostgreSQL in a temporary directory, migrates a
database, starts the server as `python -m server` would run in production
(a subprocess, uvloop, development-mode tokens, pool of 10), creates a
conversation with 200 messages through the API, and times three operations
with an aiohttp client (keep-alive connections, one per concurrent worker):

- get-conversation: GET /v1/conversations/{id}
- list-messages:    GET /v1/conversations/{id}/messages?limit=50
- create-message:   POST /v1/conversations/{id}/messages

Every request is authenticated (RS256 verification), runs its own transaction
as app_tenant under row level security, and is checked for its status. The
client runs on the same machine, so it takes CPU from the server: the numbers
are a floor. Results go to bench/results/http.md (unless --no-write) and stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.pipeline.devkeys import ensure_key_pair, mint_token  # noqa: E402
from tools import db  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "http.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_ready(session: aiohttp.ClientSession, url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            async with session.get(f"{url}/readyz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not become ready")


async def run_load(
    session: aiohttp.ClientSession, method: str, url: str, body: Any, headers: dict[str, str], expect: int,
    total: int, concurrency: int,
) -> dict[str, float]:
    latencies: list[float] = []
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            async with session.request(method, url, json=body, headers=headers) as resp:
                await resp.read()
                if resp.status != expect:
                    raise SystemExit(f"{method} {url}: {resp.status} {await resp.text()}")
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


async def bench(url: str, token: str, requests: int) -> list[tuple[str, int, dict[str, float]]]:
    auth = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.post(f"{url}/v1/conversations", json={"title": "Bench"}, headers=auth) as resp:
            assert resp.status == 201, await resp.text()
            conversation = (await resp.json())["id"]
        messages = f"{url}/v1/conversations/{conversation}/messages"
        for i in range(200):
            async with session.post(messages, json={"content": f"message {i}"}, headers=auth) as resp:
                assert resp.status == 201
        scenarios = [
            ("get-conversation", "GET", f"{url}/v1/conversations/{conversation}", None, 200),
            ("list-messages", "GET", f"{messages}?limit=50", None, 200),
            ("create-message", "POST", messages, {"content": "a new message from the benchmark"}, 201),
        ]
        results = []
        for name, method, target, body, expect in scenarios:
            for concurrency in (1, 32):
                total = requests if concurrency > 1 else max(200, requests // 4)
                await run_load(session, method, target, body, auth, expect, 100, concurrency)  # warm-up
                numbers = await run_load(session, method, target, body, auth, expect, total, concurrency)
                results.append((name, concurrency, numbers))
                print(f"{name:17} c={concurrency:<3} {numbers['rps']:8.0f} req/s  p50 {numbers['p50']:6.2f} ms"
                      f"  p99 {numbers['p99']:6.2f} ms", flush=True)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario at concurrency 32")
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite bench/results/http.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ajc-bench-http-"))
    tmp.chmod(0o755)
    data = tmp / "pg"
    admin = db.start_embedded(data)
    server: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(db.create_database(admin, "bench"))
        url_db = db.with_database(admin, "bench")
        db.migrate(url_db)
        port = free_port()
        key_dir = tmp / "dev-jwt"
        env = dict(os.environ, DATABASE_URL=url_db, HOST="127.0.0.1", PORT=str(port), DEV_JWT_DIR=str(key_dir),
                   POOL_MAX_SIZE="10", WORKSPACES_DIR=str(tmp / "workspaces"))
        env.pop("CLERK_JWT_KEY", None)
        env.pop("CLERK_JWKS_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "server", "--no-migrate"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        token = mint_token(ensure_key_pair(key_dir), user="user_bench", org="org_bench", role="admin", slug=None, ttl=3600)
        url = f"http://127.0.0.1:{port}"

        async def go() -> list[tuple[str, int, dict[str, float]]]:
            async with aiohttp.ClientSession() as probe:
                await wait_ready(probe, url, server)  # type: ignore[arg-type]
            return await bench(url, token, args.requests)

        results = asyncio.run(go())
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        db.stop_embedded(data)
        shutil.rmtree(tmp, ignore_errors=True)

    if not args.no_write:
        lines = [
            "# REST server: requests/s and latency",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PostgreSQL 18 (embedded, Unix socket), pool of 10, uvloop.",
            "Client (aiohttp, keep-alive) and server share the machine's cores, so these are floors.",
            f"Reproduce: `.venv/bin/python bench/http_bench.py --requests {args.requests}` (or `make bench`).",
            "",
            "| operation | concurrency | requests/s | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, concurrency, n in results:
            lines.append(f"| {name} | {concurrency} | {n['rps']:.0f} | {n['p50']:.2f} | {n['p99']:.2f} |")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
