from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from submissions.models import GrantRound, RoundStatus


def home(request: HttpRequest) -> HttpResponse:
    """The start page: the grant in short, open rounds, and each role's way in."""
    rounds = GrantRound.objects.exclude(status=RoundStatus.DRAFT).order_by("-year")
    return render(request, "pages/home.html", {"rounds": rounds})
