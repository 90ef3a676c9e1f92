"""The region's decisions: the list, one decision explained, and its letter as PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from allocation.explain import explain
from allocation.letters import decision_letter_pdf
from allocation.models import Decision
from allocation.views_read.access import may_read_decision
from regions.models import Region
from regions.roles import is_agency_reader, region_ids_of


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "round", "region", "replaces", "replaced_by", "decided_by", "presented_by"
    )


def _visible_regions(request: HttpRequest) -> QuerySet[Region]:
    """The regions whose decisions the user may list (a ?region= narrows an agency user's)."""
    if is_agency_reader(request.user):
        regions = Region.objects.all()
        chosen = request.GET.get("region", "")
        return regions.filter(pk=chosen) if chosen.isdigit() else regions
    return Region.objects.filter(pk__in=region_ids_of(request.user))


@login_required
def region_decisions(request: HttpRequest) -> HttpResponse:
    """Every decision of the user's region(s), replaced ones included and marked."""
    agency = is_agency_reader(request.user)
    if not agency and not region_ids_of(request.user):
        raise Http404
    regions = _visible_regions(request)
    decisions = (
        _decisions()
        .filter(region__in=regions)
        .order_by("region__short_name", "-round__year", "-decided_at", "-pk")
    )
    context = {
        "decisions": decisions,
        "agency": agency,
        "all_regions": Region.objects.order_by("short_name") if agency else None,
        "chosen_region": request.GET.get("region", ""),
    }
    return render(request, "allocation/region/decisions.html", context)


def _readable_decision(request: HttpRequest, reference: str) -> Decision:
    decision = get_object_or_404(_decisions(), reference=reference)
    if not may_read_decision(request.user, decision):
        raise Http404
    return decision


@login_required
def region_decision(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _readable_decision(request, reference)
    items = explain(
        decision.explanation,
        block1=decision.block1,
        block2=decision.block2,
        total=decision.total,
    )
    context = {"decision": decision, "items": items}
    return render(request, "allocation/region/decision.html", context)


@login_required
def region_decision_letter(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _readable_decision(request, reference)
    pdf = decision_letter_pdf(decision)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="beslut-{decision.reference}.pdf"'
    return response
