"""The server's configuration, read once from the environment (SPEC section 7).

    Config.from_env()   every setting, validated; a ConfigError names the variable at fault

Without CLERK_JWT_KEY and CLERK_JWKS_URL the server runs in development mode: it
verifies tokens signed with a key pair it keeps under .data/dev-jwt/ (see
server.pipeline.devkeys) and refuses to listen on anything but a loopback address.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from svix.webhooks import Webhook

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".data"
DEV_ISSUER = "http://localhost/dev"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Config:
    """Every setting of the server. Build it with from_env(), or directly in tests."""

    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    workspaces_dir: Path = DATA_DIR / "workspaces"
    # s3://bucket/prefix: file contents in S3-compatible object storage instead of workspaces_dir.
    workspaces_url: str | None = None
    s3_endpoint: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    # Exactly one source of verification keys, or neither (development mode).
    clerk_jwt_key: str | None = None
    clerk_jwks_url: str | None = None
    clerk_issuer: str | None = None
    clerk_authorized_parties: tuple[str, ...] = ()
    clerk_webhook_secret: str | None = None
    # Seconds of clock skew tolerated on exp, nbf and iat (Clerk's SDKs allow 5).
    clock_skew_seconds: int = 5
    # An unknown kid refreshes the JWKS at most once per this many seconds.
    jwks_refresh_cooldown_seconds: float = 60.0
    # Keys are refetched after this long even when every kid is known.
    jwks_max_age_seconds: float = 3600.0
    # An OpenAI-compatible embeddings endpoint (OPENAI_BASE_URL, OPENAI_API_KEY): none configured, chunks wait.
    openai_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 100 * 1024 * 1024
    pool_min_size: int = 1
    pool_max_size: int = 10  # per worker process; python -m server lowers it to fit max_connections
    # Server processes sharing the port (python -m server --workers); 0: one per CPU core.
    workers: int = 0
    # aiohttp's access log (one line per request); off unless ACCESS_LOG is set, it costs every request.
    access_log: bool = False
    dev_key_dir: Path = DATA_DIR / "dev-jwt"
    # Retention (jobs.retention): the window of organizations without settings.retention_days,
    # how long processed webhook deliveries and stored Idempotency-Key responses are kept.
    retention_days: int = 30
    retention_webhook_days: int = 30
    retention_idempotency_hours: int = 24
    _public_key: RSAPublicKey | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError(f"PORT must be between 1 and 65535, not {self.port}")
        if self.clerk_jwt_key and self.clerk_jwks_url:
            raise ConfigError("set CLERK_JWT_KEY or CLERK_JWKS_URL, not both")
        if self.clerk_jwt_key:
            object.__setattr__(self, "_public_key", parse_public_key(self.clerk_jwt_key))
        if self.clerk_jwks_url:
            url = urlsplit(self.clerk_jwks_url)
            if url.scheme not in ("https", "http") or not url.netloc:
                raise ConfigError(f"CLERK_JWKS_URL must be an http(s) URL, not {self.clerk_jwks_url!r}")
            if url.scheme == "http" and not is_loopback(url.hostname or ""):
                raise ConfigError("CLERK_JWKS_URL must use https (http is accepted for loopback addresses only)")
        if self.dev_mode and not is_loopback(self.host):
            raise ConfigError(
                f"development mode (no CLERK_JWT_KEY or CLERK_JWKS_URL) only listens on a loopback address; "
                f"HOST={self.host!r} would let anyone mint accepted tokens with the local dev key. "
                "Set CLERK_JWT_KEY or CLERK_JWKS_URL, or HOST=127.0.0.1."
            )
        if self.workspaces_url is not None:
            url = urlsplit(self.workspaces_url)
            if url.scheme != "s3" or not url.netloc or url.query or url.fragment:
                raise ConfigError(f"WORKSPACES_URL must be s3://bucket or s3://bucket/prefix, not {self.workspaces_url!r}")
        if self.s3_endpoint is not None:
            url = urlsplit(self.s3_endpoint)
            if url.scheme not in ("https", "http") or not url.netloc:
                raise ConfigError(f"AWS_ENDPOINT_URL must be an http(s) URL, not {self.s3_endpoint!r}")
        if self.clerk_webhook_secret:
            try:
                Webhook(self.clerk_webhook_secret)
            except Exception:  # binascii.Error, or the empty-secret error of svix's standardwebhooks
                raise ConfigError("CLERK_WEBHOOK_SECRET must be the endpoint's signing secret, whsec_<base64>") from None
        if self.openai_base_url is not None:
            url = urlsplit(self.openai_base_url)
            if url.scheme not in ("https", "http") or not url.netloc:
                raise ConfigError(f"OPENAI_BASE_URL must be an http(s) URL, not {self.openai_base_url!r}")
        if self.workers < 0:
            raise ConfigError("WORKERS must be 0 (one per CPU core) or a positive integer")
        for name in (
            "max_body_bytes", "max_upload_bytes", "pool_min_size", "pool_max_size",
            "retention_days", "retention_webhook_days", "retention_idempotency_hours",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name.upper()} must be a positive integer")
        if self.pool_min_size > self.pool_max_size:
            raise ConfigError("POOL_MIN_SIZE must not exceed POOL_MAX_SIZE")

    @property
    def dev_mode(self) -> bool:
        """No Clerk key source: tokens are verified with the local development key."""
        return not self.clerk_jwt_key and not self.clerk_jwks_url

    @property
    def public_key(self) -> RSAPublicKey | None:
        """The parsed CLERK_JWT_KEY, when that is the key source."""
        return self._public_key

    @property
    def embeddings_configured(self) -> bool:
        """An embedding provider is configured (OPENAI_API_KEY, or OPENAI_BASE_URL for a server needing no key)."""
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def issuer(self) -> str | None:
        """The iss every token must carry: CLERK_ISSUER, or the dev issuer in development mode."""
        return DEV_ISSUER if self.dev_mode else self.clerk_issuer

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """The configuration the environment describes; ConfigError names what is wrong."""
        env = os.environ if env is None else env

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def integer(name: str, default: int) -> int:
            value = text(name)
            if value is None:
                return default
            try:
                return int(value)
            except ValueError:
                raise ConfigError(f"{name} must be an integer, not {value!r}") from None

        def flag(name: str) -> bool:
            value = (text(name) or "0").lower()
            if value not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ConfigError(f"{name} must be 1/true/yes/on or 0/false/no/off, not {value!r}")
            return value in ("1", "true", "yes", "on")

        parties = tuple(p.strip() for p in (text("CLERK_AUTHORIZED_PARTIES") or "").split(",") if p.strip())
        workspaces = text("WORKSPACES_DIR")
        dev_dir = text("DEV_JWT_DIR")
        return cls(
            database_url=text("DATABASE_URL"),
            host=text("HOST") or "127.0.0.1",
            port=integer("PORT", 8080),
            workspaces_dir=Path(workspaces) if workspaces else DATA_DIR / "workspaces",
            workspaces_url=text("WORKSPACES_URL"),
            s3_endpoint=text("AWS_ENDPOINT_URL_S3") or text("AWS_ENDPOINT_URL"),
            s3_region=text("AWS_REGION") or text("AWS_DEFAULT_REGION"),
            s3_access_key_id=text("AWS_ACCESS_KEY_ID"),
            s3_secret_access_key=text("AWS_SECRET_ACCESS_KEY"),
            clerk_jwt_key=text("CLERK_JWT_KEY"),
            clerk_jwks_url=text("CLERK_JWKS_URL"),
            clerk_issuer=text("CLERK_ISSUER"),
            clerk_authorized_parties=parties,
            clerk_webhook_secret=text("CLERK_WEBHOOK_SECRET"),
            openai_base_url=text("OPENAI_BASE_URL"),
            openai_api_key=text("OPENAI_API_KEY"),
            max_body_bytes=integer("MAX_BODY_BYTES", 1024 * 1024),
            max_upload_bytes=integer("MAX_UPLOAD_BYTES", 100 * 1024 * 1024),
            pool_min_size=integer("POOL_MIN_SIZE", 1),
            pool_max_size=integer("POOL_MAX_SIZE", 10),
            dev_key_dir=Path(dev_dir) if dev_dir else DATA_DIR / "dev-jwt",
            retention_days=integer("RETENTION_DAYS", 30),
            retention_webhook_days=integer("RETENTION_WEBHOOK_DAYS", 30),
            retention_idempotency_hours=integer("RETENTION_IDEMPOTENCY_HOURS", 24),
            workers=integer("WORKERS", 0),
            access_log=flag("ACCESS_LOG"),
        )


# The app's configuration (set by server.app.create_app).
CONFIG: web.AppKey[Config] = web.AppKey("config")


def parse_public_key(pem: str) -> RSAPublicKey:
    """An RSA public key from PEM text; literal \\n sequences (one-line env values) count as newlines."""
    text = pem.replace("\\n", "\n").strip()
    try:
        key = load_pem_public_key(text.encode())
    except ValueError as exc:
        raise ConfigError(f"CLERK_JWT_KEY is not a PEM public key: {exc}") from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigError("CLERK_JWT_KEY must be an RSA public key (Clerk signs session tokens with RS256)")
    return key


def is_loopback(host: str) -> bool:
    """Whether host names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
