"""What the allocation's writes share: the officer check, the round lock, the states a round can
be prepared and run in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from allocation.models import AllocationRun, RunStatus
from regions.roles import is_officer
from submissions.models import GrantRound, RoundStatus

PREPARABLE = (RoundStatus.CLOSED, RoundStatus.ALLOCATED)


def run_stale_after() -> dt.timedelta:
    """A RUNNING run older than this (longer than any task may run) may be claimed again."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def require_officer(user: AbstractBaseUser) -> None:
    if not is_officer(user):
        raise PermissionDenied(_("Endast handläggare får göra detta."))


def lock_round(grant_round: GrantRound) -> GrantRound:
    return GrantRound.objects.select_for_update().get(pk=grant_round.pk)


def active_run_exists(grant_round: GrantRound) -> bool:
    return AllocationRun.objects.filter(
        round=grant_round, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists()
