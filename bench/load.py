"""The load generator: one process, run once per measurement, printing one JSON line.

    python bench/load.py --url http://127.0.0.1:P --targets targets.json --operation get-conversation \\
        --concurrency 32 --seconds 3
    python bench/load.py --sql postgresql://... --targets targets.json --operation list-50-messages ...

HTTP: `concurrency` workers, each with its own keep-alive connection, send the
operation's request for the next target in turn (so every organization is
asked), and time each from the first byte sent to the last byte of the body
read. The client is a minimal HTTP/1.1 one over asyncio streams (uvloop): an
aiohttp client would take more of the machine's CPU from the server it
measures. Any status but the operation's own stops the run.

--sql: the same operation's SQL only (no HTTP, no token check): a pool of
--pool connections, each request a transaction with fn.enter_session and the
operation's queries, exactly the statements the servers send. The SQL-only
number is the ceiling no server on this database can pass.

Each run lasts --warmup seconds, not counted, then --seconds: the requests
started in that window count. Output: requests, seconds, rps, p50/p90/p99/max
latency in milliseconds, and `sent`: every request, the warm-up's included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OPERATIONS, SEED002, operation


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(n - 1, int(n * p))] * 1000

    return {
        "requests": n,
        "seconds": seconds,
        "rps": n / seconds,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
    }


class Window:
    """The measuring window: after the warm-up, for `seconds`."""

    def __init__(self, warmup: float, seconds: float) -> None:
        now = time.perf_counter()
        self.start = now + warmup
        self.end = self.start + seconds
        self.seconds = seconds


async def run_http(url: str, targets: list[dict[str, str]], name: str, concurrency: int,
                   window: Window) -> dict[str, float]:
    _, method, template, body, expect = operation(name)
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payload = json.dumps(body).encode() if body is not None else b""
    prepared = []
    for target in targets:
        path = template.replace("{id}", target["conversation"])
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {target['token']}\r\n"
                f"Content-Length: {len(payload)}\r\n")
        if body is not None:
            head += "Content-Type: application/json\r\n"
        prepared.append((head + "\r\n").encode() + payload)
    expect_line = f"HTTP/1.1 {expect} ".encode()
    latencies: list[float] = []
    counter = 0

    async def worker() -> None:
        nonlocal counter
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while (started := time.perf_counter()) < window.end:
                request = prepared[counter % len(prepared)]
                counter += 1
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                data = await reader.readexactly(length)
                elapsed = time.perf_counter() - started
                if not head.startswith(expect_line):
                    raise SystemExit(f"{method} {url}: {head.splitlines()[0].decode()} {data[:300].decode()}")
                if started >= window.start:
                    latencies.append(elapsed)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {**summary(latencies, window.seconds), "sent": counter}


async def run_sql(database_url: str, targets: list[dict[str, str]], name: str, concurrency: int,
                  seconds: tuple[float, float], pool_size: int) -> dict[str, float]:
    import asyncpg
    import jwt

    import gen
    from gen.auth import ENTER_SESSION
    from gen.conversations import GET_CONVERSATION
    from gen.messages import CREATE_MESSAGE, LIST_MESSAGES

    async def keep_session(conn: Any) -> None:
        pass

    pool = await asyncpg.create_pool(database_url, init=gen.init_connection, min_size=pool_size, max_size=pool_size,
                                     reset=keep_session)
    plan = []
    for target in targets:
        claims = jwt.decode(target["token"], options={"verify_signature": False})
        plan.append((claims["sub"], claims["o"]["id"], UUID(target["conversation"])))
    latencies: list[float] = []
    counter = 0
    window = Window(*seconds)

    async def one(user: str, org: str, conversation: UUID) -> None:
        async with pool.acquire() as conn, conn.transaction():
            p = await conn.fetchrow(ENTER_SESSION, user, org)
            if name == "get-conversation":
                await conn.fetchrow(GET_CONVERSATION, conversation)
            elif name == "list-50-messages":
                await conn.fetchrow(GET_CONVERSATION, conversation)
                await conn.fetch(LIST_MESSAGES, p["organization_id"], conversation, None, None, 51)
            else:
                await conn.fetchrow(CREATE_MESSAGE, None, p["user_id"], None, "user",
                                    "a new message from the benchmark", None, None, None, None, None, conversation)

    async def worker() -> None:
        nonlocal counter
        while (started := time.perf_counter()) < window.end:
            target = plan[counter % len(plan)]
            counter += 1
            await one(*target)
            if started >= window.start:
                latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await pool.close()
    return {**summary(latencies, window.seconds), "sent": counter}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the server's base URL")
    parser.add_argument("--sql", metavar="DATABASE_URL", help="run the operation's SQL only, on this database")
    parser.add_argument("--targets", type=Path, required=True, help="JSON list of {token, conversation}")
    parser.add_argument("--operation", required=True, choices=[op[0] for op in (*OPERATIONS, *SEED002)])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to measure")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of requests not counted first")
    parser.add_argument("--pool", type=int, default=10, help="--sql: pool size (the servers' default)")
    args = parser.parse_args()
    targets = json.loads(args.targets.read_text())
    uvloop.install()
    if args.sql:
        result = asyncio.run(run_sql(args.sql, targets, args.operation, args.concurrency, (args.warmup, args.seconds),
                                     args.pool))
    else:
        window = Window(args.warmup, args.seconds)
        result = asyncio.run(run_http(args.url, targets, args.operation, args.concurrency, window))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
