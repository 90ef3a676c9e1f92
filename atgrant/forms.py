"""What every form field must refuse: anything the database cannot store.

PostgreSQL refuses text with a NUL character (psycopg raises DataError, a 500) and integers
beyond the column's type; a text or e-mail longer than its column fails the same way. Django's
``forms.CharField`` already refuses NUL (``ProhibitNullCharactersValidator``), but a field that
looks a value up by text before validating it (a ``ModelChoiceField`` by code, a typed region)
and a plain ``forms.IntegerField`` or ``forms.EmailField`` (320 characters by default, the
column holds 254) do not. The helpers here give a form field the column's own limits.

``tests/test_form_limits.py`` walks every form of the product (ours, allauth's, the admin's)
and checks each field against these rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The narrowest range every supported database stores for each integer column type (Django's
# own table, PostgreSQL's sizes: SQLite stores 64 bits in any of them).
INTEGER_RANGES: dict[str, tuple[int, int]] = BaseDatabaseOperations.integer_field_ranges

# The longest e-mail address a column stores: Django's EmailField (and allauth's
# EMAIL_MAX_LENGTH) default, RFC 5321's 254-character path limit.
EMAIL_MAX_LENGTH = 254

refuse_nul = ProhibitNullCharactersValidator()

# The dates a person can mean here. Python's own limits (years 1 and 9999) break the
# arithmetic around them: the day after 9999-12-31, midnight of 0001-01-01 in UTC.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)


@deconstructible
class DateRangeValidator:
    """A date (or the date of a datetime, or a year) between DATE_MIN and DATE_MAX."""

    message = _("Ange ett datum mellan %(min)s och %(max)s.")
    year_message = _("Ange ett år mellan %(min)s och %(max)s.")
    code = "date_range"

    def __call__(self, value: dt.date | int | None) -> None:
        if value is None:
            return
        if isinstance(value, int):
            if not DATE_MIN.year <= value <= DATE_MAX.year:
                raise ValidationError(
                    self.year_message,
                    code=self.code,
                    params={"min": DATE_MIN.year, "max": DATE_MAX.year},
                )
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRangeValidator)


date_range = DateRangeValidator()


def integer_range(field: models.Field) -> tuple[int, int]:
    """(lowest, highest) value the model field's column stores on every supported database."""
    return INTEGER_RANGES[field.get_internal_type()]


def column_field(model: type[models.Model], name: str, **kwargs: Any) -> forms.Field:
    """The form field for ``model.name`` with the column's limits: ``max_length`` of a text or
    e-mail column, the range of an integer column (narrowed, never widened, by ``min_value`` /
    ``max_value`` in ``kwargs``). Other keyword arguments go to ``Field.formfield``."""
    field = model._meta.get_field(name)
    if isinstance(field, models.IntegerField) and not isinstance(field, models.AutoField):
        low, high = integer_range(field)
        kwargs["min_value"] = max(low, kwargs.get("min_value", low))
        kwargs["max_value"] = min(high, kwargs.get("max_value", high))
    formfield = field.formfield(**kwargs)
    assert formfield is not None, f"{model.__name__}.{name} has no form field"
    return formfield


class DateField(forms.DateField):
    """Django's, refusing a date outside DATE_MIN..DATE_MAX as a field error."""

    default_validators = [date_range]


class EmailField(forms.EmailField):
    """An e-mail address no longer than a column stores (254, not Django's 320)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, refusing a NUL before the value is looked up in the database (a lookup by a
    text column, ``to_field_name="code"``, would send it to PostgreSQL)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            refuse_nul(value)
        return super().to_python(value)


class FilterForm(forms.Form):
    """A list's filters (GET, all optional) as the pages draw them with Bootstrap: a select
    as ``form-select``, any other field as ``form-control``. After validation a field in
    error carries ``aria-invalid`` and points to its message, which the template gives the
    id ``<field id>-error`` (WCAG 3.3.1, for screen readers)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )
