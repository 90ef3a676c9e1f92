"""System checks: a setting that could not take effect stops start-up with an error naming it.

Django runs them before every manage.py command (runserver, migrate, celery's are not); the
web process runs them in atgrant/wsgi.py (gunicorn does not run checks) and refuses to start.

The client's address (atgrant.clientip) must be decided by TRUSTED_PROXY_COUNT alone, for
django-axes, allauth, the audit log and the request log.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

CLIENT_IP_CALLABLE = "atgrant.clientip.client_ip"
ADAPTER = "atgrant.accounts.AccountAdapter"
# Settings another library would read the client's address by, which atgrant's rule replaces:
# set, they would silently do nothing (axes uses AXES_CLIENT_IP_CALLABLE before them).
_IGNORED = (
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_PROXY_COUNT",
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_TRUSTED_IPS",
    "AXES_PROXY_TRUSTED_IPS",
    "IPWARE_META_PROXY_COUNT",
    "IPWARE_META_PRECEDENCE_ORDER",
    "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
)


TAG = "atgrant"


@checks.register(TAG, checks.Tags.security)
def check_client_address(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # noqa: ANN001
    from atgrant.clientip import trusted_proxy_count

    errors: list[checks.CheckMessage] = []
    try:
        count = trusted_proxy_count()
    except ValueError as exc:
        return [checks.Error(str(exc), id="atgrant.E001")]
    if count > 0:
        try:
            import ipware  # noqa: F401
        except ImportError:
            errors.append(
                checks.Error(
                    "TRUSTED_PROXY_COUNT is set but django-ipware is not installed: the "
                    "client's address could not be read from X-Forwarded-For.",
                    hint="pip install django-ipware (a dependency in pyproject.toml).",
                    id="atgrant.E002",
                )
            )
    if getattr(settings, "AXES_CLIENT_IP_CALLABLE", None) != CLIENT_IP_CALLABLE:
        errors.append(
            checks.Error(
                "django-axes must read the client's address with atgrant's rule.",
                hint=f"AXES_CLIENT_IP_CALLABLE = {CLIENT_IP_CALLABLE!r}",
                id="atgrant.E003",
            )
        )
    if getattr(settings, "ACCOUNT_ADAPTER", None) != ADAPTER:
        errors.append(
            checks.Error(
                "allauth must read the client's address with atgrant's rule.",
                hint=f"ACCOUNT_ADAPTER = {ADAPTER!r}",
                id="atgrant.E004",
            )
        )
    if getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) != count:
        errors.append(
            checks.Error(
                "ALLAUTH_TRUSTED_PROXY_COUNT differs from TRUSTED_PROXY_COUNT.",
                hint="Set only TRUSTED_PROXY_COUNT; settings.py derives allauth's from it.",
                id="atgrant.E005",
            )
        )
    for name in _IGNORED:
        # Only what the settings module (or a test) set: axes writes its defaults in too.
        if settings.is_overridden(name):
            errors.append(
                checks.Error(
                    f"{name} is set but has no effect: TRUSTED_PROXY_COUNT alone decides the "
                    "client's address (atgrant.clientip).",
                    id="atgrant.E006",
                )
            )
    return errors


def refuse_to_start_on_errors() -> None:
    """Raise ImproperlyConfigured when atgrant's checks find an error (for atgrant.wsgi)."""
    from django.core.exceptions import ImproperlyConfigured

    serious = [m for m in checks.run_checks(tags=[TAG]) if m.is_serious()]
    if serious:
        raise ImproperlyConfigured("\n".join(str(m) for m in serious))


SIGNUP_FORM = "atgrant.accounts.SignupForm"


@checks.register(TAG, checks.Tags.security)
def check_no_enumeration(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # noqa: ANN001
    """Sign-up must not tell whether an address has an account (atgrant.accounts)."""
    errors: list[checks.CheckMessage] = []
    if not getattr(settings, "ACCOUNT_PREVENT_ENUMERATION", True):
        errors.append(
            checks.Error(
                "ACCOUNT_PREVENT_ENUMERATION is off: sign-up and password reset would tell "
                "whether an address has an account.",
                id="atgrant.E007",
            )
        )
    if (getattr(settings, "ACCOUNT_FORMS", {}) or {}).get("signup") != SIGNUP_FORM:
        errors.append(
            checks.Error(
                "allauth's sign-up form refuses an address that has an account, which tells "
                "anyone that it has one.",
                hint=f"ACCOUNT_FORMS = {{'signup': {SIGNUP_FORM!r}}}",
                id="atgrant.E008",
            )
        )
    return errors


@checks.register(TAG, checks.Tags.security, deploy=True)
def check_proxy_count_behind_tls_proxy(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # noqa: ANN001
    """Behind a TLS proxy (BEHIND_TLS_PROXY) with no proxy trusted, every client has the
    proxy's address: one client's failed logins would lock an account for everyone."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not getattr(
        settings, "TRUSTED_PROXY_COUNT", 0
    ):
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is set but TRUSTED_PROXY_COUNT is 0: every client would "
                "have the proxy's address (lockouts and the audit log).",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front (usually 1).",
                id="atgrant.W001",
            )
        ]
    return []


@checks.register(TAG, checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # noqa: ANN001
    """Links in e-mails and letters are built from SITE_URL: a production site must say it."""
    if not settings.SITE_URL_SET:
        return [
            checks.Warning(
                f"SITE_URL is not set: e-mails and letters would link to {settings.SITE_URL}.",
                hint="SITE_URL=https://<the public address> (see .env.example).",
                id="atgrant.W002",
            )
        ]
    if not settings.DEBUG and not settings.SITE_URL.startswith("https://"):
        return [
            checks.Warning(
                "SITE_URL is not an https:// address: links in e-mails would be sent in clear.",
                id="atgrant.W003",
            )
        ]
    return []
