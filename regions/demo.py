"""Demo users for `load_round_2024 --demo`. Demo only: the passwords are printed and public."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP
from submissions.models import GrantRound

DEMO_PASSWORD = "demo-atgrant-2024"  # noqa: S105 - printed demo credential, never for production


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
        user=user, email=user.email, defaults={"verified": True, "primary": True}  # type: ignore[attr-defined]
    )


def create_demo_users(*, grant_round: GrantRound) -> list[str]:
    """Create (or keep) the demo officer and auditor; return lines describing every demo login."""
    officers, auditors = ensure_role_groups()
    officer = _user("handlaggare@demo.atgrant.se", first="Hanna", last="Handläggare", staff=True)
    officer.groups.add(officers)
    officer.user_permissions.set(_officer_admin_permissions())
    auditor = _user("revisor@demo.atgrant.se", first="Rolf", last="Revisor")
    auditor.groups.add(auditors)
    lines = [
        "Demo users (demo only, password for all: %s):" % DEMO_PASSWORD,
        "  officer  handlaggare@demo.atgrant.se",
        "  auditor  revisor@demo.atgrant.se",
    ]
    return lines


def _officer_admin_permissions() -> list:
    from django.contrib.auth.models import Permission

    return list(
        Permission.objects.filter(
            content_type__app_label__in=["regions", "submissions", "allocation", "audit"]
        )
    )
