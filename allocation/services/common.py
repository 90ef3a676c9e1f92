"""What the allocation's writes share: the officer check, the round lock, the states a round can
be prepared and run in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from allocation.models import AllocationRun, RunStatus
from regions.roles import is_officer
from submissions.models import GrantRound, RoundStatus

PREPARABLE = (RoundStatus.CLOSED, RoundStatus.ALLOCATED)


def require_officer(user: AbstractBaseUser) -> None:
    if not is_officer(user):
        raise PermissionDenied(_("Endast handläggare får göra detta."))


def lock_round(grant_round: GrantRound) -> GrantRound:
    return GrantRound.objects.select_for_update().get(pk=grant_round.pk)


def active_run_exists(grant_round: GrantRound) -> bool:
    return AllocationRun.objects.filter(
        round=grant_round, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists()
