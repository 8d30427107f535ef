"""Helpers of the REST server tests: signing keys, token minting, problem assertions, arranging rows.

(A module of its own, not conftest: test modules import it by name.)
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg
import jwt
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gen import memberships, organizations, users
from gen.models import MembershipRole
from server.pipeline.route import route_matcher
from server.routes import ROUTES

ISSUER = "https://clerk.test.example"
NOWHERE = "00000000-0000-4000-8000-000000000000"  # an id no row has
PARTY = "https://app.test.example"

Client = TestClient[Any, Any]
ClientFactory = Callable[..., Awaitable[Client]]


@dataclass(frozen=True)
class SigningKey:
    private: rsa.RSAPrivateKey
    kid: str

    @property
    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


def new_key(kid: str) -> SigningKey:
    return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid)


class TokenFactory(Protocol):
    def __call__(
        self,
        user: str = ...,
        org: str | None = ...,
        role: str = ...,
        *,
        version: int = ...,
        key: SigningKey | None = ...,
        **claims: Any,
    ) -> str: ...


def make_token(
    default_key: SigningKey,
    user: str = "user_alice",
    org: str | None = "org_a",
    role: str = "admin",
    *,
    version: int = 2,
    key: SigningKey | None = None,
    **claims: Any,
) -> str:
    key = key or default_key
    now = int(time.time())
    payload: dict[str, Any] = {"iss": ISSUER, "sub": user, "azp": PARTY, "iat": now - 1, "nbf": now - 10, "exp": now + 60}
    if version == 2:
        payload["v"] = 2
        if org is not None:
            payload["o"] = {"id": org, "rol": role.removeprefix("org:"), "slg": org.removeprefix("org_")}
    elif org is not None:
        payload.update(org_id=org, org_role=f"org:{role.removeprefix('org:')}", org_slug=org.removeprefix("org_"))
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/problem+json"
    body: dict[str, Any] = await resp.json(content_type=None)
    assert body["code"] == code, body
    assert body["status"] == status and body["type"].endswith(code) and body["title"] and body["detail"]
    if status == 401:
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    return body


async def sync_member(db: asyncpg.Connection, user: str, org: str, role: str) -> None:
    """What the Clerk webhooks would have written."""
    t = datetime(2026, 11, 1, tzinfo=UTC)
    o = await organizations.upsert_organization_from_clerk(db, clerk_org_id=org, name=org, slug=None, image_url=None, clerk_updated_at=t)
    u = await users.upsert_user_from_clerk(db, clerk_user_id=user, email=None, name=None, image_url=None, clerk_updated_at=t)
    assert o is not None and u is not None
    await memberships.upsert_membership(
        db, organization_id=o.id, user_id=u.id, role=MembershipRole(role), clerk_membership_id=None, clerk_updated_at=t
    )


async def create_key(client: Client, tok: str, name: str = "svc") -> dict[str, Any]:
    resp = await client.post("/v1/api-keys", json={"name": name, "scopes": ["commands"]}, headers=bearer(tok))
    assert resp.status == 201, await resp.text()
    created: dict[str, Any] = await resp.json()
    return created


# --- arranging through the API -----------------------------------------------------


async def created(resp: Any) -> dict[str, Any]:
    assert resp.status == 201, await resp.text()
    body: dict[str, Any] = await resp.json()
    return body


async def new_agent(client: Client, tok: str, **fields: Any) -> str:
    resp = await client.post("/v1/agents", json={"name": "Analyst", "type": "research"} | fields, headers=bearer(tok))
    return str((await created(resp))["id"])


async def new_conversation(client: Client, tok: str, title: str = "Quarterly report") -> str:
    resp = await client.post("/v1/conversations", json={"title": title}, headers=bearer(tok))
    return str((await created(resp))["id"])


async def new_task(client: Client, headers: dict[str, str], agent_id: str, **fields: Any) -> dict[str, Any]:
    body = {"agent_id": agent_id, "task_type": "summarize"} | fields
    return await created(await client.post("/v1/tasks", json=body, headers=headers))


async def new_artifact(client: Client, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"artifact_type": "code", "name": "report.py", "content": "print(1)"} | fields
    return await created(await client.post("/v1/artifacts", json=body, headers=headers))


async def all_pages(client: Client, url: str, headers: dict[str, str], **params: str) -> list[str]:
    """Every id of a list, followed page by page (limit 2)."""
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2"} | params | ({"cursor": cursor} if cursor else {})
        resp = await client.get(url, params=query, headers=headers)
        assert resp.status == 200, await resp.text()
        page = await resp.json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def ids(client: Client, url: str, headers: dict[str, str], **params: str) -> list[str]:
    resp = await client.get(url, params=params, headers=headers)
    assert resp.status == 200, await resp.text()
    return [item["id"] for item in (await resp.json())["items"]]


async def me(client: Client, tok: str) -> str:
    return str((await (await client.get("/v1/me", headers=bearer(tok))).json())["user"]["id"])


# --- the route table ------------------------------------------------------------


def routes_under(prefix: str, *, but: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    """(method, path template) of every operation of the API whose path starts with prefix (and with none of but)."""
    return {
        (r.method, r.path) for r in ROUTES
        if r.path.startswith(prefix) and not any(r.path.startswith(other) for other in but)
    }


def routes_called(calls: Sequence[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """(method, path template) of the operations calls (method, URL, ...) reach, so a test can show it tried every one."""
    match = route_matcher(ROUTES)
    found = set()
    for method, url, *_ in calls:
        hit = match(method, url.split("?", 1)[0])
        assert hit is not None, f"no route answers {method} {url}"
        found.add((method, hit[0].path))
    return found
