"""Authentication: every rule of server.auth, each with a test that fails without it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import ec
from support import (
    ISSUER,
    Client,
    ClientFactory,
    SigningKey,
    TokenFactory,
    bearer,
    create_key,
    new_key,
    problem,
    sync_member,
)

from gen import memberships, organizations, users
from gen.models import MembershipRole
from server.app import create_app
from server.config import Config


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forged(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b"" if secret is None else hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def valid_claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "sub": "user_mallory", "azp": "https://app.test.example", "iat": now, "exp": now + 60,
            "v": 2, "o": {"id": "org_a", "rol": "admin"}, **extra}


# --- the token itself ----------------------------------------------------------


async def test_a_valid_v2_token_is_accepted(client: Client, token: TokenFactory) -> None:
    resp = await client.get("/v1/me", headers=bearer(token("user_alice", "org_a", "admin")))
    assert resp.status == 200
    me = await resp.json()
    assert me["kind"] == "user" and me["user"]["clerk_user_id"] == "user_alice"
    assert me["organization"]["clerk_org_id"] == "org_a" and me["role"] == "admin"
    assert resp.headers["Cache-Control"] == "no-store"


async def test_a_valid_v1_token_is_accepted_with_its_org_claims(client: Client, token: TokenFactory) -> None:
    resp = await client.get("/v1/me", headers=bearer(token("user_v1", "org_v1", "admin", version=1)))
    me = await resp.json()
    assert (me["organization"]["clerk_org_id"], me["organization"]["slug"], me["role"]) == ("org_v1", "v1", "admin")
    resp = await client.get("/v1/me", headers=bearer(token("user_v1b", "org_v1", "member", version=1)))
    assert (await resp.json())["role"] == "member"


async def test_missing_credentials_are_401(client: Client) -> None:
    await problem(await client.get("/v1/me"), 401, "missing_credentials")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Token abc.def.ghi"])
async def test_malformed_authorization_is_401(client: Client, header: str) -> None:
    await problem(await client.get("/v1/me", headers={"Authorization": header}), 401, "invalid_token")


async def test_alg_none_is_rejected(client: Client) -> None:
    tok = forged({"alg": "none", "typ": "JWT", "kid": "test-key-1"}, valid_claims(), None)
    await problem(await client.get("/v1/me", headers=bearer(tok)), 401, "invalid_token")


async def test_hs256_signed_with_the_public_key_is_rejected(client: Client, signing_key: SigningKey) -> None:
    # The classic algorithm confusion: HMAC keyed with the (public) RSA key text.
    tok = forged({"alg": "HS256", "typ": "JWT", "kid": "test-key-1"}, valid_claims(), signing_key.public_pem.encode())
    await problem(await client.get("/v1/me", headers=bearer(tok)), 401, "invalid_token")


@pytest.mark.parametrize("algorithm", ["RS384", "RS512", "PS256"])
async def test_other_rsa_algorithms_with_the_right_key_are_rejected(
    client: Client, signing_key: SigningKey, algorithm: str
) -> None:
    # Signed with the configured key itself: only the RS256-only rule refuses these.
    tok = jwt.encode(valid_claims(), signing_key.private, algorithm=algorithm, headers={"kid": signing_key.kid})
    body = await problem(await client.get("/v1/me", headers=bearer(tok)), 401, "invalid_token")
    assert "RS256" in body["detail"]


async def test_an_es256_token_whose_key_the_jwks_serves_is_rejected(
    config: Config, aiohttp_client: ClientFactory, signing_key: SigningKey
) -> None:
    ec_private = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = {**jwt.algorithms.ECAlgorithm.to_jwk(ec_private.public_key(), as_dict=True), "kid": "ec-1", "alg": "ES256"}

    class WithEcKey(Jwks):
        async def handle(self, request: web.Request) -> web.Response:
            self.fetches += 1
            return web.json_response({"keys": [signing_key.jwk(), ec_jwk]})

    client, server = await jwks_client(WithEcKey([signing_key]), config, aiohttp_client, cooldown=0)
    try:
        tok = jwt.encode(valid_claims(), ec_private, algorithm="ES256", headers={"kid": "ec-1"})
        await problem(await client.get("/v1/me", headers=bearer(tok)), 401, "invalid_token")
        good = jwt.encode(valid_claims(), signing_key.private, algorithm="RS256", headers={"kid": signing_key.kid})
        assert (await client.get("/v1/me", headers=bearer(good))).status == 200  # the same JWKS serves RS256
    finally:
        await server.close()


async def test_a_token_signed_by_another_key_is_rejected(client: Client, token: TokenFactory) -> None:
    other = new_key("test-key-1")  # same kid, different key
    await problem(await client.get("/v1/me", headers=bearer(token(key=other))), 401, "invalid_token")


async def test_an_expired_token_is_rejected(client: Client, token: TokenFactory) -> None:
    now = int(time.time())
    resp = await client.get("/v1/me", headers=bearer(token(iat=now - 120, nbf=now - 120, exp=now - 30)))
    await problem(resp, 401, "expired_token")


async def test_expiry_within_the_clock_skew_leeway_is_accepted(client: Client, token: TokenFactory) -> None:
    now = int(time.time())
    resp = await client.get("/v1/me", headers=bearer(token(iat=now - 120, nbf=now - 120, exp=now - 2)))
    assert resp.status == 200


async def test_a_token_not_yet_valid_is_rejected(client: Client, token: TokenFactory) -> None:
    now = int(time.time())
    await problem(await client.get("/v1/me", headers=bearer(token(nbf=now + 60))), 401, "token_not_yet_valid")


async def test_a_token_issued_in_the_future_is_rejected(client: Client, token: TokenFactory) -> None:
    now = int(time.time())
    await problem(await client.get("/v1/me", headers=bearer(token(iat=now + 60))), 401, "token_not_yet_valid")


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
async def test_a_token_without_a_required_claim_is_rejected(client: Client, token: TokenFactory, claim: str) -> None:
    await problem(await client.get("/v1/me", headers=bearer(token(**{claim: None}))), 401, "invalid_token")


async def test_a_token_from_another_issuer_is_rejected(client: Client, token: TokenFactory) -> None:
    resp = await client.get("/v1/me", headers=bearer(token(iss="https://evil.example")))
    await problem(resp, 401, "invalid_token")


@pytest.mark.parametrize("azp", ["https://evil.example", None])
async def test_an_unauthorized_party_is_rejected(client: Client, token: TokenFactory, azp: str | None) -> None:
    await problem(await client.get("/v1/me", headers=bearer(token(azp=azp))), 401, "invalid_token")


async def test_without_configured_parties_any_azp_is_accepted(
    config: Config, aiohttp_client: ClientFactory, token: TokenFactory
) -> None:
    from dataclasses import replace

    client = await aiohttp_client(create_app(replace(config, clerk_authorized_parties=())))
    assert (await client.get("/v1/me", headers=bearer(token(azp="https://elsewhere.example")))).status == 200


async def test_a_pending_session_is_rejected(client: Client, token: TokenFactory) -> None:
    await problem(await client.get("/v1/me", headers=bearer(token(sts="pending"))), 401, "invalid_token")


# --- organizations and memberships ----------------------------------------------


async def test_a_session_without_an_organization_sees_me_but_no_tenant_data(client: Client, token: TokenFactory) -> None:
    resp = await client.get("/v1/me", headers=bearer(token("user_solo", None)))
    assert resp.status == 200
    me = await resp.json()
    assert me["user"]["clerk_user_id"] == "user_solo" and me["organization"] is None and me["role"] is None
    resp = await client.get("/v1/api-keys", headers=bearer(token("user_solo", None)))
    await problem(resp, 403, "no_active_organization")


async def test_first_request_provisions_user_org_and_membership(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    assert (await client.get("/v1/me", headers=bearer(token("user_new", "org_new", "member")))).status == 200
    user = await users.get_user_by_clerk_id(db, clerk_user_id="user_new")
    org = await organizations.get_organization_by_clerk_id(db, clerk_org_id="org_new")
    assert user is not None and org is not None
    # Left for the webhooks to complete: their first payload always applies.
    assert user.clerk_updated_at is None and org.clerk_updated_at is None
    assert (org.name, org.slug) == ("new", "new")
    role = await memberships.get_membership_role(db, organization_id=org.id, user_id=user.id)
    assert role is MembershipRole.MEMBER


async def test_concurrent_first_requests_provision_once(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token("user_rush", "org_rush", "admin")
    responses = await asyncio.gather(*(client.get("/v1/me", headers=bearer(tok)) for _ in range(12)))
    assert [r.status for r in responses] == [200] * 12
    assert await db.fetchval("SELECT count(*) FROM users WHERE clerk_user_id = 'user_rush'") == 1
    assert await db.fetchval("SELECT count(*) FROM organizations WHERE clerk_org_id = 'org_rush'") == 1
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 1


async def test_the_database_role_wins_over_the_token_role(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    await sync_member(db, "user_bob", "org_a", "member")
    tok = token("user_bob", "org_a", "admin")  # the token claims admin
    me = await (await client.get("/v1/me", headers=bearer(tok))).json()
    assert me["role"] == "member"
    resp = await client.post("/v1/api-keys", json={"name": "x"}, headers=bearer(tok))
    await problem(resp, 403, "admin_required")


async def test_a_deleted_user_is_refused_and_not_revived(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token("user_gone", "org_a", "admin")
    assert (await client.get("/v1/me", headers=bearer(tok))).status == 200
    await users.mark_user_deleted(db, clerk_user_id="user_gone", deleted_at=datetime.now(UTC))
    await problem(await client.get("/v1/me", headers=bearer(tok)), 401, "user_deleted")
    await problem(await client.get("/v1/me", headers=bearer(token("user_gone", None))), 401, "user_deleted")
    user = await users.get_user_by_clerk_id(db, clerk_user_id="user_gone")
    assert user is not None and user.deleted_at is not None
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 0


async def test_a_deleted_organization_is_refused_on_the_next_request(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token("user_alice", "org_a", "admin")
    assert (await client.get("/v1/me", headers=bearer(tok))).status == 200
    await organizations.mark_organization_deleted(db, clerk_org_id="org_a", deleted_at=datetime.now(UTC))
    await problem(await client.get("/v1/me", headers=bearer(tok)), 403, "organization_deleted")
    await problem(await client.get("/v1/me", headers=bearer(token("user_other", "org_a"))), 403, "organization_deleted")
    org = await organizations.get_organization_by_clerk_id(db, clerk_org_id="org_a")
    assert org is not None and org.deleted_at is not None
    assert await db.fetchval("SELECT count(*) FROM users WHERE clerk_user_id = 'user_other'") == 0


async def remove_membership(db: asyncpg.Connection, user: str, org: str, *, received_ago: float = 0) -> None:
    """What the organizationMembership.deleted webhook does: record the event, delete the row."""
    payload = {"type": "organizationMembership.deleted", "object": "event",
               "data": {"organization": {"id": org}, "public_user_data": {"user_id": user}}}
    await db.execute(
        "INSERT INTO webhook_events (svix_id, type, payload, received_at, processed_at) "
        "VALUES ($1, 'organizationMembership.deleted', $2, now() - make_interval(secs => $3), now())",
        f"msg_{user}_{org}", payload, received_ago,
    )
    await db.execute(
        "DELETE FROM organization_memberships m USING users u, organizations o "
        "WHERE m.user_id = u.id AND m.organization_id = o.id AND u.clerk_user_id = $1 AND o.clerk_org_id = $2",
        user, org,
    )


async def test_a_removed_membership_is_refused_on_the_next_request(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    tok = token("user_bob", "org_a", "admin")
    assert (await client.get("/v1/me", headers=bearer(tok))).status == 200
    await remove_membership(db, "user_bob", "org_a")
    # The token still names org_a, but it predates the removal: not provisioned again.
    await problem(await client.get("/v1/me", headers=bearer(tok)), 403, "not_a_member")
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 0


async def test_a_token_issued_after_a_removal_provisions_the_membership_again(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    assert (await client.get("/v1/me", headers=bearer(token("user_bob", "org_a", "member")))).status == 200
    await remove_membership(db, "user_bob", "org_a", received_ago=3600)
    # Re-invited since: Clerk issues tokens naming the organization again.
    assert (await client.get("/v1/me", headers=bearer(token("user_bob", "org_a", "member")))).status == 200
    assert await db.fetchval("SELECT count(*) FROM organization_memberships") == 1


# --- API keys as credentials ----------------------------------------------------


async def test_an_api_key_authenticates_for_its_organization_without_a_user(client: Client, token: TokenFactory) -> None:
    created = await create_key(client, token("user_alice", "org_a", "admin"))
    resp = await client.get("/v1/me", headers={"X-API-Key": created["secret"]})
    assert resp.status == 200
    me = await resp.json()
    assert me["kind"] == "api_key" and me["user"] is None and me["role"] is None
    assert me["organization"]["clerk_org_id"] == "org_a"
    assert me["api_key_id"] == created["id"] and me["scopes"] == ["commands"]


async def test_an_api_key_cannot_list_create_or_revoke_api_keys(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    admin = token()
    created = await create_key(client, admin)
    other = await create_key(client, admin, "other")
    key = {"X-API-Key": created["secret"]}
    await problem(await client.get("/v1/api-keys", headers=key), 403, "user_required")
    await problem(await client.post("/v1/api-keys", json={"name": "mine", "scopes": []}, headers=key), 403, "user_required")
    for revoked in (other, created):
        await problem(await client.delete(f"/v1/api-keys/{revoked['id']}", headers=key), 403, "user_required")
    in_batch = {"operations": [{"method": "GET", "path": "/v1/me"}, {"method": "DELETE", "path": f"/v1/api-keys/{other['id']}"}]}
    body = await problem(await client.post("/v1/batch", json=in_batch, headers=key), 403, "user_required")
    assert body["errors"][0]["loc"] == ["body", "operations", 1]
    rows = await db.fetch("SELECT name, revoked_at FROM api_keys ORDER BY created_at, name")
    assert [(r["name"], r["revoked_at"]) for r in rows] == [("svc", None), ("other", None)]


@pytest.mark.parametrize("secret", ["nope", "ajc_00000000_" + "x" * 43, "ajc_" + "y" * 300])
async def test_unknown_api_keys_are_401(client: Client, secret: str) -> None:
    await problem(await client.get("/v1/me", headers={"X-API-Key": secret}), 401, "unknown_api_key")


async def test_a_revoked_api_key_is_refused(client: Client, token: TokenFactory) -> None:
    tok = token()
    created = await create_key(client, tok)
    assert (await client.delete(f"/v1/api-keys/{created['id']}", headers=bearer(tok))).status == 204
    await problem(await client.get("/v1/me", headers={"X-API-Key": created["secret"]}), 401, "unknown_api_key")


async def test_a_deleted_organizations_api_keys_are_refused(
    client: Client, token: TokenFactory, db: asyncpg.Connection
) -> None:
    created = await create_key(client, token())
    await db.execute("UPDATE organizations SET deleted_at = now() WHERE clerk_org_id = 'org_a'")
    await problem(await client.get("/v1/me", headers={"X-API-Key": created["secret"]}), 401, "unknown_api_key")


async def test_two_kinds_of_credentials_at_once_are_refused(client: Client, token: TokenFactory) -> None:
    created = await create_key(client, token())
    headers = {**bearer(token()), "X-API-Key": created["secret"]}
    await problem(await client.get("/v1/me", headers=headers), 401, "ambiguous_credentials")


# --- keys from a JWKS endpoint ----------------------------------------------------


class Jwks:
    """A JWKS endpoint on a real local HTTP server, counting fetches."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = keys
        self.fetches = 0
        self.fail = False

    async def handle(self, request: web.Request) -> web.Response:
        self.fetches += 1
        if self.fail:
            return web.Response(status=503)
        return web.json_response({"keys": [k.jwk() for k in self.keys]})


async def jwks_client(
    jwks: Jwks, config: Config, aiohttp_client: ClientFactory, cooldown: float
) -> tuple[Client, TestServer]:
    from dataclasses import replace

    app = web.Application()
    app.router.add_get("/.well-known/jwks.json", jwks.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/.well-known/jwks.json"))
    cfg = replace(config, clerk_jwt_key=None, clerk_jwks_url=url, jwks_refresh_cooldown_seconds=cooldown)
    return await aiohttp_client(create_app(cfg)), server


async def test_jwks_keys_are_fetched_once_and_cached(
    config: Config, aiohttp_client: ClientFactory, token: TokenFactory, signing_key: SigningKey
) -> None:
    jwks = Jwks([signing_key])
    client, server = await jwks_client(jwks, config, aiohttp_client, cooldown=60)
    try:
        for _ in range(3):
            assert (await client.get("/v1/me", headers=bearer(token()))).status == 200
        assert jwks.fetches == 1
    finally:
        await server.close()


async def test_an_unknown_kid_refreshes_at_most_once_per_cooldown(
    config: Config, aiohttp_client: ClientFactory, token: TokenFactory, signing_key: SigningKey
) -> None:
    jwks = Jwks([signing_key])
    # A cool-down long enough that a loaded machine still sends the six requests within it.
    client, server = await jwks_client(jwks, config, aiohttp_client, cooldown=3.0)
    try:
        assert (await client.get("/v1/me", headers=bearer(token()))).status == 200
        strangers = [new_key(f"made-up-{i}") for i in range(2)]
        for stranger in strangers * 3:
            await problem(await client.get("/v1/me", headers=bearer(token(key=stranger))), 401, "invalid_token")
        assert jwks.fetches == 1  # the first fetch is still within the cool-down
        # Clerk rotates: the new key is published; once the cool-down has passed it is fetched.
        rotated = new_key("test-key-2")
        jwks.keys = [signing_key, rotated]
        await asyncio.sleep(3.1)
        responses = await asyncio.gather(*(client.get("/v1/me", headers=bearer(token(key=rotated))) for _ in range(5)))
        assert [r.status for r in responses] == [200] * 5
        assert jwks.fetches == 2  # concurrent requests shared one refresh
        assert (await client.get("/v1/me", headers=bearer(token()))).status == 200
    finally:
        await server.close()


async def test_an_unreachable_jwks_is_503_not_401(
    config: Config, aiohttp_client: ClientFactory, token: TokenFactory, signing_key: SigningKey
) -> None:
    jwks = Jwks([signing_key])
    jwks.fail = True
    client, server = await jwks_client(jwks, config, aiohttp_client, cooldown=0)
    try:
        await problem(await client.get("/v1/me", headers=bearer(token())), 503, "authentication_unavailable")
        jwks.fail = False
        assert (await client.get("/v1/me", headers=bearer(token()))).status == 200
    finally:
        await server.close()
