"""allauth's adapter: the project's rules for the addresses people sign up with."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from atgrant.forms import EMAIL_MAX_LENGTH


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """Refuse an address longer than the columns hold (254 characters; allauth's form
        field, Django's, allows 320). allauth calls this when an address is signed up with
        or added to an account; the ValidationError becomes the field's error."""
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("E-postadressen får vara högst %(max)s tecken lång (den har %(length)s).")
                % {"max": EMAIL_MAX_LENGTH, "length": len(email)},
                code="max_length",
            )
        return super().clean_email(email)
