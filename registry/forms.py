from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atgrant.forms import FilterForm
from regions.fields import RegionField
from registry.models import Direction


class RegistryFilter(FilterForm):
    """The registry's filters (all optional, GET)."""

    year = forms.TypedChoiceField(label=_("År"), required=False, coerce=int, empty_value=None)
    direction = forms.ChoiceField(
        label=_("Riktning"),
        required=False,
        choices=[("", _("Alla"))] + list(Direction.choices),
    )
    region = RegionField(label=_("Region (namn eller länskod)"), required=False, help_text="")
    q = forms.CharField(
        label=_("Sök (diarienummer, part, beskrivning)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Alla"))] + [(y, str(y)) for y in years]

    def filters(self) -> dict[str, Any] | None:
        """The valid filters as registry_entries' keyword arguments, or None if invalid."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return {
            "year": data.get("year"),
            "direction": data.get("direction") or "",
            "region": data.get("region"),
            "text": data.get("q") or "",
        }
