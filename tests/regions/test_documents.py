"""Uploaded powers of attorney: active content and files that are not what they claim are
refused with a clear message, plain PDFs pass (regions.documents.check_pdf)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from regions.documents import check_pdf, minimal_pdf
from regions.models import ProxyApplication, ProxyDocument
from tests.factories import UserFactory


def _writer() -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(BytesIO(minimal_pdf("Fullmakt"))))


def _bytes(writer: PdfWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(f"/{kind}")})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value
    return action


def _open_action(action: DictionaryObject) -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def _javascript_in_names() -> bytes:
    """A document-level script: the catalog's /Names /JavaScript name tree."""
    writer = _writer()
    script = writer._add_object(_action("JavaScript", JS=TextStringObject("app.alert(1)")))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("s"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return _bytes(writer)


def _embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("program.exe", b"MZ not really")
    return _bytes(writer)


def _page_additional_action() -> bytes:
    writer = _writer()
    js = _action("JavaScript", JS=TextStringObject("app.alert(1)"))
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js})
    return _bytes(writer)


def _annotation(subtype: str) -> bytes:
    writer = _writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def _xfa_form() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): TextStringObject("<xdp:xdp/>"),
        }
    )
    return _bytes(writer)


def _obfuscated_javascript() -> bytes:
    """/OpenAction /JavaScript with the names written in #xx escapes, as malware does."""
    data = _open_action(_action("JavaScript", JS=TextStringObject("app.alert(1)")))
    return data.replace(b"/JavaScript", b"/J#61v#61Script").replace(b"/JS ", b"/J#53 ")


ACTIVE = {
    "open-action-javascript": lambda: _open_action(
        _action("JavaScript", JS=TextStringObject("app.alert(1)"))
    ),
    "open-action-launch": lambda: _open_action(_action("Launch", F=TextStringObject("cmd.exe"))),
    "open-action-submit-form": lambda: _open_action(
        _action("SubmitForm", F=TextStringObject("https://example.com/"))
    ),
    "document-javascript": _javascript_in_names,
    "embedded-file": _embedded_file,
    "page-additional-action": _page_additional_action,
    "rich-media": lambda: _annotation("/RichMedia"),
    "file-attachment-annotation": lambda: _annotation("/FileAttachment"),
    "xfa-form": _xfa_form,
    "escaped-names": _obfuscated_javascript,
}


@pytest.mark.parametrize("make", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_with_active_content_is_refused(make):
    with pytest.raises(ValidationError) as refused:
        check_pdf(SimpleUploadedFile("fullmakt.pdf", make(), "application/pdf"))
    assert refused.value.code == "active_content"
    assert "aktivt innehåll" in refused.value.messages[0]


def test_a_pdf_opening_on_its_first_page_is_accepted():
    writer = _writer()
    page = writer.pages[0].indirect_reference
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
    check_pdf(SimpleUploadedFile("fullmakt.pdf", _bytes(writer), "application/pdf"))
    goto = _open_action(_action("GoTo", D=ArrayObject([page, NameObject("/Fit")])))
    check_pdf(SimpleUploadedFile("fullmakt.pdf", goto, "application/pdf"))


def test_a_plain_pdf_with_a_link_is_accepted():
    writer = _writer()
    writer.add_uri(0, "https://www.socialstyrelsen.se/", [72, 72, 200, 100])
    check_pdf(SimpleUploadedFile("fullmakt.pdf", _bytes(writer), "application/pdf"))


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("fullmakt.docx", "application/pdf"),
        ("fullmakt.html", "text/html"),
        ("fullmakt.pdf", "text/html"),
        ("fullmakt.jpg", "image/jpeg"),
    ],
)
def test_a_pdf_claiming_to_be_something_else_is_refused(name, content_type):
    with pytest.raises(ValidationError) as refused:
        check_pdf(SimpleUploadedFile(name, minimal_pdf(), content_type))
    assert refused.value.code == "wrong_claim"


@pytest.mark.parametrize(
    ("content", "what"),
    [(b"PK\x03\x04 word", "ZIP-fil"), (b"\x89PNG\r\n\x1a\n", "PNG-bild"), (b"MZ\x90", "program")],
)
def test_a_file_named_pdf_that_is_something_else_says_what_it_is(content, what):
    with pytest.raises(ValidationError) as refused:
        check_pdf(SimpleUploadedFile("fullmakt.pdf", content, "application/pdf"))
    assert refused.value.code == "not_pdf"
    assert what in refused.value.messages[0]


@pytest.mark.django_db
def test_the_application_page_refuses_a_pdf_with_javascript(client, login, region):
    login(client, UserFactory())
    upload = SimpleUploadedFile(
        "fullmakt.pdf", ACTIVE["open-action-javascript"](), "application/pdf"
    )
    response = client.post(
        reverse("regions:apply"),
        {
            "region": region.pk,
            "full_name": "Ada Andersson",
            "title": "Regiondirektör",
            "phone": "",
            "basis": "signatory",
            "document": upload,
        },
    )
    assert response.status_code == 200
    assert "aktivt innehåll" in response.content.decode()
    assert not ProxyApplication.objects.exists()
    assert not ProxyDocument.objects.exists()
