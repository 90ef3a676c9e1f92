"""What the officer is told about deliveries after issuing or reconsidering decisions: read
from the delivery records, so that it says what was queued, not what was hoped."""

from __future__ import annotations

from django.utils.translation import ngettext

from registry import selectors


def delivery_message(decision_ids: list[int]) -> str:
    """``"42 e-postmeddelanden till 21 regioner är köade för utskick."``, and how many regions
    have no address to send to."""
    emails, reached, unreachable = selectors.delivery_summary(decision_ids=decision_ids)
    regions = ngettext("%(count)s region", "%(count)s regioner", reached) % {"count": reached}
    parts = [
        ngettext(
            "%(emails)s e-postmeddelande till %(regions)s är köat för utskick.",
            "%(emails)s e-postmeddelanden till %(regions)s är köade för utskick.",
            emails,
        )
        % {"emails": emails, "regions": regions}
    ]
    if unreachable:
        parts.append(
            ngettext(
                "%(count)s region har varken ombud eller registratur med e-post och har inte "
                "fått beslutet; se Utskick av beslut.",
                "%(count)s regioner har varken ombud eller registratur med e-post och har inte "
                "fått beslutet; se Utskick av beslut.",
                unreachable,
            )
            % {"count": unreachable}
        )
    return " ".join(parts)


def issue_message(decision_ids: list[int]) -> str:
    """After issuing a round's decisions: how many, and how they go out."""
    count = len(decision_ids)
    issued = ngettext("%(count)s beslut är fattat.", "%(count)s beslut är fattade.", count) % {
        "count": count
    }
    return f"{issued} {delivery_message(decision_ids)}"
