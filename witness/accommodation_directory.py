"""Load config/accommodation.yaml, the directory of accommodation providers (issue 12, item 5).

Read when a placement or a provider list needs it, not at start-up: most commands never do. A
malformed file is refused with the file and the field named; no file means an empty directory.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from witness.configuration import load_config
from witness.domain.care import ProviderDirectory

FILE_NAME = "accommodation.yaml"


def load_directory(path: Path) -> ProviderDirectory:
    if not path.exists():
        return ProviderDirectory()
    return load_config(path, ProviderDirectory, "accommodation provider directory")


@lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> ProviderDirectory:
    return load_directory(Path(path))


def directory_of(config_dir: Path) -> ProviderDirectory:
    path = Path(config_dir) / FILE_NAME
    return _cached(str(path), path.stat().st_mtime if path.exists() else 0.0)
