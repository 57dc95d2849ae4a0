"""Bearer tokens for snowplow-cli style clients: `GET …/organizations/{org}/credentials/v3/token`
exchanges a service account's name and secret (`X-API-KEY-ID`, `X-API-KEY`) for a short-lived
signed token, which later requests send as `Authorization: Bearer …`.

A token is a JWT (HS256) naming the account, the organization and its expiry. The signing key
is random and lives only in the server's memory, so no secret is written anywhere and a restart
ends every token. A token also carries a digest of the account's stored hash: rotating or
removing the account ends its tokens at once, as it does for Basic credentials.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from trackplan.serving.accounts import MAX_HEADER, Account

TOKEN_SECONDS = 900
_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def account_digest(account: Account) -> str:
    """What ties a token to the account's current secret (not the secret, nor its hash)."""
    return hashlib.sha256(f"{account.salt}:{account.hash}".encode()).hexdigest()[:16]


class TokenIssuer:
    """Signs and checks the bearer tokens of one server process."""

    def __init__(self, lifetime: int = TOKEN_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._key = secrets.token_bytes(32)

    def issue(self, account: Account, organization: str) -> str:
        now = int(self._clock())
        claims = {"sub": account.name, "org": organization, "iat": now, "exp": now + self.lifetime}
        claims["acc"] = account_digest(account)
        signed = f"{_b64(orjson.dumps(_HEADER))}.{_b64(orjson.dumps(claims))}"
        return f"{signed}.{_b64(self._sign(signed))}"

    def verify(self, token: str, organization: str, accounts: Mapping[str, Account]) -> Account | None:
        """The account a token names, when its signature holds, it has not expired, it was
        issued for `organization` and the account's secret has not changed since; else None."""
        claims = self._claims(token)
        if claims is None or claims.get("org") != organization:
            return None
        expiry = claims.get("exp")
        if not isinstance(expiry, int) or expiry <= self._clock():
            return None
        account = accounts.get(str(claims.get("sub")))
        if account is None or not hmac.compare_digest(account_digest(account), str(claims.get("acc"))):
            return None
        return account

    def _claims(self, token: str) -> dict[str, Any] | None:
        if len(token) > MAX_HEADER or token.count(".") != 2:
            return None
        signed, _, signature = token.rpartition(".")
        try:
            if not hmac.compare_digest(_unb64(signature), self._sign(signed)):
                return None
            claims = orjson.loads(_unb64(signed.split(".")[1]))
        except (binascii.Error, ValueError):
            return None
        return claims if isinstance(claims, dict) else None

    def _sign(self, signed: str) -> bytes:
        return hmac.new(self._key, signed.encode(), hashlib.sha256).digest()
