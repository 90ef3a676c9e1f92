"""What every e-mail of the service says about its sender: ``{% agency_signature %}`` (the
agency, the service, how to reach the agency: settings ATGRANT_AGENCY_*), and
``{{ user|person }}`` (a person by name, with the address only beside it)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def agency_signature() -> str:
    """The closing lines: who sends the message and how to reach the agency (plain text)."""
    lines = [
        _("Med vänliga hälsningar"),
        _("%(agency)s – e-tjänsten för statsbidraget för AT-tjänster")
        % {"agency": settings.ATGRANT_AGENCY_NAME},
        "",
        _("Meddelandet är skickat från e-tjänsten; svar till avsändaradressen läses inte."),
        _("Kontakta myndigheten: %(email)s, telefon %(phone)s, %(address)s")
        % {
            "email": settings.ATGRANT_AGENCY_EMAIL,
            "phone": settings.ATGRANT_AGENCY_PHONE,
            "address": settings.ATGRANT_AGENCY_ADDRESS,
        },
        settings.ATGRANT_AGENCY_WEBSITE,
    ]
    return "\n".join(lines)


@register.filter
def person(user: object) -> str:
    """'Kim Andersson (kim@region.se)', or the address alone for an account with no name."""
    if user is None:
        return ""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    email = getattr(user, "email", "")
    return f"{name} ({email})" if name and email else name or email
