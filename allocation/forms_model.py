"""The officer's forms for a draft round's allocation model (RULES.md, format 1) and its test
cases: the model's name, its values and totals (ordered ``name = expression`` rows), a form per
block, the JSON import, and a test case's CSV text.

``ModelEditor`` assembles the format-1 document from its forms, has
``AllocationModel.from_json`` check it, and puts a ``ModelError`` at the field its ``.field``
path names (``values.rate``, ``blocks.2.amount``...), else at the top of the page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allocation.allocmodel import AllocationModel, ModelError
from allocation.model_cases import CaseTextError, parse_expected, parse_inputs
from allocation.models import ModelTestCase
from atgrant.error_summary import SummaryError, form_errors, formset_errors
from atgrant.forms import INTEGER_RANGES, ModelChoiceField
from submissions.models import GrantRound

MAX_NAME = 100
MAX_EXPRESSION = 4000
MAX_ROWS = 200
MAX_BLOCKS = 50
MAX_CASE_TEXT = 200_000
MAX_MODEL_BYTES = 2 * 1024 * 1024  # as the round's other uploads (submissions.views_setup)
SHARE, AMOUNT = "share", "amount"


class ModelNameForm(forms.Form):
    prefix = "model"

    name = forms.CharField(label=gettext_lazy("Modellens namn"), max_length=200)


class ExpressionRowForm(forms.Form):
    """One ``name = expression`` row of the values or the totals."""

    name = forms.CharField(label=gettext_lazy("Namn"), max_length=MAX_NAME)
    expression = forms.CharField(label=gettext_lazy("Uttryck"), max_length=MAX_EXPRESSION)


class ExpressionRowsFormSet(BaseFormSet):
    """Ordered rows; a name may be given once."""

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.ordered_forms:
            name = form.cleaned_data["name"]
            if name in seen:
                form.add_error("name", _("Namnet %(name)s finns redan.") % {"name": name})
            seen.add(name)

    def rows(self) -> list[tuple[str, str, forms.Form]]:
        """(name, expression, form) in the chosen order, without removed rows."""
        return [
            (form.cleaned_data["name"], form.cleaned_data["expression"], form)
            for form in self.ordered_forms
        ]


ValueFormSet = forms.formset_factory(
    ExpressionRowForm,
    formset=ExpressionRowsFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=MAX_ROWS,
    validate_max=True,
)


class BlockForm(forms.Form):
    """One block: who is eligible, and a share of the budget or computed amounts."""

    id = forms.CharField(
        label=gettext_lazy("Id"),
        max_length=MAX_NAME,
        help_text=gettext_lazy("Kort namn i filer och uttryck, t.ex. block1."),
    )
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    budget = forms.IntegerField(
        label=gettext_lazy("Budget (kr)"),
        min_value=0,
        max_value=INTEGER_RANGES["BigIntegerField"][1],
    )
    eligible = forms.CharField(
        label=gettext_lazy("Villkor för att delta"),
        max_length=MAX_EXPRESSION,
        required=False,
        help_text=gettext_lazy("Tomt: alla regioner som rapporterat. T.ex. increase >= 2."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Slag"),
        choices=[
            (SHARE, gettext_lazy("Andel av budgeten (vikt)")),
            (AMOUNT, gettext_lazy("Belopp per region")),
        ],
        initial=SHARE,
    )
    expression = forms.CharField(
        label=gettext_lazy("Vikt eller belopp"),
        max_length=MAX_EXPRESSION,
        help_text=gettext_lazy("Vikten (t.ex. rate) eller beloppet i kronor (t.ex. step(...))."),
    )
    over_budget = forms.ChoiceField(
        label=gettext_lazy("Om beloppen överstiger budgeten"),
        choices=[
            ("scale", gettext_lazy("Skala ned alla belopp lika mycket")),
            ("error", gettext_lazy("Stoppa körningen med ett fel")),
        ],
        initial="scale",
        help_text=gettext_lazy("Bara för belopp per region."),
    )
    remainder = forms.CharField(
        label=gettext_lazy("Vikt för det som blir över"),
        max_length=MAX_EXPRESSION,
        required=False,
        help_text=gettext_lazy("Bara för belopp per region. Tomt: det som blir över betalas inte."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == SHARE and data.get("remainder"):
            self.add_error(
                "remainder",
                _("Bara ett block med belopp per region kan fördela det som blir över."),
            )
        return data

    def block(self) -> dict[str, Any]:
        """The block as RULES.md writes it."""
        data = self.cleaned_data
        block: dict[str, Any] = {"id": data["id"], "name": data["name"], "budget": data["budget"]}
        if data.get("eligible"):
            block["eligible"] = data["eligible"]
        if data["kind"] == SHARE:
            block["share"] = data["expression"]
            return block
        block["amount"] = data["expression"]
        block["over_budget"] = data["over_budget"]
        if data.get("remainder"):
            block["remainder"] = data["remainder"]
        return block

    @staticmethod
    def initial_of(block: dict[str, Any]) -> dict[str, Any]:
        kind = AMOUNT if block.get("amount") is not None else SHARE
        return {
            "id": block.get("id", ""),
            "name": block.get("name", ""),
            "budget": block.get("budget"),
            "eligible": block.get("eligible") or "",
            "kind": kind,
            "expression": block.get(kind) or "",
            "over_budget": block.get("over_budget") or "scale",
            "remainder": block.get("remainder") or "",
        }


class BlockFormSet(BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.ordered_forms:
            block_id = form.cleaned_data["id"]
            if block_id in seen:
                form.add_error("id", _("Id %(id)s finns redan.") % {"id": block_id})
            seen.add(block_id)


BlockFormSetClass = forms.formset_factory(
    BlockForm,
    formset=BlockFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=MAX_BLOCKS,
    validate_max=True,
)

# ModelError.field's last part for a block -> the form field that shows it.
_BLOCK_FIELDS = {
    "id": "id",
    "name": "name",
    "budget": "budget",
    "eligible": "eligible",
    "share": "expression",
    "amount": "expression",
    "over_budget": "over_budget",
    "remainder": "remainder",
}
SECTIONS = ("values", "totals", "blocks")


def _rows_initial(rows: Any) -> list[dict[str, str]]:
    if not isinstance(rows, dict):
        return []
    return [{"name": str(name), "expression": str(text)} for name, text in rows.items()]


def _document_of(stored: Any) -> dict[str, Any]:
    """The stored model as a format-1 document to fill the forms with (a legacy 2024 rules
    document is converted; anything unreadable gives empty forms)."""
    if isinstance(stored, dict) and "format" not in stored and stored:
        try:
            return AllocationModel.from_json(stored).to_json()
        except ModelError:
            return {}
    return stored if isinstance(stored, dict) else {}


def _name_refused(section: str, name: str, value_names: list[str]) -> bool:
    """Whether the engine refuses ``name`` itself in ``section`` (its error path is the same
    for a name and its expression): asked of the engine, the rules' one home, on a model
    with nothing else in it."""
    probe: dict[str, Any] = {
        "format": 1,
        "name": "probe",
        "values": {n: "1" for n in value_names} if section == "totals" else {},
        "totals": {},
        "blocks": [{"id": "probe", "name": "probe", "budget": 0, "share": "1"}],
    }
    probe[section][name] = "1"
    try:
        AllocationModel.from_json(probe)
    except ModelError as exc:
        return exc.field == f"{section}.{name}"
    return False


class ModelEditor:
    """The editor's forms, bound to a POST or filled from a stored document."""

    def __init__(self, data: QueryDict | None = None, *, document: Any = None) -> None:
        document = _document_of(document or {})
        blocks = document.get("blocks")
        self.meta = ModelNameForm(data, initial={"name": document.get("name", "")})
        self.values = ValueFormSet(
            data, prefix="values", initial=_rows_initial(document.get("values"))
        )
        self.totals = ValueFormSet(
            data, prefix="totals", initial=_rows_initial(document.get("totals"))
        )
        self.blocks = BlockFormSetClass(
            data,
            prefix="blocks",
            initial=[BlockForm.initial_of(b) for b in blocks if isinstance(b, dict)]
            if isinstance(blocks, list)
            else [],
        )
        self.model_errors: list[str] = []
        self._where: dict[str, Any] = {}
        self._names: list[str] = []

    @staticmethod
    def with_added_row(data: QueryDict, section: str) -> QueryDict:
        """The POST with one more (empty) row in ``section``: the officer adds a row."""
        data = data.copy()
        key = f"{section}-TOTAL_FORMS"
        try:
            total = int(data.get(key, "0"))
        except ValueError:
            total = 0
        limit = MAX_BLOCKS if section == "blocks" else MAX_ROWS
        total = max(total, 0)
        data[key] = str(min(total + 1, limit))
        if section == "blocks":
            # The choices as the page sends them for an untouched block: not a change.
            data.setdefault(f"blocks-{total}-kind", SHARE)
            data.setdefault(f"blocks-{total}-over_budget", "scale")
        return data

    @property
    def formsets(self) -> list[BaseFormSet]:
        return [self.values, self.totals, self.blocks]

    def summary(self) -> list[SummaryError]:
        """Every error of a refused save, top to bottom, each linked to its field."""
        found = [SummaryError("model-form", message) for message in self.model_errors]
        found += form_errors(self.meta, anchor="model-form")
        found += formset_errors(
            self.values,
            anchor="values-heading",
            where=lambda i: _("Värde %(number)s") % {"number": i + 1},
        )
        found += formset_errors(
            self.totals,
            anchor="totals-heading",
            where=lambda i: _("Summa %(number)s") % {"number": i + 1},
        )
        found += formset_errors(
            self.blocks,
            anchor="blocks-heading",
            where=lambda i: _("Block %(number)s") % {"number": i + 1},
        )
        return found

    def document(self) -> dict[str, Any]:
        """The format-1 document the valid forms write (call after the forms are valid)."""
        values, totals = self.values.rows(), self.totals.rows()
        blocks = list(self.blocks.ordered_forms)
        self._names = [name for name, _text, _form in values]
        self._where = {
            "values": {name: form for name, _text, form in values},
            "totals": {name: form for name, _text, form in totals},
            "blocks": blocks,
        }
        return {
            "format": 1,
            "name": self.meta.cleaned_data["name"],
            "values": {name: text for name, text, _form in values},
            "totals": {name: text for name, text, _form in totals},
            "blocks": [form.block() for form in blocks],
        }

    def model(self) -> AllocationModel | None:
        """The checked model, or None with every error put at its field."""
        if not all([self.meta.is_valid(), *(fs.is_valid() for fs in self.formsets)]):
            return None
        try:
            return AllocationModel.from_json(self.document())
        except ModelError as exc:
            self.add_model_error(exc)
            return None

    def add_model_error(self, exc: ModelError) -> None:
        """Put the engine's error at the form field its ``.field`` path names."""
        message = str(exc)
        path = getattr(exc, "field", "") or ""
        section, _dot, rest = path.partition(".")
        if section == "name" and not rest:
            self.meta.add_error("name", message)
        elif section in ("values", "totals") and self._add_row_error(section, rest, message):
            pass
        elif section == "blocks" and self._add_block_error(rest, message):
            pass
        elif section in SECTIONS:
            formset = getattr(self, section)
            formset.non_form_errors().append(message)
        else:
            self.model_errors.append(message)

    def _add_row_error(self, section: str, rest: str, message: str) -> bool:
        forms_by_name = self._where.get(section, {})
        for name in sorted(forms_by_name, key=len, reverse=True):
            if rest == name or rest.startswith(name + "."):
                field = "name" if _name_refused(section, name, self._names) else "expression"
                forms_by_name[name].add_error(field, message)
                return True
        return False

    def _add_block_error(self, rest: str, message: str) -> bool:
        index, _dot, key = rest.partition(".")
        blocks = self._where.get("blocks", [])
        if not index.isdigit() or int(index) >= len(blocks):
            return False
        form = blocks[int(index)]
        key = key.split(".", 1)[0]
        form.add_error(_BLOCK_FIELDS.get(key), message)
        return True


class ModelImportForm(forms.Form):
    """A model document (RULES.md format 1, or the 2024 rules file) uploaded as JSON."""

    prefix = "import"

    file = forms.FileField(label=gettext_lazy("Modellfil (JSON)"))

    def clean_file(self) -> AllocationModel:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MODEL_BYTES:
            raise ValidationError(
                _("Filen är för stor (högst %(mb)s MB).") % {"mb": MAX_MODEL_BYTES // 2**20}
            )
        try:
            data = json.loads(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError(_("Filen är inte UTF-8-text.")) from None
        except (ValueError, RecursionError):
            raise ValidationError(_("Filen är inte giltig JSON.")) from None
        try:
            return AllocationModel.from_json(data)
        except ModelError as exc:
            # The message names the block or value in Swedish; the document path
            # (exc.field) is for code, not for the officer.
            raise ValidationError(str(exc)) from None


class ModelCaseForm(forms.Form):
    """A test case: a name, inputs as allocate_csv's CSV, expected kronor per region/block."""

    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    inputs = forms.CharField(
        label=gettext_lazy("Indata (CSV)"),
        max_length=MAX_CASE_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=gettext_lazy(
            "Som allocate_csv: region,population,planned,filled,started,deducted "
            "(deducted får saknas), en region per rad."
        ),
    )
    expected = forms.CharField(
        label=gettext_lazy("Förväntade belopp (CSV, hela kronor)"),
        max_length=MAX_CASE_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=gettext_lazy(
            "Rubrikrad region och blockens id (och total om du vill), t.ex. "
            "region,block1,block2,total. En tom cell kontrolleras inte."
        ),
    )

    def __init__(self, *args: Any, block_ids: Sequence[str] | None = None, **kwargs: Any) -> None:
        """``block_ids``: the round's model's, to refuse an unknown one in the expected
        amounts' header (None: the round has no valid model, nothing to compare with)."""
        super().__init__(*args, **kwargs)
        self.block_ids = block_ids

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Ange ett namn."))
        return name

    def clean_inputs(self) -> list[dict[str, Any]]:
        try:
            return parse_inputs(self.cleaned_data["inputs"])
        except CaseTextError as exc:
            raise ValidationError(exc.messages) from None

    def clean_expected(self) -> dict[str, dict[str, int]]:
        try:
            return parse_expected(self.cleaned_data["expected"], self.block_ids)
        except CaseTextError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        inputs, expected = data.get("inputs"), data.get("expected")
        if isinstance(inputs, list) and isinstance(expected, dict):
            names = {row["region"] for row in inputs}
            unknown = [region for region in expected if region not in names]
            if unknown:
                self.add_error(
                    "expected",
                    _("Regionerna finns inte bland indata: %(regions)s. Indata har: %(inputs)s.")
                    % {
                        "regions": ", ".join(unknown),
                        "inputs": ", ".join(row["region"] for row in inputs),
                    },
                )
        return data


class SimulationForm(forms.Form):
    """An earlier round with a finished run, to run the draft model on its inputs."""

    source = ModelChoiceField(
        label=gettext_lazy("Tidigare omgång"),
        queryset=GrantRound.objects.none(),
        to_field_name="slug",
    )

    def __init__(self, *args: Any, grant_round: GrantRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from allocation.models import RunStatus

        field = self.fields["source"]
        field.queryset = (
            GrantRound.objects.exclude(pk=grant_round.pk)
            .filter(runs__status=RunStatus.DONE)
            .distinct()
            .order_by("-year", "name")
        )
        field.label_from_instance = lambda r: r.name


def case_initial(case: ModelTestCase) -> dict[str, str]:
    from allocation.model_cases import expected_text, inputs_text

    return {
        "name": case.name,
        "inputs": inputs_text(case.inputs),
        "expected": expected_text(case.expected),
    }
