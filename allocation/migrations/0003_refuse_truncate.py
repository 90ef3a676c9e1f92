"""PostgreSQL: the append-only tables refuse TRUNCATE too (a no-op on other databases).

Row triggers (migration 0002) do not fire for TRUNCATE, which empties a table without reading
its rows; a BEFORE TRUNCATE statement trigger does. SQLite has no TRUNCATE: its
``DELETE FROM t`` runs the row triggers.
"""

from __future__ import annotations

from django.db import migrations

TABLES = [
    ("allocation_decision", "atgrant_decision_no_truncate"),
    ("allocation_chainlink", "atgrant_chainlink_no_truncate"),
    ("audit_auditevent", "atgrant_auditevent_no_truncate"),
    ("allocation_allocationrun", "atgrant_run_no_truncate"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        # atgrant_refuse_change() is migration 0002's: it raises for whatever TG_OP it is given.
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION atgrant_refuse_change()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


class Migration(migrations.Migration):
    dependencies = [("allocation", "0002_immutability_triggers")]

    operations = [migrations.RunPython(create, drop)]
