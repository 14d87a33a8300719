"""Dated obligations as RFC 5545 events (R-114), added to a person's hearing feed.

Pure: obligations in, .ics bytes out. A moment is a short timed event in its jurisdiction's zone;
a deadline in days (a claim's filing deadline, an instalment) is an all-day event. Each event's UID
is derived from what it is and its date, so a calendar app that subscribed keeps it across
refreshes, and a moved date replaces it.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from witness.domain.obligation import DEFAULT_DURATION, DURATION, Obligation, description, summary
from witness.outputs.calendars import ORGANIZER, PRODID, _vtimezone

_NAMESPACE = uuid.UUID("0b7f3f8e-27c4-4c55-9a8e-6e0f1d2c3b4a")


def event(o: Obligation, stamp: datetime) -> Event:
    if o.at is not None:
        start = o.at.astimezone(ZoneInfo(o.tz))
        end = start + DURATION.get(o.kind, DEFAULT_DURATION)
        before = timedelta(hours=-2) if o.kind == "appointment" else timedelta(days=-1)
    else:
        start, end, before = o.on, o.on + timedelta(days=1), timedelta(days=-1)
    return Event.new(uid=f"{uuid.uuid5(_NAMESPACE, o.uid_seed)}@witness", sequence=0, stamp=stamp, start=start, end=end,
                     summary=summary(o), description=description(o), status="CONFIRMED",
                     classification="CONFIDENTIAL", organizer=ORGANIZER,
                     subcomponents=[Alarm.new_display(description=summary(o), trigger=before)])


def add_to(ics: bytes, obligations: list[Obligation], stamp: datetime) -> bytes:
    """The feed `ics` with the obligations added (and the time zones they need)."""
    cal = Calendar.from_ical(ics)
    have = {str(z["TZID"]) for z in cal.walk("VTIMEZONE")}
    for tz in sorted({o.tz for o in obligations if o.at is not None} - have, reverse=True):
        cal.subcomponents.insert(0, _vtimezone(tz))  # before the events that use it (some apps read in order)
    for o in obligations:
        cal.add_component(event(o, stamp))
    return cal.to_ical()


def calendar(name: str, uid_seed: str, obligations: list[Obligation], stamp: datetime) -> bytes:
    """A feed of obligations alone (a role with no hearing feed: legal aid)."""
    cal = Calendar.new(prodid=PRODID, method="PUBLISH", calscale="GREGORIAN", name=name,
                       uid=str(uuid.uuid5(_NAMESPACE, uid_seed)), refresh_interval=timedelta(hours=1))
    return add_to(cal.to_ical(), obligations, stamp)
