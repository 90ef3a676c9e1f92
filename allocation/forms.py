"""The officer's forms: deductions, officer-entered values, issuing and reconsidering."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allocation.models import Decision
from allocation.services import record
from regions.models import Region
from submissions.models import GrantRound

MAX_POSTS = 100_000


class _RegionChoiceForm(forms.Form):
    region = forms.ModelChoiceField(
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


class DecisionRecordForm(forms.Form):
    """The decision record's date and presenting officer, checked by the rules of
    allocation/services/record.py (the service checks them again when it writes)."""

    decision_date = forms.DateField(
        label=_("Beslutsdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lämnas tomt blir det dagens datum."),
    )
    presented_by = forms.ModelChoiceField(
        label=_("Föredragande"),
        queryset=None,
        help_text=_("Handläggaren som har berett och föredragit ärendet."),
    )

    def __init__(
        self,
        *args: object,
        grant_round: GrantRound,
        decided_by: AbstractBaseUser,
        replaces: Decision | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grant_round, self.decided_by, self.replaces = grant_round, decided_by, replaces
        field = self.fields["presented_by"]
        field.queryset = record.presenting_officers(grant_round=grant_round, decided_by=decided_by)
        field.label_from_instance = record.officer_name
        earliest = record.earliest_decision_date(grant_round)
        if replaces is not None:
            earliest = max(earliest, replaces.decision_date)
        self.fields["decision_date"].widget.attrs.update(
            min=earliest.isoformat(), max=timezone.localdate().isoformat()
        )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if self.errors:
            return data
        data["decision_date"] = data.get("decision_date") or timezone.localdate()
        try:
            record.check_decision_date(
                grant_round=self.grant_round,
                decision_date=data["decision_date"],
                replaces=self.replaces,
            )
            record.check_officers(
                grant_round=self.grant_round,
                decided_by=self.decided_by,
                presented_by=data.get("presented_by"),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


class IssueForm(DecisionRecordForm):
    pass


class ReconsiderForm(DecisionRecordForm):
    field_order = ["block1", "block2", "reason", "decision_date", "presented_by"]

    block1 = forms.IntegerField(label=_("Block 1 (kr)"), min_value=0)
    block2 = forms.IntegerField(label=_("Block 2 (kr)"), min_value=0)
    reason = forms.CharField(
        label=_("Skäl till omprövningen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class RecordSettingsForm(forms.ModelForm):
    """The round's decision-record settings (allocation/services/record.py)."""

    class Meta:
        model = GrantRound
        fields = list(record.RECORD_FIELDS)
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "no_appeal_reason": forms.Textarea(attrs={"rows": 2}),
        }
