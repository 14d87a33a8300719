"""Explicit wiring (issue 11, item 1): witness/wiring.py is the one map of the system.

(a) every hook it registers resolves, is callable and has the signature its caller uses;
(b) no module defines a hook by one of the old magic names that the map does not list (once the
    scanning was gone, such a hook would silently never be called) — nor a follow-up, table module
    or command module the map leaves out;
(c) the witness package has no import loop.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from sqlalchemy import Table

import witness
from witness import wiring
from witness.domain import events as ev
from witness.services.events import publish
from witness.services.sweep import FollowUp

PACKAGE_ROOT = Path(witness.__file__).parent


def _params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def _modules(package: str) -> list:
    pkg = importlib.import_module(package)
    return [importlib.import_module(f"{package}.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)]


# --- (a) every registered hook resolves and has the expected signature -------------------------

def test_every_event_has_handlers_each_taking_the_unit_of_work_and_the_event():
    handlers = wiring.event_handlers()
    assert set(handlers) == set(ev.EVENTS)  # an event nobody handles would be published for nothing
    for event_type, fns in handlers.items():
        assert fns, event_type
        for fn in fns:
            assert callable(fn) and len(_params(fn)) == 2 and _params(fn)[0] == "uow", (event_type, fn)


def test_case_events_are_frozen_and_named_by_the_kinds_feeds_send():
    from witness.domain.event import CaseEventKind
    from typing import get_args

    assert set(ev.CASE_EVENTS) == set(get_args(CaseEventKind))
    e = ev.HearingSet(case_ids=["W-AAAAAA"], at=None, event_id="H-1")
    with pytest.raises(AttributeError):
        e.event_id = "H-2"  # type: ignore[misc]
    assert e.case_ids == ("W-AAAAAA",)


def test_follow_ups_select_and_process_with_the_sweeps_arguments_under_unique_names():
    found = wiring.follow_ups()
    assert all(isinstance(f, FollowUp) for f in found)
    names = [f.name for f in found]
    assert len(names) == len(set(names))
    for f in found:
        assert _params(f.select) == ["conn", "now", "profiles"], f.name
        assert _params(f.process) == ["uow", "ids", "profiles"], f.name


def test_fact_providers_vetoes_and_consent_cancellers_take_what_their_callers_pass():
    from dataclasses import fields

    from witness.domain.guardrails import CaseFacts

    assert wiring.fact_providers() and wiring.consent_withdrawn()
    for fn in wiring.fact_providers():
        assert _params(fn) == ["conn", "case_id", "now"], fn
    for fn in wiring.consent_withdrawn():
        assert _params(fn) == ["uow", "case_id", "scope"], fn
    assert {"pending_claim", "victim_notified_since_custody_change"} <= {f.name for f in fields(CaseFacts)}


def test_encrypted_columns_name_real_tables_and_columns():
    entries = wiring.encrypted_columns()
    assert entries
    for table, pk, cols, bound_to in entries:
        assert isinstance(table, Table)
        assert {pk, bound_to, *cols} <= set(table.c.keys()), table.name


def test_table_modules_define_tables_and_fill_the_shared_metadata():
    from witness.store.tables import metadata

    for module in wiring.table_modules():
        own = [v for v in vars(module).values() if isinstance(v, Table)]
        assert own and all(t.metadata is metadata for t in own), module.__name__


def test_commands_and_demo_chapters_take_the_app_and_the_demo_context():
    assert [_params(fn) for fn in wiring.commands()] == [["app"]] * len(wiring.commands())
    assert [_params(fn) for fn in wiring.demo_chapters()] == [["ctx"]] * len(wiring.demo_chapters())


def test_publishing_an_event_nobody_handles_is_refused_not_dropped():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Unheard:
        case_ids: tuple = ("W-AAAAAA",)

    with pytest.raises(LookupError, match="Unheard: no handler registered in witness.wiring"):
        publish(object(), Unheard())


def test_publish_hands_the_event_to_the_registered_handlers_in_order(monkeypatch):
    seen = []
    monkeypatch.setattr(wiring, "handlers_for", lambda t: (lambda uow, e: seen.append(("first", e)),
                                                           lambda uow, e: seen.append(("second", e))))
    event = ev.Judgment(case_ids=["W-AAAAAA"], event_id="J-1")
    publish("uow", event)
    assert seen == [("first", event), ("second", event)]
    seen.clear()
    publish("uow", ev.Judgment(case_ids=[], event_id="J-2"))  # no victim concerned: nothing to do
    assert seen == []


def test_a_feed_event_keeps_only_what_its_kind_carries():
    made = ev.case_event("judgment", ["W-AAAAAA"], event_id="J-1", at="2026-12-01T09:00:00+07:00")
    assert made == ev.Judgment(case_ids=("W-AAAAAA",), event_id="J-1")
    assert made.params() == {"event_id": "J-1"}  # the notices' idempotency key is built from these
    with pytest.raises(ValueError, match="unknown case event kind"):
        ev.case_event("verdict", ["W-AAAAAA"])


# --- (b) no hook outside the map -------------------------------------------------------------

# Where the old scanning looked, and the magic names it looked for.
LEGACY = {
    "witness.services": {"FOLLOW_UPS", "on_case_event", "on_custody_change", "case_facts", "stage_change_veto",
                         "cancel_for_withdrawn_consent"},
    "witness.store": {"ENCRYPTED"},
    "witness.demos": {"ORDER", "chapter"},
    "witness.commands": {"register"},
}
# The gatherer that calls the fact providers carries the old name but is no hook.
NOT_HOOKS = {("witness.services.guardrails", "case_facts")}


def _defined_at_top(module) -> set[str]:
    """Names the module itself defines (def, class, assignment), not names it imports."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


def _registered() -> list:
    hooks = [fn for fns in wiring.event_handlers().values() for fn in fns]
    hooks += [*wiring.fact_providers(), *wiring.consent_withdrawn(), *wiring.commands(),
              *wiring.demo_chapters()]
    return hooks


def test_no_module_defines_a_magic_hook_the_wiring_does_not_list():
    registered = _registered()
    encrypted = list(wiring.encrypted_columns())
    orphans = []
    for package, names in LEGACY.items():
        for module in _modules(package):
            for name in sorted(_defined_at_top(module) & names):
                if (module.__name__, name) in NOT_HOOKS:
                    continue
                value = getattr(module, name)
                if name == "ENCRYPTED":
                    listed = all(any(entry is e for e in encrypted) for entry in value)
                else:
                    listed = any(value is r for r in registered)
                if not listed:
                    orphans.append(f"{module.__name__}.{name}")
    assert orphans == []


def test_the_legacy_check_catches_a_hook_left_out_of_the_map(monkeypatch):
    # The check above must not pass vacuously: drop one registered hook and it must complain.
    monkeypatch.setattr(wiring, "consent_withdrawn", lambda: ())
    with pytest.raises(AssertionError, match="cancel_for_withdrawn_consent"):
        test_no_module_defines_a_magic_hook_the_wiring_does_not_list()


def test_every_follow_up_a_service_module_defines_is_in_the_sweep():
    listed = wiring.follow_ups()
    left_out = [f"{m.__name__}.{name}" for m in _modules("witness.services") for name in sorted(_defined_at_top(m))
                if isinstance(getattr(m, name, None), FollowUp) and not any(getattr(m, name) is f for f in listed)]
    assert left_out == []


def test_every_module_that_defines_tables_is_listed():
    from witness.store.tables import metadata

    # Tables of the store's schema; the audit heads' table lives in another database, with its own metadata.
    defining = {m.__name__ for m in _modules("witness.store")
                if any(isinstance(t := getattr(m, name, None), Table) and t.metadata is metadata
                       for name in _defined_at_top(m))}
    assert defining == {m.__name__ for m in wiring.table_modules()}


# --- (c) no import loop ----------------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module -> the witness modules it imports, read from the source.

    Every import counts, at the top of a module or inside a function: a loop closed by an import
    inside a function is still a loop (it is how the old ones hid), it only fails later. One
    exception, by design: the imports inside witness/wiring.py. The wiring is the map that knows
    every part, and the modules that dispatch (events, custody, guardrails, ...) ask it for their
    hooks; it loads each part only when asked. Its outgoing edges are left out so that the rest
    of the graph is checked for loops."""
    files = {_module_name(p): p for p in PACKAGE_ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        if name == "witness.wiring":
            graph[name] = set()
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for a in node.names:  # `from witness.services import notices` imports the module
                    found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in files else base)
        graph[name] = {t for t in found if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_loop_closed_inside_a_function():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_made_inside_functions():
    graph = import_graph()
    assert "witness.services.preparation" in graph["witness.services.measures"]  # imported inside decide()
    assert "witness.wiring" in graph["witness.services.events"]


def test_the_witness_package_has_no_import_loop():
    assert cycles(import_graph()) == []
