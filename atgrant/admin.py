"""Admin pages of the libraries, where their forms let through what the database refuses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.validators import MaxLengthValidator
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import PeriodicTask

from atgrant.forms import refuse_nul


class RegisteredTaskField(beat_admin.TaskChoiceField):
    """django-celery-beat's task chooser accepts any value (its ``valid_value`` is always
    true) and copies it into the task name: hold it to the name's column, without NUL."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            refuse_nul(value)
            MaxLengthValidator(PeriodicTask._meta.get_field("task").max_length)(value)


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    regtask = RegisteredTaskField(
        label=beat_admin.PeriodicTaskForm.base_fields["regtask"].label, required=False
    )


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, PeriodicTaskAdmin)
