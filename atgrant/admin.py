"""Admin pages of the libraries, where their forms let through what the database refuses
(tests/test_form_limits.py walks them)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import admin as mfa_admin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import HttpRequest
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import ClockedSchedule, PeriodicTask

from atgrant.forms import date_range, refuse_nul


class DateRangeAdminMixin:
    """Dates and times edited in the admin stay within atgrant.forms.DATE_MIN..DATE_MAX:
    year 1 or 9999 would fail when the database converts the time to UTC (a 500)."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(db_field, models.DateField) and formfield is not None:
            formfield.validators.append(date_range)
        return formfield


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


class PeriodicTaskAdmin(DateRangeAdminMixin, beat_admin.PeriodicTaskAdmin):
    form = PeriodicTaskForm


class ClockedScheduleAdmin(DateRangeAdminMixin, beat_admin.ClockedScheduleAdmin):
    pass


class AuthenticatorAdmin(DateRangeAdminMixin, mfa_admin.AuthenticatorAdmin):
    pass


for model, model_admin in (
    (PeriodicTask, PeriodicTaskAdmin),
    (ClockedSchedule, ClockedScheduleAdmin),
    (Authenticator, AuthenticatorAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
