from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One of the 21 regions that can take part in the grant."""

    code = models.CharField(
        _("länskod"),
        max_length=2,
        unique=True,
        help_text=_("Tvåsiffrig länskod, t.ex. 10 för Blekinge."),
    )
    name = models.CharField(_("officiellt namn"), max_length=100, unique=True)
    short_name = models.CharField(
        _("kortnamn"),
        max_length=50,
        unique=True,
        help_text=_("Namnet i myndighetens tabeller, t.ex. Blekinge."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regioner")
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{2}$"), name="region_code_two_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name
