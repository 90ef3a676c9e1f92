"""Where a registered document is read in the e-service (for officers and auditors)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from registry.models import DocumentKind, RegistryEntry, SentMessage


def document_url(entry: RegistryEntry) -> str:
    """The page (or file) of the entry's document; the documents a link needs beyond its id
    come from selectors.with_documents."""
    kind, pk = entry.kind, entry.object_id
    if entry.content_type_id == ContentType.objects.get_for_model(SentMessage).pk:
        return reverse("registry:sent_message", kwargs={"pk": pk})
    if kind == DocumentKind.PROXY_APPLICATION:
        return reverse("regions:review_detail", kwargs={"pk": pk})
    if kind in (DocumentKind.POWER_OF_ATTORNEY, DocumentKind.COMPLETION):
        return reverse("regions:document_download", kwargs={"pk": pk})
    document = entry.document
    if document is None:
        return ""
    if kind in (DocumentKind.COMPLETION_REQUEST, DocumentKind.PROXY_DECISION):
        # registered before the e-mail was kept: the application's event
        return reverse("regions:review_detail", kwargs={"pk": document.application_id})
    if kind == DocumentKind.REPORT_VERSION and entry.round_id and entry.region_id:
        return reverse(
            "submissions:receipt",
            kwargs={"slug": entry.round.slug, "code": entry.region.code, "number": document.number},
        )
    if kind in (DocumentKind.DECISION, DocumentKind.RECONSIDERATION):
        return reverse("allocation:decision", kwargs={"reference": document.reference})
    return ""
