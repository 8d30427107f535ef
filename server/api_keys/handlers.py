"""/v1/api-keys: organization admins create, list and revoke service keys.

A key looks like `ajc_<8 hex>_<43 url-safe characters>` (256 random bits). Its
first part, `ajc_<8 hex>`, is stored as the prefix so people can tell keys
apart; of the whole key only the SHA-256 is stored, and it is shown once.
"""

from __future__ import annotations

import secrets

from gen import api_keys
from gen import auth as auth_queries

from ..pipeline.auth import API_KEY_PREFIX, hash_api_key
from ..pipeline.context import Context
from ..pipeline.pagination import Page, PageQuery
from ..pipeline.problems import not_found
from ..types import IdPath
from .models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut


def new_secret() -> tuple[str, str]:
    """A fresh (secret, prefix) pair."""
    prefix = API_KEY_PREFIX + secrets.token_hex(4)
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


async def create_api_key(ctx: Context, *, body: ApiKeyCreate) -> ApiKeyCreated:
    secret, prefix = new_secret()
    async with ctx.tx() as conn:
        row = await api_keys.create_api_key(
            conn,
            organization_id=ctx.org_id,
            name=body.name,
            prefix=prefix,
            key_hash=hash_api_key(secret),
            scopes=sorted(set(body.scopes)),
            created_by=ctx.user_id,
        )
    assert row is not None  # INSERT ... RETURNING
    return ApiKeyCreated(**ApiKeyOut.from_row(row).model_dump(), secret=secret)


async def list_api_keys(ctx: Context, *, query: PageQuery) -> Page[ApiKeyOut]:
    async with ctx.tx() as conn:
        rows = await auth_queries.list_api_keys_page(
            conn,
            organization_id=ctx.org_id,
            **query.window(),
        )
    return Page[ApiKeyOut].of(rows, query, ApiKeyOut.from_row)


async def revoke_api_key(ctx: Context, *, path: IdPath) -> None:
    async with ctx.tx() as conn:
        revoked = await auth_queries.revoke_api_key_by_id(conn, id=path.id)
    if revoked is None:
        raise not_found("API key")
