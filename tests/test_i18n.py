"""The English catalogue: complete, consistent with its Swedish msgids and with the committed
.mo, up to date with the source; and the interface switches to English on request while
Swedish stays the default."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from submissions.models import DeadlineExtension, GrantRound
from tests.submissions.factories import round_2024

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"

PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def parse_po(path: Path) -> list[Entry]:
    """A minimal PO reader: msgctxt, msgid, msgid_plural, msgstr and msgstr[n], flags.

    Skips the header entry (empty msgid); keeps obsolete (#~) entries marked as such.
    """
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None  # what a continuation line extends

    def finish() -> None:
        if current.msgid:
            entries.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        obsolete = raw.startswith("#~")
        line = raw[2:].strip() if obsolete else raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        # A flags line, a msgctxt, or a msgid not after a msgctxt begins the next entry.
        begins = keyword in ("#,", "msgctxt") or (
            keyword == "msgid" and (target is None or target[0] != "msgctxt")
        )
        if begins and target is not None:
            finish()
            current, target = Entry(), None
        current.obsolete = current.obsolete or obsolete
        if keyword == "#,":
            current.flags |= {flag.strip() for flag in rest.split(",")}
            continue
        value = ast.literal_eval(rest)
        if keyword == "msgctxt":
            current.msgctxt, target = value, ("msgctxt", None)
        elif keyword == "msgid":
            current.msgid, target = value, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = value, ("msgid_plural", None)
        elif keyword == "msgstr":
            current.msgstr[0], target = value, ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            current.msgstr[index], target = value, ("msgstr", index)
        elif keyword == "" and target is not None:
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, getattr(current, name) + value)
        else:
            raise AssertionError(f"unexpected line in {path}: {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return [e for e in parse_po(PO_PATH) if not e.obsolete]


def _sources(entry: Entry) -> dict[int, str]:
    """The msgid each msgstr form translates: [0] the singular, [1] the plural."""
    if entry.msgid_plural is None:
        return {0: entry.msgid}
    return {0: entry.msgid, 1: entry.msgid_plural}


def test_the_parser_reads_the_catalogue(catalogue):
    assert len(catalogue) > 900
    plural = next(e for e in catalogue if e.msgid == "%(n)s tjänst")
    assert plural.msgid_plural == "%(n)s tjänster"
    assert plural.msgstr == {0: "%(n)s post", 1: "%(n)s posts"}
    multiline = next(e for e in catalogue if e.msgid.startswith("Känner du inte igen ändringen?"))
    assert "\n- IP-adress: %(ip)s\n" in multiline.msgid
    assert "\n- IP address: %(ip)s\n" in multiline.msgstr[0]


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [e.msgid for e in catalogue if not all(e.msgstr.values()) or not e.msgstr]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_english_forms(catalogue):
    plurals = [e for e in catalogue if e.msgid_plural is not None]
    assert plurals
    assert [e.msgid for e in plurals if sorted(e.msgstr) != [0, 1]] == []


def test_placeholders_are_kept(catalogue):
    wrong = []
    for entry in catalogue:
        for index, source in _sources(entry).items():
            if sorted(PLACEHOLDER.findall(source)) != sorted(
                PLACEHOLDER.findall(entry.msgstr[index])
            ):
                wrong.append((source, entry.msgstr[index]))
    assert wrong == []


def test_html_tags_and_surrounding_whitespace_are_kept(catalogue):
    wrong = []
    for entry in catalogue:
        for index, source in _sources(entry).items():
            text = entry.msgstr[index]
            if TAG.findall(source) != TAG.findall(text):
                wrong.append(("tags", source, text))
            if (source[:1].isspace(), source[-1:].isspace(), source.count("\n")) != (
                text[:1].isspace(),
                text[-1:].isspace(),
                text.count("\n"),
            ):
                wrong.append(("whitespace", source, text))
    assert wrong == []


def test_the_translations_are_english(catalogue):
    """No Swedish letters in the English text, except in names (Blekinge, Göteborg…) that
    also stand in the Swedish source."""
    swedish = re.compile(r"[åäöÅÄÖ]")
    left = [
        (e.msgid, text)
        for e in catalogue
        for text in e.msgstr.values()
        if swedish.search(text) and not swedish.search(e.msgid)
    ]
    assert left == []
    leaked = [e.msgid for e in catalogue if e.msgid == e.msgstr[0] and swedish.search(e.msgid)]
    assert leaked == []


def test_the_committed_mo_matches_the_po(catalogue):
    """The .mo is committed so that a fresh clone needs no gettext: it must be compiled from
    the current .po."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue:
        if entry.msgid_plural is None:
            msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            if compiled.gettext(msgid) != entry.msgstr[0]:
                stale.append(entry.msgid)
        else:
            for n, index in ((1, 0), (2, 1)):
                if compiled.ngettext(entry.msgid, entry.msgid_plural, n) != entry.msgstr[index]:
                    stale.append(entry.msgid)
    assert stale == [], "run `make messages` (compilemessages) and commit the .mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogue_has_every_msgid_of_the_source(tmp_path, settings, monkeypatch):
    """makemessages on a copy of the tree (as `make messages` runs it) finds no msgid that the
    committed catalogue lacks, and none that it no longer needs."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            "var",
            "artifacts",
            "node_modules",
            "tests",
            ".git",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
            "*.mo",
        ),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    fresh = {e.key for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {e.key for e in parse_po(PO_PATH) if not e.obsolete}
    assert sorted(fresh - committed, key=str) == [], "new msgids: run `make messages`, translate"
    assert sorted(committed - fresh, key=str) == [], "msgids gone: run `make messages`"


# --- The interface in English -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware activates the request's language in this thread and leaves it active:
    without this, gettext outside a request in later tests would answer in English."""
    yield
    translation.deactivate()


HOME_SV = "Prestationsbaserat statsbidrag för fler AT-tjänster"
HOME_EN = "Performance-based state grant for more AT posts"
LOGIN_SV = "Logga in med din e-postadress och ditt lösenord."
LOGIN_EN = "Log in with your e-mail address and your password."


def test_swedish_is_the_default(client, db):
    assert settings.LANGUAGE_CODE == "sv"
    assert [code for code, _name in settings.LANGUAGES] == ["sv", "en"]
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="sv"' in body
    assert HOME_SV in body
    assert HOME_EN not in body


def test_a_browser_asking_for_another_language_gets_swedish(client, db):
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="sv"' in body
    assert HOME_SV in body


@pytest.mark.parametrize("accept", ["en", "en-GB,en;q=0.9,sv;q=0.5"])
def test_the_start_page_in_english_by_accept_language(client, db, accept):
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="en"' in body
    assert HOME_EN in body
    assert HOME_SV not in body
    assert "Skip to content" in body
    assert "Hoppa till innehållet" not in body


def test_the_login_page_in_english_by_the_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert LOGIN_EN in body
    assert LOGIN_SV not in body
    assert "Forgot your password?" in body


def test_choosing_english_in_the_footer_switches_the_interface(client, db):
    body = client.get(reverse("home")).content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert '<option value="en"' in body

    response = client.post(reverse("set_language"), {"language": "en", "next": "/konto/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(response["Location"]).content.decode()
    assert LOGIN_EN in body
    assert LOGIN_SV not in body
    # The selector now offers the way back, in English; each language in its own name.
    assert "Change language" in body
    assert '<option value="sv" lang="sv">Svenska</option>' in body
    assert '<option value="en" lang="en" selected>English</option>' in body

    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert HOME_SV in body


def test_a_proxys_page_and_a_service_error_in_english(client, proxy, login):
    login(client, proxy)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("regions:colleague_list")).content.decode()
    assert "Invite a colleague" in body
    assert "Bjud in en kollega" not in body

    # A service's gettext error, shown on the form, in the request's language.
    response = client.post(reverse("regions:colleague_invite"), {"email": proxy.email})
    assert response.status_code == 400
    body = response.content.decode()
    assert "You cannot invite yourself." in body
    assert "Du kan inte bjuda in dig själv." not in body


def test_the_language_choices_are_in_their_own_names_in_swedish_too(client, db):
    body = client.get(reverse("home")).content.decode()
    assert '<option value="sv" lang="sv" selected>Svenska</option>' in body
    assert '<option value="en" lang="en">English</option>' in body
    assert "Engelska</option>" not in body


def test_a_runs_name_follows_the_language(db):
    from allocation.models import AllocationRun
    from submissions.models import GrantRound

    run = AllocationRun(round=GrantRound(name="AT-bidraget 2024"), number=2)
    assert str(run) == "AT-bidraget 2024 – körning 2"
    with translation.override("en"):
        assert str(run) == "AT-bidraget 2024 – run 2"


_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "npgettext"}


def test_no_text_is_translated_inside_an_f_string():
    """xgettext (makemessages) does not read a call inside an f-string: its text would leave
    the catalogue at the next makemessages and show in Swedish on the English pages."""
    root = Path(settings.BASE_DIR)
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if parts[0] in {".venv", "tests", "var", "node_modules"} or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FormattedValue):
                continue
            for inner in ast.walk(node.value):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in _GETTEXT_NAMES
                ):
                    found.append(f"{path.relative_to(root)}:{inner.lineno}")
    assert found == []


def test_an_ended_extension_says_so_in_english(client, login, officer, region, db):
    """The officer's table writes its cells in Python: their words are in the catalogue too."""
    grant_round = round_2024()
    DeadlineExtension.objects.create(
        round=grant_round,
        region=region,
        until=grant_round.deadline + dt.timedelta(days=7),
        reason="Sjukdom",
        granted_by=officer,
    )
    GrantRound.objects.filter(pk=grant_round.pk).update(status="closed")
    login(client, officer)
    url = reverse("submissions:round_reports", args=[grant_round.slug])
    with translation.override("en"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sjukdom (ended)" in html
    assert "(avslutad)" not in html
