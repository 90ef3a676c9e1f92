"""The officer's page for a round's decision-record settings: the government decision, the
legal basis, the appeal instruction and whether one officer may both present and decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from allocation.forms import RecordSettingsForm
from allocation.services import record
from atgrant.security import sensitive_action
from regions.guards import agency_page
from regions.roles import is_officer
from submissions.models import GrantRound, RoundStatus


@agency_page
@sensitive_action
def round_record(request: HttpRequest, slug: str) -> HttpResponse:
    grant_round = get_object_or_404(GrantRound, slug=slug)
    # The form works on its own copy: an invalid POST must not show changed values elsewhere.
    form = RecordSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=GrantRound.objects.get(pk=grant_round.pk),
    )
    editable = grant_round.status != RoundStatus.DECIDED
    if request.method == "POST" and form.is_valid():
        try:
            record.round_record_set(grant_round=grant_round, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Beslutsuppgifterna är sparade."))
            return redirect("allocation:round", slug=slug)
    context = {
        "grant_round": grant_round,
        "form": form,
        "can_write": is_officer(request.user) and editable,
        "editable": editable,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "allocation/officer/record_settings.html", context, status=status)
