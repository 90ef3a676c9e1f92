"""The admin's user pages: the e-mail address is asked for when a user is added, stored in
its canonical form (atgrant.email_address) and unique, as allauth keeps it on sign-up."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from atgrant.email_address import canonical_email

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
