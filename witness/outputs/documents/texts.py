"""The fixed texts of the documents, per language, from data files (R-82, R-83).

`templates/documents/strings/<lang>.yaml` holds the shared vocabulary (measures, stages, risk
factors, claim categories, consent scopes, page labels); `templates/documents/<kind>/strings/<lang>.yaml`
holds one document's sentences. A document can be rendered in a language only when both exist:
there is no silent fallback to another language for a filing or a letter.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from witness.errors import InputProblems


@lru_cache(maxsize=None)
def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise InputProblems([(str(path), "expected a mapping of texts")])
    return data


def languages(root: Path, kind: str) -> list[str]:
    """Languages in which `kind` can be rendered."""
    own = {p.stem for p in (root / kind / "strings").glob("*.yaml")}
    common = {p.stem for p in (root / "strings").glob("*.yaml")}
    return sorted(own & common)


def texts(root: Path, kind: str, lang: str) -> tuple[dict, dict]:
    """(the document's own texts, the shared vocabulary) in `lang`."""
    available = languages(root, kind)
    if lang not in available:
        raise InputProblems([("lang", f"no {lang!r} texts for {kind}; available: {', '.join(available)}. "
                                      "Choose one with --lang, and have an interpreter explain it if needed")])
    return _load(root / kind / "strings" / f"{lang}.yaml"), _load(root / "strings" / f"{lang}.yaml")
