"""Read-only pages of allocation results: the region's decisions, the public list, the auditor's views."""

from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "allocation_read"
urlpatterns: list = []
