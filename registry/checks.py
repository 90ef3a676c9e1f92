"""A system check of the case number pattern: a bad setting stops `manage.py check --deploy`
and every management command, not the first registration in production."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from registry.numbers import pattern, pattern_problem


@register()
def check_case_number_pattern(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    problem = pattern_problem(pattern())
    if problem is None:
        return []
    return [
        Error(
            f"ATGRANT_REGISTRY_NUMBER_PATTERN {pattern()!r} cannot number the registry: {problem}.",
            hint='Use str.format fields {year} and {serial}, e.g. "{year}/{serial:05d}".',
            id="registry.E001",
        )
    ]
