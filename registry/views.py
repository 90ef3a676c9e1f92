"""The registry's pages (officers and auditors) and the officer's delivery and archive actions
on a decided round.

Access as on the officer's allocation pages (regions.guards.agency_page): officers
read and write, auditors read (403 on POST), everyone else 404, anonymous users log in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from atgrant.pagination import page_of
from atgrant.security import sensitive_action
from regions.guards import agency_page
from registry import selectors
from registry.archive import round_archive
from registry.csv import registry_csv_response
from registry.delivery import deliveries_resend
from registry.forms import RegistryFilter
from registry.links import document_url
from registry.models import RegistryEntry
from submissions.models import GrantRound, RoundStatus


@dataclass(frozen=True)
class EntryRow:
    entry: RegistryEntry
    link: str


def _filtered(request: HttpRequest) -> tuple[RegistryFilter, object]:
    form = RegistryFilter(request.GET or None, years=selectors.registry_years())
    filters = form.filters() if form.is_bound else {}
    entries = selectors.registry_entries(**filters) if filters is not None else None
    return form, entries


@agency_page
@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    if entries is None:
        entries = RegistryEntry.objects.none()
    page = page_of(request, selectors.with_documents(entries))
    rows = [EntryRow(entry, document_url(entry)) for entry in page.object_list]
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "page": page, "rows": rows, "query": request.GET.urlencode()}
    return render(request, "registry/list.html", context, status=status)


@agency_page
@require_GET
def registry_csv(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    if entries is None:
        # A bad filter is shown on the page with its message, not as an empty file.
        context = {"form": form, "page": page_of(request, []), "rows": [], "query": ""}
        return render(request, "registry/list.html", context, status=400)
    return registry_csv_response(entries.iterator(chunk_size=2000), "diarium.csv")


@agency_page
@require_GET
def sent_message(request: HttpRequest, pk: int) -> HttpResponse:
    """An e-mail the agency sent, as sent, with its case number (the registry links here)."""
    message, entry = selectors.sent_message(pk=pk)
    return render(request, "registry/sent_message.html", {"message": message, "entry": entry})


def _decided_round(slug: str) -> GrantRound:
    return get_object_or_404(GrantRound, slug=slug, status=RoundStatus.DECIDED)


@agency_page
@sensitive_action
@require_POST
def round_deliveries_resend(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = _decided_round(slug)
    try:
        queued = deliveries_resend(grant_round=grant_round, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if queued:
            messages.success(
                request,
                ngettext(
                    "%(count)s e-postmeddelande är köat för utskick igen.",
                    "%(count)s e-postmeddelanden är köade för utskick igen.",
                    queued,
                )
                % {"count": queued},
            )
        else:
            messages.info(request, _("Det finns inget att skicka igen."))
    return redirect("allocation:round", slug=grant_round.slug)


@agency_page
@require_GET
def round_archive_zip(request: HttpRequest, slug: str) -> FileResponse:
    grant_round = _decided_round(slug)
    response = FileResponse(
        round_archive(grant_round),
        as_attachment=True,
        filename=f"arkiv-{grant_round.slug}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
