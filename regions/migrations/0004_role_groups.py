"""The agency's two role groups exist in every installation, not only in the demo."""

from __future__ import annotations

from django.db import migrations

GROUPS = ("Handläggare", "Revisorer")  # regions.roles.OFFICERS_GROUP, AUDITORS_GROUP


def create_groups(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for name in GROUPS:
        group_model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0003_review_fields_and_pending_constraint"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
