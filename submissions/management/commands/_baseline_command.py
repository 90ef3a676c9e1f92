"""What the baseline import commands share: finding the round and reporting a refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from submissions.baselines import baseline_import_apply
from submissions.models import BaselineImport, GrantRound, RoundBaseline


def round_by_slug(slug: str) -> GrantRound:
    try:
        return GrantRound.objects.get(slug=slug)
    except GrantRound.DoesNotExist:
        raise CommandError(f"Ingen omgång heter {slug!r}.") from None


def _baselines(grant_round: GrantRound) -> dict[str, tuple[int | None, str]]:
    """Each region's population and plan in the round, by county code."""
    rows = RoundBaseline.objects.filter(round=grant_round).values_list(
        "region__code", "population", "plan_text"
    )
    return {code: (population, plan) for code, population, plan in rows}


def stage_and_apply(
    stage: Callable[[], BaselineImport], grant_round: GrantRound
) -> tuple[BaselineImport, int]:
    """Run a stage service and apply its import; a refusal becomes a CommandError (exit 1)
    listing every problem, one a line, and nothing is written.

    Returns the import and how many of its regions' figures it changed: a file brought in
    again writes the same figures, and the command must not say it changed them.
    """
    before = _baselines(grant_round)
    try:
        staged = stage()
        applied = baseline_import_apply(baseline_import=staged, by=None)
    except ValidationError as exc:
        raise CommandError("Filen importerades inte:\n" + "\n".join(exc.messages)) from None
    after = _baselines(grant_round)
    return applied, sum(before.get(code) != after.get(code) for code in applied.figures)


def changes(staged: BaselineImport, changed: int) -> str:
    """How many regions' figures an import changed and how many it found as they were."""
    return f"{changed} ändrade, {len(staged.figures) - changed} oförändrade"


class FileImportCommand(BaseCommand):
    """``manage.py <command> FILE --round SLUG``: read the file, stage it with ``stage`` (a
    service of submissions.baselines), apply it and say what was written: ``done``, formatted
    with ``count`` (regions), ``changes`` (how many changed, how many were already so),
    ``staged`` (the BaselineImport) and ``slug``."""

    stage: Callable[..., BaselineImport]
    done: str

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("file", type=Path)
        parser.add_argument("--round", required=True, dest="slug")

    def handle(self, *, file: Path, slug: str, **options) -> None:  # noqa: ANN003
        grant_round = round_by_slug(slug)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {file}: {exc.strerror}") from None
        staged, changed = stage_and_apply(
            lambda: type(self).stage(
                grant_round=grant_round, content=content, name=file.name, by=None
            ),
            grant_round,
        )
        self.stdout.write(
            self.done.format(
                count=len(staged.figures),
                changes=changes(staged, changed),
                staged=staged,
                slug=grant_round.slug,
            )
        )
