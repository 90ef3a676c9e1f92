"""The officer's allocation pages: rounds, closing, preview, deductions, runs, decisions.

Access: officers read and write; auditors read (403 on every POST); a region's people get 404
(they do not learn the pages exist); anonymous users are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from allocation import reconsideration, selectors
from allocation.explain import correction_texts, explain
from allocation.forms import DeductionForm, IssueForm, OverrideForm, ReconsiderForm
from allocation.models import AllocationRun, Decision, RunStatus
from allocation.results import (
    Row,
    RunResult,
    decision_table,
    read_explanation,
    read_result,
    round_model_blocks,
    value_columns,
    value_label,
)
from allocation.services import decisions, preparation, record, runs
from allocation.services.common import PREPARABLE
from allocation.services.lease import is_abandoned
from allocation.snapshot import preview, snapshot_differences
from atgrant.security import sensitive_action
from regions.guards import agency_page
from regions.models import Region
from regions.roles import is_officer
from registry.notices import delivery_message, issue_message
from registry.selectors import case_number_of, round_deliveries
from submissions import closing
from submissions.models import GrantRound, RoundStatus
from submissions.selectors import round_gaps, still_writable
from submissions.services import report_reminders_send

View = Callable[..., HttpResponse]


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _round(slug: str) -> GrantRound:
    return get_object_or_404(GrantRound, slug=slug)


def _run(slug: str, number: int) -> AllocationRun:
    return get_object_or_404(
        AllocationRun.objects.select_related("round", "requested_by"),
        round__slug=slug,
        number=number,
    )


def _round_redirect(grant_round: GrantRound) -> HttpResponse:
    return redirect("allocation:round", slug=grant_round.slug)


# --- rounds ----------------------------------------------------------------------------------


@agency_page
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    grant_rounds = GrantRound.objects.order_by("-year", "name")
    return render(request, "allocation/officer/rounds.html", {"rounds": grant_rounds})


def _with_reasons(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.deduction_reason or row.override_reason]


def _result_view(snapshot: dict[str, Any] | None, result: dict[str, Any] | None) -> RunResult:
    """Any stored result (old shape or format 2) as the tables show it, block by block."""
    return read_result(snapshot, result)


def _round_context(request: HttpRequest, grant_round: GrantRound) -> dict[str, Any]:
    preparable = grant_round.status in PREPARABLE
    runs = list(selectors.runs_of_round(grant_round=grant_round))
    active = next((run for run in runs if run.is_active), None)
    current = preview(grant_round) if preparable else None
    view = _result_view(current.snapshot, current.result) if current and current.ok else None
    rows = view.rows if view else []
    decided = (
        list(selectors.decisions_in_force(grant_round=grant_round))
        if grant_round.status == RoundStatus.DECIDED
        else None
    )
    gaps = round_gaps(grant_round) if grant_round.status == RoundStatus.OPEN or preparable else None
    return {
        "grant_round": grant_round,
        "can_write": is_officer(request.user),
        "preparable": preparable,
        "due": grant_round.status == RoundStatus.OPEN
        and closing.is_due(grant_round, timezone.now()),
        "deadline_passed": grant_round.status == RoundStatus.OPEN
        and grant_round.deadline_passed(timezone.now()),
        "closes_at": closing.closes_at(grant_round),
        "preview": current,
        "preview_rows": rows,
        "preview_view": view,
        "preview_reasons": _with_reasons(rows),
        "value_columns": value_columns(view.value_names) if view else [],
        "deductions": selectors.deductions_of_round(grant_round=grant_round),
        "overrides": selectors.overrides_of_round(grant_round=grant_round),
        "not_reporting": selectors.regions_not_reporting(grant_round=grant_round),
        # before closing: who has not submitted or has unsent changes, with a reminder
        "gaps": gaps,
        "remind_regions": still_writable(grant_round, gaps.regions, timezone.now()) if gaps else [],
        "runs": runs,
        "active_run": active,
        "latest_done": selectors.latest_done_run(grant_round=grant_round),
        "decisions": decided,
        "decision_table": decision_table(decided) if decided is not None else None,
        "model_blocks": round_model_blocks(grant_round),
        "deliveries": round_deliveries(grant_round=grant_round)
        if grant_round.status == RoundStatus.DECIDED
        else None,
    }


def _render_round(
    request: HttpRequest,
    grant_round: GrantRound,
    *,
    deduction_form: DeductionForm | None = None,
    override_form: OverrideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _round_context(request, grant_round)
    regions = (
        selectors.regions_reporting(grant_round=grant_round)
        if context["preparable"]
        else Region.objects.none()
    )
    context["deduction_form"] = deduction_form or DeductionForm(regions=regions)
    context["override_form"] = override_form or OverrideForm(regions=regions)
    return render(request, "allocation/officer/round.html", context, status=status)


@agency_page
@require_GET
def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_round(request, _round(slug))


@agency_page
@sensitive_action
def round_close(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = _round(slug)
    if request.method != "POST":
        gaps = round_gaps(grant_round)
        context = {
            "grant_round": grant_round,
            "deadline_passed": grant_round.deadline_passed(timezone.now()),
            "active_extensions": closing.active_extensions(grant_round, timezone.now()),
            "can_write": is_officer(request.user),
            # who closing leaves out: no report, or changes not sent in (locked as they are)
            "gaps": gaps,
            "remind_regions": still_writable(grant_round, gaps.regions, timezone.now()),
        }
        return render(request, "allocation/officer/close_confirm.html", context)
    try:
        closing.round_close(
            grant_round=grant_round,
            by=request.user,
            end_extensions=request.POST.get("end_extensions") == "1",
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Omgången är stängd och alla rapporter är låsta."))
    return _round_redirect(grant_round)


@agency_page
@require_POST
def round_remind(request: HttpRequest, slug: str) -> HttpResponse:
    """Remind the chosen regions (checkboxes ``region``, by code) that have not submitted or
    hold unsent changes; back to the page the form was on (``back``: close or round)."""
    grant_round = _round(slug)
    codes = request.POST.getlist("region")
    try:
        reminded = report_reminders_send(
            grant_round=grant_round,
            by=request.user,
            regions=Region.objects.filter(code__in=codes),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Påminnelse skickas med e-post till %(regions)s.")
            % {"regions": ", ".join(r.name for r in reminded)},
        )
    if request.POST.get("back") == "close":
        return redirect("allocation:round_close", slug=slug)
    return _round_redirect(grant_round)


# --- deductions and officer-entered values ----------------------------------------------------


def _set_preparation(
    request: HttpRequest,
    slug: str,
    *,
    form_class: type,
    service: Callable,
    done: str,
    form_key: str,
) -> HttpResponse:
    """Save a deduction or an officer-entered value: the form's fields are the service's."""
    grant_round = _round(slug)
    form = form_class(request.POST, regions=selectors.regions_reporting(grant_round=grant_round))
    if form.is_valid():
        try:
            service(grant_round=grant_round, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return _round_redirect(grant_round)
    return _render_round(request, grant_round, status=400, **{form_key: form})


def _remove_preparation(
    request: HttpRequest, slug: str, code: str, *, service: Callable, done: str
) -> HttpResponse:
    grant_round = _round(slug)
    region = get_object_or_404(Region, code=code)
    try:
        service(grant_round=grant_round, region=region, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return _round_redirect(grant_round)


@agency_page
@require_POST
def deduction_set(request: HttpRequest, slug: str) -> HttpResponse:
    return _set_preparation(
        request,
        slug,
        form_class=DeductionForm,
        service=preparation.deduction_set,
        done=_("Avräkningen är sparad."),
        form_key="deduction_form",
    )


@agency_page
@require_POST
def deduction_remove(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _remove_preparation(
        request,
        slug,
        code,
        service=preparation.deduction_remove,
        done=_("Avräkningen är borttagen."),
    )


@agency_page
@require_POST
def override_set(request: HttpRequest, slug: str) -> HttpResponse:
    return _set_preparation(
        request,
        slug,
        form_class=OverrideForm,
        service=preparation.override_set,
        done=_("Handläggarens värde är sparat."),
        form_key="override_form",
    )


@agency_page
@require_POST
def override_remove(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _remove_preparation(
        request,
        slug,
        code,
        service=preparation.override_remove,
        done=_("Handläggarens värde är borttaget."),
    )


# --- runs ------------------------------------------------------------------------------------


@agency_page
@sensitive_action
@require_POST
def run_request(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = _round(slug)
    try:
        run = runs.allocation_run_request(grant_round=grant_round, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _round_redirect(grant_round)
    # Embedded (`make run`) the run has already been computed here: say what is true now.
    run.refresh_from_db(fields=["status"])
    if run.is_done:
        messages.success(request, _("Fördelningen är klar."))
    elif run.is_active:
        messages.success(request, _("Fördelningen är begärd och körs strax."))
    return redirect("allocation:run", slug=slug, number=run.number)


@agency_page
@sensitive_action
@require_POST
def run_retry(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    run = _run(slug, number)
    try:
        runs.allocation_run_retry(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Körningen är köad igen."))
    return redirect("allocation:run", slug=slug, number=number)


def _run_context(request: HttpRequest, run: AllocationRun) -> dict[str, Any]:
    grant_round = run.round
    view = _result_view(run.snapshot, run.result) if run.is_done else None
    rows = view.rows if view else []
    latest = selectors.latest_done_run(grant_round=grant_round)
    issuable = (
        run.is_done
        and grant_round.status == RoundStatus.ALLOCATED
        and latest is not None
        and latest.pk == run.pk
    )
    return {
        "grant_round": grant_round,
        "run": run,
        "result": run.result,
        "snapshot": run.snapshot,
        "view": view,
        "view_budget": sum(block.budget for block in view.blocks) if view else 0,
        "value_columns": value_columns(view.value_names) if view else [],
        "rows": rows,
        "reasons": _with_reasons(rows),
        "can_write": is_officer(request.user),
        "issuable": issuable,
        "changes": snapshot_differences(run.snapshot, grant_round) if issuable else [],
        # who the decisions leave out: no report, no decision; drafts never sent do not count
        "gaps": round_gaps(grant_round) if issuable else None,
        "stale": is_abandoned(run, timezone.now()),
    }


@agency_page
@require_GET
def run_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    run = _run(slug, number)
    return render(request, "allocation/officer/run.html", _run_context(request, run))


@agency_page
@require_GET
def run_status(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    run = _run(slug, number)
    return JsonResponse(
        {
            "number": run.number,
            "status": run.status,
            "status_display": run.get_status_display(),
            "finished": run.status in (RunStatus.DONE, RunStatus.FAILED),
            "error": run.error,
            "url": reverse("allocation:run", kwargs={"slug": slug, "number": number}),
        }
    )


# --- decisions -------------------------------------------------------------------------------


def _issue_form(request: HttpRequest, run: AllocationRun) -> IssueForm:
    return IssueForm(
        request.POST if request.method == "POST" else None,
        grant_round=run.round,
        decided_by=request.user,
        initial={"presented_by": run.requested_by_id},
    )


@agency_page
@sensitive_action
def decisions_issue(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Two steps: the date and the presenting officer, then a summary to confirm (the date,
    the number of decisions, each block's total against its budget); only the second POST
    (with ``confirm``) issues."""
    run = _run(slug, number)
    form = _issue_form(request, run)
    valid = request.method == "POST" and form.is_valid()
    if valid and request.POST.get("confirm") == "1":
        try:
            issued = decisions.decisions_issue(
                run=run,
                by=request.user,
                decision_date=form.cleaned_data["decision_date"],
                presented_by=form.cleaned_data["presented_by"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, issue_message([d.pk for d in issued]))
            return _round_redirect(run.round)
    context = {
        **_run_context(request, run),
        "form": form,
        "confirming": valid and not form.errors,
        "decided_by": record.officer_name(request.user),
    }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "allocation/officer/issue_confirm.html", context, status=status)


def _decision(reference: str) -> Decision:
    return get_object_or_404(
        Decision.objects.select_related(
            "round", "region", "run", "decided_by", "presented_by", "replaces"
        ),
        reference=reference,
    )


def _reconsider_form(request: HttpRequest, decision: Decision, data: Any = None) -> ReconsiderForm:
    current = reconsideration.current_inputs(decision)
    initial = {
        "method": ReconsiderForm.ENGINE,
        "plan_text": current.plan_text,
        "filled_posts": current.filled,
        "started_posts": current.started,
        "deducted": current.deducted,
    }
    decided = decision.block_amounts()
    blocks = reconsideration.run_blocks(decision)
    for block in blocks:
        initial[ReconsiderForm.amount_field(block.id)] = decided.get(block.id)
    return ReconsiderForm(
        data,
        initial=initial,
        blocks=blocks,
        grant_round=decision.round,
        decided_by=request.user,
        replaces=decision,
    )


def _render_decision(
    request: HttpRequest,
    decision: Decision,
    form: ReconsiderForm | None = None,
    status: int = 200,
    outcome: reconsideration.Outcome | None = None,
) -> HttpResponse:
    history = selectors.decisions_for_region(region=decision.region).filter(round=decision.round)
    in_force = decision.in_force
    _blocks, decision_row = read_explanation(decision.explanation, decision.block_amounts())
    context = {
        "decision": decision,
        "case_number": case_number_of(decision),
        "decision_row": decision_row,
        "decision_amounts": decision.block_amounts(),
        "value_labels": {name: value_label(name) for name in decision_row.values},
        "explanation": decision.explanation,
        "corrections": correction_texts(decision.explanation.get("corrections") or []),
        "in_force": in_force,
        "history": history,
        "can_write": is_officer(request.user),
        "can_reconsider": in_force and decision.round.status == RoundStatus.DECIDED,
        "form": form or _reconsider_form(request, decision),
        "outcome": outcome,
        "outcome_items": explain(
            outcome.explanation,
            block1=outcome.amounts.get("block1"),
            block2=outcome.amounts.get("block2"),
            total=outcome.total,
            amounts=outcome.amounts,
        )
        if outcome
        else [],
        "overrun_message": decisions.overrun_message(outcome) if outcome else "",
    }
    return render(request, "allocation/officer/decision.html", context, status=status)


@agency_page
@require_GET
def decision_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_decision(request, _decision(reference))


@agency_page
@sensitive_action
@require_POST
def decision_reconsider(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Preview" shows what the reconsideration gives (amounts, explanation, each block's
    total against its budget); "issue" decides it."""
    decision = _decision(reference)
    form = _reconsider_form(request, decision, request.POST)
    outcome = None
    if form.is_valid():
        choice = form.choice()
        if request.POST.get("action") == "issue":
            try:
                new = decisions.decision_reconsider(decision=decision, by=request.user, **choice)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Beslutet är omprövat. Det nya beslutet %(reference)s gäller.")
                    % {"reference": new.reference}
                    + " "
                    + delivery_message([new.pk]),
                )
                return redirect("allocation:decision", reference=new.reference)
        try:
            record_only = ("decision_date", "presented_by")  # the record, not the amounts
            amounts = {k: v for k, v in choice.items() if k not in record_only}
            outcome = reconsideration.preview(decision=decision, **amounts)
        except reconsideration.ReconsiderationError as exc:
            form.add_error(None, str(exc))
    status = 400 if form.errors else 200
    return _render_decision(request, decision, form, status=status, outcome=outcome)
