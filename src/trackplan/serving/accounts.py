"""Service accounts: the state file that holds them, their secrets and how a request proves one.

Secrets are 256 random bits, shown once and stored only as salted scrypt hashes. The file is
private to its owner (mode 0600); the server refuses a file that group or others can read.
A check costs one scrypt whether the name exists or not, and compares in constant time; a
passed check is remembered for a short while, under a keyed digest of the credentials, so a
client sending one request per second pays the KDF once a minute, not every time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from trackplan.errors import InputError

ACCOUNTS_FILE = "accounts.json"
SCOPES = ("import", "export")
ALL_WORKSPACES = "*"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
MAX_HEADER = 1024  # longer than any name and secret this module issues

# scrypt at n=2**14, r=8: about 16 MB and tens of milliseconds per check.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Account:
    name: str
    workspace: str  # a workspace id, or "*" for every workspace
    scopes: tuple[str, ...]
    salt: str  # hex
    hash: str  # hex scrypt of the secret
    email: str | None = None  # who a subscription made by the account notifies

    def allows(self, workspace: str, scope: str) -> bool:
        return scope in self.scopes and self.workspace in (ALL_WORKSPACES, workspace)


@dataclass(frozen=True)
class Issued:
    """An account with its secret, as `add` and `rotate` print it once."""

    account: Account
    secret: str

    @property
    def authorization(self) -> str:
        return basic_authorization(self.account.name, self.secret)


def basic_authorization(name: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{secret}".encode()).decode()


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


def parse_scopes(text: str) -> tuple[str, ...]:
    scopes = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise InputError(f"--scope {text!r}: use a comma-separated list of {', '.join(SCOPES)}")
    return scopes


class AccountStore:
    """The accounts file in a state folder; the server rereads it when it changes."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / ACCOUNTS_FILE
        self._accounts: dict[str, Account] = {}
        self._loaded_stamp: tuple[int, int] | None = None
        self._passed: dict[bytes, tuple[str, float]] = {}
        self._cache_key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._decoy = (secrets.token_bytes(16), secrets.token_bytes(32))

    # -- the file ------------------------------------------------------------------------------
    def ensure_private(self) -> None:
        """Refuse an accounts file that group or others may read (or write)."""
        if self.path.exists() and stat.S_IMODE(self.path.stat().st_mode) & 0o077:
            mode = oct(stat.S_IMODE(self.path.stat().st_mode))
            raise InputError(f"{self.path}: mode {mode} lets group or others read the accounts; run chmod 600 on it")

    def accounts(self) -> dict[str, Account]:
        with self._lock:
            self._reload()
            return dict(self._accounts)

    def _reload(self) -> None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._accounts, self._loaded_stamp, self._passed = {}, None, {}
            return
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp == self._loaded_stamp:
            return
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            accounts = {a["name"]: Account(**{**a, "scopes": tuple(a["scopes"])}) for a in doc["accounts"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{self.path}: not an accounts file ({exc})") from None
        self._accounts, self._loaded_stamp, self._passed = accounts, stamp, {}

    def _save(self, accounts: dict[str, Account]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {"accounts": [{**asdict(a), "scopes": list(a.scopes)} for a in sorted(accounts.values(), key=_name)]}
        tmp = self.path.with_name(f".{ACCOUNTS_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(doc, indent=2) + "\n")
        os.replace(tmp, self.path)

    # -- changes -------------------------------------------------------------------------------
    def add(
        self, name: str, workspace: str = ALL_WORKSPACES, scopes: tuple[str, ...] = SCOPES, email: str | None = None
    ) -> Issued:
        if not NAME.fullmatch(name):
            raise InputError(f"account name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        if email is not None and not EMAIL.fullmatch(email):
            raise InputError(f"--email {email!r}: not an email address")
        with self._lock:
            self._reload()
            if name in self._accounts:
                raise InputError(f"account {name!r} exists; use `trackplan accounts rotate {name}` for a new secret")
            return self._issue(name, workspace, scopes, email)

    def rotate(self, name: str) -> Issued:
        with self._lock:
            old = self._existing(name)
            return self._issue(name, old.workspace, old.scopes, old.email)

    def remove(self, name: str) -> None:
        with self._lock:
            self._existing(name)
            accounts = dict(self._accounts)
            del accounts[name]
            self._save(accounts)
            self._loaded_stamp = None

    def _existing(self, name: str) -> Account:
        self._reload()
        if name not in self._accounts:
            raise InputError(f"no account {name!r}; `trackplan accounts list` shows them")
        return self._accounts[name]

    def _issue(self, name: str, workspace: str, scopes: tuple[str, ...], email: str | None) -> Issued:
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        account = Account(name, workspace, scopes, salt.hex(), _hash(secret, salt).hex(), email)
        self._save({**self._accounts, name: account})
        self._loaded_stamp = None
        return Issued(account, secret)

    # -- checking a request --------------------------------------------------------------------
    def verify(self, authorization: str | None) -> Account | None:
        """The account an `Authorization: Basic ...` value proves, or None for any failure."""
        credentials = _credentials(authorization)
        if credentials is None:
            return None
        name, secret = credentials
        digest = hmac.new(self._cache_key, f"{name}:{secret}".encode(), hashlib.sha256).digest()
        with self._lock:
            self._reload()
            account = self._accounts.get(name)
            passed = self._passed.get(digest)
        if account is not None and passed is not None and passed[1] > time.monotonic():
            return account
        salt, expected = (bytes.fromhex(account.salt), bytes.fromhex(account.hash)) if account else self._decoy
        # An unknown name pays the same scrypt as a wrong secret.
        if not hmac.compare_digest(_hash(secret, salt), expected) or account is None:
            return None
        with self._lock:
            self._passed[digest] = (name, time.monotonic() + _CACHE_SECONDS)
        return account


def _name(account: Account) -> str:
    return account.name


def _credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or len(authorization) > MAX_HEADER:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, colon, secret = decoded.partition(":")
    return (name, secret) if colon and name and secret else None
