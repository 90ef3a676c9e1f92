"""Sent e-mails are append-only in the database too, as the registry entries that register
them (0002: the same triggers on their table)."""

from __future__ import annotations

from django.db import migrations

TABLE = "registry_sentmessage"
MESSAGE = "atgrant: {op} on registry_sentmessage is not allowed (append-only record)"

PG_TRIGGERS = [
    ("atgrant_sentmessage_immutable", "BEFORE UPDATE OR DELETE", "FOR EACH ROW"),
    ("atgrant_sentmessage_no_truncate", "BEFORE TRUNCATE", "FOR EACH STATEMENT"),
]
SQLITE_TRIGGERS = [
    ("atgrant_sentmessage_no_update", "UPDATE"),
    ("atgrant_sentmessage_no_delete", "DELETE"),
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # atgrant_refuse_change() exists: registry 0002 (and allocation 0002) created it.
        for name, when, level in PG_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
            schema_editor.execute(
                f"CREATE TRIGGER {name} {when} ON {TABLE} {level} "
                "EXECUTE FUNCTION atgrant_refuse_change()"
            )
    elif vendor == "sqlite":
        for name, op in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {op} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(op=op)}'); END"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, _when, _level in PG_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
    elif vendor == "sqlite":
        for name, _op in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_sent_message")]

    operations = [migrations.RunPython(create, drop)]
