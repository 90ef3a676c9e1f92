from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from atgrant import accounts, health, views

admin.site.site_header = _("AT-bidraget – administration")
admin.site.site_title = _("AT-bidraget")
admin.site.index_title = _("Administration")
# The admin logs in through allauth's form: the same lockout, second factor and audit.
admin.site.login = secure_admin_login(admin.site.login)

# Django tries the patterns in order; no two of these overlap, so the most requested pages
# (the public lists, the region's pages) come first and allauth's and the admin's many last.
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("kontakt/", views.contact, name="contact"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("", include("allocation.urls_read")),
    path("", include("submissions.urls")),
    path("", include("regions.urls")),
    path("", include("allocation.urls")),
    path("", include("registry.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # allauth's sign-up, where every new account confirms its address (atgrant.accounts).
    path("konto/signup/", accounts.signup, name="account_signup"),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# The app's own pages for errors (templates/400.html ...); with DEBUG on too (atgrant/errors.py).
handler400 = "atgrant.errors.bad_request"
handler403 = "atgrant.errors.permission_denied"
handler404 = "atgrant.errors.page_not_found"
handler500 = "atgrant.errors.server_error"
