from __future__ import annotations

from django.urls import path

from regions import views, views_register

app_name = "regions"

urlpatterns = [
    # Applying to become a region's proxy (ombud)
    path("ombud/ansok/", views.apply, name="apply"),
    path("ombud/mina-ansokningar/", views.application_list, name="application_list"),
    path("ombud/mina-ansokningar/<int:pk>/", views.application_detail, name="application_detail"),
    path(
        "ombud/mina-ansokningar/<int:pk>/komplettera/",
        views.application_resubmit,
        name="application_resubmit",
    ),
    path("ombud/fullmakter/<int:pk>/", views.document_download, name="document_download"),
    # The officer's review
    path("handlaggning/ombudsansokningar/", views.review_list, name="review_list"),
    path("handlaggning/ombudsansokningar/<int:pk>/", views.review_detail, name="review_detail"),
    path(
        "handlaggning/ombudsansokningar/<int:pk>/bevilja/",
        views.review_approve,
        name="review_approve",
    ),
    path(
        "handlaggning/ombudsansokningar/<int:pk>/komplettering/",
        views.review_request_completion,
        name="review_request_completion",
    ),
    path(
        "handlaggning/ombudsansokningar/<int:pk>/avslag/",
        views.review_reject,
        name="review_reject",
    ),
    # The regions registry (officers)
    path("handlaggning/regioner/", views_register.region_list, name="register_list"),
    path("handlaggning/regioner/ny/", views_register.region_add, name="register_add"),
    path("handlaggning/regioner/<int:pk>/", views_register.region_edit, name="register_edit"),
    # Colleagues, managed by the region's proxy
    path("kollegor/", views.colleague_list, name="colleague_list"),
    path("kollegor/bjud-in/", views.colleague_invite, name="colleague_invite"),
    path(
        "kollegor/inbjudningar/<int:pk>/aterkalla/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("kollegor/<int:pk>/ta-bort/", views.colleague_remove, name="colleague_remove"),
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
