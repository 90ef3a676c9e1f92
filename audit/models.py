from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an append-only record (an audit event, a
    submitted report version, a registry entry, a sent e-mail) through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes never change or delete a row of an append-only model."""

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnlyModel(models.Model):
    """A record written once and never changed or deleted through the ORM (AppendOnlyError);
    each such table also has database triggers that refuse UPDATE and DELETE (its app's
    migrations)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class AuditEvent(AppendOnlyModel):
    """One write of the application: who did what to which object, and the values before and after.

    Append-only: the application never updates or deletes an event.
    """

    created_at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utförd av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("utförare"), max_length=254, blank=True)
    action = models.CharField(_("händelse"), max_length=64, db_index=True)
    object_type = models.CharField(_("objekttyp"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    object_repr = models.CharField(_("objekt"), max_length=255, blank=True)
    round_id = models.BigIntegerField(_("omgång"), null=True, blank=True, db_index=True)
    region_id = models.BigIntegerField(_("region"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("före"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("efter"), null=True, blank=True, encoder=DjangoJSONEncoder)
    message = models.TextField(_("beskrivning"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)

    # On PostgreSQL a trigger refuses UPDATE and DELETE too (allocation's migrations).

    class Meta:
        verbose_name = _("granskningshändelse")
        verbose_name_plural = _("granskningshändelser")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
