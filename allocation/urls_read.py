"""Read-only pages of allocation results: region decisions, the public list, the auditor."""

from __future__ import annotations

from django.urls import path

from allocation.views_read import audit, audit_export, public, region

app_name = "allocation_read"
urlpatterns: list = [
    # The region's decisions (region people: their own; officers and auditors: all).
    path("beslut/", region.region_decisions, name="region_decisions"),
    path("beslut/<str:reference>/", region.region_decision, name="region_decision"),
    path(
        "beslut/<str:reference>/beslutsbrev.pdf",
        region.region_decision_letter,
        name="region_decision_letter",
    ),
    # The public allocation lists (no login) of decided rounds.
    path("fordelningslistor/", public.public_lists, name="public_lists"),
    path("fordelningslistor/<slug:slug>/", public.public_list, name="public_list"),
    path(
        "fordelningslistor/<slug:slug>/fordelningslista.csv",
        public.public_list_csv,
        name="public_list_csv",
    ),
    path(
        "fordelningslistor/<slug:slug>/fordelningslista.xlsx",
        public.public_list_xlsx,
        name="public_list_xlsx",
    ),
    path(
        "fordelningslistor/<slug:slug>/indata.csv",
        public.public_list_input_csv,
        name="public_list_input_csv",
    ),
    path(
        "fordelningslistor/<slug:slug>/regler.json",
        public.public_list_rules,
        name="public_list_rules",
    ),
    # The auditor's read-only views (officers and auditors).
    path("granskning/", audit.audit_index, name="audit_index"),
    path("granskning/historik.csv", audit_export.audit_history_csv, name="audit_history_csv"),
    path("granskning/historik.xlsx", audit_export.audit_history_xlsx, name="audit_history_xlsx"),
    path("granskning/korningar/", audit.audit_runs, name="audit_runs"),
    path("granskning/korningar/<int:pk>/", audit.audit_run, name="audit_run"),
    path("granskning/kontroll/", audit.audit_verify, name="audit_verify"),
]
