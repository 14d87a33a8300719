"""Dated obligations as RFC 5545 events (R-114), added to a person's hearing feed.

Pure: obligations in, .ics text out (written directly by witness.outputs.ics). A moment is a short
timed event in its jurisdiction's zone; a deadline in days (a claim's filing deadline, an
instalment) is an all-day event. Each event's UID is derived from what it is, its date and the
audience, so a calendar app that subscribed keeps it across refreshes, and a moved date replaces it.

Staff events name the case by pseudonym (domain/obligation.py). The victim's and the guardian's say
only what they need in their language (outputs/calendars.py VICTIM_TEXT): no pseudonym, no claim or
case number, no place.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from witness.domain.obligation import DEFAULT_DURATION, DURATION, Obligation, description, summary
from witness.outputs import ics
from witness.outputs.calendars import ORGANIZER, PRODID, VICTIM_TEXT, victim_language

_NAMESPACE = uuid.UUID("0b7f3f8e-27c4-4c55-9a8e-6e0f1d2c3b4a")
VICTIM_KINDS = frozenset({"appointment", "reflection_end", "instalment"})  # what the victim keeps besides hearings


def _uid(o: Obligation, audience: str | None) -> str:
    seed = o.uid_seed if audience is None else f"{audience}:{o.uid_seed}"
    return f"{uuid.uuid5(_NAMESPACE, seed)}@witness"


def _when(o: Obligation):
    if o.at is not None:
        start = o.at.astimezone(ZoneInfo(o.tz))
        return start, start + DURATION.get(o.kind, DEFAULT_DURATION), o.tz
    return o.on, o.on + timedelta(days=1), None


def event_text(o: Obligation, stamp: datetime) -> str:
    """A staff member's event for the obligation (pseudonym and ids only)."""
    start, end, tz = _when(o)
    before = timedelta(hours=-2) if o.kind == "appointment" else timedelta(days=-1)
    return ics.vevent(uid=_uid(o, None), sequence=0, stamp=stamp, start=start, end=end, tz=tz, summary=summary(o),
                      description=description(o), location=None, status="CONFIRMED", organizer=ORGANIZER,
                      alarms=[(before, summary(o))])


def victim_event_text(o: Obligation, stamp: datetime, lang: str, audience: str = "victim") -> str:
    """The victim's (or guardian's) event, in their language: what it is and what they can do."""
    t = VICTIM_TEXT[victim_language(lang)]
    if o.kind == "appointment":
        title, note, before = t.get(o.detail.replace(" ", "_"), t["interview"]), t["appointment_note"], timedelta(days=-1)
    elif o.kind == "reflection_end":
        title, note, before = t["reflection_end"], t["reflection_note"], timedelta(days=-1)
    elif o.kind == "instalment":
        title, note, before = t["instalment"], t["instalment_note"], timedelta(0)
    else:
        raise ValueError(f"{o.kind} is not the victim's to keep")
    start, end, tz = _when(o)
    return ics.vevent(uid=_uid(o, audience), sequence=0, stamp=stamp, start=start, end=end, tz=tz, summary=title,
                      description="\n".join([note, t["call"]]), location=None, status="CONFIRMED",
                      organizer=ORGANIZER, alarms=[(before, title)])


def zones(obligations: list[Obligation]) -> list[str]:
    return sorted({o.tz for o in obligations if o.at is not None})


_TZID = re.compile(rb"BEGIN:VTIMEZONE\r\nTZID:([^\r\n]+)\r\n")


def add_to(ics_bytes: bytes, obligations: list[Obligation], stamp: datetime) -> bytes:
    """The feed `ics_bytes` with the obligations' events added (and the time zones they need), without
    reading the feed back into objects: the zones go before the first event, the events at the end."""
    if not obligations:
        return ics_bytes
    have = {m.decode() for m in _TZID.findall(ics_bytes)}
    missing = "".join(ics.vtimezone(z) for z in zones(obligations) if z not in have).encode("utf-8")
    events = "".join(event_text(o, stamp) for o in obligations).encode("utf-8")
    first = ics_bytes.find(b"BEGIN:VEVENT\r\n")
    end = ics_bytes.rindex(b"END:VCALENDAR\r\n")
    if first < 0:
        return ics_bytes[:end] + missing + events + ics_bytes[end:]
    return ics_bytes[:first] + missing + ics_bytes[first:end] + events + ics_bytes[end:]


def calendar(name: str, uid_seed: str, obligations: list[Obligation], stamp: datetime) -> bytes:
    """A feed of obligations alone (a role with no hearing feed: legal aid)."""
    return ics.vcalendar(prodid=PRODID, name=name, uid=str(uuid.uuid5(_NAMESPACE, uid_seed)), zones=zones(obligations),
                         events=[event_text(o, stamp) for o in obligations])
