"""Fixtures of the registry tests: an SMTP server that fails on demand, and a quick letter."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend


class FlakySmtpBackend(EmailBackend):
    """locmem, but an address in `failures` is refused that many times first (as an SMTP
    server that drops the connection); -1 refuses it for ever."""

    failures: dict[str, int] = {}

    def send_messages(self, messages):  # noqa: ANN001, ANN201
        for message in messages:
            for address in message.to:
                left = self.failures.get(address, 0)
                if left:
                    self.failures[address] = left - 1 if left > 0 else left
                    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    """`flaky_smtp[address] = n`: the next n sends to `address` fail."""
    settings.EMAIL_BACKEND = "tests.registry.conftest.FlakySmtpBackend"
    FlakySmtpBackend.failures = {}
    yield FlakySmtpBackend.failures
    FlakySmtpBackend.failures = {}


@pytest.fixture
def quick_letters(monkeypatch):
    """A stand-in PDF for the letter: WeasyPrint takes a good part of a second per letter."""
    monkeypatch.setattr(
        "allocation.letters.decision_letter_pdf", lambda decision, **kw: b"%PDF-1.7 test"
    )
