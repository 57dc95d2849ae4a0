"""Posting one payload to one webhook: signed, and retried while retrying can help.

Network errors, 408, 429 and 5xx are retried with exponential backoff (a `Retry-After` header
wins, capped); any other answer of 300 or more stops at once, since sending the same request
again cannot change it. Every attempt carries the same delivery id (`X-Trackplan-Delivery`,
and the token's `jti`), so a receiver can drop a duplicate it already processed; the token is
signed afresh for each attempt, so its `iat` stays recent. Redirects are not followed: a POST
redirected would lose its body.
"""

from __future__ import annotations

import email.utils
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from trackplan import __version__
from trackplan.publishing.signing import hub_signature, jwt_hs256

DELIVERY_HEADER = "X-Trackplan-Delivery"
RETRIED_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class Retrying:
    attempts: int = 5
    first_delay: float = 1.0  # seconds; doubled after each failed attempt
    max_delay: float = 60.0
    timeout: float = 10.0

    @property
    def longest(self) -> float:
        """Seconds a delivery can take at most: every attempt timing out, every wait the longest."""
        return self.attempts * self.timeout + (self.attempts - 1) * self.max_delay


RETRYING = Retrying()


@dataclass(frozen=True)
class Attempt:
    status: int | None  # None: no answer (a network error)
    error: str = ""


@dataclass
class Delivery:
    id: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].status is not None and 200 <= self.attempts[-1].status < 300

    @property
    def last_answer(self) -> str:
        last = self.attempts[-1]
        return f"HTTP {last.status}" if last.status is not None else last.error


@dataclass(frozen=True)
class Message:
    url: str
    body: bytes
    content_type: str
    subject: str  # the integration id: the token's `sub`


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def deliver(
    message: Message,
    secret: str,
    delivery_id: str,
    retrying: Retrying = RETRYING,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Post `message` until it is accepted, refused for good, or the attempts run out."""
    delivery = Delivery(delivery_id)
    for number in range(1, retrying.attempts + 1):
        attempt, retry_after = _attempt(message, secret, delivery_id, retrying.timeout)
        delivery.attempts.append(attempt)
        if not _retried(attempt) or number == retrying.attempts:
            break
        backoff = retrying.first_delay * 2 ** (number - 1)
        sleep(min(retrying.max_delay, retry_after if retry_after is not None else backoff))
    return delivery


def _retried(attempt: Attempt) -> bool:
    status = attempt.status
    return status is None or status in RETRIED_STATUSES or status >= 500


def _attempt(message: Message, secret: str, delivery_id: str, timeout: float) -> tuple[Attempt, float | None]:
    token = jwt_hs256(secret, {"iat": int(time.time()), "iss": "trackplan", "sub": message.subject, "jti": delivery_id})
    headers = {
        "Content-Type": message.content_type,
        "Authorization": f"Bearer {token}",
        "X-Hub-Signature-256": hub_signature(secret, message.body),
        DELIVERY_HEADER: delivery_id,
        "User-Agent": f"trackplan/{__version__}",
    }
    request = urllib.request.Request(message.url, data=message.body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
            return Attempt(response.status), None
    except urllib.error.HTTPError as exc:
        with exc:
            return Attempt(exc.code), retry_after(exc.headers.get("Retry-After"))
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return Attempt(None, f"network error: {reason}"), None


def retry_after(value: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None
