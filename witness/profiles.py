"""Load and validate the jurisdiction profiles in config/jurisdictions/ (R-13). A wrong file is a
start-up error that names the file and the field (the reading itself: witness.configuration).
"""
from __future__ import annotations

from pathlib import Path

from witness.configuration import load_config
from witness.domain.jurisdiction import ASEAN_CODES, JurisdictionProfile
from witness.errors import ConfigError



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
