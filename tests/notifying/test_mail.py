"""TRACKPLAN_SMTP_URL: the scheme picks TLS, user and password are percent-decoded."""

from __future__ import annotations

import pytest

from trackplan.errors import InputError
from trackplan.notifying.mail import SmtpConfig, smtp_config


def test_smtp_urls_name_the_server_the_credentials_and_the_sender() -> None:
    assert smtp_config("smtps://digest%40acme.com:p%3Ass@mail.acme.com/?from=plans@acme.com") == SmtpConfig(
        "mail.acme.com", 465, True, "plans@acme.com", "digest@acme.com", "p:ss"
    )
    assert smtp_config("smtp://mail.acme.com:587") == SmtpConfig("mail.acme.com", 587, False, "trackplan@mail.acme.com")


@pytest.mark.parametrize("url", ["", "http://mail.acme.com", "smtp://", "smtp://mail.acme.com:port"])
def test_a_missing_or_malformed_url_is_one_line(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKPLAN_SMTP_URL", raising=False)
    with pytest.raises(InputError, match="TRACKPLAN_SMTP_URL"):
        smtp_config(url or None)
