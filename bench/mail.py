"""The Celery worker's e-mail backend in the bench: each message is built as for sending (its
MIME bytes, attachments and all, as Django's locmem backend does) and counted as one line in
the file ``BENCH_MAIL_LOG`` (appended, so the worker's processes can share it)."""

from __future__ import annotations

import os

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:  # noqa: ANN001
        lines = []
        for message in email_messages:
            size = len(message.message().as_bytes())
            lines.append(f"{message.subject}\t{','.join(message.to)}\t{size}\n")
        with open(os.environ["BENCH_MAIL_LOG"], "a", encoding="utf-8") as log:  # noqa: PTH123
            log.write("".join(lines))
        return len(lines)
