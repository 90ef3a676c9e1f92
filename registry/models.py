"""The registry (diarium) and the delivery of outgoing decisions.

Every public document the agency receives or draws up is registered without delay with a
date, a case number, the sender or recipient and a short description (offentlighets- och
sekretesslagen 2009:400, 5 kap. 1 §). Entries are append-only, like the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.models import AppendOnlyModel


class Direction(models.TextChoices):
    INCOMING = "in", _("Inkommande")
    OUTGOING = "out", _("Utgående")


class DocumentKind(models.TextChoices):
    PROXY_APPLICATION = "proxy_application", _("Ombudsansökan")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Fullmakt")
    COMPLETION = "completion", _("Komplettering")
    COMPLETION_REQUEST = "completion_request", _("Begäran om komplettering")
    PROXY_DECISION = "proxy_decision", _("Beslut om ombud")
    REPORT_VERSION = "report_version", _("Inrapportering")
    DECISION = "decision", _("Beslut om statsbidrag")
    RECONSIDERATION = "reconsideration", _("Omprövningsbeslut")
    ROUND_OPENING = "round_opening", _("Meddelande om öppnad omgång")
    REPORT_REMINDER = "report_reminder", _("Påminnelse om inrapportering")


class CaseSerial(models.Model):
    """The last serial handed out in a year: one row per year, raised by a single UPDATE so
    that two registrations at once never get the same number (the row lock orders them)."""

    year = models.PositiveIntegerField(_("år"), primary_key=True)
    last = models.PositiveIntegerField(_("senaste löpnummer"), default=0)

    class Meta:
        verbose_name = _("löpnummerserie")
        verbose_name_plural = _("löpnummerserier")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class RegistryEntry(AppendOnlyModel):
    """One registered document: its case number (diarienummer), date, direction, party,
    description and the object it is in the e-service."""

    case_number = models.CharField(_("diarienummer"), max_length=40, unique=True)
    year = models.PositiveIntegerField(_("år"))
    serial = models.PositiveIntegerField(_("löpnummer"))
    registered_at = models.DateTimeField(_("registrerad"), db_index=True)
    document_date = models.DateField(_("datum"))
    direction = models.CharField(_("riktning"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("handlingstyp"), max_length=32, choices=DocumentKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registry_entries",
        verbose_name=_("region"),
    )
    party = models.CharField(_("avsändare eller mottagare"), max_length=300)
    description = models.CharField(_("beskrivning"), max_length=500)
    round = models.ForeignKey(
        "submissions.GrantRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("omgång"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("objekttyp")
    )
    object_id = models.PositiveBigIntegerField(_("objekt-id"))
    document = GenericForeignKey("content_type", "object_id")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )

    class Meta:
        verbose_name = _("diarieförd handling")
        verbose_name_plural = _("diariet")
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="registry_serial_per_year"),
            # A document is registered once (as each kind it is).
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"], name="registry_document_once"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.case_number} {self.description}"


class SentMessage(AppendOnlyModel):
    """An e-mail the agency drew up and sent, as it was sent: the registered outgoing document
    (registry.messages says which e-mails are). Its kind is the registry's document type; the
    round, region and proxy application it concerns are kept where it has them. Written in the
    transaction of the action that sends it, and never changed; the mail goes after the commit
    with exactly this subject and body.

    A round's opening e-mail goes to a region once (the constraint; a round opens once)."""

    kind = models.CharField(_("handlingstyp"), max_length=32, choices=DocumentKind.choices)
    round = models.ForeignKey(
        "submissions.GrantRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("omgång"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    application = models.ForeignKey(
        "regions.ProxyApplication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ombudsansökan"),
    )
    recipients = models.JSONField(_("mottagare"), default=list)
    subject = models.CharField(_("ämne"), max_length=300)
    body = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("skickat"), auto_now_add=True)

    class Meta:
        verbose_name = _("skickat e-postmeddelande")
        verbose_name_plural = _("skickade e-postmeddelanden")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "region"],
                condition=models.Q(kind="round_opening"),
                name="sent_opening_once_per_round_region",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Köad")
    SENDING = "sending", _("Skickas")
    RETRYING = "retrying", _("Misslyckades, nytt försök kommer")
    SENT = "sent", _("Skickad")
    FAILED = "failed", _("Misslyckades")


class RecipientKind(models.TextChoices):
    PROXY = "proxy", _("Ombud")
    REGISTRY = "registry", _("Regionens registratur")


class DecisionDelivery(models.Model):
    """One e-mail of a decision to one recipient: to whom, when, how it went."""

    decision = models.ForeignKey(
        "allocation.Decision",
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("beslut"),
    )
    recipient_kind = models.CharField(_("mottagare"), max_length=16, choices=RecipientKind.choices)
    email = models.EmailField(_("e-post"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("försök"), default=0)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("senaste försök"), null=True, blank=True)
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    last_error = models.TextField(_("senaste fel"), blank=True)

    class Meta:
        verbose_name = _("utskick av beslut")
        verbose_name_plural = _("utskick av beslut")
        ordering = ["decision", "recipient_kind", "email"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "email"], name="delivery_once_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.email} ({self.get_status_display()})"

    @property
    def delivered(self) -> bool:
        return self.status == DeliveryStatus.SENT
