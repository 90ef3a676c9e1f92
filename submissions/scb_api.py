"""Asking SCB's PxWeb API v1 for table FolkmängdNov (BE0101A), with urllib (no dependency).

The query selects the counties (``vs:RegionLän07``), both sexes, the population content
``BE0101A9`` and one year, answered as JSON (AGENCY.md, "Population from SCB"). SCB allows
about 10 calls per 10 seconds; a command asks once.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable

TIMEOUT_SECONDS = 30
# SCB answers a few hundred kilobytes at most for this table; more is not its answer.
MAX_ANSWER_BYTES = 5 * 1024 * 1024


class ScbApiError(RuntimeError):
    """SCB could not be asked, or did not answer 200."""


def pxweb_query(*, year: int, county_codes: Iterable[str]) -> dict:
    """The PxWeb query for the population on 1 November ``year`` of the given counties."""
    return {
        "query": [
            {
                "code": "Region",
                "selection": {"filter": "vs:RegionLän07", "values": sorted(county_codes)},
            },
            {"code": "Kon", "selection": {"filter": "item", "values": ["1", "2"]}},
            {"code": "ContentsCode", "selection": {"filter": "item", "values": ["BE0101A9"]}},
            {"code": "Tid", "selection": {"filter": "item", "values": [str(year)]}},
        ],
        "response": {"format": "json"},
    }


def fetch_population(*, url: str, year: int, county_codes: Iterable[str]) -> bytes:
    """POST the query to ``url`` and return the answer's bytes; raises ScbApiError."""
    body = json.dumps(pxweb_query(year=year, county_codes=county_codes)).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ScbApiError(f"SCB svarade {exc.code} {exc.reason} på {url}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScbApiError(f"kunde inte nå SCB på {url}: {reason}") from exc
    if len(answer) > MAX_ANSWER_BYTES:
        raise ScbApiError(f"SCB:s svar är större än {MAX_ANSWER_BYTES} byte")
    return answer
