"""Checks and storage of uploaded power-of-attorney documents (PDF only, checked by content)."""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _rewind(handle: IO[bytes]) -> None:
    handle.seek(0)


def check_pdf(upload: UploadedFile) -> None:
    """Refuse anything that is not a readable PDF of at most 10 MB, whatever its name says."""
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("Filen är tom."), code="empty")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Filen är för stor (%(size)s MB). Den får vara högst 10 MB.")
            % {"size": f"{upload.size / (1024 * 1024):.1f}".replace(".", ",")},
            code="too_large",
        )
    _rewind(upload)
    head = upload.read(len(PDF_MAGIC))
    _rewind(upload)
    if head != PDF_MAGIC:
        raise ValidationError(
            _("Filen är inte en PDF-fil. Ladda upp fullmakten som PDF."), code="not_pdf"
        )
    try:
        reader = PdfReader(upload)
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
        raise ValidationError(
            _("PDF-filen går inte att läsa. Kontrollera att den inte är skadad och försök igen."),
            code="unreadable_pdf",
        ) from exc
    finally:
        _rewind(upload)


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
