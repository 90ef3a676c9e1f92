from __future__ import annotations

from django.apps import AppConfig


class AtgrantConfig(AppConfig):
    name = "atgrant"
    verbose_name = "atgrant"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from atgrant import checks  # noqa: F401  (registers the system checks)
        from atgrant.email_address import canonicalise_user_email
        from regions.models import ColleagueInvitation

        # Every model whose `email` names a person who logs in, or will (an invitation).
        for model in (get_user_model(), EmailAddress, ColleagueInvitation):
            pre_save.connect(
                canonicalise_user_email,
                sender=model,
                dispatch_uid=f"atgrant_canonical_email_{model._meta.label_lower}",
            )
