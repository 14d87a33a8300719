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
import os
import pickle
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import witness

CACHE_FOLDER = "cache"
_PREFIX = "config-"
# The code whose classes and validators shape the cached objects.
_CODE = Path(witness.__file__).parent
_MODEL_CODE = (*sorted((_CODE / "domain").glob("*.py")), _CODE / "configuration.py", _CODE / "profiles.py",
               _CODE / "risk_policy.py")


@dataclass(frozen=True)
class Compiled:
    """The validated configuration. The risk policy stays pickled until asked for: only the risk
    commands use it, and unpickling it imports and builds its models."""

    profiles: dict
    pickled_risk_policy: bytes

    def risk_policy(self):
        return pickle.loads(self.pickled_risk_policy)


def load(settings) -> Compiled:
    """The jurisdiction profiles and the risk policy of settings.config_dir, validated."""
    config = Path(settings.config_dir)
    files = [*sorted((config / "jurisdictions").glob("*.yaml")), config / "risk.yaml"]
    path = _cache_path(settings.home, files)
    cached = _read(path)
    if isinstance(cached, Compiled):
        return cached
    from witness.profiles import load_profiles
    from witness.risk_policy import load_risk_policy

    loaded = Compiled(load_profiles(config / "jurisdictions"),
                      pickle.dumps(load_risk_policy(config / "risk.yaml"), protocol=pickle.HIGHEST_PROTOCOL))
    _write(path, loaded)
    return loaded


def _cache_path(home: Path, files: list[Path]) -> Path:
    import pydantic

    digest = hashlib.blake2b(digest_size=12)
    digest.update(f"{sys.version}|{pydantic.VERSION}".encode())
    for f in (*files, *_MODEL_CODE):
        digest.update(f"|{f}|".encode())
        try:
            digest.update(f.read_bytes())
        except OSError:  # a missing file: the loaders say so, with its name
            digest.update(b"-")
    return home / CACHE_FOLDER / f"{_PREFIX}{digest.hexdigest()}.pickle"


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
