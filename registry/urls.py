"""The registry's pages (namespace "registry")."""

from __future__ import annotations

from django.urls import path

from registry import views

app_name = "registry"

ROUND = "handlaggare/fordelning/<slug:slug>/"

urlpatterns = [
    path("handlaggare/diarium/", views.registry_list, name="list"),
    path("handlaggare/diarium/diarium.csv", views.registry_csv, name="csv"),
    path("handlaggare/diarium/meddelande/<int:pk>/", views.sent_message, name="sent_message"),
    path(ROUND + "utskick/skicka-igen/", views.round_deliveries_resend, name="resend"),
    path(ROUND + "arkiv.zip", views.round_archive_zip, name="archive"),
]
