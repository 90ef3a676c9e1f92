"""The officer's pages for preparing a round: importing population figures and plans.

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regions.guards import agency_page
from regions.roles import is_officer
from submissions import baselines
from submissions.models import BaselineImport, GrantRound, ImportKind

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
