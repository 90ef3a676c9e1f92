"""The region's decisions: the list, one decision explained, and its letter as PDF."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from allocation.explain import explain_for
from allocation.letters import decision_letter_pdf
from allocation.models import Decision
from allocation.results import read_explanation
from allocation.views_read.access import may_read_decision
from atgrant.forms import ModelChoiceField
from regions.models import Region
from regions.roles import is_agency_reader, region_ids_of
from registry.selectors import case_number_of


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "round", "region", "replaces", "replaced_by", "decided_by", "presented_by"
    )


class RegionFilter(forms.Form):
    """An agency user's ?region=<id>: anything but a region's id is a field error."""

    region = ModelChoiceField(
        queryset=Region.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Välj en region i listan.")},
    )


def _visible_regions(request: HttpRequest, form: RegionFilter | None) -> QuerySet[Region]:
    """The regions whose decisions the user may list (a ?region= narrows an agency user's;
    a bad one shows none, with the form's error)."""
    if form is None:
        return Region.objects.filter(pk__in=region_ids_of(request.user))
    if not form.is_valid():
        return Region.objects.none()
    chosen = form.cleaned_data["region"]
    return Region.objects.filter(pk=chosen.pk) if chosen else Region.objects.all()


@login_required
def region_decisions(request: HttpRequest) -> HttpResponse:
    """Every decision of the user's region(s), replaced ones included and marked."""
    agency = is_agency_reader(request.user)
    if not agency and not region_ids_of(request.user):
        raise Http404
    form = RegionFilter(request.GET) if agency else None
    regions = _visible_regions(request, form)
    decisions = (
        _decisions()
        .filter(region__in=regions)
        .order_by("region__sort_key", "-round__year", "-decided_at", "-pk")
    )
    context = {
        "decisions": decisions,
        # Each decision's kronor per block of its round's model (rounds differ in blocks).
        "lines": [(d, _cells(d)) for d in decisions],
        "agency": agency,
        "all_regions": Region.objects.order_by("sort_key", "name") if agency else None,
        "filter_form": form,
        "chosen_region": str(form["region"].value() or "") if form else "",
    }
    return render(request, "allocation/region/decisions.html", context)


def _cells(decision: Decision) -> list:
    return read_explanation(decision.explanation, decision.block_amounts())[1].cells


def _readable_decision(request: HttpRequest, reference: str) -> Decision:
    decision = get_object_or_404(_decisions(), reference=reference)
    if not may_read_decision(request.user, decision):
        raise Http404
    return decision


@login_required
def region_decision(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _readable_decision(request, reference)
    _blocks, row = read_explanation(decision.explanation, decision.block_amounts())
    context = {
        "decision": decision,
        "case_number": case_number_of(decision),
        "items": explain_for(decision),
        "decision_row": row,
    }
    return render(request, "allocation/region/decision.html", context)


@login_required
def region_decision_letter(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _readable_decision(request, reference)
    pdf = decision_letter_pdf(decision)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="beslut-{decision.reference}.pdf"'
    return response
