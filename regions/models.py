from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from atgrant.email_address import canonical_email
from regions.collation import region_sort_key
from regions.validators import normalise_organisation_number, validate_organisation_number


class Region(models.Model):
    """One of the 21 regions that can take part in the grant."""

    code = models.CharField(
        _("länskod"),
        max_length=2,
        unique=True,
        help_text=_("Tvåsiffrig länskod, t.ex. 10 för Blekinge."),
    )
    name = models.CharField(_("officiellt namn"), max_length=100, unique=True)
    short_name = models.CharField(
        _("kortnamn"),
        max_length=50,
        unique=True,
        help_text=_("Namnet i myndighetens tabeller, t.ex. Blekinge."),
    )
    # Swedish alphabetical order of the name without "Region" (regions.collation), kept by
    # save(): lists order and page by it in the database (Västra Götalandsregionen under V,
    # Region Örebro län after it). bulk_create() skips save(): set it there yourself.
    sort_key = models.CharField(max_length=200, editable=False, default="", db_index=True)
    registry_email = models.EmailField(
        _("registraturens e-post"),
        blank=True,
        help_text=_(
            "Regionens officiella brevlåda, t.ex. registrator@regionblekinge.se. "
            "Beslut skickas hit och till regionens ombud."
        ),
    )

    # Stored as NNNNNN-NNNN (regions.validators); empty until an officer enters it.
    organisation_number = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        blank=True,
        validators=[validate_organisation_number],
        help_text=_("Tio siffror, t.ex. 232100-0081."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regioner")
        ordering = ["sort_key", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{2}$"), name="region_code_two_digits"
            ),
            models.UniqueConstraint(
                fields=["organisation_number"],
                condition=~models.Q(organisation_number=""),
                name="region_organisation_number_unique",
                violation_error_message=_("En annan region har redan det organisationsnumret."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_key = region_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The official mailbox in the one stored form of an address (atgrant.email_address).
        self.registry_email = canonical_email(self.registry_email)
        # Typed with or without the hyphen (or the century prefix 16): kept in one form.
        try:
            self.organisation_number = normalise_organisation_number(self.organisation_number)
        except ValidationError as exc:
            raise ValidationError({"organisation_number": exc.messages}) from None


class ProxyBasis(models.TextChoices):
    SIGNATORY = "signatory", _("Jag är behörig företrädare för regionen")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Jag har fullmakt från behörig företrädare")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Inskickad")
    COMPLETION_REQUESTED = "completion_requested", _("Komplettering begärd")
    APPROVED = "approved", _("Beviljad")
    REJECTED = "rejected", _("Avslagen")


class ProxyApplication(models.Model):
    """An application to become a region's proxy (ombudsansökan), with its power of attorney."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proxy_applications",
        verbose_name=_("sökande"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="proxy_applications",
        verbose_name=_("region"),
    )
    full_name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("roll i regionen"), max_length=200)
    phone = models.CharField(_("telefon"), max_length=50, blank=True)
    basis = models.CharField(_("behörighet"), max_length=32, choices=ProxyBasis.choices)
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    officer_message = models.TextField(
        _("meddelande från handläggaren"),
        blank=True,
        help_text=_("Den senaste begäran om komplettering eller skälet till avslag."),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("ombudsansökan")
        verbose_name_plural = _("ombudsansökningar")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "region"],
                condition=models.Q(
                    status__in=[
                        ApplicationStatus.SUBMITTED,
                        ApplicationStatus.COMPLETION_REQUESTED,
                    ]
                ),
                name="one_pending_proxy_application_per_applicant_and_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.region.name}"

    @property
    def is_pending(self) -> bool:
        return self.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.COMPLETION_REQUESTED)


def _document_path(instance: ProxyDocument, filename: str) -> str:
    # Never the uploaded name: it may hold anything. The original name is kept in a field.
    return f"proxy-documents/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class ProxyDocument(models.Model):
    """A power of attorney or delegation document (PDF) attached to an application."""

    application = models.ForeignKey(
        ProxyApplication,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("ansökan"),
    )
    file = models.FileField(_("fil"), upload_to=_document_path)
    original_name = models.CharField(_("filnamn"), max_length=255)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    uploaded_at = models.DateTimeField(_("uppladdad"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("av")
    )

    class Meta:
        verbose_name = _("fullmakt")
        verbose_name_plural = _("fullmakter")
        ordering = ["application", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationEvent(models.Model):
    """One dated, attributed step of an application: submitted, completion asked, approved..."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Ansökan inskickad")
        COMPLETION_REQUESTED = "completion_requested", _("Komplettering begärd")
        RESUBMITTED = "resubmitted", _("Komplettering inskickad")
        APPROVED = "approved", _("Beviljad")
        REJECTED = "rejected", _("Avslagen")

    application = models.ForeignKey(
        ProxyApplication, on_delete=models.PROTECT, related_name="events", verbose_name=_("ansökan")
    )
    kind = models.CharField(_("händelse"), max_length=32, choices=Kind.choices)
    message = models.TextField(_("meddelande"), blank=True)
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("av")
    )

    class Meta:
        verbose_name = _("händelse i ombudsansökan")
        verbose_name_plural = _("händelser i ombudsansökningar")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ProxyAppointment(models.Model):
    """A region's proxy: exactly one active (ended_at null) per region; earlier ones are kept."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="proxy_appointments",
        verbose_name=_("region"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proxy_appointments",
        verbose_name=_("ombud"),
    )
    application = models.OneToOneField(
        ProxyApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointment",
        verbose_name=_("ansökan"),
    )
    appointed_at = models.DateTimeField(_("utsedd"), auto_now_add=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beviljad av"),
    )
    ended_at = models.DateTimeField(_("upphörde"), null=True, blank=True)
    ended_reason = models.CharField(
        _("skäl till att uppdraget upphörde"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("ombud")
        verbose_name_plural = _("ombud")
        ordering = ["region", "-appointed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_proxy_per_region",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ended_at__isnull=True),
                name="proxy_of_one_region_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.region.name}"


class ColleagueInvitation(models.Model):
    """An e-mailed invitation from a proxy to a colleague; the link expires."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("region")
    )
    email = models.EmailField(_("e-post"))
    token = models.CharField(_("kod"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("av")
    )
    created_at = models.DateTimeField(_("skickad"), auto_now_add=True)
    expires_at = models.DateTimeField(_("giltig till"))
    accepted_at = models.DateTimeField(_("accepterad"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepterad av"),
    )
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("återkallad av"),
    )

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} – {self.region.name}"

    def is_usable(self, now: datetime.datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at

    def is_expired(self, now: datetime.datetime) -> bool:
        return now >= self.expires_at


class Colleague(models.Model):
    """A colleague of a region: prepares the report, cannot submit it."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="colleagues", verbose_name=_("region")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="colleague_memberships",
        verbose_name=_("användare"),
    )
    invitation = models.OneToOneField(
        ColleagueInvitation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="colleague",
        verbose_name=_("inbjudan"),
    )
    added_at = models.DateTimeField(_("tillagd"), auto_now_add=True)
    removed_at = models.DateTimeField(_("borttagen"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("borttagen av"),
    )

    class Meta:
        verbose_name = _("kollega")
        verbose_name_plural = _("kollegor")
        ordering = ["region", "-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_colleague_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.region.name}"
