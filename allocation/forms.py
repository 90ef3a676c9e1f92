"""The officer's forms: deductions, officer-entered values, issuing and reconsidering."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from regions.models import Region

MAX_POSTS = 100_000


class _RegionChoiceForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: object, regions: QuerySet[Region], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: r.name


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
    decision_date = forms.DateField(
        label=_("Beslutsdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lämnas tomt blir det dagens datum."),
    )


class ReconsiderForm(forms.Form):
    block1 = forms.IntegerField(label=_("Block 1 (kr)"), min_value=0)
    block2 = forms.IntegerField(label=_("Block 2 (kr)"), min_value=0)
    reason = forms.CharField(
        label=_("Skäl till omprövningen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
