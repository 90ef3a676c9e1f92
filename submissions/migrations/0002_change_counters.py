"""Change counters (submissions.ChangeCounter), kept by triggers on every table the region
dashboard is built from, on PostgreSQL and on SQLite.

Each write to one of SCOPES' tables adds one to the counter of every scope its rows belong
to, in the same transaction: on PostgreSQL once per statement (the scopes of all its rows,
in order, so that two bulk statements take the counters' locks in the same order), on
SQLite once per row. The spec is frozen here; submissions.freshness reads the counters and
its tests check that every table the dashboard reads has these triggers.
"""

from __future__ import annotations

from django.db import migrations, models

COUNTER = "submissions_changecounter"

# table -> the scopes of a row: (kind, column). "all": one scope for the whole table;
# "region"/"user": the id in `column`; "report": the region of the report in `column`.
SCOPES = {
    "auth_user": [("user", "id")],
    "auth_user_groups": [("user", "user_id")],
    "auth_group": [("all", "id")],
    "regions_region": [("region", "id")],
    "regions_proxyappointment": [("region", "region_id"), ("user", "user_id")],
    "regions_colleague": [("region", "region_id"), ("user", "user_id")],
    "submissions_grantround": [("all", "id")],
    "submissions_staircasestep": [("all", "id")],
    "submissions_roundbaseline": [("region", "region_id")],
    "submissions_report": [("region", "region_id")],
    "submissions_reportversion": [("report", "report_id")],
    "submissions_deadlineextension": [("region", "region_id")],
}
EVENTS = ("INSERT", "UPDATE", "DELETE")

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION atgrant_count_changes() RETURNS trigger AS $$
DECLARE
    changed jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(to_jsonb(r)) INTO changed FROM new_rows r;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(to_jsonb(r)) INTO changed FROM old_rows r;
    ELSE
        SELECT jsonb_agg(x) INTO changed FROM (
            SELECT to_jsonb(r) AS x FROM new_rows r
            UNION ALL SELECT to_jsonb(r) FROM old_rows r) s;
    END IF;
    IF changed IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO {COUNTER} AS c (scope, changes)
    SELECT DISTINCT scope, 1 FROM (
        SELECT CASE a.kind
            WHEN 'all' THEN 'all'
            WHEN 'report' THEN (SELECT 'region:' || p.region_id FROM submissions_report p
                                WHERE p.id = (r.value ->> a.col)::bigint)
            ELSE a.kind || ':' || (r.value ->> a.col)
        END AS scope
        FROM jsonb_array_elements(changed) r,
             (SELECT TG_ARGV[k] AS kind, TG_ARGV[k + 1] AS col
              FROM generate_series(0, TG_NARGS - 1, 2) k) a
    ) s
    WHERE scope IS NOT NULL
    ORDER BY scope
    ON CONFLICT (scope) DO UPDATE SET changes = c.changes + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _name(table: str, event: str) -> str:
    return f"atgrant_count_{table}_{event.lower()}"


def _pg_trigger(table: str, event: str) -> str:
    transition = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }[event]
    args = ", ".join(f"'{v}'" for pair in SCOPES[table] for v in pair)
    return (
        f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION atgrant_count_changes({args})"
    )


def _sqlite_scope(kind: str, column: str, row: str) -> str:
    """A SELECT of the scope of the row NEW or OLD (no row when it has none)."""
    if kind == "all":
        return "SELECT 'all' AS scope"
    if kind == "report":
        return (
            "SELECT 'region:' || p.region_id AS scope FROM submissions_report p "
            f"WHERE p.id = {row}.{column}"
        )
    return f"SELECT '{kind}:' || {row}.{column} AS scope"


def _sqlite_trigger(table: str, event: str) -> str:
    rows = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[event]
    scopes = " UNION ".join(
        _sqlite_scope(kind, column, row) for row in rows for kind, column in SCOPES[table]
    )
    return (
        f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW BEGIN "
        f"INSERT INTO {COUNTER} (scope, changes) SELECT scope, 1 FROM ({scopes}) "
        "WHERE scope IS NOT NULL ON CONFLICT (scope) DO UPDATE SET changes = changes + 1; END"
    )


def _drop_triggers(schema_editor, vendor: str) -> None:
    for table in SCOPES:
        for event in EVENTS:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {_name(table, event)}"
                + (f" ON {table}" if vendor == "postgresql" else "")
            )


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    _drop_triggers(schema_editor, vendor)
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
    trigger = _pg_trigger if vendor == "postgresql" else _sqlite_trigger
    for table in SCOPES:
        for event in EVENTS:
            schema_editor.execute(trigger(table, event), params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    _drop_triggers(schema_editor, vendor)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS atgrant_count_changes()")


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0001_initial"),
        ("regions", "0004_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeCounter",
            fields=[
                (
                    "scope",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="omfattning"
                    ),
                ),
                ("changes", models.BigIntegerField(default=0, verbose_name="ändringar")),
            ],
            options={
                "verbose_name": "ändringsräknare",
                "verbose_name_plural": "ändringsräknare",
            },
        ),
        migrations.RunPython(create, drop),
    ]
