"""Allocation records: deductions, officer-entered values, runs, decisions and their hash chain.

Runs and decisions are append-only records (see ``ImmutableError``): the ORM refuses to
change or delete an issued decision or a finished run, and on PostgreSQL a trigger (see
migration 0002) refuses it in the database too.

JSON values (``AllocationRun.snapshot``/``result``, ``Decision.explanation``): kronor and
post counts are JSON integers; every exact rational value (plan bounds, planned, increase,
rate, exact amounts, the steps' scale) is the text of a ``Fraction``: ``"173/2"`` or ``"86"``
(see allocation/snapshot.py). Never a float.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atgrant.jsonfields import OrderedJSONField
from regions.models import Region
from submissions.models import GrantRound


class ImmutableError(Exception):
    """An attempt to change or delete an append-only record."""


# --- officer's inputs -----------------------------------------------------------------------


class Deduction(models.Model):
    """Posts already paid by an earlier round's grant, deducted from a region's posts."""

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="deductions", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="deductions", verbose_name=_("region")
    )
    posts = models.PositiveIntegerField(_("avräknade tjänster"))
    reason = models.TextField(_("skäl"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("avräkning")
        verbose_name_plural = _("avräkningar")
        ordering = ["round", "region__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="deduction_unique_per_round"),
            models.CheckConstraint(
                condition=models.Q(posts__gt=0), name="deduction_posts_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="deduction_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name}: −{self.posts}"


class PostsOverride(models.Model):
    """An officer-entered value replacing a region's submitted filled/started posts in the run."""

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="overrides", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="overrides", verbose_name=_("region")
    )
    filled_posts = models.PositiveIntegerField(_("tillsatta AT-tjänster"), null=True, blank=True)
    started_posts = models.PositiveIntegerField(_("påbörjade AT-tjänster"), null=True, blank=True)
    reason = models.TextField(_("skäl"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("handläggarens värde")
        verbose_name_plural = _("handläggarens värden")
        ordering = ["round", "region__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region"], name="override_unique_per_round"),
            models.CheckConstraint(
                condition=models.Q(filled_posts__isnull=False)
                | models.Q(started_posts__isnull=False),
                name="override_has_posts",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.region.name}: {self.filled_posts}/{self.started_posts}"


# --- the round's model: test cases ----------------------------------------------------------


class ModelTestCase(models.Model):
    """A test case (kontrollfall) of a round's allocation model: example inputs and the amounts
    the officer expects the model to pay them (allocation/model_cases.py runs it).

    ``inputs``: ``[{"region": "Alfa", "population": 300000, "planned": "84-89", "filled": 56,
    "started": null, "deducted": 0}, ...]`` (allocate_csv's input columns; ``planned`` is the
    plan as written, DOMAIN.md). ``expected``: ``{"Alfa": {"block1": 18615938, "total": ...}}``,
    whole kronor per region and block id (or ``total``); a cell not given is not checked.
    """

    round = models.ForeignKey(
        GrantRound,
        on_delete=models.CASCADE,
        related_name="model_test_cases",
        verbose_name=_("omgång"),
    )
    name = models.CharField(_("namn"), max_length=200)
    inputs = OrderedJSONField(_("indata"), default=list)
    expected = OrderedJSONField(_("förväntade belopp (kr)"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("senast ändrad av"),
    )
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("kontrollfall")
        verbose_name_plural = _("kontrollfall")
        ordering = ["round", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="model_test_case_unique_name"),
            models.CheckConstraint(condition=~models.Q(name=""), name="model_test_case_named"),
        ]

    def __str__(self) -> str:
        return self.name


# --- runs -----------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Körs")
    DONE = "done", _("Klar")
    FAILED = "failed", _("Misslyckades")


class AllocationRunQuerySet(models.QuerySet):
    """Bulk writes never touch a finished run (except stamping issued_at once) nor delete one."""

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) == {"issued_at"}:
            return super(AllocationRunQuerySet, self.filter(issued_at__isnull=True)).update(
                **kwargs
            )
        return super(AllocationRunQuerySet, self.exclude(status=RunStatus.DONE)).update(**kwargs)

    def delete(self) -> Any:
        raise ImmutableError("Allocation runs are never deleted.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class AllocationRun(models.Model):
    """One computation of a round's allocation, with every input it used and its full result."""

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="runs", verbose_name=_("omgång")
    )
    number = models.PositiveIntegerField(_("körning nr"))
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("begärd av"),
    )
    requested_at = models.DateTimeField(_("begärd"))
    started_at = models.DateTimeField(_("startad"), null=True, blank=True)
    # The worker's lease: renewed while it computes; past ATGRANT_RUN_LEASE_SECONDS the worker
    # is taken for dead and the run is queued again (allocation.services.lease).
    heartbeat_at = models.DateTimeField(_("senaste livstecken"), null=True, blank=True)
    # When a message for the run was last sent to the broker (a lost message is sent again).
    enqueued_at = models.DateTimeField(_("köad"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    error = models.TextField(_("fel"), blank=True)
    attempts = models.PositiveIntegerField(_("försök"), default=0)
    snapshot = OrderedJSONField(_("underlag"), null=True, blank=True)
    result = OrderedJSONField(_("resultat"), null=True, blank=True)
    content_hash = models.CharField(_("innehållets kontrollsumma"), max_length=64, blank=True)
    chain_hash = models.CharField(_("kedjans kontrollsumma"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("beslut fattade"), null=True, blank=True)

    objects = AllocationRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("fördelningskörning")
        verbose_name_plural = _("fördelningskörningar")
        ordering = ["round", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="run_unique_number"),
            # At most one run of a round waits or computes: concurrent requests give one run.
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status__in=["queued", "running"]),
                name="run_one_active_per_round",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | (
                    models.Q(result__isnull=False)
                    & models.Q(snapshot__isnull=False)
                    & ~models.Q(content_hash="")
                    & ~models.Q(chain_hash="")
                ),
                name="run_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        values = {"round": self.round.name, "number": self.number}
        return _("%(round)s – körning %(number)s") % values

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk is not None:
            stored = AllocationRun.objects.filter(pk=self.pk).values("status", "issued_at").first()
            if stored and stored["status"] == RunStatus.DONE:
                raise ImmutableError("A finished allocation run cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("Allocation runs are never deleted.")

    @property
    def is_done(self) -> bool:
        return self.status == RunStatus.DONE

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    def result_regions(self) -> list[dict[str, Any]]:
        return list((self.result or {}).get("regions", []))


# --- decisions ------------------------------------------------------------------------------


class DecisionQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("Decisions are never changed; reconsider instead.")

    def delete(self) -> Any:
        raise ImmutableError("Decisions are never deleted.")

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class Decision(models.Model):
    """A region's decision (beslut) for a round: the amounts and how they were computed.

    Append-only. A correction is a new Decision whose ``replaces`` names the earlier one.
    """

    round = models.ForeignKey(
        GrantRound, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("omgång")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("region")
    )
    run = models.ForeignKey(
        AllocationRun,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("körning"),
    )
    # The decision's own number (AT2024-10-B1); its diarienummer is the registry's case number.
    reference = models.CharField(_("beslutsnummer"), max_length=40, unique=True)
    # Kronor per block of the run's model, {block id: kronor}; null on decisions made before
    # models were data, which keep their amounts in block1/block2 (see block_amounts()).
    amounts = OrderedJSONField(_("belopp per block (kr)"), null=True, blank=True)
    block1 = models.BigIntegerField(_("block 1 (kr)"), null=True, blank=True)
    block2 = models.BigIntegerField(_("block 2 (kr)"), null=True, blank=True)
    total = models.BigIntegerField(_("totalt (kr)"))
    explanation = OrderedJSONField(_("beräkning"), default=dict)
    decided_at = models.DateTimeField(_("beslutad"))
    decision_date = models.DateField(_("beslutsdatum"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beslutad av"),
    )
    # Förvaltningslagen 31 §: the record names who presented the case (föredragande).
    # Null only on decisions made before it was recorded.
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("föredragande"),
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("ersätter"),
    )
    reconsideration_reason = models.TextField(_("skäl till omprövning"), blank=True)
    content_hash = models.CharField(_("innehållets kontrollsumma"), max_length=64)
    chain_hash = models.CharField(_("kedjans kontrollsumma"), max_length=64)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["round", "region__sort_key", "decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(block1__gte=0), name="decision_block1_gte_0"),
            models.CheckConstraint(condition=models.Q(block2__gte=0), name="decision_block2_gte_0"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="decision_total_gte_0"),
            # Before models were data: total = block1 + block2. Since: amounts per block, and
            # the total is their sum (checked in save(), which JSON cannot be in SQL).
            models.CheckConstraint(
                condition=(
                    models.Q(amounts__isnull=True, total=models.F("block1") + models.F("block2"))
                    | models.Q(amounts__isnull=False, block1__isnull=True, block2__isnull=True)
                ),
                name="decision_total_is_sum",
            ),
            models.UniqueConstraint(
                fields=["round", "region"],
                condition=models.Q(replaces__isnull=True),
                name="one_original_decision_per_region",
            ),
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True) | ~models.Q(reconsideration_reason=""),
                name="reconsideration_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("Decisions are never changed; reconsider instead.")
        if self.amounts is not None and self.total != sum(self.amounts.values()):
            raise ValueError("A decision's total must be the sum of its block amounts.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("Decisions are never deleted.")

    def block_amounts(self) -> dict[str, int]:
        """Kronor per block id, in the model's order; ``block1``/``block2`` for decisions
        made before models were data."""
        if self.amounts is not None:
            return dict(self.amounts)
        return {"block1": self.block1, "block2": self.block2}

    @property
    def in_force(self) -> bool:
        """Not replaced by a reconsideration."""
        try:
            self.replaced_by  # noqa: B018
        except Decision.DoesNotExist:
            return True
        return False

    @property
    def is_reconsideration(self) -> bool:
        return self.replaces_id is not None


# --- the hash chain -------------------------------------------------------------------------


class ChainLink(models.Model):
    """One position of the hash chain that runs and decisions join, in the order they were made.

    ``chain_hash = sha256(previous chain_hash + content_hash)``; the first link's previous
    hash is the empty string. The rows' own ``chain_hash`` fields repeat the link's value.
    """

    class Kind(models.TextChoices):
        RUN = "run", _("Körning")
        DECISION = "decision", _("Beslut")

    position = models.PositiveBigIntegerField(_("position"), unique=True)
    kind = models.CharField(_("slag"), max_length=16, choices=Kind.choices)
    run = models.OneToOneField(
        AllocationRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chain_link",
    )
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="chain_link"
    )
    previous_hash = models.CharField(_("föregående"), max_length=64, blank=True)
    content_hash = models.CharField(_("innehållets kontrollsumma"), max_length=64)
    chain_hash = models.CharField(_("kedjans kontrollsumma"), max_length=64)
    created_at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("länk i kontrollkedjan")
        verbose_name_plural = _("kontrollkedjan")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="run", run__isnull=False, decision__isnull=True)
                    | models.Q(kind="decision", run__isnull=True, decision__isnull=False)
                ),
                name="chainlink_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.kind} {self.chain_hash[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("The hash chain is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("The hash chain is append-only.")
