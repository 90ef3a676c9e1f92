from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from regions.roles import is_auditor, is_officer, region_ids_of
from submissions.models import GrantRound, RoundStatus


def home(request: HttpRequest) -> HttpResponse:
    """The start page: the grant in short, the rounds, and the way in for each kind of visitor."""
    rounds = GrantRound.objects.exclude(status=RoundStatus.DRAFT).order_by("-year")
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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 (handler400): the plain page, without the request's context (the request may be
    what is wrong: a host not allowed, a broken header)."""
    return _plain(request, "400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 (handler500): the plain page, with the request id for support, and without the
    request's context processors (the database or the cache may be what failed)."""
    return _plain(request, "500.html", 500)


def _plain(request: HttpRequest, template_name: str, status: int) -> HttpResponse:
    from django.template import loader

    from atgrant.logging import request_id_var

    context = {"request_id": getattr(request, "id", None) or request_id_var.get()}
    if context["request_id"] == "-":
        context["request_id"] = None
    return HttpResponse(loader.get_template(template_name).render(context), status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page is in English and off the site's layout."""
    return render(request, "403_csrf.html", status=403)
