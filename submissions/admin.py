from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allocation.allocmodel import AllocationModel, ModelError
from allocation.plans import PlanError, parse_plan
from atgrant.templatetags.atgrant_format import kr
from submissions.baselines import set_plan_bounds
from submissions.models import (
    BaselineImport,
    DeadlineExtension,
    GrantRound,
    Reminder,
    Report,
    ReportVersion,
    RoundBaseline,
    RoundStatus,
)
from submissions.plan_csv import plan_error_message


def _round_is_draft(obj: object) -> bool:
    grant_round = obj if isinstance(obj, GrantRound) else getattr(obj, "round", None)
    return grant_round is None or grant_round.status == RoundStatus.DRAFT


class _DraftOnly:
    """Rules and baselines may change only while the round is a draft (shown read-only after)."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return super().has_change_permission(request, obj) and _round_is_draft(obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return super().has_delete_permission(request, obj) and _round_is_draft(obj)  # type: ignore[misc]


class DraftOnlyAdminMixin(_DraftOnly):
    """For a ModelAdmin. Its ``has_add_permission(request)`` is Django's own: an inline's
    takes the parent as well, which is why the two mixins are apart."""


class DraftOnlyInlineMixin(_DraftOnly):
    """For an inline: Django asks ``has_add_permission(request, obj)`` with the parent round,
    None on the parent's add page (a new round is a draft)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return super().has_add_permission(request, obj) and _round_is_draft(obj)  # type: ignore[misc]


class BaselineForm(forms.ModelForm):
    """The plan as written; its bounds are what allocation.plans.parse_plan reads from it."""

    class Meta:
        model = RoundBaseline
        fields = ["round", "region", "population", "plan_text"]

    def clean_plan_text(self) -> str:
        text = self.cleaned_data["plan_text"].strip()
        if text:
            try:
                parse_plan(text)
            except PlanError as exc:
                raise forms.ValidationError(plan_error_message(exc, text)) from None
        return text

    def save(self, commit: bool = True) -> RoundBaseline:
        baseline = super().save(commit=False)
        set_plan_bounds(baseline, baseline.plan_text)
        if commit:
            baseline.save()
        return baseline


class RoundBaselineInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = RoundBaseline
    form = BaselineForm
    fields = ["region", "population", "plan_text", "plan_low", "plan_high"]
    readonly_fields = ["plan_low", "plan_high"]
    extra = 0
    autocomplete_fields = ["region"]


class GrantRoundForm(forms.ModelForm):
    """The round, with its model (RULES.md) checked as the runs read it."""

    class Meta:
        model = GrantRound
        fields = "__all__"  # noqa: DJ007 - the admin shows every field, as before

    def clean_model(self) -> dict:
        document = self.cleaned_data.get("model") or {}
        if document:
            try:
                AllocationModel.from_json(document)
            except ModelError as exc:
                raise forms.ValidationError(
                    gettext("Fördelningsmodellen kan inte användas: %(problem)s")
                    % {"problem": str(exc)}
                ) from exc
        return document


@admin.register(GrantRound)
class GrantRoundAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    """A round's model (RULES.md) is what runs and the only source of its budgets and blocks:
    it is written in the model editor (allocation/views_model.py); the JSON field here is
    checked as the runs read it."""

    form = GrantRoundForm
    list_display = [
        "name",
        "year",
        "status",
        "opens_at",
        "deadline",
        "budget",
    ]
    list_filter = ["status", "year"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoundBaselineInline]

    @admin.display(description=_("budget"))
    def budget(self, obj: GrantRound) -> str:
        """The sum of the model's block budgets, in kronor (0 kr without a model)."""
        return kr(obj.total_budget)

    def get_readonly_fields(self, request: HttpRequest, obj: GrantRound | None = None) -> list[str]:
        # Status moves only through the workflow (submissions.workflow.round_transition);
        # closed_at is written by closing (submissions.closing) alone.
        return ["status", "closed_at"]


@admin.register(RoundBaseline)
class RoundBaselineAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["region", "round", "plan_text", "plan_low", "plan_high", "population"]
    list_filter = ["round"]
    search_fields = ["region__name", "region__short_name", "plan_text"]
    list_select_related = ["region", "round"]
    form = BaselineForm
    readonly_fields = ["plan_low", "plan_high"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # noqa: ANN001, ANN201
        # A baseline is added only to a draft round (the others' are read-only here).
        if db_field.name == "round":
            kwargs["queryset"] = GrantRound.objects.filter(status=RoundStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reports change only through the portal's services, which check the deadline and audit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """The working copies. What counts is each report's latest submitted version (the
    versions' list); a row with unsent changes is a draft and is marked so."""

    list_display = [
        "region",
        "round",
        "working_filled",
        "working_started",
        "unsent_changes",
        "updated_at",
    ]
    list_filter = ["round", "region"]
    search_fields = ["region__name", "region__short_name", "contact_name"]
    list_select_related = ["region", "round"]

    def get_queryset(self, request: HttpRequest):  # noqa: ANN201 - the admin's queryset
        return super().get_queryset(request).with_unsent_changes()

    @admin.display(description=_("tillsatta (arbetskopia)"))
    def working_filled(self, obj: Report) -> int | None:
        return obj.filled_posts

    @admin.display(description=_("påbörjade (arbetskopia)"))
    def working_started(self, obj: Report) -> int | None:
        return obj.started_posts

    @admin.display(description=_("utkast, inte inskickat"), boolean=True)
    def unsent_changes(self, obj: Report) -> bool:
        return obj.unsent_changes


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "report",
        "number",
        "filled_posts",
        "started_posts",
        "submitted_at",
    ]
    list_filter = ["report__round", "report__region"]
    search_fields = ["reference", "report__region__name"]
    list_select_related = ["report__region", "report__round"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    list_display = ["region", "round", "until", "granted_by", "granted_at"]
    list_filter = ["round", "region"]
    search_fields = ["region__name", "reason"]


@admin.register(BaselineImport)
class BaselineImportAdmin(ReadOnlyAdmin):
    """Imports are made and applied through the officer's pages or the commands, audited."""

    list_display = ["round", "kind", "source", "original_name", "imported_at", "applied_at"]
    list_filter = ["round", "kind", "source"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["round"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["round", "region", "days_before", "due_on", "sent_at"]
    list_filter = ["round", "days_before"]
    list_select_related = ["round", "region"]
