from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from atgrant.email_address import canonical_email
from regions.fields import RegionField
from submissions.models import STOCKHOLM
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
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=200, required=False)
    contact_email = forms.EmailField(
        label=_("Kontaktpersonens e-post"),
        required=False,
        error_messages={"invalid": _("Ange en giltig e-postadress, t.ex. namn@region.se.")},
    )
    contact_phone = forms.CharField(
        label=_("Kontaktpersonens telefon"), max_length=50, required=False
    )
    comment = forms.CharField(
        label=_("Kommentar"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

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
    until_date = forms.DateField(
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
