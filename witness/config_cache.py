"""The configuration files, validated once and kept compiled (issue 16, item 7).

Every command starts with the ten jurisdiction profiles and the risk policy. Reading their eleven
YAML files and validating every value cost ~50 ms of each start, more than any query a plain
command runs. The first start after a change reads and validates them as before
(witness.profiles, witness.risk_policy: the same refusals, naming the file and the field); the
validated objects are then kept in one pickle that later starts load in about a millisecond.

The pickle's name is a digest of everything its content depends on: the text of each configuration
file and of the modules that define and check the models (witness/domain and the loaders), and the
Python and pydantic versions (hashing them all takes under a millisecond). Any change misses it and
the files are read again; a stale pickle is removed when the new one is written. It is safe to lose, holds
configuration only (never personal data), and is kept under the store's home, which only the
store's account may write (witness.private_files): loading a pickle runs code, so one that anybody
else could have written is ignored.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import stat
import sys
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import witness

CACHE_FOLDER = "cache"
_PREFIX = "config-"
# The code whose classes and validators shape the cached objects.
_CODE = Path(witness.__file__).parent
_MODEL_CODE = (*sorted((_CODE / "domain").glob("*.py")), _CODE / "configuration.py", _CODE / "profiles.py",
               _CODE / "risk_policy.py", Path(__file__))  # this one too: Compiled's own shape


class Profiles(MutableMapping):
    """The jurisdiction profiles by state code. What nearly every command needs of them is a case's
    time zone and the stricter Do No Harm severities of its state (`zone`, `guardrails`); those are
    kept as plain values, and the profiles' models are built only when a command asks for a whole
    profile (`profiles["TH"]`, `app.profile("TH")`): building them means importing pydantic, about a
    sixth of a plain command's start (issue 16, item 7). As a mapping it is the dict it replaces
    (a test may set a changed profile in it)."""

    def __init__(self, zones: dict[str, str], guardrails: dict[str, dict[str, str]], build: Callable[[], dict]):
        self._zones, self._guardrails, self._build = dict(zones), dict(guardrails), build
        self._models: dict | None = None

    @classmethod
    def of(cls, models: Mapping) -> "Profiles":
        """Profiles already built (tests, benchmarks, the first start after a change)."""
        models = dict(models)
        return cls(*_plain(models), lambda: models)

    def _built(self) -> dict:
        if self._models is None:  # two threads may both build: the same values, either one kept
            self._models = dict(self._build())
        return self._models

    def __getitem__(self, code: str):
        return self._built()[code]

    def __setitem__(self, code: str, profile) -> None:
        self._built()[code] = profile
        self._zones[code], self._guardrails[code] = profile.time_zone, dict(profile.guardrails)

    def __delitem__(self, code: str) -> None:
        del self._built()[code], self._zones[code], self._guardrails[code]

    def __iter__(self):
        return iter(self._zones)

    def __len__(self) -> int:
        return len(self._zones)

    def __contains__(self, code) -> bool:
        return code in self._zones

    def zone(self, code: str) -> ZoneInfo:
        """The state's time zone (KeyError for a code with no profile, as `profiles[code]`)."""
        return ZoneInfo(self._zones[code])

    def guardrails(self, code: str) -> dict[str, str]:
        """Rule id -> the stricter severity this state sets; {} for a code with no profile."""
        return dict(self._guardrails.get(code, {}))


@dataclass(frozen=True)
class Compiled:
    """The validated configuration. The profiles' models and the risk policy stay pickled until
    asked for: unpickling them imports pydantic and builds their model classes, and only some
    commands need them (`Profiles`; the risk commands)."""

    zones: dict[str, str]
    guardrails: dict[str, dict[str, str]]
    pickled_profiles: bytes
    pickled_risk_policy: bytes
    # Where the files are, to read them again should a pickle not load when first asked for (code
    # changed in a way the digest missed): slower, never wrong. Set by `load`, not kept in the cache.
    source: Path | None = field(default=None, compare=False)

    @classmethod
    def of(cls, profiles: dict, risk_policy, source: Path | None = None) -> "Compiled":
        return cls(*_plain(profiles), _pickled(profiles), _pickled(risk_policy), source)

    @property
    def profiles(self) -> Profiles:
        return Profiles(self.zones, self.guardrails, self._profile_models)

    def _profile_models(self) -> dict:
        return self._unpickled(self.pickled_profiles, _read_profiles)

    def risk_policy(self):
        return self._unpickled(self.pickled_risk_policy, _read_risk_policy)

    def _unpickled(self, data: bytes, read: Callable[[Path], object]):
        try:
            return pickle.loads(data)
        except Exception:
            if self.source is None:
                raise
            return read(self.source)


def _read_profiles(config: Path) -> dict:
    from witness.profiles import load_profiles

    return load_profiles(config / "jurisdictions")


def _read_risk_policy(config: Path):
    from witness.risk_policy import load_risk_policy

    return load_risk_policy(config / "risk.yaml")


def _plain(models: Mapping) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """What Profiles answers without the models: each state's time zone and stricter guardrails."""
    return ({code: p.time_zone for code, p in models.items()},
            {code: dict(p.guardrails) for code, p in models.items()})


def _pickled(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def load(settings) -> Compiled:
    """The jurisdiction profiles and the risk policy of settings.config_dir, validated."""
    config = Path(settings.config_dir)
    files = [*sorted((config / "jurisdictions").glob("*.yaml")), config / "risk.yaml"]
    path = _cache_path(settings.home, files)
    cached = _read(path)
    if isinstance(cached, Compiled):
        return replace(cached, source=config)
    loaded = Compiled.of(_read_profiles(config), _read_risk_policy(config))
    _write(path, loaded)
    return replace(loaded, source=config)


def _cache_path(home: Path, files: list[Path]) -> Path:
    digest = hashlib.blake2b(digest_size=12)
    digest.update(sys.version.encode())
    for f in (*files, *_MODEL_CODE, _pydantic_version_file()):
        digest.update(f"|{f}|".encode())
        try:
            digest.update(f.read_bytes())
        except OSError:  # a missing file: the loaders say so, with its name
            digest.update(b"-")
    return home / CACHE_FOLDER / f"{_PREFIX}{digest.hexdigest()}.pickle"


def _pydantic_version_file() -> Path:
    """pydantic's version.py, whose text names its version and its pydantic-core's: found without
    importing pydantic, which a plain command does not otherwise need."""
    spec = importlib.util.find_spec("pydantic")
    return Path(spec.origin).parent / "version.py"


def _read(path: Path):
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None  # not written by this account, or writable by others: not to be run
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # unreadable or from code that has since changed shape: read the files again
        return None


def _write(path: Path, loaded) -> None:
    if not path.parent.parent.exists():
        return  # no store home yet (before `witness init`): nothing to keep it in
    from witness.private_files import write_private

    try:
        write_private(path, pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
        for old in path.parent.glob(f"{_PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except Exception:  # a full disk or a read-only home costs speed only
        pass
