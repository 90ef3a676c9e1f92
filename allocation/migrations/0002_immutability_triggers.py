"""PostgreSQL triggers that refuse changes to append-only records (a no-op on other databases).

* allocation_decision, allocation_chainlink, audit_auditevent: every UPDATE and DELETE refused.
* allocation_allocationrun: DELETE refused; UPDATE refused once the run is done, except
  stamping issued_at once (from NULL, every other column unchanged).
"""

from __future__ import annotations

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION atgrant_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'atgrant: % on % is not allowed (append-only record)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION atgrant_refuse_run_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'atgrant: DELETE on % is not allowed', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'done' THEN
        IF OLD.issued_at IS NULL AND NEW.issued_at IS NOT NULL
           AND (to_jsonb(NEW) - 'issued_at') = (to_jsonb(OLD) - 'issued_at') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'atgrant: a finished allocation run cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = [
    ("allocation_decision", "atgrant_decision_immutable", "atgrant_refuse_change"),
    ("allocation_chainlink", "atgrant_chainlink_immutable", "atgrant_refuse_change"),
    ("audit_auditevent", "atgrant_auditevent_immutable", "atgrant_refuse_change"),
    ("allocation_allocationrun", "atgrant_run_immutable", "atgrant_refuse_run_change"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)
    for table, name, function in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, _function in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS atgrant_refuse_run_change()")
    schema_editor.execute("DROP FUNCTION IF EXISTS atgrant_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
