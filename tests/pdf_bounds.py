"""Where a PDF's text lies on its pages, read with pypdf: every shown string's extent from
the text matrix, the transformation matrix and the font's glyph widths.

``runs_off_page(pdf)`` lists each piece of text that extends beyond its page's media box. It
understands what WeasyPrint writes: Type0 fonts with Identity-H encoding (two bytes a glyph)
and their ``/W`` widths, ``Tm``/``Td`` positioning, ``TJ``/``Tj`` strings and ``q``/``Q``/``cm``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf
from pypdf.generic import ArrayObject, ContentStream

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
# Rounding in the renderer's coordinates, not a tolerance for text that runs off.
EPSILON = 0.5


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n for PDF's row-vector matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _widths(font: dict) -> tuple[dict[int, float], float]:
    """Glyph widths (thousandths of the font size) by CID, and the default width."""
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    raw = list(descendant.get("/W", []))
    i = 0
    while i < len(raw):
        first = int(raw[i])
        following = raw[i + 1]
        if isinstance(following, ArrayObject):
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            i += 2
        else:
            for cid in range(first, int(following) + 1):
                widths[cid] = float(raw[i + 2])
            i += 3
    return widths, float(descendant.get("/DW", 1000))


def _raw(item: object) -> bytes | None:
    """A string operand's bytes as written (pypdf decodes some hex strings to text)."""
    if hasattr(item, "original_bytes"):
        return item.original_bytes
    if isinstance(item, bytes):
        return item
    return None


@dataclass
class _Text:
    font: str = ""
    size: float = 0.0
    matrix: Matrix = IDENTITY
    line: Matrix = IDENTITY


def _advance(operand: list, widths: dict[int, float], default: float, size: float) -> float:
    """The horizontal advance of a TJ array (or a Tj string), in text space."""
    total = 0.0
    for item in operand:
        data = _raw(item)
        if data is not None:
            for k in range(0, len(data) - 1, 2):
                total += widths.get(int.from_bytes(data[k : k + 2], "big"), default) * size / 1000
        else:
            total -= float(item) * size / 1000
    return total


def _text_of(operand: list, to_unicode: dict) -> str:
    data = b"".join(raw for raw in map(_raw, operand) if raw is not None)
    return "".join(to_unicode.get(data[k : k + 2], "?") for k in range(0, len(data) - 1, 2))


def _to_unicode(font: dict) -> dict[bytes, str]:
    """CID bytes → text, from the font's ToUnicode CMap (bfchar entries, as WeasyPrint
    writes them); used only to name the offending text."""
    cmap = font.get("/ToUnicode")
    mapping: dict[bytes, str] = {}
    if cmap is None:
        return mapping
    lines = cmap.get_object().get_data().decode("latin-1").splitlines()
    for line in lines:
        parts = line.strip().split()
        if len(parts) == 2 and parts[0].startswith("<") and parts[1].startswith("<"):
            try:
                key = bytes.fromhex(parts[0].strip("<>"))
                mapping[key] = bytes.fromhex(parts[1].strip("<>")).decode("utf-16-be")
            except ValueError:
                continue
    return mapping


def runs_off_page(pdf: bytes) -> list[str]:
    """Each shown string that extends beyond its page's media box, as 'page N: text (x0–x1)'."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    problems = []
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
        fonts = {name: f.get_object() for name, f in page["/Resources"].get("/Font", {}).items()}
        metrics = {name: _widths(f) for name, f in fonts.items()}
        unicode = {name: _to_unicode(f) for name, f in fonts.items()}
        ctm, stack, text = IDENTITY, [], _Text()
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            op = operator.decode()
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop()
            elif op == "cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif op == "BT":
                text.matrix = text.line = IDENTITY
            elif op == "Tf":
                text.font, text.size = str(operands[0]), float(operands[1])
            elif op == "Tm":
                text.matrix = text.line = tuple(float(v) for v in operands)
            elif op == "Td":
                moved = _multiply((1, 0, 0, 1, float(operands[0]), float(operands[1])), text.line)
                text.matrix = text.line = moved
            elif op in ("TJ", "Tj"):
                parts = list(operands[0]) if op == "TJ" else [operands[0]]
                widths, default = metrics[text.font]
                advance = _advance(parts, widths, default, text.size)
                matrix = _multiply(text.matrix, ctm)
                x0, y0 = _apply(matrix, 0, 0)
                x1, y1 = _apply(matrix, advance, 0)
                xs, ys = sorted((x0, x1)), sorted((y0, y1))
                if (
                    xs[0] < left - EPSILON
                    or xs[1] > right + EPSILON
                    or ys[0] < bottom - EPSILON
                    or ys[1] > top + EPSILON
                ):
                    shown = _text_of(parts, unicode[text.font])
                    problems.append(f"page {number}: {shown!r} ({xs[0]:.1f}–{xs[1]:.1f})")
                text.matrix = _multiply((1, 0, 0, 1, advance, 0), text.matrix)
    return problems


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (non-breaking spaces as spaces)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in reader.pages]


def embedded_font_families(pdf: bytes) -> set[str]:
    """The families of the fonts the pages use: the font descriptor's /FontFamily (WeasyPrint
    writes it), else the font's name without its subset tag and style ('DejaVu-Sans-Bold' →
    'DejaVu-Sans')."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    families = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            source = descendant[0].get_object() if descendant else font
            descriptor = source.get("/FontDescriptor")
            family = descriptor.get_object().get("/FontFamily") if descriptor else None
            if family is None:
                name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
                for style in ("-BoldOblique", "-BoldItalic", "-Bold", "-Oblique", "-Italic"):
                    name = name.removesuffix(style)
                family = name
            families.add(str(family))
    return families
