from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from regions.models import (
    ApplicationEvent,
    Colleague,
    ColleagueInvitation,
    ProxyApplication,
    ProxyAppointment,
    ProxyDocument,
    Region,
)
from regions.register import region_delete, region_save, registry_values


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "organisation_number", "registry_email"]
    search_fields = ["code", "name", "short_name", "organisation_number", "registry_email"]
    ordering = ["code"]

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        """Save and record the change in the audit log, in one transaction (regions.register):
        the official mailbox decides where decisions are sent."""
        before = None
        if change:
            before = registry_values(Region.objects.get(pk=obj.pk))
        region_save(region=obj, before=before, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Region) -> None:
        region_delete(region=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The list's bulk delete: one audited delete each, never a silent bulk one.
        with transaction.atomic():
            for region in queryset:
                region_delete(region=region, by=request.user)


class ReadOnlyAdminMixin:
    """History is kept: the admin shows these records but never adds, changes or deletes them.

    Changes go through the portal's services, which check the workflow and write the audit log.
    """

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ApplicationEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApplicationEvent
    fields = ["at", "kind", "by", "message"]
    readonly_fields = fields
    extra = 0


class ProxyDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProxyDocument
    fields = ["original_name", "size", "sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = fields
    extra = 0


@admin.register(ProxyApplication)
class ProxyApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["full_name", "region", "applicant", "status", "created_at", "updated_at"]
    list_filter = ["status", "region"]
    search_fields = ["full_name", "applicant__email", "region__name"]
    list_select_related = ["region", "applicant"]
    readonly_fields = [
        "applicant",
        "region",
        "full_name",
        "title",
        "phone",
        "basis",
        "status",
        "officer_message",
        "created_at",
        "updated_at",
    ]
    inlines = [ProxyDocumentInline, ApplicationEventInline]


@admin.register(ProxyAppointment)
class ProxyAppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["region", "user", "appointed_at", "appointed_by", "ended_at", "ended_reason"]
    list_filter = ["region", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "region__name"]
    list_select_related = ["region", "user", "appointed_by"]
    readonly_fields = [
        "region",
        "user",
        "application",
        "appointed_at",
        "appointed_by",
        "ended_at",
        "ended_reason",
    ]


@admin.register(Colleague)
class ColleagueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "region", "added_at", "removed_at", "removed_by"]
    list_filter = ["region", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "region__name"]
    list_select_related = ["region", "user", "removed_by"]
    readonly_fields = ["region", "user", "invitation", "added_at", "removed_at", "removed_by"]


@admin.register(ColleagueInvitation)
class ColleagueInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "region", "invited_by", "created_at", "expires_at", "state"]
    list_filter = ["region"]
    search_fields = ["email", "region__name"]
    list_select_related = ["region", "invited_by"]
    # The token is a credential until used: never shown.
    exclude = ["token"]
    readonly_fields = [
        "region",
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "revoked_by",
    ]

    @admin.display(description=_("läge"))
    def state(self, obj: ColleagueInvitation) -> str:
        if obj.accepted_at:
            return str(_("Accepterad"))
        if obj.revoked_at:
            return str(_("Återkallad"))
        return str(_("Öppen"))
