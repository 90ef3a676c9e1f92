"""The audit history in words: every event type and field the code writes has a label."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from audit.labels import ACTION_LABELS, FIELDS, action_label, field_label, format_value

ROOT = Path(__file__).resolve().parents[2]
APPS = ("atgrant", "audit", "regions", "submissions", "allocation")
WRITERS = {"audit_record", "audit_event"}


def _modules() -> list[tuple[Path, ast.Module]]:
    files = [path for app in APPS for path in (ROOT / app).rglob("*.py")]
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in files]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def actions_in_code() -> set[str]:
    """Every dotted string passed as ``action=`` or ``audit_action=`` anywhere in the apps."""
    found = set()
    for _path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg in ("action", "audit_action")
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and "." in value.value
                ):
                    found.add(value.value)
    return found


class _Keys:
    """The keys of the dicts a module passes as ``before=``/``after=`` to the audit writers:
    dict literals, ``**`` spreads, helper functions' returned dicts, names assigned in the
    same function, ``.values("a", "b")`` and comprehensions over a module-level tuple."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        self.constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.seen: set[int] = set()

    def of(self, node: ast.AST | None, scope: ast.AST) -> set[str]:
        if node is None or id(node) in self.seen:
            return set()
        self.seen.add(id(node))
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:  # **spread
                    keys |= self.of(value, scope)
            return keys
        if isinstance(node, ast.IfExp):
            return self.of(node.body, scope) | self.of(node.orelse, scope)
        if isinstance(node, ast.DictComp):
            return self._strings(self.constants.get(getattr(node.generators[0].iter, "id", "")))
        if isinstance(node, ast.Name):
            return self._assigned(node.id, scope)
        if isinstance(node, ast.Call):
            return self._call(node)
        return set()

    def _assigned(self, name: str, scope: ast.AST) -> set[str]:
        keys: set[str] = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                keys |= self.of(node.value, scope)
            if (  # values["revision"] = ...
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and getattr(node.targets[0].value, "id", None) == name
                and isinstance(node.targets[0].slice, ast.Constant)
            ):
                keys.add(node.targets[0].slice.value)
        return keys

    def _call(self, call: ast.Call) -> set[str]:
        function = self.functions.get(_name(call))
        if function is not None:
            keys: set[str] = set()
            for node in ast.walk(function):
                if isinstance(node, ast.Return):
                    keys |= self.of(node.value, function)
            return keys
        keys = set()
        for node in ast.walk(call):  # ....values("status", "error").get()
            if isinstance(node, ast.Call) and _name(node) == "values":
                keys |= self._strings(ast.Tuple(elts=node.args))
        return keys

    @staticmethod
    def _strings(node: ast.AST | None) -> set[str]:
        elts = getattr(node, "elts", [])
        return {e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def field_keys_in_code() -> set[str]:
    found: set[str] = set()
    for _path, tree in _modules():
        keys = _Keys(tree)
        for scope in [tree, *keys.functions.values()]:
            for node in ast.walk(scope):
                if isinstance(node, ast.Call) and _name(node) in WRITERS:
                    for keyword in node.keywords:
                        if keyword.arg in ("before", "after"):
                            found |= keys.of(keyword.value, scope)
        # The decisions' events are built by a helper that passes its own dict.
        helper = keys.functions.get("_decision_event")
        if helper is not None:
            for node in ast.walk(helper):
                if isinstance(node, ast.Call) and _name(node) in WRITERS:
                    for keyword in node.keywords:
                        if keyword.arg == "after":
                            found |= keys.of(keyword.value, helper)
    return found


def test_every_action_the_code_writes_has_a_label():
    actions = actions_in_code()
    assert len(actions) >= 30, "the scan finds the code's actions"
    assert {"round.closed", "report.deadline_extended", "allocation.run_done"} <= actions
    assert sorted(actions - ACTION_LABELS.keys()) == []


def test_every_field_the_code_writes_has_a_label():
    keys = field_keys_in_code()
    assert len(keys) >= 40, "the scan finds the code's fields"
    # Through a helper (_snapshot), a module tuple (REPORT_FIELDS) and .values(...):
    assert {"contact_email", "revision", "officer_message", "error", "until"} <= keys
    assert sorted(keys - FIELDS.keys()) == []


def test_labels_are_swedish_and_english():
    with translation.override("sv"):
        assert action_label("extension.granted") == "Svarstid förlängd"
        assert action_label("round.closed") == "Omgången stängd"
        assert field_label("filled_posts") == "Tillsatta AT-tjänster"
    with translation.override("en"):
        # English from the catalogue once the lead regenerates it; never the raw code.
        assert action_label("round.closed") != "round.closed"
        assert field_label("filled_posts") != "filled_posts"


@pytest.mark.parametrize(
    ("key", "value", "action", "shown"),
    [
        ("total", 223_000_000, "allocation.decision_issued", "223\u00a0000\u00a0000\u00a0kr"),
        ("until", "2024-11-08T23:59:59+01:00", "report.deadline_extended",
         "8 november 2024 kl. 23:59"),
        ("removed_at", "2024-11-08T22:59:59Z", "colleague.removed", "8 november 2024 kl. 23:59"),
        ("decision_date", "2024-12-02", "allocation.decisions_issued", "2 december 2024"),
        ("status", "closed", "round.closed", "Stängd"),
        ("status", "done", "allocation.run_done", "Klar"),
        ("status", "approved", "proxy_application.approved", "Beviljad"),
        ("extensions_ended", ["Blekinge", "Gotland"], "round.closed", "Blekinge, Gotland"),
        ("extensions_ended", [], "round.closed", "–"),
        ("warnings", ["no_region_qualifies"], "allocation.run_done",
         "Ingen region når första trappsteget"),
        ("deducted", None, "allocation.decision_issued", "–"),
        ("basis", "signatory", "proxy_application.submitted",
         "Jag är behörig företrädare för regionen"),
        ("reports_locked", 1234, "round.closed", "1\u00a0234"),
        ("document_size", 2048, "proxy_application.submitted", "2\u00a0048 byte"),
    ],
)  # fmt: skip
def test_values_are_formatted_for_people(key, value, action, shown):
    with translation.override("sv"):
        assert format_value(key, value, action=action) == shown


def test_an_extension_in_the_history_is_named_by_stockholm_time():
    """The history's object column shows str(extension), stored when the event is written."""
    from regions.models import Region
    from submissions.models import DeadlineExtension

    extension = DeadlineExtension(
        region=Region(name="Region Gotland"), until=dt.datetime(2024, 11, 8, 22, 59, tzinfo=dt.UTC)
    )
    assert str(extension) == "Region Gotland → 2024-11-08 23:59"


def test_kronor_per_block_are_named_by_the_names_given_else_by_id():
    with translation.override("sv"):
        shown = format_value("amounts", {"base": 1000, "extra": 5}, names={"base": "Grundbelopp"})
    assert shown == "Grundbelopp: 1\u00a0000\u00a0kr; extra: 5\u00a0kr"


def test_the_revision_is_bookkeeping_and_empty_is_none_empty_or_nothing():
    from audit.labels import is_empty, is_internal

    assert is_internal("revision") and not is_internal("version") and not is_internal("nope")
    assert all(is_empty(v) for v in (None, "", [], {}))
    assert not any(is_empty(v) for v in (0, False, "x", [0]))
