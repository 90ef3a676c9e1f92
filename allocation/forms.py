"""The officer's forms: deductions, officer-entered values, issuing and reconsidering."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from allocation.models import Decision
from atgrant.forms import DateField, ModelChoiceField, column_field, integer_range
from atgrant.templatetags.atgrant_format import kr
from regions.models import Region

MAX_POSTS = 100_000


class _RegionChoiceForm(forms.Form):
    # atgrant's: a typed-in code is checked for NUL before it is looked up.
    region = ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: object, regions: QuerySet[Region], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: r.short_name


class DeductionForm(_RegionChoiceForm):
    prefix = "deduction"

    posts = forms.IntegerField(
        label=_("Antal tjänster att avräkna"),
        min_value=1,
        max_value=MAX_POSTS,
        help_text=_("Tjänster som redan fått bidrag i en tidigare omgång."),
    )
    reason = forms.CharField(
        label=_("Skäl"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Skälet står i regionens beslut."),
    )


class OverrideForm(_RegionChoiceForm):
    prefix = "override"

    filled_posts = forms.IntegerField(
        label=_("Tillsatta AT-tjänster"), min_value=0, max_value=MAX_POSTS, required=False
    )
    started_posts = forms.IntegerField(
        label=_("Påbörjade AT-tjänster"), min_value=0, max_value=MAX_POSTS, required=False
    )
    reason = forms.CharField(
        label=_("Skäl"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Värdet ersätter regionens inskickade uppgifter i körningen."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("filled_posts") is None and data.get("started_posts") is None:
            raise forms.ValidationError(_("Ange tillsatta eller påbörjade tjänster (eller båda)."))
        return data


class IssueForm(forms.Form):
    decision_date = DateField(
        label=_("Beslutsdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lämnas tomt blir det dagens datum."),
    )


class ReconsiderForm(forms.Form):
    block1 = column_field(Decision, "block1", label=_("Block 1 (kr)"), min_value=0)
    block2 = column_field(Decision, "block2", label=_("Block 2 (kr)"), min_value=0)
    reason = forms.CharField(
        label=_("Skäl till omprövningen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        block1, block2 = data.get("block1"), data.get("block2")
        if block1 is not None and block2 is not None:
            highest = integer_range(Decision._meta.get_field("total"))[1]
            if block1 + block2 > highest:
                raise forms.ValidationError(
                    _("Beloppen kan tillsammans vara högst %(max)s.") % {"max": kr(highest)}
                )
        return data
