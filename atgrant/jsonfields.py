"""A JSON model field that gives a document back exactly as written, object key order too.

PostgreSQL's ``jsonb``, behind Django's ``JSONField``, keeps an object's keys sorted by length
and then bytes, not in the order written. An allocation model's ``values`` and ``totals`` are
evaluated in the order written (RULES.md), and pages list blocks and values in the model's
order, so a model, a run's snapshot and result, and a decision's record must come back as they
were stored. This field stores the document as a JSON string holding its text (a ``jsonb``
string on PostgreSQL, text on SQLite) and decodes it again when read; a row stored before as
a plain JSON value is read as it is.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class OrderedJSONField(models.JSONField):
    """``models.JSONField`` whose values keep their objects' key order on every database.

    Lookups into the document (``field__key``) do not apply: the stored value is one string.
    """

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not hasattr(value, "as_sql") and not prepared:
            value = json.dumps(value, cls=self.encoder, ensure_ascii=False)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, str):
            return json.loads(value, cls=self.decoder)
        return value
