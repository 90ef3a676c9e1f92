"""The grant round's status workflow, in one table.

state -> {next state: who may make the move}. "system" is a scheduled task or the
allocation worker acting without a person. Enforced by `round_transition` only.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions.roles import is_officer
from submissions.models import GrantRound, RoundStatus

OFFICER = "officer"
SYSTEM = "system"

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    RoundStatus.DRAFT: {RoundStatus.OPEN: frozenset({OFFICER})},
    RoundStatus.OPEN: {RoundStatus.CLOSED: frozenset({OFFICER, SYSTEM})},
    RoundStatus.CLOSED: {RoundStatus.ALLOCATED: frozenset({OFFICER, SYSTEM})},
    # A new run after a deduction keeps the round allocated; issuing decides it.
    RoundStatus.ALLOCATED: {
        RoundStatus.ALLOCATED: frozenset({OFFICER, SYSTEM}),
        RoundStatus.DECIDED: frozenset({OFFICER}),
    },
    RoundStatus.DECIDED: {},
}


def allowed(current: str, target: str, actor_kind: str) -> bool:
    return actor_kind in TRANSITIONS.get(current, {}).get(target, frozenset())


def round_transition(
    *, grant_round: GrantRound, to: str, by: AbstractBaseUser | None
) -> GrantRound:
    """Move a round to status `to`, if the workflow table allows it for this actor.

    `by` None means the system (a scheduled task). The row is locked so that two
    concurrent moves cannot both succeed.
    """
    actor_kind = SYSTEM if by is None else OFFICER
    if by is not None and not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan ändra en omgångs status."))
    with transaction.atomic():
        locked = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
        if not allowed(locked.status, to, actor_kind):
            raise ValidationError(
                _("Omgången kan inte gå från %(current)s till %(target)s.")
                % {"current": locked.get_status_display(), "target": to}
            )
        before = locked.status
        locked.status = to
        locked.save(update_fields=["status"])
        audit_record(
            action="round.status",
            actor=by,
            obj=locked,
            before={"status": before},
            after={"status": to},
            round_id=locked.pk,
        )
    grant_round.status = to
    return locked
