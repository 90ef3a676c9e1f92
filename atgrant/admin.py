"""The admin: the user pages (the e-mail address is asked for when a user is added, stored in
its canonical form, atgrant.email_address, and unique, as allauth keeps it on sign-up), and
the libraries' pages whose forms let through what the database refuses (tests/
test_form_limits.py walks every admin form)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import admin as mfa_admin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import ClockedSchedule, PeriodicTask

from atgrant.email_address import canonical_email
from atgrant.forms import date_range, refuse_nul

User = get_user_model()


class _CanonicalUniqueEmail:
    def clean_email(self) -> str:
        email = canonical_email(self.cleaned_data.get("email"))
        others = User.objects.filter(email=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError(
                _("Det finns redan en användare med den e-postadressen."), code="unique"
            )
        return email


class UserCreationForm(_CanonicalUniqueEmail, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Everyone logs in with their e-mail address.
        self.fields["email"].required = True


class UserEditForm(_CanonicalUniqueEmail, UserChangeForm):
    pass


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )


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
