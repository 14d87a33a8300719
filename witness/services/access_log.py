"""Searching the audit log (R-72, R-112 auditor): who read or changed which record, when, and why —
by person, record (a case pseudonym, a claim or hearing id), action and date. The search itself is
audited. Rows carry staff logins, record ids and purposes, which never hold a victim's name
(witness.errors, services/access.py)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.errors import InputProblems
from witness.services.access import need_to_know
from witness.store.tables import audit_log

LIMIT = 100


def _day(value: str | None, field: str, problems: list) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append((field, "use a date as YYYY-MM-DD"))
        return None


@ungated("a read of the audit log (audited)")
def search(app, actor: Actor, person: str | None = None, record: str | None = None, action: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = LIMIT) -> list[dict]:
    """The newest `limit` rows matching every filter given (exact person and record, action by its
    start: "identity" finds identity.read; dates in UTC, both ends included)."""
    need_to_know(app, actor, "audit.verify")
    problems: list = []
    first, last = _day(since, "since", problems), _day(until, "until", problems)
    for name, value, size in (("person", person, 80), ("record", record, 120), ("action", action, 60)):
        if value and len(value) > size:
            problems.append((name, f"at most {size} characters"))
    if first and last and last < first:
        problems.append(("until", "must not be before since"))
    if problems:
        raise InputProblems(problems)
    q = select(audit_log.c.seq, audit_log.c.at, audit_log.c.actor, audit_log.c.role, audit_log.c.action,
               audit_log.c.record, audit_log.c.purpose).order_by(audit_log.c.seq.desc()).limit(limit)
    if person:
        q = q.where(audit_log.c.actor == person)
    if record:
        q = q.where(audit_log.c.record == record)
    if action:
        q = q.where(audit_log.c.action.startswith(action, autoescape=True))
    if first:
        q = q.where(audit_log.c.at >= datetime.combine(first, time(), timezone.utc))
    if last:
        q = q.where(audit_log.c.at < datetime.combine(last + timedelta(days=1), time(), timezone.utc))
    with app.uow(actor) as uow:
        rows = [dict(r._mapping) for r in uow.conn.execute(q)]
        filters = ", ".join(f"{k}={v}" for k, v in (("person", person), ("record", record), ("action", action),
                                                     ("since", since), ("until", until)) if v)
        uow.audit("audit.search", record or "*", f"{len(rows)} rows; {filters or 'no filter'}"[:300])
        uow.commit()
    return rows
