"""Operator commands, so nobody needs raw SQL:

    python -m server.cli.admin create-api-key --org org_2abc --name "CI" [--scope commands ...]
    python -m server.cli.admin create-platform-agent --name "Research" --type research [--visibility public] ...

create-api-key prints the new key's secret (shown once; only its SHA-256 is
stored); --org takes a Clerk organization id or the organization's uuid.
create-platform-agent creates an agent no organization owns (public: every
organization may use it; private: those granted it) and prints its id. The
database is DATABASE_URL, or the embedded one (.data/pg), as for the server.

Both run as app_system (migration grant_system_api_key_creation; the policy
"system manages platform agents"), so no role that bypasses row level security
is needed: an organization gets its first key before any admin has signed in.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from gen import agents, api_keys, init_connection, organizations, tenancy
from gen.models import Agent, AgentType, AgentVisibility, Organization

from ..api_keys.handlers import new_secret
from ..pipeline.auth import hash_api_key


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


async def create_platform_agent(
    database_url: str, *, name: str, type: AgentType, visibility: AgentVisibility, description: str | None,
    instructions: str | None, capabilities: list[str],
) -> Agent:
    conn = await asyncpg.connect(database_url)
    try:
        await init_connection(conn)
        async with conn.transaction():
            await tenancy.enter_system(conn)
            agent = await agents.create_agent(
                conn, organization_id=None, name=name, description=description, instructions=instructions,
                model_config=None, rag_enabled=None, embedding_model=None, embedding_dims=None,
                capabilities=sorted(set(capabilities)), scheduling_config=None, visibility=visibility, type=type,
                status=None, version=None, icon_url=None, metadata=None, created_by=None,
            )
        assert agent is not None
        return agent
    finally:
        await conn.close()


async def _find_organization(conn: asyncpg.Connection[asyncpg.Record], org: str) -> Organization | None:
    try:
        org_id = UUID(org)
    except ValueError:
        return await organizations.get_organization_by_clerk_id(conn, clerk_org_id=org)
    return await organizations.get_organization(conn, id=org_id)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server.cli.admin", description="Operator commands of the platform.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-api-key", help="create an API key for an organization and print its secret (once)")
    p.add_argument("--org", required=True, help="the organization: its Clerk id (org_...) or its uuid")
    p.add_argument("--name", required=True, help="a name telling the key apart, e.g. the service using it")
    p.add_argument("--scope", action="append", default=[], help="a scope to grant (repeatable)")
    a = sub.add_parser("create-platform-agent", help="create an agent owned by no organization and print its id")
    a.add_argument("--name", required=True, help="the agent's name")
    a.add_argument("--type", default="custom", choices=[t.value for t in AgentType], help="default: custom")
    a.add_argument(
        "--visibility", default="public", choices=[v.value for v in AgentVisibility],
        help="public: every organization may use it; private or hidden: only organizations granted it (default: public)",
    )
    a.add_argument("--description", help="what it does")
    a.add_argument("--instructions", help="its system prompt")
    a.add_argument("--capability", action="append", default=[], help="a capability (repeatable)")
    args = parser.parse_args(argv)

    texts = [args.name] + [t for t in (getattr(args, "description", None), getattr(args, "instructions", None)) if t]
    if not args.name.strip() or any("\x00" in t for t in texts):
        parser.error("--name must be non-empty text, and no option may hold NUL")
    from tools import db

    if args.command == "create-platform-agent":
        agent = asyncio.run(
            create_platform_agent(
                db.database_url(), name=args.name, type=AgentType(args.type), visibility=AgentVisibility(args.visibility),
                description=args.description, instructions=args.instructions, capabilities=args.capability,
            )
        )
        print(f"created {agent.visibility} platform agent {agent.name!r}", file=sys.stderr)
        print(agent.id)
        return
    secret, key_id, org = asyncio.run(create_api_key(db.database_url(), args.org, args.name, args.scope))
    print(f"created API key {key_id} for {org.clerk_org_id} ({org.name})", file=sys.stderr)
    print("the secret is shown this once; send it as X-API-Key:", file=sys.stderr)
    print(secret)


if __name__ == "__main__":
    main()
