"""The floor: the least an aiohttp + asyncpg server can do to answer the benchmark's three operations.

    python bench/floor.py --port P --database-url URL --key-dir DIR [--pool 10]

Per request it does the work the real server must do, and nothing else: the
RS256 token check (PyJWT, the same key, issuer, leeway and required claims),
the principal lookup and tenant set-up (the same SQL text, fn.enter_session,
in the request's transaction), the same queries (the generated SQL constants of
gen/), rows to JSON with orjson, and the same response shapes. No validation
framework, no middleware, no metrics, no access log. One process, uvloop.

What it leaves out that the server does: problem+json for every error,
pydantic validation of inputs, idempotency keys, Prometheus metrics, security
headers, outage tracking, provisioning of unknown users. A server "at the
floor" does all of that at no measurable cost.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import jwt
import orjson
import uvloop
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gen  # noqa: E402
from gen.auth import ENTER_SESSION  # noqa: E402
from gen.conversations import GET_CONVERSATION  # noqa: E402
from gen.messages import CREATE_MESSAGE, LIST_MESSAGES  # noqa: E402
from server.config import DEV_ISSUER  # noqa: E402
from server.pipeline.devkeys import ensure_key_pair  # noqa: E402
from server.pipeline.pagination import EPOCH, MICROSECOND  # noqa: E402

POOL: web.AppKey[asyncpg.Pool[asyncpg.Record]] = web.AppKey("pool")
KEY: web.AppKey[Any] = web.AppKey("key")
OPTIONS = orjson.OPT_UTC_Z
HIDDEN = frozenset({"organization_id"})  # columns the API does not show


def default(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    raise TypeError


def json(document: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(document, default=default, option=OPTIONS), status=status,
                        content_type="application/json")


def shown(record: asyncpg.Record) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in HIDDEN}


def principal(request: web.Request) -> tuple[str, str]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise web.HTTPUnauthorized()
    try:
        claims = jwt.decode(token, request.app[KEY], algorithms=["RS256"], issuer=DEV_ISSUER, leeway=5,
                            options={"require": ["exp", "iat", "sub"], "verify_aud": False})
    except jwt.PyJWTError:
        raise web.HTTPUnauthorized() from None
    org = claims.get("o") or {}
    return claims["sub"], org.get("id") if claims.get("v") == 2 else claims.get("org_id")


def path_id(request: web.Request) -> UUID:
    try:
        return UUID(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def enter(conn: Any, user: str, org: str) -> asyncpg.Record:
    row = await conn.fetchrow(ENTER_SESSION, user, org)
    if row["role"] is None or row["user_deleted_at"] is not None or row["organization_deleted_at"] is not None:
        raise web.HTTPForbidden()
    return row


async def get_conversation(request: web.Request) -> web.Response:
    user, org = principal(request)
    conversation_id = path_id(request)
    async with request.app[POOL].acquire() as conn, conn.transaction():
        await enter(conn, user, org)
        row = await conn.fetchrow(GET_CONVERSATION, conversation_id)
    if row is None:
        raise web.HTTPNotFound()
    return json(shown(row))


async def list_messages(request: web.Request) -> web.Response:
    user, org = principal(request)
    conversation_id = path_id(request)
    limit = int(request.query.get("limit", "50"))
    async with request.app[POOL].acquire() as conn, conn.transaction():
        p = await enter(conn, user, org)
        if await conn.fetchrow(GET_CONVERSATION, conversation_id) is None:
            raise web.HTTPNotFound()
        rows = await conn.fetch(LIST_MESSAGES, p["organization_id"], conversation_id, None, None, limit + 1)
    items = rows[:limit]
    last = items[-1] if len(rows) > limit else None
    cursor = None
    if last is not None:
        at = last["created_at"]
        cursor = f"{(at - EPOCH) // MICROSECOND}_{last['id'].hex}"
    return json({"items": [shown(r) for r in items], "next_cursor": cursor})


async def create_message(request: web.Request) -> web.Response:
    user, org = principal(request)
    conversation_id = path_id(request)
    body = orjson.loads(await request.read())
    content = body.get("content", "")
    if not isinstance(content, str):
        raise web.HTTPUnprocessableEntity()
    async with request.app[POOL].acquire() as conn, conn.transaction():
        p = await enter(conn, user, org)
        row = await conn.fetchrow(CREATE_MESSAGE, None, p["user_id"], None, "user", content, None, None, None, None,
                                  None, conversation_id)
    if row is None:
        raise web.HTTPNotFound()
    return json({**shown(row), "file_ids": []}, status=201)


async def readyz(request: web.Request) -> web.Response:
    return json({"status": "ready"})


async def keep_session(conn: Any) -> None:
    """No RESET ALL on release (the server does the same: everything it sets is transaction-local)."""


def app(database_url: str, key_dir: Path, pool_size: int) -> web.Application:
    application = web.Application()
    application[KEY] = ensure_key_pair(key_dir).public_key()

    async def pool(app: web.Application) -> Any:
        app[POOL] = await asyncpg.create_pool(database_url, init=gen.init_connection, min_size=pool_size,
                                              max_size=pool_size, reset=keep_session)
        yield
        await app[POOL].close()

    application.cleanup_ctx.append(pool)
    application.router.add_get("/readyz", readyz)
    application.router.add_get("/v1/conversations/{id}", get_conversation)
    application.router.add_get("/v1/conversations/{id}/messages", list_messages)
    application.router.add_post("/v1/conversations/{id}/messages", create_message)
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--key-dir", type=Path, required=True)
    parser.add_argument("--pool", type=int, default=10)
    args = parser.parse_args()
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    web.run_app(app(args.database_url, args.key_dir, args.pool), host="127.0.0.1", port=args.port, print=None,
                access_log=None)


if __name__ == "__main__":
    main()
