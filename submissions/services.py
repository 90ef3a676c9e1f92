"""Writes of grant rounds and reports: round status, report drafts and submissions, extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions.models import ProxyAppointment, Region
from regions.roles import is_member_of, is_officer, is_proxy_of
from registry import services as registry
from registry.messages import register_sent_messages
from registry.models import SentMessage
from submissions.deadlines import check_writable, latest_extension
from submissions.models import (
    REPORT_FIELDS,
    STOCKHOLM,
    DeadlineExtension,
    GrantRound,
    Report,
    ReportVersion,
    RoundStatus,
)

if TYPE_CHECKING:
    from submissions.selectors import ReportCard

MAX_POSTS = 5000


# --- reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """What a region writes into its report (the form's cleaned data)."""

    filled_posts: int | None = None
    started_posts: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    comment: str = ""

    def validate(self, *, for_submission: bool) -> None:
        """The service's own check of what the form also checks (a bug in a form must not pass)."""
        for value in (self.filled_posts, self.started_posts):
            if value is not None and not (0 <= value <= MAX_POSTS):
                raise ValidationError(
                    _("Antalet tjänster måste vara mellan 0 och %(max)s.") % {"max": MAX_POSTS}
                )
        if not for_submission:
            return
        if self.filled_posts is None and self.started_posts is None:
            raise ValidationError(
                _("Ange tillsatta eller påbörjade AT-tjänster (minst ett av dem).")
            )
        if not self.contact_name or not self.contact_email:
            raise ValidationError(_("Ange kontaktperson och kontaktpersonens e-post."))


class ReportConflict(ValidationError):
    """The report was changed by someone else since the form was loaded."""

    def __init__(self, report: Report) -> None:
        editor = report.updated_by
        who = (editor.get_full_name() or editor.email) if editor is not None else "?"
        super().__init__(
            _(
                "Rapporten har ändrats av %(who)s %(when)s sedan du öppnade den. "
                "Dina uppgifter har inte sparats men finns kvar nedan. Jämför med den sparade "
                "rapporten och spara igen om dina uppgifter ska gälla."
            )
            % {"who": who, "when": _when(report.updated_at)},
            code="conflict",
        )
        self.report = report


class UnusualFigures(ValidationError):
    """The figures are unusual (submissions.plausibility) and the proxy has not confirmed them."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(
            _("Bekräfta att de ovanliga uppgifterna stämmer innan rapporten skickas in."),
            code="unconfirmed",
        )
        self.warnings = warnings


def _when(moment: dt.datetime) -> str:
    """'kl. 14:05' today, else 'den 1 november 2024 kl. 14:05' (Swedish time)."""
    from atgrant.templatetags.atgrant_format import sv_datetime

    local = moment.astimezone(STOCKHOLM)
    if local.date() == timezone.now().astimezone(STOCKHOLM).date():
        return _("kl. %(time)s") % {"time": f"{local:%H:%M}"}
    return _("den %(datetime)s") % {"datetime": sv_datetime(moment)}


def _snapshot(report: Report) -> dict[str, object]:
    values = {name: getattr(report, name) for name in REPORT_FIELDS}
    values["revision"] = report.revision
    return values


def _prepare_write(
    *, grant_round: GrantRound, region: Region, now: dt.datetime
) -> tuple[Report, bool]:
    """Check the deadline and get (or create) the region's report row. Inside a transaction."""
    round_now = GrantRound.objects.get(pk=grant_round.pk)  # the status as of now, not as loaded
    report = Report.objects.filter(round=grant_round, region=region).first()
    check_writable(
        grant_round=round_now,
        extension=latest_extension(grant_round=grant_round, region=region),
        report=report,
        now=now,
    )
    if report is not None:
        return report, False
    report, created = Report.objects.get_or_create(round=grant_round, region=region)
    return report, created


def _write_report(
    *, report: Report, data: ReportData, revision: int, by: AbstractBaseUser, now: dt.datetime
) -> tuple[Report, bool]:
    """Write `data` if the report is still at `revision` (a conditional UPDATE).

    Returns (the report, True) when written. When the report is at a later revision that
    holds exactly `data` as last written by `by`, the request is a retry of one that already
    took effect (a double click, a form sent again): (the report as stored, False). Any other
    later revision raises ReportConflict.
    """
    updated = Report.objects.filter(pk=report.pk, revision=revision).update(
        **asdict(data), revision=revision + 1, updated_by=by, updated_at=now
    )
    if updated == 1:
        report.refresh_from_db()
        return report, True
    current = Report.objects.select_related("updated_by").get(pk=report.pk)
    if is_own_result(current, data, by):
        return current, False
    raise ReportConflict(current)


def is_own_result(report: Report | None, data: ReportData, by: AbstractBaseUser) -> bool:
    """The report, as stored, is what `by` wrote with `data`: nothing of theirs is lost and
    nobody else's change is overwritten if their stale form is taken as already saved."""
    return (
        report is not None
        and report.updated_by_id == by.pk
        and all(getattr(report, name) == value for name, value in asdict(data).items())
    )


def report_save_draft(
    *,
    grant_round: GrantRound,
    region: Region,
    data: ReportData,
    revision: int,
    by: AbstractBaseUser,
) -> Report:
    """Save the region's working copy. The proxy and colleagues may; until the deadline.

    `revision` is the Report.revision the form was loaded at (0 for a report not yet created).
    """
    if not is_member_of(by, region):
        raise PermissionDenied(_("Bara regionens ombud och kollegor kan ändra rapporten."))
    data.validate(for_submission=False)
    now = timezone.now()
    with transaction.atomic():
        report, _created = _prepare_write(grant_round=grant_round, region=region, now=now)
        before = _snapshot(report)
        report, written = _write_report(report=report, data=data, revision=revision, by=by, now=now)
        if not written:
            return report  # a retry of this very save: it is done, nothing to record
        audit_record(
            action="report.draft_saved",
            actor=by,
            obj=report,
            before=before,
            after=_snapshot(report),
            round_id=grant_round.pk,
            region_id=region.pk,
        )
    return report


def _own_latest_version(
    report: Report, data: ReportData, by: AbstractBaseUser
) -> ReportVersion | None:
    """The report's latest version if `by` submitted it with exactly `data`, else None."""
    latest = ReportVersion.objects.filter(report=report).order_by("-number").first()
    if latest is None or latest.submitted_by_id != by.pk:
        return None
    if any(getattr(latest, name) != value for name, value in asdict(data).items()):
        return None
    return latest


def next_reference(grant_round: GrantRound, region: Region) -> str:
    prefix = f"AT{grant_round.year}-{region.code}-"
    taken = ReportVersion.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def report_submit(
    *,
    grant_round: GrantRound,
    region: Region,
    data: ReportData,
    revision: int,
    by: AbstractBaseUser,
    confirm_unusual: bool = False,
) -> ReportVersion:
    """Submit the report: write `data` and freeze it as the next ReportVersion (the receipt).

    Only the region's proxy; until the deadline; refused (ReportConflict) if someone else
    changed the report since `revision`. A retry of a submission that already took effect
    (the same person, the same values, the latest version) returns that version: no second
    version, no second receipt. Unusual figures (submissions.plausibility) need
    `confirm_unusual`, the proxy's tick on the confirmation page, else UnusualFigures (with the
    warnings) is raised; the audit event records the warnings confirmed. Queues the receipt
    e-mail (a Celery task: the PDF is slow) once the transaction committed.
    """
    from submissions.selectors import unusual_figures_for

    if not is_proxy_of(by, region):
        raise PermissionDenied(_("Bara regionens ombud kan skicka in rapporten."))
    data.validate(for_submission=True)
    warnings = unusual_figures_for(
        grant_round=grant_round,
        region=region,
        filled=data.filled_posts,
        started=data.started_posts,
    )
    now = timezone.now()
    with transaction.atomic():
        report, _created = _prepare_write(grant_round=grant_round, region=region, now=now)
        if warnings and not confirm_unusual:  # after the deadline's refusal, which says more
            raise UnusualFigures(warnings)
        before = _snapshot(report)
        report, written = _write_report(report=report, data=data, revision=revision, by=by, now=now)
        if not written:
            done = _own_latest_version(report, data, by)
            if done is not None:
                return done  # a retry of this very submission: its receipt, no new version
            # The same person saved these values as a draft since: submit them now.
            report, _written = _write_report(
                report=report, data=data, revision=report.revision, by=by, now=now
            )
        number = (
            ReportVersion.objects.filter(report=report)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        version = ReportVersion.objects.create(
            report=report,
            number=number,
            reference=next_reference(grant_round, region),
            submitted_at=now,
            submitted_by=by,
            **asdict(data),
        )
        registry.register_report_version(version=version, by=by)
        audit_record(
            action="report.submitted",
            actor=by,
            obj=version,
            before=before,
            after={
                **_snapshot(report),
                "version": number,
                "reference": version.reference,
                "unusual_confirmed": warnings,
            },
            round_id=grant_round.pk,
            region_id=region.pk,
        )
        from submissions.tasks import send_receipt

        # The PDF is rendered by the worker, after commit: the proxy's request waits for
        # neither it nor the mail server.
        send_receipt.delay_on_commit(version.pk)
    return version


# --- extensions -----------------------------------------------------------------------------


def deadline_extension_grant(
    *,
    grant_round: GrantRound,
    region: Region,
    until: dt.datetime,
    reason: str,
    by: AbstractBaseUser,
) -> DeadlineExtension:
    """Give one region a later deadline for one round. The latest extension granted counts;
    the same officer granting the same extension again (a form sent twice) gets the first.

    Raises PermissionDenied for anyone but an officer; ValidationError when the round takes
    no extensions, or keyed by the argument at fault (``reason``, ``until``)."""
    if not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan förlänga svarstiden."))
    if not grant_round.extensions_open:
        raise ValidationError(_("Svarstiden kan bara förlängas medan omgången är öppen."))
    if not reason.strip():
        raise ValidationError({"reason": _("Ange skälet till förlängningen.")})
    if until <= grant_round.deadline:
        raise ValidationError(
            {"until": _("Den förlängda svarstiden måste vara senare än omgångens sista dag.")}
        )
    with transaction.atomic():
        previous = latest_extension(grant_round=grant_round, region=region)
        if (
            previous is not None
            and previous.granted_by_id == by.pk
            and (previous.until, previous.reason) == (until, reason.strip())
        ):
            return previous  # this very extension, sent again: granted once
        extension = DeadlineExtension.objects.create(
            round=grant_round, region=region, until=until, reason=reason.strip(), granted_by=by
        )
        audit_record(
            action="report.deadline_extended",
            actor=by,
            obj=extension,
            before={
                "until": previous.until if previous else None,
                "reason": previous.reason if previous else None,
            },
            after={"until": until, "reason": extension.reason},
            round_id=grant_round.pk,
            region_id=region.pk,
        )
    return extension


# --- reminders ------------------------------------------------------------------------------


def report_reminders_send(
    *,
    grant_round: GrantRound,
    by: AbstractBaseUser,
    regions: Iterable[Region] | None = None,
) -> list[Region]:
    """Remind by e-mail the regions that have not submitted a report for the round, or hold
    changes that are not sent in (selectors.round_gaps), before the round is closed.

    ``regions``: only these of them (the officer's choice); None: all of them. Regions that
    need no reminder (any more) are left out. Officers only, while the round is open (a closed
    round's reports are locked: a reminder could not be acted on). Each region's reminder is
    an outgoing document: it is written as the report stands now, kept, registered and queued
    to go once the transaction commits (registry.messages); the audit event names the regions
    and their case numbers. Returns the regions reminded, by short name. Raises
    PermissionDenied, ValidationError (nothing is registered or sent).
    """
    from submissions.selectors import report_cards, round_gaps, still_writable

    if not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan skicka påminnelser."))
    if grant_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Påminnelser kan bara skickas medan omgången är öppen."))
    due = round_gaps(grant_round).regions
    if regions is not None:
        chosen = {r.pk for r in regions}
        due = [r for r in due if r.pk in chosen]
    if not due:
        raise ValidationError(
            _("Ingen av de valda regionerna behöver påminnas: de har skickat in sina uppgifter.")
        )
    now = timezone.now()
    due = still_writable(grant_round, due, now)
    if not due:
        raise ValidationError(
            _(
                "Sista dagen har passerat för de valda regionerna, och ingen av dem har "
                "förlängd tid: en påminnelse kan inte längre följas."
            )
        )
    with transaction.atomic():
        reminders = _reminders(report_cards(rounds=[grant_round], regions=due, now=now))
        if not reminders:
            raise ValidationError(
                _("Ingen av de valda regionerna har ombud eller någon som sparat ett utkast.")
            )
        entries = register_sent_messages(messages=reminders, by=by)
        reminded = [m.region for m in reminders]
        audit_record(
            action="round.reminders_sent",
            actor=by,
            obj=grant_round,
            after={
                "regions": [r.name for r in reminded],
                "case_numbers": {
                    m.region.code: e.case_number for m, e in zip(reminders, entries, strict=True)
                },
            },
            round_id=grant_round.pk,
        )
    return reminded


def _reminders(cards: list[ReportCard]) -> list[SentMessage]:
    """The reminder of each card's region that has someone to mail (unsent)."""
    from submissions.emails import report_reminder

    # query: the regions' active proxies, with their users
    proxies = {
        a.region_id: a.user.email
        for a in ProxyAppointment.objects.filter(
            region__in=[c.region for c in cards], ended_at__isnull=True
        ).select_related("user")
    }
    messages = [report_reminder(card, proxies.get(card.region.pk)) for card in cards]
    return [m for m in messages if m is not None]
