from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from regions.roles import is_auditor, is_officer, region_ids_of
from submissions.models import GrantRound, RoundStatus


def home(request: HttpRequest) -> HttpResponse:
    """The start page: the grant in short, the rounds, and the way in for each kind of visitor."""
    rounds = list(GrantRound.objects.exclude(status=RoundStatus.DRAFT).order_by("-year"))
    now = timezone.now()
    for grant_round in rounds:
        # Open in the database until closed, but past its deadline no longer open to report.
        grant_round.deadline_passed_now = grant_round.status == RoundStatus.OPEN and (
            grant_round.deadline_passed(now)
        )
    return render(request, "pages/home.html", {"rounds": rounds})


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a login lands: each role's own start page."""
    user = request.user
    if is_officer(user):
        return redirect("submissions:rounds")
    if is_auditor(user):
        return redirect("allocation_read:audit_index")
    if region_ids_of(user):
        return redirect("submissions:dashboard")
    return redirect("home")


# --- Error pages: each in the language of the request (LocaleMiddleware has chosen it) -------
