"""Writes of grant rounds. Report writes are added by the portal."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions.roles import is_officer
from submissions import workflow
from submissions.models import GrantRound


def round_transition(
    *, grant_round: GrantRound, to: str, by: AbstractBaseUser | None
) -> GrantRound:
    """Move a round to status `to`, if the workflow table allows it for this actor.

    `by` None means the system (a scheduled task). The row is locked so that two
    concurrent moves cannot both succeed.
    """
    actor_kind = workflow.SYSTEM if by is None else workflow.OFFICER
    if by is not None and not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan ändra en omgångs status."))
    with transaction.atomic():
        locked = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
        if not workflow.allowed(locked.status, to, actor_kind):
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
