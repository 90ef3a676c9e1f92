"""Delivering decisions: one e-mail per decision and recipient (the region's proxy and the
region's official mailbox), recorded, sent by Celery after commit and retried on failure.

The agency informs every region through its official mailbox (registratur) beside the
appointed proxy, so a region without a proxy still receives its decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from allocation.models import Decision
from allocation.selectors import decisions_in_force
from audit.services import audit_record
from regions.models import ProxyAppointment
from regions.roles import is_officer
from registry.models import DecisionDelivery, DeliveryStatus, RecipientKind
from registry.tasks import deliver_decision
from submissions.models import GrantRound

# States a resend may put back in the queue: anything not delivered. A delivery left "sending"
# by a killed worker is among them; the officer resends it (at worst a second copy arrives).
UNDELIVERED = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.RETRYING,
    DeliveryStatus.FAILED,
)


def recipients_of(decisions: Iterable[Decision]) -> dict[int, list[tuple[str, str]]]:
    """Per decision id, its (recipient kind, address) pairs: the region's active proxy and its
    official mailbox, each address once (case-insensitively). One query for the proxies;
    the decisions must carry their region."""
    decisions = list(decisions)
    proxies = dict(
        ProxyAppointment.objects.filter(
            region__in={d.region_id for d in decisions}, ended_at__isnull=True
        ).values_list("region_id", "user__email")
    )
    result = {}
    for decision in decisions:
        candidates = [
            (RecipientKind.PROXY, proxies.get(decision.region_id) or ""),
            (RecipientKind.REGISTRY, decision.region.registry_email),
        ]
        seen: set[str] = set()
        pairs = []
        for kind, email in candidates:
            email = email.strip()
            if email and email.lower() not in seen:
                seen.add(email.lower())
                pairs.append((str(kind), email))
        result[decision.pk] = pairs
    return result


def deliveries_queue(*, decisions: Sequence[Decision]) -> list[DecisionDelivery]:
    """Record a delivery for each recipient of each decision that has none yet, and queue its
    e-mail after commit. Call inside the transaction that issues the decisions."""
    existing = set(
        DecisionDelivery.objects.filter(decision__in=decisions).values_list("decision_id", "email")
    )
    existing = {(pk, email.lower()) for pk, email in existing}
    new = [
        DecisionDelivery(decision_id=pk, recipient_kind=kind, email=email)
        for pk, pairs in recipients_of(decisions).items()
        for kind, email in pairs
        if (pk, email.lower()) not in existing
    ]
    created = DecisionDelivery.objects.bulk_create(new)
    for delivery in created:
        deliver_decision.delay_on_commit(delivery.pk)
    return created


def deliveries_resend(*, grant_round: GrantRound, by: AbstractBaseUser) -> int:
    """Queue again every undelivered e-mail of the round's decisions in force, after adding
    deliveries for recipients that appeared since (a new proxy, a mailbox filled in).
    Returns the number of e-mails queued. Officers only."""
    if not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan skicka beslut."))
    with transaction.atomic():
        decisions = list(decisions_in_force(grant_round=grant_round))
        added = deliveries_queue(decisions=decisions)
        again = list(
            DecisionDelivery.objects.select_for_update()
            .filter(decision__in=decisions, status__in=UNDELIVERED)
            .exclude(pk__in=[d.pk for d in added])
            .values_list("pk", flat=True)
        )
        DecisionDelivery.objects.filter(pk__in=again).update(status=DeliveryStatus.QUEUED)
        for pk in again:
            deliver_decision.delay_on_commit(pk)
        audit_record(
            action="registry.deliveries_resent",
            actor=by,
            obj=grant_round,
            after={"added": len(added), "queued_again": len(again)},
            round_id=grant_round.pk,
        )
    return len(added) + len(again)
