"""atgrant.mail: every e-mail is sent by a task once the writing transaction commits."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase

from atgrant.mail import send_after_commit
from atgrant.tasks import send_email


def test_a_message_is_sent_after_commit_and_not_at_all_on_rollback(db):
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_after_commit(subject="Ämne\n på två rader", body="Text", to=["a@x.se", ""])
        assert mail.outbox == []
    [message] = mail.outbox
    assert (message.subject, message.to) == ("Ämne på två rader", ["a@x.se"])
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_after_commit(subject="S", body="B", to=["b@x.se"])
            raise RuntimeError
    assert queued == [] and len(mail.outbox) == 1


def test_no_recipient_queues_nothing(db):
    with TestCase.captureOnCommitCallbacks() as queued:
        send_after_commit(subject="S", body="B", to=["", ""])
    assert queued == []


def test_a_refused_mail_server_is_tried_again(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    real_send = mail.EmailMessage.send
    calls = []

    def flaky(self, fail_silently=False):  # noqa: ANN001, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("down")
        return real_send(self, fail_silently=fail_silently)

    with mock.patch.object(mail.EmailMessage, "send", flaky):
        result = send_email.apply(
            kwargs={"subject": "S", "body": "B", "to": ["c@x.se"]}, throw=False
        )
    assert result.successful()
    assert len(calls) == 2 and [m.to for m in mail.outbox] == [["c@x.se"]]
