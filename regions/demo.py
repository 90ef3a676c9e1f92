"""Demo users for `load_round_2024 --demo`. Demo only: the passwords are printed and public."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP
from submissions.models import GrantRound

# What the audit log says of the records the demo writes (regions' people, reports, extensions).
DEMO_MESSAGE = "Demodata (load_round_2024 --demo)"

# Demo only: the officer's and auditor's TOTP secret (base32), printed by load_round_2024 --demo.
DEMO_TOTP_SECRET = "ATGRANTDEMOSECRETATGRANTDEMO2345"  # noqa: S105
DEMO_PASSWORD = "demo-atgrant-2024"  # noqa: S105 - printed demo credential, never for production
# A run again marks a demo user whose password is no longer the printed one.
PASSWORD_CHANGED = "password changed, not the demo password"


def ensure_role_groups() -> tuple[Group, Group]:
    officers, _ = Group.objects.get_or_create(name=OFFICERS_GROUP)
    auditors, _ = Group.objects.get_or_create(name=AUDITORS_GROUP)
    return officers, auditors


def _user(email: str, *, first: str, last: str, staff: bool = False):  # noqa: ANN202
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
    user.is_staff = staff
    user.save()
    _verified_email(user)
    return user


def _verified_email(user: object) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": True},  # type: ignore[attr-defined]
    )


def create_demo_users(*, grant_round: GrantRound) -> list[str]:
    """Create (or keep) the demo officer and auditor; return lines describing every demo login.

    A run again keeps what the users changed (a password, an authenticator, an application an
    officer decided, a proxy replaced): the lines say so rather than repeat the demo's values.
    """
    officers, auditors = ensure_role_groups()
    officer = _user("handlaggare@demo.atgrant.se", first="Hanna", last="Handläggare", staff=True)
    officer.groups.add(officers)
    officer.user_permissions.set(_officer_admin_permissions())
    # A decision names two officers: one presents the case (föredragande), another decides.
    presenter = _user("foredragande@demo.atgrant.se", first="Frida", last="Föredragande")
    presenter.groups.add(officers)
    auditor = _user("revisor@demo.atgrant.se", first="Rolf", last="Revisor")
    auditor.groups.add(auditors)
    for agency_user in (officer, presenter, auditor):
        _demo_totp(agency_user)
    people = [
        f"  officer  handlaggare@demo.atgrant.se{_login_notes(officer, agency=True)}",
        "  officer  foredragande@demo.atgrant.se (presents the case; another officer decides)"
        f"{_login_notes(presenter, agency=True)}",
        f"  auditor  revisor@demo.atgrant.se{_login_notes(auditor, agency=True)}",
        "  Officers and auditors sign in with a second factor: the demo TOTP secret is",
        f"  {DEMO_TOTP_SECRET} (add it to an authenticator app), or run",
        "  `make demo-code` (python manage.py demo_totp) for the current code.",
    ]
    people += create_demo_region_people(officer=officer)
    if any(PASSWORD_CHANGED in line for line in people):
        header = f"Demo users (demo only, password for all not marked otherwise: {DEMO_PASSWORD}):"
    else:
        header = f"Demo users (demo only, password for all: {DEMO_PASSWORD}):"
    return [header, *people]


def _login_notes(user: object, *, agency: bool = False) -> str:
    """What keeps a demo user from signing in as printed: a password or an authenticator
    changed since the demo was loaded, or an account made inactive ("" if nothing)."""
    from django.contrib.auth.hashers import check_password

    notes = []
    # The hasher's function, not user.check_password: that one saves an upgraded hash.
    if not check_password(DEMO_PASSWORD, user.password):  # type: ignore[attr-defined]
        notes.append(PASSWORD_CHANGED)
    if agency and not _has_demo_totp(user):
        notes.append("own authenticator, not the demo TOTP secret")
    if not user.is_active:  # type: ignore[attr-defined]
        notes.append("inactive: cannot sign in")
    return f" [{'; '.join(notes)}]" if notes else ""


# (region short name, proxy's e-mail, first name, last name)
DEMO_PROXIES = [
    ("Blekinge", "ombud.blekinge@demo.atgrant.se", "Britt", "Blekinge"),
    ("Gotland", "ombud.gotland@demo.atgrant.se", "Gustav", "Gotland"),
    ("Stockholm", "ombud.stockholm@demo.atgrant.se", "Stina", "Stockholm"),
]
DEMO_COLLEAGUE = ("Blekinge", "kollega.blekinge@demo.atgrant.se", "Karl", "Kollega")
DEMO_APPLICANT = ("Uppsala", "sokande.uppsala@demo.atgrant.se", "Sara", "Sökande")


def create_demo_region_people(*, officer: object) -> list[str]:
    """Active proxies for three regions, a colleague, and a pending application (idempotent).

    A region whose proxy an officer replaced keeps the new one; the line says who it is.
    """
    from regions.models import Colleague, ProxyAppointment, Region

    lines = []
    for short_name, email, first, last in DEMO_PROXIES:
        region = Region.objects.get(short_name=short_name)
        user = _user(email, first=first, last=last)
        active = ProxyAppointment.objects.filter(region=region, ended_at__isnull=True).first()
        if active is None:
            active = ProxyAppointment.objects.create(region=region, user=user, appointed_by=officer)
            _audit_demo("proxy_appointment.created", active, actor=officer)
        if active.user_id == user.pk:
            lines.append(f"  proxy    {email} ({region.name}){_login_notes(user)}")
        else:
            lines.append(
                f"  proxy    {email} (no longer {region.name}'s proxy: "
                f"{active.user.email} is){_login_notes(user)}"
            )
    short_name, email, first, last = DEMO_COLLEAGUE
    region = Region.objects.get(short_name=short_name)
    user = _user(email, first=first, last=last)
    colleague, created = Colleague.objects.get_or_create(region=region, user=user, removed_at=None)
    if created:
        _audit_demo("colleague.added", colleague, actor=None)
    lines.append(f"  colleague {email} ({region.name}){_login_notes(user)}")
    lines.append(_demo_application())
    return lines


def _audit_demo(action: str, record: object, *, actor: object) -> None:
    """In the service a proxy or colleague comes from an approved application or an accepted
    invitation, which are audited; the demo's are recorded too, so the auditor's history has
    them (``record``: a ProxyAppointment or Colleague)."""
    from audit.services import audit_record

    audit_record(
        action=action,
        actor=actor,
        obj=record,
        after={"email": record.user.email},
        message=DEMO_MESSAGE,
        region_id=record.region_id,
    )


def _demo_application() -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from regions.documents import minimal_pdf
    from regions.models import ApplicationStatus, ProxyApplication, ProxyBasis, Region
    from regions.services import proxy_application_submit

    short_name, email, first, last = DEMO_APPLICANT
    region = Region.objects.get(short_name=short_name)
    user = _user(email, first=first, last=last)
    application = ProxyApplication.objects.filter(applicant=user, region=region).first()
    if application is None:
        pdf = minimal_pdf("Fullmakt - Region Uppsala (demo)")
        application = proxy_application_submit(
            applicant=user,
            region=region,
            full_name=f"{first} {last}",
            title="Hälso- och sjukvårdsdirektör",
            phone="018-611 00 00",
            basis=ProxyBasis.POWER_OF_ATTORNEY,
            document=SimpleUploadedFile("fullmakt-uppsala.pdf", pdf, "application/pdf"),
        )
    # Pending until an officer handles it (perhaps since an earlier run): then its outcome.
    state = {
        ApplicationStatus.SUBMITTED: "pending proxy application",
        ApplicationStatus.COMPLETION_REQUESTED: "proxy application awaiting completion",
        ApplicationStatus.APPROVED: "approved proxy application",
        ApplicationStatus.REJECTED: "rejected proxy application",
    }[application.status]
    return f"  applicant {email} ({state} for {region.name}){_login_notes(user)}"


def _officer_admin_permissions() -> list:
    from django.contrib.auth.models import Permission

    return list(
        Permission.objects.filter(
            content_type__app_label__in=[
                "regions",
                "submissions",
                "allocation",
                "audit",
                "registry",
            ]
        )
    )


def _demo_totp(user: object) -> None:
    """Give a demo agency user the printed demo TOTP secret (agency users must use MFA)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def _has_demo_totp(user: object) -> bool:
    """Whether the user's TOTP authenticator holds the printed demo secret."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET
