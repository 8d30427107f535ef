"""Operator commands, so nobody needs raw SQL:

    python -m server.admin create-api-key --org org_2abc --name "CI" [--scope commands ...]

prints the new key's secret (shown once; only its SHA-256 is stored). --org takes
a Clerk organization id or the organization's uuid. The database is DATABASE_URL,
or the embedded one (.data/pg), as for the server.

The organization is looked up and the key inserted as app_system (migration
grant_system_api_key_creation), so no role that bypasses row level security
is needed: an organization gets its first key before any admin has signed in.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from gen import api_keys, init_connection, organizations, tenancy
from gen.models import Organization

from .auth import hash_api_key
from .handlers.api_keys import new_secret


async def create_api_key(database_url: str, org: str, name: str, scopes: list[str]) -> tuple[str, UUID, Organization]:
    conn = await asyncpg.connect(database_url)
    try:
        await init_connection(conn)
        async with conn.transaction():
            await tenancy.enter_system(conn)
            found = await _find_organization(conn, org)
        if found is None or found.deleted_at is not None:
            raise SystemExit(f"no live organization {org!r} (a Clerk organization id or uuid)")
        secret, prefix = new_secret()
        async with conn.transaction():
            await tenancy.enter_system(conn)
            row = await api_keys.create_api_key(
                conn,
                organization_id=found.id,
                name=name,
                prefix=prefix,
                key_hash=hash_api_key(secret),
                scopes=sorted(set(scopes)),
                created_by=None,
            )
        assert row is not None
        return secret, row.id, found
    finally:
        await conn.close()


async def _find_organization(conn: asyncpg.Connection[asyncpg.Record], org: str) -> Organization | None:
    try:
        org_id = UUID(org)
    except ValueError:
        return await organizations.get_organization_by_clerk_id(conn, clerk_org_id=org)
    return await organizations.get_organization(conn, id=org_id)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server.admin", description="Operator commands of the platform.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-api-key", help="create an API key for an organization and print its secret (once)")
    p.add_argument("--org", required=True, help="the organization: its Clerk id (org_...) or its uuid")
    p.add_argument("--name", required=True, help="a name telling the key apart, e.g. the service using it")
    p.add_argument("--scope", action="append", default=[], help="a scope to grant (repeatable)")
    args = parser.parse_args(argv)

    if not args.name.strip() or "\x00" in args.name:
        parser.error("--name must be non-empty text")
    from tools import db

    secret, key_id, org = asyncio.run(create_api_key(db.database_url(), args.org, args.name, args.scope))
    print(f"created API key {key_id} for {org.clerk_org_id} ({org.name})", file=sys.stderr)
    print("the secret is shown this once; send it as X-API-Key:", file=sys.stderr)
    print(secret)


if __name__ == "__main__":
    main()
