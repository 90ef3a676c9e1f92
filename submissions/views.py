"""Pages of reporting: the region's dashboard and report, receipts, and the officer's tables.

Access: a region's people reach only their own region's objects (any other: 404); officers
and auditors read everything; only officers grant extensions (auditors: 403); only a
region's people write its report (agency users: 403) and only its proxy submits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from atgrant.error_summary import add_service_errors, form_errors
from atgrant.pagination import page_number, page_of
from atgrant.spreadsheets import csv_response, xlsx_response
from atgrant.templatetags.atgrant_format import format_number, sv_datetime
from regions.fields import RegionField
from regions.guards import agency_page
from regions.models import Region
from regions.roles import is_agency_reader, is_member_of, is_officer, is_proxy_of
from submissions import calendar, exports, selectors, services
from submissions.deadlines import effective_deadline, latest_extension
from submissions.forms import ExtensionForm, ReportForm
from submissions.models import GrantRound, ReportVersion, RoundStatus
from submissions.receipts import receipt_filename, receipt_pdf


def _round(request: HttpRequest, slug: str) -> GrantRound:
    grant_round = get_object_or_404(GrantRound, slug=slug)
    if grant_round.status == RoundStatus.DRAFT and not is_agency_reader(request.user):
        raise Http404
    return grant_round


def _region(request: HttpRequest, code: str) -> Region:
    """The region, if the user may see it: its own people and the agency. Else 404."""
    region = get_object_or_404(Region, code=code)
    if not (is_agency_reader(request.user) or is_member_of(request.user, region)):
        raise Http404
    return region


# --- the region's pages ---------------------------------------------------------------------


@login_required
def deadline_calendar(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The region's deadline in the round (its extension, if any) as an .ics file."""
    grant_round, region = _round(request, slug), _region(request, code)
    now = timezone.now()
    card = selectors.report_card(grant_round=grant_round, region=region, now=now)
    link = request.build_absolute_uri(reverse("submissions:report_edit", args=[slug, code]))
    content = calendar.deadline_event(
        uid=f"sista-dag-{grant_round.slug}-{region.code}@{request.get_host().split(':')[0]}",
        summary=_("Sista dag för inrapportering: %(round)s") % {"round": grant_round.name},
        description=_(
            "%(region)s rapporterar in AT-tjänster för %(round)s senast %(deadline)s. %(link)s"
        )
        % {
            "region": region.name,
            "round": grant_round.name,
            "deadline": sv_datetime(card.deadline),
            "link": link,
        },
        url=link,
        # The last working hours of the last day, ending at the deadline itself.
        starts=card.deadline - dt.timedelta(hours=2),
        ends=card.deadline + dt.timedelta(seconds=1),
        stamp=now,
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    filename = f"sista-dag-{grant_round.slug}-{region.code}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    boards = selectors.dashboard_for(request.user, now=timezone.now())
    context = {"boards": boards, "is_agency": is_agency_reader(request.user)}
    return render(request, "submissions/dashboard.html", context)


def _render_report(
    request: HttpRequest,
    card: selectors.ReportCard,
    form: ReportForm | None = None,
    *,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_write = is_member_of(user, card.region) and card.writable
    if form is None and can_write:
        form = ReportForm(initial=_initial(card))
    context = {
        "card": card,
        "form": form if can_write else None,
        "can_submit": is_proxy_of(user, card.region),
        "conflict": conflict,
        # A refused write with the form gone (deadline passed): still show what they typed.
        "unsaved": _unsaved(form) if form is not None and form.is_bound and not can_write else None,
        "decision": _decision_in_force(card),
        # The summary every refused form page shows (atgrant.error_summary).
        "form_errors": form_errors(form) if form is not None and can_write else [],
    }
    return render(request, "submissions/report.html", context, status=status)


def _decision_in_force(card: selectors.ReportCard) -> str | None:
    """The reference of the region's decision in force once the round is decided, else None."""
    if card.grant_round.status != RoundStatus.DECIDED:
        return None
    from allocation.models import Decision

    # query: the region's decision in force in the round (none if it did not report)
    return (
        Decision.objects.filter(
            round=card.grant_round, region=card.region, replaced_by__isnull=True
        )
        .values_list("reference", flat=True)
        .first()
    )


def _unsaved(form: ReportForm) -> list[tuple[str, str]]:
    return [(f.label, f.value() or "") for f in form.visible_fields()]


def _initial(card: selectors.ReportCard) -> dict[str, object]:
    initial: dict[str, object] = {"revision": card.revision}
    source = card.report or card.latest_version
    if source is not None:
        initial.update({f: getattr(source, f) for f in services.REPORT_FIELDS})
    return initial


def _with_current_revision(
    request: HttpRequest, revision: int, *, for_submission: bool
) -> ReportForm:
    """The user's input, unchanged, at the stored revision: a new save is a deliberate overwrite."""
    data = request.POST.copy()
    data["revision"] = str(revision)
    form = ReportForm(data, for_submission=for_submission)
    form.is_valid()
    return form


@login_required
def report_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    grant_round, region = _round(request, slug), _region(request, code)
    card = selectors.report_card(grant_round=grant_round, region=region, now=timezone.now())
    if request.method != "POST":
        return _render_report(request, card)
    if not is_member_of(request.user, region):
        raise PermissionDenied
    review = request.POST.get("action") == "review"
    form = ReportForm(request.POST, for_submission=review)
    if not form.is_valid():
        return _render_report(request, card, form)
    if review:
        return _review(request, card, form)
    try:
        services.report_save_draft(
            grant_round=grant_round,
            region=region,
            data=form.report_data(),
            revision=form.cleaned_data["revision"],
            by=request.user,
        )
    except ValidationError as error:
        return _refused(request, grant_round, region, error, for_submission=False)
    messages.success(request, _("Utkastet är sparat. Det är inte inskickat."))
    return redirect("submissions:report_edit", slug=slug, code=code)


def _review(request: HttpRequest, card: selectors.ReportCard, form: ReportForm) -> HttpResponse:
    """The confirmation page: exactly what will be sent, in hidden fields for the confirm POST."""
    if not is_proxy_of(request.user, card.region):
        raise PermissionDenied(_("Bara regionens ombud kan skicka in rapporten."))
    if card.refusal:
        # The refusal states the round's state; this POST also gets what became of it.
        messages.error(
            request, _("%(refusal)s Uppgifterna har inte skickats in.") % {"refusal": card.refusal}
        )
        return _render_report(request, card, form)
    if form.cleaned_data["revision"] != card.revision and card.report is not None:
        form = _with_current_revision(request, card.revision, for_submission=True)
        # The stored report is these very values, saved by this person (a form sent again
        # after its save): nothing to compare, confirm at the stored revision.
        if not services.is_own_result(card.report, form.report_data(), request.user):
            messages.error(request, str(services.ReportConflict(card.report).messages[0]))
            return _render_report(request, card, form, conflict=True)
    data = form.report_data()
    warnings = selectors.unusual_figures_for(
        grant_round=card.grant_round,
        region=card.region,
        filled=data.filled_posts,
        started=data.started_posts,
    )
    return _render_confirm(request, card, form, warnings)


def _render_confirm(
    request: HttpRequest,
    card: selectors.ReportCard,
    form: ReportForm,
    warnings: list[str],
    *,
    unconfirmed: bool = False,
) -> HttpResponse:
    """The confirmation page; unusual figures (submissions.plausibility) with a tick box."""
    context = {
        "card": card,
        "form": form,
        "data": form.report_data(),
        "warnings": warnings,
        "unconfirmed": unconfirmed,
    }
    return render(request, "submissions/confirm.html", context, status=400 if unconfirmed else 200)


def _refused(
    request: HttpRequest,
    grant_round: GrantRound,
    region: Region,
    error: ValidationError,
    *,
    for_submission: bool,
) -> HttpResponse:
    """Re-render the form with the user's own input and the reason it was not saved."""
    for message in error.messages:
        messages.error(request, message)
    card = selectors.report_card(grant_round=grant_round, region=region, now=timezone.now())
    conflict = isinstance(error, services.ReportConflict)
    if conflict:
        form = _with_current_revision(request, card.revision, for_submission=for_submission)
    else:
        form = ReportForm(request.POST, for_submission=for_submission)
        form.is_valid()
    return _render_report(request, card, form, conflict=conflict, status=409 if conflict else 200)


@login_required
def report_submit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    grant_round, region = _round(request, slug), _region(request, code)
    if request.method != "POST":
        return redirect("submissions:report_edit", slug=slug, code=code)
    if not is_proxy_of(request.user, region):
        raise PermissionDenied(_("Bara regionens ombud kan skicka in rapporten."))
    form = ReportForm(request.POST, for_submission=True)
    if not form.is_valid():
        card = selectors.report_card(grant_round=grant_round, region=region, now=timezone.now())
        return _render_report(request, card, form)
    try:
        version = services.report_submit(
            grant_round=grant_round,
            region=region,
            data=form.report_data(),
            revision=form.cleaned_data["revision"],
            by=request.user,
            confirm_unusual=request.POST.get("confirm_unusual") == "1",
        )
    except services.UnusualFigures as unusual:
        card = selectors.report_card(grant_round=grant_round, region=region, now=timezone.now())
        return _render_confirm(request, card, form, unusual.warnings, unconfirmed=True)
    except ValidationError as error:
        return _refused(request, grant_round, region, error, for_submission=True)
    messages.success(
        request,
        _("Rapporten är inskickad. Kvittensen skickas till dig med e-post."),
    )
    return redirect("submissions:receipt", slug=slug, code=code, number=version.number)


def _version(request: HttpRequest, slug: str, code: str, number: int) -> ReportVersion:
    grant_round, region = _round(request, slug), _region(request, code)
    return get_object_or_404(
        ReportVersion.objects.select_related(
            "report__round", "report__region", "report__latest_version", "submitted_by"
        ),
        report__round=grant_round,
        report__region=region,
        number=number,
    )


@login_required
def receipt(request: HttpRequest, slug: str, code: str, number: int) -> HttpResponse:
    version = _version(request, slug, code, number)
    # The receipt says whether this version still counts, or which one replaced it.
    latest = version.report.latest_version.number
    report = version.report
    context = {
        "version": version,
        "report": report,
        "latest": latest,
        "round_open": report.round.status == RoundStatus.OPEN,
        # query: the region's extension: until when the report may be changed, as of now
        "deadline": effective_deadline(
            report.round, latest_extension(grant_round=report.round, region=report.region)
        ),
    }
    return render(request, "submissions/receipt.html", context)


@login_required
def receipt_download(request: HttpRequest, slug: str, code: str, number: int) -> HttpResponse:
    version = _version(request, slug, code, number)
    response = HttpResponse(receipt_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(version)}"'
    return response


# --- the agency's pages ---------------------------------------------------------------------


@agency_page
def rounds_overview(request: HttpRequest) -> HttpResponse:
    rounds = selectors.rounds_for_user(request.user)
    return render(request, "submissions/officer_rounds.html", {"rounds": rounds})


def _region_named(typed: str) -> Region | None:
    """The region ``typed`` names (a row of the table links with its code), to fill in the
    extension form; None for no region (one query, none for "")."""
    try:
        return RegionField(required=False).clean(typed[:50])
    except ValidationError:
        return None


@dataclass(frozen=True)
class TableRow:
    """One region's row of the officer's table, every cell's text ready (a page has 50 rows
    of 8 cells; the template looks each up once, as the auditor's history does)."""

    name: str
    edit_url: str
    unusual: list[str]
    applied: bool
    draft: str  # the badge of a draft beside what counts, or ""
    filled_text: str
    started_text: str
    posts_text: str
    submitted_text: str
    receipt_url: str
    versions_text: str
    extension: str
    extend_url: str
    extend_label: str


def _table_rows(
    grant_round: GrantRound, rows: list[selectors.RoundReportRow], *, can_extend: bool, page: int
) -> list[TableRow]:
    """The page's RoundReportRows as the table shows them; an empty cell is "", an unknown
    figure "–"."""
    extend = reverse("submissions:extension_grant", kwargs={"slug": grant_round.slug})
    back = f"&page={page}" if page > 1 else ""
    table = []
    for row in rows:
        code, version, extension = row.region.code, row.latest_version, row.extension
        extended = ""
        if extension is not None:
            extended = _("till %(until)s av %(by)s: %(reason)s") % {
                "until": sv_datetime(extension.until),
                "by": extension.granted_by.email,
                "reason": extension.reason,
            }
            if not grant_round.extensions_open:
                extended += " (" + _("avslutad") + ")"
        draft = ""
        if row.unsent_changes:
            draft = (
                _("Utkast: ändringar inte inskickade")
                if row.applied
                else _("Utkast, inte inskickat")
            )
        table.append(
            TableRow(
                name=row.region.name,
                edit_url=reverse("submissions:report_edit", args=[grant_round.slug, code]),
                unusual=row.unusual,
                applied=row.applied,
                draft=draft,
                filled_text=(format_number(version.filled_posts) or "–") if version else "",
                started_text=(format_number(version.started_posts) or "–") if version else "",
                posts_text=format_number(version.posts) if version else "",
                submitted_text=sv_datetime(version.submitted_at) if version else "",
                receipt_url=reverse(
                    "submissions:receipt", args=[grant_round.slug, code, version.number]
                )
                if version
                else "",
                versions_text=format_number(row.version_count),
                extension=extended,
                extend_url=f"{extend}?region={code}{back}" if can_extend else "",
                extend_label=_("svarstiden för %(name)s") % {"name": row.region.name},
            )
        )
    return table


@agency_page
def round_reports(request: HttpRequest, slug: str) -> HttpResponse:
    # The whole round's counts, not the page's: regions that applied, reports not sent in.
    grant_round = get_object_or_404(
        selectors.with_report_counts(GrantRound.objects.all()), slug=slug
    )
    # queries: the regions' count and this page of them (50 a page, by name)
    page = page_of(request, Region.objects.order_by("sort_key", "name"))
    can_extend = is_officer(request.user) and grant_round.extensions_open
    context = {
        "grant_round": grant_round,
        "page": page,
        "rows": _table_rows(
            grant_round,
            selectors.round_report_rows(grant_round, regions=page.object_list),
            can_extend=can_extend,
            page=page.number,
        ),
        "can_extend": can_extend,
    }
    return render(request, "submissions/officer_round.html", context)


@agency_page
def round_reports_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """For people: the round's table, every region, as a CSV for Excel in Sweden."""
    grant_round = get_object_or_404(GrantRound, slug=slug)
    table = exports.round_reports_table(selectors.round_report_rows(grant_round))
    return csv_response(table, f"inrapporteringar-{grant_round.slug}.csv")


@agency_page
def round_reports_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """For people: the same table as an Excel workbook."""
    grant_round = get_object_or_404(GrantRound, slug=slug)
    table = exports.round_reports_table(selectors.round_report_rows(grant_round))
    return xlsx_response(
        [(_("Inrapporteringar"), table)],
        title=grant_round.name,
        filename=f"inrapporteringar-{grant_round.slug}.xlsx",
    )


@agency_page
@require_http_methods(["GET", "POST"])
def extension_grant(request: HttpRequest, slug: str) -> HttpResponse:
    """The officer's page for a region's later deadline, a page of its own (the table links
    to it, a region's row with ``?region=`` its code): GET the form, POST grant it. A refused
    form answers 400 with its errors. ``?page=`` is the table's page to go back to."""
    if not is_officer(request.user):
        raise PermissionDenied(_("Endast handläggare kan förlänga svarstiden."))
    grant_round = get_object_or_404(GrantRound, slug=slug)
    table = reverse("submissions:round_reports", kwargs={"slug": slug})
    number = page_number(request)
    back = f"{table}?page={number}" if number else table
    if request.method == "POST":
        form = ExtensionForm(request.POST)
        if form.is_valid():
            try:
                extension = services.deadline_extension_grant(
                    grant_round=grant_round,
                    region=form.cleaned_data["region"],
                    until=form.until,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error, {"until": "until_date"})
            else:
                messages.success(
                    request,
                    _("Svarstiden för %(region)s är förlängd.") % {"region": extension.region.name},
                )
                return redirect(back)
        region = getattr(form, "cleaned_data", {}).get("region")
    else:
        region = _region_named(request.GET.get("region", ""))
        form = ExtensionForm(initial={"region": region.name if region else ""})
    context = {
        "grant_round": grant_round,
        "form": form,
        # The extension the region has now, if any: the officer sees what a new one replaces.
        "region": region,
        "current": latest_extension(grant_round=grant_round, region=region) if region else None,
        "errors": form_errors(form),
        "back": back,
        "can_extend": grant_round.extensions_open,
    }
    return render(
        request,
        "submissions/extension_grant.html",
        context,
        status=400 if form.is_bound else 200,
    )
