"""atgrant settings: one module, driven by the environment.

With nothing set, atgrant runs embedded: SQLite in var/, Celery tasks eager,
e-mail to the console. Production sets DATABASE_URL (PostgreSQL), REDIS_URL
(Celery broker and cache), SECRET_KEY and the hosts; see .env.example.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from atgrant.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_date,
    env_int,
    env_list,
    env_str,
    env_url,
    redis_database_after,
)
from registry.pattern import DEFAULT_PATTERN, pattern_problem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ATGRANT_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))

# Embedded (no DATABASE_URL) means a developer's machine: DEBUG on unless said otherwise.
ATGRANT_EMBEDDED = DATABASE_URL is None
DEBUG = env_bool("DEBUG", default=ATGRANT_EMBEDDED)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfiguredEnv("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-embedded-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address: links in e-mails and letters (no request to take it from in a worker).
SITE_URL_SET = env_str("SITE_URL") is not None
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "atgrant",
    "audit",
    "regions",
    "submissions",
    "allocation",
    "registry",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "atgrant.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL (which PostgreSQL refuses) in a cookie: dropped before the session reads its key;
    # in the path or the admin's query string: a 400 before the view (atgrant.middleware).
    "atgrant.middleware.NulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Officers and auditors without a TOTP authenticator are sent to set one up.
    "atgrant.middleware.MfaRequiredMiddleware",
    # With DEBUG on, the app's 404 page instead of Django's technical one (atgrant/errors.py);
    # after CommonMiddleware (APPEND_SLASH) and the headers' middleware, so the page has them.
    "atgrant.errors.ErrorPagesMiddleware",
    # Axes last, as its documentation asks: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]
# The app's own error pages, also with DEBUG on (atgrant/errors.py): a newcomer running the
# embedded demo never sees a framework debug page. ATGRANT_TECHNICAL_ERROR_PAGES=1 shows
# Django's technical 404/500 pages again on a developer's machine (with DEBUG on only).
ATGRANT_TECHNICAL_ERROR_PAGES = env_bool("ATGRANT_TECHNICAL_ERROR_PAGES", False)
DEFAULT_EXCEPTION_REPORTER = "atgrant.errors.ErrorPageReporter"
CSRF_FAILURE_VIEW = "atgrant.errors.csrf_failure"

ROOT_URLCONF = "atgrant.urls"
WSGI_APPLICATION = "atgrant.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "atgrant.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
    # Behind a transaction-mode pooler (PgBouncer) a named cursor cannot outlive the
    # transaction that the pooler gave a server connection for; Django's documented switch.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DISABLE_SERVER_SIDE_CURSORS", False
    )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "atgrant.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# The deployed release (the git commit of the image, RELEASE): the cache's key prefix, so that a
# new release never serves a fragment that the previous one rendered.
RELEASE = env_str("RELEASE", "dev")
if REDIS_URL:
    # The cache has a Redis database of its own (REDIS_CACHE_URL, by default the broker's
    # database + 1), so that it can be cleared without touching Celery's queues.
    REDIS_CACHE_URL = env_url("REDIS_CACHE_URL", ("redis", "rediss")) or redis_database_after(
        REDIS_URL
    )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": RELEASE,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": RELEASE,
        }
    }

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (atgrant/hashers.py says why); the others still check passwords hashed
# before, which Django rehashes with the first at the user's next login.
PASSWORD_HASHERS = [
    "atgrant.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "atgrant.accounts.AccountAdapter"
# Sign-up never tells whether an address has an account (atgrant.accounts).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "atgrant.accounts.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[atgrant] "
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "atgrant"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
# allauth's rate limits, per account (key) or per logged-in user only. A limit per client
# address would let one person shut out everyone behind the same address (a region's or the
# agency's network) from logging in, signing up or resetting a password. Guessing passwords
# is held by django-axes per e-mail and address (below), and by allauth per e-mail across
# every address (a wider net for a guesser with many addresses); resets are limited per
# e-mail. None turns off allauth's default for that action. tests/test_identity_throttles.py
# fails on any per-address limit of an action open to visitors.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": f"{AXES_FAILURE_LIMIT * 4}/5m/key",
    "signup": None,
    "reset_password": "5/m/key",
    "reset_password_from_key": None,
    "request_login_code": "3/m/key",
    "verify_phone": "1/30s/key",
}
MFA_RATE_LIMITS = {"webauthn_login": None}
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with `email=`, the admin form posts `username`: one callable reads both.
AXES_USERNAME_CALLABLE = "atgrant.lockout.axes_username"
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
# The client's address, for axes, allauth, the audit log and the request log alike: see
# atgrant/clientip.py. atgrant.checks refuses to start if any of them would decide otherwise.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "atgrant.clientip.client_ip"
# allauth reads the address through ACCOUNT_ADAPTER (atgrant.accounts); its own count is kept
# equal for anything of allauth's that would read X-Forwarded-For itself.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# No start-up banner: it would stand first on every command's stderr (allocate_csv's summary).
AXES_VERBOSE = False

# Sessions end after 30 minutes without activity: saving the session on every request moves
# its expiry. Read from the cache (Redis in production), written to the cache and the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    # Uploaded documents live outside the static tree and are only ever served by views
    # that check permissions; MEDIA_URL is deliberately not routed.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "atgrant.staticstorage.StaticFilesStorage"  # hashed names, compressed
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")))
MEDIA_URL = "/private-media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "atgrant <noreply@atgrant.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Results in Redis (short-lived) so that callers and the services tests can wait on a task.
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Longer than any task, so Redis never re-delivers a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 6}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_IMPORTS = ["atgrant.tasks"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's heartbeat: /healthz reports the beat as stale when this has not run for 5 minutes.
# Other periodic tasks are added to this dict below ("Periodic tasks").
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "atgrant-beat-tick": {"task": "atgrant.tasks.beat_tick", "schedule": 60.0},
}
BEAT_STALE_AFTER_SECONDS = 5 * 60

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The health check is probed over plain HTTP from inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: no inline script anywhere; everything from our own origin.
CSP_DEFAULT_SRC = ("'self'",)
CSP_SCRIPT_SRC = ("'self'",)
CSP_STYLE_SRC = ("'self'",)
CSP_IMG_SRC = ("'self'", "data:")
CSP_FONT_SRC = ("'self'",)
CSP_CONNECT_SRC = ("'self'",)
CSP_FRAME_ANCESTORS = ("'none'",)
CSP_FORM_ACTION = ("'self'",)
CSP_BASE_URI = ("'self'",)
CSP_OBJECT_SRC = ("'none'",)

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# One JSON object per line (LOG_JSON, on unless DEBUG), each with the request id of the
# request it was logged in ("-" outside requests); see atgrant/logging.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "atgrant.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env_bool("LOG_JSON", not DEBUG) else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default handlers (DEBUG console, mail_admins): one line per record.
        "django": {"level": LOG_LEVEL, "propagate": True},
        # WeasyPrint logs each step of every PDF at INFO (seven lines a letter); its warnings
        # (a missing font or image) still show.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Error reporting (optional) -------------------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:  # pip install "atgrant[sentry]"
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
        send_default_pii=False,
    )

# --- Domain settings ------------------------------------------------------------------------
ATGRANT_AGENCY_NAME = env_str("ATGRANT_AGENCY_NAME", "Socialstyrelsen")
# The registry's case numbers (diarienummer): str.format with {year} and {serial}, the serial
# restarting each year. A pattern whose numbers could repeat stops the start.
ATGRANT_REGISTRY_NUMBER_PATTERN = env_str("ATGRANT_REGISTRY_NUMBER_PATTERN", DEFAULT_PATTERN)
if _problem := pattern_problem(ATGRANT_REGISTRY_NUMBER_PATTERN):
    raise ImproperlyConfiguredEnv(
        f"ATGRANT_REGISTRY_NUMBER_PATTERN {ATGRANT_REGISTRY_NUMBER_PATTERN!r}: {_problem}."
    )
# The agency's contact, printed in every decision letter (where an appeal or a request for
# reconsideration is sent) and on the contact page.
ATGRANT_AGENCY_ADDRESS = env_str("ATGRANT_AGENCY_ADDRESS", "106 30 Stockholm")
ATGRANT_AGENCY_EMAIL = env_str("ATGRANT_AGENCY_EMAIL", "registrator@socialstyrelsen.se")
ATGRANT_AGENCY_PHONE = env_str("ATGRANT_AGENCY_PHONE", "075-247 30 00")
ATGRANT_AGENCY_WEBSITE = env_str("ATGRANT_AGENCY_WEBSITE", "https://www.socialstyrelsen.se")
# The court that hears an appeal of the agency's decisions (the administrative court where
# the case was first decided, förvaltningsprocesslagen 14 §), named when a round's decisions
# may be appealed.
ATGRANT_APPEAL_COURT = env_str("ATGRANT_APPEAL_COURT", "Förvaltningsrätten i Stockholm")
# The accessibility statement (lag 2018:1937, MDFFS 2019:2): status is "full", "partial" or
# "none"; the dates are ISO 8601 (YYYY-MM-DD). Its text is templates/pages/accessibility.html.
ATGRANT_ACCESSIBILITY_STATUS = env_str("ATGRANT_ACCESSIBILITY_STATUS", "partial")
if ATGRANT_ACCESSIBILITY_STATUS not in ("full", "partial", "none"):
    raise ImproperlyConfiguredEnv(
        "ATGRANT_ACCESSIBILITY_STATUS must be full, partial or none, "
        f"not {ATGRANT_ACCESSIBILITY_STATUS!r}."
    )
ATGRANT_ACCESSIBILITY_ASSESSED = env_date("ATGRANT_ACCESSIBILITY_ASSESSED", "2026-11-29")
ATGRANT_ACCESSIBILITY_UPDATED = env_date("ATGRANT_ACCESSIBILITY_UPDATED", "2026-11-29")

# --- Periodic tasks (allocation/closing helper) ---------------------------------------------
CELERY_BEAT_SCHEDULE["close-due-rounds"] = {
    "task": "submissions.tasks.close_due_rounds",
    "schedule": 60.0,
}

# --- Allocation runs: the worker's lease (allocation/services/lease.py) ----------------------
# A computing worker renews its run's lease every quarter of this; a run whose lease has run
# out (the worker was killed) is queued again by the minute's recover-runs task, and so is a
# queued run whose message was lost. A killed worker thus delays a run by at most about
# lease + 60 s, far below the broker's visibility timeout.
ATGRANT_RUN_LEASE_SECONDS = env_int("ATGRANT_RUN_LEASE_SECONDS", 60, minimum=10)
CELERY_BEAT_SCHEDULE["recover-allocation-runs"] = {
    "task": "allocation.tasks.recover_runs",
    "schedule": 60.0,
}
# Reminders to regions that have not reported: hourly, so a beat that was down catches up the
# same day; each reminder is recorded, so a second run sends nothing (submissions.reminders).
CELERY_BEAT_SCHEDULE["send-due-reminders"] = {
    "task": "submissions.tasks.send_due_reminders",
    "schedule": 60.0 * 60,
}

# SCB's PxWeb API v1, table FolkmängdNov (BE0101A): `manage.py fetch_population` POSTs its
# query here (AGENCY.md, "Population from SCB").
ATGRANT_SCB_PXWEB_URL = env_url("ATGRANT_SCB_PXWEB_URL", ("https",)) or (
    "https://api.scb.se/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/FolkmangdNov"
)
