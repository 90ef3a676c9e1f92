"""One Swedish wording for every page, e-mail and PDF, third-party strings included: "e-post"
and "e-postadress", never "epost", "Epost-adress" or "mail" (Språkrådet; the agency's style).

django-allauth's Swedish catalogue has the wrong forms; the project's catalogue
(locale/sv/LC_MESSAGES/django.po, read before the apps' own) overrides them. The checks go
through the catalogue Django really uses for Swedish, so a new allauth version with a new
wrong string fails here until the override is added.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from tests.factories import UserFactory

# A placeholder, a link or an HTML attribute may name an e-mail in English (%(email)s, mailto:).
TECHNICAL = re.compile(r"%\([^)]*\)[sd]|\{[^}]*\}|mailto:|[a-z_]+=\"[^\"]*\"|\(ENTER\)email")
WRONG = re.compile(r"\b[Ee]post|mail", re.IGNORECASE)

ALLAUTH_SV = Path(allauth.__file__).parent / "locale" / "sv" / "LC_MESSAGES" / "django.mo"
PROJECT_SV = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.mo"


def wrong_forms(text: str) -> list[str]:
    """The wrong spellings in a Swedish text ("epost", "Verifierings-mail"...), if any."""
    return WRONG.findall(TECHNICAL.sub("", text))


def swedish(key: str | tuple[str, int]) -> str:
    """What Django shows for a catalogue key (msgid, or (msgid, plural index)) in Swedish."""
    catalog = trans_real.translation("sv")._catalog
    return catalog[key]


def test_the_wrong_forms_are_recognised():
    assert wrong_forms("Epost-adressen och/eller lösenordet är felaktigt.")
    assert wrong_forms("Verifierings-mail skickat till %(email)s.")
    assert wrong_forms("Detta mail kan ignoreras")
    assert not wrong_forms("Ett e-postmeddelande har skickats till %(email)s.")
    assert not wrong_forms('<a href="mailto:%(email)s">%(email)s</a> är en e-postadress')


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        (
            "The email address and/or password you specified are not correct.",
            "E-postadressen eller lösenordet är fel.",
        ),
        (
            "Confirmation email sent to %(email)s.",
            "Ett e-postmeddelande för verifiering har skickats till %(email)s.",
        ),
        ("Email address", "E-postadress"),
    ],
)
def test_allauths_swedish_slips_are_overridden(msgid, expected):
    with translation.override("sv"):
        assert translation.gettext(msgid) == expected


def test_no_swedish_string_of_allauth_says_epost_or_mail():
    keys = gettext.GNUTranslations(ALLAUTH_SV.open("rb"))._catalog.keys()
    shown = {key: swedish(key) for key in keys if key}
    bad = {key: text for key, text in shown.items() if wrong_forms(text)}
    assert len(shown) > 300  # the whole catalogue was read
    assert bad == {}, f"{len(bad)} wrong: add them to locale/sv/LC_MESSAGES/django.po"


def test_the_project_catalogue_is_compiled():
    po = PROJECT_SV.with_suffix(".po")
    assert PROJECT_SV.stat().st_mtime >= po.stat().st_mtime - 1, "run compilemessages -l sv"
    compiled = gettext.GNUTranslations(PROJECT_SV.open("rb"))._catalog
    assert compiled["The email address and/or password you specified are not correct."]


def test_a_failed_login_says_e_postadressen(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(email="ombud@blekinge.example.se")
    response = Client().post(
        "/konto/login/", {"login": "ombud@blekinge.example.se", "password": "fel-lösenord"}
    )
    page = response.content.decode()
    assert "E-postadressen eller lösenordet är fel." in page
    assert "Epost" not in page


# Our own Swedish strings: what templates and code give gettext.
TEMPLATE_TEXT = re.compile(
    r"{% (?:translate|trans) \"([^\"]*)\"|{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}",
    re.S,
)
PYTHON_TEXT = re.compile(r"\b(?:_|gettext|gettext_lazy|ngettext|pgettext)\(\s*\"([^\"]*)\"")


def _own_strings() -> list[tuple[str, str]]:
    base = Path(settings.BASE_DIR)
    found = []
    for path in (base / "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            for match in TEMPLATE_TEXT.finditer(path.read_text(encoding="utf-8")):
                text = re.sub(r"{{[^}]*}}|{%[^%]*%}", "", match.group(1) or match.group(2))
                found.append((str(path.relative_to(base)), text))
    for app in ("atgrant", "audit", "regions", "submissions", "allocation"):
        for path in (base / app).rglob("*.py"):
            for match in PYTHON_TEXT.finditer(path.read_text(encoding="utf-8")):
                found.append((str(path.relative_to(base)), match.group(1)))
    return found


def test_our_own_strings_say_e_post():
    strings = _own_strings()
    assert len(strings) > 300
    bad = [(where, text) for where, text in strings if wrong_forms(text)]
    assert bad == []
