"""The language of what the agency writes to others: Swedish.

The screens follow the reader's choice (Swedish or English), but what the agency draws up and
sends or files is in Swedish, the language of Swedish authorities (språklagen (2009:600)
10 §), whoever caused it and whatever their screen's language: a decision letter, a receipt,
an e-mail to a region or an applicant, the round's archive, the audit log's names of things,
a run's recorded reason. The same document downloaded twice, or sent and then read in the
diarium, reads the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.utils import translation

OFFICIAL_LANGUAGE = "sv"

P = ParamSpec("P")
R = TypeVar("R")


def written_in_swedish(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with Swedish active, then give back the caller's language.

    A fresh ``translation.override`` per call: one instance shared as a decorator would keep
    the language it replaced on itself, across threads."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if translation.get_language() == OFFICIAL_LANGUAGE:
            return func(*args, **kwargs)  # a worker, a Swedish screen: nothing to switch
        with translation.override(OFFICIAL_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper
