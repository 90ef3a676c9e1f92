"""Checks and storage of uploaded power-of-attorney documents (PDF only, checked by content)."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _rewind(handle: IO[bytes]) -> None:
    handle.seek(0)


# What a file that is not a PDF usually is, by its first bytes: named in the refusal.
OTHER_MAGIC = (
    (b"PK\x03\x04", _lazy("en ZIP-fil, t.ex. ett Word- eller Excel-dokument")),
    (b"\xd0\xcf\x11\xe0", _lazy("ett äldre Office-dokument")),
    (b"\xff\xd8\xff", _lazy("en JPEG-bild")),
    (b"\x89PNG", _lazy("en PNG-bild")),
    (b"GIF8", _lazy("en GIF-bild")),
    (b"II*\x00", _lazy("en TIFF-bild")),
    (b"MM\x00*", _lazy("en TIFF-bild")),
    (b"MZ", _lazy("ett program")),
    (b"\x7fELF", _lazy("ett program")),
    (b"{\\rtf", _lazy("ett RTF-dokument")),
)

# Declared types that say nothing about the content: a browser that does not know the
# extension sends octet-stream, some clients (Django's SimpleUploadedFile among them) send
# text/plain for any file. The content decides.
NEUTRAL_TYPES = {"", "application/octet-stream", "binary/octet-stream", "text/plain"}
PDF_TYPES = {"application/pdf", "application/x-pdf", "application/acrobat"}

# Names that make a PDF act when it is opened or read (PDF 32000-1:2008, 12.6 actions and
# 7.11.4 embedded files; XFA forms, RichMedia): keys of a dictionary, or the type of an
# action (/S) or of an annotation (/Subtype).
ACTIVE_KEYS = {
    "/JavaScript",
    "/JS",
    "/AA",  # additional actions: run on opening a page, focusing a field...
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/RichMediaContent",
    "/XFA",
}
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/Rendition",
    "/GoToE",
    "/RichMediaExecute",
}
ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"}


def check_pdf(upload: UploadedFile) -> None:
    """Refuse anything that is not a plain, readable PDF of at most 10 MB.

    Raises ValidationError (Swedish message) with the code ``empty``, ``too_large``,
    ``not_pdf`` (the first bytes are not ``%PDF-``), ``wrong_claim`` (the name's extension
    or the declared type says another kind of file), ``unreadable_pdf`` or
    ``active_content`` (JavaScript, launch or form-submitting actions, embedded files,
    RichMedia, XFA: see ACTIVE_KEYS). Uses pypdf.
    """
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("Filen är tom."), code="empty")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Filen är för stor (%(size)s MB). Den får vara högst 10 MB.")
            % {"size": f"{upload.size / (1024 * 1024):.1f}".replace(".", ",")},
            code="too_large",
        )
    _rewind(upload)
    head = upload.read(16)
    _rewind(upload)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(_not_pdf_message(head), code="not_pdf")
    _check_claim(upload)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted")
        if len(reader.pages) < 1:
            raise ValueError("no pages")
        active = _active_content(reader)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
        raise ValidationError(
            _(
                "PDF-filen går inte att läsa. Kontrollera att den inte är skadad eller "
                "lösenordsskyddad och försök igen."
            ),
            code="unreadable_pdf",
        ) from exc
    finally:
        _rewind(upload)
    if active:
        raise ValidationError(
            _(
                "PDF-filen innehåller aktivt innehåll (%(what)s) och kan inte tas emot. "
                "Spara eller skriv ut fullmakten som en vanlig PDF utan skript, bilagor "
                "eller formulär, eller skanna den, och ladda upp den igen."
            )
            % {"what": ", ".join(sorted(name.lstrip("/") for name in active))},
            code="active_content",
        )


def _not_pdf_message(head: bytes) -> str:
    for magic, what in OTHER_MAGIC:
        if head.startswith(magic):
            return _("Filen är inte en PDF-fil utan %(what)s. Ladda upp fullmakten som PDF.") % {
                "what": what
            }
    return _("Filen är inte en PDF-fil. Ladda upp fullmakten som PDF.")


def _check_claim(upload: UploadedFile) -> None:
    """A PDF whose name or declared type says it is something else is not what it claims."""
    name = safe_original_name(upload.name or "")
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if guessed not in (None, *NEUTRAL_TYPES, *PDF_TYPES):
        raise ValidationError(
            _(
                "Filen heter %(name)s men innehåller en PDF. Ge filen ändelsen .pdf och "
                "ladda upp den igen."
            )
            % {"name": name[-60:]},
            code="wrong_claim",
        )
    if declared not in NEUTRAL_TYPES | PDF_TYPES:
        raise ValidationError(
            _(
                "Filen är angiven som %(type)s men innehåller en PDF. Ladda upp fullmakten "
                "som en PDF-fil (.pdf)."
            )
            % {"type": declared[:60]},
            code="wrong_claim",
        )


def _active_content(reader: PdfReader) -> set[str]:
    """The active names found in every object reachable from the trailer (what a reader can
    act on; streams' own data is not decoded, a script is reached through /JS)."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found |= _active_in(obj)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def _name(obj: DictionaryObject, key: str) -> str | None:
    value = obj.get(key)
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return str(value) if isinstance(value, NameObject) else None


def _active_in(obj: DictionaryObject) -> set[str]:
    found = {str(key) for key in obj if key in ACTIVE_KEYS}
    found |= {
        name
        for name, names in (
            (_name(obj, "/S"), ACTIVE_ACTIONS),
            (_name(obj, "/Subtype"), ACTIVE_SUBTYPES),
            (_name(obj, "/Type"), {"/EmbeddedFile"}),
        )
        if name in names
    }
    open_action = obj.get("/OpenAction")
    if open_action is not None:
        action = open_action.get_object()
        # A destination (an array: the page to show) is harmless; an action is not,
        # unless it only goes to a page of the document.
        if isinstance(action, DictionaryObject) and _name(action, "/S") != "/GoTo":
            found.add("/OpenAction")
    return found


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    _rewind(upload)
    for chunk in upload.chunks():
        digest.update(chunk)
    _rewind(upload)
    return digest.hexdigest()


def safe_original_name(name: str) -> str:
    """The uploaded name without path parts; only ever shown, never used as a path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "fullmakt.pdf"
    return base[-255:]


def minimal_pdf(text: str = "Fullmakt") -> bytes:
    """A small valid one-page PDF (for the demo and tests)."""
    from io import BytesIO

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    safe = text.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 18 Tf 72 770 Td (" + safe + b") Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
