"""Before a run: deductions of posts already paid, and officer-entered values that replace a
region's submitted posts (both per region, audited, only while the round is closed)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from allocation.engine import reported_posts_of
from allocation.models import Deduction, PostsOverride
from allocation.selectors import latest_version_of
from allocation.services.common import PREPARABLE, active_run_exists, lock_round, require_officer
from atgrant.templatetags.atgrant_format import format_number
from audit.services import audit_record
from regions.models import Region
from submissions.models import GrantRound


def _check_preparable(locked: GrantRound, region: Region) -> None:
    if locked.status not in PREPARABLE:
        raise ValidationError(
            _("Avräkningar och handläggarens värden kan bara ändras när omgången är stängd.")
        )
    if active_run_exists(locked):
        raise ValidationError(_("En fördelning körs just nu. Vänta tills den är klar."))
    if latest_version_of(grant_round=locked, region=region) is None:
        raise ValidationError(
            _("%(region)s har inte rapporterat och deltar inte i fördelningen.")
            % {"region": region.name}
        )


def _deduction_values(deduction: Deduction | None) -> dict[str, Any] | None:
    if deduction is None:
        return None
    return {"posts": deduction.posts, "reason": deduction.reason}


def _reported_posts(grant_round: GrantRound, region: Region) -> int:
    version = latest_version_of(grant_round=grant_round, region=region)
    override = PostsOverride.objects.filter(round=grant_round, region=region).first()
    source = override or version
    return reported_posts_of(source.filled_posts, source.started_posts)


def deduction_set(
    *, grant_round: GrantRound, region: Region, posts: int, reason: str, by: AbstractBaseUser
) -> Deduction:
    """Add or change the deduction of posts for a region (posts already paid earlier)."""
    require_officer(by)
    reason = reason.strip()
    if posts <= 0 or not reason:
        raise ValidationError(_("Ange ett positivt antal tjänster och ett skäl."))
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_preparable(locked, region)
        if posts > _reported_posts(locked, region):
            raise ValidationError(
                _("Avräkningen kan inte vara större än regionens rapporterade tjänster.")
            )
        existing = Deduction.objects.filter(round=locked, region=region).first()
        before = _deduction_values(existing)
        deduction = existing or Deduction(round=locked, region=region)
        deduction.posts, deduction.reason, deduction.created_by = posts, reason, by
        deduction.save()
        audit_record(
            action="allocation.deduction_set",
            actor=by,
            obj=deduction,
            before=before,
            after=_deduction_values(deduction),
            round_id=locked.pk,
            region_id=region.pk,
        )
    return deduction


def deduction_remove(*, grant_round: GrantRound, region: Region, by: AbstractBaseUser) -> None:
    require_officer(by)
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_preparable(locked, region)
        existing = Deduction.objects.filter(round=locked, region=region).first()
        if existing is None:
            return
        audit_record(
            action="allocation.deduction_removed",
            actor=by,
            obj=existing,
            before=_deduction_values(existing),
            after=None,
            round_id=locked.pk,
            region_id=region.pk,
        )
        existing.delete()


def _override_values(override: PostsOverride | None) -> dict[str, Any] | None:
    if override is None:
        return None
    return {
        "filled_posts": override.filled_posts,
        "started_posts": override.started_posts,
        "reason": override.reason,
    }


def override_set(
    *,
    grant_round: GrantRound,
    region: Region,
    filled_posts: int | None,
    started_posts: int | None,
    reason: str,
    by: AbstractBaseUser,
) -> PostsOverride:
    """Record an officer-entered value that replaces the region's submitted posts in the run."""
    require_officer(by)
    reason = reason.strip()
    if (filled_posts is None and started_posts is None) or not reason:
        raise ValidationError(_("Ange tillsatta eller påbörjade tjänster och ett skäl."))
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_preparable(locked, region)
        deduction = Deduction.objects.filter(round=locked, region=region).first()
        new_posts = reported_posts_of(filled_posts, started_posts)
        if deduction is not None and deduction.posts > new_posts:
            raise ValidationError(
                _("Regionens avräkning (%(posts)s) är större än de nya värdena.")
                % {"posts": format_number(deduction.posts)}
            )
        existing = PostsOverride.objects.filter(round=locked, region=region).first()
        before = _override_values(existing)
        override = existing or PostsOverride(round=locked, region=region)
        override.filled_posts, override.started_posts = filled_posts, started_posts
        override.reason, override.created_by = reason, by
        override.save()
        audit_record(
            action="allocation.override_set",
            actor=by,
            obj=override,
            before=before,
            after=_override_values(override),
            round_id=locked.pk,
            region_id=region.pk,
        )
    return override


def override_remove(*, grant_round: GrantRound, region: Region, by: AbstractBaseUser) -> None:
    require_officer(by)
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_preparable(locked, region)
        existing = PostsOverride.objects.filter(round=locked, region=region).first()
        if existing is None:
            return
        version = latest_version_of(grant_round=locked, region=region)
        deduction = Deduction.objects.filter(round=locked, region=region).first()
        if deduction is not None and deduction.posts > version.posts:
            raise ValidationError(
                _("Regionens avräkning är större än de rapporterade värdena; ändra den först.")
            )
        audit_record(
            action="allocation.override_removed",
            actor=by,
            obj=existing,
            before=_override_values(existing),
            after=None,
            round_id=locked.pk,
            region_id=region.pk,
        )
        existing.delete()
