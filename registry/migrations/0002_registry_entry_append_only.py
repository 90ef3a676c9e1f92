"""On PostgreSQL, refuse UPDATE and DELETE of registry entries as for the audit log (the
function is allocation's); a no-op on other databases, where the model refuses them."""

from __future__ import annotations

from django.db import migrations

TABLE, NAME = "registry_registryentry", "atgrant_registryentry_immutable"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}")
    schema_editor.execute(
        f"CREATE TRIGGER {NAME} BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION atgrant_refuse_change()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_registry_and_delivery"),
        ("allocation", "0002_immutability_triggers"),
    ]

    operations = [migrations.RunPython(create, drop)]
