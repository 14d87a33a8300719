"""How feature areas plug in by file name (docs/areas.md): the shared pieces find an area's tables,
commands, follow-ups, hooks and demo chapters through here, so adding an area touches no shared file."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=None)
def modules(package: str) -> tuple[ModuleType, ...]:
    """Every module of the package, imported once, in name order (so behaviour does not depend on
    the file system's listing order)."""
    pkg = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__))
    return tuple(importlib.import_module(f"{package}.{name}") for name in names)


def attributes(package: str, name: str) -> list:
    """The attribute `name` of every module of the package that defines it."""
    return [getattr(m, name) for m in modules(package) if hasattr(m, name)]
