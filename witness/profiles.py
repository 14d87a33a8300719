"""Load and validate configuration files: the jurisdiction profiles in config/jurisdictions/ (R-13)
and, through `load_config`, every other YAML file. A wrong file is a start-up error that names
the file and the field.
"""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from witness.domain.jurisdiction import ASEAN_CODES, JurisdictionProfile
from witness.errors import ConfigError


M = TypeVar("M", bound=BaseModel)


def load_config(path: Path, model: type[M], what: str = "configuration file") -> M:
    """Read one YAML configuration file into its model. Every problem becomes a line
    `FILE: field.path: message`, raised together as one ConfigError at start-up."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError(f"{path}: cannot read the {what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(
            f"{path}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors())) from None


def load_profile(path: Path) -> JurisdictionProfile:
    profile = load_config(path, JurisdictionProfile, "jurisdiction profile")
    if profile.code != path.stem.upper():
        raise ConfigError(f"{path}: code: {profile.code!r} does not match the file name")
    return profile


def load_profiles(directory: Path) -> dict[str, JurisdictionProfile]:
    """Every ASEAN state must have exactly one valid profile."""
    profiles = {p.code: p for p in (load_profile(f) for f in sorted(directory.glob("*.yaml")))}
    missing = [c for c in ASEAN_CODES if c not in profiles]
    if missing:
        raise ConfigError(f"{directory}: missing profiles for {', '.join(missing)}")
    return profiles
