"""The request id in every log record.

`RequestIdMiddleware` puts the id of the current request into `request_id_var` (a context
variable, so threads and async tasks each see their own); `RequestIdFilter`, attached to the
console handler in settings.LOGGING, copies it onto every record as `request_id`.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

NO_REQUEST = "-"

request_id_var: ContextVar[str] = ContextVar("atgrant_request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id`: the id of the request being served, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


@receiver(request_finished, dispatch_uid="atgrant_request_id_reset")
def _forget_request_id(sender, **kwargs) -> None:
    request_id_var.set(NO_REQUEST)
