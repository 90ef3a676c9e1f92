"""Writes of the region portal: proxy applications and their review, appointments, colleagues.

Every function checks who may act and in which state, writes inside one transaction, records
an ApplicationEvent where the application's history needs it, and an audit event.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atgrant.email_address import canonical_email
from audit.services import audit_record
from regions import emails
from regions.documents import check_pdf, safe_original_name, sha256_of
from regions.models import (
    ApplicationEvent,
    ApplicationStatus,
    Colleague,
    ColleagueInvitation,
    ProxyApplication,
    ProxyAppointment,
    ProxyBasis,
    ProxyDocument,
    Region,
)
from regions.roles import forget_memberships, is_agency_reader, is_officer, is_proxy_of
from registry import services as registry
from registry.messages import register_sent_messages
from registry.models import SentMessage

INVITATION_VALIDITY = dt.timedelta(days=7)
REPLACED_REASON = "Ersatt av nytt ombud"

# The application workflow, in one place: state -> action -> next state. Who may: see WHO.
TRANSITIONS: dict[str, dict[str, str]] = {
    ApplicationStatus.SUBMITTED: {
        "request_completion": ApplicationStatus.COMPLETION_REQUESTED,
        "approve": ApplicationStatus.APPROVED,
        "reject": ApplicationStatus.REJECTED,
    },
    ApplicationStatus.COMPLETION_REQUESTED: {
        "resubmit": ApplicationStatus.SUBMITTED,
        "reject": ApplicationStatus.REJECTED,
    },
    ApplicationStatus.APPROVED: {},
    ApplicationStatus.REJECTED: {},
}
WHO = {
    "request_completion": "officer",
    "approve": "officer",
    "reject": "officer",
    "resubmit": "applicant",
}


def allowed_actions(application: ProxyApplication) -> set[str]:
    return set(TRANSITIONS[application.status])


def _transition(application: ProxyApplication, action: str, by: AbstractBaseUser) -> str:
    """Check who may take `action` and that the state allows it; return the next state."""
    who = WHO[action]
    if who == "officer" and not is_officer(by):
        raise PermissionDenied
    if who == "applicant" and application.applicant_id != by.pk:
        raise PermissionDenied
    if action not in TRANSITIONS[application.status]:
        raise ValidationError(
            _("Ansökan har status ”%(status)s” och kan inte ändras på det sättet.")
            % {"status": application.get_status_display()},
            code="invalid_state",
        )
    return TRANSITIONS[application.status][action]


def _snapshot(application: ProxyApplication) -> dict[str, Any]:
    return {"status": application.status, "officer_message": application.officer_message}


def _lock(application: ProxyApplication) -> ProxyApplication:
    """Reload under a row lock so that two officers cannot decide the same application at once."""
    return (
        ProxyApplication.objects.select_for_update(of=("self",))
        .select_related("region", "applicant")
        .get(pk=application.pk)
    )


def _store_document(
    *, application: ProxyApplication, document: UploadedFile, by: AbstractBaseUser
) -> ProxyDocument:
    stored = ProxyDocument(
        application=application,
        original_name=safe_original_name(document.name or ""),
        size=document.size,
        sha256=sha256_of(document),
        uploaded_by=by,
    )
    # Stored under a generated name (see the model's upload_to), never the uploaded one.
    stored.file.save("fullmakt.pdf", document, save=False)
    try:
        stored.save()
    except Exception:
        stored.file.delete(save=False)
        raise
    return stored


@contextmanager
def _remove_files_on_error() -> Iterator[list[ProxyDocument]]:
    """Files are written before the commit; a failed transaction must not leave them behind."""
    stored: list[ProxyDocument] = []
    try:
        yield stored
    except BaseException:
        for document in stored:
            document.file.storage.delete(document.file.name)
        raise


def _pending_exists(applicant: AbstractBaseUser, region: Region) -> bool:
    return ProxyApplication.objects.filter(
        applicant=applicant,
        region=region,
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.COMPLETION_REQUESTED],
    ).exists()


PENDING_MESSAGE = "Du har redan en ansökan om att bli ombud för %(region)s som inte är avgjord."


def applicant_problem(applicant: AbstractBaseUser, region: Region) -> str | None:
    """Why `applicant`'s application to be `region`'s proxy could not be approved as things
    stand, in Swedish, or None: the approval's own refusals (one region per person), told
    when the person applies rather than when the officer decides."""
    appointment = (
        ProxyAppointment.objects.filter(user=applicant, ended_at__isnull=True)
        .select_related("region")
        .first()
    )
    if appointment is not None and appointment.region_id == region.pk:
        return _("Du är redan ombud för %(region)s.") % {"region": region.name}
    if appointment is not None:
        return _(
            "Du är ombud för %(other)s. En person kan bara vara ombud för en region åt "
            "gången; uppdraget där måste upphöra innan du kan ansöka för %(region)s."
        ) % {"other": appointment.region.name, "region": region.name}
    elsewhere = (
        Colleague.objects.filter(user=applicant, removed_at__isnull=True)
        .exclude(region=region)
        .select_related("region")
        .first()
    )
    if elsewhere is not None:
        return _(
            "Du är kollega för %(other)s. En person företräder bara en region; be ombudet "
            "där att ta bort dig som kollega innan du ansöker för %(region)s."
        ) % {"other": elsewhere.region.name, "region": region.name}
    return None


def proxy_application_submit(
    *,
    applicant: AbstractBaseUser,
    region: Region,
    full_name: str,
    title: str,
    phone: str,
    basis: str,
    document: UploadedFile,
) -> ProxyApplication:
    """Apply to become `region`'s proxy, with the power of attorney or delegation as a PDF."""
    if not applicant.is_authenticated:
        raise PermissionDenied
    if basis not in ProxyBasis.values:
        raise ValidationError(_("Ange på vilken grund du ansöker."), code="basis")
    check_pdf(document)
    problem = applicant_problem(applicant, region)
    if problem is not None:
        raise ValidationError(problem, code="one_region")
    if _pending_exists(applicant, region):
        raise ValidationError(_(PENDING_MESSAGE) % {"region": region.name}, code="pending")
    try:
        with _remove_files_on_error() as files, transaction.atomic():
            application = ProxyApplication.objects.create(
                applicant=applicant,
                region=region,
                full_name=full_name.strip(),
                title=title.strip(),
                phone=phone.strip(),
                basis=basis,
            )
            stored = _store_document(application=application, document=document, by=applicant)
            files.append(stored)
            ApplicationEvent.objects.create(
                application=application, kind=ApplicationEvent.Kind.SUBMITTED, by=applicant
            )
            registry.register_proxy_application(
                application=application, document=stored, by=applicant
            )
            audit_record(
                action="proxy_application.submitted",
                actor=applicant,
                obj=application,
                after={
                    **_snapshot(application),
                    "region": region.code,
                    "full_name": application.full_name,
                    "title": application.title,
                    "basis": basis,
                    "document_sha256": stored.sha256,
                    "document_size": stored.size,
                },
                region_id=region.pk,
            )
            emails.application_received(application)
    except IntegrityError as exc:
        # Two submissions racing past the check above meet the database constraint.
        raise ValidationError(_(PENDING_MESSAGE) % {"region": region.name}, code="pending") from exc
    return application


class _AlreadyDone(Exception):
    """Raised under the row lock when the request repeats the application's last step."""


def _refuse_repeat(
    application: ProxyApplication, kind: str, by: AbstractBaseUser, message: str | None = None
) -> None:
    """Raise _AlreadyDone if `by` already took this very step (`kind`, with `message`) as the
    application's last one: the same form sent again leads to its result, not to an error
    about the application's state. One query."""
    last = application.events.order_by("-at", "-pk").first()
    if (
        last is not None
        and last.kind == kind
        and last.by_id == by.pk
        and (message is None or last.message == message)
    ):
        raise _AlreadyDone


def _officer_answer(
    application: ProxyApplication,
    by: AbstractBaseUser,
    *,
    action: str,
    kind: str,
    audit_action: str,
    message: str,
    email: Callable[[ProxyApplication], SentMessage],
) -> ProxyApplication:
    """An officer's answer that the applicant reads: the move, its event, the e-mail to the
    applicant (`email`, kept, registered and sent after the commit), the audit. Raises
    _AlreadyDone (nothing written, registered or sent) when the same officer just gave this
    very answer."""
    with transaction.atomic():
        application = _lock(application)
        _refuse_repeat(application, kind, by, message)
        before = _snapshot(application)
        application.status = _transition(application, action, by)
        application.officer_message = message
        application.save(update_fields=["status", "officer_message", "updated_at"])
        ApplicationEvent.objects.create(application=application, kind=kind, message=message, by=by)
        register_sent_messages(messages=[email(application)], by=by)
        audit_record(
            action=audit_action,
            actor=by,
            obj=application,
            before=before,
            after=_snapshot(application),
            message=message,
            region_id=application.region_id,
        )
    return application


def proxy_application_request_completion(
    *, application: ProxyApplication, by: AbstractBaseUser, message: str
) -> ProxyApplication:
    """The officer asks the applicant for more (komplettering); the applicant sees `message`."""
    message = message.strip()
    if not message:
        raise ValidationError(_("Skriv vad som ska kompletteras."), code="message")
    try:
        application = _officer_answer(
            application,
            by,
            action="request_completion",
            kind=ApplicationEvent.Kind.COMPLETION_REQUESTED,
            audit_action="proxy_application.completion_requested",
            message=message,
            email=lambda answered: emails.completion_requested(answered, message),
        )
    except _AlreadyDone:
        return application  # asked already, by this officer, with this message
    return application


def proxy_application_resubmit(
    *,
    application: ProxyApplication,
    by: AbstractBaseUser,
    document: UploadedFile,
    message: str = "",
) -> ProxyApplication:
    """The applicant adds a document after a request for completion; back to submitted."""
    check_pdf(document)
    with _remove_files_on_error() as files, transaction.atomic():
        application = _lock(application)
        if application.status == ApplicationStatus.SUBMITTED and _last_document_is(
            application, document
        ):
            try:
                _refuse_repeat(application, ApplicationEvent.Kind.RESUBMITTED, by, message.strip())
            except _AlreadyDone:
                return application  # this very completion, sent again
        before = _snapshot(application)
        application.status = _transition(application, "resubmit", by)
        application.save(update_fields=["status", "updated_at"])
        stored = _store_document(application=application, document=document, by=by)
        files.append(stored)
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.RESUBMITTED,
            message=message.strip(),
            by=by,
        )
        registry.register_completion(application=application, document=stored, by=by)
        audit_record(
            action="proxy_application.resubmitted",
            actor=by,
            obj=application,
            before=before,
            after={**_snapshot(application), "document_sha256": stored.sha256},
            message=message.strip(),
            region_id=application.region_id,
        )
        emails.application_resubmitted(application)
    return application


def _last_document_is(application: ProxyApplication, document: UploadedFile) -> bool:
    last = application.documents.order_by("-uploaded_at", "-pk").first()
    return last is not None and last.sha256 == sha256_of(document)


def proxy_application_approve(
    *, application: ProxyApplication, by: AbstractBaseUser
) -> ProxyAppointment:
    """Make the applicant the region's one active proxy; an earlier proxy is ended as replaced."""
    with transaction.atomic():
        application = _lock(application)
        appointment = ProxyAppointment.objects.filter(application=application).first()
        if (
            appointment is not None
            and appointment.appointed_by_id == by.pk
            and appointment.ended_at is None
        ):
            return appointment  # approved already, by this officer: the same click again
        before = _snapshot(application)
        new_status = _transition(application, "approve", by)
        applicant, region = application.applicant, application.region
        elsewhere = (
            ProxyAppointment.objects.select_for_update(of=("self",))
            .filter(user=applicant, ended_at__isnull=True)
            .exclude(region=region)
            .select_related("region")
            .first()
        )
        if elsewhere is not None:
            raise ValidationError(
                _(
                    "%(name)s är redan ombud för %(other)s. En person kan bara vara ombud för "
                    "en region åt gången; uppdraget där måste upphöra först."
                )
                % {"name": application.full_name, "other": elsewhere.region.name},
                code="proxy_elsewhere",
            )
        _refuse_colleague_elsewhere(application)
        now = timezone.now()
        replaced = _end_active_appointment(region=region, by=by, now=now)
        _end_own_colleague_membership(user=applicant, region=region, by=by, now=now)
        appointment = ProxyAppointment.objects.create(
            region=region, user=applicant, application=application, appointed_by=by
        )
        application.status = new_status
        application.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.APPROVED, by=by
        )
        register_sent_messages(messages=[emails.application_approved(application)], by=by)
        audit_record(
            action="proxy_application.approved",
            actor=by,
            obj=application,
            before=before,
            after={
                **_snapshot(application),
                "appointment_id": appointment.pk,
                "replaced_appointment_id": replaced.pk if replaced else None,
                "replaced_user": replaced.user.email if replaced else None,
            },
            region_id=region.pk,
        )
    forget_memberships(applicant)
    return appointment


def _end_active_appointment(
    *, region: Region, by: AbstractBaseUser, now: dt.datetime
) -> ProxyAppointment | None:
    current = (
        ProxyAppointment.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(region=region, ended_at__isnull=True)
        .first()
    )
    if current is None:
        return None
    current.ended_at = now
    current.ended_reason = REPLACED_REASON
    current.save(update_fields=["ended_at", "ended_reason"])
    audit_record(
        action="proxy_appointment.ended",
        actor=by,
        obj=current,
        before={"ended_at": None},
        after={"ended_at": now, "ended_reason": REPLACED_REASON},
        region_id=region.pk,
    )
    forget_memberships(current.user)
    return current


def _refuse_colleague_elsewhere(application: ProxyApplication) -> None:
    elsewhere = (
        Colleague.objects.filter(user=application.applicant, removed_at__isnull=True)
        .exclude(region=application.region)
        .select_related("region")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            _(
                "%(name)s är kollega för %(other)s. En person företräder bara en region; "
                "regionens ombud måste ta bort kollegan först."
            )
            % {"name": application.full_name, "other": elsewhere.region.name},
            code="colleague_elsewhere",
        )


def _end_own_colleague_membership(
    *, user: AbstractBaseUser, region: Region, by: AbstractBaseUser, now: dt.datetime
) -> None:
    """A colleague who becomes the region's proxy stops being its colleague (kept on record)."""
    for colleague in Colleague.objects.select_for_update(of=("self",)).filter(
        user=user, region=region, removed_at__isnull=True
    ):
        colleague.removed_at, colleague.removed_by = now, by
        colleague.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            action="colleague.removed",
            actor=by,
            obj=colleague,
            before={"removed_at": None},
            after={"removed_at": now},
            message="Blev regionens ombud",
            region_id=region.pk,
        )


def proxy_application_reject(
    *, application: ProxyApplication, by: AbstractBaseUser, reason: str
) -> ProxyApplication:
    """Reject with a reason (required); final."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Ange skälet till avslaget."), code="reason")
    try:
        application = _officer_answer(
            application,
            by,
            action="reject",
            kind=ApplicationEvent.Kind.REJECTED,
            audit_action="proxy_application.rejected",
            message=reason,
            email=lambda answered: emails.application_rejected(answered, reason),
        )
    except _AlreadyDone:
        return application  # rejected already, by this officer, for this reason
    return application


# --- Colleagues --------------------------------------------------------------------------------


def _require_proxy(user: AbstractBaseUser, region: Region) -> None:
    if not is_proxy_of(user, region):
        raise PermissionDenied


def colleague_invite(*, region: Region, email: str, by: AbstractBaseUser) -> ColleagueInvitation:
    """The region's proxy invites a colleague by e-mail; the link is valid for seven days.

    Refused (ValidationError, Swedish) when the invitation could not be accepted: the address
    is the proxy's own, or belongs to someone who is already a colleague of the region, the
    proxy or a colleague of a region, an officer or auditor, or whose account is closed
    (invitee_problem). An invitation to the same address that can still be used is
    returned as it is, without a second e-mail: a form sent twice gives one invitation.
    """
    _require_proxy(by, region)
    email = canonical_email(email)
    if not email:
        raise ValidationError(_("Ange en e-postadress."), code="email")
    if canonical_email(by.email) == email:
        raise ValidationError(_("Du kan inte bjuda in dig själv."), code="self")
    problem = invitee_problem(email, region)
    if problem is not None:
        raise ValidationError(problem[1], code=problem[0])
    now = timezone.now()
    with transaction.atomic():
        # Locks the region's row: two identical requests cannot both create an invitation.
        Region.objects.select_for_update().filter(pk=region.pk).first()
        open_one = (
            ColleagueInvitation.objects.filter(
                region=region,
                email__iexact=email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if open_one is not None:
            return open_one
        invitation = ColleagueInvitation.objects.create(
            region=region,
            email=email,
            token=secrets.token_urlsafe(32),
            invited_by=by,
            expires_at=now + INVITATION_VALIDITY,
        )
        audit_record(
            action="colleague_invitation.created",
            actor=by,
            obj=invitation,
            after={"email": email, "expires_at": invitation.expires_at},
            region_id=region.pk,
        )
        emails.colleague_invited(invitation)
    return invitation


def invitee_problem(email: str, region: Region) -> tuple[str, str] | None:
    """Why the person with account `email` could not become `region`'s colleague, as
    (code, Swedish message), or None (no account yet counts as no problem: they sign up).

    The rules are those of the acceptance (_check_not_member_elsewhere) and of the roles:
    one person acts for one region, as its proxy or as a colleague, and agency staff for none.
    """
    for user in get_user_model().objects.filter(email__iexact=email):
        params = {"email": email}
        if not user.is_active:
            return "inactive", _("Kontot för %(email)s är avstängt och kan inte bjudas in.") % (
                params
            )
        if is_agency_reader(user):
            return "agency", _(
                "%(email)s är handläggare eller revisor hos myndigheten och kan inte vara "
                "kollega för en region."
            ) % params
        proxy_of = _active_region(ProxyAppointment.objects.filter(ended_at__isnull=True), user)
        if proxy_of is not None:
            return "proxy", _(
                "%(email)s är ombud för %(other)s. En person företräder bara en region och "
                "kan inte samtidigt vara kollega."
            ) % {**params, "other": proxy_of.name}
        colleague_of = _active_region(Colleague.objects.filter(removed_at__isnull=True), user)
        if colleague_of is not None and colleague_of.pk == region.pk:
            return "member", _("%(email)s är redan kollega för regionen.") % params
        if colleague_of is not None:
            return "colleague_elsewhere", _(
                "%(email)s är kollega för %(other)s. En person företräder bara en region; "
                "det ombudet måste ta bort kollegan först."
            ) % {**params, "other": colleague_of.name}
    return None


def _active_region(memberships: Any, user: AbstractBaseUser) -> Region | None:
    membership = memberships.filter(user=user).select_related("region").first()
    return membership.region if membership is not None else None


def invitation_problem(invitation: ColleagueInvitation | None, now: dt.datetime) -> str | None:
    """Why an invitation link cannot be used, in Swedish, or None when it can."""
    if invitation is None:
        return _("Inbjudan finns inte. Kontrollera länken i e-postmeddelandet.")
    if invitation.revoked_at is not None:
        return _("Inbjudan har återkallats av regionens ombud.")
    if invitation.accepted_at is not None:
        return _("Inbjudan har redan använts.")
    if invitation.is_expired(now):
        return _("Inbjudan gällde till %(date)s och har gått ut. Be ombudet om en ny.") % {
            "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
        }
    return None


def invitation_problem_for(
    invitation: ColleagueInvitation | None, user: AbstractBaseUser, now: dt.datetime
) -> str | None:
    """Why `user` cannot accept `invitation` now, in Swedish, or None: the checks of
    colleague_invitation_accept, made before the person is offered the button."""
    problem = invitation_problem(invitation, now)
    if problem is not None:
        return problem
    try:
        _check_invited_user(invitation, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def is_colleague_by(invitation: ColleagueInvitation) -> bool:
    """The person who accepted `invitation` is still a colleague through it."""
    return Colleague.objects.filter(invitation=invitation, removed_at__isnull=True).exists()


def _check_invited_user(invitation: ColleagueInvitation, user: AbstractBaseUser) -> None:
    if canonical_email(invitation.email) != canonical_email(user.email):
        raise ValidationError(
            _("Inbjudan är skickad till %(email)s. Logga in med den adressen för att ta emot den.")
            % {"email": invitation.email},
            code="other_email",
        )
    _check_not_member_elsewhere(user, invitation.region)


def colleague_invitation_accept(*, token: str, user: AbstractBaseUser) -> Colleague:
    """The invited person (logged in with the invited address) becomes a colleague of the region."""
    if not user.is_authenticated:
        raise PermissionDenied
    with transaction.atomic():
        invitation = (
            ColleagueInvitation.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(token=token)
            .first()
        )
        problem = invitation_problem(invitation, timezone.now())
        if problem:
            raise ValidationError(problem, code="unusable")
        _check_invited_user(invitation, user)
        now = timezone.now()
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        colleague = Colleague.objects.create(
            region=invitation.region, user=user, invitation=invitation
        )
        audit_record(
            action="colleague.added",
            actor=user,
            obj=colleague,
            after={"invitation_id": invitation.pk, "email": user.email},
            region_id=invitation.region_id,
        )
    forget_memberships(user)
    return colleague


def _check_not_member_elsewhere(user: AbstractBaseUser, region: Region) -> None:
    if is_agency_reader(user):
        raise ValidationError(
            _("Du är handläggare eller revisor hos myndigheten och kan inte vara kollega."),
            code="agency",
        )
    if Colleague.objects.filter(user=user, region=region, removed_at__isnull=True).exists():
        raise ValidationError(_("Du är redan kollega för %(region)s.") % {"region": region.name})
    if ProxyAppointment.objects.filter(user=user, ended_at__isnull=True).exists():
        raise ValidationError(
            _("Du är ombud för en region och kan inte samtidigt vara kollega."), code="proxy"
        )
    if Colleague.objects.filter(user=user, removed_at__isnull=True).exists():
        raise ValidationError(
            _("Du är redan kollega för en annan region. Be det ombudet att ta bort dig först."),
            code="colleague_elsewhere",
        )


def colleague_invitation_revoke(
    *, invitation: ColleagueInvitation, by: AbstractBaseUser
) -> ColleagueInvitation:
    _require_proxy(by, invitation.region_id)
    with transaction.atomic():
        invitation = ColleagueInvitation.objects.select_for_update(of=("self",)).get(
            pk=invitation.pk
        )
        if invitation.revoked_by_id == by.pk:
            return invitation  # revoked already, by this proxy: the same click again
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise ValidationError(
                _("Inbjudan är redan använd eller återkallad."), code="invalid_state"
            )
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action="colleague_invitation.revoked",
            actor=by,
            obj=invitation,
            before={"revoked_at": None},
            after={"revoked_at": invitation.revoked_at},
            region_id=invitation.region_id,
        )
    return invitation


def colleague_remove(*, colleague: Colleague, by: AbstractBaseUser) -> Colleague:
    """End a colleague's membership; the record stays."""
    _require_proxy(by, colleague.region_id)
    with transaction.atomic():
        colleague = (
            Colleague.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=colleague.pk)
        )
        if colleague.removed_at is not None and colleague.removed_by_id == by.pk:
            return colleague  # removed already, by this proxy: the same click again
        if colleague.removed_at is not None:
            raise ValidationError(_("Kollegan är redan borttagen."), code="invalid_state")
        colleague.removed_at = timezone.now()
        colleague.removed_by = by
        colleague.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            action="colleague.removed",
            actor=by,
            obj=colleague,
            before={"removed_at": None},
            after={"removed_at": colleague.removed_at},
            region_id=colleague.region_id,
        )
    forget_memberships(colleague.user)
    return colleague
