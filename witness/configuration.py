"""Reading the configuration files shipped in config/ (jurisdiction profiles, risk policy, on-call
list) into their pydantic models. A wrong file is a start-up error naming the file and the field.

These files are written by the deployment, not by the people who enter cases, so they are parsed
with libyaml (yaml.CSafeLoader): every command reads eleven of them at start, and the pure-Python
parser took ~0.1 s of each command's start-up for them against ~0.01 s with libyaml. What people
write (intake, assessment, event files) goes through the strict reader in witness.forms instead.
Validation is the same either way: the models refuse what they cannot hold.
"""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from witness.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

# libyaml ships inside PyYAML's wheels; a build without it still works, only slower.
_PARSER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Duplicate(yaml.MarkedYAMLError):
    pass


class _ConfigLoader(_PARSER):  # type: ignore[misc, valid-type]
    """Safe loading as before, but a key written twice in one mapping is refused: YAML keeps the
    last one silently, so a second `reflection:` block pasted lower in a profile would replace the
    first without anyone noticing. Checking the key nodes costs nothing measurable."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: the base constructor names it
                    continue
                if duplicate:
                    raise _Duplicate(problem=f"key {key!r} appears twice in the same mapping",
                                     problem_mark=key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse(text: str):
    """The data of one configuration file's text (raises yaml.YAMLError)."""
    return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 — a safe loader


def load_config(path: Path, model: type[M], what: str = "configuration file") -> M:
    """Read one YAML configuration file into its model. Every problem becomes a line
    `FILE: field.path: message`, raised together as one ConfigError at start-up."""
    try:
        data = parse(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError(f"{path}: cannot read the {what}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except _Duplicate as exc:
        raise ConfigError(f"{path}: line {exc.problem_mark.line + 1}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML ({exc.__class__.__name__}{where})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(
            f"{path}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors())) from None
