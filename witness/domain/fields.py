"""Field types shared by every input model: who (user ids), what (labels, names, free text), when
(instants and dates) and how much (whole numbers), each with its length limit and its refusals.

Why one module: the same value travels from an intake file to the database, the terminal, a calendar
feed and a PDF. A limit or a refusal written once here holds everywhere (10 MB in a coordinator id
crashed PostgreSQL; an ESC in an accused label forged a line in `case list`; a CRLF in an interpreter
id broke the calendar feed). Limits are in characters, which is what PostgreSQL's VARCHAR(n) counts,
so the same input is accepted or refused on both databases.

Messages never repeat the value: it may be a name. They may name a code point (U+202E), never text.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints, TypeAdapter, ValidationError

from witness.domain.user_ids import USER_ID, USER_ID_RULE

# --- refusals -------------------------------------------------------------------------------------

# Bidirectional overrides and isolates reorder what a terminal or a PDF shows ("Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width joiners are part of spelling in Myanmar, Khmer and Indic scripts (between two letters);
# anywhere else they only hide text, so a name made of them alone is refused.
JOINERS = frozenset("\u200c\u200d")


def _invisible(ch: str) -> bool:
    """C0/C1 controls, DEL, format characters (zero-width, bidi), line/paragraph separators, surrogates."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def _joined(v: str, i: int) -> bool:
    return 0 < i < len(v) - 1 and all(unicodedata.category(v[j])[0] in "LM" for j in (i - 1, i + 1))


def _where(ch: str, i: int) -> str:
    return f"U+{ord(ch):04X} at position {i + 1}"


def _one_line(v: str) -> str:
    for i, ch in enumerate(v):
        if _invisible(ch):
            raise ValueError(f"contains a control or invisible character ({_where(ch, i)}); remove it")
    return v


def _person_name(v: str) -> str:
    for i, ch in enumerate(v):
        if _invisible(ch) and not (ch in JOINERS and _joined(v, i)):
            raise ValueError(f"contains a control or invisible character ({_where(ch, i)}); remove it")
    if not any(unicodedata.category(ch)[0] == "L" for ch in v):
        raise ValueError("needs at least one letter")
    return v


def _free_text(v: str) -> str:
    # Notes and addresses may have several lines and tabs; what may not pass is what rewrites a
    # terminal (ESC, other C0/C1) or reorders a line (bidi controls), or cannot be encoded (surrogates).
    # A lone CR returns to the start of the line and overwrites it; CRLF is only a line break.
    for i, ch in enumerate(v):
        cat = unicodedata.category(ch)
        if ((cat == "Cc" and ch not in "\n\t\r") or ch in BIDI_CONTROLS or cat == "Cs"
                or (ch == "\r" and v[i + 1:i + 2] != "\n")):
            raise ValueError(f"contains a control character ({_where(ch, i)}); remove it")
    return v


# --- text -----------------------------------------------------------------------------------------


def label(max_length: int, min_length: int = 1):
    """One line of visible text: an accused's label, a docket, a court, a room, a relationship."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length), AfterValidator(_one_line)]


def text(max_length: int):
    """Free text (notes, an address, the victim's own words): several lines allowed, no control codes."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_free_text)]


PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_person_name)]
Docket = label(80)
AccusedLabel = label(80)
CourtName = label(200)



def _user_id(v: str) -> str:
    if not USER_ID.fullmatch(v):  # the shape and why: witness.domain.user_ids
        raise ValueError(f"use {USER_ID_RULE}")
    return v


UserId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_user_id)]
# Escort officers, suites, screens and rooms: a call sign or number such as TH-SSK-F01, never a name.
ResourceId = Annotated[str, StringConstraints(max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,59}$")]
RoomName = label(80)

# BCP 47 as far as this system uses it (my, th, zh-Hant, km-KH); 16 characters like the columns.
LanguageTag = Annotated[str, StringConstraints(max_length=16, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]

Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                  AfterValidator(_one_line)]

# --- numbers --------------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]{1,9}", re.ASCII)


def _whole_number(v: Any) -> Any:
    # A number, or its plain digits as text (a web form sends text). Not what int() would also take:
    # "1_000", fullwidth "１５", Arabic-Indic "١٥", true, 15.0.
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and _DIGITS.fullmatch(v.strip()):
        return int(v.strip())
    raise ValueError("give a whole number in the digits 0-9")


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]

# --- time -----------------------------------------------------------------------------------------

# Far enough for any case file, near enough that adding an offset, a reflection period or a review
# interval never leaves Python's datetime range (year 1 and 9999 raised OverflowError).
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_DATE = re.compile(_DATE, re.ASCII)
_ISO_LOCAL = re.compile(_DATE + r"[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?", re.ASCII)
_OFFSET = re.compile(r"(Z|z|[+-][0-9]{2}:[0-9]{2})", re.ASCII)
INSTANT_EXAMPLE = "2026-11-01T09:00:00+07:00"


def _instant_text(v: Any) -> Any:
    # ISO-8601 text only: an epoch number (1762052400) carries no offset, so it would skip the rule
    # that every instant says which offset it was written in.
    if isinstance(v, datetime):
        return v
    if not isinstance(v, str):
        raise ValueError(f"write a date and time as ISO-8601 text with its UTC offset, e.g. {INSTANT_EXAMPLE}")
    v = v.strip()
    local = _ISO_LOCAL.match(v)
    if local is None:
        raise ValueError(f"write a date and time as ISO-8601 text with its UTC offset, e.g. {INSTANT_EXAMPLE}")
    if not _OFFSET.fullmatch(v[local.end():]):
        raise ValueError(f"needs a UTC offset, e.g. {INSTANT_EXAMPLE}")
    return v


def _instant_range(v: datetime) -> datetime:
    if not EARLIEST <= v.date() <= LATEST:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year}")
    return v


def _date_text(v: Any) -> Any:
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if not isinstance(v, str) or not _ISO_DATE.fullmatch(v.strip()):
        raise ValueError("write the date as YYYY-MM-DD")
    return v.strip()


def _date_range(v: date) -> date:
    if not EARLIEST <= v <= LATEST:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year}")
    return v


Instant = Annotated[AwareDatetime, BeforeValidator(_instant_text), AfterValidator(_instant_range)]
CalendarDate = Annotated[date, BeforeValidator(_date_text), AfterValidator(_date_range)]

# --- lists ----------------------------------------------------------------------------------------


def few(n: int):
    """A list limit: `aliases: list[PersonName] = few(20)`."""
    return Field(default_factory=list, max_length=n)


# --- checking one value outside a model (command-line options) ------------------------------------


def problem(kind: Any, value: Any) -> str | None:
    """The message for `value` as a `kind` field, or None if it is fine: for services whose input
    arrives as separate arguments rather than as a form (`consent give --interpreter`)."""
    try:
        _adapter(kind).validate_python(value)
    except ValidationError as exc:
        return exc.errors()[0]["msg"].removeprefix("Value error, ")
    return None


_ADAPTERS: dict[int, TypeAdapter] = {}


def _adapter(kind: Any) -> TypeAdapter:
    key = id(kind)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(kind)
    return _ADAPTERS[key]
