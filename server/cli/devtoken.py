"""Mint a development session token for a server running in development mode.

    python -m server.cli.devtoken --org org_demo --user user_demo --role admin
    curl -H "Authorization: Bearer $(python -m server.cli.devtoken)" http://127.0.0.1:8080/v1/me

The token has Clerk's v2 claims and is signed with the development key under
.data/dev-jwt/ (created if missing), which the server accepts only when neither
CLERK_JWT_KEY nor CLERK_JWKS_URL is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import DATA_DIR
from ..pipeline.devkeys import ensure_key_pair, mint_token


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m server.cli.devtoken",
        description="Print a development session token (Clerk v2 claims, RS256, signed with the key in "
        ".data/dev-jwt/) that a server in development mode accepts.",
    )
    parser.add_argument("--user", default="user_demo", help="Clerk user id, the token's sub (default: user_demo)")
    parser.add_argument(
        "--org", default="org_demo", help="Clerk organization id of the active organization (default: org_demo)"
    )
    parser.add_argument("--no-org", action="store_true", help="a session without an active organization")
    parser.add_argument(
        "--role",
        default="admin",
        choices=["admin", "member"],
        help="role claimed for a membership the server provisions just in time; an existing "
        "membership keeps its role from the database (default: admin)",
    )
    parser.add_argument("--slug", default=None, help="organization slug claim (default: the organization id)")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default: 3600)")
    parser.add_argument(
        "--key-dir",
        type=Path,
        default=Path(os.environ.get("DEV_JWT_DIR") or DATA_DIR / "dev-jwt"),
        help="where the development key lives (default: $DEV_JWT_DIR or .data/dev-jwt, as the server)",
    )
    args = parser.parse_args(argv)
    if args.ttl <= 0:
        parser.error("--ttl must be positive")
    key = ensure_key_pair(args.key_dir)
    token = mint_token(
        key, user=args.user, org=None if args.no_org else args.org, role=args.role, slug=args.slug, ttl=args.ttl
    )
    sys.stdout.write(token + "\n")


if __name__ == "__main__":
    main()
