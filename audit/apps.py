from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Granskningslogg")

    def ready(self) -> None:
        from audit import signals  # noqa: F401  (connects the authentication receivers)
