from __future__ import annotations

from django.urls import path

from submissions import views, views_setup

app_name = "submissions"

urlpatterns = [
    path("min-region/", views.dashboard, name="dashboard"),
    path("inrapportering/<slug:slug>/<str:code>/", views.report_edit, name="report_edit"),
    path(
        "inrapportering/<slug:slug>/<str:code>/sista-dag.ics",
        views.deadline_calendar,
        name="deadline_ics",
    ),
    path(
        "inrapportering/<slug:slug>/<str:code>/skicka-in/",
        views.report_submit,
        name="report_submit",
    ),
    path(
        "inrapportering/<slug:slug>/<str:code>/kvittens/<int:number>/",
        views.receipt,
        name="receipt",
    ),
    path(
        "inrapportering/<slug:slug>/<str:code>/kvittens/<int:number>/pdf/",
        views.receipt_download,
        name="receipt_pdf",
    ),
    path("handlaggare/inrapporteringar/", views.rounds_overview, name="rounds"),
    path("handlaggare/inrapporteringar/<slug:slug>/", views.round_reports, name="round_reports"),
    path(
        "handlaggare/inrapporteringar/<slug:slug>/export.csv",
        views.round_reports_csv,
        name="round_reports_csv",
    ),
    path(
        "handlaggare/inrapporteringar/<slug:slug>/export.xlsx",
        views.round_reports_xlsx,
        name="round_reports_xlsx",
    ),
    path(
        "handlaggare/inrapporteringar/<slug:slug>/forlangning/",
        views.extension_grant,
        name="extension_grant",
    ),
    path("handlaggare/omgang/ny/", views_setup.round_new, name="round_new"),
    path("handlaggare/omgang/<slug:slug>/forbered/", views_setup.round_setup, name="round_setup"),
    path(
        "handlaggare/omgang/<slug:slug>/forbered/andra/",
        views_setup.round_edit,
        name="round_edit",
    ),
    path("handlaggare/omgang/<slug:slug>/planer/", views_setup.round_plans, name="round_plans"),
    path("handlaggare/omgang/<slug:slug>/oppna/", views_setup.round_open, name="round_open"),
    path(
        "handlaggare/omgang/<slug:slug>/<str:kind>/import/",
        views_setup.baseline_upload,
        name="baseline_upload",
    ),
    path(
        "handlaggare/omgang/<slug:slug>/import/<int:pk>/",
        views_setup.import_confirm,
        name="import_confirm",
    ),
]
