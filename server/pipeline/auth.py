"""Authentication: who is calling, for which organization, with which role.

Two kinds of credentials (SPEC section 4):

- `Authorization: Bearer <Clerk session JWT>`: RS256 only, verified with PyJWT
  against CLERK_JWT_KEY (PEM, no network) or CLERK_JWKS_URL (fetched with the
  app's aiohttp client, cached, refreshed on an unknown kid at most once per
  cool-down). exp, nbf and iat are checked with a small leeway, iss against
  CLERK_ISSUER and azp against CLERK_AUTHORIZED_PARTIES when those are set.
  The organization comes from v2 claims (`"v": 2`, `o: {id, rol, slg}`) or v1
  claims (`org_id`, `org_role`, `org_slug`).
- `X-API-Key: <secret>`: the SHA-256 of the secret names a live key, and the
  key names its organization. There is no user (app.user_id stays empty).

The token says who the caller is; the database says what they may do. Every
request looks the user, organization and membership up again (as app_system),
so a removed membership, a deleted user or a deleted organization is refused on
the next request. What no webhook has delivered yet is provisioned just in time
(ProvisionUser/Organization/Membership in db/queries/auth.sql, ON CONFLICT DO
NOTHING so concurrent first requests agree):

- a user or organization row that does not exist is created with
  clerk_updated_at NULL, so the later webhook completes it;
- a tombstoned user (deleted_at) is refused with 401 user_deleted, a tombstoned
  organization with 403 organization_deleted: neither is ever revived;
- a missing membership is created with the token's role (org:admin/admin ->
  admin, anything else -> member), unless the webhook inbox recorded the
  membership's removal at or after the token was issued (a token minted before
  the removal cannot bring it back). An existing membership is never changed:
  its role, not the token's, is the role used for authorization (the RLS helper
  app.current_user_is_admin reads it too).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias
from uuid import UUID

import aiohttp
import asyncpg
import jwt
from aiohttp import web
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from gen import Connection, api_keys, tenancy
from gen import auth as auth_queries
from gen.models import MembershipRole

from ..config import Config
from .devkeys import ensure_key_pair
from .keys import POOL
from .problems import OUTAGE, Problem

log = logging.getLogger("server.auth")

API_KEY_HEADER = "X-API-Key"
API_KEY_PREFIX = "ajc_"
MAX_CREDENTIAL_LENGTH = 8192
ADMIN_ROLES = frozenset({"admin", "org:admin"})


@dataclass(frozen=True)
class SessionClaims:
    """What a verified Clerk session token says (not yet checked against the database)."""

    clerk_user_id: str
    clerk_org_id: str | None
    org_role: str | None
    org_slug: str | None
    issued_at: datetime

    @property
    def role(self) -> MembershipRole:
        """The role to provision a missing membership with."""
        return MembershipRole.ADMIN if self.org_role in ADMIN_ROLES else MembershipRole.MEMBER


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the database sees it now."""

    organization_id: UUID | None
    user_id: UUID | None
    role: MembershipRole | None
    clerk_user_id: str | None = None
    clerk_org_id: str | None = None
    api_key_id: UUID | None = None
    scopes: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role is MembershipRole.ADMIN


# --- signing keys -------------------------------------------------------------


class KeySource(Protocol):
    async def key_for(self, kid: str | None) -> RSAPublicKey: ...


class StaticKey:
    """One configured public key (CLERK_JWT_KEY or the development key): no network."""

    def __init__(self, key: RSAPublicKey) -> None:
        self._key = key

    @property
    def only_key(self) -> RSAPublicKey:
        return self._key

    async def key_for(self, kid: str | None) -> RSAPublicKey:
        return self._key


class JwksKeys:
    """Keys from a JWKS URL, fetched with the app's aiohttp client (never blocking the loop).

    Keys are cached by kid. An unknown kid triggers a refresh, but at most one
    fetch per `cooldown` seconds whatever arrives (a flood of made-up kids costs
    one request a minute); concurrent requests share one fetch. The set is also
    refetched when older than `max_age`, keeping the old keys if that fails.
    """

    def __init__(
        self, url: str, session: aiohttp.ClientSession, *, cooldown: float = 60.0, max_age: float = 3600.0
    ) -> None:
        self.url = url
        self._session = session
        self._cooldown = cooldown
        self._max_age = max_age
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at: float | None = None  # last successful fetch (monotonic)
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._last_failed = False
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key_for(self, kid: str | None) -> RSAPublicKey:
        if not kid:
            raise Problem("invalid_token", "the token header has no kid")
        key = self._keys.get(kid)
        if key is not None and not self._stale():
            return key
        async with self._lock:
            key = self._keys.get(kid)
            if key is not None and not self._stale():
                return key  # another request refreshed while this one waited
            if self._may_fetch():
                await self._refresh()
            key = self._keys.get(kid)
        if key is not None:
            return key
        if self._last_failed and not self._keys:
            raise Problem("authentication_unavailable", "the signing keys could not be fetched; retry later")
        raise Problem("invalid_token", "the token was signed with an unknown key")

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self._max_age

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or time.monotonic() - self._attempted_at >= self._cooldown

    async def _refresh(self) -> None:
        self._attempted_at = time.monotonic()
        self.fetches += 1
        try:
            async with self._session.get(self.url, timeout=aiohttp.ClientTimeout(total=5)) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWTError) as exc:
            self._last_failed = True
            log.error("fetching JWKS from %s failed: %r", self.url, exc)
            return
        fresh = {k.key_id: k.key for k in keys if k.key_id and isinstance(k.key, RSAPublicKey)}
        self._keys = fresh
        self._fetched_at = self._attempted_at
        self._last_failed = False


# --- token verification -------------------------------------------------------


class TokenVerifier:
    """Verifies Clerk session tokens: signature (RS256 only), time claims, iss, azp."""

    def __init__(
        self, keys: KeySource, *, issuer: str | None, authorized_parties: tuple[str, ...], leeway: int
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.authorized_parties = authorized_parties
        self.leeway = leeway

    async def verify(self, token: str) -> SessionClaims:
        key = self.keys.only_key if isinstance(self.keys, StaticKey) else None
        if key is None:
            # A JWKS names the key by kid: read the header first. Its alg is checked before any
            # key is chosen, so an HS256 token "signed" with the public key, or alg none, never
            # makes the JWKS refresh.
            header = unverified_header(token)
            kid = header.get("kid")
            key = await self.keys.key_for(kid if isinstance(kid, str) else None)
        # With one static key the header is parsed once, by decode: algorithms=["RS256"] refuses
        # any other alg (none, HS256 with the public key, RS384, ...) before the signature is checked.
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise Problem("expired_token", "the bearer token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Problem("token_not_yet_valid", "the bearer token is not valid yet (nbf or iat in the future)") from None
        except jwt.InvalidIssuerError:
            raise Problem("invalid_token", "the token was not issued by the configured issuer") from None
        except jwt.InvalidAlgorithmError:
            raise Problem("invalid_token", ONLY_RS256) from None
        except jwt.DecodeError as exc:  # the header first: "not a JWT" or "only RS256", as with a JWKS
            unverified_header(token)
            raise Problem("invalid_token", f"the bearer token is not valid: {exc}") from None
        except jwt.PyJWTError as exc:
            raise Problem("invalid_token", f"the bearer token is not valid: {exc}") from None
        if self.authorized_parties and claims.get("azp") not in self.authorized_parties:
            raise Problem("invalid_token", "the token's authorized party (azp) is not accepted")
        if claims.get("sts", "active") != "active":
            raise Problem("invalid_token", "the session is not active (it has pending tasks)")
        return session_claims(claims)


ONLY_RS256 = "only RS256-signed tokens are accepted"


def unverified_header(token: str) -> dict[str, Any]:
    """The token's header, if it is a JWT whose alg is RS256; Problem 401 otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Problem("invalid_token", "the bearer token is not a JWT") from None
    if header.get("alg") != "RS256":
        raise Problem("invalid_token", ONLY_RS256)
    return header


def session_claims(claims: dict[str, Any]) -> SessionClaims:
    """The user and active organization of verified claims, from v2 (`o`) or v1 (`org_*`) names."""
    if claims.get("v") == 2 or "o" in claims:
        org = claims.get("o")
        if org is not None and not isinstance(org, dict):
            raise Problem("invalid_token", "the o claim is not an object")
        org = org or {}
        org_id, role, slug = org.get("id"), org.get("rol"), org.get("slg")
    else:
        org_id, role, slug = claims.get("org_id"), claims.get("org_role"), claims.get("org_slug")
    sub = claims.get("sub")
    for name, value, required in (("sub", sub, True), ("org id", org_id, False), ("org role", role, False), ("org slug", slug, False)):
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value or len(value) > 255 or "\x00" in value:
            raise Problem("invalid_token", f"the token's {name} claim is not a valid identifier")
    assert isinstance(sub, str)
    iat = claims["iat"]
    return SessionClaims(
        clerk_user_id=sub,
        clerk_org_id=org_id,
        org_role=role,
        org_slug=slug,
        issued_at=datetime.fromtimestamp(int(iat), UTC),
    )


# --- principals ------------------------------------------------------------------


@asynccontextmanager
async def system_tx(app: web.Application) -> AsyncIterator[Connection]:
    """A transaction of the app's pool acting as app_system (cross-tenant: identity lookups, API keys)."""
    async with app[POOL].acquire() as conn, conn.transaction():
        await tenancy.enter_system(conn)
        app[OUTAGE].recovered()
        yield conn


if TYPE_CHECKING:
    PooledConnection: TypeAlias = PoolConnectionProxy[asyncpg.Record]
else:
    PooledConnection = PoolConnectionProxy


class TenantTransaction:
    """A pooled connection in a transaction that has entered the caller's tenant, opened by authentication.

    The request's first `Context.tx()` takes it over (commits it when its block ends), so a request
    authenticates and does its work with one pool acquisition, one transaction, and one round trip
    for the principal and the tenant (fn.enter_session). `close()` gives it back to the pool
    (rolled back) if nothing took it.
    """

    __slots__ = ("_conn", "_pool", "_transaction")

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record], conn: PooledConnection, transaction: Transaction) -> None:
        self._pool = pool
        self._conn: PooledConnection | None = conn
        self._transaction = transaction

    def take(self) -> tuple[PooledConnection, Transaction] | None:
        """The connection and its open transaction, once; None after that."""
        conn, self._conn = self._conn, None
        return None if conn is None else (conn, self._transaction)

    async def release(self, conn: PooledConnection) -> None:
        await self._pool.release(conn)

    async def close(self) -> None:
        """Roll back and release the connection if no tx() took it."""
        taken = self.take()
        if taken is not None:
            await self._pool.release(taken[0])  # asyncpg rolls the open transaction back


async def authenticate(
    request: web.Request, *, org_required: bool, open_tenant: bool = False
) -> tuple[Principal, TenantTransaction | None]:
    """The caller of this request, checked against the database; Problem 400/401/403 otherwise.

    With `open_tenant`, a session token's principal is looked up in the transaction the request's
    work then runs in, its tenant entered (returned as a TenantTransaction; None when the session
    has no organization). Otherwise the lookup has a transaction of its own, as API keys always do.
    """
    authorization = request.headers.get("Authorization")
    api_key = request.headers.get(API_KEY_HEADER)
    if authorization is not None and api_key is not None:
        raise Problem("ambiguous_credentials", f"send either Authorization or {API_KEY_HEADER}, not both")
    if api_key is not None:
        return await _api_key_principal(request, api_key), None
    if authorization is None:
        raise Problem("missing_credentials", f"send Authorization: Bearer <session token> or {API_KEY_HEADER}")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_CREDENTIAL_LENGTH:
        raise Problem("invalid_token", "use the Bearer scheme: Authorization: Bearer <session token>")
    claims = await request.app[VERIFIER].verify(token)
    if org_required and claims.clerk_org_id is None:
        raise Problem("no_active_organization", "the session has no active organization; select one in the client")
    if open_tenant and claims.clerk_org_id is not None:
        return await _enter_session(request.app, claims)
    async with system_tx(request.app) as conn:
        return await session_principal(conn, claims), None


async def _enter_session(app: web.Application, claims: SessionClaims) -> tuple[Principal, TenantTransaction]:
    """The session's principal, its tenant entered in an open transaction (provisioning first, in a
    transaction of its own, what no webhook has delivered yet: the rules of session_principal)."""
    pool = app[POOL]
    conn = await pool.acquire()
    try:
        for attempt in range(2):
            transaction = conn.transaction()
            await transaction.start()
            row = await auth_queries.enter_session(
                conn, clerk_user_id=claims.clerk_user_id, clerk_org_id=claims.clerk_org_id
            )
            app[OUTAGE].recovered()
            assert row is not None  # the function returns one row
            if row.user_deleted_at is not None:
                raise Problem("user_deleted", "this user has been deleted")
            if row.organization_deleted_at is not None:
                raise Problem("organization_deleted", "this organization has been deleted")
            if row.user_id is not None and row.organization_id is not None and row.role is not None:
                principal = Principal(
                    organization_id=row.organization_id,
                    user_id=row.user_id,
                    role=row.role,
                    clerk_user_id=claims.clerk_user_id,
                    clerk_org_id=claims.clerk_org_id,
                )
                return principal, TenantTransaction(pool, conn, transaction)
            await transaction.rollback()
            if attempt:
                break
            async with conn.transaction():  # provisions (or refuses), committed before the request's work
                await tenancy.enter_system(conn)
                await session_principal(conn, claims)
        raise Problem("not_a_member", "the user is not a member of the session's organization")
    except BaseException:
        await pool.release(conn)  # rolls back what is open
        raise


async def session_principal(conn: Connection, claims: SessionClaims) -> Principal:
    """Resolve (and provision just in time) the user, organization and membership a token names."""
    row = await auth_queries.get_principal(conn, clerk_user_id=claims.clerk_user_id, clerk_org_id=claims.clerk_org_id)
    assert row is not None  # the query selects from a one-row VALUES list
    if row.user_deleted_at is not None:
        raise Problem("user_deleted", "this user has been deleted")
    if row.organization_deleted_at is not None:
        raise Problem("organization_deleted", "this organization has been deleted")
    incomplete = row.user_id is None or (claims.clerk_org_id is not None and row.role is None)
    if incomplete:
        await auth_queries.provision_user(conn, clerk_user_id=claims.clerk_user_id)
        if claims.clerk_org_id is not None:
            await auth_queries.provision_organization(
                conn,
                clerk_org_id=claims.clerk_org_id,
                name=claims.org_slug or claims.clerk_org_id,
                slug=claims.org_slug,
            )
            await auth_queries.provision_membership(
                conn,
                role=claims.role,
                clerk_org_id=claims.clerk_org_id,
                clerk_user_id=claims.clerk_user_id,
                token_issued_at=claims.issued_at,
            )
        row = await auth_queries.get_principal(
            conn, clerk_user_id=claims.clerk_user_id, clerk_org_id=claims.clerk_org_id
        )
        assert row is not None and row.user_id is not None
        if row.user_deleted_at is not None:
            raise Problem("user_deleted", "this user has been deleted")
        if row.organization_deleted_at is not None:
            raise Problem("organization_deleted", "this organization has been deleted")
    if claims.clerk_org_id is not None and row.role is None:
        raise Problem("not_a_member", "the user is not a member of the session's organization")
    return Principal(
        organization_id=row.organization_id,
        user_id=row.user_id,
        role=row.role,
        clerk_user_id=claims.clerk_user_id,
        clerk_org_id=claims.clerk_org_id,
    )


def hash_api_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


async def _api_key_principal(request: web.Request, secret: str) -> Principal:
    secret = secret.strip()
    # Only well-formed keys reach the database.
    if not secret.startswith(API_KEY_PREFIX) or len(secret) > 200 or not secret.isascii() or not secret.isprintable():
        raise Problem("unknown_api_key", "the API key is not valid")
    async with system_tx(request.app) as conn:
        key = await api_keys.resolve_api_key(conn, key_hash=hash_api_key(secret))
    if key is None or key.organization_id is None or key.api_key_id is None:
        raise Problem("unknown_api_key", "the API key is not valid, revoked, or its organization was deleted")
    return Principal(
        organization_id=key.organization_id,
        user_id=None,
        role=None,
        api_key_id=key.api_key_id,
        scopes=tuple(key.scopes or ()),
    )


# The app's token verifier (set by server.app's authentication cleanup context).
VERIFIER: web.AppKey[TokenVerifier] = web.AppKey("verifier")


def build_verifier(config: Config, session: aiohttp.ClientSession) -> TokenVerifier:
    """The verifier the configuration describes (development mode: the local dev key)."""
    keys: KeySource
    if config.clerk_jwks_url:
        keys = JwksKeys(
            config.clerk_jwks_url,
            session,
            cooldown=config.jwks_refresh_cooldown_seconds,
            max_age=config.jwks_max_age_seconds,
        )
    elif config.public_key is not None:
        keys = StaticKey(config.public_key)
    else:
        keys = StaticKey(ensure_key_pair(config.dev_key_dir).public_key())
    return TokenVerifier(
        keys, issuer=config.issuer, authorized_parties=config.clerk_authorized_parties, leeway=config.clock_skew_seconds
    )
