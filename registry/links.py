"""Where a registered document is read in the e-service (for officers and auditors)."""

from __future__ import annotations

from django.urls import reverse

from registry.models import DocumentKind, RegistryEntry


def document_url(entry: RegistryEntry) -> str:
    """The page (or file) of the entry's document; the documents a link needs beyond its id
    come from selectors.with_documents."""
    kind, pk = entry.kind, entry.object_id
    if kind == DocumentKind.PROXY_APPLICATION:
        return reverse("regions:review_detail", kwargs={"pk": pk})
    if kind in (DocumentKind.POWER_OF_ATTORNEY, DocumentKind.COMPLETION):
        return reverse("regions:document_download", kwargs={"pk": pk})
    if kind == DocumentKind.ROUND_OPENING and entry.round_id and entry.region_id:
        return reverse(
            "submissions:opening_notice",
            kwargs={"slug": entry.round.slug, "code": entry.region.code},
        )
    document = entry.document
    if document is None:
        return ""
    if kind in (DocumentKind.COMPLETION_REQUEST, DocumentKind.PROXY_DECISION):
        return reverse("regions:review_detail", kwargs={"pk": document.application_id})
    if kind == DocumentKind.REPORT_VERSION and entry.round_id and entry.region_id:
        return reverse(
            "submissions:receipt",
            kwargs={"slug": entry.round.slug, "code": entry.region.code, "number": document.number},
        )
    if kind in (DocumentKind.DECISION, DocumentKind.RECONSIDERATION):
        return reverse("allocation:decision", kwargs={"reference": document.reference})
    return ""
