"""The grant round's status workflow, in one table.

state -> {next state: who may make the move}. "system" is a scheduled task or the
allocation worker acting without a person. Enforced by `round_transition` only.
"""

from __future__ import annotations

from submissions.models import RoundStatus

OFFICER = "officer"
SYSTEM = "system"

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    RoundStatus.DRAFT: {RoundStatus.OPEN: frozenset({OFFICER})},
    RoundStatus.OPEN: {RoundStatus.CLOSED: frozenset({OFFICER, SYSTEM})},
    RoundStatus.CLOSED: {RoundStatus.ALLOCATED: frozenset({OFFICER, SYSTEM})},
    # A new run after a deduction keeps the round allocated; issuing decides it.
    RoundStatus.ALLOCATED: {
        RoundStatus.ALLOCATED: frozenset({OFFICER, SYSTEM}),
        RoundStatus.DECIDED: frozenset({OFFICER}),
    },
    RoundStatus.DECIDED: {},
}


def allowed(current: str, target: str, actor_kind: str) -> bool:
    return actor_kind in TRANSITIONS.get(current, {}).get(target, frozenset())
