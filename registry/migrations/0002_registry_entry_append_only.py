"""Registry entries are append-only in the database too (as submitted report versions).

PostgreSQL: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE.
SQLite: row triggers refuse UPDATE and DELETE (SQLite has no TRUNCATE; ``DELETE FROM t``
runs the row triggers).
"""

from __future__ import annotations

from django.db import migrations

TABLE = "registry_registryentry"
MESSAGE = "atgrant: {op} on registry_registryentry is not allowed (append-only record)"

# The same function as allocation's migration 0002 (CREATE OR REPLACE: whichever runs first).
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION atgrant_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'atgrant: % on % is not allowed (append-only record)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PG_TRIGGERS = [
    ("atgrant_registryentry_immutable", "BEFORE UPDATE OR DELETE", "FOR EACH ROW"),
    ("atgrant_registryentry_no_truncate", "BEFORE TRUNCATE", "FOR EACH STATEMENT"),
]
SQLITE_TRIGGERS = [
    ("atgrant_registryentry_no_update", "UPDATE"),
    ("atgrant_registryentry_no_delete", "DELETE"),
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
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
        # The function stays: allocation's triggers use it too.
        for name, _when, _level in PG_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
    elif vendor == "sqlite":
        for name, _op in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_registry_and_delivery")]

    operations = [migrations.RunPython(create, drop)]
