"""A model's names and expressions in Swedish in templates (allocation.wording)."""

from __future__ import annotations

from django import template

from allocation import wording

register = template.Library()


@register.filter
def model_words(expression: str | None) -> str:
    """``{{ block.condition|model_words }}``: "utökning jämfört med planen är minst 2"."""
    return wording.humanise(expression)


@register.filter
def value_words(name: str | None) -> str:
    """``{{ name|value_words }}``: "utökning jämfört med planen" (inside a sentence)."""
    return wording.label(name or "")


@register.filter
def value_title(name: str | None) -> str:
    """``{{ name|value_title }}``: "Utökning jämfört med planen" (a heading or a term)."""
    return wording.title(name or "")
