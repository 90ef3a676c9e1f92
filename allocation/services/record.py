"""The decision record's rules: the date a decision may carry and the officers it names.

Förvaltningslagen (2017:900) 31 § requires a record of each written decision: its date, who
decided and who presented the case (föredragande). The agency's rule is that two different
officers take those roles; a round may allow one officer to do both
(``GrantRound.single_officer_allowed``).

A decision date is a day in Europe/Stockholm (settings.TIME_ZONE). It may not lie after today,
nor before the day the round closed (``GrantRound.closed_at``, or its deadline for a round
closed before that was recorded); a reconsideration may not be dated before the decision it
replaces. Both rules raise ``ValidationError`` keyed by the form field (``decision_date``,
``presented_by``), so a form shows them beside the field.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.models import Decision
from allocation.services.common import lock_round, require_officer
from audit.services import audit_record
from regions.roles import OFFICERS_GROUP, is_officer
from submissions.models import GrantRound, RoundStatus

# The round's settings that the letters print; they are fixed once the round is decided,
# since every letter (issued or re-rendered) must say the same.
RECORD_FIELDS = (
    "government_decision",
    "legal_basis",
    "appealable",
    "no_appeal_reason",
    "single_officer_allowed",
)


def earliest_decision_date(grant_round: GrantRound) -> dt.date:
    """The day (Europe/Stockholm) the round closed: no decision may be dated before it."""
    closed = grant_round.closed_at or grant_round.deadline
    return timezone.localdate(closed)


def check_decision_date(
    *,
    grant_round: GrantRound,
    decision_date: dt.date,
    today: dt.date | None = None,
    replaces: Decision | None = None,
) -> None:
    """Raise ``ValidationError({"decision_date": [...]})`` if the date is not allowed."""
    from atgrant.templatetags.atgrant_format import sv_date

    today = today or timezone.localdate()
    problems = []
    if decision_date > today:
        problems.append(
            _("Beslutsdatumet kan inte ligga i framtiden (i dag är det %(today)s).")
            % {"today": sv_date(today)}
        )
    earliest = earliest_decision_date(grant_round)
    if decision_date < earliest:
        problems.append(
            _("Beslutsdatumet kan inte vara före den dag omgången stängdes, %(date)s.")
            % {"date": sv_date(earliest)}
        )
    if replaces is not None and decision_date < replaces.decision_date:
        problems.append(
            _(
                "Ett omprövningsbeslut kan inte dateras före beslutet det ersätter "
                "(%(reference)s av den %(date)s)."
            )
            % {"reference": replaces.reference, "date": sv_date(replaces.decision_date)}
        )
    if problems:
        raise ValidationError({"decision_date": problems})


def check_officers(
    *,
    grant_round: GrantRound,
    decided_by: AbstractBaseUser,
    presented_by: AbstractBaseUser | None,
) -> None:
    """Raise ``ValidationError({"presented_by": [...]})`` unless the presenting officer may
    present this decision for ``decided_by``."""
    if presented_by is None:
        message = _("Ange vilken handläggare som har föredragit ärendet.")
    elif not is_officer(presented_by):
        message = _("Den föredragande måste vara handläggare.")
    elif presented_by.pk == decided_by.pk and not grant_round.single_officer_allowed:
        message = _(
            "Föredragande och beslutande ska vara två olika handläggare. Välj en annan "
            "föredragande, eller låt en annan handläggare fatta beslutet."
        )
    else:
        return
    raise ValidationError({"presented_by": [message]})


def presenting_officers(*, grant_round: GrantRound, decided_by: AbstractBaseUser) -> QuerySet:
    """The active officers who may present a decision that ``decided_by`` makes."""
    officers = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=OFFICERS_GROUP)
        .order_by("first_name", "last_name", "email")
    )
    if not grant_round.single_officer_allowed:
        officers = officers.exclude(pk=decided_by.pk)
    return officers.distinct()


def officer_name(user: AbstractBaseUser | None) -> str:
    """How the record names an officer: the full name, else the e-mail address."""
    if user is None:
        return ""
    return user.get_full_name() or user.email


def round_record_set(
    *, grant_round: GrantRound, by: AbstractBaseUser, **values: object
) -> GrantRound:
    """Set the round's decision-record settings (``RECORD_FIELDS``), audited.

    Raises ``PermissionDenied`` unless ``by`` is an officer, ``ValidationError`` once the
    round is decided or when the values are incomplete (a round whose decisions may not be
    appealed must say why).
    """
    require_officer(by)
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"Not decision-record fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = lock_round(grant_round)
        if locked.status == RoundStatus.DECIDED:
            raise ValidationError(
                _("Omgången är beslutad. Beslutsuppgifterna står i besluten och ändras inte.")
            )
        before = {field: getattr(locked, field) for field in RECORD_FIELDS}
        for field, value in values.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save(update_fields=list(values))
        audit_record(
            action="round.decision_record",
            actor=by,
            obj=locked,
            before=before,
            after={field: getattr(locked, field) for field in RECORD_FIELDS},
            round_id=locked.pk,
        )
    return locked
