"""E-mail, one way for every app: the subject and body are rendered where the data is, in the
writing transaction, and a Celery task sends them once that transaction commits (never before:
a rolled-back write sends nothing; never in the request: no request waits for a mail server).
The task retries when the mail server fails."""

from __future__ import annotations

from collections.abc import Iterable


def send_after_commit(*, subject: str, body: str, to: Iterable[str]) -> None:
    """Queue one message to ``to`` (empty addresses dropped; none left: nothing is queued)."""
    from atgrant.tasks import send_email

    recipients = [address for address in to if address]
    if recipients:
        send_email.delay_on_commit(subject=" ".join(subject.split()), body=body, to=recipients)
