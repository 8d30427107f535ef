"""What the benchmark programs share: paths, the database they run on, its data, and the machine's description.

The data (`seed`): `orgs` organizations, each with one admin user and three
conversations, and `messages` messages spread evenly over the conversations,
written with plain SQL as the database owner (row level security does not apply
to it). Every contestant gets the same targets: (token, conversation id) pairs,
one per organization, so requests spread over every tenant.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The three REST operations every server contestant serves, as (name, method, path template, body, status).
OPERATIONS: tuple[tuple[str, str, str, dict[str, Any] | None, int], ...] = (
    ("get-conversation", "GET", "/v1/conversations/{id}", None, 200),
    ("list-50-messages", "GET", "/v1/conversations/{id}/messages?limit=50", None, 200),
    ("create-message", "POST", "/v1/conversations/{id}/messages", {"content": "a new message from the benchmark"}, 201),
)

MEMORY = {"kind": "decision", "content": {"decision": "Ship carbon tracking in Q3", "rationale": "Customer demand"},
          "tags": ["roadmap", "q3"], "importance": 0.8}
# Seed 002's operations, with its p99 targets in milliseconds (None: not served yet).
SEED002: tuple[tuple[str, str, str, dict[str, Any] | None, int, float], ...] = (
    ("create-session", "POST", "/v1/conversations", {"title": "Planning session", "metadata": {"source": "bench"}},
     201, 100),
    ("store-memory", "POST", "/v1/memories", MEMORY, 201, 50),
    ("query-memories", "GET", "/v1/memories?kind=decision&tags_any=roadmap&limit=20", None, 200, 100),
    ("batch-of-10", "POST", "/v1/batch",
     {"operations": [{"method": "POST", "path": "/v1/memories", "body": MEMORY} for _ in range(10)]}, 200, 500),
)
SEED002_NOT_SERVED = (("full-text-search", "GET /v1/search?q= is not served yet", 200),)


def operation(name: str) -> tuple[str, str, str, dict[str, Any] | None, int]:
    """(name, method, path template, body, status) of a REST or seed 002 operation."""
    for op in OPERATIONS:
        if op[0] == name:
            return op
    for seed_op in SEED002:
        if seed_op[0] == name:
            return seed_op[:5]  # type: ignore[return-value]
    raise KeyError(name)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def seed(url: str, *, orgs: int, messages: int) -> list[dict[str, str]]:
    """Fill the database; the (clerk user, clerk org, conversation id) of each organization's first conversation."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO organizations (clerk_org_id, name, slug) "
                "SELECT 'org_bench_' || i, 'Bench ' || i, 'bench-' || i FROM generate_series(1, $1::int) AS i",
                orgs,
            )
            await conn.execute(
                "INSERT INTO users (clerk_user_id, email, name) "
                "SELECT 'user_bench_' || i, 'user' || i || '@bench.example', 'User ' || i "
                "FROM generate_series(1, $1::int) AS i",
                orgs,
            )
            await conn.execute(
                "INSERT INTO organization_memberships (organization_id, user_id, role) "
                "SELECT o.id, u.id, 'admin' FROM organizations AS o "
                "JOIN users AS u ON substr(u.clerk_user_id, 12) = substr(o.clerk_org_id, 11) "
                "WHERE o.clerk_org_id LIKE 'org_bench_%'"
            )
            await conn.execute(
                "INSERT INTO conversations (organization_id, user_id, title, metadata) "
                "SELECT m.organization_id, m.user_id, 'Conversation ' || n, jsonb_build_object('source', 'bench') "
                "FROM organization_memberships AS m CROSS JOIN generate_series(1, 3) AS n"
            )
            await conn.execute(
                """
                INSERT INTO messages (organization_id, conversation_id, user_id, role, content, content_parts, metadata,
                                      created_at)
                SELECT c.organization_id, c.id, c.user_id,
                       (CASE WHEN n % 2 = 0 THEN 'user' ELSE 'assistant' END)::message_role,
                       'Message ' || n || ' of a benchmark conversation: the printer on floor 3 jams again.',
                       jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'part ' || n)),
                       jsonb_build_object('model', 'bench', 'n', n),
                       now() - interval '1 second' * ($1::int - n)
                FROM conversations AS c
                CROSS JOIN generate_series(1, $1::int) AS n
                """,
                max(1, messages // (orgs * 3)),
            )
        await conn.execute("ANALYZE")
        rows = await conn.fetch(
            "SELECT DISTINCT ON (o.id) u.clerk_user_id, o.clerk_org_id, c.id::text AS conversation "
            "FROM conversations AS c JOIN organizations AS o ON o.id = c.organization_id "
            "JOIN users AS u ON u.id = c.user_id ORDER BY o.id, c.created_at, c.id"
        )
        return [dict(r) for r in rows]
    finally:
        await conn.close()


def targets(seeded: Sequence[dict[str, str]], key_dir: Path) -> list[dict[str, str]]:
    """(token, conversation) per organization, tokens minted with the development key in key_dir."""
    from server.pipeline.devkeys import ensure_key_pair, mint_token

    key = ensure_key_pair(key_dir)
    return [
        {
            "token": mint_token(key, user=s["clerk_user_id"], org=s["clerk_org_id"], role="admin", slug=None, ttl=4 * 3600),
            "conversation": s["conversation"],
        }
        for s in seeded
    ]


async def wait_ready(url: str, process: subprocess.Popen[bytes], path: str = "/readyz", seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{url}: the server exited with {process.returncode}")
            try:
                async with session.get(url + path) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not become ready")


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("aiohttp", "asyncpg", "pydantic", "orjson", "uvloop", "fastapi", "sqlalchemy", "uvicorn"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
    }


def dump(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
