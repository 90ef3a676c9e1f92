"""The round's model (GrantRound.model, RULES.md) is the only source of its budgets and blocks:
the 2024 columns (block1_budget, block2_budget) and the staircase table (StaircaseStep) go.

First every round that still has no model but has budgets or steps gets RULES.md's 2024 model
from them, exactly as migration 0010 wrote it (its function, imported from the migration
module: a migration does not import the app's code, which changes). A round with no model,
budgets 0 and no steps (an empty draft) keeps its empty model.

Reversible: going back re-adds the two columns (0 where nothing better is known) and the
staircase table, and fills them from a model of the 2024 shape (blocks "block1" and "block2",
block 2's amount ``step(increase, [[threshold, payout], ...])``) as far as it has one; any
other model leaves the columns 0 and no steps (the model, which is what runs, is kept).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from importlib import import_module

from django.db import migrations, models

round_model = import_module("submissions.migrations.0010_round_model")


def fill_missing_models(apps, schema_editor):
    GrantRound = apps.get_model("submissions", "GrantRound")
    StaircaseStep = apps.get_model("submissions", "StaircaseStep")
    for grant_round in GrantRound.objects.all():
        if grant_round.model:
            continue
        steps = [
            (s.min_increase, s.payout)
            for s in StaircaseStep.objects.filter(round=grant_round).order_by("min_increase")
        ]
        if not steps and not grant_round.block1_budget and not grant_round.block2_budget:
            continue  # an empty draft: its model is written in the model editor
        grant_round.model = round_model.model_2024(
            grant_round.block1_budget,
            grant_round.block2_budget,
            steps,
            f"AT-tjänster {grant_round.year}",
        )
        grant_round.save(update_fields=["model"])


# block 2's amount in the 2024 model: step(increase, [[2, 3000000], [3, 4500000], ...])
_STEP_AMOUNT = re.compile(r"^\s*step\(\s*increase\s*,\s*(\[.*\])\s*\)\s*$", re.DOTALL)


def _budget(block: object) -> int:
    budget = block.get("budget") if isinstance(block, dict) else None
    return budget if isinstance(budget, int) and not isinstance(budget, bool) and budget >= 0 else 0


def _steps(block: object) -> list[tuple[Decimal, int]]:
    """The (threshold, payout) pairs of a 2024-shaped block 2, or [] when it has another shape
    or a threshold the old column (6 digits, 1 decimal, > 0) cannot hold."""
    amount = block.get("amount") if isinstance(block, dict) else None
    match = _STEP_AMOUNT.match(amount or "")
    if match is None:
        return []
    try:
        table = json.loads(match.group(1), parse_float=Decimal, parse_int=Decimal)
        steps = [(Decimal(t), int(p)) for t, p in table]
    except (ValueError, TypeError, InvalidOperation):
        return []
    if any(t <= 0 or t != t.quantize(Decimal("0.1")) or t >= 100_000 for t, _p in steps):
        return []
    return steps


def fill_columns_from_models(apps, schema_editor):
    GrantRound = apps.get_model("submissions", "GrantRound")
    StaircaseStep = apps.get_model("submissions", "StaircaseStep")
    for grant_round in GrantRound.objects.all():
        document = grant_round.model if isinstance(grant_round.model, dict) else {}
        blocks = {
            b.get("id"): b for b in document.get("blocks") or [] if isinstance(b, dict)
        }
        grant_round.block1_budget = _budget(blocks.get("block1"))
        grant_round.block2_budget = _budget(blocks.get("block2"))
        grant_round.save(update_fields=["block1_budget", "block2_budget"])
        StaircaseStep.objects.bulk_create(
            StaircaseStep(round=grant_round, min_increase=t, payout=p)
            for t, p in _steps(blocks.get("block2"))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0010_round_model"),
    ]

    operations = [
        migrations.RunPython(fill_missing_models, migrations.RunPython.noop),
        # Going back, the columns come back with 0 for every round (the defaults below) and
        # fill_columns_from_models then writes what the models say.
        migrations.RunPython(migrations.RunPython.noop, fill_columns_from_models),
        migrations.RemoveConstraint(model_name="grantround", name="round_block1_non_negative"),
        migrations.RemoveConstraint(model_name="grantround", name="round_block2_non_negative"),
        migrations.AlterField(
            model_name="grantround",
            name="block1_budget",
            field=models.BigIntegerField(default=0, verbose_name="block 1 (kr)"),
        ),
        migrations.AlterField(
            model_name="grantround",
            name="block2_budget",
            field=models.BigIntegerField(default=0, verbose_name="block 2 (kr)"),
        ),
        migrations.RemoveField(model_name="grantround", name="block1_budget"),
        migrations.RemoveField(model_name="grantround", name="block2_budget"),
        migrations.DeleteModel(name="StaircaseStep"),
    ]
