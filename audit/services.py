"""Recording audit events. Every service that writes calls `audit_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from atgrant.language import written_in_swedish
from audit.labels import SYSTEM_ACTOR
from audit.models import AuditEvent


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    round_id: int | None = None,
    region_id: int | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. `actor` None means the system (a scheduled task)."""
    event = audit_event(
        action=action,
        actor=actor,
        obj=obj,
        before=before,
        after=after,
        message=message,
        round_id=round_id,
        region_id=region_id,
        ip_address=ip_address,
    )
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events built by `audit_event` in one INSERT (a service writing one per region)."""
    return AuditEvent.objects.bulk_create(events)


def audit_event(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    round_id: int | None = None,
    region_id: int | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """An unsaved audit event (for `audit_record_many`); `audit_record` saves one at once."""
    real_actor = actor if actor is not None and actor.is_authenticated else None
    label = getattr(real_actor, "email", "") or (str(real_actor) if real_actor else SYSTEM_ACTOR)
    return AuditEvent(
        actor=real_actor,
        actor_label=label[:254],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=_repr(obj) if obj is not None else "",
        round_id=round_id,
        region_id=region_id,
        before=before,
        after=after,
        message=message,
        ip_address=ip_address,
    )


@written_in_swedish
def _repr(obj: models.Model) -> str:
    """The object's name as the log keeps it: in Swedish, as the record is (a name with a
    choice's label, e.g. an import's kind, would otherwise be in the actor's language)."""
    return str(obj)[:255]
