"""Template filters for allocation results of any model (allocation/results.py)."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping | None, key: str) -> object:
    """``mapping[key]``, or None: a model's value or a block's amount by its name."""
    if not mapping:
        return None
    return mapping.get(key)
