"""Read-only admin of the allocation records: changes go through the officer's pages only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from allocation.models import AllocationRun, ChainLink, Decision, Deduction, PostsOverride


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["round", "number", "status", "requested_by", "requested_at", "issued_at"]
    list_filter = ["status", "round"]
    list_select_related = ["round", "requested_by"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "round", "region", "total", "decision_date", "replaces"]
    list_filter = ["round"]
    search_fields = ["reference", "region__name"]
    list_select_related = ["round", "region", "replaces"]


@admin.register(Deduction)
class DeductionAdmin(ReadOnlyAdmin):
    list_display = ["round", "region", "posts", "created_by", "updated_at"]
    list_filter = ["round"]
    list_select_related = ["round", "region", "created_by"]


@admin.register(PostsOverride)
class PostsOverrideAdmin(ReadOnlyAdmin):
    list_display = ["round", "region", "filled_posts", "started_posts", "created_by"]
    list_filter = ["round"]
    list_select_related = ["round", "region", "created_by"]


@admin.register(ChainLink)
class ChainLinkAdmin(ReadOnlyAdmin):
    list_display = ["position", "kind", "chain_hash", "created_at"]
