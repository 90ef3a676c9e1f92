"""What the baseline import commands share: finding the round and reporting a refusal."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from submissions.baselines import baseline_import_apply
from submissions.models import BaselineImport, GrantRound


def round_by_slug(slug: str) -> GrantRound:
    try:
        return GrantRound.objects.get(slug=slug)
    except GrantRound.DoesNotExist:
        raise CommandError(f"Ingen omgång heter {slug!r}.") from None


def stage_and_apply(stage: Callable[[], BaselineImport]) -> BaselineImport:
    """Run a stage service and apply its import; a refusal becomes a CommandError (exit 1)
    listing every problem, one a line, and nothing is written."""
    try:
        staged = stage()
        return baseline_import_apply(baseline_import=staged, by=None)
    except ValidationError as exc:
        raise CommandError("Filen importerades inte:\n" + "\n".join(exc.messages)) from None
