"""The two signatures a delivery carries, and their checks.

As Avo does, `Authorization: Bearer <JWT>`: HS256 over the header and claims, with `iat` (so a
receiver can refuse old tokens) and `jti`, the delivery id. As GitHub does,
`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, which binds the secret to the
exact bytes sent. Both use the integration's secret; checks compare in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

HUB_PREFIX = "sha256="
_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def jwt_hs256(secret: str, claims: dict[str, Any]) -> str:
    """A compact JWS (HS256) of `claims`."""
    signing_input = f"{_b64url(_compact(_HEADER))}.{_b64url(_compact(claims))}"
    mac = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(mac)}"


def verify_jwt(token: str, secret: str, max_age: float, now: float | None = None) -> dict[str, Any] | None:
    """The claims of an HS256 token signed with `secret` and issued at most `max_age` seconds
    ago, or None (a bad signature, another algorithm, a token from the future or too old)."""
    try:
        header_part, claims_part, mac_part = token.split(".")
        header, claims = json.loads(_unb64url(header_part)), json.loads(_unb64url(claims_part))
        mac = _unb64url(mac_part)
    except (ValueError, binascii.Error):
        return None
    expected = hmac.new(secret.encode(), f"{header_part}.{claims_part}".encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected) or not isinstance(header, dict) or header.get("alg") != "HS256":
        return None
    issued = claims.get("iat") if isinstance(claims, dict) else None
    age = (time.time() if now is None else now) - issued if isinstance(issued, int | float) else None
    return claims if age is not None and -60 <= age <= max_age else None


def hub_signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value of `body`."""
    return HUB_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_hub_signature(secret: str, body: bytes, header: str | None) -> bool:
    return header is not None and hmac.compare_digest(hub_signature(secret, body).encode(), header.strip().encode())
