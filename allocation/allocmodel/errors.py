"""The one error of the model engine (RULES.md "Errors")."""

from __future__ import annotations


class ModelError(ValueError):
    """A model document or its evaluation is not valid.

    ``str(exc)`` is a Swedish message naming the value, total, block or region (RULES.md
    "Errors"); ``field`` is a dotted path into the document when known ("values.rate",
    "blocks.2.amount", "totals.national_rate", "format"), else "". Block indexes in ``field``
    count from 0, as positions in the document's ``blocks`` list (JSON pointer style).
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
