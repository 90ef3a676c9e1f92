"""What the audit history shows for an event: its type and every field, in words, not codes.

One mapping for the whole product: each ``action`` an ``audit_record`` call writes has a
label in :data:`ACTION_LABELS`, and each key of an event's ``before``/``after`` has a
:class:`Field` in :data:`FIELDS` (a label and how its value is written). Labels are Swedish
and translated through gettext (English available). A test reads every ``action="..."`` and
every key written in the code and fails when one has no label here.

Values are formatted the Swedish way (``atgrant.templatetags.atgrant_format``): kronor
``223 000 000 kr``, times ``8 november 2024 kl. 23:59`` (Europe/Stockholm), dates, status
codes by their model's choices, lists joined with commas, ``Ja``/``Nej``, and ``–`` for none.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _

from atgrant.templatetags.atgrant_format import kr, sv_date, sv_datetime, sv_number

NONE = "–"

ACTION_LABELS: dict[str, Promise] = {
    "round.status": gettext_lazy("Omgångens status ändrad"),
    "round.closed": gettext_lazy("Omgången stängd"),
    "round.reminders_sent": gettext_lazy("Påminnelse om inrapportering skickad"),
    "round.decision_record": gettext_lazy("Omgångens beslutsuppgifter ändrade"),
    "round.created": gettext_lazy("Omgång skapad"),
    "round.opened": gettext_lazy("Omgången öppnad och regionerna underrättade"),
    "round.changed": gettext_lazy("Omgångens namn, datum eller påminnelser ändrade"),
    "report.draft_saved": gettext_lazy("Utkast sparat"),
    "report.submitted": gettext_lazy("Inrapportering inskickad"),
    "report.deadline_extended": gettext_lazy("Svarstid förlängd"),
    # Written by the demo data before it used report.deadline_extended; kept for old records.
    "extension.granted": gettext_lazy("Svarstid förlängd"),
    "proxy_application.submitted": gettext_lazy("Ombudsansökan inskickad"),
    "proxy_application.completion_requested": gettext_lazy("Komplettering begärd"),
    "proxy_application.resubmitted": gettext_lazy("Komplettering inskickad"),
    "proxy_application.approved": gettext_lazy("Ombudsansökan beviljad"),
    "proxy_application.rejected": gettext_lazy("Ombudsansökan avslagen"),
    "proxy_appointment.created": gettext_lazy("Ombud utsett"),
    "proxy_appointment.ended": gettext_lazy("Ombudsuppdrag avslutat"),
    "colleague_invitation.created": gettext_lazy("Kollega inbjuden"),
    "colleague_invitation.revoked": gettext_lazy("Inbjudan återkallad"),
    "colleague.added": gettext_lazy("Kollega tillagd"),
    "colleague.removed": gettext_lazy("Kollega borttagen"),
    "allocation.deduction_set": gettext_lazy("Avräkning registrerad"),
    "allocation.deduction_removed": gettext_lazy("Avräkning borttagen"),
    "allocation.override_set": gettext_lazy("Handläggarens värde registrerat"),
    "allocation.override_removed": gettext_lazy("Handläggarens värde borttaget"),
    "allocation.run_requested": gettext_lazy("Körning begärd"),
    "allocation.run_started": gettext_lazy("Körning startad"),
    "allocation.run_done": gettext_lazy("Körning klar"),
    "allocation.run_failed": gettext_lazy("Körning misslyckades"),
    "allocation.run_retried": gettext_lazy("Körning startad om"),
    "allocation.run_recovered": gettext_lazy("Övergiven körning återupptagen"),
    "allocation.model_changed": gettext_lazy("Fördelningsmodellen ändrad"),
    "allocation.model_imported": gettext_lazy("Fördelningsmodellen importerad"),
    "allocation.test_case_saved": gettext_lazy("Kontrollfall sparat"),
    "allocation.test_case_removed": gettext_lazy("Kontrollfall borttaget"),
    "allocation.decisions_issued": gettext_lazy("Omgångens beslut fattade"),
    "allocation.decision_issued": gettext_lazy("Beslut fattat"),
    "allocation.decision_reconsidered": gettext_lazy("Beslut omprövat"),
    "registry.deliveries_resent": gettext_lazy("Beslut skickade igen"),
    "region.changed": gettext_lazy("Region ändrad"),
    "region.created": gettext_lazy("Region tillagd"),
    "region.deleted": gettext_lazy("Region borttagen"),
    "baseline.import_received": gettext_lazy("Fil med underlag inläst"),
    "baseline.population_imported": gettext_lazy("Befolkning införd i omgången"),
    "baseline.plan_imported": gettext_lazy("Planeringsunderlag infört i omgången"),
    "baseline.plan_edited": gettext_lazy("Planeringsunderlag ändrat i omgången"),
    "auth.logged_in": gettext_lazy("Inloggning"),
    "auth.logged_out": gettext_lazy("Utloggning"),
    "auth.login_failed": gettext_lazy("Misslyckad inloggning"),
    "auth.locked_out": gettext_lazy("Spärrad efter misslyckade inloggningar"),
    "mfa.authenticator_added": gettext_lazy("Tvåstegsverifiering aktiverad"),
    "mfa.authenticator_removed": gettext_lazy("Tvåstegsverifiering borttagen"),
}


class Kind(StrEnum):
    """How a field's value is written."""

    TEXT = "text"
    COUNT = "count"
    KRONOR = "kronor"
    DATETIME = "datetime"
    DATE = "date"
    STATUS = "status"  # a status code: the label of the event's object's status choices
    CHOICE = "choice"  # a code with its own labels (CODE_LABELS)
    BYTES = "bytes"


@dataclass(frozen=True)
class Field:
    label: Promise
    kind: Kind = Kind.TEXT
    # Bookkeeping of the service itself (a report's optimistic-locking revision): kept in the
    # stored event, left out of the changes the auditor reads (the page and its exports).
    internal: bool = False


FIELDS: dict[str, Field] = {
    # rounds
    "status": Field(gettext_lazy("Status"), Kind.STATUS),
    "reports_locked": Field(gettext_lazy("Låsta inrapporteringar"), Kind.COUNT),
    "extensions_ended": Field(gettext_lazy("Förlängningar som upphört")),
    # the decision record (allocation/services/record.py)
    "government_decision": Field(gettext_lazy("Regeringsbeslut")),
    "legal_basis": Field(gettext_lazy("Grund för beslutet")),
    "appealable": Field(gettext_lazy("Besluten får överklagas")),
    "no_appeal_reason": Field(gettext_lazy("Skäl till att besluten inte får överklagas")),
    "single_officer_allowed": Field(gettext_lazy("En handläggare får både föredra och besluta")),
    "presented_by": Field(gettext_lazy("Föredragande")),
    # reports and versions
    "unusual_confirmed": Field(gettext_lazy("Ovanliga uppgifter bekräftade av ombudet")),
    "filled_posts": Field(gettext_lazy("Tillsatta AT-tjänster"), Kind.COUNT),
    "started_posts": Field(gettext_lazy("Påbörjade AT-tjänster"), Kind.COUNT),
    "contact_name": Field(gettext_lazy("Kontaktperson")),
    "contact_email": Field(gettext_lazy("Kontaktpersonens e-post")),
    "contact_phone": Field(gettext_lazy("Kontaktpersonens telefon")),
    "comment": Field(gettext_lazy("Kommentar")),
    "revision": Field(gettext_lazy("Ändringsnummer"), Kind.COUNT, internal=True),
    "version": Field(gettext_lazy("Version"), Kind.COUNT),
    "reference": Field(gettext_lazy("Referens")),
    # deadline extensions
    "until": Field(gettext_lazy("Förlängd till"), Kind.DATETIME),
    "reason": Field(gettext_lazy("Skäl")),
    # deductions and the officer's values
    "posts": Field(gettext_lazy("Avräknade tjänster"), Kind.COUNT),
    # the round's allocation model (JSON text) and its test cases
    "model": Field(gettext_lazy("Fördelningsmodell")),
    "test_case": Field(gettext_lazy("Kontrollfall")),
    "test_inputs": Field(gettext_lazy("Kontrollfallets indata")),
    "test_expected": Field(gettext_lazy("Kontrollfallets förväntade belopp")),
    # runs
    "number": Field(gettext_lazy("Körning nr"), Kind.COUNT),
    "attempts": Field(gettext_lazy("Försök"), Kind.COUNT),
    "content_hash": Field(gettext_lazy("Kontrollsumma")),
    "total_paid": Field(gettext_lazy("Utbetalt totalt"), Kind.KRONOR),
    "regions": Field(gettext_lazy("Regioner"), Kind.COUNT),
    "warnings": Field(gettext_lazy("Varningar"), Kind.CHOICE),
    "error": Field(gettext_lazy("Fel")),
    # decisions
    "run": Field(gettext_lazy("Körning nr"), Kind.COUNT),
    "decisions": Field(gettext_lazy("Antal beslut"), Kind.COUNT),
    "total": Field(gettext_lazy("Totalt"), Kind.KRONOR),
    "decision_date": Field(gettext_lazy("Beslutsdatum"), Kind.DATE),
    # Decisions made before models were data: their two blocks.
    "block1": Field(gettext_lazy("Block 1"), Kind.KRONOR),
    "block2": Field(gettext_lazy("Block 2"), Kind.KRONOR),
    # Since: kronor per block id of the run's model ({"block1": 1000, "good": 2000}).
    "amounts": Field(gettext_lazy("Belopp per block"), Kind.KRONOR),
    "deducted": Field(gettext_lazy("Avräknade tjänster"), Kind.COUNT),
    "deduction_reason": Field(gettext_lazy("Skäl för avräkning")),
    "override_reason": Field(gettext_lazy("Skäl för handläggarens värde")),
    "reconsideration_reason": Field(gettext_lazy("Skäl för omprövning")),
    "reconsideration_method": Field(gettext_lazy("Sätt att ompröva")),
    "heartbeat_at": Field(gettext_lazy("Körningens senaste livstecken"), Kind.DATETIME),
    "enqueued_at": Field(gettext_lazy("Körningen köad"), Kind.DATETIME),
    "corrections": Field(gettext_lazy("Rättade uppgifter")),
    "overrun_reason": Field(gettext_lazy("Skäl för att överskrida budgeten")),
    # proxies and colleagues
    "officer_message": Field(gettext_lazy("Handläggarens meddelande")),
    "region": Field(gettext_lazy("Region (länskod)")),
    "full_name": Field(gettext_lazy("Namn")),
    "title": Field(gettext_lazy("Titel")),
    "basis": Field(gettext_lazy("Grund för ansökan"), Kind.CHOICE),
    "document_sha256": Field(gettext_lazy("Dokumentets kontrollsumma (SHA-256)")),
    "document_size": Field(gettext_lazy("Dokumentets storlek"), Kind.BYTES),
    "appointment_id": Field(gettext_lazy("Ombudsuppdrag nr")),
    "replaced_appointment_id": Field(gettext_lazy("Ersatt ombudsuppdrag nr")),
    "replaced_user": Field(gettext_lazy("Tidigare ombud")),
    "ended_at": Field(gettext_lazy("Avslutat"), Kind.DATETIME),
    "ended_reason": Field(gettext_lazy("Skäl för avslut")),
    "removed_at": Field(gettext_lazy("Borttagen"), Kind.DATETIME),
    "invitation_id": Field(gettext_lazy("Inbjudan nr")),
    "email": Field(gettext_lazy("E-post")),
    "expires_at": Field(gettext_lazy("Gäller till"), Kind.DATETIME),
    "revoked_at": Field(gettext_lazy("Återkallad"), Kind.DATETIME),
    # regions (the admin) and the delivery of decisions
    "code": Field(gettext_lazy("Länskod")),
    "name": Field(gettext_lazy("Officiellt namn")),
    "short_name": Field(gettext_lazy("Kortnamn")),
    "registry_email": Field(gettext_lazy("Registraturens e-post")),
    "organisation_number": Field(gettext_lazy("Organisationsnummer")),
    "added": Field(gettext_lazy("Nya utskick"), Kind.COUNT),
    "queued_again": Field(gettext_lazy("Utskick köade igen"), Kind.COUNT),
    # imported baselines (population and plan per county code)
    "import_kind": Field(gettext_lazy("Innehåll"), Kind.CHOICE),
    "import_source": Field(gettext_lazy("Källa"), Kind.CHOICE),
    "file_name": Field(gettext_lazy("Filnamn")),
    "file_sha256": Field(gettext_lazy("Filens kontrollsumma (SHA-256)")),
    "population": Field(gettext_lazy("Befolkning per länskod")),
    "plan": Field(gettext_lazy("Planeringsunderlag per länskod")),
    # a new round (submissions.setup) and its opening
    "round_name": Field(gettext_lazy("Omgångens namn")),
    "year": Field(gettext_lazy("År")),
    "slug": Field(gettext_lazy("Kortnamn i adresser")),
    "opens_at": Field(gettext_lazy("Öppnar"), Kind.DATETIME),
    "deadline": Field(gettext_lazy("Sista dag för inrapportering"), Kind.DATETIME),
    "population_date": Field(gettext_lazy("Befolkningsdatum"), Kind.DATE),
    "copied_from": Field(gettext_lazy("Kopia av omgången")),
    "participating": Field(gettext_lazy("Deltagande regioner (länskoder)")),
    "test_cases": Field(gettext_lazy("Kopierade testfall"), Kind.COUNT),
    "recipients": Field(gettext_lazy("Mottagare per länskod")),
    "case_numbers": Field(gettext_lazy("Diarienummer per länskod")),
    # logins
    "login": Field(gettext_lazy("Inloggningsnamn")),
    "type": Field(gettext_lazy("Typ av verifiering"), Kind.CHOICE),
}

# Codes with labels of their own (the engine's warnings, allauth's authenticator types); a
# model's choices give the rest (basis, status).
CODE_LABELS: dict[str, Promise] = {
    "no_participants": gettext_lazy("Inga regioner deltar"),
    "zero_posts_total": gettext_lazy("Inga rapporterade AT-tjänster"),
    "no_region_qualifies": gettext_lazy("Ingen region når första trappsteget"),
    "zero_rate_qualifiers": gettext_lazy("De kvalificerade regionerna har inga AT-tjänster"),
    "steps_exceed_block2": gettext_lazy("Trappstegen överstiger block 2 och har skalats ned"),
    # the warnings of a run of a model as data (allocation.allocmodel)
    "no_one_eligible": gettext_lazy("Ingen region uppfyller ett blocks villkor"),
    "zero_weights": gettext_lazy("Alla vikter i ett block är 0"),
    "remainder_not_paid": gettext_lazy("Resten av ett block betalas inte ut"),
    "amounts_scaled": gettext_lazy("Beloppen överstiger ett blocks budget och har skalats ned"),
    "population": gettext_lazy("Befolkning"),
    "plan": gettext_lazy("Planeringsunderlag"),
    "scb_api": gettext_lazy("SCB:s API (PxWeb, JSON)"),
    "scb_json": gettext_lazy("Fil i SCB:s JSON-format"),
    "scb_csv": gettext_lazy("CSV-fil från SCB"),
    "plan_csv": gettext_lazy("CSV-fil med planeringsunderlag"),
    "totp": gettext_lazy("Autentiseringsapp (TOTP)"),
    "recovery_codes": gettext_lazy("Reservkoder"),
    "webauthn": gettext_lazy("Säkerhetsnyckel"),
}


def action_label(action: str) -> str:
    """The event type in words; an unknown code (none in the code, see the test) as it is."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


# audit.services writes this for an event without a user (a scheduled task, the worker).
SYSTEM_ACTOR = "system"


def actor_label(label: str) -> str:
    """Who did it, as stored (an e-mail address), or "systemet" for the system."""
    return _("systemet") if label in ("", SYSTEM_ACTOR) else label


def field_label(key: str, labels: Mapping[str, str] | None = None) -> str:
    """A field's label; an unknown key with its underscores as spaces, never hidden.
    ``labels``: field_labels() when the caller asks for many."""
    label = (field_labels() if labels is None else labels).get(key)
    return label if label is not None else key.replace("_", " ").capitalize()


def field_labels() -> Mapping[str, str]:
    """Every known field's label (key -> label) in the active language."""
    return _field_labels(get_language())


@functools.cache
def _field_labels(language: str | None) -> dict[str, str]:
    """Every field's label in ``language``, translated once per process: a page of the history
    asks for hundreds of them (bench/pages.py, the auditor's history)."""
    with override(language):
        return {key: str(field.label) for key, field in FIELDS.items()}


def is_internal(key: str) -> bool:
    """Whether ``key`` is bookkeeping the auditor's list of changes leaves out."""
    field = FIELDS.get(key)
    return field is not None and field.internal


def is_empty(value: Any) -> bool:
    """No value: what the history writes as ``–`` (None, "", an empty list or mapping)."""
    return value is None or value == "" or value == [] or value == {}


def format_value(
    key: str, value: Any, *, action: str = "", names: Mapping[str, str] | None = None
) -> str:
    """``value`` of field ``key`` (as stored: JSON) written for people; ``action`` picks the
    status choices (a round's, a run's or an application's status). ``names``: the blocks'
    names by id (the round's model) for kronor per block; a block without one shows its id."""
    if is_empty(value):
        return NONE
    kind = FIELDS[key].kind if key in FIELDS else Kind.TEXT
    if isinstance(value, list):
        return ", ".join(format_value(key, item, action=action, names=names) for item in value)
    if isinstance(value, dict) and kind == Kind.KRONOR:
        # Kronor by a key of the model (a block id): every value is kronor, whatever its key.
        # In the model's order of its blocks: PostgreSQL's jsonb keeps an object's keys sorted,
        # not as written; a block the model does not name comes last, as stored.
        names = names or {}
        order = {block: position for position, block in enumerate(names)}
        items = sorted(value.items(), key=lambda item: order.get(item[0], len(order)))
        return "; ".join(f"{names.get(k) or k}: {_kronor(v, action)}" for k, v in items)
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(k)}: {format_value(k, v, action=action)}" for k, v in value.items()
        )
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    return _FORMATTERS.get(kind, _text)(value, action)


def _text(value: Any, _action: str) -> str:
    return str(value)


def _count(value: Any, _action: str) -> str:
    return sv_number(value, 0) if isinstance(value, int | float) else str(value)


def _kronor(value: Any, _action: str) -> str:
    return kr(value) or str(value)


def _bytes(value: Any, _action: str) -> str:
    return _("%(size)s byte") % {"size": sv_number(value, 0)}


def _parse(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _datetime(value: Any, _action: str) -> str:
    parsed = _parse(value)
    if isinstance(parsed, dt.datetime):
        return sv_datetime(parsed) if parsed.tzinfo else sv_date(parsed)
    return sv_date(parsed) if parsed is not None else str(value)


def _date(value: Any, _action: str) -> str:
    parsed = _parse(value)
    return sv_date(parsed) if parsed is not None else str(value)


def _choice(value: Any, _action: str) -> str:
    from regions.models import ProxyBasis  # below the regions app: imported when needed

    label = CODE_LABELS.get(str(value)) or dict(ProxyBasis.choices).get(str(value))
    return str(label) if label is not None else str(value)


def _status(value: Any, action: str) -> str:
    label = _status_choices(action).get(str(value))
    return str(label) if label is not None else str(value)


def _status_choices(action: str) -> Mapping[str, Any]:
    """The status choices of the event's object, by its action (imported here: the audit app
    is below the apps whose models these are)."""
    from allocation.models import RunStatus
    from regions.models import ApplicationStatus
    from submissions.models import RoundStatus

    if action.startswith("round."):
        return dict(RoundStatus.choices)
    if action.startswith("allocation.run_"):
        return dict(RunStatus.choices)
    if action.startswith("proxy_application."):
        return dict(ApplicationStatus.choices)
    return {}


_FORMATTERS: dict[Kind, Callable[[Any, str], str]] = {
    Kind.COUNT: _count,
    Kind.KRONOR: _kronor,
    Kind.DATETIME: _datetime,
    Kind.DATE: _date,
    Kind.STATUS: _status,
    Kind.CHOICE: _choice,
    Kind.BYTES: _bytes,
}
