"""A region typed by its code or its name: a form field that stays small with any number of
regions, unlike a ``<select>`` of every one of them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from atgrant.forms import refuse_nul
from regions.models import Region

# Up to this many regions the input suggests them all (a <datalist>); with more, a list that
# long would weigh on every page that shows the field, so the reader types the code or name.
SUGGESTIONS_MAX = 100


class RegionInput(forms.TextInput):
    """A text input with, while there are few regions, a ``<datalist>`` of their names.

    The suggestions cost one query, made when the field is rendered, whatever the number of
    regions (at most SUGGESTIONS_MAX + 1 rows)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def suggestions(self) -> list[tuple[str, str]] | None:
        # query: the regions' names and codes, one more than shown to know if they all fit
        rows = list(
            Region.objects.order_by("sort_key", "name").values_list("name", "code")[
                : SUGGESTIONS_MAX + 1
            ]
        )
        return rows if len(rows) <= SUGGESTIONS_MAX else None

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        suggestions = self.suggestions()
        if not suggestions:
            return super().render(name, value, attrs, renderer)
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or f'id_{name}'}-list"
        attrs["list"] = list_id
        options = format_html_join("", '<option value="{}">{}</option>', suggestions)
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class RegionField(forms.Field):
    """A region by its two-digit code (``10``), its name (``Region Blekinge``) or its name as
    in the agency's tables (``Blekinge``), in any case. One query to find it."""

    widget = RegionInput
    default_error_messages = {
        "unknown": _("Det finns ingen region med koden eller namnet ”%(value)s”."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("Regionens namn eller tvåsiffriga länskod, t.ex. 10."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.name if isinstance(value, Region) else value

    def to_python(self, value: Any) -> Region | None:
        text = " ".join(str(value or "").split())
        if not text:
            return None
        refuse_nul(text)  # before the lookup: PostgreSQL cannot take it
        # query: the region with that code or name
        region = Region.objects.filter(
            Q(code=text) | Q(name__iexact=text) | Q(short_name__iexact=text)
        ).first()
        if region is None:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text[:60]}
            )
        return region

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": "50"}
