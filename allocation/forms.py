"""The officer's forms: deductions, officer-entered values, issuing and reconsidering."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allocation.models import Decision
from allocation.reconsideration import Corrections, ModelBlock
from allocation.services import record
from atgrant.forms import DateField, ModelChoiceField, column_field, integer_range
from atgrant.templatetags.atgrant_format import kr
from regions.models import Region
from submissions.models import GrantRound

MAX_POSTS = 100_000


class _RegionChoiceForm(forms.Form):
    # atgrant's: a typed-in code is checked for NUL before it is looked up.
    region = ModelChoiceField(
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


class DecisionRecordForm(forms.Form):
    """The decision record's date and presenting officer, checked by the rules of
    allocation/services/record.py (the service checks them again when it writes)."""

    decision_date = DateField(
        label=_("Beslutsdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lämnas tomt blir det dagens datum."),
    )
    presented_by = ModelChoiceField(
        label=_("Föredragande"),
        queryset=get_user_model().objects.none(),  # the round's officers (__init__)
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
        # Where the round lets one officer both present and decide, the decider is the default.
        field.required = not grant_round.single_officer_allowed
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
        data["presented_by"] = data.get("presented_by") or self.decided_by
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
    """A reconsideration: corrected inputs run through the run's model, or typed amounts.

    Every number has bounds the database can hold: counts up to MAX_POSTS, each block amount
    up to its block's budget. ``blocks`` are the blocks of the decision's run
    (``reconsideration.run_blocks``): the form has one amount field per block, named by the
    block's id (``block1``, ``good``), or ``amount_<id>`` where an id is the name of one of the
    form's own fields.
    """

    ENGINE, MANUAL = "engine", "manual"

    method = forms.ChoiceField(
        label=_("Hur ska beloppen bestämmas?"),
        choices=[
            (ENGINE, _("Räkna om med omgångens regler och regionens rättade uppgifter")),
            (MANUAL, _("Ange beloppen för hand")),
        ],
        initial=ENGINE,
        widget=forms.RadioSelect,
    )
    plan_text = forms.CharField(
        label=_("Planerade tjänster (planeringsunderlaget)"),
        max_length=100,
        required=False,
        help_text=_(
            "Ett tal eller ett spann, t.ex. 86,5 eller 84–89. Uppgifterna används när "
            "beloppen räknas om med omgångens regler."
        ),
    )
    filled_posts = forms.IntegerField(
        label=_("Tillsatta AT-tjänster"), min_value=0, max_value=MAX_POSTS, required=False
    )
    started_posts = forms.IntegerField(
        label=_("Påbörjade AT-tjänster"), min_value=0, max_value=MAX_POSTS, required=False
    )
    deducted = forms.IntegerField(
        label=_("Avräknade tjänster"), min_value=0, max_value=MAX_POSTS, required=False
    )
    # One amount field per block of the run's model comes here (__init__).
    reason = forms.CharField(
        label=_("Skäl till omprövningen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Skälet står i det nya beslutet."),
    )
    confirm_overrun = forms.BooleanField(
        label=_("Jag bekräftar att omgångens budget överskrids"), required=False
    )
    overrun_reason = forms.CharField(
        label=_("Skäl till att budgeten överskrids"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: object, blocks: Sequence[ModelBlock], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.blocks = tuple(blocks)
        for block in self.blocks:
            self.fields[self.amount_field(block.id)] = column_field(
                Decision,
                "total",
                label=_("%(block)s (kr)") % {"block": block.name},
                min_value=0,
                max_value=block.budget,
                required=False,
                help_text=_("Bara när beloppen anges för hand; högst blockets budget."),
            )
        order = list(self.fields)
        amounts = [self.amount_field(block.id) for block in self.blocks]
        rest = [name for name in order if name not in amounts]
        at = rest.index("reason")
        self.order_fields([*rest[:at], *amounts, *rest[at:]])

    @classmethod
    def amount_field(cls, block_id: str) -> str:
        """The name of a block's amount field."""
        own = set(cls.base_fields) | set(DecisionRecordForm.base_fields)
        return f"amount_{block_id}" if block_id in own else block_id

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("method") == self.MANUAL:
            self._clean_amounts(data)
        elif data.get("method") == self.ENGINE:
            if not (data.get("plan_text") or "").strip() and "plan_text" not in self.errors:
                self.add_error("plan_text", _("Ange planen."))
            if data.get("filled_posts") is None and data.get("started_posts") is None:
                raise forms.ValidationError(
                    _("Ange tillsatta eller påbörjade tjänster (eller båda).")
                )
        if data.get("confirm_overrun") and not (data.get("overrun_reason") or "").strip():
            self.add_error("overrun_reason", _("Ange skälet till att budgeten överskrids."))
        return data

    def _clean_amounts(self, data: dict[str, object]) -> None:
        amounts = []
        for block in self.blocks:
            name = self.amount_field(block.id)
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("Ange beloppet."))
            amounts.append(data.get(name))
        highest = integer_range(Decision._meta.get_field("total"))[1]
        if None not in amounts and sum(amounts) > highest:  # type: ignore[arg-type]
            raise forms.ValidationError(
                _("Beloppen kan tillsammans vara högst %(max)s.") % {"max": kr(highest)}
            )

    def choice(self) -> dict[str, object]:
        """The service's arguments (decision_reconsider) from valid data."""
        data = self.cleaned_data
        choice: dict[str, object] = {
            "reason": data["reason"],
            "decision_date": data["decision_date"],
            "presented_by": data["presented_by"],
            "overrun_reason": data["overrun_reason"] if data.get("confirm_overrun") else "",
        }
        if data["method"] == self.MANUAL:
            amounts = {block.id: data[self.amount_field(block.id)] for block in self.blocks}
            return {**choice, "amounts": amounts}
        corrections = Corrections(
            plan_text=data["plan_text"].strip(),
            filled=data["filled_posts"],
            started=data["started_posts"],
            deducted=data.get("deducted") or 0,
        )
        return {**choice, "corrections": corrections}


class RecordSettingsForm(forms.ModelForm):
    """The round's decision-record settings (allocation/services/record.py)."""

    class Meta:
        model = GrantRound
        fields = list(record.RECORD_FIELDS)
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "no_appeal_reason": forms.Textarea(attrs={"rows": 2}),
        }
