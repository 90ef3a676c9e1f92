"""Each round carries its allocation model as data (RULES.md, format 1).

Existing rounds had the 2024 shape in columns: their budgets and staircase become RULES.md's
2024 model, written out here (a migration does not import the app's code, which changes).
"""

from decimal import Decimal

import atgrant.jsonfields
from django.db import migrations, models


def _number(value: Decimal) -> str:
    # 2.0 -> "2", 2.5 -> "2.5": a threshold as the expression's decimal literal.
    text = format(value.normalize(), "f")
    return text


def model_2024(block1: int, block2: int, steps: list[tuple[Decimal, int]], name: str) -> dict:
    table = ", ".join(f"[{_number(t)}, {p}]" for t, p in steps)
    # With no steps nobody reaches one: block 2 is not paid, as the 2024 engine does.
    eligible = f"increase >= {_number(steps[0][0])}" if steps else "false"
    return {
        "format": 1,
        "name": name,
        "values": {
            "posts": "max(filled, started) - deducted",
            "rate": "posts * 100000 / population",
            "increase": "posts - planned",
        },
        "totals": {},
        "blocks": [
            {
                "id": "block1",
                "name": "Redovisa antal AT-tjänster",
                "budget": block1,
                "share": "rate",
            },
            {
                "id": "block2",
                "name": "Ytterligare utökning",
                "budget": block2,
                "eligible": eligible,
                "amount": f"step(increase, [{table}])",
                "over_budget": "scale",
                "remainder": "rate",
            },
        ],
    }


def forwards(apps, schema_editor):
    GrantRound = apps.get_model("submissions", "GrantRound")
    StaircaseStep = apps.get_model("submissions", "StaircaseStep")
    for grant_round in GrantRound.objects.all():
        steps = [
            (s.min_increase, s.payout)
            for s in StaircaseStep.objects.filter(round=grant_round).order_by("min_increase")
        ]
        grant_round.model = model_2024(
            grant_round.block1_budget,
            grant_round.block2_budget,
            steps,
            f"AT-tjänster {grant_round.year}",
        )
        grant_round.save(update_fields=["model"])


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0009_round_setup_imports_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="grantround",
            name="model",
            field=atgrant.jsonfields.OrderedJSONField(blank=True, default=dict, verbose_name="fördelningsmodell"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
