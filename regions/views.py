"""Pages of the region portal: applying to become proxy, the officer's review, colleagues."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atgrant.accounts import VERIFIED_EMAIL_SESSION_KEY
from atgrant.pagination import page_of
from atgrant.security import sensitive_action
from regions import selectors, services
from regions.documents import sha256_of
from regions.forms import (
    CompletionRequestForm,
    InviteForm,
    ProxyApplicationForm,
    QueueFilterForm,
    RejectForm,
    ResubmitForm,
)
from regions.guards import agency_page, proxy_page
from regions.models import Colleague, ColleagueInvitation, Region
from regions.roles import is_officer

View = Callable[..., HttpResponse]


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Applying to become proxy ---------------------------------------------------------------


def _applied_already(request: HttpRequest, form: ProxyApplicationForm) -> object | None:
    """The application this very form already made (sent again after a lost answer or a
    double click), or None: only when the one refusal is the pending application itself."""
    data = form.cleaned_data
    names = ("full_name", "title", "phone", "basis")
    if form.pending_region is None or set(form.errors) != {"region"}:
        return None
    if not all(name in data for name in (*names, "document")):
        return None
    return selectors.same_pending_application(
        request.user,
        form.pending_region,
        {name: data[name] for name in names},
        sha256_of(data["document"]),
    )


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    form = ProxyApplicationForm(request.POST or None, request.FILES or None, applicant=request.user)
    if request.method == "POST" and not form.is_valid():
        done = _applied_already(request, form)
        if done is not None:
            messages.success(
                request,
                _("Tack! Din ansökan om att bli ombud för %(region)s är inskickad.")
                % {"region": done.region.name},
            )
            return redirect("regions:application_detail", done.pk)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            application = services.proxy_application_submit(
                applicant=request.user,
                region=data["region"],
                full_name=data["full_name"],
                title=data["title"],
                phone=data["phone"],
                basis=data["basis"],
                document=data["document"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Tack! Din ansökan om att bli ombud för %(region)s är inskickad.")
                % {"region": application.region.name},
            )
            return redirect("regions:application_detail", application.pk)
    has_applications = selectors.applications_of_applicant(request.user).exists()
    return render(
        request, "regions/apply.html", {"form": form, "has_applications": has_applications}
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.applications_of_applicant(request.user)
    return render(request, "regions/application_list.html", {"applications": applications})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_of_applicant(request.user, pk)
    return _render_application(request, application, ResubmitForm())


def _render_application(
    request: HttpRequest, application: object, form: ResubmitForm, status: int = 200
) -> HttpResponse:
    context = {
        "application": application,
        "form": form,
        "can_resubmit": "resubmit" in services.allowed_actions(application),
    }
    return render(request, "regions/application_detail.html", context, status=status)


@require_POST
@login_required
def application_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_of_applicant(request.user, pk)
    form = ResubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.proxy_application_resubmit(
                application=application,
                by=request.user,
                document=form.cleaned_data["document"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Kompletteringen är inskickad."))
        return redirect("regions:application_detail", application.pk)
    return _render_application(request, application, form, status=400)


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = selectors.document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or "fullmakt.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A document stored before uploads were checked for active content may hold a script:
    # should a browser show it in the page, it runs sandboxed (django-csp keeps this header).
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- The officer's review -------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


@agency_page
def review_list(request: HttpRequest) -> HttpResponse:
    filter_form = QueueFilterForm(request.GET or None)
    status = filter_form.status_filter()
    queue = selectors.application_queue(status=status)
    page = page_of(request, queue, param="sida", per_page=QUEUE_PAGE_SIZE)
    context = {"filter_form": filter_form, "page": page, "status": status}
    return render(request, "regions/review_list.html", context)


def _render_review(
    request: HttpRequest, pk: int, status: int = 200, **forms: object
) -> HttpResponse:
    application = selectors.application_for_review(pk)
    context = {
        "application": application,
        "actions": services.allowed_actions(application),
        "current_proxy": selectors.active_appointment(application.region),
        "proxy_elsewhere": selectors.active_appointment_elsewhere(
            application.applicant, application.region
        ),
        "can_decide": is_officer(request.user),
        "completion_form": forms.get("completion_form") or CompletionRequestForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
    }
    return render(request, "regions/review_detail.html", context, status=status)


@agency_page
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, pk)


def _decided(request: HttpRequest, pk: int, call: Callable[[], object], done: str) -> HttpResponse:
    try:
        call()
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done)
    return redirect("regions:review_detail", pk)


@agency_page
@sensitive_action
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_officer(request.user):
        raise PermissionDenied
    application = selectors.application_for_review(pk)
    if request.method != "POST":
        context = {
            "application": application,
            "current_proxy": selectors.active_appointment(application.region),
        }
        return render(request, "regions/review_approve.html", context)
    return _decided(
        request,
        pk,
        lambda: services.proxy_application_approve(application=application, by=request.user),
        _("%(name)s är nu ombud för %(region)s.")
        % {"name": application.full_name, "region": application.region.name},
    )


@require_POST
@agency_page
def review_request_completion(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_review(pk)
    form = CompletionRequestForm(request.POST)
    if not form.is_valid():
        return _render_review(request, pk, status=400, completion_form=form)
    return _decided(
        request,
        pk,
        lambda: services.proxy_application_request_completion(
            application=application, by=request.user, message=form.cleaned_data["message"]
        ),
        _("Begäran om komplettering är skickad till sökanden."),
    )


@require_POST
@agency_page
def review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_review(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_review(request, pk, status=400, reject_form=form)
    return _decided(
        request,
        pk,
        lambda: services.proxy_application_reject(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Ansökan är avslagen och sökanden har fått besked."),
    )


# --- Colleagues -----------------------------------------------------------------------------


def _render_colleagues(
    request: HttpRequest, region: Region, form: InviteForm, status: int = 200
) -> HttpResponse:
    context = {
        "region": region,
        "colleagues": selectors.colleagues_of(region),
        "invitations": selectors.open_invitations_of(region),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "regions/colleague_list.html", context, status=status)


@proxy_page
def colleague_list(request: HttpRequest, region: Region) -> HttpResponse:
    return _render_colleagues(request, region, InviteForm())


@require_POST
@proxy_page
def colleague_invite(request: HttpRequest, region: Region) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.colleague_invite(
                region=region, email=form.cleaned_data["email"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request,
                _("En inbjudan skickas till %(email)s med e-post.") % {"email": invitation.email},
            )
            return redirect("regions:colleague_list")
    return _render_colleagues(request, region, form, status=400)


@require_POST
@proxy_page
def invitation_revoke(request: HttpRequest, pk: int, region: Region) -> HttpResponse:
    invitation = get_object_or_404(ColleagueInvitation, pk=pk, region=region)
    try:
        services.colleague_invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Inbjudan till %(email)s är återkallad.") % {"email": invitation.email}
        )
    return redirect("regions:colleague_list")


@require_POST
@proxy_page
def colleague_remove(request: HttpRequest, pk: int, region: Region) -> HttpResponse:
    colleague = get_object_or_404(Colleague.objects.select_related("user"), pk=pk, region=region)
    try:
        services.colleague_remove(colleague=colleague, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("%(email)s är inte längre kollega för regionen.") % {"email": colleague.user.email},
        )
    return redirect("regions:colleague_list")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. Logged out, login sends the person here again (``next``) and the
    login and sign-up pages say which invitation it is (regions/_invitation_banner.html).
    Whatever would refuse the acceptance is shown before the button; once accepted, the
    colleague lands on the region's page, and so does the same form sent again."""
    invitation = selectors.invitation_by_token(token)
    if not request.user.is_authenticated:
        if services.invitation_problem(invitation, timezone.now()) is None:
            # The link was mailed to the invited address: whoever follows it has proven that
            # address, so signing up with it needs no confirmation e-mail (allauth's key).
            request.session[VERIFIED_EMAIL_SESSION_KEY] = invitation.email
        return redirect_to_login(request.get_full_path())
    if invitation is not None and invitation.accepted_by_id == request.user.pk:
        if services.is_colleague_by(invitation):
            return _welcome(request, invitation.region, again=request.method != "POST")
    problem = services.invitation_problem_for(invitation, request.user, timezone.now())
    if request.method == "POST" and problem is None:
        try:
            colleague = services.colleague_invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            problem = _error_text(exc)
        else:
            return _welcome(request, colleague.region)
    context = {"invitation": invitation if problem is None else None, "problem": problem}
    status = 400 if problem and request.method == "POST" else 200
    return render(request, "regions/invitation_accept.html", context, status=status)


def _welcome(request: HttpRequest, region: Region, *, again: bool = False) -> HttpResponse:
    """To the region's page (the colleague's dashboard), with a word of welcome."""
    text = (
        _("Du har redan tagit emot inbjudan och är kollega för %(region)s.")
        if again
        else _("Välkommen! Du är nu kollega för %(region)s.")
    )
    messages.success(request, text % {"region": region.name})
    return redirect("submissions:dashboard")
