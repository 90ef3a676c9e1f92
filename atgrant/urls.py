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

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("konto/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("regions.urls")),
    path("", include("submissions.urls")),
    path("", include("allocation.urls")),
    path("", include("allocation.urls_read")),
]
