"""Accounts: e-mail addresses in one canonical form, the client's address for allauth, and a
sign-up that does not tell whether an address already has an account.

E-mail addresses
    Every address is stored as ``atgrant.email_address.canonical_email`` makes it
    (surrounding space removed, lowercased) and looked up the same way: allauth lowercases
    what is typed before it looks a user up by exact match, so an address stored with
    capitals (``createsuperuser --email Handlaggare.Ett@Myndighet.se``) could never log in.
    ``canonicalise_user_email``, a ``pre_save`` receiver on the user model, allauth's
    ``EmailAddress`` and the colleague invitations (connected in ``atgrant.apps``), covers
    every write that goes through ``save()``: createsuperuser, the admin, allauth's forms,
    management commands and services (a queryset ``update()`` bypasses it; none in atgrant
    writes an address). Forms and services canonicalise what they are given too, so that
    what they compare and show is what is stored. Addresses stored before are lowercased by
    the ``regions`` migration ``lowercase_emails``.

Sign-up
    allauth prevents enumeration on sign-up (ACCOUNT_PREVENT_ENUMERATION) only when every
    sign-up has to confirm its address first. ``SignupView`` does exactly that, whatever
    ACCOUNT_EMAIL_VERIFICATION says for logins: a new address gets an account and a
    confirmation link, an address that has an account gets an e-mail saying so, and both
    see the same "check your e-mail" page. A person following a colleague invitation has
    proven the invited address (the link was mailed to it) and is logged in at once.
"""

from __future__ import annotations

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.models import Login
from allauth.account.views import SignupView as AllauthSignupView
from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest, HttpResponse

from atgrant.clientip import client_ip
from atgrant.email_address import canonical_email

MANDATORY = account_settings.EmailVerificationMethod.MANDATORY
# allauth's own session key: an address proven outside allauth (here: by an invitation link).
VERIFIED_EMAIL_SESSION_KEY = "account_verified_email"


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with atgrant's client address and canonical e-mail addresses."""

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's own reading raises (a 500) when X-Forwarded-For is shorter than the
        # proxy count, and would disagree with axes and the audit log: one rule for all.
        ip = client_ip(request)
        return ip if ip is not None else super().get_client_ip(request)

    def clean_email(self, email: str) -> str:
        return canonical_email(super().clean_email(email))


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form; an address that has an account is not an error on the form
    (which would tell anyone that it has one) but goes the same way as a new one."""

    def validate_unique_email(self, value: str) -> str:
        self.account_already_exists = bool(filter_users_by_email(value))
        return value

    def try_save(self, request: HttpRequest):  # noqa: ANN201
        if not self.account_already_exists:
            return self.save(request), None
        # allauth's prevent_enumeration, with the confirmation every sign-up gets: an e-mail
        # to the address ("you already have an account") and the "check your e-mail" page.
        login = Login(
            user=None, email=self.cleaned_data["email"], signup=True, email_verification=MANDATORY
        )
        return None, perform_login(request, login)


class SignupView(AllauthSignupView):
    """allauth's sign-up, where a new account confirms its address before it is used."""

    form_class = SignupForm

    def form_valid(self, form: SignupForm) -> HttpResponse:
        from allauth.account.internal.flows.signup import complete_signup

        self.user, response = form.try_save(self.request)
        if response:
            return response
        try:
            return complete_signup(
                self.request,
                user=self.user,
                email_verification=MANDATORY,
                redirect_url=self.get_success_url(),
                by_passkey=form.by_passkey,
            )
        except ImmediateHttpResponse as exc:
            return exc.response


signup = SignupView.as_view()
