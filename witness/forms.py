"""Reading input files (YAML or JSON) and turning validation errors into `field.path: message` lines.

An input file is written by a person, by hand or from a spreadsheet, so it is read as plain data:
UTF-8 text of at most MAX_FILE_BYTES, mappings, lists, text, decimal numbers, true/false and null,
nested at most MAX_DEPTH deep. Anything else is refused with `file: ...` naming the line, never
the value, before a model sees it. Everything YAML 1.1 would guess (yes/no as booleans, 1_000 and
0x10 as numbers, 10:20 as 620, !!binary, !!set, anchors and aliases) stays out.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from witness.errors import InputProblems

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 1_000_000  # an intake file is a few kilobytes; a megabyte is a mistake or an attack
MAX_DEPTH = 16  # the deepest form (documents) nests 5 levels
MAX_NUMBER_DIGITS = 30  # int() refuses 4,301 digits with a traceback; no field needs more than 30

_TAG = "tag:yaml.org,2002:"
# YAML 1.2 core schema, decimal only: what a person means when writing a number or a boolean.
_RESOLVERS = {
    "bool": r"^(?:true|True|TRUE|false|False|FALSE)$",
    "int": r"^[-+]?[0-9]+$",
    "float": r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "null": r"^(?:~|null|Null|NULL|)$",
}
_PLAIN_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))
_DECIMAL = re.compile(r"[-+]?[0-9]+", re.ASCII)
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}", re.ASCII)


class _Refused(yaml.MarkedYAMLError):
    """One of our own refusals, with the line it was found on."""


class _Loader(yaml.SafeLoader):
    """SafeLoader for plain data only. Dates stay text, so pydantic validates them and names the field."""

    yaml_implicit_resolvers: dict = {}
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Refused(problem="anchors and aliases (&name, *name) are not accepted; write the value out",
                           problem_mark=self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep",
                               problem_mark=self.peek_event().start_mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node.tag not in _PLAIN_TAGS:
            shown = "!!" + node.tag.removeprefix(_TAG) if node.tag.startswith(_TAG) else "a custom tag"
            raise _Refused(problem=f"{shown} is not accepted: only mappings, lists, text, numbers, true/false, null",
                           problem_mark=node.start_mark)
        return node

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _Refused(problem="a key must be text", problem_mark=key_node.start_mark)
            if key in seen:
                shown = f"key {key!r}" if _KEY.fullmatch(key) else "a key"
                raise _Refused(problem=f"{shown} appears twice in the same mapping", problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        value = self.construct_scalar(node)
        if not _DECIMAL.fullmatch(value):  # an explicit `!!int 0x10`
            raise _Refused(problem="write a whole number in decimal digits", problem_mark=node.start_mark)
        if len(value.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise _Refused(problem=f"a number with more than {MAX_NUMBER_DIGITS} digits", problem_mark=node.start_mark)
        return int(value)


_Loader.add_constructor(_TAG + "int", _Loader.construct_yaml_int)
_FIRST = {"bool": "tTfF", "int": "-+0123456789", "float": "-+0123456789.", "null": ["~", "n", "N", ""]}
for _kind, _rx in _RESOLVERS.items():
    _Loader.add_implicit_resolver(_TAG + _kind, re.compile(_rx), list(_FIRST[_kind]))


def _json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _JsonRefused(f"a number with more than {MAX_NUMBER_DIGITS} digits")
    return int(digits)


def _json_constant(name: str):
    raise _JsonRefused(f"{name} is not a number this system accepts")


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _JsonRefused((f"key {key!r}" if _KEY.fullmatch(key) else "a key") + " appears twice in the same object")
        out[key] = value
    return out


class _JsonRefused(ValueError):
    pass


def _text_of(raw: bytes, name: str) -> str:
    # UTF-16 and UTF-32 files start with a byte-order mark; Excel and Notepad save them on request.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4]:
        raise InputProblems([("file", f"{name} is UTF-16 or UTF-32 text; save it as UTF-8")])
    try:
        return raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is harmless: drop it
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputProblems([("file", f"{name} is not UTF-8 text (line {line}); save it as UTF-8")]) from None


def _depth(data: Any) -> int:
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                todo.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def read_data(path: Path) -> Any:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputProblems([("file", f"cannot read {path.name}: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputProblems([("file", f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")])
    text = _text_of(raw, path.name)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise InputProblems([("file", f"{path.name} is not valid JSON (line {exc.lineno})")]) from None
        except _JsonRefused as exc:
            raise InputProblems([("file", f"{path.name}: {exc}")]) from None
        except RecursionError:
            raise InputProblems([("file", f"{path.name}: nested more than {MAX_DEPTH} levels deep")]) from None
        if _depth(data) > MAX_DEPTH:
            raise InputProblems([("file", f"{path.name}: nested more than {MAX_DEPTH} levels deep")])
        return data
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 — a SafeLoader subclass
    except _Refused as exc:
        raise InputProblems([("file", f"{path.name} line {exc.problem_mark.line + 1}: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputProblems([("file", f"{path.name} is not valid YAML" + (f" (line {mark.line + 1})" if mark else ""))]) from None
    except ValueError:  # a constructor refusing an explicit tag's text, e.g. `!!float abc`
        raise InputProblems([("file", f"{path.name} is not valid YAML (a tagged value cannot be read)")]) from None


def problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in exc.errors():
        path = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        # Never echo the offending value: it may be a name or an address.
        out.append((path, msg))
    return out


def validate(model: type[M], data: Any, context: dict | None = None) -> M:
    if not isinstance(data, dict):
        raise InputProblems([("(top level)", "expected a mapping of fields")])
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InputProblems(problems_of(exc)) from None
