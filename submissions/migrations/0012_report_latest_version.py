"""Each report points to its latest submitted version (Report.latest_version), filled in
for the versions already there."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def point_to_latest(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    Report = apps.get_model("submissions", "Report")
    ReportVersion = apps.get_model("submissions", "ReportVersion")
    latest = ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    Report.objects.update(latest_version=Subquery(latest.values("pk")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0011_model_only_budgets"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="latest_version",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="submissions.reportversion",
                verbose_name="senast inskickad version",
            ),
        ),
        migrations.RunPython(point_to_latest, migrations.RunPython.noop),
    ]
