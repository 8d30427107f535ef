"""/v1/api-keys: organization admins create, list and revoke service keys.

A key looks like `ajc_<8 hex>_<43 url-safe characters>` (256 random bits). Its
first part, `ajc_<8 hex>`, is stored as the prefix so people can tell keys
apart; of the whole key only the SHA-256 is stored, and it is shown once.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from gen import api_keys
from gen import auth as auth_queries

from ..auth import API_KEY_PREFIX, hash_api_key
from ..models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, IdPath
from ..pagination import Page, PageQuery
from ..problems import not_found
from ..routing import body, path, query
from ..tenancy import principal, tenant_tx


def new_secret() -> tuple[str, str]:
    """A fresh (secret, prefix) pair."""
    prefix = API_KEY_PREFIX + secrets.token_hex(4)
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


async def create_api_key(request: web.Request) -> ApiKeyCreated:
    new = body(request, ApiKeyCreate)
    caller = principal(request)
    assert caller.organization_id is not None
    secret, prefix = new_secret()
    async with tenant_tx(request) as conn:
        row = await api_keys.create_api_key(
            conn,
            organization_id=caller.organization_id,
            name=new.name,
            prefix=prefix,
            key_hash=hash_api_key(secret),
            scopes=sorted(set(new.scopes)),
            created_by=caller.user_id,
        )
    assert row is not None  # INSERT ... RETURNING
    return ApiKeyCreated(**ApiKeyOut.from_row(row).model_dump(), secret=secret)


async def list_api_keys(request: web.Request) -> Page[ApiKeyOut]:
    page = query(request, PageQuery)
    after = page.position()
    caller = principal(request)
    assert caller.organization_id is not None
    async with tenant_tx(request) as conn:
        rows = await auth_queries.list_api_keys_page(
            conn,
            organization_id=caller.organization_id,
            after_created_at=None if after is None else after.created_at,
            after_id=None if after is None else after.id,
            page_size=page.fetch_size,
        )
    return Page[ApiKeyOut].build(rows, page, ApiKeyOut.from_row)


async def revoke_api_key(request: web.Request) -> None:
    key = path(request, IdPath)
    async with tenant_tx(request) as conn:
        revoked = await auth_queries.revoke_api_key_by_id(conn, id=key.id)
    if revoked is None:
        raise not_found("API key")
