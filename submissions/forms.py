from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atgrant.email_address import canonical_email
from atgrant.forms import DATE_MAX, DATE_MIN, DateField, ModelChoiceField, column_field
from regions.fields import RegionField
from submissions.models import STOCKHOLM, GrantRound, Report, RoundBaseline, validate_reminder_days
from submissions.services import MAX_POSTS, ReportData

POST_ERRORS = {
    "invalid": _("Ange ett heltal, utan decimaler eller mellanslag."),
    "min_value": _("Antalet kan inte vara negativt."),
    "max_value": _("Antalet kan inte vara större än %(limit_value)s."),
}


class ReportForm(forms.Form):
    """The report's fields, plus the revision it was loaded at (optimistic locking)."""

    filled_posts = forms.IntegerField(
        label=_("Tillsatta AT-tjänster under året"),
        required=False,
        min_value=0,
        max_value=MAX_POSTS,
        error_messages=POST_ERRORS,
        help_text=_("Heltal. Lämna tomt om uppgiften saknas."),
    )
    started_posts = forms.IntegerField(
        label=_("Påbörjade AT-tjänster under året"),
        required=False,
        min_value=0,
        max_value=MAX_POSTS,
        error_messages=POST_ERRORS,
        help_text=_("Heltal. Det högre av tillsatta och påbörjade räknas."),
    )
    # The columns' own limits (atgrant.forms): a longer text would fail in the database.
    contact_name = column_field(Report, "contact_name", label=_("Kontaktperson"))
    contact_email = column_field(
        Report,
        "contact_email",
        label=_("Kontaktpersonens e-post"),
        error_messages={"invalid": _("Ange en giltig e-postadress, t.ex. namn@region.se.")},
    )
    contact_phone = column_field(Report, "contact_phone", label=_("Kontaktpersonens telefon"))
    comment = column_field(
        Report, "comment", label=_("Kommentar"), widget=forms.Textarea(attrs={"rows": 4})
    )
    revision = column_field(Report, "revision", widget=forms.HiddenInput)

    def __init__(self, *args: object, for_submission: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.for_submission = for_submission

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.for_submission:
            return cleaned
        if cleaned.get("filled_posts") is None and cleaned.get("started_posts") is None:
            if not self.has_error("filled_posts") and not self.has_error("started_posts"):
                message = _("Ange tillsatta eller påbörjade AT-tjänster (minst ett av dem).")
                self.add_error("filled_posts", message)
        if not cleaned.get("contact_name"):
            self.add_error("contact_name", _("Ange en kontaktperson för att skicka in."))
        if not cleaned.get("contact_email") and not self.has_error("contact_email"):
            self.add_error("contact_email", _("Ange kontaktpersonens e-post för att skicka in."))
        return cleaned

    def report_data(self) -> ReportData:
        data = self.cleaned_data
        return ReportData(
            filled_posts=data.get("filled_posts"),
            started_posts=data.get("started_posts"),
            contact_name=data.get("contact_name", "").strip(),
            contact_email=canonical_email(data.get("contact_email")),
            contact_phone=data.get("contact_phone", "").strip(),
            comment=data.get("comment", "").strip(),
        )


class ExtensionForm(forms.Form):
    """An officer's extension for one region: a last day (whole day, Swedish time) and a reason."""

    # Typed, not chosen from a <select>: the page stays small with any number of regions.
    region = RegionField(label=_("Region"))
    until_date = DateField(
        label=_("Förlängd till och med"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Hela dagen räknas, till kl. 23:59:59 svensk tid."),
        error_messages={"invalid": _("Ange ett datum som ÅÅÅÅ-MM-DD.")},
    )
    reason = forms.CharField(
        label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(
            self.cleaned_data["until_date"], dt.time(23, 59, 59), tzinfo=STOCKHOLM
        )


def deadline_passed(deadline_on: dt.date, now: dt.datetime | None = None) -> bool:
    """Whether a deadline day (the whole day, to 23:59:59 Europe/Stockholm) is already over."""
    end = dt.datetime.combine(deadline_on, dt.time(23, 59, 59), tzinfo=STOCKHOLM)
    return end <= (now or timezone.now())


class RoundDatesForm(forms.Form):
    """A round's name, dates and reminder days: a new round's (NewRoundForm) and a draft's
    change (submissions.round_edit). The opening day starts at 00:00 and the deadline is the
    whole day, to 23:59:59, Europe/Stockholm. Field errors: dates out of order, a deadline
    already passed."""

    name = forms.CharField(label=_("Namn"), max_length=200)
    opens_on = DateField(label=_("Öppnar"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline_on = DateField(
        label=_("Sista dag för inrapportering"),
        help_text=_("Hela dagen, till kl. 23:59:59 svensk tid."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    population_date = DateField(
        label=_("Befolkningsdatum"),
        help_text=_("Befolkningen enligt SCB den dagen, normalt 1 november året före."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reminder_days = forms.CharField(
        label=_("Påminnelser (dagar före sista dag)"),
        max_length=50,
        required=False,
        validators=[validate_reminder_days],
        help_text=_("T.ex. 14,3. Lämnas tom skickas inga påminnelser."),
    )

    def clean(self) -> dict:
        data = super().clean()
        opens_on, deadline_on = data.get("opens_on"), data.get("deadline_on")
        population_date = data.get("population_date")
        if deadline_on and deadline_passed(deadline_on):
            self.add_error("deadline_on", _("Sista dag har redan passerat."))
        if opens_on and deadline_on and deadline_on < opens_on:
            message = _("Sista dag kan inte vara före den dag omgången öppnar.")
            self.add_error("deadline_on", message)
        if opens_on and population_date and population_date >= opens_on:
            self.add_error(
                "population_date", _("Befolkningsdatumet ska vara före den dag omgången öppnar.")
            )
        return data


class NewRoundForm(RoundDatesForm):
    """A new draft round (submissions.setup.round_create): empty, or a copy of ``source``.
    Field errors besides RoundDatesForm's: a year or slug another round has."""

    field_order = (
        "source",
        "name",
        "year",
        "slug",
        "opens_on",
        "deadline_on",
        "population_date",
        "reminder_days",
    )

    source = ModelChoiceField(
        queryset=GrantRound.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
    )
    year = forms.IntegerField(label=_("År"), min_value=DATE_MIN.year, max_value=DATE_MAX.year)
    slug = forms.SlugField(
        label=_("Kortnamn i adresser"),
        max_length=50,
        help_text=_("Små bokstäver, siffror och bindestreck, t.ex. at-2025."),
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        same = GrantRound.objects.filter(year=year).first()
        if same is not None:
            raise forms.ValidationError(
                _("Det finns redan en omgång för %(year)s: %(name)s."),
                params={"year": year, "name": same.name},
                code="unique",
            )
        return year

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if GrantRound.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Kortnamnet används redan av en annan omgång."), code="unique"
            )
        return slug


class PlansForm(forms.Form):
    """The plan as written for each participating region of a draft round, one field each
    (``plan_<county code>``), parsed on save by submissions.setup.plans_set."""

    def __init__(self, *args: object, baselines: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {}
        for baseline in baselines:
            name = f"plan_{baseline.region.code}"
            self.regions[name] = baseline.region.code
            self.fields[name] = forms.CharField(
                label=baseline.region.name,
                max_length=RoundBaseline._meta.get_field("plan_text").max_length,
                required=False,
                initial=baseline.plan_text,
            )

    def plans(self) -> dict[str, str]:
        """county code -> the plan as typed (cleaned)."""
        return {code: self.cleaned_data.get(name, "") for name, code in self.regions.items()}

    def field_of(self, code: str) -> str:
        return f"plan_{code}"
