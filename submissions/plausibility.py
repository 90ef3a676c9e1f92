"""Unusual figures in a report: what the proxy must confirm before submitting (never refused).

No open source of AT posts per region exists (AGENCY.md, "Population from SCB"): reported
posts can only be checked against the region's plan and its previous report. A figure is
*unusual* when it differs from what it is compared with by more than a share of that value
and by more than a number of posts (both: a few posts are a large share of a small region's
plan and nothing unusual). The proxy sees each warning on the confirmation page and must tick
that the figures are right; nothing is refused for being unusual.

The thresholds are here and only here (LIMITS); the rule is `unusual_figures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Limit:
    """Unusual when |value − reference| > max(share × reference, posts)."""

    share: Fraction
    posts: int

    def exceeded(self, value: Fraction | int, reference: Fraction | int) -> bool:
        return abs(value - reference) > max(self.share * reference, self.posts)


@dataclass(frozen=True)
class Limits:
    # Posts (the higher of filled and started) against the plan's posts (a range's mean):
    # 415 against 280 is 135 more, above both 25 % (70) and 10 posts.
    plan: Limit = Limit(share=Fraction(1, 4), posts=10)
    # Filled against started posts, relative to the higher of the two.
    apart: Limit = Limit(share=Fraction(1, 4), posts=5)
    # Posts against the region's latest submitted posts in its previous round.
    previous: Limit = Limit(share=Fraction(1, 4), posts=10)


LIMITS = Limits()


@dataclass(frozen=True)
class Previous:
    """The region's posts as submitted for an earlier round (``round_name``)."""

    round_name: str
    posts: int


def _number(value: Fraction) -> str:
    from atgrant.templatetags.atgrant_format import sv_number

    return sv_number(value)


def unusual_figures(
    *,
    filled: int | None,
    started: int | None,
    planned: Decimal | Fraction | None,
    previous: Previous | None = None,
    limits: Limits = LIMITS,
) -> list[str]:
    """The warnings, in Swedish, for the figures a proxy is about to submit ([] if none).

    ``planned``: the plan's posts (RoundBaseline.planned), None without a baseline.
    """
    given = [p for p in (filled, started) if p is not None]
    if not given:
        return []
    posts = max(given)
    warnings = []
    if planned is not None:
        plan = Fraction(str(planned)) if isinstance(planned, Decimal) else Fraction(planned)
        if limits.plan.exceeded(posts, plan):
            warnings.append(_against(posts, plan, _("planeringsunderlaget")))
    if (
        filled is not None
        and started is not None
        and limits.apart.exceeded(min(filled, started), max(filled, started))
    ):
        warnings.append(
            _(
                "Tillsatta (%(filled)s) och påbörjade (%(started)s) AT-tjänster skiljer sig "
                "med %(difference)s."
            )
            % {
                "filled": _number(filled),
                "started": _number(started),
                "difference": _number(abs(filled - started)),
            }
        )
    if previous is not None and limits.previous.exceeded(posts, previous.posts):
        what = _("det regionen rapporterade för %(round)s") % {"round": previous.round_name}
        warnings.append(_against(posts, previous.posts, what))
    return warnings


def _against(posts: int, reference: Fraction | int, what: str) -> str:
    values = {
        "posts": _number(posts),
        "difference": _number(abs(posts - reference)),
        "reference": _number(reference),
        "what": what,
    }
    if posts > reference:
        return (
            _("%(posts)s AT-tjänster är %(difference)s fler än %(what)s (%(reference)s).") % values
        )
    return _("%(posts)s AT-tjänster är %(difference)s färre än %(what)s (%(reference)s).") % values
