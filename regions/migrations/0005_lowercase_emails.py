"""E-mail addresses in their canonical form (stripped, lowercased; atgrant.accounts): allauth
looks users up by the lowercased address, so one stored with capitals could never log in.
allauth's own EmailAddress rows were lowercased by its migration 0006."""

from django.conf import settings
from django.db import migrations


def _canonical(value):
    return (value or "").strip().lower()


def lowercase(apps, schema_editor):
    user_app, user_model = settings.AUTH_USER_MODEL.split(".")
    for model in (
        apps.get_model(user_app, user_model),
        apps.get_model("regions", "ColleagueInvitation"),
    ):
        for pk, email in model.objects.exclude(email="").values_list("pk", "email").iterator():
            if email != _canonical(email):
                model.objects.filter(pk=pk).update(email=_canonical(email))


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0004_role_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(lowercase, migrations.RunPython.noop)]
