"""Reading input files (YAML or JSON) and turning validation errors into `field.path: message` lines."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from witness.errors import InputProblems

M = TypeVar("M", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic validates them and names the field."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputProblems([("file", f"cannot read {path.name}: {exc.strerror}")]) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 — a SafeLoader subclass
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "lineno", None) or getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputProblems([("file", f"{path.name} is not valid {path.suffix.lstrip('.') or 'YAML'}"
                                      + (f" (line {where})" if where else ""))]) from None


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
