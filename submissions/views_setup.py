"""The officer's pages for preparing a round: a new round (empty or a copy), importing
population figures and plans, editing the plans, the checks before opening and opening.

Upload, look, confirm: the upload is parsed and kept (nothing in the round changes), the
next page shows the figures beside the round's present ones and the previous round's with
changes over 5 % flagged, and only its confirmation writes them into the baselines.
Access as every agency page (regions.guards.agency_page): officers; auditors may
look but not post; everyone else 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from atgrant.error_summary import SummaryError, add_service_errors, form_errors
from regions.guards import agency_page
from regions.roles import is_officer
from submissions import baselines, setup
from submissions import round_edit as edit
from submissions.forms import NewRoundForm, PlansForm, RoundDatesForm
from submissions.models import BaselineImport, GrantRound, ImportKind, RoundBaseline, RoundStatus

MAX_UPLOAD_BYTES = 2 * 1024 * 1024

KINDS = {
    "befolkning": ImportKind.POPULATION,
    "planeringsunderlag": ImportKind.PLAN,
}


class ImportFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fil"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Filen är för stor (högst %(mb)s MB).") % {"mb": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


def _stage(grant_round: GrantRound, kind: str, upload, user) -> BaselineImport:
    content = upload.read()
    stage = (
        baselines.population_import_stage
        if kind == ImportKind.POPULATION
        else baselines.plan_import_stage
    )
    return stage(grant_round=grant_round, content=content, name=upload.name, by=user)


@agency_page
def baseline_upload(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    grant_round = get_object_or_404(GrantRound, slug=slug)
    if kind not in KINDS:
        raise Http404
    import_kind = KINDS[kind]
    posted = request.method == "POST"
    form = ImportFileForm(request.POST, request.FILES) if posted else ImportFileForm()
    status = 200
    if posted:
        if form.is_valid():
            try:
                staged = _stage(grant_round, import_kind, form.cleaned_data["file"], request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                return redirect("submissions:import_confirm", slug=slug, pk=staged.pk)
        status = 400
    context = {
        "grant_round": grant_round,
        "kind": import_kind,
        "kind_label": ImportKind(import_kind).label,
        "form": form,
        "preparable": grant_round.status in baselines.PREPARABLE,
        "can_write": is_officer(request.user),
        "imports": grant_round.imports.filter(kind=import_kind).select_related(
            "imported_by", "applied_by"
        ),
    }
    return render(request, "submissions/officer/baseline_upload.html", context, status=status)


@agency_page
def import_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    staged = get_object_or_404(
        BaselineImport.objects.select_related("round", "imported_by"), round__slug=slug, pk=pk
    )
    if request.method == "POST":
        try:
            baselines.baseline_import_apply(baseline_import=staged, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("submissions:import_confirm", slug=slug, pk=pk)
        messages.success(
            request,
            _("Uppgifterna för %(count)s regioner är införda i omgången.")
            % {"count": len(staged.figures)},
        )
        kind = next(key for key, value in KINDS.items() if value == staged.kind)
        return redirect("submissions:baseline_upload", slug=slug, kind=kind)
    earlier = baselines.previous_round(staged.round)
    rows = baselines.import_comparison(baseline_import=staged, earlier=earlier)
    context = {
        "staged": staged,
        "grant_round": staged.round,
        "rows": rows,
        "flagged": [row for row in rows if row.flagged],
        "previous_round": earlier,
        "population": staged.kind == ImportKind.POPULATION,
        "can_write": is_officer(request.user),
        "preparable": staged.round.status in baselines.PREPARABLE,
        "flag_percent": baselines.FLAG_CHANGE_PERCENT,
    }
    return render(request, "submissions/officer/import_confirm.html", context)


# --- a new round, its plans, the checks and opening (submissions.setup) ----------------------


@agency_page
def round_new(request: HttpRequest) -> HttpResponse:
    """'Ny omgång': an empty draft, or (``?fran=<slug>``) a copy of an earlier round."""
    rounds = GrantRound.objects.order_by("-year", "name")
    source = None
    status = 200
    if request.method == "POST":
        form = NewRoundForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                created = setup.round_create(by=request.user, **data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Omgången %(name)s är skapad som utkast.") % {"name": created.name},
                )
                return redirect("submissions:round_setup", slug=created.slug)
        source = form.cleaned_data.get("source") if hasattr(form, "cleaned_data") else None
        status = 400
    else:
        slug = request.GET.get("fran", "")
        if slug:
            source = rounds.filter(slug=slug).first()
            if source is None:
                raise Http404
        initial = (
            setup.copy_initial(source)
            if source
            else setup.empty_initial(timezone.localdate(timezone=setup.STOCKHOLM))
        )
        form = NewRoundForm(initial=initial)
    context = {
        "form": form,
        "source": source,
        "rounds": rounds,
        "can_write": is_officer(request.user),
        "error_summary": form_errors(form) if status == 400 else [],
        "error_title": _("Omgången skapades inte. Rätta felen nedan:"),
    }
    return render(request, "submissions/officer/round_new.html", context, status=status)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    add_service_errors(form, exc, {"deadline": "deadline_on", "opens_at": "opens_on"})


@agency_page
def round_setup(request: HttpRequest, slug: str) -> HttpResponse:
    """The round's preparation: what it has, the imports, the plans, the checks, opening."""
    grant_round = get_object_or_404(GrantRound, slug=slug)
    return _render_setup(request, grant_round)


# Where the officer does what a check asks: check key -> (URL name, its args, link text).
CHECK_LINKS = {
    "regions": (
        "submissions:baseline_upload",
        ("befolkning",),
        gettext_lazy("Importera befolkning"),
    ),
    "population": (
        "submissions:baseline_upload",
        ("befolkning",),
        gettext_lazy("Importera befolkning"),
    ),
    "plan": ("submissions:round_plans", (), gettext_lazy("Skriv in planeringsunderlag")),
    "model": ("allocation:round_model", (), gettext_lazy("Till fördelningsmodellen")),
    "dates": ("", (), gettext_lazy("Ändra datumen")),
    "recipients": ("regions:register_list", None, gettext_lazy("Till regionregistret")),
}


def _check_link(grant_round: GrantRound, key: str) -> tuple[str, str] | None:
    if key not in CHECK_LINKS:
        return None
    name, args, text = CHECK_LINKS[key]
    if not name:  # the edit form on the page itself
        return ("#round-edit", str(text)) if grant_round.status == RoundStatus.DRAFT else None
    url = reverse(name) if args is None else reverse(name, args=[grant_round.slug, *args])
    return url, str(text)


def _render_setup(
    request: HttpRequest,
    grant_round: GrantRound,
    *,
    status: int = 200,
    edit_form: RoundDatesForm | None = None,
    summary: list[SummaryError] | None = None,
    summary_title: str = "",
) -> HttpResponse:
    checks = setup.opening_checks(grant_round)
    baselines = (
        RoundBaseline.objects.filter(round=grant_round)
        .select_related("region")
        .order_by("region__sort_key", "region__name")
    )
    recipients = setup.recipients_by_region(grant_round)
    draft = grant_round.status == RoundStatus.DRAFT
    context = {
        "grant_round": grant_round,
        "checks": [(check, _check_link(grant_round, check.key)) for check in checks],
        "ready": not setup.blocking_problems(checks),
        "draft": draft,
        "rows": [(b, recipients.get(b.region, [])) for b in baselines],
        "can_write": is_officer(request.user),
        "edit_form": edit_form or RoundDatesForm(initial=edit.edit_initial(grant_round)),
        "error_summary": summary or [],
        "error_title": summary_title,
    }
    return render(request, "submissions/officer/round_setup.html", context, status=status)


@agency_page
@require_POST
def round_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """A draft round's name, dates and reminder days (the form on the preparation page)."""
    grant_round = get_object_or_404(GrantRound, slug=slug)
    form = RoundDatesForm(request.POST)
    if grant_round.status != RoundStatus.DRAFT:
        form.is_valid()
        form.add_error(
            None,
            _("Omgången är %(status)s: den kan bara ändras här medan den är ett utkast.")
            % {"status": grant_round.status_label.lower()},
        )
    elif form.is_valid():
        try:
            edit.round_update(grant_round=grant_round, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Omgångens namn och datum är sparade."))
            return redirect("submissions:round_setup", slug=slug)
    grant_round.refresh_from_db()
    return _render_setup(
        request,
        grant_round,
        status=400,
        edit_form=form,
        summary=form_errors(form, anchor="round-edit"),
        summary_title=_("Omgången ändrades inte. Rätta felen nedan:"),
    )


@agency_page
def round_plans(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan as written for each participating region of a draft round."""
    grant_round = get_object_or_404(GrantRound, slug=slug)
    baselines = list(
        RoundBaseline.objects.filter(round=grant_round)
        .select_related("region")
        .order_by("region__sort_key", "region__name")
    )
    draft = grant_round.status == RoundStatus.DRAFT
    status = 200
    if request.method == "POST" and draft:
        form = PlansForm(request.POST, baselines=baselines)
        if form.is_valid():
            try:
                changed = setup.plans_set(
                    grant_round=grant_round, plans=form.plans(), by=request.user
                )
            except ValidationError as exc:
                for code, errors in getattr(exc, "message_dict", {"": exc.messages}).items():
                    name = form.field_of(code)
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Planeringsunderlaget är sparat för %(count)s regioner.")
                    % {"count": changed},
                )
                return redirect("submissions:round_setup", slug=slug)
        status = 400
    else:
        form = PlansForm(baselines=baselines)
    context = {
        "grant_round": grant_round,
        "form": form,
        "draft": draft,
        "can_write": is_officer(request.user),
        "error_summary": form_errors(form) if status == 400 else [],
        "error_title": _("Planeringsunderlaget sparades inte. Rätta felen nedan:"),
    }
    return render(request, "submissions/officer/round_plans.html", context, status=status)


@agency_page
@require_POST
def round_open(request: HttpRequest, slug: str) -> HttpResponse:
    """'Öppna omgången': refused, with the failed checks, while any fails."""
    grant_round = get_object_or_404(GrantRound, slug=slug)
    try:
        setup.round_open(grant_round=grant_round, by=request.user)
    except ValidationError as exc:
        anchors = {
            problem: f"check-{check.key}"
            for check in setup.opening_checks(grant_round)
            for problem in check.problems
        }
        summary = [
            SummaryError(anchors.get(message, "checks-heading"), message)
            for message in exc.messages
        ]
        title = _("Omgången öppnades inte. Rätta felen nedan:")
        return _render_setup(request, grant_round, status=400, summary=summary, summary_title=title)
    messages.success(
        request,
        _("%(name)s är öppen. Regionernas ombud och registraturer har fått besked.")
        % {"name": grant_round.name},
    )
    return redirect("allocation:round", slug=slug)
