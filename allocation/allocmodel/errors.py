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


def block_label(index: int, name: object) -> str:
    """How a message names block ``index`` (0-based) for an officer: its number and, when it
    has one, its name ("Block 2 (Ytterligare utökning)"), never the id or a field's key."""
    number = f"Block {index + 1}"
    if isinstance(name, str) and name.strip():
        return f"{number} ({name.strip()})"
    return number
