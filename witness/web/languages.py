"""The interface's languages (R-115): gettext catalogs through Babel, chosen per request.

Catalogs live as .po files under witness/web/locale/<lang>/LC_MESSAGES/witness.po and are compiled
in memory when first needed (Babel reads the .po, writes the .mo into a buffer): a new user runs no
build step, and there is no .mo file that could drift from its .po.

Which language: a signed-in person's own choice (their account), otherwise what the browser asks
for (Accept-Language), otherwise English. The choice is held in a context variable for the one
render that uses it: the Jinja environment is shared by every request, so it must not hold a
language itself.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from witness.domain.account import INTERFACE_LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "witness"
# Each language named in itself: a person who cannot read the current one still finds their own.
_NAMES = {"en": "English", "th": "ไทย", "id": "Bahasa Indonesia"}
LANGUAGES = {code: _NAMES[code] for code in INTERFACE_LANGUAGES}
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("witness_web_language", default=DEFAULT)


def N_(message: str) -> str:
    """Mark a string for the catalog where it is defined; it is translated where it is shown."""
    return message


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy (unchecked) entry shows the English instead
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def from_accept_language(header: str | None) -> str | None:
    """The first language of ours the browser asks for, by its q-values (RFC 9110 12.5.4)."""
    wanted = []
    for n, part in enumerate((header or "").split(",")[:20]):  # a header of thousands of parts gets 20 looks
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        base = tag.strip().split("-")[0].lower()
        if base in LANGUAGES and q > 0:
            wanted.append((-q, n, base))
    return min(wanted)[2] if wanted else None


def choose(account_language: str | None, accept_language: str | None) -> str:
    if account_language in LANGUAGES:
        return account_language
    return from_accept_language(accept_language) or DEFAULT


@contextmanager
def speaking(lang: str):
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def install(env) -> None:
    """Give templates `_`, `gettext` and `ngettext` (new style: `_("%(n)s cases", n=3)`, values escaped)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
