"""The officer's allocation pages (namespace "allocation")."""

from __future__ import annotations

from django.urls import path

from allocation import views_model, views_record
from allocation import views_officer as views

app_name = "allocation"

ROUND = "handlaggare/fordelning/<slug:slug>/"
RUN = ROUND + "korning/<int:number>/"

urlpatterns = [
    path("handlaggare/fordelning/", views.rounds, name="rounds"),
    path(ROUND, views.round_detail, name="round"),
    path(ROUND + "stang/", views.round_close, name="round_close"),
    path(ROUND + "paminn/", views.round_remind, name="round_remind"),
    path(ROUND + "beslutsuppgifter/", views_record.round_record, name="round_record"),
    path(ROUND + "modell/", views_model.round_model, name="round_model"),
    path(ROUND + "modell.json", views_model.round_model_export, name="round_model_export"),
    path(ROUND + "modell/import/", views_model.round_model_import, name="round_model_import"),
    path(ROUND + "modell/kontrollfall/ny/", views_model.model_case, name="model_case_add"),
    path(ROUND + "modell/kontrollfall/<int:pk>/", views_model.model_case, name="model_case"),
    path(
        ROUND + "modell/kontrollfall/<int:pk>/ta-bort/",
        views_model.model_case_remove,
        name="model_case_remove",
    ),
    path(ROUND + "avrakning/", views.deduction_set, name="deduction_set"),
    path(ROUND + "avrakning/<str:code>/ta-bort/", views.deduction_remove, name="deduction_remove"),
    path(ROUND + "handlaggarvarde/", views.override_set, name="override_set"),
    path(
        ROUND + "handlaggarvarde/<str:code>/ta-bort/",
        views.override_remove,
        name="override_remove",
    ),
    path(ROUND + "kor/", views.run_request, name="run_request"),
    path(RUN, views.run_detail, name="run"),
    path(RUN + "status.json", views.run_status, name="run_status"),
    path(RUN + "kor-igen/", views.run_retry, name="run_retry"),
    path(RUN + "besluta/", views.decisions_issue, name="decisions_issue"),
    path("handlaggare/beslut/<str:reference>/", views.decision_detail, name="decision"),
    path(
        "handlaggare/beslut/<str:reference>/ompreva/",
        views.decision_reconsider,
        name="decision_reconsider",
    ),
]
