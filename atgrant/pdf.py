"""Every PDF the service generates (decision letters, receipts) goes through here.

Documents are PDF/A-3a: the archival PDF that Riksarkivet accepts for long-term keeping,
with every font embedded, the text extractable as Unicode and the content tagged (headings,
tables, lists) for assistive technology. A base stylesheet sets the one font family of every
document, page numbers in the margins included, and lets long words (e-mail addresses, URLs,
hashes, a comment without spaces) break at the page's edge instead of running off it; a
document's own stylesheet comes after it and may refine it (sizes and weights, not the family).
"""

from __future__ import annotations

from collections.abc import Sequence

PDF_VARIANT = "pdf/a-3a"

FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", sans-serif'

# A table cell wraps a word only when the word alone does not fit its column: with
# 'break-word' a table sized by its content (table-layout: auto) still gives each column room
# for its longest word, where 'anywhere' lets the column shrink to one letter and split
# "Västra Götalandsregionen" while other columns have room to spare. A page's margin boxes
# (the page number) do not inherit the body's font, so @page names the family too.
BASE_CSS = f"""
html, body {{ font-family: {FONT_FAMILY}; }}
@page {{ font-family: {FONT_FAMILY}; }}
body {{ overflow-wrap: anywhere; }}
dd, dt, li, p, pre, code {{ overflow-wrap: anywhere; }}
th, td {{ overflow-wrap: break-word; }}
pre {{ white-space: pre-wrap; }}
"""


def html_to_pdf(
    html: str, *, base_url: str | None = None, stylesheet_files: Sequence[str] = ()
) -> bytes:
    """Render ``html`` (a whole document) to PDF/A-3a bytes with WeasyPrint.

    ``stylesheet_files`` are paths on disk (no request to the site is made while rendering).
    """
    from weasyprint import CSS, HTML  # heavy import, only when a PDF is asked for

    stylesheets = [CSS(string=BASE_CSS), *(CSS(filename=path) for path in stylesheet_files)]
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=stylesheets, pdf_variant=PDF_VARIANT
    )
