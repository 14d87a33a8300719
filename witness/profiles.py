"""Load and validate the jurisdiction profiles in config/jurisdictions/ (R-13).

A wrong profile is a start-up error that names the file and the field.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from witness.domain.jurisdiction import ASEAN_CODES, JurisdictionProfile
from witness.errors import ConfigError


def _field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def load_profile(path: Path) -> JurisdictionProfile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping")
    try:
        profile = JurisdictionProfile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {_field(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None
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
