from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atgrant.forms import ModelChoiceField, column_field
from regions.documents import check_pdf
from regions.models import (
    ApplicationStatus,
    ColleagueInvitation,
    ProxyApplication,
    ProxyBasis,
    Region,
)
from regions.services import applicant_problem


class PdfField(forms.FileField):
    """A PDF of at most 10 MB, checked by its content, without active content, and not
    named or declared as another kind of file (regions.documents.check_pdf)."""

    default_validators = [check_pdf]

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault(
            "help_text",
            _(
                "Endast PDF, högst 10 MB. Filen kontrolleras innan den tas emot: en PDF med "
                "skript, inbäddade filer eller XFA-formulär tas inte emot."
            ),
        )
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})
        )
        super().__init__(**kwargs)


class ProxyApplicationForm(forms.ModelForm):
    region = ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("sort_key", "name"),
        empty_label=_("Välj region"),
    )
    basis = forms.ChoiceField(
        label=_("Behörighet"),
        choices=ProxyBasis.choices,
        widget=forms.RadioSelect,
    )
    document = PdfField(label=_("Fullmakt eller delegationsbeslut"))

    class Meta:
        model = ProxyApplication
        fields = ["region", "full_name", "title", "phone", "basis"]
        labels = {
            "full_name": _("Ditt namn"),
            "title": _("Din roll eller befattning i regionen"),
            "phone": _("Telefon"),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel"}),
        }

    def __init__(self, *args: object, applicant: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.applicant = applicant
        self.pending_region: Region | None = None

    def clean_region(self) -> Region:
        region = self.cleaned_data["region"]
        problem = applicant_problem(self.applicant, region)
        if problem is not None:
            raise forms.ValidationError(problem, code="one_region")
        pending = ProxyApplication.objects.filter(
            applicant=self.applicant,
            region=region,
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.COMPLETION_REQUESTED],
        )
        if pending.exists():
            self.pending_region = region  # for the view: is this the same application again?
            raise forms.ValidationError(
                _(
                    "Du har redan en ansökan om att bli ombud för %(region)s som inte är "
                    "avgjord. Vänta på beslutet eller komplettera den ansökan."
                )
                % {"region": region.name},
                code="pending",
            )
        return region


class ResubmitForm(forms.Form):
    document = PdfField(label=_("Ny eller kompletterad fullmakt"))
    message = forms.CharField(
        label=_("Meddelande till handläggaren (frivilligt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompletionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Vad ska kompletteras?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sökanden ser meddelandet och får det med e-post."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till avslag"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sökanden ser skälet och får det med e-post."),
    )


QUEUE_ALL = "alla"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*ApplicationStatus.choices, (QUEUE_ALL, _("Alla"))],
    )

    def status_filter(self) -> str | None:
        """The status to show; the queue opens on the applications waiting for the agency."""
        if not self.is_valid() or not self.cleaned_data["status"]:
            return ApplicationStatus.SUBMITTED
        status = self.cleaned_data["status"]
        return None if status == QUEUE_ALL else status


class InviteForm(forms.Form):
    email = column_field(
        ColleagueInvitation,
        "email",
        label=_("Kollegans e-postadress"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class RegionRegistryForm(forms.ModelForm):
    """A region's record in the registry (regions.register): the model validates the county
    code, the organisationsnummer's check digit and the mailbox, each at its field."""

    class Meta:
        model = Region
        fields = ["code", "name", "short_name", "organisation_number", "registry_email"]
