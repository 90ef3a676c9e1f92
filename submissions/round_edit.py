"""Changing a draft round's name, dates (opens_at, deadline, population_date) and reminder
days on its preparation page, with the same checks as a new round (submissions.setup
date_problems, a deadline not already passed) and one audit event with before and after.

Kept apart from submissions.setup so that module's copy stays as it is.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from submissions.models import STOCKHOLM, GrantRound
from submissions.setup import (
    _require_draft,
    _require_officer,
    date_problems,
    deadline_time,
    opening_time,
)

EDITED = ("name", "opens_at", "deadline", "population_date", "reminder_days")


def _as_record(grant_round: GrantRound) -> dict[str, str]:
    return {
        "round_name": grant_round.name,
        # In Stockholm time: the same instant reads the same, read back or just set.
        "opens_at": grant_round.opens_at.astimezone(STOCKHOLM).isoformat(),
        "deadline": grant_round.deadline.astimezone(STOCKHOLM).isoformat(),
        "population_date": grant_round.population_date.isoformat(),
        "reminder_days": grant_round.reminder_days,
    }


def edit_initial(grant_round: GrantRound) -> dict[str, object]:
    """The edit form's values: the round's own, dates as days in Europe/Stockholm."""
    return {
        "name": grant_round.name,
        "opens_on": grant_round.opens_at.astimezone(STOCKHOLM).date(),
        "deadline_on": grant_round.deadline.astimezone(STOCKHOLM).date(),
        "population_date": grant_round.population_date,
        "reminder_days": grant_round.reminder_days,
    }


def round_update(
    *,
    grant_round: GrantRound,
    name: str,
    opens_on: dt.date,
    deadline_on: dt.date,
    population_date: dt.date,
    reminder_days: str,
    by: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> GrantRound:
    """Change a draft round's name, dates and reminder days. Raises ValidationError (a dict by
    field, "deadline"/"opens_at"/"population_date"; or a list when the round is not a draft)
    with nothing written, PermissionDenied for a non-officer. Audited as "round.changed"."""
    _require_officer(by)
    now = now or timezone.now()
    with transaction.atomic():
        locked = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
        _require_draft(locked)
        before = _as_record(locked)
        locked.name = name
        locked.opens_at = opening_time(opens_on)
        locked.deadline = deadline_time(deadline_on)
        locked.population_date = population_date
        locked.reminder_days = reminder_days
        problems = date_problems(locked)
        if locked.deadline <= now:
            problems["deadline"] = [_("Sista dag har redan passerat.")]
        if problems:
            raise ValidationError(problems)
        locked.full_clean()
        after = _as_record(locked)
        if after == before:
            return locked
        locked.save(update_fields=list(EDITED))
        audit_record(
            action="round.changed",
            actor=by,
            obj=locked,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            round_id=locked.pk,
        )
    return locked
