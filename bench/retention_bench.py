"""Retention throughput on a million messages, and the API's latency while retention runs against idle.

    .venv/bin/python bench/retention_bench.py [--conversations 10000] [--messages 100] [--batch 50]
                                              [--concurrency 8] [--no-write]

Starts its own embedded PostgreSQL in a temporary directory and migrates a database. Loads, as the owner with
generate_series (the counters' triggers disabled for the load, then re-enabled and the counters set): one
organization, one user, --conversations conversations of --messages messages each (1,000,000 messages by
default), every one inactive for 400 days, so all of them expire. Starts the server (`python -m server`, a
subprocess, development tokens, pool of 10) and creates a fresh conversation with 200 messages through the API.

- idle:      GET /v1/conversations/{id}/messages?limit=50 at --concurrency for 15 seconds, nothing else running;
- retention: the same load while `python -m jobs.retention --batch <batch>` (a subprocess) runs to its end.

Rows per second = every row the run deleted (conversations and everything that went with them, from the
run's retention_runs.counts) / (finished_at - started_at) of that run, as recorded by the job itself. The
latency ratio is p99 during the run / p99 idle. Client, server, job and PostgreSQL share the machine's cores.
Results go to bench/results/retention.md (unless --no-write) and stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, wait_ready  # noqa: E402
from server.pipeline.devkeys import ensure_key_pair, mint_token  # noqa: E402
from tools import db  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "retention.md"


async def load(url_db: str, conversations: int, messages: int) -> float:
    conn = await asyncpg.connect(url_db)
    started = time.perf_counter()
    try:
        org = await conn.fetchval("INSERT INTO organizations (clerk_org_id, name) VALUES ('org_old', 'Old') RETURNING id")
        user = await conn.fetchval("INSERT INTO users (clerk_user_id) VALUES ('user_old') RETURNING id")
        await conn.execute("INSERT INTO organization_memberships (organization_id, user_id, role) VALUES ($1, $2, 'admin')", org, user)
        await conn.execute("ALTER TABLE messages DISABLE TRIGGER USER")
        await conn.execute(
            "INSERT INTO conversations (organization_id, user_id, title, last_activity_at, created_at, updated_at,"
            " message_count) SELECT $1, $2, 'old ' || n, now() - interval '400 days', now() - interval '400 days',"
            " now() - interval '400 days', $4 FROM generate_series(1, $3) AS n",
            org, user, conversations, messages,
        )
        await conn.execute(
            "INSERT INTO messages (organization_id, conversation_id, user_id, role, content, created_at)"
            " SELECT c.organization_id, c.id, c.user_id, 'user', 'an old message number ' || n,"
            " now() - interval '400 days' FROM conversations AS c, generate_series(1, $1) AS n",
            messages,
        )
        await conn.execute("ALTER TABLE messages ENABLE TRIGGER USER")
        await conn.execute("VACUUM ANALYZE")
        return time.perf_counter() - started
    finally:
        await conn.close()


async def hammer(session: aiohttp.ClientSession, url: str, headers: dict[str, str], concurrency: int,
                 done: asyncio.Event) -> list[float]:
    latencies: list[float] = []

    async def worker() -> None:
        while not done.is_set():
            started = time.perf_counter()
            async with session.get(url, headers=headers) as resp:
                await resp.read()
                if resp.status != 200:
                    raise SystemExit(f"GET {url}: {resp.status}")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def bench(url: str, url_db: str, token: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        async with session.post(f"{url}/v1/conversations", json={"title": "Fresh"}, headers=auth) as resp:
            assert resp.status == 201, await resp.text()
            conversation = (await resp.json())["id"]
        messages = f"{url}/v1/conversations/{conversation}/messages"
        for i in range(200):
            async with session.post(messages, json={"content": f"message {i}"}, headers=auth) as resp:
                assert resp.status == 201
        target = f"{messages}?limit=50"
        warm = asyncio.Event()
        asyncio.get_running_loop().call_later(3, warm.set)
        await hammer(session, target, auth, args.concurrency, warm)
        idle_done = asyncio.Event()
        asyncio.get_running_loop().call_later(15, idle_done.set)
        idle = await hammer(session, target, auth, args.concurrency, idle_done)
        print(f"idle: {len(idle)} requests, p99 {p99(idle):.2f} ms", flush=True)

        busy_done = asyncio.Event()
        job = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jobs.retention", "--batch", str(args.batch), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        load_task = asyncio.create_task(hammer(session, target, auth, args.concurrency, busy_done))
        out, _ = await job.communicate()
        busy_done.set()
        busy = await load_task
        if job.returncode != 0:
            raise SystemExit(f"jobs.retention exited with {job.returncode}: {out.decode()}")
        print(out.decode().strip())
        print(f"during retention: {len(busy)} requests, p99 {p99(busy):.2f} ms", flush=True)
    conn = await asyncpg.connect(url_db)
    try:
        run = await conn.fetchrow("SELECT started_at, finished_at, counts::text AS counts FROM retention_runs")
        left = await conn.fetchval("SELECT count(*) FROM messages")
    finally:
        await conn.close()
    counts = json.loads(run["counts"])
    seconds = (run["finished_at"] - run["started_at"]).total_seconds()
    return {
        "counts": counts, "seconds": seconds, "rows": sum(counts.values()), "left": left,
        "idle": idle, "busy": busy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100, help="messages per conversation")
    parser.add_argument("--batch", type=int, default=50, help="jobs.retention --batch (conversations per transaction)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ajc-bench-retention-"))
    tmp.chmod(0o755)
    data = tmp / "pg"
    admin = db.start_embedded(data)
    server: subprocess.Popen[bytes] | None = None
    try:
        asyncio.run(db.create_database(admin, "bench"))
        url_db = db.with_database(admin, "bench")
        db.migrate(url_db)
        loaded = asyncio.run(load(url_db, args.conversations, args.messages))
        print(f"loaded {args.conversations * args.messages} messages in {loaded:.0f} s", flush=True)
        port = free_port()
        key_dir = tmp / "dev-jwt"
        env = dict(os.environ, DATABASE_URL=url_db, HOST="127.0.0.1", PORT=str(port), DEV_JWT_DIR=str(key_dir),
                   POOL_MAX_SIZE="10", WORKSPACES_DIR=str(tmp / "workspaces"))
        env.pop("CLERK_JWT_KEY", None)
        env.pop("CLERK_JWKS_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "server", "--no-migrate", "--workers", "1"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        token = mint_token(ensure_key_pair(key_dir), user="user_bench", org="org_bench", role="admin", slug=None, ttl=3600)
        url = f"http://127.0.0.1:{port}"

        async def go() -> dict[str, Any]:
            await wait_ready(url, server)
            return await bench(url, url_db, token, env, args)

        result = asyncio.run(go())
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        db.stop_embedded(data)
        shutil.rmtree(tmp, ignore_errors=True)

    rate = result["rows"] / result["seconds"]
    idle99, busy99 = p99(result["idle"]), p99(result["busy"])
    summary = (
        f"deleted {result['rows']} rows ({result['counts'].get('messages', 0)} messages) in {result['seconds']:.1f} s:"
        f" {rate:,.0f} rows/s; p99 idle {idle99:.2f} ms, during retention {busy99:.2f} ms ({busy99 / idle99:.2f}x);"
        f" messages left {result['left']}"
    )
    print(summary)
    if not args.no_write:
        lines = [
            "# Retention: rows deleted per second, and API latency while it runs",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores (shared with"
            f" other work), Python {platform.python_version()}, PostgreSQL 18 (embedded).",
            f"Reproduce: `.venv/bin/python bench/retention_bench.py --conversations {args.conversations}"
            f" --messages {args.messages} --batch {args.batch} --concurrency {args.concurrency}`.",
            "",
            f"{args.conversations} expired conversations of {args.messages} messages each; `python -m jobs.retention"
            f" --batch {args.batch}` (at most {args.batch} conversations, so {args.batch * args.messages} messages,"
            " per transaction). Rows = every row the run recorded in retention_runs.counts; seconds = its"
            " finished_at - started_at.",
            "",
            "| measure | value |",
            "| --- | ---: |",
            f"| rows deleted | {result['rows']} |",
            *(f"| of which {table} | {n} |" for table, n in sorted(result["counts"].items())),
            f"| seconds | {result['seconds']:.1f} |",
            f"| rows per second | {rate:,.0f} |",
            f"| API p99 idle (GET messages, concurrency {args.concurrency}, {len(result['idle'])} requests) | {idle99:.2f} ms |",
            f"| API p99 during retention ({len(result['busy'])} requests) | {busy99:.2f} ms |",
            f"| ratio | {busy99 / idle99:.2f}x |",
            "",
        ]
        RESULTS.write_text("\n".join(lines))
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
