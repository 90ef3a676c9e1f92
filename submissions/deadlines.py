"""The deadline rule: when a region may still write its report for a round.

The round's deadline (1 November 23:59:59 Europe/Stockholm by default) or the region's
latest extension, whichever is later; compared on aware datetimes to the whole second
(GrantRound.deadline_passed). Writes also need the round to be open and the report unlocked.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from regions.models import Region
from submissions.models import DeadlineExtension, GrantRound, Report, RoundStatus


def latest_extension(*, grant_round: GrantRound, region: Region) -> DeadlineExtension | None:
    """The extension that counts: the latest one granted for this region and round."""
    extensions = DeadlineExtension.objects.filter(round=grant_round, region=region)
    return extensions.select_related("granted_by").latest_by_pair().get((grant_round.pk, region.pk))


def effective_deadline(grant_round: GrantRound, extension: DeadlineExtension | None) -> dt.datetime:
    """The last moment the region may write: the round's deadline or a later extension."""
    if extension is not None and extension.until > grant_round.deadline:
        return extension.until
    return grant_round.deadline


def deadline_in_force(*, grant_round: GrantRound, region: Region, at: dt.datetime) -> dt.datetime:
    """The region's last moment to write as it stood at ``at`` (a version's submission): the
    round's deadline, or the latest extension granted by then if later (one query). A receipt
    states it, and reads the same however late it is downloaded again."""
    extensions = DeadlineExtension.objects.filter(
        round=grant_round, region=region, granted_at__lte=at
    )
    return effective_deadline(grant_round, extensions.order_by("-granted_at", "-pk").first())


def write_refusal(
    *,
    grant_round: GrantRound,
    extension: DeadlineExtension | None,
    report: Report | None,
    now: dt.datetime,
) -> str | None:
    """Why the region cannot write at `now`, in Swedish, or None if it can.

    The sentence states the round's real state, so a page may show it on a plain GET: it
    says nothing about a write. check_writable adds that to a refused write.
    """
    from atgrant.templatetags.atgrant_format import sv_datetime

    if grant_round.status == RoundStatus.DRAFT:
        return _("Omgången är inte öppen för inrapportering ännu.")
    if grant_round.status == RoundStatus.DECIDED:
        return _("Omgången är beslutad. Rapporten är låst; den senast inskickade versionen gällde.")
    if grant_round.status != RoundStatus.OPEN:
        return _(
            "Omgången är stängd och väntar på beslut. Rapporten är låst; den senast "
            "inskickade versionen gäller."
        )
    if report is not None and report.locked_at is not None:
        return _("Rapporten är låst och kan inte längre ändras.")
    until = extension.until if extension is not None else None
    if grant_round.deadline_passed(now, extended_until=until):
        # The round is still open: the agency can still grant an extension.
        return _(
            "Sista dag för inrapportering har passerat (%(deadline)s svensk tid). "
            "Kontakta myndigheten om ni behöver förlängd svarstid."
        ) % {"deadline": sv_datetime(effective_deadline(grant_round, extension))}
    return None


def check_writable(
    *,
    grant_round: GrantRound,
    extension: DeadlineExtension | None,
    report: Report | None,
    now: dt.datetime,
) -> None:
    """Raise ValidationError if a write at `now` is not allowed: why, and that nothing was
    saved."""
    refusal = write_refusal(grant_round=grant_round, extension=extension, report=report, now=now)
    if refusal is not None:
        raise ValidationError(
            _("%(refusal)s Uppgifterna har inte sparats.") % {"refusal": refusal}, code="closed"
        )
