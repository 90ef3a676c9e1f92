"""The auditor's read-only pages: the history of every write, a run's record, verification.

Officers and auditors only (anonymous: login; everyone else: 404). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from allocation.models import AllocationRun
from allocation.results import (
    LEGACY_BLOCK1_NAME,
    LEGACY_BLOCK2_NAME,
    model_document,
    read_result,
    value_columns,
)
from allocation.selectors import (
    RegionInputRow,
    decisions_of_round,
    deductions_of_round,
    overrides_of_round,
    round_inputs,
)
from allocation.verify import verify_all
from atgrant.forms import DateField, FilterForm
from atgrant.pagination import page_of
from atgrant.templatetags.atgrant_format import format_number, format_range, sv_datetime
from audit.labels import (
    action_label,
    actor_label,
    field_label,
    field_labels,
    format_value,
    is_empty,
    is_internal,
)
from audit.models import AuditEvent
from regions.collation import name_order
from regions.fields import RegionField
from regions.guards import agency_page
from regions.models import Region
from submissions.models import STOCKHOLM, DeadlineExtension, GrantRound, ReportVersion

# The kinds of record the history can be narrowed to, by their actions.
TYPE_FILTERS: dict[str, tuple[Any, Q]] = {
    "round": (_("Omgångar"), Q(action__startswith="round.")),
    "report": (
        _("Inrapporteringar och versioner"),
        Q(action__startswith="report.") & ~Q(action="report.deadline_extended"),
    ),
    "extension": (
        _("Förlängd svarstid"),
        Q(action="report.deadline_extended") | Q(action="extension.granted"),
    ),
    "proxy": (
        _("Ombud och kollegor"),
        Q(action__startswith="proxy_")
        | Q(action__startswith="colleague")
        | Q(action__startswith="colleague_invitation."),
    ),
    "deduction": (
        _("Avräkningar och handläggarens värden"),
        Q(action__startswith="allocation.deduction_")
        | Q(action__startswith="allocation.override_"),
    ),
    "run": (_("Körningar"), Q(action__startswith="allocation.run_")),
    "decision": (_("Beslut"), Q(action__startswith="allocation.decision")),
    "auth": (_("Inloggning"), Q(action__startswith="auth.") | Q(action__startswith="mfa.")),
}


def _offer_rounds(field: forms.ModelChoiceField, rounds: list[GrantRound]) -> None:
    """A round filter's choices: "Alla", then ``rounds`` as given (no query to draw them; the
    chosen one is checked against them in one)."""
    field.queryset = GrantRound.objects.filter(pk__in=[r.pk for r in rounds])
    field.choices = [("", _("Alla"))] + [(r.pk, r.name) for r in rounds]


class HistoryFilter(FilterForm):
    """The history's filters (all optional, GET)."""

    round = forms.ModelChoiceField(
        label=_("Omgång"), queryset=GrantRound.objects.none(), required=False
    )
    # Typed (code or name), not a <select>: with 2 000 regions a select of them all would
    # make the page heavy; a datalist suggests them while they are few (regions/fields.py).
    # The label says what to type: the row of filters has no room for a help text.
    region = RegionField(label=_("Region (namn eller länskod)"), required=False, help_text="")
    type = forms.ChoiceField(label=_("Typ"), required=False)
    action = forms.ChoiceField(label=_("Händelse"), required=False)
    actor = forms.CharField(label=_("Utförd av (e-post)"), required=False, max_length=254)
    date_from = DateField(
        label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = DateField(
        label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        rounds: list[GrantRound],
        actions: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The rounds are fetched once by the view and reused for the names in the table.
        _offer_rounds(self.fields["round"], rounds)
        self.fields["type"].choices = [("", _("Alla"))] + [
            (key, label) for key, (label, _q) in TYPE_FILTERS.items()
        ]
        self.fields["action"].choices = [("", _("Alla"))] + [
            (action, action_label(action)) for action in actions
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Slutdatumet kan inte vara före startdatumet."))
        return data

    def chosen(self, name: str) -> Any:
        """A valid filter's value (a round, a region...), or None."""
        return self.cleaned_data.get(name) if self.is_valid() else None


def filter_events(form: HistoryFilter) -> QuerySet:
    events = AuditEvent.objects.all()
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data.get("round"):
        events = events.filter(round_id=data["round"].pk)
    if data.get("region"):
        events = events.filter(region_id=data["region"].pk)
    if data.get("type"):
        events = events.filter(TYPE_FILTERS[data["type"]][1])
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("actor"):
        events = events.filter(actor_label__icontains=data["actor"].strip())
    if data.get("date_from"):
        events = events.filter(created_at__gte=_start_of(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(created_at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Stockholm: the dates the auditor types are Swedish days."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=STOCKHOLM)


# Numbers that name something (a year, a version, a code) are not amounts: shown as stored.
_IDENTIFIERS = {"year", "number", "version", "version_number", "revision", "code", "attempts"}


@dataclass(frozen=True)
class Change:
    """One field of an event, labelled and formatted (audit.labels); ``before`` is None when
    the event has no earlier value to show."""

    key: str
    label: str
    before: str | None
    after: str

    @property
    def before_text(self) -> str:
        return self._text(self.before)

    @property
    def after_text(self) -> str:
        return self._text(self.after)

    def _text(self, value: Any) -> str:
        """A logged value as the auditor reads it: counts and amounts grouped ("1 422 288"),
        a plan's range with an en dash, nothing as a dash."""
        if self.key in _IDENTIFIERS or self.key.endswith("_id"):
            return "–" if value is None else str(value)
        return _shown(self.key, value)


@dataclass(frozen=True)
class EventRow:
    """One event as the history's table shows it: every cell's text at the top level, so the
    template looks each up once (a page has 50 rows of 7 cells)."""

    action: str
    when: str
    actor: str
    label: str
    message: str
    object_repr: str
    link: str
    round_name: str
    region_name: str
    changes: list[Change]

    @property
    def changes_html(self) -> SafeString:
        """The changes as list items, each value escaped. Written here, not as a template
        loop, and with the standard library's escape (Django's ``escape`` is the same call
        wrapped): a page of 50 events has hundreds of them, and the loop, then format_html,
        were most of the page's time (bench/pages.py, the auditor's history)."""
        escape = html.escape
        return mark_safe(  # every value is escaped
            "".join(
                f'<li data-field="{escape(c.key)}">{escape(c.label)}: '
                f"{escape(c.after if c.before is None else f'{c.before} → {c.after}')}</li>"
                for c in self.changes
            )
        )


# Decisions made before models were data: their two blocks, named as the decision page names
# them (allocation.results.legacy_model_document).
_LEGACY_BLOCK_NAMES = {"block1": LEGACY_BLOCK1_NAME, "block2": LEGACY_BLOCK2_NAME}


def block_names(grant_round: GrantRound | None) -> dict[str, str]:
    """The names of a round's blocks by id, from its model (``GrantRound.model``, already
    fetched: no query); the two blocks of before models were data unless the model names
    them otherwise."""
    names = dict(_LEGACY_BLOCK_NAMES)
    for block in grant_round.model_blocks if grant_round is not None else ():
        if block.get("id") and block.get("name"):
            names[str(block["id"])] = str(block["name"])
    return names


def event_changes(event: AuditEvent, names: Mapping[str, str] | None = None) -> list[Change]:
    """The changes the auditor reads, for the page and its exports alike: each field whose
    value changed (or that the event sets), labelled and formatted. Left out: a field with no
    value before and none after (an empty optional field of a new record), and the service's
    own bookkeeping (``Field.internal``, the report's revision), both kept in the stored
    event. A change to no value stays, as "–". ``names``: the event's round's blocks by id
    (block_names); a block without one shows its id."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    keys = list(dict.fromkeys([*before, *after]))
    labels = field_labels()
    names = names if names is not None else dict(_LEGACY_BLOCK_NAMES)
    return [
        Change(
            key,
            _label(key, labels, names),
            format_value(key, before[key], action=event.action, names=names)
            if key in before
            else None,
            format_value(key, after.get(key), action=event.action, names=names),
        )
        for key in keys
        if not is_internal(key)
        and not (is_empty(before.get(key)) and is_empty(after.get(key)))
        and (before.get(key) != after.get(key) or key not in before)
    ]


def _label(key: str, labels: Mapping[str, str], names: Mapping[str, str]) -> str:
    """A field's label; the old decisions' own ``block1``/``block2`` fields by the blocks'
    names."""
    if key in _LEGACY_BLOCK_NAMES and names.get(key):
        return names[key]
    return field_label(key, labels)


def _link(event: AuditEvent) -> str:
    from django.urls import reverse

    if event.object_type == "allocation.allocationrun" and event.object_id.isdigit():
        return reverse("allocation_read:audit_run", kwargs={"pk": int(event.object_id)})
    if event.object_type == "allocation.decision" and event.object_repr:
        return reverse("allocation_read:region_decision", kwargs={"reference": event.object_repr})
    return ""


# Events a page of the history: each carries its changes, several lines stacked at phone
# width; fewer than the lists' 50 keep a page readable (the exports hold every event).
HISTORY_PAGE_SIZE = 25


@agency_page
def audit_index(request: HttpRequest) -> HttpResponse:
    rounds = list(GrantRound.objects.order_by("-year", "name"))
    actions = list(
        AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    form = HistoryFilter(request.GET, rounds=rounds, actions=actions)
    # The region's name joined to each event (a subquery: no list of every region).
    events = filter_events(form).annotate(
        region_name=Subquery(Region.objects.filter(pk=OuterRef("region_id")).values("name"))
    )
    page = page_of(request, events, per_page=HISTORY_PAGE_SIZE)
    round_names = {r.pk: r.name for r in rounds}
    names = {r.pk: block_names(r) for r in rounds}
    rows = [
        EventRow(
            action=event.action,
            when=sv_datetime(event.created_at),
            actor=actor_label(event.actor_label),
            label=action_label(event.action),
            message=event.message,
            object_repr=event.object_repr,
            link=_link(event),
            round_name=round_names.get(event.round_id, ""),
            region_name=event.region_name or "",
            changes=event_changes(event, names.get(event.round_id)),
        )
        for event in page.object_list
    ]
    grant_round, region = form.chosen("round"), form.chosen("region")
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "grant_round": grant_round,
        "records": round_records(request, grant_round, region) if grant_round else None,
    }
    return render(request, "allocation/audit/index.html", context)


class RunFilter(FilterForm):
    """The runs' filter (GET): one round, or every round."""

    round = forms.ModelChoiceField(
        label=_("Omgång"), queryset=GrantRound.objects.none(), required=False
    )

    def __init__(self, *args: Any, rounds: list[GrantRound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_rounds(self.fields["round"], rounds)


@agency_page
def audit_runs(request: HttpRequest) -> HttpResponse:
    """Every allocation run, the latest first, 50 a page; ``?round=`` one round's (a round
    that does not exist shows the field's error and no runs)."""
    rounds = list(GrantRound.objects.order_by("-year", "name"))
    form = RunFilter(request.GET, rounds=rounds)
    runs = (
        AllocationRun.objects.select_related("round", "requested_by")
        .defer("snapshot", "result")  # megabytes of JSON per run at 2 000 regions; not shown
        .order_by("-requested_at", "-pk")
    )
    if not form.is_valid():
        runs = runs.none()
    elif form.cleaned_data.get("round"):
        runs = runs.filter(round=form.cleaned_data["round"])
    return render(
        request, "allocation/audit/runs.html", {"form": form, "runs": page_of(request, runs)}
    )


def round_records(
    request: HttpRequest, grant_round: GrantRound, region: Region | None = None
) -> dict[str, Any]:
    """The chosen round's rows themselves: versions, extensions, deductions, officer values,
    decisions (one query each), for one page of regions (50, by name) or the chosen region."""
    regions = Region.objects.order_by("sort_key", "name")
    if region is not None:
        regions = regions.filter(pk=region.pk)
    # queries: the regions' count and this page of them
    page = page_of(request, regions, param="records_page")
    ids = [r.pk for r in page.object_list]
    return {
        "grant_round": grant_round,
        "page": page,
        "versions": ReportVersion.objects.filter(report__round=grant_round)
        .filter(report__region_id__in=ids)
        .select_related("report__region", "submitted_by")
        .order_by("report__region__sort_key", "report__region__name", "number"),
        "extensions": DeadlineExtension.objects.filter(round=grant_round, region_id__in=ids)
        .select_related("region", "granted_by")
        .order_by("region__sort_key", "region__name", "granted_at"),
        "deductions": deductions_of_round(grant_round=grant_round).filter(region_id__in=ids),
        "overrides": overrides_of_round(grant_round=grant_round).filter(region_id__in=ids),
        "decisions": decisions_of_round(grant_round=grant_round)
        .filter(region_id__in=ids)
        # Not shown, and heavy: the run's snapshot and result (megabytes at 2 000 regions,
        # decoded once per decision row) and each decision's calculation.
        .defer(
            "run__snapshot",
            "run__result",
            "explanation",
            "replaces__explanation",
            "replaced_by__explanation",
        ),
    }


# --- a run -----------------------------------------------------------------------------------

DIFF_FIELDS = (
    ("population", _("Befolkning")),
    ("plan_text", _("Plan")),
    ("filled", _("Tillsatta")),
    ("started", _("Påbörjade")),
    ("version_number", _("Version")),
    ("deducted", _("Avräknade")),
    ("deduction_reason", _("Skäl för avräkning")),
    ("override_reason", _("Skäl för handläggarens värde")),
)


def _shown(key: str, value: Any) -> str:
    """A compared value as people read it: Swedish numbers, a plan's range with an en dash."""
    if value is None or value == "":
        return "–"
    if key == "plan_text":
        return format_range(value)
    if isinstance(value, int):
        return format_number(value)
    return str(value)


@dataclass(frozen=True)
class DiffCell:
    then: Any
    now: Any
    label: str = ""  # the column's heading, repeated on a phone where the row is a card
    key: str = ""

    @property
    def then_text(self) -> str:
        return _shown(self.key, self.then)

    @property
    def now_text(self) -> str:
        return _shown(self.key, self.now)

    @property
    def changed(self) -> bool:
        return self.then != self.now


@dataclass(frozen=True)
class DiffRow:
    name: str
    status: str  # "same", "changed", "added", "removed"
    cells: list[DiffCell]


def _current_values(row: RegionInputRow) -> dict[str, Any]:
    return {key: getattr(row, key) for key, _label in DIFF_FIELDS}


def snapshot_diff(snapshot: dict[str, Any] | None, current: list[RegionInputRow]) -> list[DiffRow]:
    """Region by region, each compared value of the run's snapshot next to today's."""
    then = {r["region_id"]: r for r in (snapshot or {}).get("regions", [])}
    now = {row.region_id: _current_values(row) for row in current}
    names = {**{k: v["name"] for k, v in then.items()}, **{r.region_id: r.name for r in current}}
    rows = []
    for region_id in sorted(then.keys() | now.keys(), key=lambda pk: name_order(names[pk])):
        old, new = then.get(region_id), now.get(region_id)
        cells = [
            DiffCell((old or {}).get(key), (new or {}).get(key), str(label), key)
            for key, label in DIFF_FIELDS
        ]
        if old is None:
            status = "added"
        elif new is None:
            status = "removed"
        else:
            status = "changed" if any(cell.changed for cell in cells) else "same"
        rows.append(DiffRow(names[region_id], status, cells))
    return rows


def _rules_rows(snapshot: dict[str, Any] | None) -> list[tuple[Fraction, int]]:
    rules = (snapshot or {}).get("rules") or {}
    return [(Fraction(str(t)), p) for t, p in rules.get("staircase", [])]


@agency_page
def audit_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AllocationRun.objects.select_related("round", "requested_by"), pk=pk)
    diff = snapshot_diff(run.snapshot, round_inputs(grant_round=run.round)) if run.snapshot else []
    view = read_result(run.snapshot, run.result) if run.result else None
    context = {
        "run": run,
        "view": view,
        "model": model_document(run.snapshot),
        "value_columns": value_columns(view.value_names) if view else [],
        "rules": (run.snapshot or {}).get("rules") or {},
        "steps": _rules_rows(run.snapshot),
        "inputs": (run.snapshot or {}).get("regions", []),
        "results": run.result_regions(),
        "result": run.result or {},
        "diff": diff,
        "diff_labels": [label for _key, label in DIFF_FIELDS],
        "changed_count": sum(1 for row in diff if row.status != "same"),
    }
    return render(request, "allocation/audit/run.html", context)


# --- verification ----------------------------------------------------------------------------


@agency_page
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Every finished run recomputed from its snapshot, every decision against its run, the
    hash chain link by link (allocation.verify.verify_all)."""
    return render(request, "allocation/audit/verify.html", {"report": verify_all()})
