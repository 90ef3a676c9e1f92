"""The officer's page for a round's allocation model: the editor (a draft round only; any
other round shows its model read-only), JSON export and import, the test cases (kontrollfall)
run on every change, and a simulation on an earlier round's inputs.

Access as every agency page (regions.guards.agency_page): officers; auditors read (403 on
every POST); everyone else 404. A POST to a round that is not a draft is refused with 403.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from allocation import engine
from allocation.allocmodel import AllocationModel, ModelError
from allocation.forms_model import (
    SECTIONS,
    ModelCaseForm,
    ModelEditor,
    ModelImportForm,
    SimulationForm,
    case_initial,
)
from allocation.model_cases import CaseOutcome, run_cases
from allocation.model_checks import outcome_problem
from allocation.model_simulation import Simulation, simulate, source_run
from allocation.models import ModelTestCase
from allocation.services import model as service
from atgrant.error_summary import SummaryError, form_errors
from regions.guards import agency_page
from regions.roles import is_officer
from submissions.models import GrantRound, RoundStatus


def _round(slug: str) -> GrantRound:
    return get_object_or_404(GrantRound, slug=slug)


def _editable(request: HttpRequest, grant_round: GrantRound) -> bool:
    return is_officer(request.user) and grant_round.status == RoundStatus.DRAFT


def _refuse_unless_draft(grant_round: GrantRound) -> None:
    if grant_round.status != RoundStatus.DRAFT:
        raise PermissionDenied(
            _("Fördelningsmodellen och kontrollfallen kan bara ändras när omgången är ett utkast.")
        )


def _stored_model(grant_round: GrantRound) -> tuple[AllocationModel | None, str]:
    """The round's model and "", or None and why it cannot be read; a round without a model
    (a new empty draft) is None and "": nothing is wrong before the officer writes one."""
    if not grant_round.model:
        return None, ""
    try:
        return AllocationModel.from_json(grant_round.model), ""
    except ModelError as exc:
        return None, str(exc)


def _cases(grant_round: GrantRound) -> list[ModelTestCase]:
    return list(ModelTestCase.objects.filter(round=grant_round).order_by("name", "pk"))


def _outcomes(
    model: AllocationModel | None, cases: list[ModelTestCase], *, empty: bool = False
) -> list[CaseOutcome]:
    if model is None:
        error = (
            _("Omgången har ingen fördelningsmodell ännu.")
            if empty
            else _("Modellen är inte giltig.")
        )
        return [CaseOutcome(name=case.name, error=error) for case in cases]
    return run_cases(model, cases)


def _simulation(
    request: HttpRequest, grant_round: GrantRound, model: AllocationModel | None
) -> tuple[SimulationForm, Simulation | None, str]:
    bound = "source" in request.GET
    form = SimulationForm(request.GET if bound else None, grant_round=grant_round)
    if not bound or not form.is_valid() or model is None:
        return form, None, ""
    source = form.cleaned_data["source"]
    run = source_run(source)
    if run is None:
        return form, None, _("Omgången har ingen klar körning.")
    try:
        return form, simulate(model, source, run), ""
    except (ModelError, engine.InputError) as exc:
        return form, None, str(exc)


def _render(
    request: HttpRequest,
    grant_round: GrantRound,
    *,
    editor: ModelEditor | None = None,
    import_form: ModelImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    model, model_error = _stored_model(grant_round)
    summary: list[SummaryError] = []
    if status == 400:
        summary = editor.summary() if editor is not None else []
        summary += (
            form_errors(import_form, anchor="id_import-file") if import_form is not None else []
        )
    cases = _cases(grant_round)
    outcomes = _outcomes(model, cases, empty=not grant_round.model)
    simulation_form, simulation, simulation_error = _simulation(request, grant_round, model)
    context: dict[str, Any] = {
        "grant_round": grant_round,
        "editable": _editable(request, grant_round),
        "document": model.to_json() if model is not None else grant_round.model,
        "model_error": model_error,
        "editor": editor or ModelEditor(document=grant_round.model),
        "import_form": import_form or ModelImportForm(),
        "outcomes": list(zip(outcomes, cases, strict=True)),
        "failed": sum(1 for outcome in outcomes if not outcome.passed),
        "simulation_form": simulation_form,
        "simulation": simulation,
        "simulation_error": simulation_error,
        "sections": SECTIONS,
        "error_summary": summary,
        "error_title": _("Modellen sparades inte. Rätta felen nedan:"),
    }
    return render(request, "allocation/officer/model.html", context, status=status)


def _saved_message(request: HttpRequest, grant_round: GrantRound, text: str) -> None:
    model, _error = _stored_model(grant_round)
    outcomes = _outcomes(model, _cases(grant_round), empty=not grant_round.model)
    failed = [outcome_problem(o) for o in outcomes if not o.passed]
    messages.success(request, text)
    if failed:
        messages.warning(request, " ".join(failed))
    elif outcomes:
        messages.success(
            request,
            ngettext(
                "Kontrollfallet stämmer.",
                "Alla %(count)s kontrollfall stämmer.",
                len(outcomes),
            )
            % {"count": len(outcomes)},
        )


def _to_page(grant_round: GrantRound, anchor: str = "") -> HttpResponse:
    url = reverse("allocation:round_model", args=[grant_round.slug])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@agency_page
def round_model(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = _round(slug)
    if request.method != "POST":
        return _render(request, grant_round)
    _refuse_unless_draft(grant_round)
    action = request.POST.get("add", "")
    if action in SECTIONS:
        # Another row to fill in: nothing is checked or saved.
        editor = ModelEditor(ModelEditor.with_added_row(request.POST, action))
        return _render(request, grant_round, editor=editor)
    editor = ModelEditor(request.POST)
    model = editor.model()
    if model is None:
        return _render(request, grant_round, editor=editor, status=400)
    try:
        service.round_model_set(
            grant_round=grant_round, model=model, by=request.user, imported=False
        )
    except ValidationError as exc:
        editor.model_errors.extend(exc.messages)
        return _render(request, grant_round, editor=editor, status=400)
    _saved_message(request, grant_round, _("Fördelningsmodellen är sparad."))
    return _to_page(grant_round)


@agency_page
@require_GET
def round_model_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The round's model as a format-1 JSON file (for machines: allocate_csv --rules)."""
    grant_round = _round(slug)
    model, _error = _stored_model(grant_round)
    document = model.to_json() if model is not None else grant_round.model
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="fordelningsmodell-{slug}.json"'
    return response


@agency_page
@require_POST
def round_model_import(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = _round(slug)
    _refuse_unless_draft(grant_round)
    form = ModelImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.round_model_set(
                grant_round=grant_round,
                model=form.cleaned_data["file"],
                by=request.user,
                imported=True,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _saved_message(request, grant_round, _("Fördelningsmodellen är importerad."))
            return _to_page(grant_round)
    return _render(request, grant_round, import_form=form, status=400)


def _case(grant_round: GrantRound, pk: int | None) -> ModelTestCase | None:
    if pk is None:
        return None
    return get_object_or_404(ModelTestCase, round=grant_round, pk=pk)


@agency_page
def model_case(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add (``pk`` None) or change a test case of a draft round."""
    grant_round = _round(slug)
    case = _case(grant_round, pk)
    if request.method == "POST":
        _refuse_unless_draft(grant_round)
        model, _error = _stored_model(grant_round)
        block_ids = model.block_ids if model is not None else None
        form = ModelCaseForm(request.POST, block_ids=block_ids)
        if form.is_valid():
            try:
                service.model_case_save(
                    grant_round=grant_round, case=case, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error("name", exc)
            else:
                _saved_message(request, grant_round, _("Kontrollfallet är sparat."))
                return _to_page(grant_round, "kontrollfall")
    else:
        form = ModelCaseForm(initial=case_initial(case) if case else None)
    status = 400 if request.method == "POST" else 200
    context = {
        "grant_round": grant_round,
        "case": case,
        "form": form,
        "editable": _editable(request, grant_round),
        "error_summary": form_errors(form) if status == 400 else [],
        "error_title": _("Kontrollfallet sparades inte. Rätta felen nedan:"),
    }
    return render(request, "allocation/officer/model_case.html", context, status=status)


@agency_page
def model_case_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """'Ta bort': a page that asks (GET), then the removal (POST from that page)."""
    grant_round = _round(slug)
    case = _case(grant_round, pk)
    if request.method != "POST":
        context = {"grant_round": grant_round, "case": case}
        if not _editable(request, grant_round):
            return _to_page(grant_round, "kontrollfall")
        return render(request, "allocation/officer/model_case_remove.html", context)
    _refuse_unless_draft(grant_round)
    try:
        service.model_case_remove(grant_round=grant_round, case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Kontrollfallet är borttaget."))
    return _to_page(grant_round, "kontrollfall")
