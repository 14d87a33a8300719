"""Notice texts from templates/notices/<lang>/<name>.txt (R-54, R-55).

A template's first line is the subject, then a blank line, then the body. Rendering is sandboxed
with strict undefined names: a template that uses a value the notice does not carry fails loudly
instead of sending a text with a hole in it. Plain text, so no autoescaping; the values are plain
data chosen by the service (dates, a phone number, a code), never database objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

FALLBACK = "en"


class TemplateProblem(Exception):
    """A template is missing or broken; the message names the template, never the values."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str  # the language actually used
    fell_back: bool  # the wanted language had no template: English was used


@lru_cache(maxsize=8)
def _environment(root: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(root), undefined=StrictUndefined, autoescape=False,
                                trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


@lru_cache(maxsize=4)
def available(root: str) -> frozenset[tuple[str, str]]:
    """(language, template name) pairs that exist under root."""
    base = Path(root)
    return frozenset((p.parent.name, p.stem) for p in base.glob("*/*.txt"))


def has_template(templates_dir: Path, language: str, name: str) -> bool:
    return (language, name) in available(str(Path(templates_dir) / "notices"))


def render(templates_dir: Path, name: str, language: str, values: dict) -> Rendered:
    root = str(Path(templates_dir) / "notices")
    used = language if (language, name) in available(root) else FALLBACK
    try:
        text = _environment(root).get_template(f"{used}/{name}.txt").render(**values)
    except TemplateError as exc:
        raise TemplateProblem(f"template {used}/{name}.txt: {exc.__class__.__name__}: {exc.message or ''}") from None
    subject, _, body = text.strip().partition("\n\n")
    if not body.strip() or "\n" in subject:
        raise TemplateProblem(f"template {used}/{name}.txt: write the subject, a blank line, then the body")
    return Rendered(subject.strip(), body.strip(), used, used != language)
