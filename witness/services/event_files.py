"""`witness event FILE` (R-56): custody changes and case events from a court or prison feed,
recorded all or none, each published as its event in the same transaction.
"""
from __future__ import annotations

from sqlalchemy import select

from witness.domain.access import Actor
from witness.domain.guardrails import ungated
from witness.errors import InputProblems
from witness.services.access import need_to_know
from witness.store.notice_tables import received_events
from witness.store.tables import accused, case_proceedings, cases, proceedings
from witness.store.dialects import dialect_of


@ungated("records court and prison events; the alerts that follow must never wait for a rule")
def record_events(app, actor: Actor, data) -> list[dict]:
    """Record custody changes and case events from a file: all of them or none.

    The whole file is checked first — the schema, dates ahead of the clock, that every accused,
    case and docket exists — and every problem is reported as `events.N.field: message`. Only a
    file without problems is applied, as one transaction: a feed that sends a batch can resend it
    whole after fixing it, and never has to work out which half went in. Historical events are
    recorded and notify no one; an event id seen before is skipped (R-56)."""
    from witness.domain.event import CustodyEventIn, parse_event_file
    from witness.services.custody import record_change

    need_to_know(app, actor, "event.record")
    events, problems = parse_event_file(data)
    if any(isinstance(e, CustodyEventIn) for e in events):
        need_to_know(app, actor, "custody.record")
    with app.uow(actor) as uow:
        targets = _resolve(uow, events, problems)  # reads only: raises before anything is written
        results = []
        for e, target in zip(events, targets):
            if isinstance(e, CustodyEventIn):
                r = record_change(uow, e.event_id, target, e.custody.value, e.occurred_at, e.source, e.historical)
                results.append({"event": e.event_id, "duplicate": r.duplicate, "cases": len(r.case_ids),
                                "historical": e.historical, "order": r.order.value})
            else:
                results.append(_record_case_event(uow, e, target))
        uow.commit()
    return results


def _resolve(uow, events, problems: list[tuple[int, str, str]]) -> list:
    """Each event's target (an accused id, or the case ids), or InputProblems listing, in file
    order, the schema's problems and every event that points at nothing or is dated ahead of the
    clock."""
    from witness.domain.event import CustodyEventIn
    from witness.domain.proceeding import ahead_of_clock
    from witness.services.custody import accused_by_label

    conn, problems, targets = uow.conn, list(problems), []
    for n, e in enumerate(events):
        where = f"events.{n}"
        if e is None:  # the schema's problems are already listed
            targets.append(None)
            continue
        too_soon = ahead_of_clock(e.occurred_at, uow.now)
        if too_soon:
            problems.append((n, f"{where}.occurred_at", too_soon))
        if isinstance(e, CustodyEventIn):
            if e.accused_id:
                aid = conn.execute(select(accused.c.id).where(accused.c.id == e.accused_id)).scalar()
                if aid is None:
                    problems.append((n, f"{where}.accused_id", "no accused has this id"))
            else:
                aid = accused_by_label(conn, e.docket, e.accused)
                if aid is None:
                    problems.append((n, f"{where}.accused", f"no accused with this label in proceeding {e.docket}"))
            targets.append(aid)
            continue
        ids = set(e.cases)
        known = set(conn.execute(select(cases.c.id).where(cases.c.id.in_(ids))).scalars()) if ids else set()
        missing = sorted(ids - known)
        if missing:
            problems.append((n, f"{where}.cases", f"no case {', '.join(missing[:10])}"
                                                  + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")))
        if e.docket:
            in_docket = set(conn.execute(
                select(case_proceedings.c.case_id).join(proceedings, proceedings.c.id == case_proceedings.c.proceeding_id)
                .join(cases, cases.c.id == case_proceedings.c.case_id)
                .where(proceedings.c.docket == e.docket, cases.c.stage != "closed")).scalars())
            if not in_docket:
                problems.append((n, f"{where}.docket", "no open case in this proceeding"))
            ids |= in_docket
        targets.append(sorted(ids))
    if problems:
        raise InputProblems([(path, msg) for _, path, msg in sorted(problems, key=lambda p: p[0])])
    return targets


def _record_case_event(uow, e, ids: list[str]) -> dict:
    from witness.domain.events import case_event
    from witness.services.events import publish

    conn = uow.conn
    dialect = dialect_of(conn)
    fresh = conn.execute(dialect.insert(received_events).values(
        event_id=e.event_id, kind=e.kind, occurred_at=e.occurred_at, recorded_at=uow.now, source=e.source,
        historical=e.historical).on_conflict_do_nothing(index_elements=["event_id"])
        .returning(received_events.c.event_id)).first()
    if fresh is None:
        return {"event": e.event_id, "duplicate": True, "cases": 0, "historical": e.historical}
    params = {"event_id": e.event_id}
    if e.at is not None:
        params["at"] = e.at
    if e.to_stage:
        params["to_stage"] = e.to_stage
    if not e.historical:
        publish(uow, case_event(e.kind, ids, **params))
    uow.audit("event.record", e.event_id[:120], f"{e.kind} for {len(ids)} cases{'; historical' if e.historical else ''}")
    return {"event": e.event_id, "duplicate": False, "cases": len(ids), "historical": e.historical}
