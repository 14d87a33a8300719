"""Rendering a document: sandboxed Jinja2 -> HTML -> WeasyPrint -> archival PDF (R-80…R-82).

The Indico receipts pattern: each document is a folder under templates/documents/ with its template
and sample data; templates see only validated plain data (schemas.py); the environment is
sandboxed, autoescaping and strict about undefined names; a few small filters format dates and
money; layout lives in print.css; the URL fetcher allows only `data:` URLs, so a template (or a
value that got into one) can never make WeasyPrint read a local file or call a server.

A `Renderer` is long-lived: it parses the stylesheet and builds the font configuration once, and
WeasyPrint is imported when the first renderer is built, never at CLI start-up. `RenderPool`
renders batches in worker processes, each holding one renderer.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import TypeAdapter

from witness.outputs.documents.schemas import DocumentData
from witness.outputs.documents.texts import texts
from witness.outputs.documents.word_breaks import insert_breaks
from witness.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates" / "documents"
# Archival PDF. PDF/A-3b: every font embedded, XMP metadata; passes `qpdf --check`.
PDF_VARIANT = "pdf/a-3b"
ALLOWED_URL_SCHEMES = frozenset({"data"})
_ADAPTER = TypeAdapter(DocumentData)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def parse(payload: dict) -> DocumentData:
    """Validate plain data (a sample file, a --data file, or a pool payload) into a document."""
    return _ADAPTER.validate_python(payload)


# --- filters -------------------------------------------------------------------------------------

def _local(ctx, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime in a document; every time must be timezone-aware (R-14)")
    return value.astimezone(ZoneInfo(ctx["doc"]["time_zone"]))


@pass_context
def format_date(ctx, value: date | datetime) -> str:
    """A date as people of the document's language write it, in the jurisdiction's time zone (R-14)."""
    from babel.dates import format_date as babel_date, get_month_names

    day = _local(ctx, value).date() if isinstance(value, datetime) else value
    lang = ctx["lang"]
    if lang == "th":
        # Thai official documents count years in the Buddhist Era (2026 CE = 2569 BE).
        return f"{day.day} {get_month_names('wide', locale='th')[day.month]} พ.ศ. {day.year + 543}"
    return babel_date(day, "long", locale=lang)


@pass_context
def format_datetime(ctx, value: datetime) -> str:
    local = _local(ctx, value)
    return f"{format_date(ctx, local)}, {local:%H:%M}"


@pass_context
def format_currency(ctx, money: dict) -> str:
    """A Decimal amount with exactly the currency's minor units (R-91), as the document's language
    writes money: Rp1.234.567,50 in Bahasa Indonesia, ฿1,234.50 in Thai."""
    from babel.core import Locale
    from babel.numbers import parse_pattern

    units = money["minor_units"]
    locale = Locale.parse(ctx["lang"])
    pattern = parse_pattern(locale.currency_formats["standard"].pattern)
    pattern.frac_prec = (units, units)
    return pattern.apply(money["amount"], locale, currency=money["currency"], currency_digits=False)


@pass_context
def iso(ctx, value: datetime) -> str:
    return value.isoformat()


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@pass_context
def fill(ctx, text: str, **values) -> Markup:
    """A translated sentence with {placeholders}: the sentence and every value escaped; word order is
    the translation's, not the template's."""
    lang = ctx["lang"]

    def value(m: re.Match) -> str:
        v = values[m.group(1)]
        return str(v) if isinstance(v, Markup) else str(escape(insert_breaks(str(v), lang)))

    return Markup(_PLACEHOLDER.sub(value, str(escape(insert_breaks(str(text), lang)))))


@pass_context
def _finalize(ctx, value):
    if value is None:
        # A None printed into a court filing reads "None": treat it as a template mistake.
        raise ValueError("a template printed an empty value; guard it with {% if %}")
    if isinstance(value, str) and not isinstance(value, Markup):
        return insert_breaks(value, ctx["lang"])
    return value


def environment(root: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(root)), autoescape=True, undefined=StrictUndefined,
                               finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(format_date=format_date, format_datetime=format_datetime, format_currency=format_currency,
                       fill=fill, iso=iso)
    return env


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_labels_css(confidential: str, page_of: str) -> str:
    """The footer in the document's language: CONFIDENTIAL and "Page X of Y" (its word order)."""
    parts = []
    for i, piece in enumerate(re.split(r"\{(page|pages)\}", page_of)):
        if i % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return (f"@page {{ @bottom-left {{ content: {_css_string(confidential)}; }}"
            f" @bottom-right {{ content: {' '.join(parts)}; }} }}")


# --- rendering -----------------------------------------------------------------------------------

def _release_fonts(fonts) -> None:
    folder = getattr(fonts, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


class Renderer:
    """One per process; reuse it. Not thread-safe (WeasyPrint's font configuration is not)."""

    def __init__(self, root: Path = TEMPLATES):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        from witness.outputs.documents import thai_font

        self.root = Path(root)
        self.env = environment(self.root)
        self.fetcher = URLFetcher(allowed_protocols=ALLOWED_URL_SCHEMES)
        self.fonts = FontConfiguration()
        # WeasyPrint removes the font configuration's temporary folder in __del__, which at interpreter
        # shutdown runs after its module's `rmtree` is gone and prints a traceback on every command that
        # rendered a document. Remove it at exit instead, while everything is still there.
        atexit.register(_release_fonts, self.fonts)
        self._css_class = CSS
        # Thai whose text comes back out of the PDF exactly (thai_font.py): the derived font, as data: URLs.
        thai_font.install()
        self.css = CSS(string=thai_font.font_face_css() + "\n" + (self.root / "print.css").read_text(encoding="utf-8"),
                       url_fetcher=self.fetcher, font_config=self.fonts)
        self._labels: dict[str, object] = {}

    def html(self, data: DocumentData) -> str:
        own, common = texts(self.root, data.kind, data.lang)
        template = self.env.get_template(f"{data.kind}/template.html.j2")
        return template.render(doc=data.model_dump(), t=own, c=common, lang=data.lang)

    def pdf(self, data: DocumentData) -> Rendered:
        return self.pdf_from_html(self.html(data), data.lang, data.kind)

    def pdf_from_html(self, html: str, lang: str, kind: str) -> Rendered:
        from weasyprint import HTML

        document = HTML(string=html, url_fetcher=self.fetcher).render(
            stylesheets=[self.css, self._page_labels(lang, kind)], font_config=self.fonts)
        return Rendered(document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages))

    def _page_labels(self, lang: str, kind: str):
        if lang not in self._labels:
            _, common = texts(self.root, kind, lang)
            css = page_labels_css(common["page"]["confidential"], common["page"]["page_of"])
            self._labels[lang] = self._css_class(string=css, font_config=self.fonts)
        return self._labels[lang]


@lru_cache(maxsize=4)
def renderer(root: Path = TEMPLATES) -> Renderer:
    """The process's long-lived renderer."""
    return Renderer(root)


_WORKER: Renderer | None = None


def _start_worker(root: str) -> None:
    global _WORKER
    _WORKER = Renderer(Path(root))
    # The first render loads fonts and fills caches: do it now, not on the first real document.
    _WORKER.pdf_from_html('<html lang="en"><p>.</p></html>', "en", "victim_letter")


def _render_in_worker(payload: dict) -> Rendered:
    return _WORKER.pdf(parse(payload))


class RenderPool:
    """Worker processes for batches, each with one long-lived renderer. `spawn`, not `fork`: the
    parent may hold database connections and Prefect threads that must not be copied."""

    def __init__(self, workers: int | None = None, root: Path = TEMPLATES):
        import multiprocessing

        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_worker, initargs=(str(root),))

    def warm_up(self) -> None:
        """Start every worker now (each imports WeasyPrint once), so timing excludes start-up."""
        list(self._pool.map(_noop, range(self.workers * 2)))

    def render(self, documents: list[DocumentData]) -> list[Rendered]:
        return list(self._pool.map(_render_in_worker, [d.model_dump(mode="json") for d in documents]))

    def close(self) -> None:
        self._pool.shutdown()

    def __enter__(self) -> "RenderPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _noop(_: int) -> None:
    return None
