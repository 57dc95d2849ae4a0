"""Sending mail with the standard library, configured by `TRACKPLAN_SMTP_URL`:

    smtp://user:password@mail.example.com:587/?from=trackplan@example.com   (STARTTLS when offered)
    smtps://user:password@mail.example.com:465/?from=trackplan@example.com  (TLS from the start)

User and password are percent-decoded; without `from`, mail comes from `trackplan@<host>`.
Every message is text plus HTML (multipart/alternative).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from trackplan.errors import InputError

SMTP_URL_ENV = "TRACKPLAN_SMTP_URL"
SCHEMES = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: bool  # smtps: TLS from the first byte
    sender: str
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    headers: tuple[tuple[str, str], ...] = ()


def smtp_config(url: str | None = None) -> SmtpConfig:
    """The SMTP server `url` (default `$TRACKPLAN_SMTP_URL`) names; InputError when unset or malformed."""
    url = os.environ.get(SMTP_URL_ENV, "") if url is None else url
    if not url:
        raise InputError(f"mail is not configured: set {SMTP_URL_ENV} (smtp://user:password@host:port/?from=...)")
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise InputError(f"{SMTP_URL_ENV}: expected smtp://host[:port] or smtps://host[:port], with user and password")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise InputError(f"{SMTP_URL_ENV}: the port is not a number") from None
    sender = parse_qs(parts.query).get("from", [f"trackplan@{parts.hostname}"])[0]
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        sender=sender,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def message(config: SmtpConfig, mail: Mail) -> EmailMessage:
    built = EmailMessage()
    built["From"] = config.sender
    built["To"] = mail.to
    built["Subject"] = mail.subject
    built["Date"] = formatdate(localtime=False, usegmt=True)
    built["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    for name, value in mail.headers:
        built[name] = value
    built.set_content(mail.text)
    built.add_alternative(mail.html, subtype="html")
    return built


def send(config: SmtpConfig, mails: Sequence[Mail]) -> int:
    """Send `mails` over one connection; the number sent. An OSError or SMTP error is an InputError."""
    if not mails:
        return 0
    context = ssl.create_default_context()
    try:
        with _connect(config, context) as server:
            if not config.tls and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            if config.user is not None:
                server.login(config.user, config.password or "")
            for mail in mails:
                server.send_message(message(config, mail))
    except (OSError, smtplib.SMTPException) as exc:
        raise InputError(f"cannot send mail through {config.host}:{config.port}: {exc}") from None
    return len(mails)


def _connect(config: SmtpConfig, context: ssl.SSLContext) -> smtplib.SMTP:
    if config.tls:
        return smtplib.SMTP_SSL(config.host, config.port, timeout=30, context=context)
    server = smtplib.SMTP(config.host, config.port, timeout=30)
    server.ehlo()
    return server
