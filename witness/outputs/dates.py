"""Dates and times as people of each language write them (R-14, R-54): one format per language,
from Babel's CLDR data, used by notices and court documents alike.

Thai counts years in the Buddhist Era (2026 CE = 2569 BE) in official letters and in everyday
use, so a Thai notice and a Thai court document both say พ.ศ. 2569. Times are the 24-hour clock in
the jurisdiction's own time zone, never UTC.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

BUDDHIST_ERA = 543
# The court documents (witness/outputs/documents/render.py format_date) use the same CLDR long
# format per language; a locale can be mapped here (e.g. English to en_GB) for both at once.
LOCALES: dict[str, str] = {}


@lru_cache(maxsize=32)
def _months(lang: str) -> dict[int, str]:
    from babel.dates import get_month_names

    return dict(get_month_names("wide", locale=lang))


def date_text(day: date, lang: str) -> str:
    """`12 November 2026`, `12 พฤศจิกายน พ.ศ. 2569`, `12 tháng 11, 2026`..."""
    if lang == "th":
        return f"{day.day} {_months('th')[day.month]} พ.ศ. {day.year + BUDDHIST_ERA}"
    from babel.core import UnknownLocaleError
    from babel.dates import format_date

    try:
        return format_date(day, "long", locale=LOCALES.get(lang, lang))
    except (UnknownLocaleError, ValueError):  # a language CLDR does not know: the regional English
        return format_date(day, "long", locale="en")


def datetime_text(at: datetime, tz: ZoneInfo | str, lang: str) -> str:
    """The local date, then the 24-hour time: `12 November 2026, 10:00`."""
    if at.tzinfo is None:
        raise ValueError("naive datetime; every time must be timezone-aware (R-14)")
    local = at.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    return f"{date_text(local.date(), lang)}, {local:%H:%M}"
