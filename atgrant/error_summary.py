"""The error summary at the top of a refused form page (HTTP 400): each error once, as a
link to its field's id, so an officer who lands at the top of a long page sees what to fix
(templates/includes/error_summary.html shows it; static/js/atgrant.js moves focus to it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet


@dataclass(frozen=True)
class SummaryError:
    """One error: ``anchor`` is the id of the element to jump to ("" = no link)."""

    anchor: str
    text: str


def form_errors(form: forms.BaseForm, *, where: str = "", anchor: str = "") -> list[SummaryError]:
    """A bound form's errors: its non-field errors (linked to ``anchor``), then each field's
    as "label: message" linked to the field's id; ``where`` (e.g. "Block 2") comes first."""
    if not form.is_bound or not form.errors:
        return []
    lead = f"{where}: " if where else ""
    found = [SummaryError(anchor, f"{lead}{error}") for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            found.append(
                SummaryError(field.id_for_label or anchor, f"{lead}{field.label}: {error}")
            )
    return found


def formset_errors(formset: BaseFormSet, *, anchor: str, where: Any = None) -> list[SummaryError]:
    """A bound formset's own errors (linked to ``anchor``) and each form's; ``where(i)`` names
    form ``i`` (0-based) in the text and ``{anchor}-{i}`` is its container's id."""
    if not formset.is_bound:
        return []
    found = [SummaryError(anchor, str(error)) for error in formset.non_form_errors()]
    for index, form in enumerate(formset.forms):
        found.extend(
            form_errors(
                form,
                where=where(index) if where else "",
                anchor=f"{formset.prefix}-{index}",
            )
        )
    return found


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, fields: dict[str, str] | None = None
) -> None:
    """Add a service's ValidationError to ``form``: an error keyed by the service's argument
    goes to its field (``fields`` maps an argument to the form's field where their names
    differ), shown there and linked from the summary, once; anything else to the form."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        target = fields.get(name, name)
        form.add_error(target if target in form.fields else None, messages)
