"""Drop the change counters and their triggers (migration 0002): the region dashboard is
rendered for every request, so nothing needs to count writes any more.

Reversible: going back recreates the table and the triggers exactly as 0002 made them.
"""

from __future__ import annotations

from importlib import import_module

from django.db import migrations

counters = import_module("submissions.migrations.0002_change_counters")


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_change_counters")]

    operations = [
        # The triggers write into the table: they go first (and come back last).
        migrations.RunPython(counters.drop, counters.create),
        migrations.DeleteModel(name="ChangeCounter"),
    ]
