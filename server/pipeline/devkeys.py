"""The development signing key: used when no Clerk key source is configured.

The key pair is generated once under `.data/dev-jwt/` (private.pem, mode 0600);
the server verifies tokens with its public half and issuer DEV_ISSUER, and
`python -m server.cli.devtoken` mints Clerk-v2-shaped tokens with the private half.
Config refuses development mode on a non-loopback HOST.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..config import DEV_ISSUER

PRIVATE_FILE = "private.pem"


def ensure_key_pair(directory: Path) -> rsa.RSAPrivateKey:
    """The development private key in directory, generated (mode 0600) on first use."""
    path = directory / PRIVATE_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            # O_EXCL: when two processes race, the first key written wins and both use it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key; delete it to generate a new one")
    return loaded


def key_id(key: rsa.RSAPublicKey) -> str:
    """A stable kid for a public key: a SHA-256 thumbprint of its DER encoding."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")


def mint_token(
    key: rsa.RSAPrivateKey,
    *,
    user: str,
    org: str | None,
    role: str = "member",
    slug: str | None = None,
    ttl: int = 3600,
    issuer: str = DEV_ISSUER,
    azp: str | None = "http://localhost",
) -> str:
    """A Clerk session token (claims v2) for user in org, signed RS256 with key."""
    now = int(time.time())
    claims: dict[str, object] = {
        "v": 2,
        "iss": issuer,
        "sub": user,
        "sid": f"sess_dev_{now}",
        "iat": now,
        "nbf": now - 5,
        "exp": now + ttl,
    }
    if azp:
        claims["azp"] = azp
    if org:
        claims["o"] = {"id": org, "rol": role.removeprefix("org:"), "slg": slug or org}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id(key.public_key())})
