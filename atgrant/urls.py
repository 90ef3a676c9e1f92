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

# Error pages in the visitor's language (403 and 404 are Django's views with our templates;
# 429 is allauth's, with templates/429.html).
handler400 = "atgrant.views.bad_request"
handler500 = "atgrant.views.server_error"

# Django tries the patterns in order; no two of these overlap, so the most requested pages
# (the public lists, the region's pages) come first and allauth's and the admin's many last.
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("healthz", health.healthz, name="healthz"),
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
