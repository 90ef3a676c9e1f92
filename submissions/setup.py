"""Setting up a round in the browser: a new draft (empty, or a copy of an earlier round), the
plan per region, the checks before opening, and opening it.

A copy takes from its source: the allocation model (GrantRound.model, as it is but for its
name's year: the round's budgets and blocks are in it), the decision record's settings
(appeal, one or two officers; not the year's government decision and legal basis), the
reminder days, the deadline and opening day a year later, the population date a year later,
and the participating regions. The regions are copied as RoundBaseline rows *without
figures* (no population, no plan): a year's population is SCB's of 1 November of the year
before and the plans are the regions' new ones, so the new round must get both by import
(submissions.baselines, which fills those rows) or by editing the plans here; a row without
figures fails the checks, so nothing of the earlier year counts by mistake. The model's test
cases are copied with it (allocation.model_checks.copy_test_cases).

Opening (draft -> open) goes through the workflow table (submissions.workflow), only when
every check passes, and e-mails each participating region's active proxy and official mailbox
(Region.registry_email) the round, the deadline and the link, after the commit. The e-mails
are outgoing public documents: each is kept as sent and registered in the diarium with the
opening (registry.messages).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.model_checks import copy_test_cases, model_problems
from allocation.plans import PlanError
from atgrant.language import written_in_swedish
from audit.services import audit_record
from regions.models import ProxyAppointment, Region
from regions.roles import is_officer
from registry.messages import register_sent_messages
from registry.models import DocumentKind, SentMessage
from submissions.baselines import set_plan_bounds
from submissions.models import (
    STOCKHOLM,
    GrantRound,
    RoundBaseline,
    RoundStatus,
    default_deadline,
)
from submissions.plan_csv import plan_error_message
from submissions.workflow import round_transition

# Copied from the source round as they are (the decision record's settings). The government
# decision and the legal basis are the year's own: a copy leaves them empty, and the decision
# record page (allocation.views, round_record) asks for them before the decisions.
RECORD_FIELDS = (
    "appealable",
    "no_appeal_reason",
    "single_officer_allowed",
)


def _require_officer(by: AbstractBaseUser) -> None:
    if not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan förbereda en omgång."))


def _require_draft(grant_round: GrantRound) -> None:
    if grant_round.status != RoundStatus.DRAFT:
        raise ValidationError(
            _("Omgången är %(status)s: den kan bara ändras här medan den är ett utkast.")
            % {"status": grant_round.status_label.lower()}
        )


def a_year_later(day: dt.date) -> dt.date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def opening_time(day: dt.date) -> dt.datetime:
    """A round opens at the start of its day, Europe/Stockholm."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=STOCKHOLM)


def deadline_time(day: dt.date) -> dt.datetime:
    """A deadline is the whole day, to 23:59:59 Europe/Stockholm (as default_deadline)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=STOCKHOLM)


def _next_text(text: str, old_year: int, new_year: int, joiner: str) -> str:
    if str(old_year) in text:
        return text.replace(str(old_year), str(new_year))
    return f"{text}{joiner}{new_year}"


def _copied_model(source: GrantRound, year: int) -> object:
    """The source's model for the round of ``year``: its name with the source's year replaced
    by the new one ("AT-tjänster 2024" -> "AT-tjänster 2025"); a name without the year stays."""
    model = copy.deepcopy(source.model)
    if isinstance(model, dict) and isinstance(model.get("name"), str):
        model["name"] = model["name"].replace(str(source.year), str(year))
    return model


def copy_initial(source: GrantRound) -> dict[str, object]:
    """What the form of a new round starts from when it copies ``source``: its name and slug
    with the next year, every date a year later, its reminder days."""
    year = source.year + 1
    return {
        "source": source,
        "name": _next_text(source.name, source.year, year, " "),
        "slug": _next_text(source.slug, source.year, year, "-"),
        "year": year,
        "opens_on": a_year_later(source.opens_at.astimezone(STOCKHOLM).date()),
        "deadline_on": a_year_later(source.deadline.astimezone(STOCKHOLM).date()),
        "population_date": a_year_later(source.population_date),
        "reminder_days": source.reminder_days,
    }


def empty_initial(today: dt.date) -> dict[str, object]:
    """An empty round for next year: opening 15 April, deadline 1 November, population 1
    November the year before (the 2024 round's pattern, DOMAIN.md)."""
    year = today.year + 1
    return {
        "year": year,
        "name": _("AT-bidraget %(year)s") % {"year": year},
        "slug": f"at-{year}",
        "opens_on": dt.date(year, 4, 15),
        "deadline_on": default_deadline(year).date(),
        "population_date": dt.date(year - 1, 11, 1),
        "reminder_days": "14,3",
    }


def round_create(
    *,
    name: str,
    slug: str,
    year: int,
    opens_on: dt.date,
    deadline_on: dt.date,
    population_date: dt.date,
    reminder_days: str,
    source: GrantRound | None,
    by: AbstractBaseUser,
) -> GrantRound:
    """Create a draft round, empty or a copy of ``source`` (see the module's docstring).

    An empty round has no model (so no budgets): it is written in the model's editor. Raises
    ValidationError (a dict by field: a slug or year taken, dates out of order) with nothing
    written, PermissionDenied for a non-officer.
    """
    _require_officer(by)
    grant_round = GrantRound(
        name=name,
        slug=slug,
        year=year,
        opens_at=opening_time(opens_on),
        deadline=deadline_time(deadline_on),
        population_date=population_date,
        reminder_days=reminder_days,
        status=RoundStatus.DRAFT,
        model=_copied_model(source, year) if source else {},
    )
    if source is not None:
        for name_ in RECORD_FIELDS:
            setattr(grant_round, name_, getattr(source, name_))
    problems = round_field_problems(grant_round)
    if problems:
        raise ValidationError(problems)
    grant_round.full_clean()
    with transaction.atomic():
        grant_round.save()
        codes: list[str] = []
        copied_cases = None
        if source is not None:
            regions = Region.objects.filter(baselines__round=source).order_by("code")
            RoundBaseline.objects.bulk_create(
                RoundBaseline(round=grant_round, region=region) for region in regions
            )
            codes = [region.code for region in regions]
            copied_cases = copy_test_cases(source, grant_round)
        after = {
            "round_name": grant_round.name,
            "year": grant_round.year,
            "slug": grant_round.slug,
            "opens_at": grant_round.opens_at.isoformat(),
            "deadline": grant_round.deadline.isoformat(),
            "population_date": grant_round.population_date.isoformat(),
            "copied_from": source.slug if source else None,
            "participating": codes,
        }
        if source is not None:
            after["test_cases"] = copied_cases
        audit_record(
            action="round.created", actor=by, obj=grant_round, after=after, round_id=grant_round.pk
        )
    return grant_round


def round_field_problems(grant_round: GrantRound) -> dict[str, list[str]]:
    """Field errors of a new round that the model does not know: another round of the same
    year or slug, and dates out of order."""
    problems: dict[str, list[str]] = {}
    others = GrantRound.objects.exclude(pk=grant_round.pk)
    same_year = others.filter(year=grant_round.year).first()
    if same_year is not None:
        problems["year"] = [
            _("Det finns redan en omgång för %(year)s: %(name)s.")
            % {"year": grant_round.year, "name": same_year.name}
        ]
    if others.filter(slug=grant_round.slug).exists():
        problems["slug"] = [_("Kortnamnet används redan av en annan omgång.")]
    problems.update(date_problems(grant_round))
    return problems


def date_problems(grant_round: GrantRound) -> dict[str, list[str]]:
    """The round's dates out of order, by field: the population is counted before the round
    opens, and the round opens before its deadline."""
    problems: dict[str, list[str]] = {}
    opens_on = grant_round.opens_at.astimezone(STOCKHOLM).date()
    if grant_round.deadline <= grant_round.opens_at:
        problems["deadline"] = [_("Sista dag kan inte vara före den dag omgången öppnar.")]
    if grant_round.population_date >= opens_on:
        problems["population_date"] = [
            _("Befolkningsdatumet ska vara före den dag omgången öppnar.")
        ]
    return problems


# --- the plan per region --------------------------------------------------------------------


def plans_set(*, grant_round: GrantRound, plans: dict[str, str], by: AbstractBaseUser) -> int:
    """Set the plans as written, by county code (a participating region's; "" clears one),
    in one transaction with one audit event holding every change. Returns how many changed.

    Raises ValidationError {code: [message]} naming each plan the parser refuses (nothing
    written), or a draft-only refusal; PermissionDenied for a non-officer.
    """
    _require_officer(by)
    with transaction.atomic():
        locked = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
        _require_draft(locked)
        baselines = {
            b.region.code: b
            for b in RoundBaseline.objects.filter(round=locked).select_related("region")
        }
        errors: dict[str, list[str]] = {}
        before, after = {}, {}
        for code, text in plans.items():
            baseline = baselines.get(code)
            if baseline is None:
                errors[code] = [_("Regionen deltar inte i omgången.")]
                continue
            text = text.strip()
            if text == baseline.plan_text:
                continue
            old = baseline.plan_text
            try:
                set_plan_bounds(baseline, text)
            except PlanError as exc:
                message = plan_error_message(exc, text)
                errors[code] = [message[:1].upper() + message[1:] + "."]
                continue
            before[code], after[code] = old or None, text or None
        if errors:
            raise ValidationError(errors)
        for code in after:
            baselines[code].save(update_fields=["plan_text", "plan_low", "plan_high"])
        if after:
            audit_record(
                action="baseline.plan_edited",
                actor=by,
                obj=locked,
                before={"plan": before},
                after={"plan": after},
                round_id=locked.pk,
            )
    return len(after)


# --- the checks before opening, and opening -------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check before opening: ``problems`` empty means it passes. A check that does not
    ``block`` is a warning: shown, but opening is allowed."""

    key: str
    label: str
    problems: tuple[str, ...] = ()
    block: bool = True
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def _model_problems(grant_round: GrantRound) -> list[str]:
    """The model editor's checks: the model is valid and its test cases pass
    (allocation.model_checks)."""
    return [str(problem) for problem in model_problems(grant_round)]


def recipients_by_region(grant_round: GrantRound) -> dict[Region, list[str]]:
    """Each participating region (by name) with whom its opening e-mail goes to: its active
    proxy and its official mailbox, each address once (two queries)."""
    regions = list(Region.objects.filter(baselines__round=grant_round).order_by("sort_key", "name"))
    proxies: dict[int, list[str]] = {}
    appointments = ProxyAppointment.objects.filter(
        region__in=regions, ended_at__isnull=True
    ).select_related("user")
    for appointment in appointments.order_by("appointed_at", "pk"):
        proxies.setdefault(appointment.region_id, []).append(appointment.user.email)
    result = {}
    for region in regions:
        addresses = [*proxies.get(region.pk, []), region.registry_email]
        seen: dict[str, str] = {}
        for address in addresses:
            if address and address.lower() not in seen:
                seen[address.lower()] = address
        result[region] = list(seen.values())
    return result


def opening_checks(grant_round: GrantRound, *, now: dt.datetime | None = None) -> list[Check]:
    """Everything that must hold before ``grant_round`` opens, in the order the page shows."""
    now = now or timezone.now()
    baselines = list(
        RoundBaseline.objects.filter(round=grant_round)
        .select_related("region")
        .order_by("region__sort_key", "region__name")
    )
    checks = [
        Check(
            "status",
            _("Omgången är ett utkast"),
            ()
            if grant_round.status == RoundStatus.DRAFT
            else (
                _("Omgången är redan %(status)s.") % {"status": grant_round.status_label.lower()},
            ),
        ),
        Check(
            "regions",
            _("Regioner deltar"),
            () if baselines else (_("Inga regioner deltar ännu: importera befolkningen."),),
        ),
        Check(
            "population",
            _("Varje region har befolkning"),
            tuple(
                _("%(region)s saknar befolkning.") % {"region": b.region.name}
                for b in baselines
                if b.population is None
            ),
        ),
        Check(
            "plan",
            _("Varje region har planeringsunderlag"),
            tuple(
                _("%(region)s saknar planeringsunderlag.") % {"region": b.region.name}
                for b in baselines
                if not b.has_plan
            ),
        ),
        Check("model", _("Fördelningsmodellen är giltig"), tuple(_model_problems(grant_round))),
    ]
    dates = [message for messages in date_problems(grant_round).values() for message in messages]
    if grant_round.deadline <= now:
        dates.append(_("Sista dag har redan passerat."))
    checks.append(Check("dates", _("Datumen är i ordning"), tuple(dates)))
    silent = [region.name for region, to in recipients_by_region(grant_round).items() if not to]
    checks.append(
        Check(
            "recipients",
            _("Varje region har ombud eller registraturens e-post"),
            tuple(
                _("%(region)s har varken ombud eller registraturens e-post och får inget besked.")
                % {"region": name}
                for name in silent
            ),
            block=False,
        )
    )
    return checks


def blocking_problems(checks: list[Check]) -> list[str]:
    return [problem for check in checks if check.block for problem in check.problems]


def round_open(
    *, grant_round: GrantRound, by: AbstractBaseUser, now: dt.datetime | None = None
) -> GrantRound:
    """Open a draft round: the checks again under the round's lock, then draft -> open
    through the workflow table (audited there), and one e-mail per participating region to
    its proxy and official mailbox, queued to go after the commit. Each e-mail is kept as a
    SentMessage and registered in the diarium as an outgoing document, in the same
    transaction; the recipients and case numbers are audited too. Raises ValidationError
    listing every failed check (nothing changes, nothing is sent or registered),
    PermissionDenied for a non-officer."""
    _require_officer(by)
    with transaction.atomic():
        locked = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
        problems = blocking_problems(opening_checks(locked, now=now))
        if problems:
            raise ValidationError(problems)
        opened = round_transition(grant_round=locked, to=RoundStatus.OPEN, by=by)
        notices = _opening_notices(opened)
        entries = register_sent_messages(messages=notices, by=by)
        codes = [notice.region.code for notice in notices]
        audit_record(
            action="round.opened",
            actor=by,
            obj=opened,
            after={
                "recipients": {n.region.code: n.recipients for n in notices},
                "case_numbers": dict(zip(codes, [e.case_number for e in entries], strict=True)),
            },
            round_id=opened.pk,
        )
    grant_round.status = opened.status
    return opened


@written_in_swedish
def _opening_notices(opened: GrantRound) -> list[SentMessage]:
    """The opening e-mail of each participating region that has someone to send it to, as
    it goes out (unsaved)."""
    subject = _("%(round)s är öppen för inrapportering") % {"round": opened.name}
    notices = []
    for region, recipients in recipients_by_region(opened).items():
        if not recipients:
            continue
        path = reverse("submissions:report_edit", args=[opened.slug, region.code])
        context = {"round": opened, "region": region, "link": settings.SITE_URL.rstrip("/") + path}
        notices.append(
            SentMessage(
                kind=DocumentKind.ROUND_OPENING,
                round=opened,
                region=region,
                recipients=recipients,
                subject=subject,
                body=render_to_string("submissions/email/round_opened.txt", context),
            )
        )
    return notices
