from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from regions.roles import is_auditor, is_officer, region_ids_of
from submissions.models import GrantRound, RoundStatus


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers and crawlers ask for whatever a page links: a redirect
    to the static file (its hashed, long-cached name), so it is no 404 on every page."""
    return redirect(static("favicon.ico"))


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


def _agency() -> dict[str, object]:
    return {
        "name": settings.ATGRANT_AGENCY_NAME,
        "address": settings.ATGRANT_AGENCY_ADDRESS,
        "email": settings.ATGRANT_AGENCY_EMAIL,
        "phone": settings.ATGRANT_AGENCY_PHONE,
        "website": settings.ATGRANT_AGENCY_WEBSITE,
    }


def contact(request: HttpRequest) -> HttpResponse:
    """The agency's contact (settings ATGRANT_AGENCY_*); the text is pages/contact.html."""
    return render(request, "pages/contact.html", {"agency": _agency()})


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (tillgänglighetsredogörelse) that lag (2018:1937) om
    tillgänglighet till digital offentlig service requires, with the content DIGG's
    regulation MDFFS 2019:2 lists. Status and dates are settings (ATGRANT_ACCESSIBILITY_*);
    the text, with the known shortcomings, is pages/accessibility.html."""
    context = {
        "agency": _agency(),
        "status": settings.ATGRANT_ACCESSIBILITY_STATUS,
        "assessed": settings.ATGRANT_ACCESSIBILITY_ASSESSED,
        "updated": settings.ATGRANT_ACCESSIBILITY_UPDATED,
        "site_url": settings.SITE_URL,
        "digg_report_url": DIGG_REPORT_URL,
    }
    return render(request, "pages/accessibility.html", context)


# DIGG's form for reporting a shortcoming in a public body's digital service.
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
