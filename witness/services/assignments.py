"""An escort's or interpreter's own assignments (R-112): what the calendars already hold for them,
as rows for a page. Pseudonyms, times and places only; nothing about anyone else's work."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.services.access import need_to_know
from witness.store.hearing_tables import calendar_events

@ungated("a read (audited)")
def of(app, actor: Actor) -> list[dict]:
    """Upcoming confirmed assignments of the signed-in escort or interpreter, soonest first."""
    need_to_know(app, actor, "assignments.read")  # their own: the query below reads only their feed
    with app.uow(actor) as uow:
        since = uow.now - timedelta(hours=12)  # today's, even if already started
        rows = uow.conn.execute(select(calendar_events.c.content).where(
            calendar_events.c.audience == actor.role.value, calendar_events.c.subject == actor.user,
            calendar_events.c.status == "CONFIRMED", calendar_events.c.starts_at >= since)
            .order_by(calendar_events.c.starts_at, calendar_events.c.uid)).scalars().all()
        uow.audit("assignments.read", actor.user, f"{len(rows)} assignments")
        uow.commit()
    return [_local(json.loads(r)) for r in rows]


def _local(content: dict) -> dict:
    """Times as the person reads them: in the court's time zone, with its abbreviation (R-14)."""
    tz = ZoneInfo(content["tz"])
    for key in ("start", "end"):
        if content.get(key):
            content[f"{key}_local"] = datetime.fromisoformat(content[key]).astimezone(tz)
    return content
