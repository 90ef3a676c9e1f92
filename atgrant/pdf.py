"""Every PDF the service generates (decision letters, receipts) goes through here.

Documents are PDF/A-3a: the archival PDF that Riksarkivet accepts for long-term keeping,
with every font embedded, the text extractable as Unicode and the content tagged (headings,
tables, lists) for assistive technology. A base stylesheet lets long
words (e-mail addresses, URLs, hashes, a comment without spaces) break at the page's edge
instead of running off it; a document's own stylesheet comes after it and may refine it.
"""

from __future__ import annotations

from collections.abc import Sequence

PDF_VARIANT = "pdf/a-3a"

WRAP_CSS = """
body { overflow-wrap: anywhere; }
th, td, dd, dt, li, p, pre, code { overflow-wrap: anywhere; }
pre { white-space: pre-wrap; }
"""


def html_to_pdf(
    html: str, *, base_url: str | None = None, stylesheet_files: Sequence[str] = ()
) -> bytes:
    """Render ``html`` (a whole document) to PDF/A-3a bytes with WeasyPrint.

    ``stylesheet_files`` are paths on disk (no request to the site is made while rendering).
    """
    from weasyprint import CSS, HTML  # heavy import, only when a PDF is asked for

    stylesheets = [CSS(string=WRAP_CSS), *(CSS(filename=path) for path in stylesheet_files)]
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=stylesheets, pdf_variant=PDF_VARIANT
    )
