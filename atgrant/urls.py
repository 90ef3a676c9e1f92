from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from atgrant import health, views

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
    path("kontakt/", views.contact, name="contact"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("", include("allocation.urls_read")),
    path("", include("submissions.urls")),
    path("", include("regions.urls")),
    path("", include("allocation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
