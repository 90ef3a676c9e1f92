"""Writes of a draft round's allocation model and its test cases (kontrollfall), by officers,
audited. The model is written only whole and valid (AllocationModel.from_json accepts it);
it is stored as the model's own format-1 document (to_json)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from allocation.allocmodel import AllocationModel
from allocation.models import ModelTestCase
from allocation.services.common import lock_round, require_officer
from audit.services import audit_record
from submissions.models import GrantRound, RoundStatus


def _check_draft(locked: GrantRound) -> None:
    if locked.status != RoundStatus.DRAFT:
        raise ValidationError(
            _("Fördelningsmodellen och kontrollfallen kan bara ändras när omgången är ett utkast.")
        )


def _model_text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=False)


def round_model_set(
    *, grant_round: GrantRound, model: AllocationModel, by: AbstractBaseUser, imported: bool
) -> GrantRound:
    """Store ``model`` as the draft round's model. Raises PermissionDenied (not an officer),
    ValidationError (the round is not a draft)."""
    require_officer(by)
    document = model.to_json()
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_draft(locked)
        before = locked.model
        if before == document:
            return locked
        locked.model = document
        locked.save(update_fields=["model"])
        audit_record(
            action="allocation.model_imported" if imported else "allocation.model_changed",
            actor=by,
            obj=locked,
            before={"model": _model_text(before)},
            after={"model": _model_text(document)},
            round_id=locked.pk,
        )
    grant_round.model = document
    return locked


def _case_values(case: ModelTestCase | None) -> dict[str, Any] | None:
    if case is None:
        return None
    return {
        "test_case": case.name,
        "test_inputs": _model_text(case.inputs),
        "test_expected": _model_text(case.expected),
    }


def model_case_save(
    *,
    grant_round: GrantRound,
    case: ModelTestCase | None,
    name: str,
    inputs: list[dict[str, Any]],
    expected: dict[str, dict[str, int]],
    by: AbstractBaseUser,
) -> ModelTestCase:
    """Add a test case (``case`` None) or change one of the draft round's. Raises
    PermissionDenied, ValidationError (not a draft; the name is taken)."""
    require_officer(by)
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_draft(locked)
        before = _case_values(case)
        target = case or ModelTestCase(round=locked)
        target.name, target.inputs, target.expected, target.updated_by = (
            name,
            inputs,
            expected,
            by,
        )
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise ValidationError(
                _("Omgången har redan ett kontrollfall med namnet %(name)s.") % {"name": name}
            ) from None
        audit_record(
            action="allocation.test_case_saved",
            actor=by,
            obj=target,
            before=before,
            after=_case_values(target),
            round_id=locked.pk,
        )
    return target


def model_case_remove(
    *, grant_round: GrantRound, case: ModelTestCase, by: AbstractBaseUser
) -> None:
    require_officer(by)
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_draft(locked)
        audit_record(
            action="allocation.test_case_removed",
            actor=by,
            obj=case,
            before=_case_values(case),
            after=None,
            round_id=locked.pk,
        )
        case.delete()
