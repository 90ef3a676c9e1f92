from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from registry.models import DecisionDelivery, RegistryEntry, SentMessage


class ReadOnly(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: the registry is append-only and deliveries
    change only by sending (the officer resends from the round page)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RegistryEntry)
class RegistryEntryAdmin(ReadOnly):
    list_display = ["case_number", "document_date", "direction", "kind", "party", "description"]
    list_filter = ["year", "direction", "kind"]
    search_fields = ["case_number", "party", "description"]
    list_select_related = ["region"]


@admin.register(DecisionDelivery)
class DecisionDeliveryAdmin(ReadOnly):
    list_display = ["decision", "recipient_kind", "email", "status", "attempts", "sent_at"]
    list_filter = ["status", "recipient_kind"]
    search_fields = ["email", "decision__reference"]
    list_select_related = ["decision"]


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnly):
    list_display = ["subject", "kind", "region", "round", "sent_at"]
    list_filter = ["kind", "round"]
    search_fields = ["subject"]
    list_select_related = ["region", "round"]
