from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from allocation.engine import reported_posts_of
from atgrant.forms import date_range
from atgrant.jsonfields import OrderedJSONField
from audit.models import AppendOnlyModel
from regions.models import Region

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def default_deadline(year: int) -> dt.datetime:
    """1 November of the round year, the whole day, Europe/Stockholm."""
    return dt.datetime(year, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)


def parse_reminder_days(text: str) -> list[int]:
    """ "14,3" -> [14, 3]: whole days before the deadline, largest first; raises ValueError."""
    days = sorted({int(part) for part in text.replace(" ", "").split(",") if part}, reverse=True)
    if any(day < 1 or day > 365 for day in days):
        raise ValueError(text)
    return days


def validate_reminder_days(value: str) -> None:
    try:
        parse_reminder_days(value)
    except ValueError:
        raise ValidationError(
            _("Ange hela dagar mellan 1 och 365, åtskilda med kommatecken, t.ex. 14,3."),
            code="invalid",
        ) from None


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    OPEN = "open", _("Öppen")
    CLOSED = "closed", _("Stängd")
    ALLOCATED = "allocated", _("Fördelad")
    DECIDED = "decided", _("Beslutad")


class GrantRound(models.Model):
    """One year's call (utlysning): its allocation model (budgets and blocks), opening date
    and deadline."""

    name = models.CharField(_("namn"), max_length=200)
    # The admin's form edits these: dates a person can mean (atgrant.forms.DATE_MIN..MAX).
    year = models.PositiveSmallIntegerField(_("år"), validators=[date_range])
    slug = models.SlugField(_("kortnamn i adresser"), unique=True)
    opens_at = models.DateTimeField(_("öppnar"), validators=[date_range])
    deadline = models.DateTimeField(
        _("sista dag för inrapportering"),
        blank=True,
        validators=[date_range],
        help_text=_("Lämnas tom blir det 1 november kl. 23:59:59 svensk tid det året."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    population_date = models.DateField(_("befolkningsdatum"), validators=[date_range])
    # The round's allocation model (RULES.md, format 1): values, totals and blocks, as data,
    # and the only source of the round's budgets. Read and checked by
    # allocation.allocmodel.AllocationModel.from_json; empty ({}) until an officer writes it.
    model = OrderedJSONField(_("fördelningsmodell"), default=dict, blank=True)
    legal_basis = models.TextField(_("grund för beslutet"), blank=True)
    # The decision record (förvaltningslagen 31-33 §§); see allocation/services/record.py.
    government_decision = models.CharField(
        _("regeringsbeslut"),
        max_length=300,
        blank=True,
        help_text=_(
            "Fullständig hänvisning som i beslutet: rubrik, datum och diarienummer (t.ex. S2024/…)."
        ),
    )
    appealable = models.BooleanField(
        _("besluten får överklagas"),
        default=True,
        help_text=_("Avgörs av bidragets egna regler; många förordningar förbjuder överklagande."),
    )
    no_appeal_reason = models.TextField(
        _("skäl till att besluten inte får överklagas"),
        blank=True,
        help_text=_(
            "Krävs om besluten inte får överklagas, t.ex. den bestämmelse som förbjuder det."
        ),
    )
    single_officer_allowed = models.BooleanField(
        _("en handläggare får både föredra och besluta"),
        default=False,
        help_text=_("Annars ska föredragande och beslutande vara två olika handläggare."),
    )
    # When the round was closed (at the deadline or by an officer): the pages show this, and
    # no longer an extension that closing ended; the earliest allowed decision date.
    closed_at = models.DateTimeField(_("stängd"), null=True, blank=True)
    reminder_days = models.CharField(
        _("påminnelser (dagar före sista dag)"),
        max_length=50,
        default="14,3",
        validators=[validate_reminder_days],
        help_text=_(
            "Hur många dagar före sista dag regioner som inte har rapporterat påminns, "
            "t.ex. 14,3. Lämnas tom skickas inga påminnelser."
        ),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("bidragsomgång")
        verbose_name_plural = _("bidragsomgångar")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("opens_at")),
                name="round_deadline_after_opening",
            ),
            # A decision that may not be appealed says why (förvaltningslagen 33 §).
            models.CheckConstraint(
                condition=models.Q(appealable=True) | ~models.Q(no_appeal_reason=""),
                name="round_no_appeal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if self.deadline is None and self.year:
            self.deadline = default_deadline(self.year)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not self.appealable and not self.no_appeal_reason.strip():
            raise ValidationError(
                {
                    "no_appeal_reason": _(
                        "Ange varför besluten inte får överklagas, t.ex. den bestämmelse som "
                        "förbjuder det."
                    )
                }
            )

    @property
    def status_label(self) -> str:
        """The status in the active language. Django's get_status_display translates every
        choice of the field to find one, which shows in a list of rounds."""
        return str(RoundStatus(self.status).label)

    @property
    def model_blocks(self) -> list[dict]:
        """The blocks of the round's model as written (RULES.md: each a dict with ``id``,
        ``name``, ``budget`` in kronor, ...); [] for a round without a model."""
        document = self.model if isinstance(self.model, dict) else {}
        blocks = document.get("blocks")
        return [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []

    @property
    def total_budget(self) -> int:
        """Kronor: the sum of the model's block budgets; 0 for a round without a model. The
        model is checked when it is written (the model editor, the admin), so a budget is a
        whole number >= 0; anything else counts 0 rather than break a list of rounds."""
        return sum(
            b["budget"]
            for b in self.model_blocks
            if isinstance(b.get("budget"), int) and not isinstance(b.get("budget"), bool)
        )

    @property
    def extensions_open(self) -> bool:
        """Whether a region's deadline may still be extended: while the round is a draft or
        open (services.deadline_extension_grant)."""
        return self.status in (RoundStatus.DRAFT, RoundStatus.OPEN)

    def deadline_passed(self, when: dt.datetime, extended_until: dt.datetime | None = None) -> bool:
        """Whether `when` is after the deadline (or the region's extension).

        Compared to the whole second: 23:59:59.900 is still 23:59:59 and so on time.
        """
        limit = max(self.deadline, extended_until) if extended_until else self.deadline
        return when.replace(microsecond=0) > limit


class RoundBaseline(models.Model):
    """A region's population and plan for a round: the fixed inputs of the allocation."""

    round = models.ForeignKey(
        GrantRound, on_delete=models.CASCADE, related_name="baselines", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="baselines", verbose_name=_("region")
    )
    # Either may be missing while a round is prepared: the population and the plan come from
    # separate imports (submissions.baselines); a run refuses a region without both.
    population = models.PositiveBigIntegerField(_("befolkningsmängd"), null=True, blank=True)
    plan_text = models.CharField(
        _("planeringsunderlag (som skrivet)"),
        max_length=50,
        blank=True,
        help_text=_('Som i bilaga 2, t.ex. "280", "84-89" eller "46 (ev. 48)".'),
    )
    plan_low = models.DecimalField(
        _("plan, undre gräns"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    plan_high = models.DecimalField(
        _("plan, övre gräns"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("planeringsunderlag och befolkning")
        verbose_name_plural = _("planeringsunderlag och befolkning")
        ordering = ["round", "region__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="baseline_unique_per_round"),
            models.CheckConstraint(
                condition=models.Q(population__gt=0), name="baseline_population_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(plan_low__gte=0), name="baseline_plan_low_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(plan_low__lte=models.F("plan_high")),
                name="baseline_plan_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(plan_low__isnull=True, plan_high__isnull=True)
                | models.Q(plan_low__isnull=False, plan_high__isnull=False),
                name="baseline_plan_bounds_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name}: {self.plan_text}"

    @property
    def has_plan(self) -> bool:
        return self.plan_low is not None

    @property
    def complete(self) -> bool:
        """Both the population and the plan are known: the allocation can use the region."""
        return self.population is not None and self.has_plan

    @property
    def planned(self) -> Decimal | None:
        if not self.has_plan:
            return None
        return (self.plan_low + self.plan_high) / 2

    @property
    def plan_is_range(self) -> bool:
        return self.has_plan and self.plan_low != self.plan_high


# What a region writes into its report; a submitted version freezes the same fields.
# The figures (either may be empty: NULL) and the texts (blank at most, never NULL).
REPORT_POSTS_FIELDS = ("filled_posts", "started_posts")
REPORT_TEXT_FIELDS = ("contact_name", "contact_email", "contact_phone", "comment")
REPORT_FIELDS = (*REPORT_POSTS_FIELDS, *REPORT_TEXT_FIELDS)


class ReportQuerySet(models.QuerySet):
    def with_unsent_changes(self) -> ReportQuerySet:
        """Annotate ``unsent_changes`` (bool): Report.differs_from in SQL."""
        return self.annotate(
            unsent_changes=ExpressionWrapper(has_unsent_changes(), output_field=BooleanField())
        )


def has_unsent_changes(prefix: str = "") -> Q:
    """Report.differs_from as a condition on a report, ``prefix`` the path to it from the
    query's model (``"reports__"`` from a round): written (revision above 0) and either never
    sent in or not what its latest version (``latest_version``, joined) says."""
    # The posts may be NULL on both sides: compared through a value no count can have.
    same = Q(
        *(
            Exact(Coalesce(f"{prefix}latest_version__{name}", -1), Coalesce(f"{prefix}{name}", -1))
            for name in REPORT_POSTS_FIELDS
        ),
        **{f"{prefix}latest_version__{name}": F(f"{prefix}{name}") for name in REPORT_TEXT_FIELDS},
    )
    return Q(**{f"{prefix}revision__gt": 0}) & (
        Q(**{f"{prefix}latest_version__isnull": True}) | ~same
    )


class Report(models.Model):
    """A region's report (inrapportering) for a round, also its application: one per region, round.

    The row holds the working copy (a draft that colleagues and the proxy edit); every
    submission freezes a ReportVersion, and the latest version is the one that counts.
    """

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="reports", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="reports", verbose_name=_("region")
    )
    filled_posts = models.PositiveIntegerField(_("tillsatta AT-tjänster"), null=True, blank=True)
    started_posts = models.PositiveIntegerField(_("påbörjade AT-tjänster"), null=True, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("kontaktpersonens e-post"), blank=True)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=50, blank=True)
    comment = models.TextField(_("kommentar"), blank=True, max_length=4000)
    # Optimistic locking: a save must name the revision it was edited from.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("senast ändrad av"),
    )
    locked_at = models.DateTimeField(_("låst"), null=True, blank=True)
    # The latest submitted version, the one that counts (DOMAIN.md): kept by
    # ReportVersion.save in the version's own transaction, so that a list of reports reads
    # it with a join, not by looking for the highest number among each report's versions.
    latest_version = models.ForeignKey(
        "ReportVersion",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("senast inskickad version"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("inrapportering")
        verbose_name_plural = _("inrapporteringar")
        ordering = ["round", "region__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="report_unique_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} – {self.round.name}"

    def differs_from(self, version: ReportVersion | None) -> bool:
        """Whether the working copy holds changes that are not sent in (a draft): it has been
        written and is not what its latest submitted version (``version``, or None) says.

        The latest submitted version is what counts (DOMAIN.md); a draft never does.
        ReportQuerySet.with_unsent_changes is the same rule in SQL.
        """
        if self.revision == 0:
            return False
        if version is None:
            return True
        return any(getattr(version, f) != getattr(self, f) for f in REPORT_FIELDS)


class ReportVersion(AppendOnlyModel):
    """A submitted version of a report, frozen: the receipt (kvittens) is built from it.

    Append-only: a correction is a new version. The ORM refuses to change or delete one
    (``AppendOnlyError``); triggers refuse UPDATE, DELETE and TRUNCATE in the database too
    (migration 0003, on PostgreSQL and SQLite).
    """

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("inrapportering")
    )
    number = models.PositiveIntegerField(_("version"))
    reference = models.CharField(_("referensnummer"), max_length=40, unique=True)
    filled_posts = models.PositiveIntegerField(_("tillsatta AT-tjänster"), null=True, blank=True)
    started_posts = models.PositiveIntegerField(_("påbörjade AT-tjänster"), null=True, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("kontaktpersonens e-post"), blank=True)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=50, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    submitted_at = models.DateTimeField(_("inskickad"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inskickad av"),
    )

    class Meta:
        verbose_name = _("inskickad version")
        verbose_name_plural = _("inskickade versioner")
        ordering = ["report", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(filled_posts__isnull=False)
                | models.Q(started_posts__isnull=False),
                name="version_has_posts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} (v{self.number})"

    def save(self, *args: object, **kwargs: object) -> None:
        """Insert the version and make it its report's ``latest_version`` if no later one
        is there, both or neither (the numbers grow: report_submit gives the next one)."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            Report.objects.filter(pk=self.report_id).filter(
                Q(latest_version__isnull=True) | Q(latest_version__number__lt=self.number)
            ).update(latest_version=self)

    @property
    def posts(self) -> int:
        """The higher of filled and started posts (either may be missing)."""
        return reported_posts_of(self.filled_posts, self.started_posts)


class DeadlineExtensionQuerySet(models.QuerySet):
    def latest_by_pair(self) -> dict[tuple[int, int], DeadlineExtension]:
        """The extension that counts for each (round id, region id): the latest granted (one
        query; an officer may grant a region several, each replacing the one before)."""
        latest = {}
        for extension in self.order_by("granted_at", "pk"):
            latest[(extension.round_id, extension.region_id)] = extension
        return latest


class DeadlineExtension(models.Model):
    """An officer's dated extension of the deadline for one region, with its reason."""

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("region")
    )
    until = models.DateTimeField(_("förlängd till"))
    reason = models.TextField(_("skäl"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beviljad av"),
    )
    granted_at = models.DateTimeField(_("beviljad"), auto_now_add=True)

    objects = DeadlineExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("förlängd svarstid")
        verbose_name_plural = _("förlängda svarstider")
        ordering = ["round", "region", "-granted_at"]

    def __str__(self) -> str:
        # Stockholm's time, as the officer typed it (the history shows this text as it is).
        return f"{self.region.name} → {self.until.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"
        return f"{self.region.short_name} → {self.until.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"


class ImportKind(models.TextChoices):
    POPULATION = "population", _("Befolkning")
    PLAN = "plan", _("Planeringsunderlag")


class ImportSource(models.TextChoices):
    SCB_API = "scb_api", _("SCB:s API (PxWeb, JSON)")
    SCB_JSON = "scb_json", _("Fil i SCB:s JSON-format")
    SCB_CSV = "scb_csv", _("CSV-fil från SCB")
    PLAN_CSV = "plan_csv", _("CSV-fil med planeringsunderlag")


def _import_path(instance: BaselineImport, filename: str) -> str:
    # Never the uploaded name (it may hold anything); the original name is kept in a field.
    return f"baseline-imports/{instance.round_id}/{uuid.uuid4().hex}"


class BaselineImport(models.Model):
    """One imported file of population figures or plans for a round, kept as it was received.

    Staged first (parsed, shown to the officer beside the previous round's figures), then
    applied to the round's baselines on confirmation; ``applied_at`` null means not (yet)
    applied. ``figures`` is what the file said, per county code: population as an integer,
    a plan as its text.
    """

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="imports", verbose_name=_("omgång")
    )
    kind = models.CharField(_("innehåll"), max_length=16, choices=ImportKind.choices)
    source = models.CharField(_("källa"), max_length=16, choices=ImportSource.choices)
    file = models.FileField(_("fil"), upload_to=_import_path)
    original_name = models.CharField(_("filnamn"), max_length=255)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    population_year = models.PositiveSmallIntegerField(
        _("befolkning per 1 november år"), null=True, blank=True
    )
    figures = models.JSONField(_("uppgifter per länskod"))
    imported_at = models.DateTimeField(_("importerad"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("importerad av"),
        help_text=_("Tom när filen importerades med ett kommando på servern."),
    )
    applied_at = models.DateTimeField(_("införd i omgången"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("införd av"),
    )

    class Meta:
        verbose_name = _("import av befolkning eller planeringsunderlag")
        verbose_name_plural = _("importer av befolkning och planeringsunderlag")
        ordering = ["round", "-imported_at"]

    def __str__(self) -> str:
        return f"{self.round.name}: {self.get_kind_display()} ({self.original_name})"


class Reminder(models.Model):
    """A reminder sent to a region that had not reported, N days before the deadline.

    The unique constraint makes each (round, region, days) reminder go out at most once: the
    beat task claims it by inserting this row in the same transaction that queues the e-mail.
    """

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("region")
    )
    days_before = models.PositiveSmallIntegerField(_("dagar före sista dag"))
    due_on = models.DateField(_("skulle skickas"))
    sent_at = models.DateTimeField(_("skickad"), auto_now_add=True)
    recipients = models.JSONField(_("mottagare"), default=list)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        ordering = ["round", "region", "-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "region", "days_before"], name="reminder_once_per_round_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.short_name}: {self.days_before} d ({self.round.name})"
