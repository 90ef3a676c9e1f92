"""The regions registry (county code, names, organisationsnummer, official mailbox): edited by
officers on their own page or in the admin, every change audited.

The official mailbox decides where decisions and a round's opening are sent, so who changed a
region's record, and from what to what, is kept in the audit log (action "region.created",
"region.changed", "region.deleted").
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions.models import Region
from regions.roles import is_officer

# What the registry holds, in the order pages and audit events show it.
REGISTRY_FIELDS = ("code", "name", "short_name", "organisation_number", "registry_email")


def _require_officer(by: AbstractBaseUser) -> None:
    # The admin's own permissions admit a superuser who is no officer: that is the admin's.
    if not (is_officer(by) or getattr(by, "is_superuser", False)):
        raise PermissionDenied(_("Endast handläggare kan ändra regionregistret."))


def region_save(*, region: Region, before: dict[str, Any] | None, by: AbstractBaseUser) -> Region:
    """Save ``region`` (already validated: a ModelForm's instance) and record what changed.

    ``before``: the registry fields as they were (None: a new region). Nothing changed: no
    event. Raises PermissionDenied for someone who is neither officer nor superuser.
    """
    _require_officer(by)
    created = before is None
    after = {name: getattr(region, name) for name in REGISTRY_FIELDS}
    changed = [name for name in REGISTRY_FIELDS if created or before.get(name) != after[name]]
    with transaction.atomic():
        region.save()
        if changed:
            audit_record(
                action="region.created" if created else "region.changed",
                actor=by,
                obj=region,
                before=None if created else {name: before[name] for name in changed},
                after={name: after[name] for name in changed},
                region_id=region.pk,
            )
    return region


def region_delete(*, region: Region, by: AbstractBaseUser) -> None:
    """Delete a region no round or person refers to (the database protects the others),
    audited with what it held."""
    _require_officer(by)
    held = {name: getattr(region, name) for name in REGISTRY_FIELDS}
    with transaction.atomic():
        audit_record(action="region.deleted", actor=by, obj=region, before=held)
        region.delete()


def registry_values(region: Region) -> dict[str, Any]:
    """The registry fields of a region as stored now (``before`` for region_save)."""
    return {name: getattr(region, name) for name in REGISTRY_FIELDS}
